/**
 * An aggregate's rules as three plain values (Emmett's decider): the state before any event, how a
 * command becomes events, and how an event changes the state. No I/O, no clock, no randomness:
 * whatever depends on time or chance arrives in the command or the context.
 */
export interface Decider<State, Command, Event, Context> {
  initialState(): State;
  /** Throws a DomainError when the command is refused; returns the events it causes otherwise. */
  decide(command: Command, state: State, context: Context): Event[];
  evolve(state: State, event: Event): State;
}

/**
 * A refusal by a domain rule, with a machine-readable code. `details` must never carry a position's
 * amounts: refusals reach callers who may not see them.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, string | string[] | null>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
