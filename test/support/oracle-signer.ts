/** Test-side oracle operators: real keys, real signatures, as the CLI makes them. */
import { publicKeyOf, reportMessage, signMessage } from '../../src/domain/crypto/crypto';

export interface TestOracle {
  name: string;
  privateKey: Uint8Array;
  publicKey: { x: string; y: string };
}

export function testOracle(name: string, seed: number): TestOracle {
  const privateKey = new Uint8Array(32).fill(seed);
  const { x, y } = publicKeyOf(privateKey);
  return { name, privateKey, publicKey: { x: x.toString(), y: y.toString() } };
}

const WAD = 10n ** 18n;

/** The body of POST /feeds/:feed/reports for a whole-number price. */
export function signedReport(oracle: TestOracle, feed: string, round: bigint, wholePrice: bigint, timestamp: bigint, commandId: string) {
  const price = wholePrice * WAD;
  const sig = signMessage(oracle.privateKey, reportMessage(feed, round, price, timestamp));
  return {
    commandId,
    oracle: oracle.name,
    round: round.toString(),
    price: wholePrice.toString(),
    timestamp: timestamp.toString(),
    signature: { r8x: sig.r8x.toString(), r8y: sig.r8y.toString(), s: sig.s.toString() },
  };
}

export function nowSeconds(): bigint {
  return BigInt(Math.floor(Date.now() / 1000));
}
