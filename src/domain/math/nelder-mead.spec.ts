/**
 * The simplex minimiser finds the minimum of functions whose minimum is known: a convex quadratic
 * anywhere in space (a property), Rosenbrock's curved valley from its classic start, and a function with
 * its minimum on a kink. It stops once the simplex's values agree, and never runs past its budget.
 * (In one variable a simplex of two points that straddle the minimum at equal values agrees at once and
 * stops early: the stopping rule looks at values only, as in Numerical Recipes' amoeba. The fits use three.)
 */
import fc from 'fast-check';
import { nelderMead } from './nelder-mead';

const quadratic = (centre: number[], scales: number[]) => (x: number[]) => x.reduce((sum, v, k) => sum + scales[k] * (v - centre[k]) ** 2, 0);

describe('Nelder-Mead', () => {
  it('finds the centre of any convex quadratic in two or three variables, from any start', () => {
    const point = (n: number) => fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: n, maxLength: n });
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 3 }).chain((n) => fc.tuple(point(n), point(n), fc.array(fc.double({ min: 0.5, max: 20, noNaN: true }), { minLength: n, maxLength: n }))),
        ([centre, start, scales]) => {
          const found = nelderMead(quadratic(centre, scales), start);
          found.x.forEach((v, k) => expect(Math.abs(v - centre[k])).toBeLessThan(1e-3));
          expect(found.value).toBeLessThan(1e-6);
          expect(found.value).toBe(quadratic(centre, scales)(found.x));
          expect(found.iterations).toBeLessThan(2_000);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('follows Rosenbrock’s valley from (−1.2, 1) to its minimum at (1, 1)', () => {
    const rosenbrock = ([x, y]: number[]) => 100 * (y - x * x) ** 2 + (1 - x) ** 2;
    const found = nelderMead(rosenbrock, [-1.2, 1]);
    expect(Math.abs(found.x[0] - 1)).toBeLessThan(1e-3);
    expect(Math.abs(found.x[1] - 1)).toBeLessThan(1e-3);
    expect(found.value).toBeLessThan(1e-7);
  });

  it('finds a minimum on a kink, where no derivative exists', () => {
    const found = nelderMead(([x, y]) => Math.abs(x - 2) + Math.abs(y + 1), [0, 0]);
    expect(Math.abs(found.x[0] - 2) + Math.abs(found.x[1] + 1)).toBeLessThan(1e-6);
  });

  it('stops at its budget of iterations, giving the best point seen', () => {
    const f = quadratic([3, -2], [1, 1]);
    const none = nelderMead(f, [0, 0], { maxIterations: 0 });
    // No iteration: the best of the start and the start moved by the step along each axis.
    expect(none).toEqual({ x: [0.5, 0], value: f([0.5, 0]), iterations: 0 });
    const few = nelderMead(f, [0, 0], { maxIterations: 5 });
    expect(few.iterations).toBe(5);
    expect(few.value).toBeLessThan(none.value);
  });

  it('stops once the simplex’s values agree within the tolerance', () => {
    const f = quadratic([1, 1], [1, 1]);
    const loose = nelderMead(f, [0, 0], { tolerance: 1e-2 });
    const tight = nelderMead(f, [0, 0], { tolerance: 1e-12 });
    expect(loose.iterations).toBeLessThan(tight.iterations);
    expect(tight.value).toBeLessThan(loose.value);
    // A function already flat stops at once.
    expect(nelderMead(() => 7, [0, 0]).iterations).toBe(0);
  });

  it('starts from the start and the start moved by the step along each axis, one at a time', () => {
    // Centre (3, 1, −2): of (0.5, 0, 0), (0, 0.5, 0), (0, 0, 0.5) and the start, (0.5, 0, 0) is the best (11.25).
    const f = quadratic([3, 1, -2], [1, 1, 1]);
    expect(nelderMead(f, [0, 0, 0], { maxIterations: 0 })).toEqual({ x: [0.5, 0, 0], value: 11.25, iterations: 0 });
  });

  it('stops at once on values that agree exactly, even with no tolerance', () => {
    expect(nelderMead(() => 7, [0, 0], { tolerance: 0 }).iterations).toBe(0);
  });
});

/**
 * One step at a time, in one variable (the simplex is the best point b and the worst w; its centroid is
 * b): reflect w through it (r = 2b − w); if r beats b, try the expansion e = 3b − 2w and keep the better
 * of the two, r on a tie; otherwise contract halfway from b towards r if r beats w (outside), towards w
 * if not (inside), and keep the contraction only if it beats both; failing that, shrink w halfway to b.
 * Each case below lists, by hand, the points the function is asked about: the two of the start, then
 * the step's.
 */
describe('Nelder-Mead, step by step', () => {
  const traced = (f: (x: number) => number, maxIterations: number) => {
    const asked: number[] = [];
    const found = nelderMead(([x]) => (asked.push(x), f(x)), [0], { maxIterations, tolerance: 0 });
    return { asked, x: found.x[0] };
  };

  it('keeps the expansion when it beats the reflection', () => {
    // f = −x: b = 0.5, w = 0; r = 1 (−1) beats b; e = 1.5 (−1.5) beats r.
    expect(traced((x) => -x, 1)).toEqual({ asked: [0, 0.5, 1, 1.5], x: 1.5 });
  });

  it('keeps the reflection when the expansion only ties it', () => {
    // f = −1 from −0.5 down, |x| above: r = −0.5 (−1) beats b = 0; e = −1 ties it, so r is kept. Next step from b = −0.5,
    // w = 0: r = −1 (−1) does not beat b, but beats w: the outside contraction −0.75 (−1) does not beat r, so w shrinks to −0.25.
    const f = (x: number) => (x <= -0.5 ? -1 : Math.abs(x));
    expect(traced(f, 2).asked).toEqual([0, 0.5, -0.5, -1, -1, -0.75, -0.25]);
  });

  it('contracts inside, towards the worst point, when the reflection is no better than it, and keeps a contraction that beats both', () => {
    // f = (x − 0.2)²: b = 0, w = 0.5; r = −0.5 (0.49) is worse than w (0.09); the inside contraction 0.25 (0.0025) is kept.
    expect(traced((x) => (x - 0.2) ** 2, 1)).toEqual({ asked: [0, 0.5, -0.5, 0.25], x: 0.25 });
  });

  it('contracts inside when the reflection only ties the worst point', () => {
    // f = |x|: r = −0.5 ties w = 0.5 (0.5), so the contraction is towards w: 0.25.
    expect(traced(Math.abs, 1).asked).toEqual([0, 0.5, -0.5, 0.25]);
  });

  it('contracts outside, towards the reflection, when the reflection beats the worst point but not the best', () => {
    // f = x above 0, −x/2 below: b = 0, w = 0.5 (0.5); r = −0.5 (0.25); the outside contraction −0.25 (0.125) is kept.
    expect(traced((x) => (x >= 0 ? x : -x / 2), 1)).toEqual({ asked: [0, 0.5, -0.5, -0.25], x: 0 });
  });

  it('does not take a reflection that only ties the best point for an improvement', () => {
    // f = |x| but 0 at −0.5: r = −0.5 ties b = 0; not better than w either way, it is contracted outside: −0.25 (0.25) does
    // not beat r (0), so w shrinks to 0.25.
    const f = (x: number) => (x === -0.5 ? 0 : Math.abs(x));
    expect(traced(f, 1).asked).toEqual([0, 0.5, -0.5, -0.25, 0.25]);
  });

  it('shrinks towards the best point when the contraction does not beat both the worst point and the reflection, even on a tie', () => {
    // |x| with 1 at −0.5: r = −0.5 (1) is worse than w (0.5); the inside contraction 0.25 ties w (0.5): w shrinks to 0.25.
    const tie = (x: number) => (x === -0.5 ? 1 : x === 0.25 ? 0.5 : Math.abs(x));
    expect(traced(tie, 1).asked).toEqual([0, 0.5, -0.5, 0.25, 0.25]);
    // The contraction (0.7) beats the reflection (1) but not w (0.5): still a shrink, and only w moves (b is not asked again).
    const between = (x: number) => (x === -0.5 ? 1 : x === 0.25 ? 0.7 : Math.abs(x));
    expect(traced(between, 1).asked).toEqual([0, 0.5, -0.5, 0.25, 0.25]);
  });
});

