/**
 * Proving: the liquidator's side. Runs the committed circuit (wasm) and proving key (zkey) through
 * snarkjs's Groth16 prover. Never runs a setup. Witness generation fails (the circuit's own checks)
 * when the input does not satisfy the circuit; build inputs with buildWitnessInput to get a clear
 * reason before reaching that point.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { artifactPaths } from './artifacts';
import { Groth16Proof, snarkjs } from './snarkjs';
import { LiquidationWitnessInput, toCircuitInput } from './witness';

/** A proof and its public signals, exactly as they travel (JSON-safe, decimal strings). */
export interface LiquidationProof {
  proof: Groth16Proof;
  publicSignals: string[];
}

export class ProofGenerationError extends Error {
  override readonly name = 'ProofGenerationError';
}

export async function proveLiquidation(input: LiquidationWitnessInput): Promise<LiquidationProof> {
  const { wasm, zkey } = artifactPaths();
  try {
    const { proof, publicSignals } = await snarkjs.groth16.fullProve(toCircuitInput(input), wasm, zkey);
    return { proof, publicSignals };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // A failed constraint during witness generation: the input is not provable. Anything else (a
    // missing artifact, memory) is not about the input and propagates unchanged.
    if (!/Assert Failed|Error in template/.test(message)) throw err;
    throw new ProofGenerationError(`the circuit rejects this input: ${describeFailure(message)}`);
  }
}

/**
 * The witness calculator reports a failed constraint as "Assert Failed. Error in template T_k line: N".
 * When T is the main template, quote that line of circuits/liquidation.circom, which says what failed
 * (e.g. `below.out === 1`: the position is healthy).
 */
function describeFailure(message: string): string {
  const text = message.trim();
  const match = /template LiquidationProof_\d+ line: (\d+)/.exec(text);
  if (!match) return text;
  try {
    const source = fs.readFileSync(path.join(artifactPaths().circuitsDir, 'liquidation.circom'), 'utf8').split('\n');
    const line = source[Number(match[1]) - 1]?.trim();
    return line ? `${text} (${line})` : text;
  } catch {
    return text;
  }
}

/** Runs only the witness calculator (no proof): true if the circuit's constraints accept the input. */
export async function circuitAccepts(input: LiquidationWitnessInput): Promise<boolean> {
  try {
    await snarkjs.wtns.calculate(toCircuitInput(input), artifactPaths().wasm, { type: 'mem' });
    return true;
  } catch {
    return false;
  }
}
