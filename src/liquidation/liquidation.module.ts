import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { OracleModule } from '../oracle/oracle.module';
import { LiquidationDetector } from './liquidation-detector';
import { LiquidationsController } from './liquidations.controller';
import { AuctionCommandHandler, Auctions } from './auction.command';
import { AuctionsController } from './auctions.controller';
import { LiquidationSaga } from './liquidation-saga';
import { LiquidationReservations } from './liquidation-reservations';

/** Liquidation: detecting positions that fell below their threshold, auctioning their collateral, settling. */
@Module({
  imports: [LedgerModule, OracleModule],
  controllers: [LiquidationsController, AuctionsController],
  providers: [LiquidationDetector, LiquidationSaga, LiquidationReservations, AuctionCommandHandler, Auctions],
  exports: [LiquidationDetector],
})
export class LiquidationModule {}
