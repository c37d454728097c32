/** The crash summary's bad-debt row adds up: covered by the reserve + socialized + not yet accounted; unpaid incentives apart. */
import { HistoryEvent } from '../audit/history';
import { LedgerEvent, ledgerEventCodec } from '../domain/events';
import { summarizeCrash } from './crash-summary';

let seq = 0n;
function stored(stream: string, event: Partial<LedgerEvent> & { type: LedgerEvent['type'] }): HistoryEvent {
  const { type, schemaVersion, data } = ledgerEventCodec.encode(event as LedgerEvent);
  seq++;
  return { stream, revision: seq, position: seq, prepare: seq, id: `e${seq}`, type, data, metadata: { schemaVersion }, created: new Date(Number(seq) * 1000).toISOString() };
}

const usdc = (n: bigint) => n * 10n ** 6n;

describe('the crash summary', () => {
  it('splits bad debt into what the reserve covered, what lenders bore and what is not yet accounted, and keeps unpaid incentives apart', () => {
    const history = [
      stored('position-a', { type: 'PositionOpened', positionId: 'a', poolId: 'p' }),
      stored('position-b', { type: 'PositionOpened', positionId: 'b', poolId: 'p' }),
      stored('position-a', { type: 'LiquidationSettled', auctionId: 'a.3', debtRepaid: usdc(900n), badDebt: usdc(100n) }),
      stored('position-b', { type: 'LiquidationSettled', auctionId: 'b.3', debtRepaid: usdc(500n), badDebt: usdc(40n) }),
      // a's 100 of bad debt: 30 from the reserve, 70 socialized, with 5 of keeper incentives the reserve could not pay.
      stored('pool-p', { type: 'LiquidationAccounted', auctionId: 'a.3', reserveIn: 0n, keeperRewards: usdc(5n), badDebt: usdc(100n), coveredByReserve: usdc(30n), socialized: usdc(75n), reserve: 0n }),
      // b's settlement is not accounted yet when the history ends.
    ];
    const s = summarizeCrash(history, 'p', 'F');
    expect({ badDebt: s.badDebt, covered: s.coveredByReserve, socialized: s.socializedBadDebt, pending: s.badDebtNotYetAccounted, unpaid: s.unpaidKeeperRewards, allSocialized: s.socialized }).toEqual({
      badDebt: usdc(140n), covered: usdc(30n), socialized: usdc(70n), pending: usdc(40n), unpaid: usdc(5n), allSocialized: usdc(75n),
    });
    expect(s.coveredByReserve + s.socializedBadDebt + s.badDebtNotYetAccounted).toBe(s.badDebt);
  });
});
