/**
 * The ledger's proof of its own detection: its stream and id, what the proof must state (every public
 * signal fixed by the trigger, the ledger as prover, the nullifier of that state and round), and the
 * one proof a stream takes, refused with what is wrong otherwise.
 */
import { idToField, loadCrypto, poseidonHash } from '../crypto/crypto';
import { RAY, WAD } from '../math/fixed-point';
import { noReservations, PoolState } from '../pool/pool';
import { PositionEvent } from '../position/position';
import { refusalOf } from '../testing';
import {
  DetectedTrigger, detectedTriggerOf, expectedSignalsOf, LEDGER_PROVER, liquidationIdOf, liquidationProofDecider, LiquidationProofEvent, liquidationProofStream,
} from './detected-liquidation-proof';
import { formatPublicSignals, LiquidationPublicSignals, NULLIFIER_TAG, parsePublicSignals, PublicSignalsError } from './public-signals';

beforeAll(() => loadCrypto());

/** A WETH / USDC pool with an 80% threshold. */
const pool = {
  status: 'active', poolId: 'p', collateral: { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'USDC', decimals: 6 }, feed: 'F',
  parameters: {
    maxLtvBps: 7_500n, liquidationThresholdBps: 8_000n, liquidationPenaltyBps: 500n, liquidatorBonusBps: 300n, protocolFeeBps: 1_000n,
    closeFactorBps: 5_000n, fullCloseHealthFactor: (95n * WAD) / 100n, dustLimit: 10n ** 7n, liquidationCollateralCap: 10n ** 30n, stabilityFeeYearly: 0n,
  },
  interest: { index: RAY, at: 0n, ratePerSecond: RAY }, reserve: 0n, socializedLoss: 0n, collateralUnderAuction: 0n, reservations: noReservations(), liquidationsPaused: false,
} satisfies PoolState;

/** Position x found liquidatable at round 4's price of 1,000 and a borrow index of 1.2, in the 3rd event of its stream. */
const detection: Extract<PositionEvent, { type: 'LiquidationTriggered'; by: 'detection' }> = {
  type: 'LiquidationTriggered', by: 'detection', positionId: 'x', poolId: 'p', feed: 'F', round: 4n, price: 1_000n * WAD, borrowIndex: (RAY * 12n) / 10n,
  collateral: WAD, scaledDebt: 700n * 10n ** 6n, salt: 7n, commitment: 99n,
};
const trigger: DetectedTrigger = detectedTriggerOf(detection, 3n, pool);

const prove = (signals: string[], state = liquidationProofDecider.initialState(), proofVerified = true, found: DetectedTrigger | null = trigger) =>
  liquidationProofDecider.decide({ type: 'ProveDetectedLiquidation', proof: { pi_a: [] }, publicSignals: signals, proofVerified }, state, found ? { trigger: found } : {});
const signalsWith = (changes: Partial<LiquidationPublicSignals>) => formatPublicSignals({ ...expectedSignalsOf(trigger), ...changes });

describe("the ledger's proof of its detection", () => {
  it('is named by the position and the revision of its trigger, on the stream proof-<id>, proven by the ledger itself', () => {
    expect(liquidationIdOf('x', 3n)).toBe('x.3');
    expect(liquidationProofStream('x.3')).toBe('proof-x.3');
    // Not a principal's id: those start with a letter or a digit.
    expect(LEDGER_PROVER).toBe('$ledger');
  });

  it('states the trigger as recorded, with the pool’s threshold and scales then', () => {
    expect(trigger).toEqual({
      liquidationId: 'x.3', positionId: 'x', poolId: 'p', feed: 'F', round: 4n, price: 1_000n * WAD, borrowIndex: (RAY * 12n) / 10n, commitment: 99n,
      thresholdBps: 8_000n, collateralDecimals: 18, debtDecimals: 6,
    });
  });

  it('must carry every public signal of the trigger: nothing of the position’s size, the ledger as liquidator, the nullifier of that state and round', () => {
    expect(expectedSignalsOf(trigger)).toEqual({
      commitment: 99n, feed: idToField('F'), round: 4n, price: 1_000n * WAD, threshold: 8_000n, positionId: idToField('x'), liquidator: idToField('$ledger'),
      nullifier: poseidonHash([NULLIFIER_TAG, idToField('x'), 4n, 99n]), borrowIndex: (RAY * 12n) / 10n, collateralUnit: 10n ** 18n, debtUnit: 10n ** 6n,
    });
  });

  it('is recorded once its signals are the trigger’s and it verifies, and the stream is then proven', () => {
    const signals = signalsWith({});
    const events = prove(signals);
    const proven: LiquidationProofEvent = {
      type: 'LiquidationProven', liquidationId: 'x.3', positionId: 'x', poolId: 'p', feed: 'F', round: 4n, price: 1_000n * WAD, commitment: 99n,
      nullifier: poseidonHash([NULLIFIER_TAG, idToField('x'), 4n, 99n]), proof: { pi_a: [] }, publicSignals: signals,
    };
    expect(events).toEqual([proven]);
    const state = events.reduce(liquidationProofDecider.evolve, liquidationProofDecider.initialState());
    expect(state).toEqual({ status: 'proven', liquidationId: 'x.3' });
    expect(refusalOf(() => prove(signals, state))).toEqual({ code: 'LIQUIDATION_ALREADY_PROVEN', message: 'liquidation x.3 has its proof already' });
  });

  it('is refused for a liquidation the ledger did not detect, and for a proof that does not verify', () => {
    expect(refusalOf(() => prove(signalsWith({}), undefined, true, null))).toEqual({ code: 'LIQUIDATION_NOT_FOUND', message: 'no liquidation detected by the ledger has this id' });
    expect(refusalOf(() => prove(signalsWith({}), undefined, false))).toEqual({ code: 'INVALID_PROOF', message: 'the proof does not verify against its public signals' });
  });

  it('is refused for signals that do not parse, saying why', () => {
    const short = signalsWith({}).slice(1);
    let why = '';
    try {
      parsePublicSignals(short);
    } catch (err) {
      if (err instanceof PublicSignalsError) why = err.message;
    }
    expect(why).not.toBe('');
    expect(refusalOf(() => prove(short))).toEqual({ code: 'INVALID_PUBLIC_SIGNALS', message: why });
  });

  it('is refused for signals that are not the trigger’s, naming them', () => {
    expect(refusalOf(() => prove(signalsWith({ round: 5n })))).toEqual({ code: 'PUBLIC_SIGNAL_MISMATCH', message: "the proof's round is not the trigger's", details: { signals: ['round'] } });
    // Another prover: the liquidator, and so the nullifier, are not the ledger's.
    expect(refusalOf(() => prove(signalsWith({ liquidator: idToField('alice'), price: 999n * WAD })))).toEqual({
      code: 'PUBLIC_SIGNAL_MISMATCH', message: "the proof's price, liquidator are not the trigger's", details: { signals: ['price', 'liquidator'] },
    });
  });
});
