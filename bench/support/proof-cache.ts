/**
 * Liquidation proofs for benchmark histories, kept between runs in bench/.cache (git ignores it):
 * proving takes about half a second each, and the synthetic history asks for the same claims every
 * time. A claim is found by the hash of its full circuit input; a proof is only ever reused for
 * exactly the input it proves.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { proveLiquidation } from '../../src/zk/prover';
import { buildWitnessInput, LiquidationClaim, toCircuitInput } from '../../src/zk/witness';
import { ProveClaim } from './synthetic-history';

export interface ProofCache {
  prove: ProveClaim;
  /** How many proofs had to be made this run. */
  readonly made: number;
  save(): void;
}

export function proofCache(name: string): ProofCache {
  const file = path.join(__dirname, '../../../bench/.cache', `${name}.json.gz`);
  const proofs: Record<string, { proof: unknown; publicSignals: string[] }> = existsSync(file) ? JSON.parse(gunzipSync(readFileSync(file)).toString()) : {};
  let made = 0;
  return {
    get made() {
      return made;
    },
    async prove(claim: LiquidationClaim) {
      const input = buildWitnessInput(claim);
      const key = createHash('sha256').update(JSON.stringify(toCircuitInput(input))).digest('hex');
      if (!proofs[key]) {
        proofs[key] = await proveLiquidation(input);
        if (++made % 50 === 0) process.stderr.write(`  made ${made} proofs…\n`);
      }
      return proofs[key];
    },
    save() {
      if (!made) return;
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, gzipSync(JSON.stringify(proofs)));
    },
  };
}
