/**
 * Many clients commanding at once, over HTTP, against the ledger on its embedded store: a command may
 * meet a 409 CONCURRENCY_CONFLICT only when another process keeps writing its stream, never because
 * other clients of the same ledger are busy.
 */
import { loadCrypto } from '../src/domain/crypto/crypto';
import { Actor, removeDataDir, RunningLedger, startLedger } from './support/ledger-app';
import { Market } from './support/scenario';

const CLIENTS = 32;
const COMMANDS_PER_CLIENT = 20;
/**
 * The first test sends about 900 commands (each client's principal and position, then its draws and
 * repays). What it checks is their order, not their speed, so its time allows a floor of 10 commands a
 * second: a shared 2-core machine under a load of 8 ran them at 35 to 55 a second, and a CI run beside
 * mutation testing and another suite went past the default 60 s with 40 commands a client.
 */
const ORDERING_TIMEOUT_MS = ((CLIENTS * (COMMANDS_PER_CLIENT + 4)) / 10) * 1000;

let ledger: RunningLedger;
let market: Market;
beforeAll(async () => {
  await loadCrypto();
  ledger = await startLedger();
  market = new Market(ledger);
  await market.open('2000');
});
afterAll(async () => {
  await ledger.stop();
  await removeDataDir(ledger.dataDir);
});

/** `count` draws and repays of one whole USDC, alternating, each with its own command id; answers their statuses and codes. */
async function drawAndRepay(as: Actor, positionId: string, count: number): Promise<{ answers: string[]; lastRevision: bigint }> {
  const answers: string[] = [];
  let lastRevision = -1n;
  for (let i = 0; i < count; i++) {
    const action = i % 2 === 0 ? 'draw' : 'repay';
    const res = await ledger.as(as)('POST', `/positions/${positionId}/debt/${action}`, { commandId: market.id(`${positionId}-${action}`), amount: '1' });
    answers.push(res.status === 201 ? '201' : `${res.status} ${res.body.code}`);
    if (res.status === 201) lastRevision = BigInt(res.body.revision);
  }
  return { answers, lastRevision };
}

it('answers no 409 to 32 clients each commanding its own position at once, and keeps every command', async () => {
  const clients: { borrower: Actor; positionId: string }[] = [];
  for (let c = 0; c < CLIENTS; c++) {
    const borrower = await ledger.principal(`own-${c}`, 'borrower');
    await market.borrow(`own-${c}`, '10', '1000', undefined, borrower);
    clients.push({ borrower, positionId: `own-${c}` });
  }
  const outcomes = await Promise.all(clients.map((c) => drawAndRepay(c.borrower, c.positionId, COMMANDS_PER_CLIENT)));
  expect(outcomes.flatMap((o) => o.answers).filter((a) => a !== '201')).toEqual([]);
  // Opened, deposited, drew (revisions 0-2), then one event per command.
  expect(outcomes.map((o) => o.lastRevision)).toEqual(clients.map(() => BigInt(2 + COMMANDS_PER_CLIENT)));
}, ORDERING_TIMEOUT_MS);

it('answers no 409 to 32 clients commanding one position at once: one ledger orders its own commands on a stream', async () => {
  const borrower = await ledger.principal('shared', 'borrower');
  await market.borrow('shared', '10', '1000', undefined, borrower);
  const perClient = 4;
  const outcomes = await Promise.all(Array.from({ length: CLIENTS }, () => drawAndRepay(borrower, 'shared', perClient)));
  expect(outcomes.flatMap((o) => o.answers).filter((a) => a !== '201')).toEqual([]);
  const revisions = outcomes.map((o) => o.lastRevision);
  expect(revisions.reduce((a, b) => (a > b ? a : b))).toBe(BigInt(2 + CLIENTS * perClient));
});
