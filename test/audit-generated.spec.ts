/**
 * The auditor over generated histories: a history made by the ledger's own deciders (with real
 * liquidation proofs) holds; then, for random events and random kinds of tampering, the audit fails
 * and names the event tampered with.
 */
import fc from 'fast-check';
import { loadCrypto } from '../src/domain/crypto/crypto';
import { Auditor, AuditReport } from '../src/audit/auditor';
import { AUDIT_CHECKPOINT_EVENT, AUDIT_CHECKPOINT_STREAM, PrefixHash } from '../src/audit/hash-chain';
import { HistoryEvent } from '../src/audit/history';
import { releaseCurve } from '../src/zk/snarkjs';
import { proveLiquidation } from '../src/zk/prover';
import { buildWitnessInput } from '../src/zk/witness';
import { syntheticHistory } from '../bench/support/synthetic-history';

let history: HistoryEvent[];

async function audit(events: HistoryEvent[]): Promise<AuditReport> {
  return new Auditor().run((async function* () { yield* events; })());
}

/** Every this many ledger events, a checkpoint of the $all prefix, as the ledger's recorder writes them. */
const CHECKPOINT_EVERY = 100;

beforeAll(async () => {
  await loadCrypto();
  history = [];
  let position = 0n;
  const created = new Date().toISOString();
  const prefix = new PrefixHash();
  let checkpoints = 0;
  const stored = (stream: string, id: string, type: string, data: Record<string, unknown>, metadata: unknown) => {
    const revision = BigInt(history.filter((h) => h.stream === stream).length);
    position += 10n;
    history.push({ stream, revision, position, prepare: position, id, type, data, metadata, created });
  };
  for await (const append of syntheticHistory({ positions: 120, eventsPerPosition: 5, liquidations: 2, detected: 2, positionsPerRound: 25, seed: 11 }, (claim) => proveLiquidation(buildWitnessInput(claim)))) {
    for (const e of append.events) {
      stored(append.stream, e.id, e.type, e.data, e.metadata);
      prefix.add(e.metadata.hash);
    }
    if (prefix.events >= (checkpoints + 1) * CHECKPOINT_EVERY) {
      checkpoints++;
      stored(AUDIT_CHECKPOINT_STREAM, `checkpoint-${checkpoints}`, AUDIT_CHECKPOINT_EVENT, { upTo: position.toString(), upToPrepare: position.toString(), events: prefix.events, prefixHash: prefix.hash }, {});
    }
  }
});

afterAll(releaseCurve);

it('a generated history, proofs included, holds', async () => {
  const report = await audit(history);
  expect(report.failures).toEqual([]);
  expect(report.events).toBe(history.length);
  expect(report.checks.find((c) => c.check.startsWith('liquidation proofs'))?.detail).toBe('2 proofs');
  // Two liquidations by proof, two by the ledger's detection (re-decided at their round's price).
  expect(report.pools[0]).toMatchObject({ openPositions: 120, liquidations: 4 });
});

it('any event changed, dropped or swapped with the next of its stream is named', async () => {
  const lastCheckpoint = history.map((e) => e.stream).lastIndexOf(AUDIT_CHECKPOINT_STREAM);
  await fc.assert(
    fc.asyncProperty(fc.nat({ max: history.length - 1 }), fc.constantFrom('change', 'drop', 'swap'), async (i, kind) => {
      const events = structuredClone(history);
      const target = events[i];
      const next = events.findIndex((e, k) => k > i && e.stream === target.stream);
      const tail = next < 0;
      // What no record can show: the last events cut off after the last checkpoint, or a checkpoint itself removed.
      if (kind === 'drop' && ((tail && i > lastCheckpoint) || target.stream === AUDIT_CHECKPOINT_STREAM)) return;
      if (kind === 'swap' && tail) return; // nothing to swap with
      if (kind === 'change') {
        // A string of digits becomes another; a body without one gets a new field.
        const data = target.data as Record<string, unknown>;
        const field = Object.keys(data).find((k) => typeof data[k] === 'string' && /^[0-9]+$/.test(data[k] as string));
        if (field) data[field] = data[field] === '1' ? '2' : '1';
        else data.tampered = true;
      } else if (kind === 'drop') {
        events.splice(i, 1);
      } else {
        [events[i], events[next]] = [events[next], events[i]];
      }
      const report = await audit(events);
      expect(report.ok).toBe(false);
      // A dropped event is named by the one that linked to it, or (a stream's tail) by the next checkpoint.
      const named = report.failures.some((f) =>
        kind !== 'drop' ? f.eventId === target.id : tail ? f.code === 'CHECKPOINT_MISMATCH' : f.eventId === history[next].id,
      );
      expect(named).toBe(true);
    }),
    { numRuns: 30 },
  );
});
