/**
 * The oracle operator's CLI against a running ledger: make a key, register it, sign and submit
 * reports; a refused report prints the ledger's reason and exits non-zero.
 */
import { cli } from './support/cli';
import { Actor, removeDataDir, RunningLedger, startLedger } from './support/ledger-app';

let ledger: RunningLedger;
/** The oracle operator's principal: it reports for SOL-USD only. */
let operator: Actor;
beforeAll(async () => {
  ledger = await startLedger();
  operator = await ledger.principal('op-1', 'oracle', ['SOL-USD']);
});
afterAll(async () => {
  await ledger.stop();
  await removeDataDir(ledger.dataDir);
});

it('makes a key, then signs and submits reports that set the price', async () => {
  const keygen = await cli('oracle', 'keygen');
  expect(keygen.code).toBe(0);
  const key = JSON.parse(keygen.out) as { privateKey: string; publicKey: { x: string; y: string } };
  expect(key.privateKey).toMatch(/^[0-9a-f]{64}$/);

  // The admin registers the feed and the operator's public key.
  const admin = ledger.as(ledger.admin);
  expect((await admin('POST', '/feeds', { commandId: 'feed', feed: 'SOL-USD', quorum: 1, heartbeatSeconds: 600, deviationLimitBps: 3000, maxFutureSkewSeconds: 30 })).status).toBe(201);
  expect((await admin('POST', '/feeds/SOL-USD/oracles', { commandId: 'key', oracle: 'op-1', publicKey: key.publicKey })).status).toBe(201);

  const signed = await cli('oracle', 'sign', '--private-key', key.privateKey, '--feed', 'SOL-USD', '--round', '1', '--price', '142.5');
  expect(JSON.parse(signed.out)).toMatchObject({ round: '1', price: '142.5', signature: { r8x: expect.any(String) } });

  const submit = await cli('oracle', 'submit', '--url', ledger.url, '--api-key', operator.apiKey, '--oracle', 'op-1', '--private-key', key.privateKey, '--feed', 'SOL-USD', '--round', '1', '--price', '142.5');
  expect(submit.code).toBe(0);
  expect(JSON.parse(submit.out)).toMatchObject({ duplicate: false, events: ['PriceReportAccepted', 'PriceUpdated'] });
  expect((await ledger.as(operator)('GET', '/feeds/SOL-USD')).body).toMatchObject({ price: '142.5', round: '1' });
});

it('prints the reason and exits non-zero when the ledger refuses, appending nothing', async () => {
  const { out } = await cli('oracle', 'keygen');
  const stranger = JSON.parse(out) as { privateKey: string };
  const before = await ledger.lastPosition();
  // The operator's own principal (its key from LEDGER_API_KEY), signing with a key not registered for it.
  const saved = process.env.LEDGER_API_KEY;
  process.env.LEDGER_API_KEY = operator.apiKey;
  let refused;
  try {
    refused = await cli('oracle', 'submit', '--url', ledger.url, '--oracle', 'op-1', '--private-key', stranger.privateKey, '--feed', 'SOL-USD', '--round', '2', '--price', '143');
  } finally {
    if (saved === undefined) delete process.env.LEDGER_API_KEY;
    else process.env.LEDGER_API_KEY = saved;
  }
  expect(refused.code).toBe(1);
  expect(refused.err).toMatch(/refused POST \/feeds\/SOL-USD\/reports \(422 BAD_SIGNATURE\)/);
  expect(await ledger.lastPosition()).toBe(before);
});

it('refuses malformed arguments with a message and exit code 2', async () => {
  const bad = await cli('oracle', 'sign', '--private-key', 'abc', '--feed', 'X', '--round', 'one', '--price', '1');
  expect(bad.code).toBe(2);
  const badKey = await cli('oracle', 'sign', '--private-key', 'abc', '--feed', 'X', '--round', '1', '--price', '1');
  expect(badKey.code).toBe(1);
  expect(badKey.err).toMatch(/32 bytes in hex/);
});
