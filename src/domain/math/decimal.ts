/**
 * Decimal strings at the edges (the API, the CLI) and bigint fixed point inside: "1.5" with 18
 * decimals is 1500000000000000000n. Parsing never rounds: more decimals than the scale is an error.
 */
import { DomainError } from '../decider';

const DECIMAL = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

export function parseDecimal(text: string, decimals: number, what = 'amount'): bigint {
  const match = DECIMAL.exec(text);
  if (!match) throw new DomainError('INVALID_DECIMAL', `${what} must be a non-negative decimal such as "12.5", not "${text.slice(0, 40)}"`);
  const [, whole, fraction = ''] = match;
  if (fraction.length > decimals) {
    throw new DomainError('TOO_MANY_DECIMALS', `${what} has ${fraction.length} decimals; at most ${decimals} are allowed`, { what, decimals: String(decimals) });
  }
  // Stryker disable next-line StringLiteral: || "" is equivalent, BigInt("") being 0n as BigInt("0") is.
  return BigInt(whole) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0');
}

/** The shortest exact decimal string of a fixed-point value. */
export function formatDecimal(value: bigint, decimals: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}
