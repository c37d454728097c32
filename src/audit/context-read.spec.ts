/**
 * A command is decided again on what its decision read. The live ledger reads another stream (a pool,
 * a feed, a position) a moment before its append lands, and that stream may move in between: a draw
 * decided at a price of 2,000 lands after the price fell to 1,000. Its events record the revision they
 * were decided on (`decidedOn`), and the audit decides them again on exactly that, not on the history
 * as it stands at the append; a revision the history has not reached, or one too far back, is a finding.
 */
import { loadCrypto } from '../domain/crypto/crypto';
import { LedgerEvent } from '../domain/events';
import { RAY, WAD } from '../domain/math/fixed-point';
import { priceAt } from '../domain/oracle/feed';
import { DEFAULT_AUCTION, PoolParameters } from '../domain/pool/pool';
import { PositionCommand, positionDecider } from '../domain/position/position';
import { LedgerReplay } from './ledger-replay';

const T0 = 1_800_000_000n;
const USDC = 10n ** 6n;
const parameters: PoolParameters = {
  maxLtvBps: 7_500n, liquidationThresholdBps: 8_250n, liquidationPenaltyBps: 500n, liquidatorBonusBps: 300n, protocolFeeBps: 1_000n,
  closeFactorBps: 5_000n, fullCloseHealthFactor: (95n * WAD) / 100n, dustLimit: 10n * USDC, liquidationCollateralCap: 10n ** 24n, stabilityFeeYearly: 0n,
  auction: DEFAULT_AUCTION,
};

beforeAll(() => loadCrypto());

/** Records commands with each stream's revisions counted as the store counts them. */
class History {
  readonly replay = new LedgerReplay();
  private readonly revisions = new Map<string, bigint>();
  private seq = 0;

  record(stream: string, events: LedgerEvent[], options: { check?: boolean; decidedOn?: Record<string, string> } = {}): void {
    const commandId = `c${++this.seq}`;
    const first = (this.revisions.get(stream) ?? -1n) + 1n;
    this.revisions.set(stream, first + BigInt(events.length) - 1n);
    const replayed = events.map((event, i) => ({ stream, revision: first + BigInt(i), position: BigInt(this.seq * 10 + i), id: `${commandId}-${i}`, event }));
    this.replay.apply({ stream, commandId, now: T0 + BigInt(this.seq), decidedOn: options.decidedOn, events: replayed }, options.check ?? true);
  }

  revision(stream: string): string {
    return (this.revisions.get(stream) ?? -1n).toString();
  }

  /** What the position's rules decide now, on the history as it stands. */
  decide(command: PositionCommand): LedgerEvent[] {
    const pool = this.replay.pools.get('p')!;
    const feed = this.replay.feeds.get('F')!;
    const now = T0 + BigInt(this.seq + 1);
    return positionDecider.decide(command, this.replay.positions.get('x') ?? { status: 'absent' }, { pool, feed, price: priceAt(feed, now), now });
  }

  price(round: bigint, price: bigint): void {
    // The feed's own commands (signed reports) are not what this spec checks: they are only folded.
    this.record('oracle-F', [{ type: 'PriceUpdated', round, price, at: T0 + BigInt(this.seq + 1), oracles: [] }], { check: false });
  }
}

/** A pool on feed F at 2,000, and a position holding 1 WETH: it may draw up to 1,500 USDC. */
function withCollateral(): History {
  const h = new History();
  h.record('pool-p', [{ type: 'PoolCreated', poolId: 'p', collateral: { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'USDC', decimals: 6 }, feed: 'F', parameters, ratePerSecond: RAY, at: T0 + 1n }]);
  h.record('oracle-F', [{ type: 'FeedRegistered', feed: 'F', quorum: 1, heartbeatSeconds: 3_600, deviationLimitBps: 5_000n, maxFutureSkewSeconds: 30 }], { check: false });
  h.price(1n, 2_000n * WAD);
  h.record('position-x', h.decide({ type: 'OpenPosition', positionId: 'x', poolId: 'p', owner: 'o', salt: 11n }));
  h.record('position-x', h.decide({ type: 'DepositCollateral', amount: WAD, salt: 12n, by: 'o' }));
  return h;
}

describe('deciding a command again on what it read', () => {
  it('holds a draw decided at 2,000 that lands after the price fell to 1,000, on the revision it records', () => {
    const h = withCollateral();
    const readAt = h.revision('oracle-F');
    const draw = h.decide({ type: 'DrawDebt', amount: 1_400n * USDC, salt: 13n, by: 'o' });
    h.price(2n, 1_000n * WAD);
    h.record('position-x', draw, { decidedOn: { 'oracle-F': readAt, 'pool-p': h.revision('pool-p') } });
    expect(h.replay.findings).toEqual([]);
  });

  it('without that record decides it on the history at the append, where the draw is above max LTV', () => {
    const h = withCollateral();
    const draw = h.decide({ type: 'DrawDebt', amount: 1_400n * USDC, salt: 13n, by: 'o' });
    h.price(2n, 1_000n * WAD);
    h.record('position-x', draw);
    expect(h.replay.findings.map((f) => f.message)).toEqual([expect.stringContaining('LTV_EXCEEDED')]);
  });

  it('finds a decision that claims to have read a revision the history reaches only later', () => {
    const h = withCollateral();
    h.price(2n, 1_000n * WAD);
    const draw = h.decide({ type: 'DrawDebt', amount: 700n * USDC, salt: 13n, by: 'o' });
    h.record('position-x', draw, { decidedOn: { 'oracle-F': '7' } });
    expect(h.replay.findings).toEqual([expect.objectContaining({ code: 'CONTEXT_NOT_IN_HISTORY', message: expect.stringContaining('oracle-F@7, which the history reaches only later') })]);
  });

  it('finds a decision that claims a read too far back for the moment before its append', () => {
    const h = withCollateral();
    const readAt = h.revision('oracle-F');
    const draw = h.decide({ type: 'DrawDebt', amount: 1_400n * USDC, salt: 13n, by: 'o' });
    // Prices enough to push the state it read out of what the audit keeps of recent reads.
    for (let round = 2n; round < 2_200n; round++) h.price(round, 1_000n * WAD);
    h.record('position-x', draw, { decidedOn: { 'oracle-F': readAt } });
    // It is then decided on the history as it stands, which refuses it too.
    expect(h.replay.findings.map((f) => f.code)).toEqual(['CONTEXT_NOT_IN_HISTORY', 'RULE_BROKEN']);
    expect(h.replay.findings[0].message).toContain(`oracle-F@${readAt}, too far back`);
  });
});
