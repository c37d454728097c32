/**
 * A small market for end-to-end tests, built the way users build it, over HTTP: a feed with three
 * oracles (quorum two), a WETH/USDC pool, and positions; prices are published by the oracles' signed
 * reports.
 */
import { generateOracleKey, OracleKeyPair, signReport } from '../../src/oracle/report-signing';
import { Actor, RunningLedger } from './ledger-app';

export const FEED = 'ETH-USD';
export const POOL = 'weth-usdc';
export const HEARTBEAT = 3600;

export const POOL_PARAMETERS = {
  maxLtvBps: 7500,
  liquidationThresholdBps: 8250,
  liquidationPenaltyBps: 500,
  liquidatorBonusBps: 300,
  protocolFeeBps: 1000,
  closeFactorBps: 5000,
  fullCloseHealthFactor: '0.95',
  dustLimit: '10',
  liquidationCollateralCap: '1000',
  stabilityFeeYearly: '0.05',
};

/** An oracle's signing key, and (once the market is open) the principal it reports as. */
export type Oracle = OracleKeyPair & { name: string; actor?: Actor };

/** The borrower who owns the positions `borrow` opens unless told otherwise. */
export const BORROWER = 'borrower-1';

export class Market {
  private seq = 0;
  readonly oracles: Record<'a' | 'b' | 'c', Oracle>;
  /** Principals, registered by `open`: the development admin and the default borrower. */
  admin!: Actor;
  borrower!: Actor;

  /** `ledger` may be swapped for the same ledger restarted: the market's oracles stay registered there. */
  constructor(public ledger: RunningLedger) {
    this.oracles = { a: oracle('oracle-a'), b: oracle('oracle-b'), c: oracle('oracle-c') };
  }

  id(prefix: string): string {
    return `${prefix}-${++this.seq}`;
  }

  /** Calls the API as `as` (the admin unless told) and expects success. */
  async ok(method: string, route: string, body?: unknown, as: Actor = this.admin): Promise<any> {
    const res = await this.ledger.as(as)(method, route, body);
    if (res.status >= 300) throw new Error(`${method} ${route} answered ${res.status}: ${res.text}`);
    return res.body;
  }

  /** Feed (quorum 2 of the three oracles unless told, deviation limit 50%), first price, pool. */
  async open(price: string, quorum = 2): Promise<void> {
    this.admin = this.ledger.admin;
    this.borrower = await this.ledger.principal(BORROWER, 'borrower');
    for (const o of Object.values(this.oracles)) o.actor = await this.ledger.principal(o.name, 'oracle', [FEED]);
    await this.ok('POST', '/feeds', { commandId: this.id('feed'), feed: FEED, quorum, heartbeatSeconds: HEARTBEAT, deviationLimitBps: 5000, maxFutureSkewSeconds: 30 });
    for (const o of Object.values(this.oracles)) await this.ok('POST', `/feeds/${FEED}/oracles`, { commandId: this.id('key'), oracle: o.name, publicKey: o.publicKey });
    await this.publish(1n, quorum === 2 ? price : Array<string>(quorum).fill(price));
    await this.ok('POST', '/pools', { commandId: this.id('pool'), poolId: POOL, collateral: { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'USDC', decimals: 6 }, feed: FEED, parameters: POOL_PARAMETERS });
  }

  /**
   * Oracles report the round: a and b at `price` (a quorum of two), or a, b, c... each at its own
   * price of `prices`. The quorum's median sets the price.
   */
  async publish(round: bigint, price: string | string[]): Promise<any> {
    const prices = typeof price === 'string' ? [price, price] : price;
    const oracles = [this.oracles.a, this.oracles.b, this.oracles.c];
    let last;
    for (const [i, p] of prices.entries()) {
      const o = oracles[i];
      last = await this.ok('POST', `/feeds/${FEED}/reports`, { commandId: this.id('report'), oracle: o.name, ...signReport(o.privateKey, FEED, round, p, BigInt(Math.floor(Date.now() / 1000))) }, o.actor);
    }
    return last;
  }

  /** Opens a position (in POOL, for the default borrower, unless told), deposits collateral and draws debt (whole tokens); answers the last receipt. */
  async borrow(positionId: string, collateral: string, debt: string, poolId = POOL, as: Actor = this.borrower): Promise<any> {
    await this.ok('POST', '/positions', { commandId: this.id('open'), positionId, poolId }, as);
    await this.ok('POST', `/positions/${positionId}/collateral/deposit`, { commandId: this.id('deposit'), amount: collateral }, as);
    return this.ok('POST', `/positions/${positionId}/debt/draw`, { commandId: this.id('draw'), amount: debt }, as);
  }
}

function oracle(name: string): Oracle {
  return { name, ...generateOracleKey() };
}
