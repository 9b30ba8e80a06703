import type { MallId } from '@/lib/catalog/schemas';
import type { DemoSim } from '../mall-sim/demo-sim';
import { expect, killServiceWorker, test } from './fixtures';
import { ask, connectedDemoShop } from './mall-setup';

/**
 * The stock sync end to end, short: buyers order on Rakuten and Yahoo while the service worker is
 * killed twice; every mall, Amazon included, ends up showing the shop's real stock and every order is
 * in the catalog once. (The long run with faults and Amazon's own orders is chaos.spec.ts.)
 */

let demo: DemoSim;
test.afterAll(async () => {
  await demo?.sim.close();
});

test('orders on two malls reach every mall, across worker kills', async ({ context, extensionId }) => {
  test.setTimeout(4 * 60_000);
  const shop = await connectedDemoShop(context, extensionId);
  demo = shop.demo;
  const { page } = shop;
  const { sim } = demo;

  sim.buyers.start({ ordersPerMinute: 90, malls: ['rakuten', 'yahoo'], cancelRatio: 0.2, cancelDelayMs: [2_000, 10_000], seed: 7 });
  await page.waitForTimeout(12_000);
  await killServiceWorker(context);
  await page.waitForTimeout(12_000);
  await killServiceWorker(context);
  await page.waitForTimeout(12_000);
  sim.buyers.stop();
  await page.waitForTimeout(10_000); // the last cancellations

  const drift = () => {
    const truth = sim.ctx.truth.snapshot();
    const wrong: string[] = [];
    for (const mall of ['rakuten', 'yahoo', 'amazon'] as MallId[]) {
      for (const [sku, shown] of sim.malls[mall].shownStock()) {
        const expected = Math.max(0, truth[sku] ?? 0);
        if (shown !== expected) wrong.push(`${mall}:${sku} shows ${shown}, truth ${expected}`);
      }
    }
    return wrong;
  };
  await expect.poll(() => drift(), { timeout: 90_000, intervals: [2_000] }).toEqual([]);
  const accepted = sim.ctx.truth.log;
  expect(accepted.length).toBeGreaterThan(20);
  await expect.poll(async () => (await ask<{ counts: { orders: number } }>(page, 'getCatalogStatus')).counts.orders, { timeout: 30_000 }).toBe(accepted.length);
  const history = await ask<{ runs: { outcome: string; pushes: number }[]; pendingPushes: number }>(page, 'getSyncHistory', { limit: 500 });
  expect(history.runs.some((r) => r.pushes > 0)).toBe(true);
});
