/**
 * A throwaway PostgreSQL server for benchmarks: Debian's server binaries, a fresh cluster in a temp
 * directory, loopback only, durable commits (fsync on, synchronous_commit on) so it is compared
 * fairly with a store that fsyncs before acknowledging. Stopped and deleted afterwards.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export interface PostgresServer {
  url: string;
  stop(): void;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  if (!versions.length) {
    throw new Error('PostgreSQL server binaries not found: install them with `apt-get update && apt-get install -y postgresql`');
  }
  return path.join(root, versions[0], 'bin');
}

export function startPostgres(port = 55432): PostgresServer {
  const bin = binDir();
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-pg-'));
  chmodSync(dir, 0o777);
  const data = path.join(dir, 'data');
  // PostgreSQL refuses to run as root: run it as the package's postgres user when we are root.
  const asServerUser = (cmd: string, args: string[]) =>
    process.getuid?.() === 0 ? execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' }) : execFileSync(cmd, args, { stdio: 'pipe' });
  asServerUser(path.join(bin, 'initdb'), ['-D', data, '-U', 'bench', '--auth=trust', '-E', 'UTF8']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c max_connections=64 -c shared_buffers=256MB`;
  asServerUser(path.join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', 'start']);
  return {
    url: `postgres://bench@127.0.0.1:${port}/postgres`,
    stop() {
      const args = ['-D', data, '-m', 'fast', '-w', 'stop'];
      if (process.getuid?.() === 0) spawnSync('runuser', ['-u', 'postgres', '--', path.join(bin, 'pg_ctl'), ...args]);
      else spawnSync(path.join(bin, 'pg_ctl'), args);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
