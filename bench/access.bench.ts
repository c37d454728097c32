/**
 * Issue 8: proof submissions above the rate limit are shed with 429 while ordinary commands keep their
 * latency. A ledger process (liquidation detection off, the default proof limit of 30 per minute per
 * principal, a command limit far above the run's load) serves borrowers depositing on their own
 * positions in closed loops: first alone (baseline), then under a flood of proof submissions from
 * several liquidator principals. The flood is a tampered copy of one real proof for a liquidatable
 * position: its public signals pass every check against the ledger's state, so each submission that
 * gets past the limiter costs a full verification and is refused 422 INVALID_PROOF. The peer, in the
 * same run: the same phases on a second ledger whose proof limit is effectively off.
 *
 * The flood is open loop (a fixed rate of submissions, as an attacker chooses it, whatever the answers),
 * so both ledgers are offered the same load: with the limit, each liquidator's allowance (30 a minute,
 * all of it available at once) goes to the verifier and the excess is answered 429 at once; without it,
 * the verifier's bounded queue fills and the excess is answered 503 VERIFIER_BUSY. The limited flood is
 * also shown split where its last non-429 answer came: the allowance being verified, then shedding only.
 * Every proof answer is classified by status and code (and Retry-After where one is due); anything else
 * is counted apart under "other answers", and a 401/403 or a 2xx aborts the run (a setup bug). No
 * assertions on the numbers: the table and a one-line verdict report them.
 *
 * BENCH_ACCESS_PROOFS_PER_SECOND (default 200) sets the offered rate, BENCH_ACCESS_SECONDS (default 10)
 * each phase's length.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import { idToField, loadCrypto } from '../src/domain/crypto/crypto';
import { PUBLIC_SIGNAL_INDEX } from '../src/domain/liquidation/public-signals';
import { RAY } from '../src/domain/math/fixed-point';
import { parseDecimal } from '../src/domain/math/decimal';
import { generateOracleKey, signReport } from '../src/oracle/report-signing';
import { BASE_FIELD_MODULUS, releaseCurve, verifyLiquidationProof } from '../src/zk';
import { LiquidationProof, proveLiquidation } from '../src/zk/prover';
import { buildWitnessInput, LiquidationClaim } from '../src/zk/witness';
import { Benchmark, BenchRow, fmt, percentile } from './bench';
import { LedgerProcess, startLedgerProcess } from './support/ledger-process';

const SECONDS = Number(process.env.BENCH_ACCESS_SECONDS ?? 10);
const WARMUP_SECONDS = 2;
/** Ordinary load: borrowers, each in a closed loop on its own position. */
const BORROWERS = 8;
/** Flooders: liquidator principals, each with its own proof limit. */
const LIQUIDATORS = 4;
/** Offered proof submissions per second, all liquidators together. */
const PROOFS_PER_SECOND = Number(process.env.BENCH_ACCESS_PROOFS_PER_SECOND ?? 200);
const PROOF_LIMIT_PER_MINUTE = 30;
const FEED = 'ETH-USD';
const POOL = 'pool';
const VICTIM = 'victim';

const parameters = {
  maxLtvBps: 7500, liquidationThresholdBps: 8250, liquidationPenaltyBps: 500, liquidatorBonusBps: 300, protocolFeeBps: 1000,
  // No stability fee: the borrow index stays at RAY, so the proof's index signal holds for the whole run.
  closeFactorBps: 5000, fullCloseHealthFactor: '0.95', dustLimit: '0', liquidationCollateralCap: '1000', stabilityFeeYearly: '0',
};

interface Reply {
  status: number;
  code?: string;
  retryAfter?: string;
  text: string;
  ms: number;
}

/** One POST over a keep-alive agent; the answer's code is read only from refusals. */
function post(agent: http.Agent, url: string, route: string, apiKey: string, body: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(
      url + route,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${apiKey}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString();
          let code: string | undefined;
          if (status >= 300) {
            try {
              code = JSON.parse(text).code;
            } catch {
              code = undefined;
            }
          }
          const retryAfter = res.headers['retry-after'];
          resolve({ status, code, retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, text, ms: performance.now() - started });
        });
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => reject(Object.assign(new Error(`POST ${route}: ${err.code ?? err.message}${req.reusedSocket ? ' (on a reused keep-alive socket)' : ''}`), { code: err.code, reused: req.reusedSocket })));
    req.end(body);
  });
}

async function get<T>(url: string, route: string, apiKey: string): Promise<T> {
  const res = await fetch(url + route, { headers: { authorization: `Bearer ${apiKey}` } });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${route}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

interface Flooder {
  id: string;
  apiKey: string;
  /** The tampered proof bound to this liquidator, as a request body for a given command id. */
  body(commandId: string): string;
}

interface Market {
  borrowers: Array<{ positionId: string; apiKey: string }>;
  flooders: Flooder[];
}

/**
 * Feed, pool, borrowers with funded positions, and the victim: a position made liquidatable by a
 * price drop, proven once by liquidator l0. Each flooder gets a copy of that proof with pi_a negated
 * (still a point of G1, so verification runs to the end and fails) and the liquidator signal set to
 * its own id (so the submission passes the ledger's checks of the claim as that liquidator).
 */
async function setUp(ledger: LedgerProcess): Promise<Market> {
  const oracle = generateOracleKey();
  const oracleKey = await ledger.principal('o', 'oracle', [FEED]);
  const now = () => BigInt(Math.floor(Date.now() / 1000));
  const report = (round: bigint, price: string) => signReport(oracle.privateKey, FEED, round, price, now());
  await ledger.post('/feeds', { commandId: 'feed', feed: FEED, quorum: 1, heartbeatSeconds: 3600, deviationLimitBps: 5000, maxFutureSkewSeconds: 30 });
  await ledger.post(`/feeds/${FEED}/oracles`, { commandId: 'key', oracle: 'o', publicKey: oracle.publicKey });
  await ledger.post(`/feeds/${FEED}/reports`, { commandId: 'report-1', oracle: 'o', ...report(1n, '2000') }, oracleKey);
  await ledger.post('/pools', { commandId: 'pool', poolId: POOL, collateral: { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'USDC', decimals: 6 }, feed: FEED, parameters });

  const borrowers: Market['borrowers'] = [];
  for (let i = 0; i < BORROWERS; i++) {
    const apiKey = await ledger.principal(`b${i}`, 'borrower');
    await ledger.post('/positions', { commandId: `open-${i}`, positionId: `p${i}`, poolId: POOL }, apiKey);
    await ledger.post(`/positions/p${i}/collateral/deposit`, { commandId: `fund-${i}`, amount: '1000' }, apiKey);
    borrowers.push({ positionId: `p${i}`, apiKey });
  }

  // The victim borrows 70% of its collateral's value; ETH falls 20%: health factor 1.25 × 1600 × 0.825 / 1750 ≈ 0.94.
  const victimKey = await ledger.principal(VICTIM, 'borrower');
  await ledger.post('/positions', { commandId: 'open-victim', positionId: VICTIM, poolId: POOL }, victimKey);
  await ledger.post(`/positions/${VICTIM}/collateral/deposit`, { commandId: 'fund-victim', amount: '1.25' }, victimKey);
  await ledger.post(`/positions/${VICTIM}/debt/draw`, { commandId: 'draw-victim', amount: '1750' }, victimKey);
  const drop = report(2n, '1600');
  await ledger.post(`/feeds/${FEED}/reports`, { commandId: 'report-2', oracle: 'o', ...drop }, oracleKey);

  const liquidators: Array<{ id: string; apiKey: string }> = [];
  for (let i = 0; i < LIQUIDATORS; i++) liquidators.push({ id: `l${i}`, apiKey: await ledger.principal(`l${i}`, 'liquidator') });

  // The claim as the liquidator CLI builds it: the owner's opening, the pool, the round's accepted price (one report: its own price).
  const opening = await get<{ collateral: string; scaledDebt: string; salt: string }>(ledger.url, `/positions/${VICTIM}/opening`, victimKey);
  const claim: LiquidationClaim = {
    opening: { collateral: BigInt(opening.collateral), scaledDebt: BigInt(opening.scaledDebt), salt: BigInt(opening.salt) },
    roundPrice: { feed: FEED, round: BigInt(drop.round), price: parseDecimal(drop.price, 18, 'price') },
    pool: { thresholdBps: BigInt(parameters.liquidationThresholdBps), collateralDecimals: 18, debtDecimals: 6, borrowIndex: RAY },
    positionId: VICTIM,
    liquidator: liquidators[0].id,
  };
  const real = await proveLiquidation(buildWitnessInput(claim));
  if (!(await verifyLiquidationProof(real.proof, real.publicSignals))) throw new Error('setup: the real proof does not verify');

  const [x, y] = real.proof.pi_a;
  const tamperedProof = { ...real.proof, pi_a: [x, (BASE_FIELD_MODULUS - BigInt(y)).toString(), '1'] };
  const flooders: Flooder[] = [];
  for (const { id, apiKey } of liquidators) {
    const publicSignals = [...real.publicSignals];
    publicSignals[PUBLIC_SIGNAL_INDEX.liquidator] = idToField(id).toString();
    const tampered: LiquidationProof = { proof: tamperedProof, publicSignals };
    // l0's signals are the real proof's own: only the points differ. Whatever the signals, the copy must not verify.
    if (id === liquidators[0].id && publicSignals.some((s, i) => s !== real.publicSignals[i])) throw new Error("setup: l0's signals differ from the real proof's");
    if (await verifyLiquidationProof(tampered.proof, tampered.publicSignals)) throw new Error('setup: the tampered proof verifies');
    const head = JSON.stringify({ liquidator: id, proof: tampered.proof, publicSignals }).slice(1);
    flooders.push({ id, apiKey, body: (commandId) => `{"commandId":${JSON.stringify(commandId)},${head}` });
  }
  return { borrowers, flooders };
}

type ProofOutcome = 'invalid' | 'limited' | 'busy' | string;

/** What one phase saw; times in ms from its start. */
interface PhaseResult {
  seconds: number;
  /** Commands answered 2xx inside the window: when the answer came, and how long it took. */
  commands: Array<{ at: number; ms: number }>;
  commandErrors: number;
  /** Every proof sent (all are answered before the phase returns). */
  proofs: Array<{ sentAt: number; answeredAt: number; ms: number; outcome: ProofOutcome }>;
}

/** The error for an answer that must not happen (an auth failure is a setup bug, not a number). */
function unexpected(what: string, reply: Reply): Error {
  return new Error(`${what}: unexpected ${reply.status} ${reply.text.slice(0, 300)}`);
}

/**
 * Runs the ordinary load for `seconds` (closed loops, one per borrower), with the proof flood beside it
 * when `flood` is set; keeps the commands answered inside the window, and every proof's answer.
 */
async function phase(ledger: LedgerProcess, market: Market, seconds: number, flood: boolean, tag: string): Promise<PhaseResult> {
  const commandAgent = new http.Agent({ keepAlive: true, maxSockets: BORROWERS });
  const proofAgent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  let failure: Error | undefined;
  const commands: PhaseResult['commands'] = [];
  const proofs: PhaseResult['proofs'] = [];
  let commandErrors = 0;
  let sent = 0;
  const seen = new Set<string>();
  const started = performance.now();
  const window = seconds * 1000;
  const elapsed = () => performance.now() - started;
  let seq = 0;

  const borrower = async ({ positionId, apiKey }: Market['borrowers'][number]) => {
    while (!failure && elapsed() < window) {
      const reply = await post(commandAgent, ledger.url, `/positions/${positionId}/collateral/deposit`, apiKey, JSON.stringify({ commandId: `${tag}-${++seq}`, amount: '0.001' }));
      if (reply.status === 401 || reply.status === 403) throw unexpected(`deposit on ${positionId}`, reply);
      if (reply.status >= 300) {
        if (commandErrors++ === 0 || reply.status === 429) progress(`a deposit refused (${tag}): ${reply.status} ${reply.text.slice(0, 200)}`);
        if (reply.status === 429) throw unexpected(`deposit on ${positionId} (the command limit must stay out of the way)`, reply);
        continue;
      }
      const at = elapsed();
      if (at <= window) commands.push({ at, ms: reply.ms });
    }
  };

  const submit = async (flooder: Flooder) => {
    const sentAt = elapsed();
    const reply = await post(proofAgent, ledger.url, `/positions/${VICTIM}/liquidation-proofs`, flooder.apiKey, flooder.body(`${tag}-proof-${++seq}`));
    const retryAfter = reply.retryAfter !== undefined && Number(reply.retryAfter) >= 1;
    let outcome: ProofOutcome;
    if (reply.status === 422 && reply.code === 'INVALID_PROOF') outcome = 'invalid';
    else if (reply.status === 429 && reply.code === 'RATE_LIMITED' && retryAfter) outcome = 'limited';
    else if (reply.status === 503 && reply.code === 'VERIFIER_BUSY' && retryAfter) outcome = 'busy';
    else if (reply.status === 401 || reply.status === 403 || reply.status < 300) throw unexpected(`proof from ${flooder.id}`, reply);
    else {
      // Not a refusal the run set out to cause: counted apart, never as one of the above, and shown once.
      outcome = `${reply.status} ${reply.code ?? '?'}${reply.status === 429 || reply.status === 503 ? (retryAfter ? '' : ' without Retry-After') : ''}`;
      if (!seen.has(outcome)) progress(`unexpected answer to a proof (${tag}): ${reply.status} ${reply.text.slice(0, 200)}`);
      seen.add(outcome);
    }
    proofs.push({ sentAt, answeredAt: elapsed(), ms: reply.ms, outcome });
  };

  // Open loop: every tick, send what the offered rate owes by now, round robin over the liquidators.
  const flooding = async () => {
    const pending: Promise<void>[] = [];
    while (!failure && elapsed() < window) {
      const due = Math.floor((elapsed() / 1000) * PROOFS_PER_SECOND);
      for (; sent < due; sent++) pending.push(submit(market.flooders[sent % market.flooders.length]).catch((err) => void (failure ??= err)));
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(pending);
  };

  await Promise.all([...market.borrowers.map((b) => borrower(b).catch((err) => void (failure ??= err))), ...(flood ? [flooding()] : [])]);
  commandAgent.destroy();
  proofAgent.destroy();
  if (failure) throw failure;
  return { seconds, commands, commandErrors, proofs };
}

/** Commands answered in [fromMs, toMs), and proofs sent then, as a table row. */
interface Window {
  label: string;
  result: PhaseResult;
  fromMs?: number;
  toMs?: number;
}

function summarize({ result, fromMs = 0, toMs = result.seconds * 1000 }: Window) {
  const latencies = result.commands.filter((c) => c.at >= fromMs && c.at < toMs).map((c) => c.ms).sort((a, b) => a - b);
  const proofs = result.proofs.filter((p) => p.sentAt >= fromMs && p.sentAt < toMs);
  const count = (outcome: ProofOutcome) => proofs.filter((p) => p.outcome === outcome).length;
  const other = new Map<string, number>();
  for (const p of proofs) if (!['invalid', 'limited', 'busy'].includes(p.outcome)) other.set(p.outcome, (other.get(p.outcome) ?? 0) + 1);
  return {
    rate: latencies.length / ((toMs - fromMs) / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    proofs: proofs.length,
    invalid: count('invalid'),
    limited: count('limited'),
    busy: count('busy'),
    other: [...other].map(([kind, n]) => `${n} × ${kind}`).join(', '),
    proofP50: percentile(proofs.map((p) => p.ms).sort((a, b) => a - b), 50),
  };
}

function row(w: Window, baselineP99?: number): BenchRow {
  const s = summarize(w);
  return {
    load: w.label,
    'commands/s': fmt(s.rate, 0),
    'command p50 ms': fmt(s.p50, 1),
    'command p99 ms': fmt(s.p99, 1),
    'p99 vs baseline': baselineP99 === undefined ? '' : `×${fmt(s.p99 / baselineP99, 2)}`,
    'proofs sent': s.proofs,
    'verified (422)': s.invalid,
    'shed 429': s.limited,
    '503 busy': s.busy,
    'other answers': s.other,
    'proof p50 ms': s.proofs ? fmt(s.proofP50, 1) : '',
  };
}

const t0 = performance.now();
function progress(message: string): void {
  process.stderr.write(`  [${fmt((performance.now() - t0) / 1000, 1)} s] ${message}\n`);
}

/** True if nothing listens on 127.0.0.1:port (or holds it otherwise). */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * The ledger's HTTP port and its event store's (1000 above) are taken below the kernel's ephemeral
 * range (32768 up), where the run's own client sockets, and other work's, would otherwise collide
 * with them; both are checked free first, and a failed start is tried again on other ports.
 */
async function startLedger(env: Record<string, string>): Promise<LedgerProcess> {
  for (let attempt = 1; ; attempt++) {
    let port = 0;
    do port = 20_000 + Math.floor(Math.random() * 10_000);
    while (!(await portFree(port)) || !(await portFree(port + 1000)));
    try {
      return await startLedgerProcess({ port, env });
    } catch (err) {
      if (attempt === 3) throw err;
      progress(`ledger failed to start (${(err as Error).message}); another port`);
    }
  }
}

/** Warm-up, baseline, flood, on one ledger already set up. */
async function measure(ledger: LedgerProcess, market: Market, label: string): Promise<{ baseline: PhaseResult; flood: PhaseResult }> {
  progress(`${label}: warm-up, baseline, flood`);
  await phase(ledger, market, WARMUP_SECONDS, false, `${label}-warmup`);
  const baseline = await phase(ledger, market, SECONDS, false, `${label}-baseline`);
  progress(`${label}: baseline ${fmt(baseline.commands.length / baseline.seconds, 0)} commands/s`);
  const flood = await phase(ledger, market, SECONDS, true, `${label}-flood`);
  progress(`${label}: flood ${fmt(flood.commands.length / flood.seconds, 0)} commands/s, ${flood.proofs.length} proofs answered`);
  return { baseline, flood };
}

export const accessBenchmark: Benchmark = {
  name: 'access',
  title: `proof submissions above the rate limit are shed with 429 while ordinary commands keep their latency (issue 8): ${BORROWERS} borrowers depositing in closed loops, ${LIQUIDATORS} liquidators offering ${PROOFS_PER_SECOND} tampered proofs/s, ${SECONDS} s phases`,
  async run(): Promise<BenchRow[]> {
    await loadCrypto();
    // Both ledgers start and are set up side by side (most of the run's fixed cost), then measured one at a time.
    progress('starting both ledgers');
    const env = (proofLimit: number) => ({ LIQUIDATION_DETECTION: 'off', PROOF_RATE_LIMIT: String(proofLimit), COMMAND_RATE_LIMIT: '1000000' });
    const starts = await Promise.allSettled([startLedger(env(PROOF_LIMIT_PER_MINUTE)), startLedger(env(1_000_000))]);
    const ledgers = starts.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    try {
      for (const s of starts) if (s.status === 'rejected') throw s.reason;
      const [limitedLedger, openLedger] = ledgers;
      progress('setting up both markets and proving');
      const [limitedMarket, openMarket] = await Promise.all([setUp(limitedLedger), setUp(openLedger)]);
      const limited = await measure(limitedLedger, limitedMarket, 'limited');
      const open = await measure(openLedger, openMarket, 'open');
      const base = summarize({ label: '', result: limited.baseline }).p99;
      const openBase = summarize({ label: '', result: open.baseline }).p99;
      // With the limit, the flood has two regimes: the liquidators' allowance passing the limiter and
      // being verified (up to the last answer that was not a 429), then nothing but 429s. Shown apart.
      const flood = limited.flood;
      const passed = flood.proofs.filter((p) => p.outcome !== 'limited');
      const split = passed.length ? Math.max(...passed.map((p) => p.answeredAt)) : 0;
      const splitting = split > 0 && split < flood.seconds * 1000 - 1000;
      const s = (ms: number) => fmt(ms / 1000, 1);
      const windows = {
        baseline: { label: 'baseline', result: limited.baseline },
        limited: { label: `flood, proof limit ${PROOF_LIMIT_PER_MINUTE}/min`, result: flood },
        allowance: { label: `  of which ${s(0)}–${s(split)} s: allowance verified`, result: flood, toMs: split },
        shed: { label: `  of which ${s(split)}–${s(flood.seconds * 1000)} s: all shed`, result: flood, fromMs: split },
        openBaseline: { label: 'baseline, peer ledger', result: open.baseline },
        open: { label: 'flood, no proof limit (peer)', result: open.flood },
      };
      const rows = [
        row(windows.baseline),
        row(windows.limited, base),
        ...(splitting ? [row(windows.allowance, base), row(windows.shed, base)] : []),
        row(windows.openBaseline),
        row(windows.open, openBase),
      ];
      const withLimit = summarize(windows.limited);
      const shedOnly = summarize(windows.shed);
      const without = summarize(windows.open);
      const allowed = PROOF_LIMIT_PER_MINUTE * LIQUIDATORS;
      for (const [name, r] of [['with the limit', limited], ['without the limit', open]] as const) {
        const errors = r.baseline.commandErrors + r.flood.commandErrors;
        if (errors) console.log(`note: ${errors} ordinary commands were refused ${name} (see above)`);
      }
      console.log(
        `verdict: under the flood, command p99 is ${fmt(withLimit.p99, 1)} ms with the proof limit vs ${fmt(base, 1)} ms baseline (×${fmt(withLimit.p99 / base, 2)})` +
          (splitting ? `; once the allowance was spent (${s(split)} s in) and every proof was shed with 429, ${fmt(shedOnly.p99, 1)} ms (×${fmt(shedOnly.p99 / base, 2)})` : '') +
          `; without the limit ${fmt(without.p99, 1)} ms vs ${fmt(openBase, 1)} ms (×${fmt(without.p99 / openBase, 2)}). ` +
          `The limit shed ${withLimit.limited} of ${withLimit.proofs} proofs with 429 and let ${withLimit.invalid + withLimit.busy} through to the verifier (allowance ${allowed} = ${PROOF_LIMIT_PER_MINUTE}/min × ${LIQUIDATORS} liquidators); ` +
          `without it ${without.invalid} were verified and ${without.busy} answered 503.`,
      );
      return rows;
    } finally {
      await Promise.all(ledgers.map((l) => l.stop()));
      await releaseCurve();
    }
  },
};
