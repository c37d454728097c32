/** The pool's market as an aggregate (stream `amm-<poolId>`): a constant-product market decided on its own reserves. */
import { LedgerAggregateSpec, nothingRead } from '../aggregate';
import { EventCodec, ledgerEventCodec } from '../events';
import { AmmCommand, ammDecider, AmmEvent, AmmState, ammStream } from './amm';

export const ammAggregate: LedgerAggregateSpec<AmmState, AmmCommand, AmmEvent, void> = {
  kind: 'amm',
  streamOf: ammStream,
  decider: ammDecider,
  codec: ledgerEventCodec as EventCodec<AmmEvent>,
  issue: (request) => request,
  contextOf: nothingRead,
  commandOf: ([first]) =>
    first.type === 'LiquidityAdded'
      ? { type: 'AddLiquidity', poolId: first.poolId, collateralUnit: first.collateralUnit, debtUnit: first.debtUnit, collateral: first.collateral, debt: first.debt }
      : { type: 'SwapCollateral', auctionId: first.auctionId, collateral: first.collateralIn, wanted: first.debtOut },
};
