/**
 * Every domain event as it is stored: a type, a schema version and a JSON body in which bigints are
 * decimal strings (JSON numbers would lose precision). Old schema versions are upcast here, on read,
 * never rewritten in the store: add the new version's upcaster to UPCASTERS and bump its version.
 */
import { FeedEvent } from './oracle/feed';
import { PoolEvent } from './pool/pool';
import { PositionEvent } from './position/position';
import { AuctionEvent } from './auction/auction';
import { AmmEvent } from './amm/amm';
import { LiquidationProofEvent } from './liquidation/detected-liquidation-proof';
import { GlobalLiquidationCapEvent } from './liquidation/global-liquidation-cap';

export type LedgerEvent = PoolEvent | PositionEvent | FeedEvent | AuctionEvent | AmmEvent | LiquidationProofEvent | GlobalLiquidationCapEvent;

/** The streams ledger events live in, by name prefix: what checkpoints cover and what the liquidation engine follows. */
export const LEDGER_STREAM_PREFIXES = ['pool-', 'oracle-', 'position-', 'auction-', 'amm-', 'proof-', 'settings-'];

/** A domain event as stored: its type, the schema version of its body, and the JSON body. */
export interface StoredShape {
  type: string;
  schemaVersion: number;
  data: Record<string, unknown>;
}

export interface EventCodec<Event> {
  encode(event: Event): StoredShape;
  /** Decodes an event of any past schema version, upcasting it to the current one. */
  decode(type: string, schemaVersion: number, data: Record<string, unknown>): Event;
}
export type LedgerEventType = LedgerEvent['type'];

/** Current schema version of each event type. */
export const SCHEMA_VERSIONS: Record<LedgerEventType, number> = {
  PoolCreated: 1,
  InterestAccrued: 1,
  PoolParametersChanged: 1,
  PositionOpened: 1,
  CollateralDeposited: 1,
  CollateralWithdrawn: 1,
  DebtDrawn: 1,
  DebtRepaid: 1,
  PositionClosed: 1,
  LiquidationTriggered: 3,
  LiquidationSettled: 1,
  LiquidationAccounted: 1,
  LiquidationReserved: 1,
  PoolLiquidationsPaused: 1,
  PoolLiquidationsResumed: 1,
  AuctionStarted: 1,
  CollateralTaken: 1,
  AuctionReset: 1,
  AuctionSettled: 1,
  SoldToMarket: 1,
  BidPlaced: 1,
  BidRefunded: 1,
  AuctionWon: 1,
  LiquidityAdded: 1,
  CollateralSwapped: 1,
  FeedRegistered: 1,
  OracleKeyRegistered: 1,
  OracleKeyRevoked: 1,
  PriceReportAccepted: 1,
  PriceUpdated: 1,
  LiquidationsPaused: 1,
  LiquidationsResumed: 1,
  LiquidationProven: 1,
  GlobalLiquidationCapSet: 1,
  // Predictive risk engine (src/domain/pool/risk-adjustment.ts).
  RiskEngineConfigured: 1,
  RiskParametersProposed: 1,
  RiskParametersApplied: 1,
};

/**
 * Fields that hold bigints, wherever they appear in an event body. Only a string of digits becomes
 * one: `collateral` and `debt` are objects (the assets) in PoolCreated and amounts in LiquidityAdded.
 */
const BIGINT_FIELDS = new Set([
  'amount', 'collateral', 'debt', 'scaledDebt', 'salt', 'commitment', 'nullifier', 'borrowIndex', 'collateralReturned',
  'index', 'ratePerSecond', 'at', 'price', 'previousPrice', 'round', 'timestamp', 'x', 'y', 'r8x', 'r8y', 's',
  'maxLtvBps', 'liquidationThresholdBps', 'liquidationPenaltyBps', 'liquidatorBonusBps', 'protocolFeeBps',
  'closeFactorBps', 'fullCloseHealthFactor', 'dustLimit', 'liquidationCollateralCap', 'stabilityFeeYearly', 'deviationLimitBps',
  'cutBps', 'stepSeconds', 'collateralSold', 'debtRepaid', 'badDebt', 'reserveIn', 'keeperRewards', 'coveredByReserve', 'socialized', 'reserve',
  'keeperReward', 'top', 'collateralUnit', 'debtUnit', 'debtToCover', 'penalty', 'tab', 'lot', 'paid', 'sold', 'raised', 'collateralLeft',
  'shortfall', 'penaltyPaid', 'liquidatorBonus', 'protocolFee', 'asked', 'maxPrice',
  'bidIncrementBps', 'biddingSeconds', 'extendSeconds', 'deadline',
  'collateralIn', 'debtOut', 'priceBefore', 'slippageBps', 'reserveCollateral', 'reserveDebt', 'bufferBps', 'resetAfterSeconds', 'resetBelowBps', 'keeperTip', 'keeperChipBps',
  // Predictive risk engine (src/domain/pool/risk-adjustment.ts).
  'confidenceBps', 'minMaxLtvBps', 'maxMaxLtvBps', 'minThresholdBps', 'maxThresholdBps', 'maxStepBps', 'noticeSeconds', 'observationSeconds', 'detectionSeconds',
  'effectiveAt', 'horizonSeconds',
  // The global liquidation cap (src/domain/liquidation/global-liquidation-cap.ts).
  'cap',
]);

/** Upcasters by event type: from version v (the key) to v + 1. */
export const UPCASTERS: Partial<Record<LedgerEventType, Record<number, (data: Record<string, unknown>) => Record<string, unknown>>>> = {
  // v1 knew one cause only, a liquidator's proof; v2 adds the ledger's own detection.
  LiquidationTriggered: {
    1: (data) => ({ by: 'proof', ...data }),
    // v3: a proof cites the round's accepted price (a public signal), no longer one oracle's report.
    // A v2 proof named that oracle and has no price to give: it stays priceless, and the audit fails it.
    2: ({ oracle: _, ...data }) => data,
  },
};

/** A stored event the ledger cannot read: an unknown type or schema version, or a body that breaks its types. */
export class UnknownEventError extends Error {}

export const ledgerEventCodec: EventCodec<LedgerEvent> = {
  encode(event: LedgerEvent): StoredShape {
    const { type, ...body } = event;
    return { type, schemaVersion: SCHEMA_VERSIONS[type], data: toJson(body) as Record<string, unknown> };
  },

  decode(type: string, schemaVersion: number, data: Record<string, unknown>): LedgerEvent {
    if (!(type in SCHEMA_VERSIONS)) throw new UnknownEventError(`unknown event type ${type}`);
    if (!data || typeof data !== 'object' || Array.isArray(data)) throw new UnknownEventError(`${type} has no body`);
    const t = type as LedgerEventType;
    let body = data;
    for (let v = schemaVersion; v < SCHEMA_VERSIONS[t]; v++) {
      const upcast = UPCASTERS[t]?.[v];
      if (!upcast) throw new UnknownEventError(`no upcaster for ${type} v${v}`);
      body = upcast(body);
    }
    return { type: t, ...(fromJson(body) as object) } as LedgerEvent;
  },
};

export function isLedgerEventType(type: string): type is LedgerEventType {
  return type in SCHEMA_VERSIONS;
}

/** A ledger stream's kind (`pool`, `oracle`, `position`, `auction`, `amm`, `proof`, `settings`) and the id after its dash. */
export function ledgerStreamOf(stream: string): { kind: string; id: string } {
  const dash = stream.indexOf('-');
  return dash < 0 ? { kind: stream, id: '' } : { kind: stream.slice(0, dash), id: stream.slice(dash + 1) };
}

/** Whether an event is one of the ledger's: a ledger type in a ledger stream (public projection streams reuse some type names). */
export function isLedgerEvent(e: { stream: string; type: string }): boolean {
  return isLedgerEventType(e.type) && isLedgerStream(e.stream);
}

/** Whether a stream is one of the ledger's, whatever its events' types (another writer may put any there). */
export function isLedgerStream(stream: string): boolean {
  return LEDGER_STREAM_PREFIXES.some((prefix) => stream.startsWith(prefix));
}

function toJson(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(toJson);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  return value;
}

function fromJson(value: unknown, key?: string): unknown {
  if (typeof value === 'string' && key !== undefined && BIGINT_FIELDS.has(key)) {
    // Anything else where a number belongs was not written by the ledger, and would reach arithmetic and SQL.
    if (!/^-?[0-9]+$/.test(value)) throw new UnknownEventError(`${key} is not an integer: ${JSON.stringify(value.slice(0, 40))}`);
    return BigInt(value);
  }
  if (Array.isArray(value)) return value.map((v) => fromJson(v));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromJson(v, k)]));
  return value;
}
