/** A refusal by a domain rule is an Error that says its code, its message and its details, under its own name. */
import { DomainError } from './decider';

describe('a DomainError', () => {
  it('carries its code, message and details, and names itself', () => {
    const refusal = new DomainError('LTV_EXCEEDED', 'above max LTV', { maxDraw: '150' });
    expect(refusal).toBeInstanceOf(Error);
    expect([refusal.name, refusal.code, refusal.message, refusal.details]).toEqual(['DomainError', 'LTV_EXCEEDED', 'above max LTV', { maxDraw: '150' }]);
    expect(String(refusal)).toBe('DomainError: above max LTV');
    expect(new DomainError('NO_PRICE', 'no price').details).toBeUndefined();
  });
});
