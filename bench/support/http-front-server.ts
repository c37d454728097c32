/**
 * The ledger's HTTP front alone, for the http-front benchmark: the draw-debt route with its real body
 * class (`AmountBody`), answering at once with no command behind it, on one of several fronts chosen by
 * HTTP_FRONT. Run as its own process so its CPU per request can be read from /proc.
 *
 * - `express`: Nest on Express with the app's ValidationPipe (class-validator), as the ledger runs today.
 * - `fastify`: the same on Fastify.
 * - `fastify-schema`: Fastify validating the body with a JSON schema (Ajv, compiled once; unknown fields
 *   refused, as forbidNonWhitelisted does), no pipe.
 * `+log` adds the app's request log (nestjs-pino, pino-http, one line per request), and `+metric` a
 * per-request metric (a prom-client histogram and counter, as `Metrics.observeCommand` keeps).
 */
import { Body, CallHandler, Controller, ExecutionContext, HttpCode, Injectable, Module, NestInterceptor, Param, Post, ValidationPipe } from '@nestjs/common';
import { APP_INTERCEPTOR, NestFactory } from '@nestjs/core';
import { FastifyAdapter, RouteSchema } from '@nestjs/platform-fastify';
import { LoggerModule } from 'nestjs-pino';
import { destination } from 'pino';
import { Counter, Histogram, Registry } from 'prom-client';
import { Observable, tap } from 'rxjs';
import { AmountBody } from '../../src/ledger/ledger.dto';

const front = process.env.HTTP_FRONT ?? 'express';
const [adapter, ...extras] = front.split('+');
const [logged, measured] = [extras.includes('log'), extras.includes('metric')];

/** The JSON schema of AmountBody, as its OpenAPI names it. */
const AMOUNT_BODY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['commandId', 'amount'],
  properties: {
    commandId: { type: 'string', maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$' },
    amount: { type: 'string', maxLength: 80, pattern: '^[0-9]+(\\.[0-9]+)?$' },
  },
};

@Controller('positions')
class DrawController {
  @Post(':positionId/debt/draw')
  @HttpCode(201)
  @RouteSchema(adapter === 'fastify-schema' ? { body: AMOUNT_BODY_SCHEMA } : {})
  draw(@Param('positionId') positionId: string, @Body() body: AmountBody): unknown {
    return { positionId, commandId: body.commandId, amount: body.amount, duplicate: false };
  }
}

const registry = new Registry();
const commands = new Counter({ name: 'commands_total', help: 'commands', labelNames: ['command', 'outcome'] as const, registers: [registry] });
const seconds = new Histogram({ name: 'command_seconds', help: 'seconds', labelNames: ['command'] as const, buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [registry] });

@Injectable()
class CommandMetrics implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const end = seconds.startTimer({ command: 'DrawDebt' });
    return next.handle().pipe(tap(() => (end(), commands.inc({ command: 'DrawDebt', outcome: 'accepted' }))));
  }
}

@Module({
  imports: logged ? [LoggerModule.forRoot({ pinoHttp: [{ level: 'info', serializers: { req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }) } }, destination('/dev/null')] })] : [],
  controllers: [DrawController],
  providers: measured ? [{ provide: APP_INTERCEPTOR, useClass: CommandMetrics }] : [],
})
class FrontModule {}

async function main(): Promise<void> {
  const app = adapter === 'express' ? await NestFactory.create(FrontModule, { logger: false }) : await NestFactory.create(FrontModule, new FastifyAdapter({ ajv: { customOptions: { removeAdditional: false } } }), { logger: false });
  if (adapter !== 'fastify-schema') app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  await app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  console.log(`listening ${port}`);
}

void main();
