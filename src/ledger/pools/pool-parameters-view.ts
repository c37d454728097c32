/**
 * A pool's parameters as the API shows them: in the very shape a client sends them (PoolParametersBody),
 * ratios and durations as integers, amounts in whole tokens of their asset, the health factor and the
 * stability fee as decimals. What a client reads it can send back unchanged.
 */
import { formatDecimal } from '../../domain/math/decimal';
import { WAD_DECIMALS } from '../../domain/math/fixed-point';
import { AuctionParameters, DEFAULT_AUCTION, PoolParameters } from '../../domain/pool/pool';
import { AuctionParametersBody, PoolParametersBody } from '../ledger.dto';

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

/** The parameters as the read model keeps them (JSON, bigints as strings) back as the domain's. */
export function poolParametersOfJson(json: Record<string, unknown>): PoolParameters {
  const big = (o: Record<string, unknown>, keep: string[]) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, keep.includes(k) ? v : BigInt(v as string)]));
  const { auction, ...rest } = json;
  return { ...big(rest, []), ...(auction ? { auction: big(auction as Record<string, unknown>, ['route', 'curve']) } : {}) } as unknown as PoolParameters;
}
