/**
 * Counts the subscriptions a client holds open to its store, whoever opened them: what `/metrics` and
 * `/health/ready` report, so a consumer that subscribes on its own beside the live feed shows up.
 */
import type { EventStoreDBClient } from '@eventstore/db-client';

export class StoreSubscriptions {
  private open = 0;

  private constructor() {}

  /** Subscriptions open now. */
  get held(): number {
    return this.open;
  }

  /** Wraps the client's subscribe calls so each subscription counts from its start until it closes. */
  static of(client: EventStoreDBClient): StoreSubscriptions {
    const counter = new StoreSubscriptions();
    for (const method of ['subscribeToAll', 'subscribeToStream'] as const) {
      const subscribe = client[method].bind(client) as (...args: unknown[]) => NodeJS.ReadableStream & { once(event: 'close', listener: () => void): unknown };
      Object.assign(client, {
        [method]: (...args: unknown[]) => {
          const subscription = subscribe(...args);
          counter.open++;
          subscription.once('close', () => counter.open--);
          return subscription;
        },
      });
    }
    return counter;
  }
}
