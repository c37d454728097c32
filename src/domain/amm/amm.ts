/**
 * A pool's constant-product market (stream `amm-<poolId>`), the liquidation route that always clears:
 * collateral in, debt asset out, along x·y = k. Its reserves change only by its events: liquidity an
 * admin adds, and the swaps liquidations make. A swap sells only as much collateral as the tab needs
 * (or all it is given), and reports its slippage: how far its average price fell under the market's
 * price before it. Rounding keeps k from falling: what the market pays out rounds down.
 */
import { Decider, DomainError } from '../decider';
import { BPS, ceilDiv, WAD } from '../math/fixed-point';
import { AMOUNT_BITS } from '../risk/liquidation-rule';

export type AmmState =
  | { status: 'absent' }
  | { status: 'active'; poolId: string; collateralUnit: bigint; debtUnit: bigint; collateral: bigint; debt: bigint; lastSwap?: Extract<AmmEvent, { type: 'CollateralSwapped' }> };

export type AmmCommand =
  | { type: 'AddLiquidity'; poolId: string; collateralUnit: bigint; debtUnit: bigint; collateral: bigint; debt: bigint }
  /** Sell at most `collateral` for at most `wanted` of the debt asset (what is left of a liquidation's tab). */
  | { type: 'SwapCollateral'; auctionId: string; collateral: bigint; wanted: bigint };

export type AmmEvent =
  | { type: 'LiquidityAdded'; poolId: string; collateralUnit: bigint; debtUnit: bigint; collateral: bigint; debt: bigint; reserveCollateral: bigint; reserveDebt: bigint }
  | {
      type: 'CollateralSwapped';
      auctionId: string;
      collateralIn: bigint;
      debtOut: bigint;
      /** WAD: the market price before, the swap's average price, and the shortfall of one under the other (bps). */
      priceBefore: bigint;
      price: bigint;
      slippageBps: bigint;
      reserveCollateral: bigint;
      reserveDebt: bigint;
    };

export const ammStream = (poolId: string) => `amm-${poolId}`;

const MAX_AMOUNT = (1n << AMOUNT_BITS) - 1n;

export const ammDecider: Decider<AmmState, AmmCommand, AmmEvent, void> = {
  initialState: () => ({ status: 'absent' }),

  decide(command, state) {
    switch (command.type) {
      case 'AddLiquidity': {
        if (command.collateral <= 0n || command.debt <= 0n) throw new DomainError('AMOUNT_NOT_POSITIVE', 'both sides of the liquidity must be positive');
        const collateral = (state.status === 'active' ? state.collateral : 0n) + command.collateral;
        const debt = (state.status === 'active' ? state.debt : 0n) + command.debt;
        if (collateral > MAX_AMOUNT || debt > MAX_AMOUNT) throw new DomainError('AMOUNT_TOO_LARGE', 'reserves must stay below 2^88 smallest units');
        const { poolId, collateralUnit, debtUnit } = state.status === 'active' ? state : command;
        return [{ type: 'LiquidityAdded', poolId, collateralUnit, debtUnit, collateral: command.collateral, debt: command.debt, reserveCollateral: collateral, reserveDebt: debt }];
      }
      case 'SwapCollateral': {
        if (state.status !== 'active') throw new DomainError('MARKET_NOT_FOUND', 'the pool has no market to sell into');
        if (command.collateral <= 0n || command.wanted <= 0n) throw new DomainError('AMOUNT_NOT_POSITIVE', 'nothing to sell');
        const { collateral: x, debt: y } = state;
        // Collateral that raises `wanted`: y·dx/(x+dx) = wanted ⇔ dx = wanted·x/(y − wanted), rounded up.
        const needed = command.wanted < y ? ceilDiv(command.wanted * x, y - command.wanted) : undefined;
        // Stryker disable next-line EqualityOperator: when needed equals the collateral given, either is the same amount.
        const collateralIn = needed !== undefined && needed < command.collateral ? needed : command.collateral;
        const debtOut = (y * collateralIn) / (x + collateralIn);
        if (debtOut === 0n) throw new DomainError('SWAP_TOO_SMALL', 'the market pays nothing for so little');
        const priceBefore = marketPrice(y, x, state);
        const price = marketPrice(debtOut, collateralIn, state);
        return [
          {
            type: 'CollateralSwapped',
            auctionId: command.auctionId,
            collateralIn,
            debtOut,
            priceBefore,
            price,
            slippageBps: priceBefore > price ? ((priceBefore - price) * BPS) / priceBefore : 0n,
            reserveCollateral: x + collateralIn,
            reserveDebt: y - debtOut,
          },
        ];
      }
    }
  },

  evolve(state, event) {
    if (event.type === 'LiquidityAdded') {
      const last = state.status === 'active' ? { lastSwap: state.lastSwap } : {};
      return { status: 'active', poolId: event.poolId, collateralUnit: event.collateralUnit, debtUnit: event.debtUnit, collateral: event.reserveCollateral, debt: event.reserveDebt, ...last };
    }
    return { ...(state as Extract<AmmState, { status: 'active' }>), collateral: event.reserveCollateral, debt: event.reserveDebt, lastSwap: event };
  },
};

/** WAD price of `collateral` smallest units going for `debt` smallest units (whole debt tokens per whole collateral token). */
export function marketPrice(debt: bigint, collateral: bigint, units: { collateralUnit: bigint; debtUnit: bigint }): bigint {
  return (debt * WAD * units.collateralUnit) / (collateral * units.debtUnit);
}
