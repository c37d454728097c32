/**
 * What an oracle operator does: keep a private key, sign (feed, round, price, timestamp) reports.
 * Shared by the CLI, the tests and the benchmarks, so all of them sign exactly as a real oracle would.
 */
import { randomBytes } from 'node:crypto';
import { publicKeyOf, reportMessage, signMessage } from '../domain/crypto/crypto';
import { formatDecimal, parseDecimal } from '../domain/math/decimal';

export interface OracleKeyPair {
  /** 32 bytes, hex. */
  privateKey: string;
  publicKey: { x: string; y: string };
}

export interface SignedReport {
  round: string;
  /** Decimal, whole debt tokens per whole collateral token. */
  price: string;
  timestamp: string;
  signature: { r8x: string; r8y: string; s: string };
}

export function generateOracleKey(): OracleKeyPair {
  return oracleKeyFrom(randomBytes(32).toString('hex'));
}

export function oracleKeyFrom(privateKeyHex: string): OracleKeyPair {
  const { x, y } = publicKeyOf(privateKeyBytes(privateKeyHex));
  return { privateKey: privateKeyHex.toLowerCase(), publicKey: { x: x.toString(), y: y.toString() } };
}

export function signReport(privateKeyHex: string, feed: string, round: bigint, price: string, timestamp: bigint): SignedReport {
  const priceWad = parseDecimal(price, 18, 'price');
  // Signing needs only the private key: deriving the public key too would cost a third of the signature's time.
  const sig = signMessage(privateKeyBytes(privateKeyHex), reportMessage(feed, round, priceWad, timestamp));
  return {
    round: round.toString(),
    price: formatDecimal(priceWad, 18),
    timestamp: timestamp.toString(),
    signature: { r8x: sig.r8x.toString(), r8y: sig.r8y.toString(), s: sig.s.toString() },
  };
}

function privateKeyBytes(privateKeyHex: string): Buffer {
  if (!/^[0-9a-fA-F]{64}$/.test(privateKeyHex)) throw new Error('an oracle private key is 32 bytes in hex (64 characters)');
  return Buffer.from(privateKeyHex, 'hex');
}
