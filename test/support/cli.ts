/** Runs the CLI in-process as `npm run cli -- …` would, capturing what it prints and its exit code. */
import { runCli } from '../../src/cli/main';

export async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const write = process.stdout.write.bind(process.stdout);
  const writeErr = console.error;
  process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
  console.error = (...parts: unknown[]) => void (err += parts.join(' ') + '\n');
  try {
    return { code: await runCli(args), out, err };
  } finally {
    process.stdout.write = write;
    console.error = writeErr;
  }
}
