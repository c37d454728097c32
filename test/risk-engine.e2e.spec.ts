/**
 * The predictive risk engine end to end, as an admin and the oracles use it over HTTP: a calm feed
 * leaves a pool's parameters alone; a volatility spike brings a proposal that lowers the threshold one
 * step, announced with notice; the engine applies it when the notice has run, and the next spike round
 * takes the next step (the ramp). In propose-only mode the admin applies. Refusals append nothing, and
 * the auditor's replay re-decides every adjustment from the recorded prices.
 */
import { readFileSync } from 'node:fs';
import { EventStoreDBClient } from '@eventstore/db-client';
import * as path from 'node:path';
import { EventStoreConnection } from '../src/eventstore/eventstore.module';
import { AuditReport } from '../src/audit/auditor';
import { cli } from './support/cli';
import { RunningLedger, startLedger, removeDataDir } from './support/ledger-app';
import { Market, POOL } from './support/scenario';
import { waitFor } from './support/wait';

let ledger: RunningLedger;
let market: Market;
let round = 1n;

const SETTINGS = {
  model: 'ewma', mode: 'auto', confidenceBps: 9_900,
  // The pool's own 7500 / 8250 is the top: calm prices call for no change.
  bounds: { minMaxLtvBps: 5_000, maxMaxLtvBps: 7_500, minThresholdBps: 6_000, maxThresholdBps: 8_250 },
  maxStepBps: 250, noticeSeconds: 2, window: 10, observationSeconds: 3_600, detectionSeconds: 60,
};

const engine = () => market.ok('GET', `/pools/${POOL}/risk-engine`);
const publish = (price: string) => market.publish(++round, price);

/** Waits until the pool's parameters are these, and no proposal waits. */
const applied = (maxLtvBps: number, liquidationThresholdBps: number) =>
  waitFor(async () => {
    const view = await engine();
    return view.maxLtvBps === maxLtvBps && view.liquidationThresholdBps === liquidationThresholdBps && !view.pending ? view : undefined;
  });

beforeAll(async () => {
  ledger = await startLedger();
  market = new Market(ledger);
  await market.open('2000');
});

afterAll(async () => {
  await ledger.stop();
  await removeDataDir(ledger.dataDir);
});

it('refuses settings outside the rules, and anyone but the admin, appending nothing', async () => {
  const before = await ledger.lastPosition();
  const bad = await ledger.as(market.admin)('PUT', `/pools/${POOL}/risk-engine`, { commandId: market.id('risk'), ...SETTINGS, bounds: { ...SETTINGS.bounds, maxMaxLtvBps: 8_250 } });
  expect(bad.status).toBe(422);
  expect(bad.body.code).toBe('INVALID_RISK_SETTINGS');
  const malformed = await ledger.as(market.admin)('PUT', `/pools/${POOL}/risk-engine`, { commandId: market.id('risk'), ...SETTINGS, model: 'arima' });
  expect(malformed.status).toBe(400);
  const borrower = await ledger.as(market.borrower)('PUT', `/pools/${POOL}/risk-engine`, { commandId: market.id('risk'), ...SETTINGS });
  expect(borrower.status).toBe(403);
  const noPool = await ledger.as(market.admin)('PUT', `/pools/nope/risk-engine`, { commandId: market.id('risk'), ...SETTINGS });
  expect(noPool.status).toBe(404);
  expect(await ledger.lastPosition()).toBe(before);
});

it('a volatility spike leads to a proposal, a ramp with notice, and the applied parameters', async () => {
  await market.ok('PUT', `/pools/${POOL}/risk-engine`, { commandId: market.id('risk'), ...SETTINGS });
  // Calm: a tenth of a percent up and down. Nothing to change at the top of the bounds.
  for (let i = 0; i < 10; i++) await publish(i % 2 ? '2000' : '2002');
  expect(await engine()).toMatchObject({ maxLtvBps: 7_500, liquidationThresholdBps: 8_250, settings: SETTINGS });

  // A 30% fall: the threshold must come down; announced first, applied when the notice has run.
  await publish('1400');
  const announced = await waitFor(async () => (await engine()).pending);
  expect(announced).toMatchObject({ maxLtvBps: 7_250, liquidationThresholdBps: 8_000 });
  const before = await ledger.lastPosition();
  const early = await ledger.as(market.admin)('POST', `/pools/${POOL}/risk-engine/proposals/${announced.proposalId}/apply`, { commandId: market.id('apply') });
  // Either the notice still runs, or the engine applied it first: never a second apply.
  if (early.status !== 404) {
    expect(early.body.code).toBe('RISK_NOTICE_RUNNING');
    expect(await ledger.lastPosition()).toBe(before);
  }
  await applied(7_250, 8_000);

  // The next round is still wild: the next step of the ramp.
  await publish('1000');
  expect((await waitFor(async () => (await engine()).pending)).liquidationThresholdBps).toBe(7_750);
  await applied(7_000, 7_750);
});

it('in propose-only mode the admin applies the proposal through the API', async () => {
  await market.ok('PUT', `/pools/${POOL}/risk-engine`, { commandId: market.id('risk'), ...SETTINGS, mode: 'propose' });
  await publish('700');
  const pending = await waitFor(async () => (await engine()).pending);
  expect(pending.liquidationThresholdBps).toBe(7_500);
  const receipt = await waitFor(async () => {
    const res = await ledger.as(market.admin)('POST', `/pools/${POOL}/risk-engine/proposals/${pending.proposalId}/apply`, { commandId: market.id('apply') });
    return res.status === 201 ? res.body : undefined;
  });
  expect(receipt.events).toEqual(['RiskParametersApplied']);
  expect(await engine()).toMatchObject({ maxLtvBps: 6_750, liquidationThresholdBps: 7_500 });
  expect((await market.ok('GET', `/pools/${POOL}?minPosition=${receipt.position}`)).parameters).toMatchObject({ maxLtvBps: 6_750, liquidationThresholdBps: 7_500 });
});

it('the audit re-decides every adjustment from the recorded prices', async () => {
  const json = path.join(ledger.dataDir, 'audit.json');
  const store = ledger.app.get(EventStoreConnection).connectionString!;
  const { code } = await cli('audit', 'replay', '--eventstore', store, '--json', json);
  const report = JSON.parse(readFileSync(json, 'utf8')) as AuditReport;
  expect(report.failures).toEqual([]);
  expect(code).toBe(0);
  // What it re-decided: the three proposals and their applies.
  const types: string[] = [];
  for await (const e of ledger.app.get(EventStoreDBClient).readStream(`pool-${POOL}`)) types.push(e.event!.type);
  expect(types.filter((t) => t === 'RiskParametersProposed')).toHaveLength(3);
  expect(types.filter((t) => t === 'RiskParametersApplied')).toHaveLength(3);
  expect(report.commands).toBeGreaterThan(0);
});
