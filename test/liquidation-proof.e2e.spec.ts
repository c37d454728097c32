/**
 * Zero-knowledge liquidation end to end, as liquidators do it: take a position's opening from its
 * owner, prove with the liquidator CLI at a round's accepted price read from the ledger, and submit.
 * Real proofs throughout. A valid proof appends LiquidationTriggered with proof and signals, which
 * verify with the verification key alone; every other claim is refused with its code and appends nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Clock } from '../src/clock/clock';
import { FIELD_MODULUS, idToField, loadCrypto } from '../src/domain/crypto/crypto';
import { PUBLIC_SIGNAL_INDEX, PublicSignalName } from '../src/domain/liquidation/public-signals';
import { ledgerEventCodec } from '../src/domain/events';
import { BASE_FIELD_MODULUS, releaseCurve, verifyLiquidationProof } from '../src/zk';
import { EventStoreDBClient } from '@eventstore/db-client';
import { cli } from './support/cli';
import { Actor, removeDataDir, RunningLedger, startLedger } from './support/ledger-app';
import { FEED, HEARTBEAT, Market } from './support/scenario';
import { proveAt, wad } from './support/proofs';

let ledger: RunningLedger;
let market: Market;
/** Liquidator principals: alice proves and submits; bob submits what he did not prove. */
let liquidators: Record<'alice' | 'bob', Actor>;
let seq = 0;
/** Calls as `as` (the positions' owner, the borrower, unless told) and expects success. */
const ok = (method: string, route: string, body?: unknown, as: Actor = market.borrower) => market.ok(method, route, body, as);
const id = (prefix: string) => market.id(prefix);
const now = () => BigInt(Math.floor(Date.now() / 1000));

interface ProofJson {
  proof: { pi_a: string[]; pi_b: string[][]; pi_c: string[]; protocol: string; curve: string };
  publicSignals: string[];
}

/** The owner (the borrower) hands the current opening over: GET /positions/{id}/opening, saved to a file. */
async function openingFile(positionId: string): Promise<string> {
  const file = path.join(ledger.dataDir, `opening-${++seq}.json`);
  writeFileSync(file, JSON.stringify(await ok('GET', `/positions/${positionId}/opening`)));
  return file;
}

async function prove(positionId: string, ...extra: string[]): Promise<ProofJson> {
  const res = await cli('liquidator', 'prove', ...asAlice(), '--position', positionId, '--liquidator', 'alice', '--opening', await openingFile(positionId), ...extra);
  expect(res).toMatchObject({ code: 0, err: '' });
  return JSON.parse(res.out) as ProofJson;
}

/** The CLI's ledger options for alice, the liquidator. */
const asAlice = () => ['--url', ledger.url, '--api-key', liquidators.alice.apiKey];

const withSignals = (p: ProofJson, changes: Partial<Record<PublicSignalName, bigint>>): ProofJson => {
  const publicSignals = [...p.publicSignals];
  for (const [name, value] of Object.entries(changes)) publicSignals[PUBLIC_SIGNAL_INDEX[name as PublicSignalName]] = value.toString();
  return { ...p, publicSignals };
};

/** Submits as the liquidator the body names (alice unless told), so that what refuses it is the ledger's check of the claim. */
async function expectRefused(positionId: string, body: object, status: number, code: string): Promise<any> {
  const before = await ledger.lastPosition();
  const submission = { commandId: id('liquidate'), liquidator: 'alice', ...body };
  const res = await ledger.as(liquidators[submission.liquidator as 'alice' | 'bob'])('POST', `/positions/${positionId}/liquidation-proofs`, submission);
  expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
  expect(typeof res.body.message).toBe('string');
  expect(await ledger.lastPosition()).toBe(before);
  return res.body;
}

beforeAll(async () => {
  await loadCrypto();
  // Liquidators' proofs only: the ledger's own detection would trigger these positions first.
  ledger = await startLedger(undefined, { LIQUIDATION_DETECTION: 'off' });
  market = new Market(ledger);
  await market.open('2000');
  liquidators = { alice: await ledger.principal('alice', 'liquidator'), bob: await ledger.principal('bob', 'liquidator') };
  // p1 borrows 70% of its collateral's value; p2 is well covered.
  await market.borrow('p1', '1.25', '1750');
  await market.borrow('p2', '10', '1000');
  // ETH falls 20%: p1's health factor is 1.25 × 1600 × 0.825 / 1750 ≈ 0.94.
  await market.publish(2n, '1600');
});

afterAll(async () => {
  await ledger.stop();
  await releaseCurve();
  await removeDataDir(ledger.dataDir);
});

describe('the liquidator CLI', () => {
  it('refuses to prove a healthy position, and says why', async () => {
    const res = await cli('liquidator', 'prove', ...asAlice(), '--position', 'p2', '--liquidator', 'alice', '--opening', await openingFile('p2'));
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/cannot prove: NOT_LIQUIDATABLE/);
  });

  it('refuses an opening of another position', async () => {
    const res = await cli('liquidator', 'prove', ...asAlice(), '--position', 'p2', '--liquidator', 'alice', '--opening', await openingFile('p1'));
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/the opening is of position p1, not p2/);
  });
});

describe('the ledger refuses, appending nothing', () => {
  let valid: ProofJson;

  it('a proof of an old commitment (the position changed since)', async () => {
    const old = await prove('p1');
    await ok('POST', '/positions/p1/debt/repay', { commandId: id('repay'), amount: '1' });
    await expectRefused('p1', old, 422, 'COMMITMENT_MISMATCH');
    valid = await prove('p1');
  });

  it('a proof submitted by another liquidator than the one it binds', async () => {
    const refusal = await expectRefused('p1', { ...valid, liquidator: 'bob' }, 422, 'PUBLIC_SIGNAL_MISMATCH');
    expect(refusal.details).toEqual({ signals: ['liquidator'] });
  });

  it('a proof replayed for another position', async () => {
    await expectRefused('p2', valid, 422, 'COMMITMENT_MISMATCH');
    const p2 = await ok('GET', '/positions/p2/opening');
    // Pointing the signals at p2 breaks the proof.
    await expectRefused('p2', withSignals(valid, { commitment: BigInt(p2.commitment), positionId: idToField('p2') }), 422, 'INVALID_PROOF');
  });

  it('tampered public signals', async () => {
    await expectRefused('p1', { ...withSignals(valid, { liquidator: idToField('bob') }), liquidator: 'bob' }, 422, 'INVALID_PROOF');
    await expectRefused('p1', withSignals(valid, { borrowIndex: 10n ** 26n }), 422, 'INVALID_PROOF');
  });

  it('values outside the field, and malformed bodies', async () => {
    await expectRefused('p1', withSignals(valid, { round: FIELD_MODULUS + 2n }), 400, 'INVALID_PUBLIC_SIGNALS');
    const offCurve = { ...valid.proof, pi_a: [BASE_FIELD_MODULUS.toString(), valid.proof.pi_a[1], '1'] };
    await expectRefused('p1', { ...valid, proof: offCurve }, 422, 'INVALID_PROOF');
    await expectRefused('p1', { ...valid, publicSignals: valid.publicSignals.slice(1) }, 400, 'VALIDATION_FAILED');
    await expectRefused('p1', { ...valid, publicSignals: valid.publicSignals.map((s, i) => (i === 0 ? '-1' : s)) }, 400, 'VALIDATION_FAILED');
  });

  it('a round that has gone stale by ledger time', async () => {
    const clock = ledger.app.get(Clock);
    const later = jest.spyOn(clock, 'now').mockImplementation(() => new Date(Date.now() + (HEARTBEAT + 60) * 1000));
    try {
      await expectRefused('p1', valid, 422, 'STALE_ROUND');
    } finally {
      later.mockRestore();
    }
  });

  it('a round the feed has not accepted (a future one)', async () => {
    await expectRefused('p1', await proveAt(market, 'p1', 3n, wad('1600'), liquidators.alice), 422, 'ROUND_NOT_ACCEPTED');
  });
});

describe('a valid proof', () => {
  let receipt: any;

  it('triggers the liquidation, submitted by the CLI', async () => {
    const before = await ledger.lastPosition();
    const res = await cli('liquidator', 'submit', ...asAlice(), '--position', 'p1', '--liquidator', 'alice', '--opening', await openingFile('p1'));
    expect(res).toMatchObject({ code: 0, err: '' });
    receipt = JSON.parse(res.out);
    expect(receipt).toMatchObject({ duplicate: false, events: ['LiquidationTriggered'], positionId: 'p1', liquidator: 'alice', feed: FEED, round: '2', price: '1600' });
    expect(await ledger.lastPosition()).toBeGreaterThan(before);
  });

  it('is recorded with its proof and signals, which verify with the verification key alone', async () => {
    const events: any[] = [];
    for await (const e of ledger.app.get(EventStoreDBClient).readStream('position-p1')) events.push(e.event);
    const stored = events.at(-1);
    const event = ledgerEventCodec.decode(stored.type, stored.metadata.schemaVersion, stored.data);
    if (event.type !== 'LiquidationTriggered' || event.by !== 'proof') throw new Error(`last event is ${event.type}`);
    expect(event.nullifier.toString()).toBe(receipt.nullifier);
    expect(event.publicSignals[PUBLIC_SIGNAL_INDEX.nullifier]).toBe(receipt.nullifier);
    expect(await verifyLiquidationProof(event.proof, event.publicSignals)).toBe(true);
    // The size stays hidden: neither amount appears among the public signals.
    const opening = await ok('GET', '/positions/p1/opening');
    expect(event.publicSignals).not.toContain(opening.collateral);
    expect(event.publicSignals).not.toContain(opening.scaledDebt);
  });

  it('answers a retried command as the first time, and refuses the same proof under a new command id', async () => {
    const again = await cli('liquidator', 'submit', ...asAlice(), '--position', 'p1', '--liquidator', 'alice', '--opening', await openingFile('p1'));
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({ duplicate: true, nullifier: receipt.nullifier, revision: receipt.revision });
    const proof = await prove('p1');
    await expectRefused('p1', proof, 409, 'NULLIFIER_USED');
  });

  it('stops the borrower drawing or withdrawing while the liquidation is pending', async () => {
    const before = await ledger.lastPosition();
    for (const [route, body] of [['debt/draw', { amount: '1' }], ['collateral/withdraw', { amount: '0.01' }]] as const) {
      const res = await ledger.as(market.borrower)('POST', `/positions/p1/${route}`, { commandId: id('borrower'), ...body });
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 409, code: 'LIQUIDATION_IN_PROGRESS' });
    }
    expect(await ledger.lastPosition()).toBe(before);
  });
});
