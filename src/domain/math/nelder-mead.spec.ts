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
});
