/**
 * An oracle feed (stream `oracle-<feed>`): the oracles' keys, their signed reports and the price they
 * set. A round's price is the median of a quorum of fresh reports. Rejected: reports from unknown or
 * revoked oracles, bad signatures, stale or future timestamps, and rounds an oracle has already passed
 * (replays). A price further than the deviation limit from the last pauses liquidations on the feed,
 * until a later round's quorum confirms it (its median is within the limit of the jumped price).
 */
import { Decider, DomainError } from '../decider';
import { EddsaSignature, isOraclePublicKey, OraclePublicKey, reportMessage, verifySignature } from '../crypto/crypto';
import { AMOUNT_BITS } from '../risk/liquidation-rule';
import { deviatesBeyond, medianPrice } from './median';

/**
 * Rounds and timestamps are below 2^64: far below the field order, so a signed round can never be
 * replayed as itself plus the order, where Poseidon would not tell them apart.
 */
export const REPORT_NUMBER_LIMIT = 1n << 64n;

export interface Oracle {
  publicKey: OraclePublicKey;
  revoked: boolean;
  /** The last round this oracle reported; its next report must be for a later one. */
  lastRound: bigint;
}

export interface Report {
  oracle: string;
  price: bigint;
  timestamp: bigint;
  signature: EddsaSignature;
}

/** A round that set the price, with the quorum's signed reports: what a liquidation proof may cite. */
export interface PricedRound {
  round: bigint;
  /** WAD, the quorum's median. */
  price: bigint;
  /** The oldest report timestamp of the quorum. */
  at: bigint;
  reports: Report[];
}

/**
 * Priced rounds a feed keeps, newest last. A liquidation proof cites one of them, and proving takes
 * about a second, so a few rounds back is plenty; a round older than the heartbeat is stale anyway.
 */
export const RECENT_ROUNDS = 16;

export interface FeedPrice {
  /** WAD: one whole collateral token in whole debt tokens. */
  value: bigint;
  round: bigint;
  /** The oldest report timestamp of the quorum: the price is as fresh as its stalest witness. */
  at: bigint;
}

export type FeedState =
  | { status: 'absent' }
  | {
      status: 'active';
      feed: string;
      quorum: number;
      heartbeatSeconds: number;
      deviationLimitBps: bigint;
      maxFutureSkewSeconds: number;
      oracles: Record<string, Oracle>;
      /** Reports of rounds after the priced one, by round. */
      pending: Record<string, Report[]>;
      price?: FeedPrice;
      /** The last RECENT_ROUNDS priced rounds, oldest first. */
      rounds: PricedRound[];
      liquidationsPaused: boolean;
    };

export type FeedCommand =
  | { type: 'RegisterFeed'; feed: string; quorum: number; heartbeatSeconds: number; deviationLimitBps: bigint; maxFutureSkewSeconds: number }
  | { type: 'RegisterOracleKey'; oracle: string; publicKey: OraclePublicKey }
  | { type: 'RevokeOracleKey'; oracle: string }
  | { type: 'SubmitPriceReport'; oracle: string; round: bigint; price: bigint; timestamp: bigint; signature: EddsaSignature; now: bigint };

export type FeedEvent =
  | { type: 'FeedRegistered'; feed: string; quorum: number; heartbeatSeconds: number; deviationLimitBps: bigint; maxFutureSkewSeconds: number }
  | { type: 'OracleKeyRegistered'; oracle: string; publicKey: OraclePublicKey }
  | { type: 'OracleKeyRevoked'; oracle: string }
  | { type: 'PriceReportAccepted'; oracle: string; round: bigint; price: bigint; timestamp: bigint; signature: EddsaSignature; publicKey: OraclePublicKey }
  | { type: 'PriceUpdated'; round: bigint; price: bigint; at: bigint; oracles: string[] }
  | { type: 'LiquidationsPaused'; round: bigint; price: bigint; previousPrice: bigint }
  | { type: 'LiquidationsResumed'; round: bigint; price: bigint };

export const feedStream = (feed: string) => `oracle-${feed}`;

type ActiveFeed = Extract<FeedState, { status: 'active' }>;

export const feedDecider: Decider<FeedState, FeedCommand, FeedEvent, void> = {
  initialState: () => ({ status: 'absent' }),

  decide(command, state) {
    switch (command.type) {
      case 'RegisterFeed': {
        if (state.status !== 'absent') throw new DomainError('FEED_EXISTS', `feed ${command.feed} already exists`);
        if (command.quorum < 1) throw new DomainError('INVALID_PARAMETERS', 'quorum must be at least 1', { parameter: 'quorum' });
        if (command.heartbeatSeconds < 1) throw new DomainError('INVALID_PARAMETERS', 'heartbeat must be at least a second', { parameter: 'heartbeatSeconds' });
        if (command.deviationLimitBps < 1n) throw new DomainError('INVALID_PARAMETERS', 'deviation limit must be positive', { parameter: 'deviationLimitBps' });
        const { type: _, ...feed } = command;
        return [{ type: 'FeedRegistered', ...feed }];
      }
      case 'RegisterOracleKey': {
        const feed = activeFeed(state);
        if (feed.oracles[command.oracle]) throw new DomainError('ORACLE_EXISTS', `oracle ${command.oracle} is already registered on ${feed.feed}`);
        if (!isOraclePublicKey(command.publicKey)) throw new DomainError('INVALID_PUBLIC_KEY', 'the public key is not a point of Baby Jubjub');
        return [{ type: 'OracleKeyRegistered', oracle: command.oracle, publicKey: command.publicKey }];
      }
      case 'RevokeOracleKey': {
        const feed = activeFeed(state);
        const oracle = feed.oracles[command.oracle];
        if (!oracle) throw new DomainError('UNKNOWN_ORACLE', `oracle ${command.oracle} is not registered on ${feed.feed}`);
        if (oracle.revoked) return [];
        return [{ type: 'OracleKeyRevoked', oracle: command.oracle }];
      }
      case 'SubmitPriceReport':
        return submitReport(activeFeed(state), command);
    }
  },

  evolve(state, event) {
    if (event.type === 'FeedRegistered') {
      const { type: _, ...feed } = event;
      return { status: 'active', ...feed, oracles: {}, pending: {}, rounds: [], liquidationsPaused: false };
    }
    const feed = activeFeed(state);
    switch (event.type) {
      case 'OracleKeyRegistered':
        return { ...feed, oracles: { ...feed.oracles, [event.oracle]: { publicKey: event.publicKey, revoked: false, lastRound: -1n } } };
      case 'OracleKeyRevoked':
        return { ...feed, oracles: { ...feed.oracles, [event.oracle]: { ...feed.oracles[event.oracle], revoked: true } } };
      case 'PriceReportAccepted': {
        const oracles = { ...feed.oracles, [event.oracle]: { ...feed.oracles[event.oracle], lastRound: event.round } };
        if (feed.price && event.round <= feed.price.round) return { ...feed, oracles };
        const key = event.round.toString();
        const report: Report = { oracle: event.oracle, price: event.price, timestamp: event.timestamp, signature: event.signature };
        return { ...feed, oracles, pending: { ...feed.pending, [key]: [...(feed.pending[key] ?? []), report] } };
      }
      case 'PriceUpdated': {
        // Rounds at or before the priced one can no longer set the price.
        const pending = Object.fromEntries(Object.entries(feed.pending).filter(([round]) => BigInt(round) > event.round));
        // Stryker disable next-line ArrayDeclaration: never reached, a PriceUpdated always following the PriceReportAccepted that made its round pending.
        const quorum = (feed.pending[event.round.toString()] ?? []).filter((r) => event.oracles.includes(r.oracle));
        const rounds = [...feed.rounds, { round: event.round, price: event.price, at: event.at, reports: quorum }].slice(-RECENT_ROUNDS);
        return { ...feed, pending, rounds, price: { value: event.price, round: event.round, at: event.at } };
      }
      case 'LiquidationsPaused':
        return { ...feed, liquidationsPaused: true };
      case 'LiquidationsResumed':
        return { ...feed, liquidationsPaused: false };
    }
  },
};

function submitReport(feed: ActiveFeed, c: Extract<FeedCommand, { type: 'SubmitPriceReport' }>): FeedEvent[] {
  const oracle = feed.oracles[c.oracle];
  if (!oracle) throw new DomainError('UNKNOWN_ORACLE', `oracle ${c.oracle} is not registered on ${feed.feed}`);
  if (oracle.revoked) throw new DomainError('ORACLE_REVOKED', `oracle ${c.oracle}'s key is revoked`);
  if (c.price <= 0n || c.price >= 1n << AMOUNT_BITS) throw new DomainError('INVALID_PRICE', 'price must be positive and below 2^88 (WAD)');
  if (!withinReportNumbers(c.round) || !withinReportNumbers(c.timestamp)) throw new DomainError('INVALID_REPORT', 'round and timestamp must be in 0..2^64-1');
  if (!verifySignature(reportMessage(feed.feed, c.round, c.price, c.timestamp), c.signature, oracle.publicKey)) {
    throw new DomainError('BAD_SIGNATURE', `the signature is not ${c.oracle}'s over this report`);
  }
  if (c.timestamp > c.now + BigInt(feed.maxFutureSkewSeconds)) throw new DomainError('FUTURE_REPORT', 'the report is timestamped in the future');
  if (c.now - c.timestamp > BigInt(feed.heartbeatSeconds)) throw new DomainError('STALE_REPORT', `the report is older than the ${feed.heartbeatSeconds} s heartbeat`);
  if (c.round <= oracle.lastRound) {
    throw new DomainError('ROUND_NOT_INCREASING', `${c.oracle} already reported round ${oracle.lastRound}; reports must be for later rounds`, {
      lastRound: oracle.lastRound.toString(),
    });
  }
  const accepted: FeedEvent = { type: 'PriceReportAccepted', oracle: c.oracle, round: c.round, price: c.price, timestamp: c.timestamp, signature: c.signature, publicKey: oracle.publicKey };
  if (feed.price && c.round <= feed.price.round) return [accepted];

  // Does this report complete a quorum of fresh reports for its round?
  const fresh = [...(feed.pending[c.round.toString()] ?? []), { oracle: c.oracle, price: c.price, timestamp: c.timestamp, signature: c.signature }].filter(
    // Stryker disable next-line OptionalChaining: every pending report's oracle is registered (reports are accepted only from registered oracles, and none is ever removed).
    (r) => c.now - r.timestamp <= BigInt(feed.heartbeatSeconds) && !feed.oracles[r.oracle]?.revoked,
  );
  if (fresh.length < feed.quorum) return [accepted];
  const price = medianPrice(fresh.map((r) => r.price));
  // Stryker disable next-line EqualityOperator: r.timestamp <= oldest is equivalent, an equal timestamp being the same oldest.
  const at = fresh.reduce((oldest, r) => (r.timestamp < oldest ? r.timestamp : oldest), fresh[0].timestamp);
  const updated: FeedEvent = { type: 'PriceUpdated', round: c.round, price, at, oracles: fresh.map((r) => r.oracle) };
  const previous = feed.price?.value;
  if (previous !== undefined && deviatesBeyond(previous, price, feed.deviationLimitBps)) {
    return feed.liquidationsPaused ? [accepted, updated] : [accepted, updated, { type: 'LiquidationsPaused', round: c.round, price, previousPrice: previous }];
  }
  if (feed.liquidationsPaused) return [accepted, updated, { type: 'LiquidationsResumed', round: c.round, price }];
  return [accepted, updated];
}

const withinReportNumbers = (n: bigint) => n >= 0n && n < REPORT_NUMBER_LIMIT;

export function activeFeed(state: FeedState): ActiveFeed {
  if (state.status !== 'active') throw new DomainError('FEED_NOT_FOUND', 'no such feed');
  return state;
}

/** The feed's price as positions may use it at `now`: fresh, stale, or none yet. */
export type PriceView = { status: 'fresh'; value: bigint; round: bigint } | { status: 'stale' } | { status: 'none' };

export function priceAt(state: FeedState, now: bigint): PriceView {
  if (state.status !== 'active' || !state.price) return { status: 'none' };
  if (now - state.price.at > BigInt(state.heartbeatSeconds)) return { status: 'stale' };
  return { status: 'fresh', value: state.price.value, round: state.price.round };
}
