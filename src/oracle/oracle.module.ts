import { Module } from '@nestjs/common';
import { Feeds } from './feed.command';
import { FeedsController } from './feeds.controller';

@Module({
  controllers: [FeedsController],
  providers: [Feeds],
  exports: [Feeds],
})
export class OracleModule {}
