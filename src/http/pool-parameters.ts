/**
 * A pool's parameters as the API carries them both ways: the body a client sends (PoolParametersBody,
 * in the ledger's create and change requests) and the same shape shown back (poolParametersView, in
 * the pool-state read model): ratios and durations as integers, amounts in whole tokens of their
 * asset, the health factor and the stability fee as decimals. What a client reads it can send back unchanged.
 */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, ValidateNested } from 'class-validator';
import { AUCTION_CURVES } from '../domain/liquidation/auction-curves';
import { formatDecimal } from '../domain/math/decimal';
import { WAD_DECIMALS } from '../domain/math/fixed-point';
import { AuctionParameters, DEFAULT_AUCTION, LIQUIDATION_ROUTES, PoolParameters } from '../domain/pool/pool';
import { DecimalField, IsOptional, SmallIntField } from './api-fields';

/** How a pool's liquidations sell collateral: a Dutch auction. Any field left out keeps its default (or current) value. */
export class AuctionParametersBody {
  @ApiPropertyOptional({ enum: LIQUIDATION_ROUTES, example: 'dutch', description: 'dutch: a Dutch auction; english: bids with a minimum increment and a close that late bids push back; market: straight into the pool market. A Dutch or English auction that needs a reset falls back to the pool market, if the pool has one.' })
  @IsOptional()
  @IsIn(LIQUIDATION_ROUTES)
  route?: (typeof LIQUIDATION_ROUTES)[number];

  @ApiPropertyOptional({ enum: AUCTION_CURVES, example: 'stairstep', description: 'How the price falls: linear, stairstep (a drop per step) or exponential (smooth)' })
  @IsOptional()
  @IsIn(AUCTION_CURVES)
  curve?: (typeof AUCTION_CURVES)[number];

  @IsOptional()
  @SmallIntField('Price cut per step (bps; of the starting price for linear, of the price for the others)', 1, 9_999, 100)
  cutBps?: number;

  @IsOptional()
  @SmallIntField('Seconds per step', 1, 86_400, 60)
  stepSeconds?: number;

  @IsOptional()
  @SmallIntField('Starting price over the oracle price (bps, 11000 = 10% above)', 10_000, 30_000, 11_000)
  bufferBps?: number;

  @IsOptional()
  @SmallIntField('A keeper may reset an auction older than this (seconds)...', 1, 604_800, 3_600)
  resetAfterSeconds?: number;

  @IsOptional()
  @SmallIntField('...or whose price fell below this share of its start (bps)', 0, 9_999, 5_000)
  resetBelowBps?: number;

  @IsOptional()
  @DecimalField('Flat incentive for a keeper who starts or resets an auction (debt asset)', '0')
  keeperTip?: string;

  @IsOptional()
  @SmallIntField("A keeper's further incentive: this share of the tab (bps)", 0, 1_000, 0)
  keeperChipBps?: number;

  @IsOptional()
  @SmallIntField('English auctions: each bid beats the last by at least this (bps)', 1, 5_000, 100)
  bidIncrementBps?: number;

  @IsOptional()
  @SmallIntField('English auctions: bidding closes this long after the start (seconds)...', 1, 604_800, 600)
  biddingSeconds?: number;

  @IsOptional()
  @SmallIntField('...and a bid this close to the close pushes it this far past the bid (seconds)', 0, 86_400, 60)
  extendSeconds?: number;
}

/** Every risk parameter of a pool; ratios in basis points, amounts as decimal strings of the asset. */
export class PoolParametersBody {
  @SmallIntField('Maximum loan-to-value for withdrawals and draws (bps)', 1, 9_999, 7500)
  maxLtvBps!: number;

  @SmallIntField('Liquidation threshold (bps): health factor = collateral value × this / debt', 1, 10_000, 8250)
  liquidationThresholdBps!: number;

  @SmallIntField('Liquidation penalty charged to the borrower (bps)', 0, 5_000, 500)
  liquidationPenaltyBps!: number;

  @SmallIntField('Bonus paid to the liquidator (bps)', 0, 5_000, 300)
  liquidatorBonusBps!: number;

  @SmallIntField('Protocol fee taken from the bonus (bps of the bonus)', 0, 10_000, 1000)
  protocolFeeBps!: number;

  @SmallIntField('Share of the debt one liquidation may repay (bps)', 1, 10_000, 5000)
  closeFactorBps!: number;

  @DecimalField('Below this health factor the close factor is 100%', '0.95')
  fullCloseHealthFactor!: string;

  @DecimalField('Smallest debt a position may keep (debt asset)', '10')
  dustLimit!: string;

  @DecimalField('Cap on collateral under liquidation at once (collateral asset)', '1000')
  liquidationCollateralCap!: string;

  @DecimalField('Yearly stability fee, e.g. "0.05" for 5% a year, compounded per second', '0.05')
  stabilityFeeYearly!: string;

  @ApiPropertyOptional({ type: AuctionParametersBody, description: 'How liquidations sell collateral (defaults: stairstep, 1% every 60 s, starting 10% above the oracle)' })
  @IsOptional()
  @ValidateNested()
  @Type(() => AuctionParametersBody)
  auction?: AuctionParametersBody;
}

export function poolParametersView(p: PoolParameters, debtDecimals: number, collateralDecimals: number): Required<PoolParametersBody> {
  return {
    maxLtvBps: Number(p.maxLtvBps),
    liquidationThresholdBps: Number(p.liquidationThresholdBps),
    liquidationPenaltyBps: Number(p.liquidationPenaltyBps),
    liquidatorBonusBps: Number(p.liquidatorBonusBps),
    protocolFeeBps: Number(p.protocolFeeBps),
    closeFactorBps: Number(p.closeFactorBps),
    fullCloseHealthFactor: formatDecimal(p.fullCloseHealthFactor, WAD_DECIMALS),
    dustLimit: formatDecimal(p.dustLimit, debtDecimals),
    liquidationCollateralCap: formatDecimal(p.liquidationCollateralCap, collateralDecimals),
    stabilityFeeYearly: formatDecimal(p.stabilityFeeYearly, WAD_DECIMALS),
    // Pools set up before auctions were configurable sell by the defaults.
    auction: auctionParametersView({ ...DEFAULT_AUCTION, ...p.auction }, debtDecimals),
  };
}

function auctionParametersView(a: AuctionParameters, debtDecimals: number): Required<AuctionParametersBody> {
  return {
    route: a.route,
    curve: a.curve,
    cutBps: Number(a.cutBps),
    stepSeconds: Number(a.stepSeconds),
    bufferBps: Number(a.bufferBps),
    resetAfterSeconds: Number(a.resetAfterSeconds),
    resetBelowBps: Number(a.resetBelowBps),
    keeperTip: formatDecimal(a.keeperTip, debtDecimals),
    keeperChipBps: Number(a.keeperChipBps),
    bidIncrementBps: Number(a.bidIncrementBps),
    biddingSeconds: Number(a.biddingSeconds),
    extendSeconds: Number(a.extendSeconds),
  };
}
