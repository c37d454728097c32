/**
 * The standard normal quantile Φ⁻¹(p) by Acklam's rational approximation (relative error below 1.2e-9).
 * simple-statistics' probit was tried and is off by 0.2% at 99% (2.3214 for 2.3263): too coarse for a
 * risk parameter stated to a basis point.
 */
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const LOW = 0.02425;

const poly = (c: number[], x: number) => c.reduce((sum, k) => sum * x + k, 0);

export function normalQuantile(p: number): number {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: `p < 1` made `p <= 1` or `true` is equivalent: p ≥ 1 then takes the upper tail, whose mirror 1 − p ≤ 0 is refused with the same error (the killed siblings on `p > 0` are ignored with them).
  if (!(p > 0 && p < 1)) throw new RangeError('a quantile needs 0 < p < 1');
  // Stryker disable next-line EqualityOperator: `p <= LOW` is equivalent: at the border both the tail's and the centre's approximations are within the stated 1.2e-9 of Φ⁻¹.
  if (p < LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(C, q) / (poly(D, q) * q + 1);
  }
  // Stryker disable next-line EqualityOperator: `p >= 1 - LOW` is equivalent: at the border both the tail's and the centre's approximations are within the stated 1.2e-9 of Φ⁻¹.
  if (p > 1 - LOW) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (poly(A, r) * q) / (poly(B, r) * r + 1);
}
