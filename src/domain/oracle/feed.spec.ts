import { loadCrypto, publicKeyOf, reportMessage, signMessage } from '../crypto/crypto';
import { WAD } from '../math/fixed-point';
import fc from 'fast-check';
import { FeedCommand, feedDecider, FeedEvent, FeedState, feedStream, priceAt, RECENT_ROUNDS, REPORT_NUMBER_LIMIT } from './feed';
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

describe('a round’s price, in numbers', () => {
  type Submit = Extract<FeedCommand, { type: 'SubmitPriceReport' }>;
  /** A report signed by oracle `o<n>`, of a price in wei (WAD), submitted at `now`. */
  const signed = (oracle: number, round: bigint, price: bigint, timestamp = NOW, now = NOW): Submit => ({
    type: 'SubmitPriceReport', oracle: `o${oracle}`, round, price, timestamp, signature: signMessage(keys[oracle], reportMessage(FEED, round, price, timestamp)), now,
  });
  /** A feed of quorum one with oracles o0 and o1. */
  const single = () =>
    run(
      feedDecider.initialState(),
      { type: 'RegisterFeed', feed: FEED, quorum: 1, heartbeatSeconds: 600, deviationLimitBps: 1000n, maxFutureSkewSeconds: 30 },
      ...[0, 1].map((n): FeedCommand => ({ type: 'RegisterOracleKey', oracle: `o${n}`, publicKey: publicKeyOf(keys[n]) })),
    ).state;
  const active = (state: FeedState) => {
    if (state.status !== 'active') throw new Error('not active');
    return state;
  };

  it('records the feed as registered, with no oracles, reports, rounds or pause', () => {
    const command: FeedCommand = { type: 'RegisterFeed', feed: FEED, quorum: 2, heartbeatSeconds: 60, deviationLimitBps: 500n, maxFutureSkewSeconds: 5 };
    const { state, events } = run(feedDecider.initialState(), command);
    expect(events).toStrictEqual([{ type: 'FeedRegistered', feed: FEED, quorum: 2, heartbeatSeconds: 60, deviationLimitBps: 500n, maxFutureSkewSeconds: 5 }]);
    expect(state).toStrictEqual({ status: 'active', feed: FEED, quorum: 2, heartbeatSeconds: 60, deviationLimitBps: 500n, maxFutureSkewSeconds: 5, oracles: {}, pending: {}, rounds: [], liquidationsPaused: false });
  });

  it('knows no feed that was not registered', () => {
    const absent = feedDecider.initialState();
    const notFound = { code: 'FEED_NOT_FOUND', message: 'no such feed' };
    expect(refusalOf(() => run(absent, { type: 'RegisterOracleKey', oracle: 'o0', publicKey: publicKeyOf(keys[0]) }))).toEqual(notFound);
    expect(refusalOf(() => run(absent, { type: 'RevokeOracleKey', oracle: 'o0' }))).toEqual(notFound);
    expect(refusalOf(() => run(absent, report(0, 1n, 2000n)))).toEqual(notFound);
    expect(refusalOf(() => feedDecider.evolve(absent, { type: 'OracleKeyRevoked', oracle: 'o0' }))).toEqual(notFound);
    expect(priceAt(absent, NOW)).toEqual({ status: 'none' });
  });

  it('keeps an oracle’s key when it is revoked, and when it reports', () => {
    const publicKey = publicKeyOf(keys[0]);
    expect(active(registered).oracles.o0).toStrictEqual({ publicKey, revoked: false, lastRound: -1n });
    const reported = run(registered, signed(0, 7n, 2000n * WAD));
    expect(reported.events).toStrictEqual([
      { type: 'PriceReportAccepted', oracle: 'o0', round: 7n, price: 2000n * WAD, timestamp: NOW, signature: (signed(0, 7n, 2000n * WAD) as Submit).signature, publicKey },
    ]);
    expect(active(reported.state).oracles.o0).toStrictEqual({ publicKey, revoked: false, lastRound: 7n });
    expect(active(run(reported.state, { type: 'RevokeOracleKey', oracle: 'o0' }).state).oracles.o0).toStrictEqual({ publicKey, revoked: true, lastRound: 7n });
  });

  it('refuses a report from an oracle it does not know or has revoked, saying which', () => {
    expect(refusalOf(() => run(registered, { ...signed(0, 1n, WAD), oracle: 'nobody' }))).toEqual({ code: 'UNKNOWN_ORACLE', message: 'oracle nobody is not registered on ETH-USD' });
    const revoked = run(registered, { type: 'RevokeOracleKey', oracle: 'o0' }).state;
    expect(refusalOf(() => run(revoked, signed(0, 1n, WAD)))).toEqual({ code: 'ORACLE_REVOKED', message: "oracle o0's key is revoked" });
    expect(refusalOf(() => run(registered, { ...signed(1, 1n, WAD), oracle: 'o0' }))).toEqual({ code: 'BAD_SIGNATURE', message: "the signature is not o0's over this report" });
  });

  it('takes a price of one wei up to 2^88 − 1, and refuses zero and 2^88 before looking at the signature', () => {
    expect(refusalOf(() => run(registered, signed(0, 1n, 1n)))).toBeUndefined();
    expect(refusalOf(() => run(registered, signed(0, 1n, (1n << 88n) - 1n)))).toBeUndefined();
    const invalid = { code: 'INVALID_PRICE', message: 'price must be positive and below 2^88 (WAD)' };
    expect(refusalOf(() => run(registered, signed(0, 1n, 0n)))).toEqual(invalid);
    expect(refusalOf(() => run(registered, signed(0, 1n, 1n << 88n)))).toEqual(invalid);
    // Signed over another price: the price is refused first, whatever the signature.
    expect(refusalOf(() => run(registered, { ...signed(0, 1n, WAD), price: -WAD }))).toEqual(invalid);
    expect(refusalOf(() => run(registered, { ...signed(0, 1n, WAD), price: 1n << 88n }))).toEqual(invalid);
  });

  it('takes rounds and timestamps from 0 to 2^64 − 1, and refuses any other before looking at the signature', () => {
    const top = REPORT_NUMBER_LIMIT - 1n;
    expect(REPORT_NUMBER_LIMIT).toBe(1n << 64n);
    expect(refusalOf(() => run(registered, signed(0, 0n, WAD)))).toBeUndefined();
    expect(refusalOf(() => run(registered, signed(0, top, WAD)))).toBeUndefined();
    expect(refusalOf(() => run(registered, signed(0, 1n, WAD, 0n, 0n)))).toBeUndefined();
    expect(refusalOf(() => run(registered, signed(0, 1n, WAD, top, top)))).toBeUndefined();
    const invalid = { code: 'INVALID_REPORT', message: 'round and timestamp must be in 0..2^64-1' };
    const valid = signed(0, 1n, WAD);
    expect(refusalOf(() => run(registered, { ...valid, round: -1n }))).toEqual(invalid);
    expect(refusalOf(() => run(registered, { ...valid, round: REPORT_NUMBER_LIMIT }))).toEqual(invalid);
    expect(refusalOf(() => run(registered, { ...valid, timestamp: -1n }))).toEqual(invalid);
    expect(refusalOf(() => run(registered, { ...valid, timestamp: REPORT_NUMBER_LIMIT, now: REPORT_NUMBER_LIMIT }))).toEqual(invalid);
  });

  it('takes a report up to the skew ahead and exactly a heartbeat old, and says why it refuses one beyond', () => {
    expect(refusalOf(() => run(registered, signed(0, 1n, WAD, NOW + 30n)))).toBeUndefined();
    expect(refusalOf(() => run(registered, signed(0, 1n, WAD, NOW - 600n)))).toBeUndefined();
    expect(refusalOf(() => run(registered, signed(0, 1n, WAD, NOW + 31n)))).toEqual({ code: 'FUTURE_REPORT', message: 'the report is timestamped in the future' });
    expect(refusalOf(() => run(registered, signed(0, 1n, WAD, NOW - 601n)))).toEqual({ code: 'STALE_REPORT', message: 'the report is older than the 600 s heartbeat' });
  });

  it('refuses a round the oracle has passed, saying its last', () => {
    const after = run(registered, signed(0, 5n, WAD)).state;
    const refusal = { code: 'ROUND_NOT_INCREASING', message: 'o0 already reported round 5; reports must be for later rounds', details: { lastRound: '5' } };
    expect(refusalOf(() => run(after, signed(0, 5n, WAD)))).toEqual(refusal);
    expect(refusalOf(() => run(after, signed(0, 4n, WAD)))).toEqual(refusal);
    expect(refusalOf(() => run(after, signed(0, 6n, WAD)))).toBeUndefined();
  });

  it('keeps the reports of rounds not yet priced, by round, and drops those at or before the priced round', () => {
    let state = run(registered, signed(3, 1n, 1500n * WAD), signed(3, 5n, 1600n * WAD), signed(0, 2n, 2000n * WAD), signed(1, 2n, 2100n * WAD)).state;
    const r = (oracle: number, round: bigint, whole: bigint) => {
      const { type: _t, now: _n, round: _r, ...kept } = signed(oracle, round, whole * WAD);
      return kept;
    };
    expect(active(state).pending).toStrictEqual({ '1': [r(3, 1n, 1500n)], '5': [r(3, 5n, 1600n)], '2': [r(0, 2n, 2000n), r(1, 2n, 2100n)] });
    const priced = run(state, signed(2, 2n, 1900n * WAD));
    expect(priced.events[1]).toStrictEqual({ type: 'PriceUpdated', round: 2n, price: 2000n * WAD, at: NOW, oracles: ['o0', 'o1', 'o2'] });
    state = priced.state;
    expect(active(state).pending).toStrictEqual({ '5': [r(3, 5n, 1600n)] });
    expect(active(state).rounds).toStrictEqual([{ round: 2n, price: 2000n * WAD, at: NOW, reports: [r(0, 2n, 2000n), r(1, 2n, 2100n), r(2, 2n, 1900n)] }]);
    expect(active(state).price).toStrictEqual({ value: 2000n * WAD, round: 2n, at: NOW });
  });

  it('accepts a report of the priced round or an earlier one without pricing it again, even when it alone is a quorum', () => {
    const priced = run(single(), signed(0, 2n, 2000n * WAD));
    expect(priced.events.map((e) => e.type)).toEqual(['PriceReportAccepted', 'PriceUpdated']);
    for (const round of [2n, 1n]) {
      const late = run(priced.state, signed(1, round, 3000n * WAD));
      expect(late.events.map((e) => e.type)).toEqual(['PriceReportAccepted']);
      expect(active(late.state).pending).toStrictEqual({});
      expect(active(late.state).price).toStrictEqual({ value: 2000n * WAD, round: 2n, at: NOW });
      expect(active(late.state).oracles.o1.lastRound).toBe(round);
    }
  });

  it('keeps the last 16 priced rounds, oldest first', () => {
    expect(RECENT_ROUNDS).toBe(16);
    let state = single();
    for (let round = 1n; round <= 17n; round++) state = run(state, signed(0, round, (2000n + round) * WAD)).state;
    expect(active(state).rounds.map((r) => r.round)).toEqual(Array.from({ length: 16 }, (_, i) => BigInt(i + 2)));
    expect(active(state).rounds[15].price).toBe(2017n * WAD);
  });

  it('leaves stale and revoked reports out of a quorum, counts one exactly a heartbeat old, and times the price by its oldest witness', () => {
    // o0 reported long ago (fresh then); o1..o3 report 601 s later: o0 is stale and left out.
    const early = NOW - 601n;
    const pendingStale = run(registered, signed(0, 1n, 9000n * WAD, early, early)).state;
    const two = run(pendingStale, signed(1, 1n, 2000n * WAD, NOW - 10n), signed(2, 1n, 2100n * WAD, NOW - 20n));
    expect(two.events.map((e) => e.type)).toEqual(['PriceReportAccepted']);
    const three = run(two.state, signed(3, 1n, 1900n * WAD, NOW - 5n));
    expect(three.events[1]).toStrictEqual({ type: 'PriceUpdated', round: 1n, price: 2000n * WAD, at: NOW - 20n, oracles: ['o1', 'o2', 'o3'] });
    expect(active(three.state).rounds[0].reports.map((r) => r.oracle)).toEqual(['o1', 'o2', 'o3']);

    // A report exactly a heartbeat old still counts, and is then the oldest.
    const edge = NOW - 600n;
    const atEdge = run(registered, signed(0, 1n, 9000n * WAD, edge, edge), signed(1, 1n, 2000n * WAD, NOW - 10n), signed(2, 1n, 2100n * WAD, NOW - 20n));
    expect(atEdge.events[1]).toStrictEqual({ type: 'PriceUpdated', round: 1n, price: 2100n * WAD, at: edge, oracles: ['o0', 'o1', 'o2'] });

    // A report whose oracle was revoked after it reported is left out too.
    const revoked = run(registered, signed(0, 1n, 9000n * WAD), { type: 'RevokeOracleKey', oracle: 'o0' }, signed(1, 1n, 2000n * WAD), signed(2, 1n, 2100n * WAD));
    expect(revoked.events.map((e) => e.type)).toEqual(['PriceReportAccepted']);
    const withThird = run(revoked.state, signed(3, 1n, 1900n * WAD));
    expect(withThird.events[1]).toMatchObject({ type: 'PriceUpdated', price: 2000n * WAD, oracles: ['o1', 'o2', 'o3'] });
  });

  it('prices a round at the median of its first quorum of fresh reports, timed by the oldest of them (a property)', () => {
    const offsets = fc.integer({ min: 0, max: 900 });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.record({ whole: fc.bigInt({ min: 1n, max: 100_000n }), offset: offsets, delay: fc.integer({ min: 0, max: 300 }) }), { minLength: 4, maxLength: 4 }),
        (quorum, reports) => {
          let state = run(
            feedDecider.initialState(),
            { type: 'RegisterFeed', feed: FEED, quorum, heartbeatSeconds: 600, deviationLimitBps: 1000n, maxFutureSkewSeconds: 30 },
            ...[0, 1, 2, 3].map((n): FeedCommand => ({ type: 'RegisterOracleKey', oracle: `o${n}`, publicKey: publicKeyOf(keys[n]) })),
          ).state;
          // Report i is timestamped `offset` before NOW and submitted `delay` after its timestamp, so it is fresh when submitted.
          const submitted = reports.map(({ whole, offset, delay }, i) => {
            const timestamp = NOW - BigInt(offset);
            return { i, price: whole * WAD, timestamp, now: timestamp + BigInt(Math.min(delay, 600)) };
          });
          let seen: typeof submitted = [];
          for (const s of submitted) {
            const { events, state: next } = run(state, signed(s.i, 1n, s.price, s.timestamp, s.now));
            state = next;
            seen = [...seen, s];
            const fresh = seen.filter((r) => s.now - r.timestamp <= 600n);
            const update = events.find((e) => e.type === 'PriceUpdated');
            if (fresh.length < quorum) {
              expect(update).toBeUndefined();
              continue;
            }
            const sorted = fresh.map((r) => r.price).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
            const oldest = fresh.map((r) => r.timestamp).reduce((a, b) => (b < a ? b : a));
            expect(update).toStrictEqual({ type: 'PriceUpdated', round: 1n, price: sorted[Math.floor((sorted.length - 1) / 2)], at: oldest, oracles: fresh.map((r) => `o${r.i}`) });
            return;
          }
        },
      ),
      { numRuns: 15 },
    );
  });

  it('pauses once on a jump, with both prices, stays paused on another jump, and resumes with the confirming price', () => {
    let state = run(single(), signed(0, 1n, 2000n * WAD)).state;
    const within = run(state, signed(0, 2n, 2200n * WAD)); // exactly +10%: within the limit
    expect(within.events.map((e) => e.type)).toEqual(['PriceReportAccepted', 'PriceUpdated']);
    const jump = run(within.state, signed(0, 3n, 2421n * WAD)); // just over +10% of 2200
    expect(jump.events[2]).toStrictEqual({ type: 'LiquidationsPaused', round: 3n, price: 2421n * WAD, previousPrice: 2200n * WAD });
    state = jump.state;
    expect(active(state).liquidationsPaused).toBe(true);
    const again = run(state, signed(0, 4n, 3000n * WAD)); // another jump while paused
    expect(again.events.map((e) => e.type)).toEqual(['PriceReportAccepted', 'PriceUpdated']);
    expect(active(again.state).liquidationsPaused).toBe(true);
    const confirm = run(again.state, signed(0, 5n, 2900n * WAD));
    expect(confirm.events[2]).toStrictEqual({ type: 'LiquidationsResumed', round: 5n, price: 2900n * WAD });
    expect(active(confirm.state).liquidationsPaused).toBe(false);
    expect(run(confirm.state, signed(0, 6n, 2950n * WAD)).events.map((e) => e.type)).toEqual(['PriceReportAccepted', 'PriceUpdated']);
  });

  it('calls a price fresh exactly a heartbeat after its oldest report, and stale a second later', () => {
    const { state } = run(single(), signed(0, 1n, 2000n * WAD, NOW - 100n));
    expect(priceAt(state, NOW + 500n)).toEqual({ status: 'fresh', value: 2000n * WAD, round: 1n });
    expect(priceAt(state, NOW + 501n)).toEqual({ status: 'stale' });
  });
});
