/**
 * Every liquidation carries a proof anyone can check without learning the size. On a default ledger a
 * crash is detected and the ledger proves each detection after its trigger (on worker threads); a
 * liquidator proves another. An integrator holding only the public streams and the verification key
 * (the `liquidations verify` CLI, over server-sent events) accepts every one; tampered streams are
 * rejected. The audit re-verifies the ledger's proofs too.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { EventStoreDBClient } from '@eventstore/db-client';
import { Auditor } from '../src/audit/auditor';
import { readStore } from '../src/audit/history';
import { Clock } from '../src/clock/clock';
import { loadCrypto } from '../src/domain/crypto/crypto';
import { PUBLIC_SIGNAL_INDEX } from '../src/domain/liquidation/public-signals';
import { LIQUIDATIONS_STREAM, PRICES_STREAM } from '../src/projections/public-streams/public-stream-protocol';
import { PublicLiquidationVerifier, PublicRecord, releaseCurve } from '../src/zk';
import { cli } from './support/cli';
import { Actor, removeDataDir, RunningLedger, startLedger } from './support/ledger-app';
import { readPublicStream } from './support/public-streams';
import { Market } from './support/scenario';
import { waitFor } from './support/wait';

let ledger: RunningLedger;
let market: Market;
let alice: Actor;

interface Liquidation {
  positionId: string;
  by: string;
  proof: 'proven' | 'pending';
}

const liquidations = async () => (await market.ok('GET', '/liquidations')) as Liquidation[];

async function publicEvents(stream: string): Promise<PublicRecord[]> {
  return (await readPublicStream(ledger, stream)).map(({ type, data }) => ({ type, data: data as Record<string, any> }));
}

async function verdictsOf(prices: PublicRecord[], published: PublicRecord[]) {
  const verifier = new PublicLiquidationVerifier();
  prices.forEach((e) => verifier.price(e));
  published.forEach((e) => verifier.liquidation(e));
  return verifier.verdicts();
}

beforeAll(async () => {
  await loadCrypto();
  ledger = await startLedger();
  market = new Market(ledger);
  await market.open('2000', 3);
  alice = await ledger.principal('alice', 'liquidator');
  // No collateral of exactly one token: 10^18 is also the public collateral scale, which the no-amount check would trip on.
  await market.borrow('crash-1', '1.01', '1470');
  await market.borrow('crash-2', '2', '2900');
  // Healthy at 1,750 by 0.0015 USDC of threshold value: half an hour of interest puts it under.
  await market.borrow('drift', '1.01', '1458.186');
  // The crash: the median of 1,750 / 1,750 / 1,740 is 1,750; crash-1 (HF 0.992) and crash-2 (0.996) fall below 1 there.
  await market.publish(2n, ['1750', '1750', '1740']);
});

afterAll(async () => {
  await ledger?.stop();
  await releaseCurve();
  if (ledger) await removeDataDir(ledger.dataDir);
});

it('a liquidator proves what the watch has not re-checked: drift, half an hour of ledger time later', async () => {
  await waitFor(async () => ((await liquidations()).filter((l) => l.by === 'detection').length === 2 ? true : undefined), 60_000);
  const openingFile = path.join(ledger.dataDir, 'drift-opening.json');
  writeFileSync(openingFile, JSON.stringify(await market.ok('GET', '/positions/drift/opening', undefined, market.borrower)));
  const clock = ledger.app.get(Clock);
  const later = jest.spyOn(clock, 'now').mockImplementation(() => new Date(Date.now() + 1800 * 1000));
  try {
    const res = await cli('liquidator', 'submit', '--url', ledger.url, '--api-key', alice.apiKey, '--position', 'drift', '--liquidator', 'alice', '--opening', openingFile);
    expect(res).toMatchObject({ code: 0, err: '' });
  } finally {
    later.mockRestore();
  }
}, 120_000);

it("proves each detected liquidation after its trigger: GET /liquidations and the metrics show the proofs land", async () => {
  const proven = await waitFor(async () => {
    const all = await liquidations();
    return all.length === 3 && all.every((l) => l.proof === 'proven') ? all : undefined;
  }, 120_000);
  expect(proven.map((l) => [l.positionId, l.by]).sort()).toEqual([['crash-1', 'detection'], ['crash-2', 'detection'], ['drift', 'proof']]);
  const metrics = (await ledger.as(market.admin)('GET', '/metrics')).text;
  expect(metrics).toMatch(/^ledger_liquidation_proofs_pending 0$/m);
  expect(metrics).toMatch(/^ledger_liquidation_proof_lag_seconds_count 2$/m);
}, 150_000);

it('an integrator with the public streams and the verification key alone accepts every liquidation (the CLI, over SSE)', async () => {
  await waitFor(async () => ((await publicEvents(LIQUIDATIONS_STREAM)).filter((e) => e.type === 'LiquidationProven').length === 2 ? true : undefined), 60_000);
  const res = await cli('liquidations', 'verify', '--url', ledger.url, '--idle-ms', '1000');
  expect(res.err).toBe('');
  expect(res.code).toBe(0);
  const verdicts = JSON.parse(res.out) as Array<{ positionId: string; by: string; verdict: string }>;
  expect(verdicts.map((v) => [v.positionId, v.by, v.verdict]).sort()).toEqual([
    ['crash-1', 'detection', 'valid'],
    ['crash-2', 'detection', 'valid'],
    ['drift', 'proof', 'valid'],
  ]);
}, 120_000);

it('carries no amount on the public liquidations stream: not the openings of the positions it proves', async () => {
  const text = JSON.stringify(await publicEvents(LIQUIDATIONS_STREAM));
  for (const positionId of ['crash-1', 'crash-2', 'drift']) {
    const opening = await market.ok('GET', `/positions/${positionId}/opening`, undefined, market.borrower);
    for (const secret of [opening.collateral, opening.scaledDebt, opening.salt]) expect(text).not.toContain(`"${secret}"`);
  }
});

it('rejects tampered streams: a price that is not the median, a forged report, a proof moved to another price or position', async () => {
  const prices = await publicEvents(PRICES_STREAM);
  const published = await publicEvents(LIQUIDATIONS_STREAM);
  expect((await verdictsOf(prices, published)).every((v) => v.verdict === 'valid')).toBe(true);
  const invalid = async (p: PublicRecord[], l: PublicRecord[]) => (await verdictsOf(p, l)).filter((v) => v.verdict === 'invalid').map((v) => v.positionId).sort();

  // The round's published price raised to where the proofs were "made": no longer the reports' median.
  const raised = structuredClone(prices);
  const round2 = raised.find((e) => e.type === 'PriceUpdated' && e.data.round === '2')!;
  round2.data.priceWad = (BigInt(round2.data.priceWad) - 10n ** 18n).toString();
  expect(await invalid(raised, published)).toEqual(['crash-1', 'crash-2', 'drift']);

  // One report's price changed: its signature no longer covers it.
  const forged = structuredClone(prices);
  forged.find((e) => e.type === 'PriceUpdated' && e.data.round === '2')!.data.reports[2].price = '1';
  expect(await invalid(forged, published)).toEqual(['crash-1', 'crash-2', 'drift']);

  // A detection's proof with its price signal changed, and a proof claimed for another position.
  const moved = structuredClone(published);
  const proof1 = moved.find((e) => e.type === 'LiquidationProven' && e.data.positionId === 'crash-1')!;
  proof1.data.publicSignals[PUBLIC_SIGNAL_INDEX.price] = (BigInt(proof1.data.publicSignals[PUBLIC_SIGNAL_INDEX.price]) - 1n).toString();
  const proof2 = moved.find((e) => e.type === 'LiquidationProven' && e.data.positionId === 'crash-2')!;
  const other = moved.find((e) => e.type === 'LiquidationProven' && e.data.positionId === 'crash-1')!;
  proof2.data.proof = other.data.proof;
  expect(await invalid(prices, moved)).toEqual(['crash-1', 'crash-2']);

  // Without the ledger's proof, a detection is pending, not valid.
  const unproven = published.filter((e) => !(e.type === 'LiquidationProven' && e.data.positionId === 'crash-1'));
  expect((await verdictsOf(prices, unproven)).find((v) => v.positionId === 'crash-1')?.verdict).toBe('pending');
});

it("the audit re-verifies the ledger's proofs with the liquidator's, and the history holds", async () => {
  const history = [];
  for await (const e of readStore(ledger.app.get(EventStoreDBClient))) history.push(e);
  const report = await new Auditor().run((async function* () { yield* history; })());
  expect(report.failures).toEqual([]);
  expect(report.checks.find((c) => c.check.startsWith('liquidation proofs verify'))?.detail).toBe('3 proofs');
  expect(report.checks.find((c) => c.check.startsWith("every proof's public signals"))?.detail).toBe('2 detected liquidations proven, 0 awaiting their proof');
});
