/**
 * The live command path and the auditor's replay decide through the same aggregate specs, so a command
 * the ledger refuses over HTTP is refused by the audit for the same reason when its events are forged
 * into the history anyway: each refusal below is made live, then the event it would have appended is
 * put into the store's history, and the audit must name that event with the live refusal's code.
 */
import { loadCrypto } from '../src/domain/crypto/crypto';
import { Auditor } from '../src/audit/auditor';
import { HistoryEvent, readStore } from '../src/audit/history';
import { EventStoreConnection } from '../src/eventstore/eventstore.module';
import { freshSalt } from '../src/eventstore/aggregate-commands';
import { signReport } from '../src/oracle/report-signing';
import { removeDataDir, RunningLedger, startLedger } from './support/ledger-app';
import { FEED, Market } from './support/scenario';

let ledger: RunningLedger;
let market: Market;

beforeAll(async () => {
  await loadCrypto();
  ledger = await startLedger();
  market = new Market(ledger);
  await market.open('2000');
  // 10 WETH at 2,000 with 5,000 USDC drawn: max LTV 75% allows 15,000.
  await market.borrow('p1', '10', '5000');
}, 60_000);

afterAll(async () => {
  await ledger.stop();
  await removeDataDir(ledger.dataDir);
});

/** Calls the API and expects a refusal; answers its code and the instant it was decided at. */
async function refused(method: string, route: string, body: Record<string, unknown>, as = market.borrower): Promise<{ code: string; at: Date }> {
  const at = new Date();
  const res = await ledger.as(as)(method, route, { commandId: market.id('refused'), ...body });
  expect(res.status).toBe(422);
  return { code: res.body.code, at };
}

async function history(): Promise<HistoryEvent[]> {
  const out: HistoryEvent[] = [];
  for await (const e of readStore(ledger.app.get(EventStoreConnection).client)) out.push(e);
  return out;
}

/**
 * The history with one more event on `stream`, as if the refused command had been appended at `at`:
 * `type` with `data` over the stream's last event's (a fresh salt, so no earlier rule trips first).
 */
function forged(events: HistoryEvent[], stream: string, like: string, type: string, data: (template: Record<string, unknown>) => Record<string, unknown>, at: Date): { events: HistoryEvent[]; event: HistoryEvent } {
  const ofStream = events.filter((e) => e.stream === stream);
  const template = [...ofStream].reverse().find((e) => e.type === like)!;
  const last = events[events.length - 1];
  const metadata: Record<string, unknown> = { ...(template.metadata as Record<string, unknown>), commandId: `forged-${type}`, at: at.toISOString() };
  delete metadata.decidedOn;
  const event: HistoryEvent = {
    ...template,
    id: '00000000-0000-4000-8000-00000000000f',
    type,
    revision: ofStream[ofStream.length - 1].revision + 1n,
    position: last.position + 1n,
    prepare: last.prepare + 1n,
    data: data({ ...(template.data as Record<string, unknown>) }),
    metadata,
  };
  return { events: [...events, event], event };
}

/** The audit's finding on `event`: the rules refuse what it records, for `code`. */
async function expectRefusedByAudit(events: HistoryEvent[], event: HistoryEvent, code: string): Promise<void> {
  const report = await new Auditor().run((async function* () { yield* events; })());
  const onEvent = report.failures.filter((f) => f.stream === event.stream && f.revision === event.revision.toString());
  expect(onEvent).toContainEqual(expect.objectContaining({ message: expect.stringContaining(`refuse what ${event.type} records: ${code}:`) }));
}

it('the history as the ledger wrote it audits clean', async () => {
  const report = await new Auditor().run((async function* () { yield* await history(); })());
  expect(report.failures).toEqual([]);
});

it('a draw past max LTV: refused live, and refused by the audit for the same reason', async () => {
  const { code, at } = await refused('POST', '/positions/p1/debt/draw', { amount: '12000' });
  expect(code).toBe('LTV_EXCEEDED');
  const { events, event } = forged(await history(), 'position-p1', 'DebtDrawn', 'DebtDrawn', (d) => ({ ...d, amount: '12000000000', salt: freshSalt().toString() }), at);
  await expectRefusedByAudit(events, event, code);
});

it('a withdrawal of more collateral than the position holds', async () => {
  const { code, at } = await refused('POST', '/positions/p1/collateral/withdraw', { amount: '11' });
  expect(code).toBe('INSUFFICIENT_COLLATERAL');
  const { events, event } = forged(await history(), 'position-p1', 'CollateralDeposited', 'CollateralWithdrawn', (d) => ({ ...d, amount: '11000000000000000000', salt: freshSalt().toString() }), at);
  await expectRefusedByAudit(events, event, code);
});

it('closing a position that still owes', async () => {
  const { code, at } = await refused('POST', '/positions/p1/close', {});
  expect(code).toBe('DEBT_OUTSTANDING');
  const { events, event } = forged(
    await history(),
    'position-p1',
    'DebtDrawn',
    'PositionClosed',
    ({ amount: _, borrowIndex: __, ...d }) => ({ ...d, collateralReturned: '10000000000000000000', salt: freshSalt().toString() }),
    at,
  );
  await expectRefusedByAudit(events, event, code);
});

it("a price report whose signature is not the oracle's", async () => {
  const o = market.oracles.a;
  const signed = signReport(o.privateKey, FEED, 2n, '2000', BigInt(Math.floor(Date.now() / 1000)));
  const { code, at } = await refused('POST', `/feeds/${FEED}/reports`, { oracle: o.name, ...signed, price: '2100' }, o.actor);
  expect(code).toBe('BAD_SIGNATURE');
  const { events, event } = forged(await history(), `oracle-${FEED}`, 'PriceReportAccepted', 'PriceReportAccepted', (d) => ({ ...d, round: '2', price: '2100000000000000000000', timestamp: signed.timestamp, signature: signed.signature }), at);
  await expectRefusedByAudit(events, event, code);
});
