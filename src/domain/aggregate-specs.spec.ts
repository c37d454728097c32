/**
 * Each aggregate's spec, in worked examples: the command its recorded events came from (what the
 * auditor decides again, field by field), the command a request becomes with what the ledger supplies,
 * and what its decisions read, in order.
 */
import { ContextLookup, contextFrom } from './aggregate';
import { DomainError } from './decider';
import { loadCrypto } from './crypto/crypto';
import { refusalOf } from './testing';
import { parsePublicSignals, PUBLIC_SIGNAL_NAMES } from './liquidation/public-signals';
import { ammAggregate } from './amm/amm-aggregate';
import { auctionAggregate } from './auction/auction-aggregate';
import { liquidationProofAggregate } from './liquidation/detected-liquidation-proof-aggregate';
import { GLOBAL_LIQUIDATION_CAP_ID, globalLiquidationCapAggregate } from './liquidation/global-liquidation-cap-aggregate';
import { GLOBAL_LIQUIDATION_CAP_STREAM } from './liquidation/global-liquidation-cap';
import { feedAggregate } from './oracle/feed-aggregate';
import { poolAggregate } from './pool/pool-aggregate';
import { principalAggregate } from './access/principal-aggregate';
import { positionAggregate } from './position/position-aggregate';
import BTree from 'sorted-btree';
import type { ActivePool } from './pool/pool-state';

const NOW = 1_700_000_000n;
const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return err instanceof DomainError ? err.code : `not a refusal: ${(err as Error).message}`;
  }
  return undefined;
};

/** A lookup that records each read and answers from `answers`. */
function recording(answers: Partial<Record<keyof ContextLookup, unknown>>) {
  const asked: string[] = [];
  const lookup = Object.fromEntries(
    (['pool', 'feed', 'position', 'globalLiquidationCap', 'activePools', 'acceptedPrices', 'detectedLiquidation'] as const).map((name) => [
      name,
      (...args: unknown[]) => (asked.push([name, ...args].join(' ')), answers[name]),
    ]),
  ) as unknown as ContextLookup;
  return { asked, lookup };
}

describe('the pool', () => {
  const pool = { status: 'active', poolId: 'p', feed: 'ETH-USD', debt: { symbol: 'USDC', decimals: 6 }, reservations: new BTree([['b', { tab: 1_000_000n }]]) } as unknown as ActivePool;
  const other = { status: 'active', poolId: 'q', feed: 'BTC-USD', debt: { symbol: 'USDC', decimals: 6 }, reservations: new BTree([['a', { tab: 5_000_000n }]]) } as unknown as ActivePool;

  it('turns each recorded command back into its command', () => {
    const created = { type: 'PoolCreated', poolId: 'p', collateral: { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'USDC', decimals: 6 }, feed: 'ETH-USD', parameters: { maxLtvBps: 7_500n }, ratePerSecond: 1n, at: NOW } as never;
    expect(poolAggregate.commandOf([created], NOW)).toEqual({ type: 'CreatePool', poolId: 'p', collateral: { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'USDC', decimals: 6 }, feed: 'ETH-USD', parameters: { maxLtvBps: 7_500n }, now: NOW });
    const accrued = { type: 'InterestAccrued', index: 2n, at: NOW } as never;
    const changed = { type: 'PoolParametersChanged', changes: { maxLtvBps: 7_000n }, parameters: {}, ratePerSecond: 1n, at: NOW } as never;
    expect(poolAggregate.commandOf([accrued], NOW)).toEqual({ type: 'AccrueInterest', now: NOW });
    expect(poolAggregate.commandOf([accrued, changed], NOW)).toEqual({ type: 'ChangePoolParameters', changes: { maxLtvBps: 7_000n }, now: NOW });
    expect(poolAggregate.commandOf([changed], NOW)).toEqual({ type: 'ChangePoolParameters', changes: { maxLtvBps: 7_000n }, now: NOW });
    expect(poolAggregate.commandOf([{ type: 'LiquidationAccounted', auctionId: 'a', reserveIn: 1n, keeperRewards: 2n, badDebt: 3n, coveredByReserve: 0n, socialized: 0n, reserve: 0n }], NOW)).toEqual({
      type: 'AccountLiquidation', auctionId: 'a', reserveIn: 1n, keeperRewards: 2n, badDebt: 3n, now: NOW,
    });
    expect(poolAggregate.commandOf([{ type: 'LiquidationReserved', auctionId: 'a', positionId: 'x', round: 7n, at: NOW } as never], NOW)).toEqual({ type: 'ReserveLiquidation', auctionId: 'a', positionId: 'x', round: 7n, now: NOW });
    expect(poolAggregate.commandOf([{ type: 'PoolLiquidationsPaused', at: NOW }], NOW)).toEqual({ type: 'PauseLiquidations', now: NOW });
    expect(poolAggregate.commandOf([{ type: 'PoolLiquidationsResumed', at: NOW }], NOW)).toEqual({ type: 'ResumeLiquidations', now: NOW });
    expect(poolAggregate.commandOf([{ type: 'RiskEngineConfigured', settings: { mode: 'auto' } } as never], NOW)).toEqual({ type: 'ConfigureRiskEngine', settings: { mode: 'auto' }, now: NOW });
    expect(poolAggregate.commandOf([{ type: 'RiskParametersProposed', proposalId: 'r', round: 4n } as never], NOW)).toEqual({ type: 'ProposeRiskParameters', proposalId: 'r', round: 4n, now: NOW });
    expect(poolAggregate.commandOf([{ type: 'RiskParametersApplied', proposalId: 'r' } as never], NOW)).toEqual({ type: 'ApplyRiskParameters', proposalId: 'r', now: NOW });
  });

  it('stamps ledger time on a request', () => {
    expect(poolAggregate.issue({ type: 'PauseLiquidations' }, { now: NOW, salt: () => 5n })).toEqual({ type: 'PauseLiquidations', now: NOW });
  });

  it('decides a reservation on the position, the feed, the cap and every other active pool; without a cap, on no other pool', () => {
    const reserve = { type: 'ReserveLiquidation', auctionId: 'a2', positionId: 'x', round: 7n, now: NOW } as const;
    const capped = recording({ position: { status: 'open' }, feed: { status: 'absent' }, globalLiquidationCap: { cap: 10n ** 30n }, activePools: [pool, other] });
    const context = contextFrom(poolAggregate.contextOf(reserve, pool, { id: 'p', now: NOW }), capped.lookup);
    expect(capped.asked).toEqual(['position x', 'feed ETH-USD', 'globalLiquidationCap', 'activePools']);
    // This pool's 1 USDC counted once, as the command sees it (not again from the list of every pool), and the other's 5, in 18 decimals.
    expect(context).toEqual({ position: { status: 'open' }, feed: { status: 'absent' }, global: { cap: 10n ** 30n, debtUnderAuction: 6n * 10n ** 18n } });
    const uncapped = recording({ position: { status: 'open' }, feed: { status: 'absent' }, globalLiquidationCap: {} });
    expect(contextFrom(poolAggregate.contextOf(reserve, pool, { id: 'p', now: NOW }), uncapped.lookup)).toEqual({ position: { status: 'open' }, feed: { status: 'absent' }, global: undefined });
    expect(uncapped.asked).not.toContain('activePools');
  });

  it("decides a risk proposal on its feed's accepted prices, and nothing else on anything beyond the pool", () => {
    const prices = [{ round: 1n, price: 2n }];
    const proposal = recording({ acceptedPrices: prices });
    expect(contextFrom(poolAggregate.contextOf({ type: 'ProposeRiskParameters', proposalId: 'r', round: 1n, now: NOW }, pool, { id: 'p', now: NOW }), proposal.lookup)).toEqual({ prices });
    expect(proposal.asked).toEqual(['acceptedPrices ETH-USD']);
    const none = recording({});
    expect(contextFrom(poolAggregate.contextOf({ type: 'ApplyRiskParameters', proposalId: 'r', now: NOW }, pool, { id: 'p', now: NOW }), none.lookup)).toBeUndefined();
    expect(contextFrom(poolAggregate.contextOf({ type: 'ProposeRiskParameters', proposalId: 'r', round: 1n, now: NOW }, { status: 'absent' }, { id: 'p', now: NOW }), none.lookup)).toBeUndefined();
    expect(none.asked).toEqual([]);
  });
});

describe('the auction', () => {
  const running = { status: 'running', poolId: 'p', positionId: 'x' } as never;

  it('turns each recorded command back into its command', () => {
    expect(auctionAggregate.commandOf([{ type: 'AuctionStarted', auctionId: 'a', positionId: 'x', keeper: 'k' } as never], NOW)).toEqual({ type: 'StartAuction', auctionId: 'a', positionId: 'x', keeper: 'k' });
    expect(auctionAggregate.commandOf([{ type: 'AuctionStarted', auctionId: 'a', positionId: 'x' } as never], NOW)).toStrictEqual({ type: 'StartAuction', auctionId: 'a', positionId: 'x' });
    expect(auctionAggregate.commandOf([{ type: 'CollateralTaken', taker: 't', asked: 3n, maxPrice: 4n } as never], NOW)).toEqual({ type: 'TakeCollateral', taker: 't', collateral: 3n, maxPrice: 4n });
    expect(auctionAggregate.commandOf([{ type: 'AuctionReset', keeper: 'k', round: 9n } as never], NOW)).toEqual({ type: 'ResetAuction', keeper: 'k', round: 9n });
    expect(auctionAggregate.commandOf([{ type: 'SoldToMarket', collateral: 1n, paid: 2n, price: 3n, at: NOW }], NOW)).toEqual({ type: 'SellToMarket', collateral: 1n, paid: 2n, price: 3n });
    const placed = { type: 'BidPlaced', bidder: 'b', amount: 8n, deadline: NOW, at: NOW } as const;
    expect(auctionAggregate.commandOf([placed], NOW)).toEqual({ type: 'PlaceBid', bidder: 'b', amount: 8n });
    expect(auctionAggregate.commandOf([{ type: 'BidRefunded', bidder: 'c', amount: 7n }, placed], NOW)).toEqual({ type: 'PlaceBid', bidder: 'b', amount: 8n });
    expect(auctionAggregate.commandOf([{ type: 'AuctionWon' } as never], NOW)).toEqual({ type: 'CloseAuction' });
  });

  it('refuses events no command appends: a refund alone, a settlement first', () => {
    expect(refusalOf(() => auctionAggregate.commandOf([{ type: 'BidRefunded', bidder: 'c', amount: 7n }], NOW))).toEqual({ code: 'RESULT_DIFFERS', message: 'a refund without the bid that caused it' });
    expect(refusalOf(() => auctionAggregate.commandOf([{ type: 'AuctionSettled' } as never], NOW))).toEqual({ code: 'RESULT_DIFFERS', message: 'AuctionSettled only ever follows the take that settles the auction' });
  });

  it("decides a start on the position, then its pool and the pool's feed; later commands on the auction's pool", () => {
    const start = recording({ position: { status: 'open', poolId: 'p' }, pool: { status: 'active', feed: 'ETH-USD' }, feed: { status: 'absent' } });
    const context = contextFrom(auctionAggregate.contextOf({ type: 'StartAuction', auctionId: 'a', positionId: 'x' }, { status: 'absent' }, { id: 'a', now: NOW }), start.lookup);
    expect(start.asked).toEqual(['position x', 'pool p', 'feed ETH-USD']);
    expect(context).toEqual({ position: { status: 'open', poolId: 'p' }, pool: { status: 'active', feed: 'ETH-USD' }, feed: { status: 'absent' }, now: NOW });
    const take = recording({ pool: { status: 'absent' } });
    expect(contextFrom(auctionAggregate.contextOf({ type: 'CloseAuction' }, running, { id: 'a', now: NOW }), take.lookup)).toEqual({ position: { status: 'absent' }, pool: { status: 'absent' }, feed: { status: 'absent' }, now: NOW });
    expect(take.asked).toEqual(['pool p']);
    const nothing = recording({ position: { status: 'absent' } });
    expect(contextFrom(auctionAggregate.contextOf({ type: 'StartAuction', auctionId: 'a', positionId: 'y' }, { status: 'absent' }, { id: 'a', now: NOW }), nothing.lookup)).toMatchObject({ pool: { status: 'absent' } });
    expect(nothing.asked).toEqual(['position y']);
  });
});

describe('the feed, the market, the cap, the proof and a principal', () => {
  it('turn recorded events back into their commands', () => {
    const registered = { type: 'FeedRegistered', feed: 'F', quorum: 2, heartbeatSeconds: 60, deviationLimitBps: 500n, maxFutureSkewSeconds: 30 } as const;
    expect(feedAggregate.commandOf([registered], NOW)).toEqual({ type: 'RegisterFeed', feed: 'F', quorum: 2, heartbeatSeconds: 60, deviationLimitBps: 500n, maxFutureSkewSeconds: 30 });
    expect(feedAggregate.commandOf([{ type: 'OracleKeyRegistered', oracle: 'o', publicKey: { x: 1n, y: 2n } }], NOW)).toEqual({ type: 'RegisterOracleKey', oracle: 'o', publicKey: { x: 1n, y: 2n } });
    expect(feedAggregate.commandOf([{ type: 'OracleKeyRevoked', oracle: 'o' }], NOW)).toEqual({ type: 'RevokeOracleKey', oracle: 'o' });
    const signature = { r8x: 1n, r8y: 2n, s: 3n };
    expect(feedAggregate.commandOf([{ type: 'PriceReportAccepted', oracle: 'o', round: 1n, price: 5n, timestamp: 6n, signature, publicKey: { x: 1n, y: 2n } } as never], NOW)).toEqual({
      type: 'SubmitPriceReport', oracle: 'o', round: 1n, price: 5n, timestamp: 6n, signature, now: NOW,
    });
    expect(refusalOf(() => feedAggregate.commandOf([{ type: 'PriceUpdated' } as never], NOW))).toEqual({ code: 'RESULT_DIFFERS', message: 'PriceUpdated is not the first event of any feed command' });
    expect(ammAggregate.commandOf([{ type: 'LiquidityAdded', poolId: 'p', collateralUnit: 1n, debtUnit: 2n, collateral: 3n, debt: 4n } as never], NOW)).toEqual({
      type: 'AddLiquidity', poolId: 'p', collateralUnit: 1n, debtUnit: 2n, collateral: 3n, debt: 4n,
    });
    expect(ammAggregate.commandOf([{ type: 'CollateralSwapped', auctionId: 'a', collateralIn: 3n, debtOut: 4n } as never], NOW)).toEqual({ type: 'SwapCollateral', auctionId: 'a', collateral: 3n, wanted: 4n });
    expect(globalLiquidationCapAggregate.commandOf([{ type: 'GlobalLiquidationCapSet', cap: 9n, at: NOW }], NOW)).toEqual({ type: 'SetGlobalLiquidationCap', cap: 9n, now: NOW });
    expect(globalLiquidationCapAggregate.commandOf([{ type: 'GlobalLiquidationCapSet', at: NOW }], NOW)).toStrictEqual({ type: 'SetGlobalLiquidationCap', now: NOW });
    expect(liquidationProofAggregate.commandOf([{ type: 'LiquidationProven', proof: { pi: 1 }, publicSignals: ['1'] } as never], NOW)).toEqual({ type: 'ProveDetectedLiquidation', proof: { pi: 1 }, publicSignals: ['1'], proofVerified: true });
  });

  it('issue commands with ledger time where theirs carry it', () => {
    const report = { type: 'SubmitPriceReport', oracle: 'o', round: 1n, price: 5n, timestamp: 6n, signature: { r8x: 1n, r8y: 2n, s: 3n } } as const;
    expect(feedAggregate.issue(report, { now: NOW, salt: () => 1n })).toEqual({ ...report, now: NOW });
    expect(feedAggregate.issue({ type: 'RevokeOracleKey', oracle: 'o' }, { now: NOW, salt: () => 1n })).toStrictEqual({ type: 'RevokeOracleKey', oracle: 'o' });
    expect(globalLiquidationCapAggregate.issue({ type: 'SetGlobalLiquidationCap' }, { now: NOW, salt: () => 1n })).toEqual({ type: 'SetGlobalLiquidationCap', now: NOW });
    expect(principalAggregate(undefined).issue({ type: 'RevokeApiKey', keyId: 'k' }, { now: NOW, salt: () => 1n })).toEqual({ type: 'RevokeApiKey', keyId: 'k', now: NOW });
  });

  it('name their streams', () => {
    expect(globalLiquidationCapAggregate.streamOf(GLOBAL_LIQUIDATION_CAP_ID)).toBe(GLOBAL_LIQUIDATION_CAP_STREAM);
    expect(principalAggregate(undefined).streamOf('alice')).toBe('principal-alice');
    expect(principalAggregate(undefined).kind).toBe('principal');
  });

  it('a proof is decided on the liquidation the ledger detected under its id', () => {
    const trigger = { liquidationId: 'x.3' };
    const proof = recording({ detectedLiquidation: trigger });
    expect(contextFrom(liquidationProofAggregate.contextOf({ type: 'ProveDetectedLiquidation', proof: {}, publicSignals: [], proofVerified: true }, { status: 'absent' }, { id: 'x.3', now: NOW }), proof.lookup)).toEqual({ trigger });
    expect(proof.asked).toEqual(['detectedLiquidation x.3']);
  });

  it("a principal's stream starts from what the legacy registry recorded of it", () => {
    const legacy = { principals: new Map([['alice', { id: 'alice', role: 'admin' as const, feeds: [] }]]), keys: new Map() };
    expect(principalAggregate(legacy).decider.initialState()).toBe(legacy);
    expect(principalAggregate(undefined).decider.initialState()).toEqual({ principals: new Map(), keys: new Map() });
  });
});

describe('the position', () => {
  beforeAll(loadCrypto);
  const committed = { salt: 11n, commitment: 12n, collateral: 13n, scaledDebt: 14n };

  it('turns each recorded event back into its command, with the salt it was decided with', () => {
    const cases: [Record<string, unknown>, Record<string, unknown>][] = [
      [{ type: 'PositionOpened', positionId: 'x', poolId: 'p', owner: 'o' }, { type: 'OpenPosition', positionId: 'x', poolId: 'p', owner: 'o', salt: 11n }],
      [{ type: 'CollateralDeposited', amount: 5n }, { type: 'DepositCollateral', amount: 5n, salt: 11n }],
      [{ type: 'CollateralWithdrawn', amount: 5n }, { type: 'WithdrawCollateral', amount: 5n, salt: 11n }],
      [{ type: 'DebtDrawn', amount: 5n, borrowIndex: 1n }, { type: 'DrawDebt', amount: 5n, salt: 11n }],
      [{ type: 'DebtRepaid', amount: 5n, borrowIndex: 1n }, { type: 'RepayDebt', amount: 5n, salt: 11n }],
      [{ type: 'PositionClosed', collateralReturned: 5n }, { type: 'ClosePosition', salt: 11n }],
      [{ type: 'LiquidationSettled', auctionId: 'a', collateralSold: 3n, debtRepaid: 4n, badDebt: 0n, borrowIndex: 1n }, { type: 'SettleLiquidation', auctionId: 'a', collateralSold: 3n, debtRepaid: 4n, salt: 11n }],
      [{ type: 'LiquidationTriggered', positionId: 'x', poolId: 'p', feed: 'F', round: 6n, by: 'detection', price: 1n, borrowIndex: 1n }, { type: 'DetectLiquidation', round: 6n, salt: 11n }],
    ];
    for (const [event, command] of cases) expect(positionAggregate.commandOf([{ ...committed, ...event } as never], NOW)).toStrictEqual(command);
  });

  it("refuses what no position command appends: two events at once, a proof of the retired circuit, signals that do not parse", () => {
    const drawn = { ...committed, type: 'DebtDrawn', amount: 5n, borrowIndex: 1n } as never;
    expect(refusalOf(() => positionAggregate.commandOf([drawn, drawn], NOW))).toEqual({ code: 'RESULT_DIFFERS', message: 'a position command appends one event, not 2' });
    const proven = { ...committed, type: 'LiquidationTriggered', positionId: 'x', poolId: 'p', feed: 'F', round: 6n, by: 'proof', liquidator: 'l', nullifier: 1n, proof: {}, publicSignals: ['1'] };
    expect(refusalOf(() => positionAggregate.commandOf([proven as never], NOW))).toEqual({
      code: 'PRICE_NOT_ROUND_PRICE',
      message: "the proof is of the retired circuit, which binds one oracle's report, not the round's accepted price",
    });
    expect(refusal(() => positionAggregate.commandOf([{ ...proven, price: 2n } as never], NOW))).toBe('INVALID_PUBLIC_SIGNALS');
  });

  it("a liquidator's proof, verified in a batch apart, is decided again on whether its public signals are the ledger's", () => {
    const publicSignals = PUBLIC_SIGNAL_NAMES.map((_, i) => String(i + 1));
    const proven = { ...committed, type: 'LiquidationTriggered', positionId: 'x', poolId: 'p', feed: 'F', round: 6n, by: 'proof', liquidator: 'l', price: 2n, nullifier: 1n, proof: { pi: 1 }, publicSignals };
    expect(positionAggregate.commandOf([proven as never], NOW)).toStrictEqual({
      type: 'TriggerLiquidation', liquidator: 'l', proof: { pi: 1 }, publicSignals, signals: parsePublicSignals(publicSignals), proofVerified: true, salt: 11n,
    });
  });

  it('draws its salt from what the ledger supplies', () => {
    expect(positionAggregate.issue({ type: 'ClosePosition' } as never, { now: NOW, salt: () => 77n })).toEqual({ type: 'ClosePosition', salt: 77n });
  });
});
