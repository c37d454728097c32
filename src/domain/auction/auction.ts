/**
 * The auction of a liquidated position's collateral (stream `auction-<id>`). The pool first reserves
 * room for it under its cap and fixes its terms (pool.ts, ReserveLiquidation). It starts from that
 * oracle price, and its route (auction-route.ts: Dutch, English or market) says how the lot sells. A
 * run that is over without a sale is reset by a keeper at a fresh oracle price, who earns an incentive,
 * or the pool's market buys the lot. It settles when the tab is raised or the lot is sold; the split of
 * what was raised is recorded then. The pool's parameters are copied in at the start: a later change
 * never alters a running auction.
 */
import { Decider, DomainError } from '../decider';
import { BPS, mulDivDown } from '../math/fixed-point';
import { citedRoundPrice } from '../liquidation/liquidation-trigger';
import { activePool, AuctionParameters, auctionParametersOf } from '../pool/pool';
import { unitOf } from '../risk/liquidation-rule';
import { auctionPrice } from '../liquidation/auction-curves';
import { AuctionCommand, AuctionContext, AuctionEvent, AuctionState, RunningAuction, runningAuction, settlement } from './auction-model';
import type { AuctionQuote } from './auction-route';
import { AUCTION_ROUTES, routeOf } from './auction-routes';

export type { AuctionCommand, AuctionContext, AuctionEvent, AuctionState, RunningAuction } from './auction-model';

export const auctionStream = (auctionId: string) => `auction-${auctionId}`;

export const auctionDecider: Decider<AuctionState, AuctionCommand, AuctionEvent, AuctionContext> = {
  initialState: () => ({ status: 'absent' }),

  decide(command, state, context) {
    const { now } = context;
    if (command.type === 'StartAuction') {
      if (state.status !== 'absent') throw new DomainError('AUCTION_EXISTS', `auction ${command.auctionId} already exists`);
      const position = context.position;
      if (position.status !== 'open' || position.positionId !== command.positionId || !position.liquidation) throw new DomainError('NOT_IN_LIQUIDATION', 'the position is not being liquidated');
      const pool = activePool(context.pool);
      // The pool reserved room for it under its cap, with its terms fixed at the price then.
      const reservation = pool.reservations.get(command.auctionId);
      if (!reservation || reservation.positionId !== position.positionId) throw new DomainError('NOT_RESERVED', `the pool holds no room for auction ${command.auctionId}`);
      const { price, debtToCover, penalty, tab, lot } = reservation;
      const terms = { debtToCover, penalty, tab, lot };
      const collateralUnit = unitOf(pool.collateral.decimals);
      const debtUnit = unitOf(pool.debt.decimals);
      const auction = auctionParametersOf(pool);
      const { auctionId, keeper } = command;
      const { positionId } = position;
      const liquidator = position.liquidation.by === 'proof' ? position.liquidation.liquidator : undefined;
      return [
        {
          type: 'AuctionStarted',
          auctionId,
          positionId,
          poolId: pool.poolId,
          ...(liquidator !== undefined ? { liquidator } : {}),
          ...(keeper !== undefined ? { keeper } : {}),
          keeperReward: keeper !== undefined ? keeperReward(auction, terms.tab) : 0n,
          price,
          top: mulDivDown(price, auction.bufferBps, BPS),
          parameters: pool.parameters,
          auction,
          collateralUnit,
          debtUnit,
          at: now,
          ...terms,
        },
      ];
    }
    const auction = runningAuction(state);
    const quote = auctionQuote(auction, now);
    const due = quote.needsReset;
    switch (command.type) {
      case 'TakeCollateral':
      case 'PlaceBid':
      case 'CloseAuction':
        return routeOf(auction).decide(command, auction, quote, now);
      case 'SellToMarket': {
        if (!routeOf(auction).sellsToMarket(due)) throw new DomainError('AUCTION_RUNNING', 'an auction goes to the market only once it needs a reset');
        if (command.collateral <= 0n || command.collateral > auction.lot - auction.sold || command.paid > auction.tab - auction.raised) {
          throw new DomainError('INVALID_SETTLEMENT', 'the market sale does not fit what is left of the lot and the tab');
        }
        // The market's sale ends the auction, whatever it raised: collateral it did not need goes back to the borrower.
        const { collateral, paid, price } = command;
        return [{ type: 'SoldToMarket', collateral, paid, price, at: now }, settlement(auction, collateral, paid, now)];
      }
      case 'ResetAuction': {
        if (!due) throw new DomainError('AUCTION_NOT_RESETTABLE', 'the auction is neither too old nor too far down to reset');
        const oracle = citedRoundPrice(context.feed, activePool(context.pool).feed, command.round, now);
        const next = routeOf(auction).afterReset;
        return [
          {
            type: 'AuctionReset',
            keeper: command.keeper,
            keeperReward: keeperReward(auction.auction, auction.tab - auction.raised),
            round: command.round,
            price: oracle,
            top: mulDivDown(oracle, auction.auction.bufferBps, BPS),
            at: now,
            // A route that continues on another (an English auction closed without a bid restarts as a Dutch one).
            ...(next !== auction.auction.route ? { route: next } : {}),
          },
        ];
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'AuctionStarted': {
        const { auctionId, positionId, poolId, liquidator, parameters, auction, collateralUnit, debtUnit, price, top, at, debtToCover, penalty, tab, lot } = event;
        return {
          status: 'running',
          auctionId, positionId, poolId,
          ...(liquidator !== undefined ? { liquidator } : {}),
          parameters, auction, collateralUnit, debtUnit,
          sold: 0n, raised: 0n, oracle: price, top, startedAt: at,
          ...AUCTION_ROUTES[auction.route].opened(auction, at),
          debtToCover, penalty, tab, lot,
        };
      }
      case 'CollateralTaken':
      case 'SoldToMarket': {
        const auction = state as RunningAuction;
        return { ...auction, sold: auction.sold + event.collateral, raised: auction.raised + event.paid };
      }
      case 'AuctionReset': {
        // The run restarts on its route (or the one it continues on), without what the last run kept.
        const { deadline: _closed, bid: _none, ...auction } = state as RunningAuction;
        const parameters: AuctionParameters = { ...auction.auction, route: event.route ?? auction.auction.route };
        return { ...auction, auction: parameters, oracle: event.price, top: event.top, startedAt: event.at, ...AUCTION_ROUTES[parameters.route].opened(parameters, event.at) };
      }
      case 'BidPlaced':
        return { ...(state as RunningAuction), bid: { bidder: event.bidder, amount: event.amount }, deadline: event.deadline };
      case 'BidRefunded':
        return state;
      case 'AuctionWon': {
        const auction = state as RunningAuction;
        return { ...auction, sold: auction.sold + event.collateral, raised: auction.raised + event.paid };
      }
      case 'AuctionSettled':
        return { ...(state as RunningAuction), status: 'settled' };
    }
  },
};

/** The auction's price now on its curve, and whether its run is over without a sale (a keeper may reset it, a taker must wait). */
export function auctionQuote(auction: RunningAuction, now: bigint): AuctionQuote {
  const price = auctionPrice(auction.top, now - auction.startedAt, auction.auction);
  return { price, needsReset: routeOf(auction).needsReset(auction, price, now) };
}

/** The keeper's incentive: the flat tip plus its share of what is still to raise. */
function keeperReward(auction: AuctionParameters, tab: bigint): bigint {
  return auction.keeperTip + mulDivDown(tab, auction.keeperChipBps, BPS);
}
