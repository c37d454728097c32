/**
 * `audit replay`: one pass over the history. Each event goes through the hash-chain check, then is
 * decoded and grouped with the other events of its command, and each command is re-decided by the
 * ledger's own deciders (ledger-replay.ts). Liquidation proofs are collected and verified at the end,
 * in batches (a random linear combination of their pairing checks), a failing batch bisected down to
 * the bad proofs. The report says what was checked, what holds, and every failure with its event.
 */
import { forgetCrypto, rememberCrypto } from '../domain/crypto/crypto';
import { isLedgerStream, ledgerEventCodec } from '../domain/events';
import { formatDecimal } from '../domain/math/decimal';
import { WAD_DECIMALS } from '../domain/math/fixed-point';
import { CryptoPrefetch, Prefetched } from './crypto-prefetch';
import { isLedgerMetadata, ledgerTimeOf } from '../eventstore/event-codec';
import { LEDGER_KEY_STREAM, LedgerKeys } from '../eventstore/ledger-key';
import { BatchVerifier } from '../zk';
import { AUDIT_CHECKPOINT_EVENT, AUDIT_CHECKPOINT_STREAM, AuditCheckpoint, HashChainCheck } from './hash-chain';
import { HistoryEvent } from './history';
import { commandOf, Finding, LedgerReplay, RecordedCommand, TimelinePoint } from './ledger-replay';
import { AuthorityReplay, AuthorityReport } from './authority-replay';
import { isAccessStream } from '../domain/access/access-registry';

/** Events per batch whose commitments and signatures the helper thread computes ahead. */
const PREFETCH_BATCH = 2048;

/** Proofs per batch: large enough to share the final exponentiation, small enough to bisect quickly. */
const PROOF_BATCH = 64;

export interface AuditOptions {
  /** Re-decide commands and verify proofs (the audit); off, the history is only folded (time travel). */
  check?: boolean;
  /** Called now and then with the `$all` position reached. */
  progress?: (position: bigint, events: number) => void;
  /** The ledger's public keys, from its first: every link and checkpoint must carry its signature. Unset: signatures are not checked. */
  ledgerKeys?: LedgerKeys;
}

export interface CheckSummary {
  check: string;
  holds: boolean;
  detail: string;
}

export interface PoolSummary {
  poolId: string;
  feed: string;
  /** Whole tokens of each asset, decimal strings. */
  collateralDeposited: string;
  collateralReturned: string;
  collateralHeld: string;
  debtDrawn: string;
  debtRepaid: string;
  debtOutstanding: string;
  openPositions: number;
  liquidations: number;
  /** Debt written off by liquidations that left positions without collateral. */
  badDebt: string;
}

export interface AuditReport {
  ok: boolean;
  /** The `$all` position and time of the last event replayed. */
  upTo: { position: string | null; time: string | null };
  events: number;
  commands: number;
  checks: CheckSummary[];
  failures: Finding[];
  pools: PoolSummary[];
  /** Each price update: the price (debt asset per collateral asset) and the pool's health factor, as decimals. */
  timeline: { at: string; poolId: string; price: string; healthFactor: string | null; liquidations: number }[];
  /** Who was registered as what, each key's issue, rotation and revocation, and how many commands were checked against them. */
  authority: AuthorityReport;
}

export class Auditor {
  readonly replay = new LedgerReplay();
  readonly chain: HashChainCheck;
  readonly authority = new AuthorityReplay(this.replay);
  private pending: RecordedCommand | undefined;
  private events = 0;
  private last: HistoryEvent | undefined;
  private checkpoints = 0;
  /** Ledger time (Unix seconds) of the last command folded: the instant a folded state is valued at. */
  ledgerNow = 0n;

  constructor(private readonly options: AuditOptions = {}) {
    this.chain = new HashChainCheck(options.ledgerKeys);
  }

  /**
   * The whole history. When checking, events go in batches: a helper thread computes the next batch's
   * commitments and oracle signature checks (most of an audit's work) while this one re-decides the
   * current batch, which then finds them computed.
   */
  async run(history: AsyncIterable<HistoryEvent>): Promise<AuditReport> {
    if (this.options.check === false) {
      for await (const e of history) this.add(e);
      return this.finish();
    }
    const helper = CryptoPrefetch.shared();
    const events = history[Symbol.asyncIterator]();
    const readBatch = async () => {
      const batch: HistoryEvent[] = [];
      for (let r = await events.next(); !r.done; r = await events.next()) if (batch.push(r.value) >= PREFETCH_BATCH) break;
      return batch;
    };
    let batch = await readBatch();
    let prefetched: Promise<Prefetched> = helper.prefetch(batch);
    while (batch.length) {
      const next = await readBatch();
      const nextPrefetched = helper.prefetch(next);
      const { commitments, verdicts } = await prefetched;
      rememberCrypto(commitments, verdicts);
      for (const e of batch) this.add(e);
      forgetCrypto();
      [batch, prefetched] = [next, nextPrefetched];
    }
    return this.finish();
  }

  add(e: HistoryEvent): void {
    this.events++;
    this.last = e;
    if (this.events % 10_000 === 0) this.options.progress?.(e.position, this.events);
    if (e.stream === AUDIT_CHECKPOINT_STREAM && e.type === AUDIT_CHECKPOINT_EVENT) {
      this.checkpoints++;
      const d = e.data as Record<string, string | number>;
      this.chain.addCheckpoint(e, { upTo: BigInt(d.upTo), upToPrepare: BigInt(d.upToPrepare ?? d.upTo), events: Number(d.events), prefixHash: String(d.prefixHash) });
      return;
    }
    if (e.stream === LEDGER_KEY_STREAM) {
      if (this.options.check !== false) this.chain.addKeyRotation(e);
      return;
    }
    if (isAccessStream(e.stream)) {
      // The command before it was issued under the directory as it stood before this change.
      this.flush();
      if (this.options.check !== false) this.chain.addLedgerEvent(e, false);
      this.authority.addAccessEvent(e, this.options.check !== false);
      return;
    }
    // Projection streams are not the ledger's; any event in a ledger stream is, or is a forgery to report.
    if (!isLedgerStream(e.stream)) return;
    if (this.options.check !== false) this.chain.addLedgerEvent(e);
    const meta = isLedgerMetadata(e.metadata) ? e.metadata : undefined;
    let event;
    try {
      event = ledgerEventCodec.decode(e.type, meta?.schemaVersion ?? 1, e.data as Record<string, unknown>);
    } catch (err) {
      // Unknown types, missing fields, non-numbers where amounts belong: whatever a tampered body holds.
      this.replay.fail('UNDECODABLE', `${e.type} cannot be decoded: ${(err as Error).message}`, e);
      return;
    }
    const commandId = meta?.commandId ?? e.id;
    const replayed = { stream: e.stream, revision: e.revision, position: e.position, id: e.id, event };
    if (this.pending && this.pending.stream === e.stream && this.pending.commandId === commandId) {
      this.pending.events.push(replayed);
      return;
    }
    this.flush();
    const now = ledgerTimeOf(e);
    this.ledgerNow = now;
    this.pending = { stream: e.stream, commandId, principal: meta?.principal, decidedOn: decidedOnOf(meta?.decidedOn), now, events: [replayed] };
  }

  async finish(): Promise<AuditReport> {
    this.flush();
    const check = this.options.check !== false;
    let proofsInvalid = 0;
    if (check) {
      this.replay.checkConservation();
      proofsInvalid = await this.verifyProofs();
    }
    const chainFindings = check ? this.chain.finish() : [];
    const authority = this.authority.report();
    const failures: Finding[] = [
      ...chainFindings.map((f) => ({ code: f.code, message: f.message, ...(f.at ? { stream: f.at.stream, revision: f.at.revision.toString(), position: f.at.position.toString(), eventId: f.at.id } : {}) })),
      ...this.replay.findings,
    ];
    const count = (...codes: string[]) => failures.filter((f) => codes.some((c) => f.code === c || f.code.startsWith(c))).length;
    const proofs = this.replay.proofs.length;
    const detection = this.replay.detectionProofCounts();
    const checks: CheckSummary[] = check
      ? [
          summary('hash chain of every stream', count('UNCHAINED', 'EVENT_'), counted(this.events, 'event')),
          ...(this.options.ledgerKeys
            ? [
                summary(
                  'the ledger’s signature on every link and checkpoint, by the key in office',
                  count('UNSIGNED', 'BAD_SIGNATURE', 'BAD_KEY_ROTATION'),
                  `${counted(this.chain.keys!.periods.length, 'key')}, ${counted(this.chain.keyRotations, 'rotation')} followed`,
                ),
              ]
            : []),
          summary('$all order and checkpoints of the $all prefix', count('OUT_OF_ORDER', 'CHECKPOINT_MISMATCH'), `${this.chain.checkpointsVerified} of ${counted(this.checkpoints, 'checkpoint')} verified`),
          summary('every command re-decided by the ledger’s rules gives the recorded events', count('RULE_BROKEN', 'RESULT_DIFFERS', 'UNFOLDABLE', 'UNDECODABLE', 'INVALID_PUBLIC_SIGNALS', 'RISK_ADJUSTMENT_MISMATCH'), counted(this.replay.commands, 'command')),
          summary('oracle signatures and quorum medians', count('ORACLE_SIGNATURE_INVALID', 'MEDIAN_MISMATCH'), 'every accepted report and price'),
          summary('position commitments match their amounts', count('COMMITMENT_MISMATCH'), 'every position event'),
          summary('liquidation proofs verify (batch verification)', proofsInvalid, counted(proofs, 'proof')),
          summary(
            "every proof's public signals are the ledger's (a detection's: its trigger's commitment, round, price and index)",
            count('PROOF_SIGNALS_NOT_THE_LEDGERS', 'PROOF_OF_NO_DETECTED_LIQUIDATION'),
            `${counted(detection.proven, 'detected liquidation')} proven, ${detection.pending} awaiting their proof`,
          ),
          summary("liquidation proofs are at their round's accepted price (the quorum median)", count('PROOF_PRICE_NOT_ROUND_PRICE'), counted(proofs, 'proof')),
          summary('nullifiers are unique', count('NULLIFIER_REUSED'), counted(proofs, 'nullifier')),
          summary('collateral and debt are conserved per pool', count('COLLATERAL_NOT_CONSERVED', 'DEBT_NOT_CONSERVED'), counted(this.replay.poolLedgers.size, 'pool')),
          summary(
            'every command was issued by a principal allowed to issue it at that moment (its role, its keys, its scope)',
            count('UNAUTHORIZED_COMMAND'),
            `${counted(authority.commandsChecked, 'command')} checked${authority.unattributed ? `; ${authority.unattributed} from before principals were recorded` : ''}`,
          ),
          summary('bad debt accounting (each settlement\'s write-off, accounted once by its pool)', count('BAD_DEBT_MISMATCH'), counted(this.replay.settlementsAccounted, 'settlement')),
        ]
      : [];
    const now = this.ledgerNow;
    return {
      ok: failures.length === 0,
      upTo: { position: this.last?.position.toString() ?? null, time: this.last?.created ?? null },
      events: this.events,
      commands: this.replay.commands,
      checks,
      failures,
      pools: [...this.replay.poolLedgers.keys()].map((poolId) => this.poolSummary(poolId, now)),
      timeline: this.replay.timeline.map(timelineJson),
      authority,
    };
  }

  private flush(): void {
    const pending = this.pending;
    this.pending = undefined;
    if (!pending) return;
    if (this.options.check !== false) this.authority.checkCommand(pending, commandOf(pending), pending.principal);
    try {
      this.replay.apply(pending, this.options.check !== false);
    } catch (err) {
      // A command whose events decode but make no sense together (fields missing, another stream's
      // types): reported, and the audit goes on with the next.
      this.replay.fail('UNFOLDABLE', `${pending.events[0].event.type} cannot be replayed: ${(err as Error).message}`, pending.events[0]);
    }
  }

  /** Batch-verifies every proof; each one that fails is a finding on its event. Returns how many failed. */
  private async verifyProofs(): Promise<number> {
    const proofs = this.replay.proofs;
    if (!proofs.length) return 0;
    const verifier = await BatchVerifier.create();
    let invalid = 0;
    for (let i = 0; i < proofs.length; i += PROOF_BATCH) {
      const batch = proofs.slice(i, i + PROOF_BATCH);
      const result = await verifier.verify(batch);
      for (const k of result.invalid) {
        invalid++;
        this.replay.fail('PROOF_INVALID', 'the liquidation proof does not verify against its public signals', batch[k].at);
      }
    }
    return invalid;
  }

  private poolSummary(poolId: string, now: bigint): PoolSummary {
    const view = this.replay.poolView(poolId, now)!;
    const ledger = view.ledger!;
    const collateral = (amount: bigint) => formatDecimal(amount, view.pool.collateral.decimals);
    const debt = (amount: bigint) => formatDecimal(amount, view.pool.debt.decimals);
    return {
      poolId,
      feed: view.pool.feed,
      collateralDeposited: collateral(ledger.collateralIn),
      collateralReturned: collateral(ledger.collateralOut),
      collateralHeld: collateral(view.collateral),
      debtDrawn: debt(ledger.drawn),
      debtRepaid: debt(ledger.repaid),
      debtOutstanding: debt(view.debt),
      openPositions: view.openPositions,
      liquidations: ledger.liquidations,
      badDebt: debt(ledger.badDebt),
    };
  }
}

/** "1 pool", "2 pools": the report's counts, as a reader says them. */
export function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function summary(check: string, failures: number, detail: string): CheckSummary {
  return { check, holds: failures === 0, detail: failures ? `${failures} failure${failures > 1 ? 's' : ''}; ${detail}` : detail };
}

function timelineJson(p: TimelinePoint) {
  return { at: new Date(Number(p.at) * 1000).toISOString(), poolId: p.poolId, price: formatDecimal(p.price, WAD_DECIMALS), healthFactor: p.healthFactor === undefined ? null : formatDecimal(p.healthFactor, WAD_DECIMALS), liquidations: p.liquidations };
}

/** A metadata's decidedOn, if it is a map of stream names to strings (anything else is no record of it). */
function decidedOnOf(value: unknown): Record<string, string> | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return Object.values(value).every((v) => typeof v === 'string') ? (value as Record<string, string>) : undefined;
}
