/**
 * Access commands through the one command path, each on its principal's own stream, and the directory
 * of every principal and key for authentication: a projection of those streams (and of the legacy
 * `access-registry` stream, folded first), fed by a subscription, so a request costs no read.
 */
import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AllStreamSubscription, EventStoreDBClient, Position, START, StreamNotFoundError } from '@eventstore/db-client';
import {
  accessEventCodec,
  AccessEvent,
  accessRegistryDecider,
  AccessRegistryState,
  LEGACY_ACCESS_REGISTRY_STREAM,
  Principal,
  principalOfKey,
  principalStream,
  PRINCIPAL_STREAM_PREFIX,
  shareOf,
} from '../domain/access/access-registry';
import { DomainError } from '../domain/decider';
import { CommandOutcome } from '../eventstore/command-handling';
import { Quarantine, StoredEvent } from '../eventstore/quarantine';
import { LedgerFeed } from '../eventstore/ledger-feed';
import { AggregateCommands } from '../eventstore/aggregate-commands';
import { AccessRequest, principalAggregate } from '../domain/access/principal-aggregate';
import { parseApiKey, secretMatches } from './api-keys';

export type { AccessRequest };

export class ExecuteAccessCommand {
  constructor(
    readonly commandId: string,
    readonly request: AccessRequest,
  ) {}
}

/** Why a key was not accepted. */
export type Authentication = { principal: Principal } | { refused: 'INVALID_API_KEY' | 'API_KEY_REVOKED' };

@Injectable()
export class AccessRegistry implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('access');
  private directory = accessRegistryDecider.initialState();
  /** The legacy registry as it was left: frozen, so read once. */
  private legacy = accessRegistryDecider.initialState();
  /** By stream, the revision of its last event in the directory. */
  private readonly folded = new Map<string, bigint>();
  private subscription?: AllStreamSubscription;
  private lastPosition?: Position;
  private closing = false;

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly quarantine: Quarantine,
    private readonly feed: LedgerFeed,
  ) {}

  /** Folds every access stream so far before the ledger serves, then follows them live. */
  async onModuleInit(): Promise<void> {
    this.legacy = await this.readLegacy();
    await this.subscribe();
  }

  /** Before the connection closes (on application shutdown): a drop from now on is no reason to subscribe again. */
  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    await this.subscription?.unsubscribe().catch(() => undefined); // the connection may be closing too
  }

  state(): AccessRegistryState {
    return this.directory;
  }

  /** What the legacy registry recorded of a principal, which its own stream starts from. */
  legacyShare(principalId: string): AccessRegistryState | undefined {
    return shareOf(this.legacy, principalId);
  }

  /** The principal holding this key, or why there is none. */
  authenticate(apiKey: string): Authentication {
    const parsed = parseApiKey(apiKey);
    if (!parsed) return { refused: 'INVALID_API_KEY' };
    const record = this.directory.keys.get(parsed.keyId);
    if (!record || !secretMatches(parsed.secret, record.secretHash)) return { refused: 'INVALID_API_KEY' };
    const principal = principalOfKey(this.directory, parsed.keyId);
    return principal ? { principal } : { refused: 'API_KEY_REVOKED' };
  }

  /** A command's own events, at once: the next request sees them without waiting for the subscription. */
  applyOwn(principalId: string, outcome: CommandOutcome<AccessEvent, AccessRegistryState>): void {
    const first = outcome.revision - BigInt(outcome.events.length) + 1n;
    outcome.events.forEach((event, i) => this.apply(principalStream(principalId), first + BigInt(i), event));
  }

  private async readLegacy(): Promise<AccessRegistryState> {
    let state = accessRegistryDecider.initialState();
    let usable = true;
    try {
      // Read to the end (leaving a read early leaves its call open), folding nothing past an event that cannot be used.
      for await (const { event } of this.client.readStream(LEGACY_ACCESS_REGISTRY_STREAM)) {
        const decoded: AccessEvent | undefined = usable && event?.isJson ? this.decode(event) : undefined;
        usable = decoded !== undefined;
        if (decoded) state = accessRegistryDecider.evolve(state, decoded);
      }
    } catch (err) {
      if (!(err instanceof StreamNotFoundError)) throw err;
    }
    return state;
  }

  private async subscribe(): Promise<void> {
    const subscription = this.feed.subscribeToAll({
      fromPosition: this.lastPosition ?? START,
      filter: { streamPrefixes: [PRINCIPAL_STREAM_PREFIX, LEGACY_ACCESS_REGISTRY_STREAM] },
    });
    this.subscription = subscription;
    subscription.on('data', ({ event }) => {
      if (!event?.isJson) return;
      if (event.position) this.lastPosition = event.position;
      const decoded = this.decode(event);
      if (decoded) this.apply(event.streamId, event.revision, decoded);
    });
    await new Promise<void>((resolve, reject) => {
      subscription.once('caughtUp', () => resolve());
      subscription.once('error', reject);
    });
    // Dropped (the store restarting): take it up again where it stopped, until it is back.
    subscription.once('error', (err) => {
      if (this.closing) return;
      this.logger.warn(`the access directory's subscription dropped (${(err as Error).message}); subscribing again`);
      const again = (): void => void setTimeout(() => this.closing || this.subscribe().catch(again), 1000).unref();
      again();
    });
  }

  private decode(event: Extract<StoredEvent, { streamId: string }>): AccessEvent | undefined {
    // Nothing of a stream is used past an event that was set aside.
    if (this.quarantine.of(event.streamId)) return undefined;
    return this.quarantine.decode(accessEventCodec, event);
  }

  private apply(stream: string, revision: bigint, event: AccessEvent): void {
    const last = this.folded.get(stream) ?? -1n;
    if (revision !== last + 1n) return; // folded already (our own), or after a gap the subscription will fill
    this.folded.set(stream, revision);
    this.directory = accessRegistryDecider.evolve(this.directory, event);
  }
}

@CommandHandler(ExecuteAccessCommand)
export class AccessCommandHandler implements ICommandHandler<ExecuteAccessCommand, CommandOutcome<AccessEvent, AccessRegistryState>> {
  constructor(
    private readonly commands: AggregateCommands,
    private readonly registry: AccessRegistry,
  ) {}

  async execute({ commandId, request }: ExecuteAccessCommand): Promise<CommandOutcome<AccessEvent, AccessRegistryState>> {
    const principalId = this.principalOf(request);
    const newKeyId = request.type === 'RotateApiKey' ? request.newKeyId : request.type === 'RevokeApiKey' ? undefined : request.keyId;
    // Another principal's key of that id: the principal's own stream cannot see it.
    const taken = newKeyId && this.registry.state().keys.get(newKeyId);
    if (taken && taken.principalId !== principalId) throw new DomainError('API_KEY_EXISTS', `key id ${newKeyId} is taken`);
    const outcome = await this.commands.execute(principalAggregate(this.registry.legacyShare(principalId)), principalId, commandId, request);
    this.registry.applyOwn(principalId, outcome);
    return outcome;
  }

  /** The principal a command is about: named, or found by its key through the directory. */
  private principalOf(request: AccessRequest): string {
    if (request.type === 'RegisterPrincipal' || request.type === 'IssueApiKey') return request.principalId;
    const key = this.registry.state().keys.get(request.keyId);
    if (!key) throw new DomainError('API_KEY_NOT_FOUND', `no key ${request.keyId}`);
    return key.principalId;
  }
}
