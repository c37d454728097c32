/**
 * The Dutch auction's price curves, each against the exact price it rounds: linear falls by the same
 * share of the top each second and is exactly its floor; stairstep is flat within a step and falls by
 * the cut of the price at each step's end, never above the exact price; exponential loses cut / step
 * of the price every second, within a unit of the exact price. Before the start, the price is the top.
 */
import fc from 'fast-check';
import { BPS, WAD } from '../math/fixed-point';
import { AUCTION_CURVES, auctionPrice } from './auction-curves';

/** ⌊num / den⌋ of an exact rational, both positive. */
const floorOf = (num: bigint, den: bigint) => num / den;

const top = fc.bigInt({ min: 1n, max: 1_000n * WAD });
const cutBps = fc.bigInt({ min: 1n, max: 9_999n });
const stepSeconds = fc.bigInt({ min: 1n, max: 600n });

describe('the linear curve', () => {
  it('is the floor of top × (1 − cut × elapsed / step), and zero once that is not positive', () => {
    fc.assert(
      fc.property(top, cutBps, stepSeconds, fc.bigInt({ min: 1n, max: 10_000_000n }), (top, cutBps, stepSeconds, elapsed) => {
        const price = auctionPrice(top, elapsed, { curve: 'linear', cutBps, stepSeconds });
        // top − ⌈top × cut × elapsed / (10,000 × step)⌉, or zero.
        const fallen = (top * cutBps * elapsed + BPS * stepSeconds - 1n) / (BPS * stepSeconds);
        expect(price).toBe(fallen >= top ? 0n : top - fallen);
      }),
    );
  });

  it('reaches zero after step × 10,000 / cut seconds: 5% every 10 s is zero at 200 s', () => {
    const c = { curve: 'linear' as const, cutBps: 500n, stepSeconds: 10n };
    expect(auctionPrice(1_000n * WAD, 1n, c)).toBe(995n * WAD);
    expect(auctionPrice(1_000n * WAD, 199n, c)).toBe(5n * WAD);
    expect(auctionPrice(1_000n * WAD, 200n, c)).toBe(0n);
    expect(auctionPrice(1_000n * WAD, 201n, c)).toBe(0n);
    // 1,000 wei at 1/3 of a step: 1,000 × (1 − 5/300) = 983.33 rounds down.
    expect(auctionPrice(1_000n, 1n, { curve: 'linear', cutBps: 500n, stepSeconds: 3n })).toBe(983n);
  });
});

describe('the stairstep curve', () => {
  it('is top × (1 − cut)^⌊elapsed / step⌋, never above it and less than a unit under it', () => {
    fc.assert(
      fc.property(top, cutBps, stepSeconds, fc.bigInt({ min: 1n, max: 50_000n }), (top, cutBps, stepSeconds, elapsed) => {
        const price = auctionPrice(top, elapsed, { curve: 'stairstep', cutBps, stepSeconds });
        const steps = elapsed / stepSeconds;
        const exact = floorOf(top * (BPS - cutBps) ** steps, BPS ** steps);
        expect(price <= exact).toBe(true);
        expect(price >= exact - 1n).toBe(true);
      }),
    );
  });

  it('is flat within a step and drops at its end: 10% every 10 s', () => {
    const c = { curve: 'stairstep' as const, cutBps: 1_000n, stepSeconds: 10n };
    expect(auctionPrice(1_000n * WAD, 1n, c)).toBe(1_000n * WAD);
    expect(auctionPrice(1_000n * WAD, 9n, c)).toBe(1_000n * WAD);
    expect(auctionPrice(1_000n * WAD, 10n, c)).toBe(900n * WAD);
    expect(auctionPrice(1_000n * WAD, 30n, c)).toBe(729n * WAD);
    expect(auctionPrice(1_000n * WAD, 70n, c)).toBe(478_296_900n * 10n ** 12n); // 1,000 × 0.9^7 = 478.2969
    // 999 wei after one step: 899.1 rounds down.
    expect(auctionPrice(999n, 10n, c)).toBe(899n);
  });
});

describe('the exponential curve', () => {
  it('loses cut / step of the price every second: within a unit of top × (1 − cut / step)^elapsed', () => {
    fc.assert(
      fc.property(top, cutBps, stepSeconds, fc.bigInt({ min: 1n, max: 3_000n }), (top, cutBps, stepSeconds, elapsed) => {
        const price = auctionPrice(top, elapsed, { curve: 'exponential', cutBps, stepSeconds });
        const exact = floorOf(top * (BPS * stepSeconds - cutBps) ** elapsed, (BPS * stepSeconds) ** elapsed);
        expect(price >= exact - 1n).toBe(true);
        expect(price <= exact + 1n).toBe(true);
      }),
    );
  });

  it('falls by about the cut per step: 5% every 10 s is 0.995^10 of the top after 10 s', () => {
    const c = { curve: 'exponential' as const, cutBps: 500n, stepSeconds: 10n };
    // 1,000 × 0.995^10 = 951.110130465771892558 59…, rounded down to WAD.
    expect(auctionPrice(1_000n * WAD, 10n, c)).toBe(951_110_130_465_771_892_558n);
    expect(auctionPrice(1_000n * WAD, 1n, c)).toBe(995n * WAD);
    expect(auctionPrice(1_000n * WAD, 2n, c)).toBe(990_025n * 10n ** 15n);
    expect(auctionPrice(1_000n, 1n, { curve: 'exponential', cutBps: 500n, stepSeconds: 3n })).toBe(983n); // 1,000 × (1 − 0.05 / 3) = 983.33…
  });
});

describe('every curve', () => {
  it('is the top at the start, and before it (a clock behind the start)', () => {
    for (const curve of AUCTION_CURVES) {
      for (const elapsed of [0n, -1n, -100n]) expect(auctionPrice(1_000n * WAD, elapsed, { curve, cutBps: 500n, stepSeconds: 10n })).toBe(1_000n * WAD);
    }
  });
});
