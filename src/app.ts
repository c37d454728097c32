/** Builds the HTTP application; `main.ts` listens with it, and the end-to-end tests start it the same way. */
import { INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { loadConfig } from './config/config';
import { loadCrypto } from './domain/crypto/crypto';
import { ErrorFilter, ValidationFailed } from './observability/errors';
import { LedgerLogger } from './observability/ledger-logger';
import { fingerprintCommands } from './http/request-fingerprint';
import { parseJsonBody } from './http/json-body';

export async function createApp(): Promise<INestApplication> {
  await loadCrypto();
  // Fastify, not Express: the HTTP front is over a quarter of a command's CPU, and Fastify's is half
  // Express's (docs/benchmarks.md, http-front). The limits are the adapter's, read before the app exists.
  const { bodyLimitBytes, requestTimeoutMs } = loadConfig();
  // A client that trickles its request in is cut off rather than holding a connection open.
  const adapter = new FastifyAdapter({ bodyLimit: bodyLimitBytes, requestTimeout: requestTimeoutMs });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, adapter, { bufferLogs: true, bodyParser: false });
  app.useLogger(app.get(LedgerLogger));
  const fastify = app.getHttpAdapter().getInstance();
  // The JSON parser is ours, so malformed bodies, and what validation would let through, are answered
  // with the API's error codes. Any other body type is refused (415) rather than read.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: bodyLimitBytes }, parseJsonBody);
  fastify.addHook('preHandler', fingerprintCommands);
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => new ValidationFailed(errors),
    }),
  );
  app.useGlobalFilters(new ErrorFilter());
  app.enableShutdownHooks();
  const server = app.getHttpServer() as import('node:http').Server;
  server.headersTimeout = Math.min(server.headersTimeout, requestTimeoutMs);
  const openApi = new DocumentBuilder()
    .setTitle('Liquidation ledger')
    .setDescription('Event-sourced lending pool ledger. Amounts and prices are decimal strings, never JSON numbers.')
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key an admin issued (POST /principals)' }, 'api-key')
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, openApi), { jsonDocumentUrl: 'docs/openapi.json' });
  return app;
}
