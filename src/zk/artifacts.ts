/**
 * The committed circuit artifacts (circuits/build/): where they are, the verification key, the
 * circuit's facts, and the hash manifest that proves they are the ones `circuits/build.sh` produced
 * from the committed circuit source. Nothing here runs a setup: tests and start-up only read.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { VerificationKey } from './snarkjs';

export interface ArtifactPaths {
  /** circuits/ */
  circuitsDir: string;
  /** circuits/build/ */
  buildDir: string;
  wasm: string;
  zkey: string;
  verificationKey: string;
  circuitInfo: string;
  manifest: string;
}

/** The facts build.sh records about the compiled circuit. */
export interface CircuitInfo {
  circuit: string;
  compiler: string;
  curve: string;
  powers: number;
  constraints: number;
  publicInputs: number;
  privateInputs: number;
}

/**
 * Finds circuits/ by walking up from this file, so it works from src/zk (ts-jest) and from
 * dist/src/zk (compiled); ZK_CIRCUITS_DIR overrides it (e.g. a deployment that ships artifacts apart).
 */
function findCircuitsDir(): string {
  const override = process.env.ZK_CIRCUITS_DIR;
  if (override) return path.resolve(override);
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'circuits', 'build', 'verification_key.json');
    if (fs.existsSync(candidate)) return path.join(dir, 'circuits');
    if (path.dirname(dir) === dir) break;
  }
  throw new Error('circuit artifacts not found (circuits/build/); run `npm run circuits:build` or set ZK_CIRCUITS_DIR');
}

let paths: ArtifactPaths | undefined;

export function artifactPaths(): ArtifactPaths {
  if (!paths) {
    const circuitsDir = findCircuitsDir();
    const buildDir = path.join(circuitsDir, 'build');
    paths = {
      circuitsDir,
      buildDir,
      wasm: path.join(buildDir, 'liquidation.wasm'),
      zkey: path.join(buildDir, 'liquidation.zkey'),
      verificationKey: path.join(buildDir, 'verification_key.json'),
      circuitInfo: path.join(buildDir, 'circuit.json'),
      manifest: path.join(buildDir, 'artifacts.sha256'),
    };
  }
  return paths;
}

let verificationKey: VerificationKey | undefined;

/** The Groth16 verification key (read once). All an auditor needs to re-verify a proof. */
export function loadVerificationKey(): VerificationKey {
  verificationKey ??= JSON.parse(fs.readFileSync(artifactPaths().verificationKey, 'utf8')) as VerificationKey;
  return verificationKey;
}

export function loadCircuitInfo(): CircuitInfo {
  return JSON.parse(fs.readFileSync(artifactPaths().circuitInfo, 'utf8')) as CircuitInfo;
}

export interface ManifestEntry {
  /** Relative to circuits/, as in the manifest. */
  file: string;
  sha256: string;
}

/** Reads artifacts.sha256 (`sha256sum` format, paths relative to circuits/). */
export function readManifest(): ManifestEntry[] {
  const text = fs.readFileSync(artifactPaths().manifest, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
      if (!match) throw new Error(`malformed manifest line: ${line}`);
      return { sha256: match[1], file: match[2] };
    });
}

export interface ArtifactCheck extends ManifestEntry {
  actual: string | undefined;
  ok: boolean;
}

/** Recomputes every hash the manifest lists; `ok` is false for a missing or changed file. */
export function checkArtifacts(): ArtifactCheck[] {
  const { circuitsDir } = artifactPaths();
  return readManifest().map((entry) => {
    const file = path.join(circuitsDir, entry.file);
    const actual = fs.existsSync(file) ? createHash('sha256').update(fs.readFileSync(file)).digest('hex') : undefined;
    return { ...entry, actual, ok: actual === entry.sha256 };
  });
}
