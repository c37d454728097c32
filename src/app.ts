/** Builds the HTTP application; `main.ts` listens with it, and the end-to-end tests start it the same way. */
import { INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { json, NextFunction, Request, Response } from 'express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { LEDGER_CONFIG, LedgerConfig } from './config/config';
import { loadCrypto } from './domain/crypto/crypto';
import { ErrorFilter, toErrorBody, ValidationFailed } from './observability/errors';
import { LedgerLogger } from './observability/ledger-logger';
import { fingerprintCommands } from './http/request-fingerprint';

export async function createApp(): Promise<INestApplication> {
  await loadCrypto();
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { bufferLogs: true, bodyParser: false });
  app.useLogger(app.get(LedgerLogger));
  const config = app.get<LedgerConfig>(LEDGER_CONFIG);
  // The JSON parser is ours, so malformed and oversized bodies are answered with the API's error codes.
  app.use(json({ limit: config.bodyLimit }));
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (!(err as { type?: string }).type?.startsWith('entity.')) return next(err);
    const body = toErrorBody(err);
    res.status(body.statusCode).json(body);
  });
  // What validation would let through: keys naming an object's prototype (never fields of ours), and
  // nulls (an optional field is left out, never null; validation skips a null optional field).
  app.use((req: Request, res: Response, next: NextFunction) => {
    const problem = bodyProblemIn(req.body);
    if (problem === undefined) return next();
    res.status(400).json({ statusCode: 400, code: 'VALIDATION_FAILED', message: problem });
  });
  app.use(fingerprintCommands);
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
  // A client that trickles its request in is cut off rather than holding a connection open.
  const server = app.getHttpServer() as import('node:http').Server;
  server.requestTimeout = config.requestTimeoutMs;
  server.headersTimeout = Math.min(server.headersTimeout, config.requestTimeoutMs);
  const openApi = new DocumentBuilder()
    .setTitle('Liquidation ledger')
    .setDescription('Event-sourced lending pool ledger. Amounts and prices are decimal strings, never JSON numbers.')
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key an admin issued (POST /principals)' }, 'api-key')
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, openApi), { jsonDocumentUrl: 'docs/openapi.json' });
  return app;
}

const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** No request of ours nests deeper (a proof's pi_b is the deepest, at 4): deeper is refused before any walk of it. */
const MAX_BODY_DEPTH = 16;

function bodyProblemIn(value: unknown, at = 'body', depth = 0): string | undefined {
  if (value === null) return `${at} is null: leave out a field that has no value`;
  if (typeof value !== 'object') return undefined;
  if (depth >= MAX_BODY_DEPTH) return `${at} nests deeper than any request (${MAX_BODY_DEPTH} levels)`;
  for (const key of Object.keys(value)) {
    if (PROTOTYPE_KEYS.has(key)) return `"${key}" is not a field of any request`;
    const nested = bodyProblemIn((value as Record<string, unknown>)[key], `${at}.${key}`, depth + 1);
    if (nested !== undefined) return nested;
  }
  return undefined;
}
