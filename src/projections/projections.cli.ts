/**
 * `npm run cli -- projections …`: what an operator runs. See each projection's checkpoint and lag, and
 * rebuild a read model from the start with a progress bar (events/s, ETA) while the ledger keeps
 * serving the old one until the new one has caught up.
 */
import { SingleBar } from 'cli-progress';
import { Command } from 'commander';
import { CliError } from '../cli/cli-error';
import { ledgerApi, LedgerTarget, print, withLedger } from '../cli/ledger-api';
import type { RebuildStatusView, ProjectionStatusView } from './projections.controller';

const POLL_MS = 250;

export function registerProjectionCommands(projections: Command): void {

  withLedger(projections.command('status').description("each projection's checkpoint, and its lag in events and time"))
    .action(async (o: LedgerTarget) => print(await ledgerApi<ProjectionStatusView[]>(o, 'GET', '/projections')));

  withLedger(projections.command('rebuild <name>').description('drop a read model and replay it from the start, switching once it has caught up'))
    .action(async (name: string, o: LedgerTarget) => {
      await ledgerApi<RebuildStatusView>(o, 'POST', `/projections/${encodeURIComponent(name)}/rebuild`);
      const bar = new SingleBar({
        stream: process.stderr,
        format: `rebuild ${name} [{bar}] {percentage}% | {events} events | {rate} events/s | ETA {etaText}`,
        hideCursor: true,
        // Off a terminal (CI, a log file) it still reports, a line at a time.
        noTTYOutput: true,
        notTTYSchedule: 1000,
      });
      bar.start(1000, 0, { events: 0, rate: 0, etaText: '—' });
      let status: RebuildStatusView;
      try {
        for (;;) {
          const all = await ledgerApi<ProjectionStatusView[]>(o, 'GET', '/projections');
          status = all.find((p) => p.projection === name)?.rebuild as RebuildStatusView;
          if (!status) throw new CliError(`the ledger reports no rebuild of ${name}`);
          bar.update(Math.round(status.progress * 1000), { events: status.eventsApplied, rate: status.eventsPerSecond, etaText: status.etaSeconds === undefined ? '—' : `${status.etaSeconds}s` });
          if (status.state === 'done' || status.state === 'failed') break;
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        }
      } finally {
        bar.stop();
      }
      if (status.state === 'failed') throw new CliError(`the rebuild of ${name} failed: ${status.error ?? 'no reason given'}`);
      const seconds = (Date.parse(status.finishedAt!) - Date.parse(status.startedAt)) / 1000;
      print({ projection: name, rebuilt: true, eventsApplied: status.eventsApplied, seconds, eventsPerSecond: status.eventsPerSecond });
    });
}
