/**
 * Fixed-point arithmetic with the rounding named at every call (as Aave's WadRayMath and
 * PercentageMath): amounts are integers in an asset's smallest unit, prices WAD, the borrow index RAY,
 * ratios basis points. Which way to round is always the pool's way, chosen by the rule that calls.
 */

/** 1e18: prices (value of one whole collateral token in whole debt tokens) and health factors. */
export const WAD = 10n ** 18n;
export const WAD_DECIMALS = 18;
/** 1e27: the borrow index and per-second rates. */
export const RAY = 10n ** 27n;
/** 10_000 basis points = 100%. */
export const BPS = 10_000n;

export function floorDiv(a: bigint, b: bigint): bigint {
  if (b <= 0n || a < 0n) throw new RangeError('floorDiv needs a >= 0 and b > 0');
  return a / b;
}

export function ceilDiv(a: bigint, b: bigint): bigint {
  if (b <= 0n || a < 0n) throw new RangeError('ceilDiv needs a >= 0 and b > 0');
  return (a + b - 1n) / b;
}

/** floor(a × b / d) */
export function mulDivDown(a: bigint, b: bigint, d: bigint): bigint {
  return floorDiv(a * b, d);
}

/** ceil(a × b / d) */
export function mulDivUp(a: bigint, b: bigint, d: bigint): bigint {
  return ceilDiv(a * b, d);
}

/**
 * x^n for a RAY-scaled x, by squaring (MakerDAO's rpow), each step rounded up: applied to a rate
 * above one, it never undercounts the interest the pool is owed.
 */
export function rpowUp(x: bigint, n: bigint): bigint {
  if (n < 0n) throw new RangeError('rpow needs n >= 0');
  let result = RAY;
  let base = x;
  for (let e = n; e > 0n; e >>= 1n) {
    if (e & 1n) result = mulDivUp(result, base, RAY);
    base = mulDivUp(base, base, RAY);
  }
  return result;
}
