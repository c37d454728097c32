/**
 * The auctions read model folds only what the ledger signed: a settlement written by someone else
 * into an auction's stream, with a link that fits, is quarantined and leaves the table as it was.
 */
import { generateKeyPairSync } from 'node:crypto';
import { ledgerEventCodec } from '../../domain/events';
import { chainHash, GENESIS_HASH } from '../../eventstore/event-codec';
import { LedgerKeys, linkSigner } from '../../eventstore/ledger-key';
import { Quarantine } from '../../eventstore/quarantine';
import { ProjectedEvent } from '../projection';
import { AuctionsProjection } from './auctions.projection';

const settled = ledgerEventCodec.encode({
  type: 'AuctionSettled', sold: 1n, raised: 2n, collateralLeft: 0n, shortfall: 0n, at: 1_700_000_000n,
  debtRepaid: 2n, penaltyPaid: 0n, liquidatorBonus: 0n, protocolFee: 0n, reserveIn: 0n,
});

function stored(stream: string, sign?: (hash: string) => object): ProjectedEvent {
  const meta = { schemaVersion: settled.schemaVersion, commandId: `settle-${stream}`, at: new Date(0).toISOString() };
  const hash = chainHash(GENESIS_HASH, stream, 0n, settled.type, settled.data, meta);
  const metadata = { ...meta, prevHash: GENESIS_HASH, hash, ...sign?.(hash) };
  return { stream, revision: 0n, commit: 10n, prepare: 10n, type: settled.type, data: settled.data, metadata, created: new Date(0) };
}

it('projects the ledger’s signed settlement and quarantines a forged one', async () => {
  const ledgerKey = generateKeyPairSync('ed25519');
  const quarantine = new Quarantine(new LedgerKeys(ledgerKey.publicKey));
  const queries: unknown[][] = [];
  const tx = { query: async (_sql: string, params?: unknown[]) => (queries.push(params ?? []), []), exec: async () => undefined };
  const attacker = linkSigner(generateKeyPairSync('ed25519').privateKey);

  await new AuctionsProjection(quarantine).apply(tx, [
    stored('auction-honest', linkSigner(ledgerKey.privateKey)),
    stored('auction-unsigned'),
    stored('auction-forged', attacker),
  ]);

  expect(queries).toEqual([['honest', '1700000000']]);
  expect(quarantine.list().map((q) => [q.stream, q.reason]).sort()).toEqual([
    ['auction-forged', 'BAD_SIGNATURE'],
    ['auction-unsigned', 'UNSIGNED'],
  ]);
});
