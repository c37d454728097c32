/** A JSON file the CLI was given ('-' for standard input); a file it cannot read or parse is a CliError. */
import { readFileSync } from 'node:fs';
import { CliError } from './cli-error';

export function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8'));
  } catch (err) {
    throw new CliError(`cannot read ${file === '-' ? 'standard input' : file} as JSON: ${(err as Error).message}`);
  }
}
