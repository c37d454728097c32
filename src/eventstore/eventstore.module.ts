/**
 * The ledger's connection to its event store: a real EventStoreDB/KurrentDB when
 * EVENTSTORE_CONNECTION_STRING is set, otherwise the embedded server started in this process (on a
 * worker thread of its own unless EVENTSTORE_THREAD=off).
 * Either way the rest of the app sees one `EventStoreDBClient`.
 */
import { Global, Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventStoreDBClient } from '@eventstore/db-client';
import { LEDGER_CONFIG, LedgerConfig } from '../config/config';
import { EmbeddedEventStoreEndpoint, startEmbeddedEventStoreEndpoint } from './embedded/thread';
import { ADMINS, tlsFilesFromEnv } from './embedded/security';
import { CommandHandling } from './command-handling';
import { AggregateCommands, ExecuteCommandHandler } from './aggregate-commands';
import { Quarantine } from './quarantine';
import { StreamDeletionWatch } from './stream-deletion-watch';
import { LedgerSigning } from './ledger-signing';
import { LedgerFeed } from './ledger-feed';
import { StoreSubscriptions } from './store-subscriptions';

@Injectable()
export class EventStoreConnection implements OnApplicationShutdown {
  private readonly logger = new Logger('eventstore');
  private embedded?: EmbeddedEventStoreEndpoint;
  client!: EventStoreDBClient;
  /** The subscriptions the client holds: one, the live feed's, once the ledger runs. */
  subscriptions?: StoreSubscriptions;

  constructor(@Inject(LEDGER_CONFIG) private readonly config: LedgerConfig) {}

  async connect(): Promise<EventStoreDBClient> {
    let connectionString = this.config.eventStoreConnectionString;
    if (connectionString === undefined) {
      const insecure = this.config.eventStoreInsecure;
      const options = { dataDir: this.config.eventStoreDataDir, port: this.config.eventStorePort, insecure, tls: tlsFilesFromEnv() };
      this.embedded = await startEmbeddedEventStoreEndpoint(options, { ownThread: this.config.eventStoreOwnThread });
      // The ledger is a user of its own, in $admins: the admin's password stays the operator's.
      connectionString = await this.embedded.connectionStringAs('ledger', [ADMINS]);
      if (insecure) {
        this.logger.warn(`EVENTSTORE_INSECURE=true: the embedded event store on port ${this.embedded.port} has no TLS, users or ACLs; anyone who reaches the port can read and write the ledger's history`);
      }
      const thread = this.embedded.onOwnThread ? ', on its own thread' : '';
      this.logger.log(`embedded event store on port ${this.embedded.port}${insecure ? '' : ' (TLS, CA ' + this.embedded.caFile + ')'}${thread}, data in ${this.config.eventStoreDataDir}`);
    }
    this.client = EventStoreDBClient.connectionString(connectionString as string);
    this.subscriptions = StoreSubscriptions.of(this.client);
    return this.client;
  }

  get connectionString(): string | undefined {
    return this.embedded?.connectionString ?? this.config.eventStoreConnectionString;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client?.dispose();
    await this.embedded?.close();
  }
}

/** Starts the subscription that keeps followed streams' snapshots current, once every module has said which. */
@Injectable()
export class StreamFollowing implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(private readonly handling: CommandHandling) {}

  onApplicationBootstrap(): Promise<void> {
    return this.handling.startFollowing();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.handling.stopFollowing().catch(() => undefined); // the connection may be closing too
    await this.handling.flushSnapshots();
  }
}

@Global()
@Module({
  providers: [
    EventStoreConnection,
    {
      provide: EventStoreDBClient,
      inject: [EventStoreConnection],
      useFactory: (connection: EventStoreConnection) => connection.connect(),
    },
    {
      provide: LedgerSigning,
      inject: [EventStoreDBClient, LEDGER_CONFIG],
      useFactory: (client: EventStoreDBClient, config: LedgerConfig) => LedgerSigning.open(client, config.ledgerKeyFile),
    },
    // Every consumer decodes through the quarantine, which sets aside what the ledger's keys did not sign.
    { provide: Quarantine, inject: [LedgerSigning], useFactory: (signing: LedgerSigning) => new Quarantine(signing.keys) },
    // The one subscription of this process to its store: every consumer is fed from it.
    LedgerFeed,
    {
      provide: CommandHandling,
      inject: [EventStoreDBClient, Quarantine, LedgerSigning, LedgerFeed],
      useFactory: (client: EventStoreDBClient, quarantine: Quarantine, signing: LedgerSigning, feed: LedgerFeed) => new CommandHandling(client, undefined, quarantine, signing, feed),
    },
    AggregateCommands,
    ExecuteCommandHandler,
    StreamFollowing,
    StreamDeletionWatch,
  ],
  exports: [EventStoreDBClient, LedgerFeed, CommandHandling, EventStoreConnection, AggregateCommands, Quarantine, LedgerSigning],
})
export class EventStoreModule {}
