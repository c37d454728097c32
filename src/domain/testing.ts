/** For the domain's specs: what a decision refused with. */
import { DomainError } from './decider';

/** The code of the DomainError `decide` throws, or undefined when the rules allow it; any other error is rethrown. */
export function refusalCode(decide: () => unknown): string | undefined {
  try {
    decide();
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
  return undefined;
}
