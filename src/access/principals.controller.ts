import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { AccessEvent, AccessRegistryState, Principal } from '../domain/access/access-registry';
import { CommandOutcome } from '../eventstore/command-handling';
import { receiptOf } from '../http/command-receipt';
import { CommandOnlyBody } from '../http/api-fields';
import { Access, Caller, EVERY_ROLE, issuing } from './access-policy';
import { AccessRegistry, AccessRequest, ExecuteAccessCommand } from './access-registry.command';
import { ApiKeyReceipt, PrincipalView, PrincipalWithKeysView, RegisterPrincipalBody } from './access.dto';
import { generateApiKey, IssuedKey } from './api-keys';

@ApiTags('access')
@Controller()
export class PrincipalsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly registry: AccessRegistry,
  ) {}

  @Post('principals')
  @Access(issuing('RegisterPrincipal'))
  @ApiOperation({ summary: 'Admin: register a principal with a role, and issue its first API key (shown once)' })
  @ApiCreatedResponse({ type: ApiKeyReceipt })
  @ApiUnprocessableEntityResponse({ description: 'PRINCIPAL_EXISTS, FEEDS_ONLY_FOR_ORACLES' })
  register(@Body() body: RegisterPrincipalBody): Promise<ApiKeyReceipt> {
    const key = generateApiKey();
    const request: AccessRequest = { type: 'RegisterPrincipal', principalId: body.principalId, role: body.role, feeds: body.feeds ?? [], keyId: key.keyId, secretHash: key.secretHash };
    return this.issue(body.commandId, request, key);
  }

  @Get('principals')
  @Access({ allow: ['admin'] })
  @ApiOperation({ summary: 'Admin: every principal, its role and its keys (ids and status; never secrets or hashes)' })
  @ApiOkResponse({ type: [PrincipalWithKeysView] })
  list(): PrincipalWithKeysView[] {
    const state = this.registry.state();
    const keys = [...state.keys.values()];
    return [...state.principals.values()].map((p) => ({
      ...p,
      keys: keys.filter((k) => k.principalId === p.id).map(({ keyId, status }) => ({ keyId, status })),
    }));
  }

  @Get('principals/me')
  @Access({ allow: EVERY_ROLE })
  @ApiOperation({ summary: 'Who the API key you send belongs to' })
  @ApiOkResponse({ type: PrincipalView })
  me(@Caller() caller: Principal): PrincipalView {
    return { id: caller.id, role: caller.role, feeds: caller.feeds };
  }

  @Post('principals/:principalId/keys')
  @Access(issuing('IssueApiKey'))
  @ApiOperation({ summary: 'Admin: issue another API key to a principal (shown once)' })
  @ApiCreatedResponse({ type: ApiKeyReceipt })
  @ApiNotFoundResponse({ description: 'PRINCIPAL_NOT_FOUND' })
  issueKey(@Param('principalId') principalId: string, @Body() body: CommandOnlyBody): Promise<ApiKeyReceipt> {
    const key = generateApiKey();
    return this.issue(body.commandId, { type: 'IssueApiKey', principalId, keyId: key.keyId, secretHash: key.secretHash }, key);
  }

  @Post('keys/:keyId/rotate')
  @Access(issuing('RotateApiKey'))
  @ApiOperation({ summary: 'Admin: replace an API key with a new one (shown once); the old one stops in the same event' })
  @ApiCreatedResponse({ type: ApiKeyReceipt })
  @ApiNotFoundResponse({ description: 'API_KEY_NOT_FOUND' })
  @ApiUnprocessableEntityResponse({ description: 'API_KEY_REVOKED' })
  rotate(@Param('keyId') keyId: string, @Body() body: CommandOnlyBody): Promise<ApiKeyReceipt> {
    const key = generateApiKey();
    return this.issue(body.commandId, { type: 'RotateApiKey', keyId, newKeyId: key.keyId, newSecretHash: key.secretHash }, key);
  }

  @Post('keys/:keyId/revoke')
  @Access(issuing('RevokeApiKey'))
  @ApiOperation({ summary: 'Admin: revoke an API key; calls with it are refused (401 API_KEY_REVOKED) from now on' })
  @ApiCreatedResponse({ type: ApiKeyReceipt })
  @ApiNotFoundResponse({ description: 'API_KEY_NOT_FOUND' })
  @ApiUnprocessableEntityResponse({ description: 'API_KEY_REVOKED' })
  async revoke(@Param('keyId') keyId: string, @Body() body: CommandOnlyBody): Promise<ApiKeyReceipt> {
    const result = await this.execute(body.commandId, { type: 'RevokeApiKey', keyId });
    return { ...receiptOf(body.commandId, result), principalId: result.state.keys.get(keyId)?.principalId, keyId };
  }

  /** Runs a command that issues `key`: the key is answered when this call appended it, never again. */
  private async issue(commandId: string, request: AccessRequest, key: IssuedKey): Promise<ApiKeyReceipt> {
    const result = await this.execute(commandId, request);
    const issued = result.events.find((e) => e.type === 'ApiKeyIssued' || e.type === 'ApiKeyRotated');
    return { ...receiptOf(commandId, result), ...(issued ? { principalId: issued.principalId, keyId: key.keyId, apiKey: key.apiKey } : {}) };
  }

  private execute(commandId: string, request: AccessRequest): Promise<CommandOutcome<AccessEvent, AccessRegistryState>> {
    return this.commands.execute(new ExecuteAccessCommand(commandId, request));
  }
}
