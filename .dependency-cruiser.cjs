/**
 * The ledger's layers, checked on every `npm test` (`npm run lint:layers`); docs/architecture.md says
 * what each layer is for. From the centre out:
 *
 *   domain          pure decide/evolve: no Nest, no I/O
 *   infrastructure  event store, database, clock, config, observability, the HTTP and CLI kits
 *   capabilities    one Nest module each, in tiers: a module uses the tiers below its own, never its
 *                   own tier's other modules nor a tier above
 *   entry points    the app, the CLI's entry and the simulation: they wire everything together
 *
 * Between modules only a module's public face is imported (see PUBLIC_FACE).
 */
const CAPABILITY_TIERS = [
  // who may call what: every controller declares it
  ['access'],
  // price feeds; read models of the events
  ['oracle', 'projections'],
  // pools and positions: read prices, answer from read models
  ['ledger'],
  // proofs about positions
  ['zk'],
  // act on, check or report on everything below
  ['liquidation', 'risk-engine', 'audit', 'operations'],
];
const INFRASTRUCTURE = ['eventstore', 'database', 'clock', 'config', 'observability', 'http', 'cli'];
const ENTRY_POINTS = '^src/(main|app|app\\.module)\\.ts$|^src/cli/main\\.ts$|^src/simulation/';

const CAPABILITIES = CAPABILITY_TIERS.flat();
const folders = (names) => `^src/(${names.join('|')})/`;

/**
 * What other modules may import of a module: its Nest module, its commands (what others ask it to do),
 * its queries and services (what it answers), a plain library's index, a wire protocol, and the CLI
 * commands it adds (for the CLI's entry). Everything else — controllers, DTOs, views, helpers — is its own.
 */
const PUBLIC_FACE = [
  '[^/]+\\.module\\.ts$',
  '[^/]+\\.command\\.ts$',
  '[^/]+\\.(query|service)\\.ts$',
  'index\\.ts$',
  '[^/]+-protocol\\.ts$',
  '[^/]+\\.cli\\.ts$',
  // The rule each controller declares (@Access): the access module's whole point.
  'access/access-policy\\.ts$',
  // Providers their Nest modules export (ZkModule, ProjectionsModule).
  'zk/detection-prover\\.ts$',
  'projections/auctions/auctions\\.projection\\.ts$',
  // Formats that leave the ledger: the export file an auditor reads, the report an oracle signs.
  'audit/history\\.ts$',
  'oracle/report-signing\\.ts$',
].join('|');

const tierRules = CAPABILITY_TIERS.flatMap((tier, i) => {
  const above = CAPABILITY_TIERS.slice(i + 1).flat();
  return tier.map((module) => ({
    name: `${module}-tier`,
    comment: `${module} uses only the capability tiers below its own.`,
    severity: 'error',
    from: { path: `^src/${module}/` },
    to: { path: folders([...tier.filter((m) => m !== module), ...above]) },
  }));
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle makes its files one unit that cannot be understood, tested or moved apart; types count too.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      comment: 'The domain decides from what it is given: it imports nothing of the rest of the ledger.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: '^src/', pathNot: '^src/domain/' },
    },
    {
      name: 'domain-has-no-io',
      comment: 'No Nest, no store, no database, no files or network in the domain: decide/evolve stay pure and replayable.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: {
        dependencyTypes: ['npm', 'npm-dev', 'core'],
        path: '^(node_modules/)?(@nestjs|@eventstore|@electric-sql|pg|express|ws|fs|net|http|https|child_process|worker_threads)(/|$)',
      },
    },
    {
      name: 'infrastructure-below-capabilities',
      comment: 'Infrastructure serves every module, so it may not depend on any of them (or on an entry point).',
      severity: 'error',
      from: { path: folders(INFRASTRUCTURE), pathNot: ENTRY_POINTS },
      to: { path: `${folders(CAPABILITIES)}|${ENTRY_POINTS}` },
    },
    ...tierRules,
    {
      name: 'no-module-internals',
      comment: "A module changes its internals freely: others use only its public face (PUBLIC_FACE above).",
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: {
        path: folders(CAPABILITIES),
        pathNot: ['^src/$1/', `/(${PUBLIC_FACE})`],
      },
    },
    {
      name: 'every-folder-in-a-layer',
      comment: 'A new folder under src/ is given its layer above (INFRASTRUCTURE or CAPABILITY_TIERS) before it may import anything.',
      severity: 'error',
      from: { path: '^src/', pathNot: `^src/domain/|${folders(INFRASTRUCTURE)}|${folders(CAPABILITIES)}|${ENTRY_POINTS}` },
      to: {},
    },
    {
      name: 'no-entry-point-imports',
      comment: 'Entry points wire the ledger together; nothing inside it depends on them.',
      severity: 'error',
      from: { pathNot: ENTRY_POINTS },
      to: { path: ENTRY_POINTS },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a cycle through types still ties the files together.
    tsPreCompilationDeps: true,
    // Absolute, so the check's own test can run these rules on a small tree of its own.
    tsConfig: { fileName: require('node:path').join(__dirname, 'tsconfig.json') },
    // Specs sit beside the code and may reach into it.
    exclude: { path: '\\.spec\\.ts$|(^|/)testing\\.ts$' },
  },
};
