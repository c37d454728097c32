pragma circom 2.1.0;

/*
 * LiquidationProof: a position is below its liquidation threshold at the price the ledger accepted for
 * an oracle round, without revealing its size.
 *
 * Public inputs, in this order (it is the order of `publicSignals`; src/domain/liquidation/public-signals.ts names them):
 *   0  commitment      Poseidon(collateral, scaledDebt, salt): the position's commitment
 *   1  feed            idToField(feed name)
 *   2  round           the oracle round whose accepted price is cited
 *   3  price           WAD: the round's accepted price (the quorum median), < 2^88
 *   4  threshold       liquidation threshold in basis points (< 2^14)
 *   5  positionId      idToField(position id)
 *   6  liquidator      idToField(liquidator id): bound to the proof, not to the nullifier
 *   7  nullifier       Poseidon(NULLIFIER_TAG, positionId, round, commitment)
 *   8  borrowIndex     pool borrow index in RAY (1e27), < 2^128
 *   9  collateralUnit  10^collateralDecimals, < 2^60
 *  10  debtUnit        10^debtDecimals, < 2^60
 *
 * Private inputs:
 *   collateral, scaledDebt   the position's opening (< 2^88 each)
 *   salt                     the commitment's salt (any field element)
 *
 * Why the price is public and no oracle signature is checked here: a proof counts only at the price
 * the ledger accepted for the round (the median of a quorum of reports whose signatures the ledger
 * verified and any auditor re-verifies from the history). The verifier compares this public price with
 * the recorded round's price. Checking one oracle's signature inside the circuit would let a single
 * oracle's report (an outlier, or a price signed but never submitted) decide a liquidation, which is
 * exactly what the median exists to prevent; with the price public the signature check adds nothing.
 *
 * The rule (the TypeScript twin is src/domain/risk/liquidation-rule.ts; both must agree bit for bit):
 *   debt            = ceil(scaledDebt * borrowIndex / RAY)
 *   collateralValue = floor(collateral * price * debtUnit / (WAD * collateralUnit))
 *   liquidatable   <=> collateralValue * threshold < debt * 10000
 * Rounding favours the pool: debt rounds up, collateral value rounds down.
 *
 * Soundness against field wrap-around: every value entering a product is range-checked (Num2Bits), and
 * every quotient and remainder of a division is range-checked, so each `q * b + r` is below 2^240 < p
 * and a field equality is an integer equality. The collateral division is done in two floor steps,
 * floor(floor(x / WAD) / collateralUnit) = floor(x / (WAD * collateralUnit)), so that every divisor
 * is below 2^90 and the quotients' bounds keep q * b far from the modulus.
 *
 * Nullifier: Poseidon(NULLIFIER_TAG, positionId, round, commitment), where NULLIFIER_TAG is a constant
 * that separates this hash from commitments. It names "this position, in this state, liquidated at
 * this round": a second proof for the same position, state and round (by any liquidator) has the same
 * nullifier, so the ledger accepts only the first. It leaves the liquidator out on purpose (otherwise
 * two liquidators could both liquidate the same state); the liquidator is bound by being a public
 * input of the proof, so changing it invalidates the proof.
 */

include "../node_modules/circomlib/circuits/poseidon.circom";
include "../node_modules/circomlib/circuits/bitify.circom";
include "../node_modules/circomlib/circuits/comparators.circom";

/// `in` < 2^n as an integer (n bits, each boolean, recomposing to `in`).
template RangeCheck(n) {
    signal input in;
    component bits = Num2Bits(n);
    bits.in <== in;
}

/// quotient = floor(dividend / divisor) with 0 <= remainder < divisor. Caller's promises: divisor is
/// below 2^dBits (range-checked or constant), the honest quotient is below 2^qBits, and qBits + dBits
/// < 252, so `quotient * divisor + remainder` < p: the field equality is the integer equality.
template FloorDiv(qBits, dBits) {
    signal input dividend;
    signal input divisor;
    signal output quotient;

    signal remainder;
    quotient <-- dividend \ divisor;
    remainder <-- dividend % divisor;

    component qRange = RangeCheck(qBits);
    qRange.in <== quotient;
    component rRange = RangeCheck(dBits);
    rRange.in <== remainder;
    component rBelow = LessThan(dBits);
    rBelow.in[0] <== remainder;
    rBelow.in[1] <== divisor;
    rBelow.out === 1;

    dividend === quotient * divisor + remainder;
}

/// quotient = ceil(dividend / divisor): quotient * divisor = dividend + slack with 0 <= slack < divisor.
/// Same promises as FloorDiv.
template CeilDiv(qBits, dBits) {
    signal input dividend;
    signal input divisor;
    signal output quotient;

    signal slack;
    quotient <-- (dividend + divisor - 1) \ divisor;
    slack <-- quotient * divisor - dividend;

    component qRange = RangeCheck(qBits);
    qRange.in <== quotient;
    component sRange = RangeCheck(dBits);
    sRange.in <== slack;
    component sBelow = LessThan(dBits);
    sBelow.in[0] <== slack;
    sBelow.in[1] <== divisor;
    sBelow.out === 1;

    quotient * divisor === dividend + slack;
}

template LiquidationProof() {
    // Bit widths of the bounded values (see the header).
    var AMOUNT_BITS = 88;
    var THRESHOLD_BITS = 14;
    var INDEX_BITS = 128;
    var UNIT_BITS = 60;
    var WAD = 1000000000000000000;
    var RAY = 1000000000000000000000000000;
    var BPS = 10000;
    // idToField("liquidation-ledger/nullifier/v1"), see src/zk/witness.ts.
    var NULLIFIER_TAG = 1396768795841836953174497246786072110755749912877599836461389493556193247132;

    // Public.
    signal input commitment;
    signal input feed;
    signal input round;
    signal input price;
    signal input threshold;
    signal input positionId;
    signal input liquidator;
    signal input nullifier;
    signal input borrowIndex;
    signal input collateralUnit;
    signal input debtUnit;

    // Private.
    signal input collateral;
    signal input scaledDebt;
    signal input salt;

    // 1. Ranges: nothing below may wrap around the field.
    component ranges[7];
    var bounded[7] = [collateral, scaledDebt, price, threshold, borrowIndex, collateralUnit, debtUnit];
    var widths[7] = [AMOUNT_BITS, AMOUNT_BITS, AMOUNT_BITS, THRESHOLD_BITS, INDEX_BITS, UNIT_BITS, UNIT_BITS];
    for (var i = 0; i < 7; i++) {
        ranges[i] = RangeCheck(widths[i]);
        ranges[i].in <== bounded[i];
    }

    // 2. The commitment opens to (collateral, scaledDebt, salt).
    component opening = Poseidon(3);
    opening.inputs[0] <== collateral;
    opening.inputs[1] <== scaledDebt;
    opening.inputs[2] <== salt;
    opening.out === commitment;

    // 3. The price is public: the verifier checks it is the round's accepted price (see the header).

    // 4. debt = ceil(scaledDebt * borrowIndex / RAY): product < 2^216, so debt < 2^127.
    signal indexedDebt <== scaledDebt * borrowIndex;
    component debt = CeilDiv(127, 90);
    debt.dividend <== indexedDebt;
    debt.divisor <== RAY;

    // 5. collateralValue = floor(collateral * price * debtUnit / (WAD * collateralUnit)), in two floors.
    //    collateral * price * debtUnit < 2^236, so the first quotient is < 2^177 (WAD > 2^59).
    signal grossValue <== collateral * price;
    signal scaledValue <== grossValue * debtUnit;
    component perWad = FloorDiv(177, 60);
    perWad.dividend <== scaledValue;
    perWad.divisor <== WAD;
    component collateralValue = FloorDiv(177, UNIT_BITS);
    collateralValue.dividend <== perWad.quotient;
    collateralValue.divisor <== collateralUnit;

    // 6. Health factor below one: collateralValue * threshold < debt * 10000 (< 2^191 and < 2^141).
    signal weightedValue <== collateralValue.quotient * threshold;
    component below = LessThan(191);
    below.in[0] <== weightedValue;
    below.in[1] <== debt.quotient * BPS;
    below.out === 1;

    // 7. The nullifier of (position, round, state).
    component nullifierHash = Poseidon(4);
    nullifierHash.inputs[0] <== NULLIFIER_TAG;
    nullifierHash.inputs[1] <== positionId;
    nullifierHash.inputs[2] <== round;
    nullifierHash.inputs[3] <== commitment;
    nullifierHash.out === nullifier;

    // 8. The liquidator and the feed enter no other constraint: square each so it is part of the
    //    constraint system and a proof cannot be re-targeted by changing it (Semaphore does the same).
    signal liquidatorSquare <== liquidator * liquidator;
    signal feedSquare <== feed * feed;
}

component main {public [
    commitment, feed, round, price, threshold, positionId, liquidator, nullifier,
    borrowIndex, collateralUnit, debtUnit
]} = LiquidationProof();
