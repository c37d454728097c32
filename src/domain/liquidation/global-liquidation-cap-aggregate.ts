/** The global liquidation cap as an aggregate (stream `settings-liquidation-cap`): set by an admin, decided on its own. */
import { LedgerAggregateSpec, DistributiveOmit, nothingRead } from '../aggregate';
import { EventCodec, ledgerEventCodec } from '../events';
import { GLOBAL_LIQUIDATION_CAP_STREAM, GlobalLiquidationCapCommand, globalLiquidationCapDecider, GlobalLiquidationCapEvent, GlobalLiquidationCapState } from './global-liquidation-cap';

export type GlobalLiquidationCapRequest = DistributiveOmit<GlobalLiquidationCapCommand, 'now'>;

/** The settings stream's id: there is one global cap. */
export const GLOBAL_LIQUIDATION_CAP_ID = GLOBAL_LIQUIDATION_CAP_STREAM.slice('settings-'.length);

export const globalLiquidationCapAggregate: LedgerAggregateSpec<GlobalLiquidationCapState, GlobalLiquidationCapCommand, GlobalLiquidationCapEvent, undefined, GlobalLiquidationCapRequest> = {
  kind: 'settings',
  streamOf: (id) => `settings-${id}`,
  decider: globalLiquidationCapDecider,
  codec: ledgerEventCodec as EventCodec<GlobalLiquidationCapEvent>,
  issue: (request, { now }) => ({ ...request, now }),
  contextOf: nothingRead,
  commandOf: ([first], now) => ({ type: 'SetGlobalLiquidationCap', ...(first.cap !== undefined ? { cap: first.cap } : {}), now }),
};
