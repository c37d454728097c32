/** The oracle feed as an aggregate (stream `oracle-<feed>`): decided on the feed alone, at ledger time. */
import { LedgerAggregateSpec, DistributiveOmit, nothingRead } from '../aggregate';
import { DomainError } from '../decider';
import { EventCodec, ledgerEventCodec } from '../events';
import { FeedCommand, feedDecider, FeedEvent, FeedState, feedStream } from './feed';

export type FeedRequest = DistributiveOmit<FeedCommand, 'now'>;

export const feedAggregate: LedgerAggregateSpec<FeedState, FeedCommand, FeedEvent, void, FeedRequest> = {
  kind: 'oracle',
  streamOf: feedStream,
  decider: feedDecider,
  codec: ledgerEventCodec as EventCodec<FeedEvent>,
  issue: (request, { now }) => (request.type === 'SubmitPriceReport' ? { ...request, now } : request),
  contextOf: nothingRead,
  commandOf: feedCommandOf,
};

function feedCommandOf(events: readonly FeedEvent[], now: bigint): FeedCommand {
  const [first] = events;
  switch (first.type) {
    case 'FeedRegistered': {
      const { type: _, ...feed } = first;
      return { type: 'RegisterFeed', ...feed };
    }
    case 'OracleKeyRegistered':
      return { type: 'RegisterOracleKey', oracle: first.oracle, publicKey: first.publicKey };
    case 'OracleKeyRevoked':
      return { type: 'RevokeOracleKey', oracle: first.oracle };
    case 'PriceReportAccepted':
      return { type: 'SubmitPriceReport', oracle: first.oracle, round: first.round, price: first.price, timestamp: first.timestamp, signature: first.signature, now };
    default:
      // PriceUpdated and pauses only ever follow an accepted report in the same command.
      throw new DomainError('RESULT_DIFFERS', `${first.type} is not the first event of any feed command`);
  }
}
