/**
 * A liquidator's proof on its way to a LiquidationTriggered event. The claim is first checked through
 * the one command path without appending (refusals cost no verification), then the proof is verified
 * off the event loop, and only then does the position command run for real: decide checks every rule
 * again against fresh state, under the position's expected revision.
 */
import { BadRequestException, Inject, Injectable, OnModuleDestroy, ServiceUnavailableException } from '@nestjs/common';
import { CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../domain/decider';
import { LiquidationPublicSignals, parsePublicSignals, PublicSignalsError } from '../domain/liquidation/public-signals';
import { positionStream } from '../domain/position/position';
import { positionAggregate, PositionRequest } from '../domain/position/position-aggregate';
import { AggregateCommands, ExecuteCommand } from '../eventstore/aggregate-commands';
import { CommandHandling, handledIn } from '../eventstore/command-handling';
import { PositionCommandResult } from '../ledger/positions/position.command';
import { Metrics } from '../observability/metrics';
import { VerifierBusyError, VerifierPool } from './verifier-pool';

export const VERIFIER_POOL = Symbol('VerifierPool');

/** Closes the verifier's worker threads with the app. */
@Injectable()
export class VerifierPoolLifecycle implements OnModuleDestroy {
  constructor(@Inject(VERIFIER_POOL) private readonly verifier: VerifierPool) {}
  onModuleDestroy(): Promise<void> {
    return this.verifier.close();
  }
}

export class SubmitLiquidationProof {
  constructor(
    readonly positionId: string,
    readonly commandId: string,
    readonly liquidator: string,
    readonly proof: unknown,
    readonly publicSignals: string[],
  ) {}
}

@CommandHandler(SubmitLiquidationProof)
export class SubmitLiquidationProofHandler implements ICommandHandler<SubmitLiquidationProof, PositionCommandResult> {
  constructor(
    private readonly bus: CommandBus,
    private readonly commands: AggregateCommands,
    private readonly handling: CommandHandling,
    private readonly metrics: Metrics,
    @Inject(VERIFIER_POOL) private readonly verifier: VerifierPool,
  ) {}

  execute(command: SubmitLiquidationProof): Promise<PositionCommandResult> {
    return this.metrics.observeCommand('SubmitLiquidationProof', () => this.submit(command));
  }

  private async submit({ positionId, commandId, liquidator, proof, publicSignals }: SubmitLiquidationProof): Promise<PositionCommandResult> {
    const signals = parseSignals(publicSignals);
    const claim = { type: 'TriggerLiquidation', liquidator, signals, proof, publicSignals } as const;
    let proofVerified = false;
    const snapshot = await this.handling.load(positionStream(positionId), positionAggregate.decider, positionAggregate.codec);
    // A retried command is answered by the position path as it was the first time, without a new verdict.
    if (!handledIn(snapshot, commandId)) {
      await this.commands.check(positionAggregate, positionId, { ...claim, proofVerified: true });
      proofVerified = await this.verify(proof, publicSignals);
      if (!proofVerified) throw new DomainError('INVALID_PROOF', 'the proof does not verify against its public signals');
    }
    const request: PositionRequest = { ...claim, proofVerified };
    return this.bus.execute(new ExecuteCommand(positionAggregate, positionId, commandId, request));
  }

  private async verify(proof: unknown, publicSignals: string[]): Promise<boolean> {
    const end = this.metrics.proofVerificationSeconds.startTimer();
    try {
      return await this.verifier.verify(proof, publicSignals);
    } catch (err) {
      if (err instanceof VerifierBusyError) throw new ServiceUnavailableException({ code: 'VERIFIER_BUSY', message: 'too many proofs waiting for verification; retry shortly' });
      throw err;
    } finally {
      end();
    }
  }
}

function parseSignals(publicSignals: string[]): LiquidationPublicSignals {
  try {
    return parsePublicSignals(publicSignals);
  } catch (err) {
    if (err instanceof PublicSignalsError) throw new BadRequestException({ code: 'INVALID_PUBLIC_SIGNALS', message: err.message });
    throw err;
  }
}
