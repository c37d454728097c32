/**
 * `npm run cli -- liquidator liquidations|auctions|take|bid|reset`: what a keeper runs against the ledger's
 * auctions. Amounts and prices are decimal strings in whole tokens, as in the API.
 */
import { Command } from 'commander';
import { randomUUID } from 'node:crypto';
import { ledgerApi, LedgerTarget, print, withLedger } from '../cli/ledger-api';

export function registerAuctionCommands(liquidator: Command): void {
  const poolQuery = (pool?: string) => (pool ? `?poolId=${encodeURIComponent(pool)}` : '');

  withLedger(liquidator.command('liquidations').description('list liquidations under way (positions by id and commitment)').option('--pool <id>', 'only this pool')).action(
    async (o: LedgerTarget & { pool?: string }) => print(await ledgerApi(o, 'GET', `/liquidations${poolQuery(o.pool)}`)),
  );

  withLedger(
    liquidator
      .command('auctions')
      .description('list auctions not yet seen through (or only running, or settled ones): lot, tab, the price now, whether one needs a reset')
      .option('--pool <id>', 'only this pool')
      .option('--status <status>', 'running or settled'),
  ).action(async (o: LedgerTarget & { pool?: string; status?: string }) => {
    const query = new URLSearchParams({ ...(o.pool ? { poolId: o.pool } : {}), ...(o.status ? { status: o.status } : {}) }).toString();
    print(await ledgerApi(o, 'GET', `/auctions${query ? `?${query}` : ''}`));
  });

  withLedger(
    liquidator
      .command('take')
      .description('buy collateral from an auction at its price now, paying in the debt asset')
      .requiredOption('--auction <id>', 'the auction')
      .requiredOption('--taker <id>', 'who takes and pays')
      .requiredOption('--collateral <amount>', 'the most collateral to buy (whole collateral tokens)')
      .requiredOption('--max-price <price>', 'the highest price to pay (debt tokens per collateral token)')
      .option('--command-id <id>', 'command id (default: a fresh one; reuse it to retry safely)'),
  ).action(async (o: LedgerTarget & { auction: string; taker: string; collateral: string; maxPrice: string; commandId?: string }) => {
    const body = { commandId: o.commandId ?? `take-${randomUUID()}`, taker: o.taker, collateral: o.collateral, maxPrice: o.maxPrice };
    print(await ledgerApi(o, 'POST', `/auctions/${encodeURIComponent(o.auction)}/take`, body));
  });

  withLedger(
    liquidator
      .command('bid')
      .description('bid in an English auction: the debt asset offered for what is left of the lot')
      .requiredOption('--auction <id>', 'the auction')
      .requiredOption('--bidder <id>', 'who bids')
      .requiredOption('--amount <amount>', 'the bid (whole debt tokens)')
      .option('--command-id <id>', 'command id (default: a fresh one; reuse it to retry safely)'),
  ).action(async (o: LedgerTarget & { auction: string; bidder: string; amount: string; commandId?: string }) => {
    print(await ledgerApi(o, 'POST', `/auctions/${encodeURIComponent(o.auction)}/bids`, { commandId: o.commandId ?? `bid-${randomUUID()}`, bidder: o.bidder, amount: o.amount }));
  });

  withLedger(
    liquidator
      .command('reset')
      .description("restart a stale auction at the fresh oracle price and earn the pool's keeper incentive")
      .requiredOption('--auction <id>', 'the auction')
      .requiredOption('--keeper <id>', 'who resets it')
      .option('--command-id <id>', 'command id (default: a fresh one)'),
  ).action(async (o: LedgerTarget & { auction: string; keeper: string; commandId?: string }) => {
    print(await ledgerApi(o, 'POST', `/auctions/${encodeURIComponent(o.auction)}/reset`, { commandId: o.commandId ?? `reset-${randomUUID()}`, keeper: o.keeper }));
  });
}
