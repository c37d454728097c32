// StrykerJS: mutation testing of the pure rules (src/domain) against the fast unit and property specs.
// `npm run mutation [-- files...]` runs it (mutation/run.mjs); see docs/mutation-testing.md.
// MUTATION_SPECS=glob[,glob] narrows the specs (e.g. to a file's own spec for a quick look): a score
// measured so is a lower bound of the full one, since fewer specs can only kill fewer mutants.
const specs = process.env.MUTATION_SPECS?.split(',') ?? ['src/domain/**/*.spec.ts', 'src/liquidation/liquidation-engine.property.spec.ts'];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: ['src/domain/**/*.ts', '!src/domain/**/*.spec.ts', '!src/domain/**/*.d.ts', '!src/domain/testing.ts'],
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    // The specs that kill domain mutants: beside the code, plus the liquidation engine's properties.
    // No end-to-end suite (test/): each would start a ledger per mutant.
    config: {
      testEnvironment: 'node',
      roots: ['<rootDir>/src'],
      testMatch: specs.map((glob) => `<rootDir>/${glob}`),
      transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }] },
      testTimeout: 60000,
    },
    // Only the spec files that import the mutated file run for its mutants.
    enableFindRelatedTests: true,
  },
  checkers: ['typescript'],
  tsconfigFile: 'mutation/tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  // The machine is shared: two test processes at most.
  concurrency: 2,
  // Over the covering tests' own time: enough for the slowest property spec, short for a mutant that loops forever.
  timeoutMS: 10000,
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
