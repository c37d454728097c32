import { Module } from '@nestjs/common';
import { FeedCommandHandler, Feeds } from './feed.command';
import { FeedsController } from './feeds.controller';

@Module({
  controllers: [FeedsController],
  providers: [FeedCommandHandler, Feeds],
  exports: [Feeds],
})
export class OracleModule {}
