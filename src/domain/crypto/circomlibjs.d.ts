// circomlibjs ships no types; these cover the calls the ledger makes.
declare module 'circomlibjs' {
  type FieldElement = Uint8Array;
  interface Field {
    /** The field's order. */
    p: bigint;
    e(x: bigint | number | string): FieldElement;
    toObject(x: FieldElement): bigint;
  }
  export interface PoseidonFn {
    (inputs: (bigint | FieldElement)[]): FieldElement;
    F: Field;
  }
  export interface Eddsa {
    F: Field;
    poseidon: PoseidonFn;
    babyJub: { inCurve(point: [FieldElement, FieldElement]): boolean };
    prv2pub(privateKey: Buffer): [FieldElement, FieldElement];
    signPoseidon(privateKey: Buffer, message: FieldElement): { R8: [FieldElement, FieldElement]; S: bigint };
    verifyPoseidon(message: FieldElement, sig: { R8: [FieldElement, FieldElement]; S: bigint }, key: [FieldElement, FieldElement]): boolean;
  }
  export function buildPoseidon(): Promise<PoseidonFn>;
  export function buildEddsa(): Promise<Eddsa>;
}
