/**
 * Every liquidation checked from the public streams and the verification key alone, as an integrator
 * (or anyone) can: no access to the ledger's confidential streams, no amounts. For each liquidation on
 * `public-liquidations` it checks that
 *
 * - its proof (a liquidator's, with the trigger; the ledger's own for a detection, `LiquidationProven`)
 *   verifies against the verification key;
 * - the proof is about this liquidation: the position, its published commitment, the feed and round,
 *   the nullifier of that state and round, the prover (the liquidator named, or the ledger), the
 *   threshold, scales and borrow index the trigger published;
 * - its price is the round's accepted price on `public-prices`, and that price is the median of the
 *   quorum's reports published with it, each signed by the key its oracle registered.
 *
 * A detection whose proof has not been published yet is `pending`, not a failure: the ledger proves
 * after it triggers.
 */
import { idToField, OraclePublicKey, reportMessage, verifySignature } from '../domain/crypto/crypto';
import { LEDGER_PROVER } from '../domain/liquidation/detected-liquidation-proof';
import { liquidationNullifier, LiquidationPublicSignals, mismatchedSignals, parsePublicSignals, PublicSignalsError } from '../domain/liquidation/public-signals';
import { medianPrice } from '../domain/oracle/median';
import { unitOf } from '../domain/risk/liquidation-rule';
import { parseDecimal } from '../domain/math/decimal';
import { VerificationKey } from './snarkjs';
import { verifyLiquidationProof } from './verifier';

/** A public event as an integrator receives it (over SSE, WebSocket or the EventStoreDB client): its type and JSON body. */
export interface PublicRecord {
  type: string;
  data: Record<string, any>;
}

export interface LiquidationVerdict {
  positionId: string;
  round: string;
  commitment: string;
  by: 'proof' | 'detection';
  verdict: 'valid' | 'invalid' | 'pending';
  /** Why it is invalid (empty otherwise). */
  problems: string[];
}

interface PublishedRound {
  priceWad: bigint;
  reports: Array<{ oracle: string; price: string; timestamp: string; signature: { r8x: string; r8y: string; s: string } }>;
}

interface FeedView {
  quorum: number;
  keys: Map<string, OraclePublicKey>;
  rounds: Map<string, PublishedRound>;
}

/** Folds the public streams and answers a verdict for every liquidation in them. */
export class PublicLiquidationVerifier {
  private readonly feeds = new Map<string, FeedView>();
  private readonly triggers: Array<Record<string, any>> = [];
  /** The ledger's proofs of detections, by position, commitment and round. */
  private readonly detectionProofs = new Map<string, Record<string, any>>();

  constructor(private readonly verificationKey?: VerificationKey) {}

  /** An event of `public-prices`. */
  price({ type, data }: PublicRecord): void {
    const feed = this.feeds.get(data.feed) ?? { quorum: 1, keys: new Map(), rounds: new Map() };
    this.feeds.set(data.feed, feed);
    if (type === 'FeedRegistered') feed.quorum = Number(data.quorum);
    if (type === 'OracleKeyRegistered') feed.keys.set(data.oracle, { x: BigInt(data.publicKey.x), y: BigInt(data.publicKey.y) });
    if (type === 'PriceUpdated') feed.rounds.set(String(data.round), { priceWad: BigInt(data.priceWad), reports: data.reports ?? [] });
  }

  /** An event of `public-liquidations`. */
  liquidation({ type, data }: PublicRecord): void {
    if (type === 'LiquidationTriggered') this.triggers.push(data);
    if (type === 'LiquidationProven') this.detectionProofs.set(keyOf(data), data);
  }

  async verdicts(): Promise<LiquidationVerdict[]> {
    const out: LiquidationVerdict[] = [];
    for (const trigger of this.triggers) {
      const by = trigger.by === 'proof' ? 'proof' : 'detection';
      const carrier = by === 'proof' ? trigger : this.detectionProofs.get(keyOf(trigger));
      const base = { positionId: String(trigger.positionId), round: String(trigger.round), commitment: String(trigger.commitment), by } as const;
      if (!carrier) {
        out.push({ ...base, verdict: by === 'proof' ? 'invalid' : 'pending', problems: by === 'proof' ? ['the trigger carries no proof'] : [] });
        continue;
      }
      const problems = await this.problemsOf(trigger, carrier, by === 'proof' ? String(trigger.liquidator) : LEDGER_PROVER);
      out.push({ ...base, verdict: problems.length ? 'invalid' : 'valid', problems });
    }
    return out;
  }

  private async problemsOf(trigger: Record<string, any>, carrier: Record<string, any>, prover: string): Promise<string[]> {
    let signals: LiquidationPublicSignals;
    try {
      signals = parsePublicSignals(carrier.publicSignals);
    } catch (err) {
      if (err instanceof PublicSignalsError) return [`public signals: ${err.message}`];
      throw err;
    }
    const problems: string[] = [];
    const positionId = idToField(String(trigger.positionId));
    const commitment = BigInt(trigger.commitment);
    const round = BigInt(trigger.round);
    const expected: Partial<LiquidationPublicSignals> = {
      positionId,
      commitment,
      feed: idToField(String(trigger.feed)),
      round,
      liquidator: idToField(prover),
      nullifier: liquidationNullifier(positionId, round, commitment),
    };
    if (trigger.thresholdBps !== undefined) expected.threshold = BigInt(trigger.thresholdBps);
    if (trigger.collateralDecimals !== undefined) expected.collateralUnit = unitOf(Number(trigger.collateralDecimals));
    if (trigger.debtDecimals !== undefined) expected.debtUnit = unitOf(Number(trigger.debtDecimals));
    for (const name of mismatchedSignals(signals, expected)) problems.push(`the proof's ${name} is not this liquidation's`);
    // The ledger's own proof states the trigger's index; a liquidator's may cite an earlier, lower one.
    if (trigger.borrowIndex !== undefined) {
      const index = parseDecimal(String(trigger.borrowIndex), 27, 'borrowIndex');
      if (prover === LEDGER_PROVER ? signals.borrowIndex !== index : signals.borrowIndex > index) problems.push("the proof's borrow index is not the trigger's");
    }
    problems.push(...this.roundProblems(String(trigger.feed), String(trigger.round), signals.price));
    if (!(await verifyLiquidationProof(carrier.proof, carrier.publicSignals, this.verificationKey))) problems.push('the proof does not verify against its public signals');
    return problems;
  }

  /** The proof's price must be the round's published price, the median of its signed quorum. */
  private roundProblems(feedName: string, roundNumber: string, price: bigint): string[] {
    const feed = this.feeds.get(feedName);
    const round = feed?.rounds.get(roundNumber);
    if (!feed || !round) return [`round ${roundNumber} of ${feedName} is not on the public price stream`];
    const problems: string[] = [];
    if (price !== round.priceWad) problems.push(`the proof's price is not round ${roundNumber}'s accepted price`);
    if (round.reports.length < feed.quorum) problems.push(`round ${roundNumber} names ${round.reports.length} reports, fewer than the quorum of ${feed.quorum}`);
    for (const r of round.reports) {
      const key = feed.keys.get(r.oracle);
      const signature = { r8x: BigInt(r.signature.r8x), r8y: BigInt(r.signature.r8y), s: BigInt(r.signature.s) };
      if (!key || !verifySignature(reportMessage(feedName, BigInt(roundNumber), BigInt(r.price), BigInt(r.timestamp)), signature, key)) {
        problems.push(`${r.oracle}'s report in round ${roundNumber} is not signed by its registered key`);
      }
    }
    if (round.reports.length && medianPrice(round.reports.map((r) => BigInt(r.price))) !== round.priceWad) problems.push(`round ${roundNumber}'s price is not the median of its reports`);
    return problems;
  }
}

function keyOf(data: Record<string, any>): string {
  return `${data.positionId}|${data.commitment}|${data.round}`;
}
