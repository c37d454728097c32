/**
 * The Dutch route (MakerDAO `clip` style): the price starts above the oracle price by the pool's buffer
 * and falls along the pool's curve; any taker buys part or all of the lot at the current price, up to
 * the tab. Too old or too far down, the run is over: a keeper resets it at a fresh price, or the pool's
 * market buys the lot.
 */
import { DomainError } from '../../decider';
import { formatDecimal } from '../../math/decimal';
import { BPS, WAD_DECIMALS } from '../../math/fixed-point';
import { collateralFor, owedFor } from '../../liquidation/liquidation-terms';
import { AuctionEvent, settlement } from '../auction-model';
import type { AuctionRoute } from '../auction-route';

export const dutchRoute: AuctionRoute = {
  opened: () => ({}),

  needsReset(auction, price, now) {
    return now - auction.startedAt > auction.auction.resetAfterSeconds || price * BPS < auction.top * auction.auction.resetBelowBps;
  },

  sellsToMarket: (due) => due,
  afterReset: 'dutch',
  saleSeconds: (auction) => auction.resetAfterSeconds,

  decide(command, auction, { price, needsReset }, now) {
    if (command.type !== 'TakeCollateral') throw new DomainError('NOT_AN_ENGLISH_AUCTION', 'a Dutch auction takes takes, not bids');
    if (needsReset) throw new DomainError('AUCTION_NEEDS_RESET', 'the auction is too old or too far down: a keeper must reset it first');
    if (price > command.maxPrice) throw new DomainError('PRICE_ABOVE_LIMIT', 'the auction price is above the most the taker would pay', { price: formatDecimal(price, WAD_DECIMALS) });
    if (command.collateral <= 0n) throw new DomainError('AMOUNT_NOT_POSITIVE', 'the amount must be positive');
    const lotLeft = auction.lot - auction.sold;
    const tabLeft = auction.tab - auction.raised;
    // Stryker disable next-line EqualityOperator: `<=` is equivalent, both sides being the same amount when equal (its sibling `>=` is killed).
    let collateral = command.collateral < lotLeft ? command.collateral : lotLeft;
    let paid = owedFor(collateral, price, auction.collateralUnit, auction.debtUnit);
    if (paid >= tabLeft) {
      // The rest of the tab: the taker gets what it buys, and not a unit more.
      paid = tabLeft;
      const bought = collateralFor(tabLeft, price, auction.collateralUnit, auction.debtUnit);
      // Stryker disable next-line EqualityOperator: `<=` is equivalent, both sides being the same amount when equal (its sibling `>=` is killed).
      if (bought < collateral) collateral = bought;
    } else if (collateral < lotLeft && tabLeft - paid < auction.parameters.dustLimit) {
      throw new DomainError('TAKE_WOULD_LEAVE_DUST', 'take all that is left, or leave at least the dust limit of the tab');
    }
    if (collateral === 0n || paid === 0n) throw new DomainError('TAKE_TOO_SMALL', 'the take buys nothing at the current price');
    const taken: AuctionEvent = { type: 'CollateralTaken', taker: command.taker, asked: command.collateral, maxPrice: command.maxPrice, collateral, paid, price, at: now };
    if (auction.raised + paid < auction.tab && auction.sold + collateral < auction.lot) return [taken];
    return [taken, settlement(auction, collateral, paid, now)];
  },
};
