import { loadCrypto, publicKeyOf, reportMessage, signMessage } from '../crypto/crypto';
import { WAD } from '../math/fixed-point';
import { FeedCommand, feedDecider, FeedEvent, FeedState, feedStream, priceAt } from './feed';
import { medianPrice } from './median';
import { refusalCode, refusalOf } from '../testing';

const FEED = 'ETH-USD';
const NOW = 1_800_000_000n;
const keys = [1, 2, 3, 4].map((n) => new Uint8Array(32).fill(n));

/** Runs commands through decide and evolve, as the command path does, returning the last events. */
function run(state: FeedState, ...commands: FeedCommand[]): { state: FeedState; events: FeedEvent[] } {
  let events: FeedEvent[] = [];
  for (const c of commands) {
    events = feedDecider.decide(c, state, undefined);
    state = events.reduce(feedDecider.evolve, state);
  }
  return { state, events };
}

function report(oracle: number, round: bigint, whole: bigint, timestamp = NOW): FeedCommand {
  const price = whole * WAD;
  return { type: 'SubmitPriceReport', oracle: `o${oracle}`, round, price, timestamp, signature: signMessage(keys[oracle], reportMessage(FEED, round, price, timestamp)), now: NOW };
}

let registered: FeedState;
beforeAll(async () => {
  await loadCrypto();
  registered = run(
    feedDecider.initialState(),
    { type: 'RegisterFeed', feed: FEED, quorum: 3, heartbeatSeconds: 600, deviationLimitBps: 1000n, maxFutureSkewSeconds: 30 },
    ...[0, 1, 2, 3].map((n): FeedCommand => ({ type: 'RegisterOracleKey', oracle: `o${n}`, publicKey: publicKeyOf(keys[n]) })),
  ).state;
});

describe('oracle feed', () => {
  it('takes the median of a quorum of fresh reports, and the lower middle for an even count', () => {
    expect(medianPrice([5n, 1n, 3n])).toBe(3n);
    expect(medianPrice([4n, 1n, 3n, 2n])).toBe(2n);
    const { state, events } = run(registered, report(0, 1n, 2000n), report(1, 1n, 2100n), report(2, 1n, 1900n));
    expect(events.map((e) => e.type)).toEqual(['PriceReportAccepted', 'PriceUpdated']);
    expect(priceAt(state, NOW)).toEqual({ status: 'fresh', value: 2000n * WAD, round: 1n });
  });

  it('sets no price before the quorum is reached', () => {
    const { state, events } = run(registered, report(0, 1n, 2000n), report(1, 1n, 2000n));
    expect(events.map((e) => e.type)).toEqual(['PriceReportAccepted']);
    expect(priceAt(state, NOW)).toEqual({ status: 'none' });
  });

  it('refuses unknown and revoked oracles, bad signatures, stale and future reports, and replayed rounds', () => {
    const unknown = { ...(report(0, 1n, 2000n) as Extract<FeedCommand, { type: 'SubmitPriceReport' }>), oracle: 'nobody' };
    expect(refusalCode(() => run(registered, unknown))).toBe('UNKNOWN_ORACLE');
    const revoked = run(registered, { type: 'RevokeOracleKey', oracle: 'o0' }).state;
    expect(refusalCode(() => run(revoked, report(0, 1n, 2000n)))).toBe('ORACLE_REVOKED');
    const signedByAnother = { ...(report(1, 1n, 2000n) as Extract<FeedCommand, { type: 'SubmitPriceReport' }>), oracle: 'o0' };
    expect(refusalCode(() => run(registered, signedByAnother))).toBe('BAD_SIGNATURE');
    const tampered = { ...(report(0, 1n, 2000n) as Extract<FeedCommand, { type: 'SubmitPriceReport' }>), price: 2001n * WAD };
    expect(refusalCode(() => run(registered, tampered))).toBe('BAD_SIGNATURE');
    expect(refusalCode(() => run(registered, report(0, 1n, 2000n, NOW - 601n)))).toBe('STALE_REPORT');
    expect(refusalCode(() => run(registered, report(0, 1n, 2000n, NOW + 31n)))).toBe('FUTURE_REPORT');
    const after = run(registered, report(0, 5n, 2000n)).state;
    expect(refusalCode(() => run(after, report(0, 5n, 2000n)))).toBe('ROUND_NOT_INCREASING');
    expect(refusalCode(() => run(after, report(0, 4n, 2000n)))).toBe('ROUND_NOT_INCREASING');
  });

  it('pauses liquidations on a jump beyond the deviation limit and resumes when a later quorum confirms it', () => {
    let { state } = run(registered, report(0, 1n, 2000n), report(1, 1n, 2000n), report(2, 1n, 2000n));
    const jump = run(state, report(0, 2n, 2300n), report(1, 2n, 2300n), report(2, 2n, 2300n)); // +15% > 10%
    expect(jump.events.map((e) => e.type)).toEqual(['PriceReportAccepted', 'PriceUpdated', 'LiquidationsPaused']);
    state = jump.state;
    const confirm = run(state, report(0, 3n, 2310n), report(1, 3n, 2310n), report(2, 3n, 2310n));
    expect(confirm.events.map((e) => e.type)).toEqual(['PriceReportAccepted', 'PriceUpdated', 'LiquidationsResumed']);
  });

  it('calls a price stale once its oldest report is older than the heartbeat', () => {
    const { state } = run(registered, report(0, 1n, 2000n, NOW - 100n), report(1, 1n, 2000n), report(2, 1n, 2000n));
    expect(priceAt(state, NOW + 499n).status).toBe('fresh');
    expect(priceAt(state, NOW + 501n).status).toBe('stale');
  });
});

describe('registering a feed and its oracles', () => {
  const register = (changes: Partial<Extract<FeedCommand, { type: 'RegisterFeed' }>> = {}): FeedCommand => ({
    type: 'RegisterFeed', feed: FEED, quorum: 3, heartbeatSeconds: 600, deviationLimitBps: 1000n, maxFutureSkewSeconds: 30, ...changes,
  });

  it('lives on the stream oracle-<feed>', () => {
    expect(feedStream(FEED)).toBe('oracle-ETH-USD');
  });

  it('needs a quorum of one or more, a heartbeat of a second or more and a positive deviation limit', () => {
    const absent = feedDecider.initialState();
    expect(refusalOf(() => run(absent, register({ quorum: 1, heartbeatSeconds: 1, deviationLimitBps: 1n })))).toBeUndefined();
    expect(refusalOf(() => run(absent, register({ quorum: 0 })))).toEqual({ code: 'INVALID_PARAMETERS', message: 'quorum must be at least 1', details: { parameter: 'quorum' } });
    expect(refusalOf(() => run(absent, register({ heartbeatSeconds: 0 })))).toEqual({ code: 'INVALID_PARAMETERS', message: 'heartbeat must be at least a second', details: { parameter: 'heartbeatSeconds' } });
    expect(refusalOf(() => run(absent, register({ deviationLimitBps: 0n })))).toEqual({ code: 'INVALID_PARAMETERS', message: 'deviation limit must be positive', details: { parameter: 'deviationLimitBps' } });
    expect(refusalOf(() => run(registered, register()))).toEqual({ code: 'FEED_EXISTS', message: 'feed ETH-USD already exists' });
  });

  it('refuses an oracle registered twice, a key off the curve, and revoking an oracle it does not know; revoking twice records nothing', () => {
    expect(refusalOf(() => run(registered, { type: 'RegisterOracleKey', oracle: 'o0', publicKey: publicKeyOf(keys[0]) }))).toEqual({ code: 'ORACLE_EXISTS', message: 'oracle o0 is already registered on ETH-USD' });
    const offCurve = { ...publicKeyOf(keys[0]), y: publicKeyOf(keys[0]).y + 1n };
    expect(refusalOf(() => run(registered, { type: 'RegisterOracleKey', oracle: 'o9', publicKey: offCurve }))).toEqual({ code: 'INVALID_PUBLIC_KEY', message: 'the public key is not a point of Baby Jubjub' });
    expect(refusalOf(() => run(registered, { type: 'RevokeOracleKey', oracle: 'o9' }))).toEqual({ code: 'UNKNOWN_ORACLE', message: 'oracle o9 is not registered on ETH-USD' });
    const revoked = run(registered, { type: 'RevokeOracleKey', oracle: 'o0' });
    expect(revoked.events).toEqual([{ type: 'OracleKeyRevoked', oracle: 'o0' }]);
    expect(run(revoked.state, { type: 'RevokeOracleKey', oracle: 'o0' }).events).toEqual([]);
  });
});
