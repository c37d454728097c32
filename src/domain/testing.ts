/** For the domain's specs: what a decision refused with. */
import { DomainError } from './decider';

/** The code, message and details (if any) of the DomainError `decide` throws, or undefined when the rules allow it; any other error is rethrown. */
export function refusalOf(decide: () => unknown): Pick<DomainError, 'code' | 'message' | 'details'> | undefined {
  try {
    decide();
  } catch (err) {
    if (err instanceof DomainError) return { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) };
    throw err;
  }
  return undefined;
}

/** The code of the DomainError `decide` throws, or undefined when the rules allow it. */
export function refusalCode(decide: () => unknown): string | undefined {
  return refusalOf(decide)?.code;
}
