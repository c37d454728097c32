import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { OracleModule } from '../oracle/oracle.module';
import { ZkModule } from '../zk/zk.module';
import { LiquidationDetector } from './liquidation-detector';
import { LiquidationsController } from './liquidations.controller';
import { Auctions } from './auction.command';
import { AuctionsController } from './auctions.controller';
import { LiquidationSaga } from './liquidation-saga';
import { LiquidationReservations } from './liquidation-reservations';
import { GlobalLiquidationCap } from './global-liquidation-cap.command';
import { MarketsController } from './markets.controller';

/** Liquidation: detecting positions that fell below their threshold, auctioning their collateral, settling. */
@Module({
  imports: [LedgerModule, OracleModule, ZkModule],
  controllers: [LiquidationsController, AuctionsController, MarketsController],
  providers: [LiquidationDetector, LiquidationSaga, LiquidationReservations, Auctions, GlobalLiquidationCap],
  exports: [LiquidationDetector],
})
export class LiquidationModule {}
