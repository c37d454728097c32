// Unit specs sit beside the code (src/, *.spec.ts); end-to-end and conformance suites live in test/.
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }] },
  testTimeout: 60000,
  // Two suites at once on two cores: most of a suite's time is waiting (ledger start, I/O), and the
  // whole run takes half as long. Nothing in a suite depends on another.
  maxWorkers: 2,
  // A worker that grew past this after a suite (ledgers, PGlite and snarkjs's WebAssembly) is replaced by
  // a fresh one, so no process carries every suite's native memory to the end of the run.
  workerIdleMemoryLimit: '1GB',
};
