/**
 * Zero-knowledge liquidation proofs: the plain library (no Nest) that the zk module, the liquidator
 * CLI, the auditor and the benchmark share. See circuits/liquidation.circom for what a proof states.
 */
export * from '../domain/risk/liquidation-rule';
export * from '../domain/liquidation/public-signals';
export * from './witness';
export { ProofGenerationError, circuitAccepts, proveLiquidation } from './prover';
export type { LiquidationProof } from './prover';
export { BASE_FIELD_MODULUS, inG2Subgroup, isWellFormedProof, normalizeSignals, verifyLiquidationProof } from './verifier';
export { VerifierBusyError, VerifierClosedError, createVerifierPool } from './verifier-pool';
export type { VerifierPool, VerifierPoolOptions } from './verifier-pool';
export { PublicLiquidationVerifier } from './public-verifier';
export type { LiquidationVerdict, PublicRecord } from './public-verifier';
export { createProverPool } from './prover-pool';
export type { ProverPool, ProvenLiquidation } from './prover-pool';
export { BatchVerifier, batchVerifyLiquidationProofs } from './batch-verify';
export type { BatchItem, BatchResult } from './batch-verify';
export { artifactPaths, checkArtifacts, loadCircuitInfo, loadVerificationKey, readManifest } from './artifacts';
export type { ArtifactPaths, CircuitInfo } from './artifacts';
export { releaseCurve } from './snarkjs';
export type { Groth16Proof, VerificationKey } from './snarkjs';
