/** The English auction's reserve, on its own: the oracle price less the penalty, rounded in the pool's favour, capped by the tab. */
import { WAD } from '../math/fixed-point';
import { englishReserve, reservePrice } from './english-reserve';

const lot = { lotLeft: WAD, tabLeft: 2_000n * 10n ** 6n, oraclePrice: 1_700n * WAD, liquidationPenaltyBps: 500n, collateralUnit: WAD, debtUnit: 10n ** 6n };

describe('the English reserve', () => {
  it('is the oracle price less the liquidation penalty: 1 WETH at 1,700 less 5% is 1,615 USDC', () => {
    expect(reservePrice(1_700n * WAD, 500n)).toBe(1_615n * WAD);
    expect(englishReserve(lot)).toBe(1_615n * 10n ** 6n);
  });

  it('rounds up, in the pool’s favour', () => {
    // 3 wei at 1 wei less 5%: 2.85 rounds up to 3.
    expect(reservePrice(3n, 500n)).toBe(3n);
    // A third of a WETH at 1,615: 538.333… USDC rounds up to 538.333334.
    expect(englishReserve({ ...lot, lotLeft: WAD / 3n })).toBe(538_333_334n);
  });

  it('never exceeds what is left of the tab', () => {
    expect(englishReserve({ ...lot, tabLeft: 1_500n * 10n ** 6n })).toBe(1_500n * 10n ** 6n);
  });
});
