/**
 * A liquidation proof counts only at the price the ledger accepted for its round: the median of the
 * quorum's reports. A security review liquidated three healthy positions by proving at another price;
 * here each attack is made again on a default ledger (detection on, a quorum of three oracles), with
 * real proofs, and each is refused with PRICE_NOT_ROUND_PRICE, appends nothing and triggers nothing.
 * Planted in the history as if the ledger had accepted them, each fails the audit.
 *
 * Then what a liquidator's proof is for while the ledger detects by itself: a race lost to detection is
 * a clean 409, and a position the watch has not re-checked (interest accrued since the last event that
 * moved its pool) is the liquidator's to prove.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { EventStoreDBClient } from '@eventstore/db-client';
import { Auditor } from '../src/audit/auditor';
import { HistoryEvent, readStore } from '../src/audit/history';
import { Clock } from '../src/clock/clock';
import { loadCrypto } from '../src/domain/crypto/crypto';
import { ledgerEventCodec } from '../src/domain/events';
import { PositionEvent } from '../src/domain/position/position';
import { chainHash } from '../src/eventstore/event-codec';
import { signReport } from '../src/oracle/report-signing';
import { LiquidationProof, parsePublicSignals, releaseCurve } from '../src/zk';
import { OpeningJson, proveAt as proveFor, wad } from './support/proofs';
import { cli } from './support/cli';
import { Actor, removeDataDir, RunningLedger, startLedger } from './support/ledger-app';
import { FEED, Market, POOL } from './support/scenario';
import { waitFor } from './support/wait';

let ledger: RunningLedger;
let market: Market;
let mallory: Actor;
let alice: Actor;

/** What an attacker holding a position's opening proves, at a price of its choosing. */
const proveAt = (positionId: string, round: bigint, price: bigint, liquidator: Actor) => proveFor(market, positionId, round, price, liquidator);

async function submit(positionId: string, proof: LiquidationProof, liquidator: Actor) {
  return ledger.as(liquidator)('POST', `/positions/${positionId}/liquidation-proofs`, { commandId: `liquidate-${randomUUID()}`, liquidator: liquidator.id, ...proof });
}

/** The position ids under liquidation, by detection or proof. */
async function liquidating(): Promise<string[]> {
  return ((await market.ok('GET', '/liquidations')) as Array<{ positionId: string }>).map((l) => l.positionId);
}

/** Submits the attacker's proof and checks it is refused as not at the round's price, with nothing appended or triggered. */
async function expectPriceRefused(positionId: string, proof: LiquidationProof): Promise<void> {
  const before = await ledger.lastPosition();
  const res = await submit(positionId, proof, mallory);
  expect({ status: res.status, code: res.body.code }).toEqual({ status: 422, code: 'PRICE_NOT_ROUND_PRICE' });
  expect(await ledger.lastPosition()).toBe(before);
  expect(await liquidating()).not.toContain(positionId);
}

/** The attacks' proofs, kept to plant in the history afterwards. */
const planted: Array<{ positionId: string; round: bigint; price: bigint; proof: LiquidationProof }> = [];

beforeAll(async () => {
  await loadCrypto();
  ledger = await startLedger();
  market = new Market(ledger);
  await market.open('2000', 3);
  mallory = await ledger.principal('mallory', 'liquidator');
  alice = await ledger.principal('alice', 'liquidator');
  // Borrowed at 2,000; health factors at 1,750 (threshold 82.5%): rich 14.4, outlier 1.11, dispersion 1.0054.
  await market.borrow('rich', '10', '1000');
  await market.borrow('outlier', '1', '1300');
  await market.borrow('dispersion', '1', '1436');
  // Under water at 1,750 (HF 0.9957): the ledger's detection takes it at round 2.
  await market.borrow('late', '1', '1450');
  // Healthy at 1,750 by 0.0015 USDC of threshold value: about ten minutes of interest (5% a year) pushes it under.
  await market.borrow('drift', '1', '1443.7485');
  // Round 2: one quorum oracle reports an outlier; the median is 1,750.
  await market.publish(2n, ['1750', '1750', '0.000001']);
  // Round 3: honest dispersion, median 1,750.
  await market.publish(3n, ['1750', '1750', '1740']);
});

afterAll(async () => {
  await ledger?.stop();
  await releaseCurve();
  if (ledger) await removeDataDir(ledger.dataDir);
});

describe('a proof at any price but the round’s accepted one is refused', () => {
  it('an off-ledger signature: a price a quorum oracle signed for its round and never submitted', async () => {
    // Oracle c signs price 1 for round 2. The ledger never accepted it; the circuit takes no signature,
    // so the signature buys the attacker nothing: the proof stands or falls on its public price alone.
    const offLedger = signReport(market.oracles.c.privateKey, FEED, 2n, '1', BigInt(Math.floor(Date.now() / 1000)));
    const proof = await proveAt('rich', 2n, wad(offLedger.price), mallory);
    expect(parsePublicSignals(proof.publicSignals).price).toBe(wad('1'));
    await expectPriceRefused('rich', proof);
    planted.push({ positionId: 'rich', round: 2n, price: wad('1'), proof });
  });

  it("an accepted outlier: one quorum report of 0.000001 in a round whose median is 1,750", async () => {
    const round = await market.ok('GET', `/feeds/${FEED}/rounds/2`);
    expect(round.price).toBe('1750');
    expect(round.reports.map((r: { price: string }) => r.price).sort()).toEqual(['0.000001', '1750', '1750']);
    const proof = await proveAt('outlier', 2n, wad('0.000001'), mallory);
    await expectPriceRefused('outlier', proof);
    planted.push({ positionId: 'outlier', round: 2n, price: wad('0.000001'), proof });
  });

  it('honest dispersion: the CLI refuses, before proving, a position healthy at the median, and a proof at the lowest report is refused', async () => {
    const openingFile = path.join(ledger.dataDir, 'dispersion-opening.json');
    writeFileSync(openingFile, JSON.stringify(await market.ok('GET', '/positions/dispersion/opening', undefined, market.borrower)));
    const res = await cli('liquidator', 'prove', '--url', ledger.url, '--api-key', mallory.apiKey, '--position', 'dispersion', '--liquidator', 'mallory', '--opening', openingFile, '--round', '3');
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/cannot prove: NOT_LIQUIDATABLE: position dispersion is healthy at round 3's price/);
    const proof = await proveAt('dispersion', 3n, wad('1740'), mallory);
    await expectPriceRefused('dispersion', proof);
    planted.push({ positionId: 'dispersion', round: 3n, price: wad('1740'), proof });
  });

  it('each attack, planted in the history as if accepted, fails the audit with PROOF_PRICE_NOT_ROUND_PRICE', async () => {
    const history: HistoryEvent[] = [];
    for await (const e of readStore(ledger.app.get(EventStoreDBClient))) history.push(e);
    const honest = await new Auditor().run((async function* () { yield* history; })());
    expect(honest.failures).toEqual([]);

    let position = history.reduce((max, e) => (e.position > max ? e.position : max), 0n);
    for (const attack of planted) {
      const stream = `position-${attack.positionId}`;
      const last = history.filter((e) => e.stream === stream).at(-1)!;
      const opening = (await market.ok('GET', `/positions/${attack.positionId}/opening`, undefined, market.borrower)) as OpeningJson;
      const signals = parsePublicSignals(attack.proof.publicSignals);
      const event: PositionEvent = {
        type: 'LiquidationTriggered', by: 'proof', positionId: attack.positionId, poolId: POOL, feed: FEED, round: attack.round,
        collateral: BigInt(opening.collateral), scaledDebt: BigInt(opening.scaledDebt), salt: BigInt(opening.salt), commitment: signals.commitment,
        liquidator: 'mallory', price: attack.price, nullifier: signals.nullifier, proof: attack.proof.proof, publicSignals: attack.proof.publicSignals,
      };
      const { type, schemaVersion, data } = ledgerEventCodec.encode(event);
      // Decided now, as the ledger would have: the proof's borrow index is the pool's as of the attack.
      const meta = { schemaVersion, commandId: `planted-${attack.positionId}`, at: new Date().toISOString(), prevHash: (last.metadata as { hash: string }).hash, hash: '' };
      meta.hash = chainHash(meta.prevHash, stream, last.revision + 1n, type, data, meta);
      position += 10n;
      history.push({ ...last, revision: last.revision + 1n, position, prepare: position, id: randomUUID(), type, data, metadata: meta });
    }
    const report = await new Auditor().run((async function* () { yield* history; })());
    for (const attack of planted) {
      expect(report.failures).toContainEqual(expect.objectContaining({ code: 'PROOF_PRICE_NOT_ROUND_PRICE', stream: `position-${attack.positionId}` }));
    }
  });
});

describe('a liquidator’s proof beside the ledger’s own detection', () => {
  it('a race lost to detection is a clean 409 with a code, appending nothing', async () => {
    await waitFor(async () => ((await liquidating()).includes('late') ? true : undefined), 60_000);
    const proof = await proveAt('late', 3n, wad('1750'), alice);
    const before = await ledger.lastPosition();
    const res = await submit('late', proof, alice);
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 409, code: 'LIQUIDATION_IN_PROGRESS' });
    expect(await ledger.lastPosition()).toBe(before);
  }, 120_000);

  it('catches a position the watch has not re-checked: interest accrued since the last event that moved the pool', async () => {
    expect(await liquidating()).not.toContain('drift');
    // Half an hour of ledger time later, within the round's heartbeat; no event has moved the pool since round 3.
    const clock = ledger.app.get(Clock);
    const later = jest.spyOn(clock, 'now').mockImplementation(() => new Date(Date.now() + 1800 * 1000));
    try {
      const openingFile = path.join(ledger.dataDir, 'drift-opening.json');
      writeFileSync(openingFile, JSON.stringify(await market.ok('GET', '/positions/drift/opening', undefined, market.borrower)));
      const res = await cli('liquidator', 'submit', '--url', ledger.url, '--api-key', alice.apiKey, '--position', 'drift', '--liquidator', 'alice', '--opening', openingFile);
      expect(res).toMatchObject({ code: 0, err: '' });
      expect(JSON.parse(res.out)).toMatchObject({ events: ['LiquidationTriggered'], positionId: 'drift', liquidator: 'alice', round: '3', price: '1750' });
    } finally {
      later.mockRestore();
    }
    expect(await liquidating()).toContain('drift');
  });
});
