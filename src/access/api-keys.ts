/**
 * API keys as callers hold them: `lk_<keyId>.<secret>`. The key id (public, in events and logs) finds
 * the record; the secret (32 random bytes) is shown once and kept only as its SHA-256.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const KEY_PATTERN = /^lk_([0-9a-f]{16})\.([A-Za-z0-9_-]{43})$/;

export interface IssuedKey {
  /** What the caller sends: shown once, never stored. */
  apiKey: string;
  keyId: string;
  secretHash: string;
}

export function generateApiKey(): IssuedKey {
  const keyId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { apiKey: `lk_${keyId}.${secret}`, keyId, secretHash: hashSecret(secret) };
}

/** The key id and secret of a well-formed key; undefined for anything else. */
export function parseApiKey(apiKey: string): { keyId: string; secret: string } | undefined {
  const match = KEY_PATTERN.exec(apiKey);
  return match ? { keyId: match[1], secret: match[2] } : undefined;
}

export function secretMatches(secret: string, secretHash: string): boolean {
  const expected = Buffer.from(secretHash, 'hex');
  const actual = Buffer.from(hashSecret(secret), 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
