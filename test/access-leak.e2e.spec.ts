/**
 * A position's amounts reach nobody who may not see them. Alice borrows distinctive amounts and is
 * liquidated; then another borrower, an integrator and an anonymous caller call every route of the
 * route table (on her position where a route names one), read every public stream and the metrics:
 * no response, error or event they get contains her amounts, in whole tokens or smallest units. The
 * ledger's log, all of it, holds none either. Alice and an auditor, who may, do see them: the search
 * finds what it looks for.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { Role } from '../src/domain/access/access-registry';
import { routeTable } from '../src/access/route-table';
import { Actor, newDataDir, RunningLedger } from './support/ledger-app';
import { callWith, Caller, Sampled, sampledLedgerForTests } from './support/route-samples';
import { Market, POOL } from './support/scenario';
import { openSse } from '../src/cli/sse';
import { waitFor } from './support/wait';

/** Alice's amounts as they could appear: whole tokens and smallest units, and the lot her liquidation sells (half). */
const COLLATERAL = '7.654321';
const DEBT = '10987.654321';
const SECRETS = ['7.654321', '7654321000', '10987.654', '10987654321', '3.8271605', '3827160500'];
const POSITION = 'alice-secret';

let logFile: string;
const sampled = sampledLedgerForTests(async () => {
  const dataDir = await newDataDir();
  logFile = path.join(dataDir, 'ledger.log');
  return { dataDir, env: { LOG_FILE: logFile, LOG_LEVEL: 'debug' } };
});
let ledger: RunningLedger;
let market: Market;
let samples: Sampled['samples'];
let actors: Sampled['actors'];
let ownPosition: string;
let alice: Actor;
let bob: Actor;

beforeAll(async () => {
  ({ ledger, samples, actors, market, ownPosition } = sampled());
  alice = await ledger.principal('alice', 'borrower');
  bob = await ledger.principal('bob', 'borrower');
  await market.publish(3n, '2000');
  await market.borrow(POSITION, COLLATERAL, DEBT, POOL, alice);
  // Her own refusals may name her amounts (she may see them); they must not reach the log.
  expect((await ledger.as(alice)('POST', `/positions/${POSITION}/debt/draw`, { commandId: 'too-much', amount: '100000' })).status).toBe(422);
  // A price under her threshold: the ledger liquidates half of her position at auction.
  await market.publish(4n, '1600');
  await waitFor(async () => ((await ledger.as(actors.auditor)('GET', '/auctions')).body as { positionId: string }[]).find((a) => a.positionId === POSITION));
});

function leaked(text: string): string[] {
  return SECRETS.filter((secret) => text.includes(secret));
}

it('finds her amounts where they may be seen: her own view and an auditor’s', async () => {
  expect(leaked((await ledger.as(alice)('GET', `/positions/${POSITION}`)).text)).toEqual(expect.arrayContaining(['7.654321', '10987.654']));
  expect(leaked((await ledger.as(actors.auditor)('GET', `/audit/positions/${POSITION}`)).text).length).toBeGreaterThan(0);
  expect(leaked((await ledger.as(actors.auditor)('GET', '/auctions')).text).length).toBeGreaterThan(0);
});

describe.each([['another borrower'], ['an integrator'], ['an anonymous caller']])('%s', (who) => {
  const keyOf = (): string | undefined => (who === 'another borrower' ? bob.apiKey : who === 'an integrator' ? actors.integrator.apiKey : undefined);

  it('gets none of her amounts from any route, answer or refusal', async () => {
    const seen: string[] = [];
    for (const { method, path: route } of routeTable(ledger.app)) {
      const [, sampleOf] = samples[`${method} ${route}`];
      // The sample as the caller's own role would make it, aimed at her position.
      const caller: Caller = who === 'another borrower' ? 'borrower' : who === 'an integrator' ? 'integrator' : 'anonymous';
      const sample = await sampleOf(caller);
      const aimed = { ...sample, path: sample.path.replace(ownPosition, POSITION) };
      const { status, text } = await callWith(ledger, keyOf(), method, aimed);
      for (const secret of leaked(text)) seen.push(`${method} ${aimed.path} answered ${status} with ${secret}`);
    }
    expect(seen).toEqual([]);
  });

  it('gets none of her amounts from the public streams', async () => {
    const streams = ['public-prices', 'public-liquidations', 'public-auctions', `public-pool-state-${POOL}`];
    let events = 0;
    for (const stream of streams) {
      const key = keyOf();
      const connection = await openSse(`${ledger.url}/streams/${stream}/events?from=0`, key ? { authorization: `Bearer ${key}` } : {});
      expect(connection.status).toBe(200);
      const text = await readFor(connection.messages, 1500);
      connection.close();
      events += text.count;
      expect({ stream, leaked: leaked(text.data) }).toEqual({ stream, leaked: [] });
    }
    // The streams did carry her liquidation and the market around it.
    expect(events).toBeGreaterThan(5);
  });
});

it('keeps her amounts out of the metrics an integrator reads', async () => {
  const metrics = await ledger.as(actors.integrator)('GET', '/metrics');
  expect(metrics.status).toBe(200);
  expect(leaked(metrics.text)).toEqual([]);
});

it('keeps every amount out of the log, and every key', async () => {
  const log = await readFile(logFile, 'utf8');
  // The log did record the calls, by principal.
  expect(log).toContain('"principal":"alice"');
  expect(leaked(log)).toEqual([]);
  for (const actor of [alice, bob, ledger.admin, actors.integrator]) expect(log).not.toContain(actor.apiKey.slice(20));
});

/** The messages that arrive within `ms` of quiet, joined. */
async function readFor(messages: AsyncGenerator<{ data: string }>, ms: number): Promise<{ data: string; count: number }> {
  let data = '';
  let count = 0;
  for (;;) {
    const next = await Promise.race([messages.next(), new Promise<'quiet'>((resolve) => setTimeout(() => resolve('quiet'), ms))]);
    if (next === 'quiet' || next.done) return { data, count };
    data += next.value.data + '\n';
    count++;
  }
}
