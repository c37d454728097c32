/**
 * One sample call for every route the ledger serves, with who may make it (the policy, stated here
 * independently of the rules in the code), over a small market built for them: the access matrix, the
 * fuzz test and the no-leak test all walk the route table with these.
 */
import { Role, ROLES } from '../../src/domain/access/access-registry';
import { loadCrypto } from '../../src/domain/crypto/crypto';
import { PUBLIC_SIGNAL_NAMES } from '../../src/domain/liquidation/public-signals';
import { signReport } from '../../src/oracle/report-signing';
import { Actor, removeDataDir, RunningLedger, startLedger } from './ledger-app';
import { FEED, Market, POOL, POOL_PARAMETERS } from './scenario';
import { waitFor } from './wait';

export type Caller = Role | 'anonymous';

export interface SampleCall {
  path: string;
  body?: unknown;
  /**
   * `success` (the default): an allowed caller gets 2xx. `access`: success needs what the sample cannot
   * build (a valid proof, an English auction, a stale one), so an allowed caller must get past access
   * control to the domain's own 4xx refusal, never 401/403/429/5xx.
   */
  expect?: 'success' | 'access';
  /** A server-sent events stream: only its status is read. */
  sse?: boolean;
}

export type Sampler = (caller: Caller) => Promise<SampleCall>;

export interface Sampled {
  ledger: RunningLedger;
  /** Per `METHOD path`: who may call it, and its sample call. */
  samples: Record<string, [readonly Role[] | 'anyone', Sampler]>;
  /** A principal of each role (the borrower owns `ownPosition`). */
  actors: Record<Role, Actor>;
  market: Market;
  ownPosition: string;
}

/** A ledger with the market the samples act on. */
async function startSampled(dataDir?: string, env: Record<string, string> = {}): Promise<Sampled> {
  const ledger = await startLedger(dataDir, env);
  return { ledger, ...(await routeSamples(ledger)) };
}

async function stopSampled({ ledger }: Sampled): Promise<void> {
  await ledger.stop();
  await removeDataDir(ledger.dataDir);
}

/**
 * A sampled ledger for the test file: started before its tests (where and how `options` says, when
 * given), stopped after them. Answers a getter, to call once the tests run.
 */
export function sampledLedgerForTests(options?: () => Promise<{ dataDir?: string; env?: Record<string, string> }>): () => Sampled {
  let sampled: Sampled | undefined;
  beforeAll(async () => {
    await loadCrypto();
    const { dataDir, env } = (await options?.()) ?? {};
    sampled = await startSampled(dataDir, env);
  });
  afterAll(async () => {
    if (sampled) await stopSampled(sampled);
  });
  return () => {
    if (!sampled) throw new Error('the sampled ledger has not started');
    return sampled;
  };
}

/** Sets up the market the samples act on; answers the samples and the actors of each role. */
async function routeSamples(ledger: RunningLedger): Promise<Omit<Sampled, 'ledger'>> {
  const market = new Market(ledger);
  const actors = {} as Record<Role, Actor>;
  let auctionId = '';
  let ownPosition = '';
  let n = 0;
  let round = 1000n;
  const fresh = (prefix: string) => `${prefix}-${++n}`;
  /** The pool's market, funded once by the admin for the samples that read it, whichever caller comes first. */
  let marketFunded: Promise<unknown> | undefined;
  const admin = (method: string, route: string, body?: unknown) => market.ok(method, route, body);

  /** The caller's id where a body names who acts (so an allowed caller names itself). */
  const idOf = (caller: Caller) => (caller === 'anonymous' ? 'nobody' : actors[caller].id);

  /** A pool on the market's feed, ready for commands. */
  async function newPool(): Promise<string> {
    const poolId = fresh('sample-pool');
    await admin('POST', '/pools', { commandId: fresh('pool'), poolId, collateral: { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'USDC', decimals: 6 }, feed: FEED, parameters: POOL_PARAMETERS });
    return poolId;
  }

  /** A position of the matrix's borrower: 2 WETH against `debt` USDC. */
  async function newPosition(debt = '1000'): Promise<string> {
    const positionId = fresh('sample-position');
    if (debt === '0') {
      await market.ok('POST', '/positions', { commandId: fresh('open'), positionId, poolId: POOL }, actors.borrower);
      await market.ok('POST', `/positions/${positionId}/collateral/deposit`, { commandId: fresh('deposit'), amount: '2' }, actors.borrower);
    } else {
      await market.borrow(positionId, '2', debt, POOL, actors.borrower);
    }
    return positionId;
  }

  async function newKey(): Promise<string> {
    const issued = await admin('POST', '/principals/sample-keys/keys', { commandId: fresh('key') });
    return issued.keyId;
  }

  /**
   * Per route: who may call it (the policy, stated here independently of the rules in the code, so a
   * loosened rule fails too), and one sample call, keyed by `METHOD path` as the route table names it.
   */
  const samples: Record<string, [readonly Role[] | 'anyone', (caller: Caller) => Promise<SampleCall>]> = {
    'GET /health/live': ['anyone', async () => ({ path: '/health/live' })],
    'GET /health/ready': ['anyone', async () => ({ path: '/health/ready' })],
    'GET /metrics': [['admin', 'auditor', 'integrator'], async () => ({ path: '/metrics' })],
    'GET /projections': [['admin', 'auditor', 'integrator'], async () => ({ path: '/projections' })],
    'POST /projections/:name/rebuild': [['admin'], async () => ({ path: '/projections/pool-state/rebuild', body: {} })],
    'GET /streams/:stream/events': ['anyone', async () => ({ path: '/streams/public-prices/events', sse: true })],
    'GET /dashboard': ['anyone', async () => ({ path: `/dashboard?pool=${POOL}` })],
    'GET /dashboard/assets/:name': ['anyone', async () => ({ path: '/dashboard/assets/uplot.css' })],
    'GET /dashboard/pools': ['anyone', async () => ({ path: '/dashboard/pools' })],
    'GET /dashboard/pools/:poolId/health-bands': ['anyone', async () => ({ path: `/dashboard/pools/${POOL}/health-bands` })],

    'POST /feeds': [['admin'], async () => ({ path: '/feeds', body: { commandId: fresh('feed'), feed: fresh('FEED'), quorum: 1, heartbeatSeconds: 3600, deviationLimitBps: 5000, maxFutureSkewSeconds: 30 } })],
    'POST /feeds/:feed/oracles': [['admin'], async () => ({ path: `/feeds/${FEED}/oracles`, body: { commandId: fresh('oracle'), oracle: fresh('oracle-x'), publicKey: market.oracles.c.publicKey } })],
    'POST /feeds/:feed/oracles/:oracle/revoke': [['admin'], async () => {
      const oracle = fresh('oracle-tmp');
      await admin('POST', `/feeds/${FEED}/oracles`, { commandId: fresh('oracle'), oracle, publicKey: market.oracles.c.publicKey });
      return { path: `/feeds/${FEED}/oracles/${oracle}/revoke`, body: { commandId: fresh('revoke') } };
    }],
    'POST /feeds/:feed/reports': [['oracle'], async () => {
      const report = signReport(market.oracles.c.privateKey, FEED, ++round, '1999', BigInt(Math.floor(Date.now() / 1000)));
      return { path: `/feeds/${FEED}/reports`, body: { commandId: fresh('report'), oracle: 'oracle-c', ...report } };
    }],
    'GET /feeds/:feed': [ROLES, async () => ({ path: `/feeds/${FEED}` })],
    'GET /feeds/:feed/rounds/:round': [ROLES, async () => ({ path: `/feeds/${FEED}/rounds/latest` })],

    'POST /pools': [['admin'], async () => ({ path: '/pools', body: { commandId: fresh('pool'), poolId: fresh('pool'), collateral: { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'USDC', decimals: 6 }, feed: FEED, parameters: POOL_PARAMETERS } })],
    'PATCH /pools/:poolId/parameters': [['admin'], async () => ({ path: `/pools/${await newPool()}/parameters`, body: { commandId: fresh('params'), parameters: { dustLimit: '20' } } })],
    'POST /pools/:poolId/accrue': [['admin', 'liquidator'], async () => ({ path: `/pools/${POOL}/accrue`, body: { commandId: fresh('accrue') } })],
    'POST /pools/:poolId/liquidations/pause': [['admin'], async () => ({ path: `/pools/${await newPool()}/liquidations/pause`, body: { commandId: fresh('pause') } })],
    'POST /pools/:poolId/liquidations/resume': [['admin'], async () => {
      const poolId = await newPool();
      await admin('POST', `/pools/${poolId}/liquidations/pause`, { commandId: fresh('pause') });
      return { path: `/pools/${poolId}/liquidations/resume`, body: { commandId: fresh('resume') } };
    }],
    'GET /pools/:poolId': [ROLES, async () => ({ path: `/pools/${POOL}` })],
    'PUT /pools/:poolId/risk-engine': [['admin'], async () => ({
      path: `/pools/${await newPool()}/risk-engine`,
      body: {
        commandId: fresh('risk'), model: 'ewma', mode: 'propose', confidenceBps: 9900, bounds: { minMaxLtvBps: 5000, maxMaxLtvBps: 7500, minThresholdBps: 6000, maxThresholdBps: 8250 },
        maxStepBps: 250, noticeSeconds: 60, window: 10, observationSeconds: 3600, detectionSeconds: 60,
      },
    })],
    'GET /pools/:poolId/risk-engine': [ROLES, async () => ({ path: `/pools/${POOL}/risk-engine` })],
    // The sample pool's engine is off: an allowed caller reaches the refusal RISK_ENGINE_OFF, and no proposal waits to be applied.
    'POST /pools/:poolId/risk-engine/proposals': [['admin'], async () => ({ path: `/pools/${POOL}/risk-engine/proposals`, body: { commandId: fresh('propose') }, expect: 'access' })],
    'POST /pools/:poolId/risk-engine/proposals/:proposalId/apply': [['admin'], async () => ({ path: `/pools/${POOL}/risk-engine/proposals/round-1/apply`, body: { commandId: fresh('apply') }, expect: 'access' })],

    'POST /positions': [['borrower'], async (caller) => ({ path: '/positions', body: { commandId: fresh('open'), positionId: fresh('opened'), poolId: POOL, owner: idOf(caller) } })],
    'POST /positions/:positionId/collateral/deposit': [['borrower'], async () => ({ path: `/positions/${await newPosition()}/collateral/deposit`, body: { commandId: fresh('deposit'), amount: '1' } })],
    'POST /positions/:positionId/collateral/withdraw': [['borrower'], async () => ({ path: `/positions/${await newPosition()}/collateral/withdraw`, body: { commandId: fresh('withdraw'), amount: '0.1' } })],
    'POST /positions/:positionId/debt/draw': [['borrower'], async () => ({ path: `/positions/${await newPosition()}/debt/draw`, body: { commandId: fresh('draw'), amount: '10' } })],
    'POST /positions/:positionId/debt/repay': [['borrower'], async () => ({ path: `/positions/${await newPosition()}/debt/repay`, body: { commandId: fresh('repay'), amount: '10' } })],
    'POST /positions/:positionId/debt/repay-all': [['borrower'], async () => ({ path: `/positions/${await newPosition()}/debt/repay-all`, body: { commandId: fresh('repay-all') } })],
    'POST /positions/:positionId/close': [['borrower'], async () => ({ path: `/positions/${await newPosition('0')}/close`, body: { commandId: fresh('close') } })],
    'GET /positions/:positionId': [['borrower', 'auditor'], async () => ({ path: `/positions/${ownPosition}` })],
    'GET /positions/:positionId/opening': [['borrower', 'auditor'], async () => ({ path: `/positions/${ownPosition}/opening` })],
    'POST /positions/:positionId/liquidation-proofs': [['liquidator'], async (caller) => ({
      path: `/positions/${ownPosition}/liquidation-proofs`,
      body: { commandId: fresh('proof'), liquidator: idOf(caller), proof: { pi_a: ['1', '2', '1'] }, publicSignals: PUBLIC_SIGNAL_NAMES.map(() => '1') },
      expect: 'access',
    })],

    'GET /liquidations': [ROLES, async () => ({ path: '/liquidations' })],
    'GET /liquidations/global-cap': [ROLES, async () => ({ path: '/liquidations/global-cap' })],
    // A cap far above anything the samples put under auction, so it holds nothing back.
    'PUT /liquidations/global-cap': [['admin'], async () => ({ path: '/liquidations/global-cap', body: { commandId: fresh('cap'), cap: String(900_000_000_000n + ++round) } })],
    'POST /liquidations/global-cap/lift': [['admin'], async () => {
      await admin('PUT', '/liquidations/global-cap', { commandId: fresh('cap'), cap: '1000000000000' });
      return { path: '/liquidations/global-cap/lift', body: { commandId: fresh('lift') } };
    }],
    'GET /auctions': [['liquidator', 'auditor', 'admin'], async () => ({ path: '/auctions' })],
    'GET /auctions/:auctionId': [['liquidator', 'auditor', 'admin'], async () => ({ path: `/auctions/${auctionId}` })],
    'POST /auctions/:auctionId/take': [['liquidator'], async (caller) => ({ path: `/auctions/${auctionId}/take`, body: { commandId: fresh('take'), taker: idOf(caller), collateral: '0.01', maxPrice: '100000' } })],
    // The auction is Dutch and fresh: a bid and a reset are the domain's to refuse.
    'POST /auctions/:auctionId/bids': [['liquidator'], async (caller) => ({ path: `/auctions/${auctionId}/bids`, body: { commandId: fresh('bid'), bidder: idOf(caller), amount: '100' }, expect: 'access' })],
    'POST /auctions/:auctionId/reset': [['liquidator'], async (caller) => ({ path: `/auctions/${auctionId}/reset`, body: { commandId: fresh('reset'), keeper: idOf(caller) }, expect: 'access' })],
    'POST /pools/:poolId/market/liquidity': [['admin'], async () => ({ path: `/pools/${POOL}/market/liquidity`, body: { commandId: fresh('liquidity'), collateral: '10', debt: '20000' } })],
    'GET /pools/:poolId/market': [['admin', 'auditor', 'liquidator'], async () => ((marketFunded ??= admin('POST', `/pools/${POOL}/market/liquidity`, { commandId: fresh('liquidity'), collateral: '10', debt: '20000' })), await marketFunded, { path: `/pools/${POOL}/market` })],

    'POST /audit/checkpoints': [['auditor', 'admin'], async () => ({ path: '/audit/checkpoints', body: {} })],
    'GET /audit/ledger-key': ['anyone', async () => ({ path: '/audit/ledger-key' })],
    'POST /audit/ledger-key/rotations': [['admin'], async () => ({ path: '/audit/ledger-key/rotations', body: {} })],
    'GET /audit/pools/:poolId': [['auditor'], async () => ({ path: `/audit/pools/${POOL}` })],
    'GET /audit/positions/:positionId': [['auditor'], async () => ({ path: `/audit/positions/${ownPosition}` })],

    'POST /principals': [['admin'], async () => ({ path: '/principals', body: { commandId: fresh('principal'), principalId: fresh('someone'), role: 'integrator' } })],
    'GET /principals': [['admin'], async () => ({ path: '/principals' })],
    'GET /principals/me': [ROLES, async () => ({ path: '/principals/me' })],
    'POST /principals/:principalId/keys': [['admin'], async () => ({ path: '/principals/sample-keys/keys', body: { commandId: fresh('key') } })],
    'POST /keys/:keyId/rotate': [['admin'], async () => ({ path: `/keys/${await newKey()}/rotate`, body: { commandId: fresh('rotate') } })],
    'POST /keys/:keyId/revoke': [['admin'], async () => ({ path: `/keys/${await newKey()}/revoke`, body: { commandId: fresh('revoke') } })],
  };

  await market.open('2000');
  actors.admin = ledger.admin;
  actors.borrower = market.borrower;
  actors.oracle = market.oracles.c.actor as Actor;
  for (const role of ['liquidator', 'auditor', 'integrator'] as const) actors[role] = await ledger.principal(`sample-${role}`, role);
  await ledger.principal('sample-keys', 'integrator');
  ownPosition = await newPosition();
  // An auction to read and take from: a position the next price leaves under its threshold.
  await market.borrow('sample-liquidated', '1', '1400');
  await market.publish(2n, '1600');
  auctionId = await waitFor(async () => ((await admin('GET', '/auctions')) as { auctionId: string; positionId: string }[]).find((a) => a.positionId === 'sample-liquidated')?.auctionId);
  return { samples, actors, market, ownPosition };
}

/** Makes a sample call as `apiKey`'s holder (anonymously without one): its status and error code. */
export async function callWith(ledger: RunningLedger, apiKey: string | undefined, method: string, sample: SampleCall): Promise<{ status: number; code?: string; text: string }> {
  const headers: Record<string, string> = apiKey ? { authorization: `Bearer ${apiKey}` } : {};
  if (sample.sse) {
    const abort = new AbortController();
    const res = await fetch(ledger.url + sample.path, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
    const status = res.status;
    const text = status >= 400 ? await res.text() : '';
    abort.abort();
    return { status, code: status >= 400 ? (JSON.parse(text) as { code?: string }).code : undefined, text };
  }
  const res = await ledger.api(method, sample.path, sample.body, headers);
  return { status: res.status, code: res.status >= 400 ? (res.body as { code?: string }).code : undefined, text: res.text };
}

/**
 * The routes the HTTP server serves, as `METHOD path` (the OpenAPI pages under /docs aside, and the
 * HEAD the server answers beside each GET), read from Fastify's own print of its routing tree.
 */
export function servedRoutes(ledger: RunningLedger): string[] {
  const tree = (ledger.app.getHttpAdapter().getInstance() as { printRoutes(options: { commonPrefix: boolean }): string }).printRoutes({ commonPrefix: false });
  const prefixes: string[] = [];
  const routes: string[] = [];
  for (const line of tree.split('\n')) {
    const node = /^((?:[│ ] {3})*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!node) continue;
    prefixes.length = node[1].length / 4;
    prefixes.push(node[2]);
    for (const method of node[3]?.split(', ') ?? []) if (method !== 'HEAD') routes.push(`${method} ${prefixes.join('')}`);
  }
  return routes.filter((r) => !r.startsWith('GET /docs'));
}
