/**
 * Access commands through the one command path, on the registry's single stream, and the registry's
 * current state for authentication: followed by a subscription, so a request costs no read.
 */
import { Injectable } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import {
  ACCESS_REGISTRY_STREAM,
  AccessCommand,
  accessEventCodec,
  AccessEvent,
  accessRegistryDecider,
  AccessRegistryState,
  Principal,
  principalOfKey,
} from '../domain/access/access-registry';
import { CommandHandling, CommandOutcome } from '../eventstore/command-handling';
import { DistributiveOmit, TimedCommands } from '../eventstore/timed-commands';
import { parseApiKey, secretMatches } from './api-keys';

export type AccessRequest = DistributiveOmit<AccessCommand, 'now'>;

export class ExecuteAccessCommand {
  constructor(
    readonly commandId: string,
    readonly request: AccessRequest,
  ) {}
}

@CommandHandler(ExecuteAccessCommand)
export class AccessCommandHandler implements ICommandHandler<ExecuteAccessCommand, CommandOutcome<AccessEvent, AccessRegistryState>> {
  constructor(private readonly commands: TimedCommands) {}

  execute({ commandId, request }: ExecuteAccessCommand): Promise<CommandOutcome<AccessEvent, AccessRegistryState>> {
    return this.commands.run(ACCESS_REGISTRY_STREAM, accessRegistryDecider, accessEventCodec, commandId, request);
  }
}

/** Why a key was not accepted. */
export type Authentication = { principal: Principal } | { refused: 'INVALID_API_KEY' | 'API_KEY_REVOKED' };

@Injectable()
export class AccessRegistry {
  constructor(private readonly handling: CommandHandling) {
    handling.follow(ACCESS_REGISTRY_STREAM, accessRegistryDecider, accessEventCodec);
  }

  async state(): Promise<AccessRegistryState> {
    return (await this.handling.current(ACCESS_REGISTRY_STREAM, accessRegistryDecider, accessEventCodec)).state;
  }

  /** The principal holding this key, or why there is none. */
  async authenticate(apiKey: string): Promise<Authentication> {
    const parsed = parseApiKey(apiKey);
    if (!parsed) return { refused: 'INVALID_API_KEY' };
    const state = await this.state();
    const record = state.keys.get(parsed.keyId);
    if (!record || !secretMatches(parsed.secret, record.secretHash)) return { refused: 'INVALID_API_KEY' };
    const principal = principalOfKey(state, parsed.keyId);
    return principal ? { principal } : { refused: 'API_KEY_REVOKED' };
  }
}
