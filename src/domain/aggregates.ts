/**
 * The ledger's aggregates, one spec each, by stream kind (a stream's name up to its first dash). The
 * live command path, the auditor's replay and the live feed all find an aggregate here; a new one is
 * a spec in its domain folder and a row in this table.
 */
import { AnyLedgerAggregateSpec } from './aggregate';
import { ammAggregate } from './amm/amm-aggregate';
import { auctionAggregate } from './auction/auction-aggregate';
import { liquidationProofAggregate } from './liquidation/detected-liquidation-proof-aggregate';
import { globalLiquidationCapAggregate } from './liquidation/global-liquidation-cap-aggregate';
import { feedAggregate } from './oracle/feed-aggregate';
import { poolAggregate } from './pool/pool-aggregate';
import { positionAggregate } from './position/position-aggregate';

export const AGGREGATES: ReadonlyMap<string, AnyLedgerAggregateSpec> = new Map<string, AnyLedgerAggregateSpec>(
  [poolAggregate, feedAggregate, positionAggregate, auctionAggregate, ammAggregate, liquidationProofAggregate, globalLiquidationCapAggregate].map((spec) => [spec.kind, spec]),
);

/** The aggregate a stream belongs to, and its id in it; undefined for a stream that is no aggregate's. */
export function aggregateOfStream(stream: string): { spec: AnyLedgerAggregateSpec; id: string } | undefined {
  const dash = stream.indexOf('-');
  // Stryker disable next-line EqualityOperator: `dash >= 0` is equivalent: a name starting with a dash looks up the kind '', which is none.
  const spec = dash > 0 ? AGGREGATES.get(stream.slice(0, dash)) : undefined;
  return spec && { spec, id: stream.slice(dash + 1) };
}
