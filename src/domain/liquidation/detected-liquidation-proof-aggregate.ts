/**
 * The ledger's proof of a detection as an aggregate (stream `proof-<liquidationId>`): decided against
 * the liquidation the ledger detected under that id, whose every public signal the proof must state.
 */
import { LedgerAggregateSpec, read } from '../aggregate';
import { EventCodec, ledgerEventCodec } from '../events';
import {
  LiquidationProofCommand,
  LiquidationProofContext,
  liquidationProofDecider,
  LiquidationProofEvent,
  LiquidationProofState,
  liquidationProofStream,
} from './detected-liquidation-proof';

export const liquidationProofAggregate: LedgerAggregateSpec<LiquidationProofState, LiquidationProofCommand, LiquidationProofEvent, LiquidationProofContext> = {
  kind: 'proof',
  streamOf: liquidationProofStream,
  decider: liquidationProofDecider,
  codec: ledgerEventCodec as EventCodec<LiquidationProofEvent>,
  issue: (request) => request,
  *contextOf(_command, _state, { id }) {
    return { trigger: yield* read('detectedLiquidation', id) };
  },
  // The proof is verified in a batch apart; here, whether it states exactly the detected liquidation.
  commandOf: ([{ proof, publicSignals }]) => ({ type: 'ProveDetectedLiquidation', proof, publicSignals, proofVerified: true }),
};
