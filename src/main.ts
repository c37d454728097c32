import { LEDGER_CONFIG, LedgerConfig } from './config/config';
import { createApp } from './app';

async function main(): Promise<void> {
  const app = await createApp();
  const config = app.get<LedgerConfig>(LEDGER_CONFIG);
  await app.listen(config.port, config.host);
  // The port it got: PORT=0 picks a free one.
  const { port } = app.getHttpServer().address() as { port: number };
  console.log(`ledger listening on http://${config.host}:${port} (OpenAPI at /docs)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
