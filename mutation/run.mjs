// `npm run mutation [-- files...]`: mutation-test the given source files (globs allowed), or all that
// mutation/stryker.config.mjs names. Incremental: a re-run tests only mutants whose code or specs changed.
import { Stryker } from '@stryker-mutator/core';

const files = process.argv.slice(2);
const stryker = new Stryker({ configFile: 'mutation/stryker.config.mjs', ...(files.length > 0 ? { mutate: files } : {}) });
await stryker.runMutationTest();
