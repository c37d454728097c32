// Lets a child process `require` the project's TypeScript directly (transpile only, CommonJS), as
// ts-jest does for the tests themselves: crash tests run the real store code in a process they kill.
const fs = require('node:fs');
const ts = require('typescript');
require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, experimentalDecorators: true, emitDecoratorMetadata: true },
    fileName: filename,
  });
  module._compile(outputText, filename);
};
