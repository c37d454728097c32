/**
 * The codec against the event definitions themselves: the TypeScript compiler reads the `LedgerEvent`
 * union, and fast-check builds events of every type from each member's declared fields. A field added
 * to any event is generated here without touching this test, so a bigint the codec forgets to decode
 * (as `LiquidityAdded.debt` was) fails it.
 */
import fc from 'fast-check';
import * as path from 'node:path';
import * as ts from 'typescript';
import { ledgerEventCodec, LedgerEvent, SCHEMA_VERSIONS } from './events';

const EVENTS_FILE = path.join(__dirname, 'events.ts');

/** Each event type's arbitrary, built from its definition. */
function eventArbitraries(): Map<string, fc.Arbitrary<LedgerEvent>> {
  const program = ts.createProgram([EVENTS_FILE], { strict: true, target: ts.ScriptTarget.ES2022, noEmit: true });
  const checker = program.getTypeChecker();
  const alias = program
    .getSourceFile(EVENTS_FILE)!
    .statements.find((s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === 'LedgerEvent')!;
  const union = checker.getTypeAtLocation(alias.name);

  function arbitraryOf(type: ts.Type, where: string): fc.Arbitrary<unknown> {
    if (type.flags & ts.TypeFlags.BigInt) return fc.bigInt({ min: -(1n << 256n), max: 1n << 256n });
    // Digit strings too: a text field must stay text whatever it holds.
    if (type.flags & ts.TypeFlags.String) return fc.oneof(fc.string({ maxLength: 12 }), fc.bigInt({ min: 0n, max: 1n << 70n }).map(String));
    if (type.flags & ts.TypeFlags.Number) return fc.integer();
    if (type.flags & (ts.TypeFlags.Boolean | ts.TypeFlags.BooleanLiteral)) return fc.boolean();
    if (type.isStringLiteral() || type.isNumberLiteral()) return fc.constant(type.value);
    // `proof: unknown` is the prover's JSON, stored as written: a snarkjs Groth16 proof.
    if (type.flags & ts.TypeFlags.Unknown) {
      const coordinate = fc.bigInt({ min: 0n, max: 1n << 254n }).map(String);
      return fc.record({ pi_a: fc.array(coordinate, { minLength: 3, maxLength: 3 }), pi_b: fc.array(fc.array(coordinate, { minLength: 2, maxLength: 2 }), { minLength: 3, maxLength: 3 }), pi_c: fc.array(coordinate, { minLength: 3, maxLength: 3 }), protocol: fc.constant('groth16'), curve: fc.constant('bn128') });
    }
    if (type.isUnion()) {
      const members = type.types.filter((t) => !(t.flags & ts.TypeFlags.Undefined));
      return fc.oneof(...members.map((t) => arbitraryOf(t, where)));
    }
    if (checker.isArrayType(type)) return fc.array(arbitraryOf(checker.getTypeArguments(type as ts.TypeReference)[0], `${where}[]`), { maxLength: 3 });
    if (type.flags & ts.TypeFlags.Object || type.isIntersection()) {
      const fields: Record<string, fc.Arbitrary<unknown>> = {};
      const required: string[] = [];
      for (const property of checker.getPropertiesOfType(type)) {
        fields[property.name] = arbitraryOf(checker.getNonNullableType(checker.getTypeOfSymbol(property)), `${where}.${property.name}`);
        if (!(property.flags & ts.SymbolFlags.Optional)) required.push(property.name);
      }
      return fc.record(fields, { requiredKeys: required });
    }
    throw new Error(`no arbitrary for ${where}: ${checker.typeToString(type)}`);
  }

  const byType = new Map<string, fc.Arbitrary<LedgerEvent>>();
  for (const member of (union as ts.UnionType).types) {
    const literal = checker.getTypeOfSymbol(member.getProperty('type')!);
    const eventType = (literal as ts.StringLiteralType).value;
    // A union inside an event (how a liquidation was caused) makes several members of one type.
    const arbitrary = arbitraryOf(member, eventType) as fc.Arbitrary<LedgerEvent>;
    byType.set(eventType, byType.has(eventType) ? fc.oneof(byType.get(eventType)!, arbitrary) : arbitrary);
  }
  return byType;
}

/** Every bigint at any depth, by path: decoding must give back bigints, not their strings. */
function bigintPaths(value: unknown, at = ''): string[] {
  if (typeof value === 'bigint') return [at];
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => bigintPaths(v, `${at}.${k}`));
  return [];
}

describe('event codec, over every event type as defined', () => {
  const arbitraries = eventArbitraries();

  it('generates every event type the ledger stores', () => {
    expect([...arbitraries.keys()].sort()).toEqual(Object.keys(SCHEMA_VERSIONS).sort());
  });

  it.each([...arbitraries.keys()].sort())('%s: encode, store as JSON, decode gives the event back, bigints as bigints', (type) => {
    fc.assert(
      fc.property(arbitraries.get(type)!, (event) => {
        const stored = ledgerEventCodec.encode(event);
        const decoded = ledgerEventCodec.decode(stored.type, stored.schemaVersion, JSON.parse(JSON.stringify(stored.data)));
        expect(decoded).toEqual(event);
        expect(bigintPaths(decoded)).toEqual(bigintPaths(event));
      }),
      { numRuns: 50 },
    );
  });
});
