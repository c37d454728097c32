/**
 * The audit of authority: the principals' streams (and a legacy `access-registry`) replayed in `$all`
 * order beside the ledger's, so at every event the directory is as it stood then: who was registered
 * with which role, which keys were active. Each recorded command, access commands included, must have
 * been issued by a principal allowed to issue it at that moment (src/domain/access/authority.ts);
 * otherwise UNAUTHORIZED_COMMAND. The report carries the timeline: who was registered as what, and
 * each key's issue, rotation and revocation.
 *
 * Events from before the ledger recorded who issued a command name no principal. The history's first
 * stretch of such events is counted as unattributed, not failed; once the ledger records principals,
 * an event that names none fails like a forbidden one (a forger would otherwise leave it out).
 */
import { AccessCommand, accessEventCodec, AccessEvent, accessRegistryDecider, AccessRegistryState, Role } from '../domain/access/access-registry';
import { CommandScope, LedgerCommand, unauthorized } from '../domain/access/authority';
import { ledgerStreamOf } from '../domain/events';
import { isLedgerMetadata } from '../eventstore/event-codec';
import { HistoryEvent } from './history';
import { LedgerReplay, RecordedCommand } from './ledger-replay';

export interface AuthorityEntry {
  /** When it was decided, ISO-8601. */
  at: string;
  principalId: string;
  change: 'registered' | 'key issued' | 'key rotated' | 'key revoked';
  role?: Role;
  keyId: string;
  /** The key a rotation starts. */
  newKeyId?: string;
  /** Who issued the change. */
  by: string | null;
}

export interface AuthorityReport {
  /** Each principal as the history leaves it: its role, and its keys with their status. */
  principals: { id: string; role: Role; feeds: string[]; keys: { keyId: string; status: 'active' | 'revoked' }[] }[];
  timeline: AuthorityEntry[];
  /** Commands checked against who may issue what. */
  commandsChecked: number;
  /** Commands recorded before the ledger recorded who issued them. */
  unattributed: number;
}

const ACCESS_COMMAND_OF: Record<AccessEvent['type'], AccessCommand['type']> = {
  PrincipalRegistered: 'RegisterPrincipal',
  ApiKeyIssued: 'IssueApiKey',
  ApiKeyRotated: 'RotateApiKey',
  ApiKeyRevoked: 'RevokeApiKey',
};

export class AuthorityReplay {
  private directory: AccessRegistryState = accessRegistryDecider.initialState();
  private readonly timeline: AuthorityEntry[] = [];
  private attributing = false;
  private checked = 0;
  private unattributed = 0;

  constructor(private readonly replay: LedgerReplay) {}

  /** An access event: checked like any command (when `check`), then folded into the directory. */
  addAccessEvent(e: HistoryEvent, check: boolean): void {
    const meta = isLedgerMetadata(e.metadata) ? e.metadata : undefined;
    let event: AccessEvent;
    try {
      event = accessEventCodec.decode(e.type, meta?.schemaVersion ?? 1, e.data as Record<string, unknown>);
    } catch (err) {
      this.replay.fail('UNDECODABLE', `${e.type} cannot be decoded: ${(err as Error).message}`, e);
      return;
    }
    if (check) this.check({ type: ACCESS_COMMAND_OF[event.type] }, meta?.principal, {}, e);
    this.directory = accessRegistryDecider.evolve(this.directory, event);
    const at = new Date(Number(event.at) * 1000).toISOString();
    const by = meta?.principal ?? null;
    if (event.type === 'PrincipalRegistered') this.timeline.push({ at, principalId: event.principalId, change: 'registered', role: event.role, keyId: '', by });
    else if (event.type === 'ApiKeyIssued') this.timeline.push({ at, principalId: event.principalId, change: 'key issued', keyId: event.keyId, by });
    else if (event.type === 'ApiKeyRevoked') this.timeline.push({ at, principalId: event.principalId, change: 'key revoked', keyId: event.keyId, by });
    else this.timeline.push({ at, principalId: event.principalId, change: 'key rotated', keyId: event.keyId, newKeyId: event.newKeyId, by });
  }

  /** A ledger command, before the replay folds it: was its issuer allowed to issue it then? */
  checkCommand(recorded: RecordedCommand, command: LedgerCommand | undefined, principal: string | undefined): void {
    if (!command) return; // no command's events: the re-decision reports them
    this.check(command, principal, this.scopeOf(recorded), recorded.events[0]);
  }

  report(): AuthorityReport {
    const keys = [...this.directory.keys.values()];
    return {
      principals: [...this.directory.principals.values()].map((p) => ({
        ...p,
        keys: keys.filter((k) => k.principalId === p.id).map(({ keyId, status }) => ({ keyId, status })),
      })),
      timeline: this.timeline,
      commandsChecked: this.checked,
      unattributed: this.unattributed,
    };
  }

  private check(command: LedgerCommand | { type: AccessCommand['type'] }, principal: string | undefined, scope: CommandScope, at: { stream: string; revision: bigint; position: bigint; id: string }): void {
    if (principal !== undefined) this.attributing = true;
    if (principal === undefined && !this.attributing) {
      this.unattributed++;
      return;
    }
    this.checked++;
    const why = unauthorized(command, principal, this.directory, scope);
    if (why) this.replay.fail('UNAUTHORIZED_COMMAND', `${command.type} by ${principal ?? 'nobody'}: ${why}`, at);
  }

  /** What the routes' scopes check, as the history stood before the command. */
  private scopeOf(recorded: RecordedCommand): CommandScope {
    const { kind, id } = ledgerStreamOf(recorded.stream);
    if (kind === 'oracle') return { feed: id };
    if (kind !== 'position') return {};
    const position = this.replay.positions.get(id);
    return position && position.status !== 'absent' ? { positionOwner: position.owner } : {};
  }
}
