/**
 * The differencing attack on a pool's utilization, run as a borrower would: deposit a known amount into
 * one's own position and read the pool before and after, solve for the pool's totals, then poll around
 * another borrower's deposit and repayment and infer their amounts. A borrower may not see sizes, so
 * what it infers must be off by more than 10%. The same arithmetic on the exact figure an admin sees
 * shows the attack itself is sound.
 */
import { loadCrypto } from '../src/domain/crypto/crypto';
import { Actor, removeDataDir, RunningLedger, startLedger } from './support/ledger-app';
import { Market, POOL } from './support/scenario';

let ledger: RunningLedger;
let market: Market;
let mallory: Actor;

beforeAll(async () => {
  await loadCrypto();
  ledger = await startLedger();
  market = new Market(ledger);
  await market.open('2000');
  mallory = await ledger.principal('mallory', 'borrower');
  // The victim: 17 WETH against 12,000 USDC; mallory: 1 WETH against 100 USDC.
  await market.borrow('victim', '17', '12000');
  await market.borrow('mallory-1', '1', '100', POOL, mallory);
});

afterAll(async () => {
  await ledger.stop();
  await removeDataDir(ledger.dataDir);
});

/** What a reader learns of utilization: the exact figure, or the middle of the band it is shown. */
async function utilizationAs(reader: Actor): Promise<number> {
  const view = (await ledger.as(reader)('GET', `/pools/${POOL}?minPosition=${await ledger.lastPosition()}`)).body;
  if (view.utilization !== undefined) return Number(view.utilization);
  const [low, high] = String(view.utilizationBand).split('-').map(Number);
  return Number.isNaN(high) ? low : (low + high) / 2;
}

/**
 * u = debt ÷ (collateral × price × max LTV). Two readings around a known own deposit give the totals;
 * readings around the victim's changes then give the victim's amounts.
 */
async function attack(reader: Actor): Promise<{ deposit: number; repayment: number; sawTotals: { collateral: number; debt: number } }> {
  const scale = 2000 * 0.75;
  const u0 = await utilizationAs(reader);
  await market.ok('POST', '/positions/mallory-1/collateral/deposit', { commandId: market.id('probe'), amount: '0.5' }, mallory);
  const u1 = await utilizationAs(reader);
  // u0·C = u1·(C + 0.5)  ⇒  C = 0.5·u1 / (u0 − u1)
  const collateral = (0.5 * u1) / (u0 - u1);
  const debt = u0 * collateral * scale;
  await market.ok('POST', '/positions/victim/collateral/deposit', { commandId: market.id('v'), amount: '0.5' }, market.borrower);
  const u2 = await utilizationAs(reader);
  const deposit = debt / (u2 * scale) - (collateral + 0.5);
  await market.ok('POST', '/positions/victim/debt/repay', { commandId: market.id('v'), amount: '2000' }, market.borrower);
  const u3 = await utilizationAs(reader);
  const repayment = debt - u3 * (collateral + 0.5 + 0.5) * scale;
  return { deposit, repayment, sawTotals: { collateral, debt } };
}

const within10Percent = (inferred: number, truth: number) => Math.abs(inferred - truth) <= 0.1 * truth;

it("infers another borrower's deposit and repayment from the exact utilization an admin sees (the attack is sound)", async () => {
  const inferred = await attack(market.admin);
  expect(within10Percent(inferred.deposit, 0.5)).toBe(true);
  expect(within10Percent(inferred.repayment, 2000)).toBe(true);
});

it("cannot infer another borrower's deposit or repayment, within 10%, from what a borrower sees", async () => {
  const inferred = await attack(mallory);
  expect({ deposit: within10Percent(inferred.deposit, 0.5), repayment: within10Percent(inferred.repayment, 2000) }).toEqual({ deposit: false, repayment: false });
});
