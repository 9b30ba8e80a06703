import { beforeEach, describe, expect, it } from 'vitest';
import { resetCatalogDbForTests, type CatalogDb } from '@/lib/catalog/db';
import type { Listing } from '@/lib/catalog/schemas';
import { applyMovements } from '@/lib/sync/ledger';
import { nudgeSyncWake, runSyncWake, SYNC_HISTORY_DAYS } from '@/lib/sync/wake';
import { FakeMall } from './fake-mall';

let db: CatalogDb;

beforeEach(async () => {
  db = await resetCatalogDbForTests();
  await db.skus.put({ code: 'tee', productId: 'p', name: 'tee', variant: {}, price: 1000, components: [], componentCodes: [], stock: 0, lowStockThreshold: 0, updatedAt: 0 });
  const listings: Listing[] = [
    { id: 'rakuten:tee', mall: 'rakuten', skuCode: 'tee', externalItemId: 'r-tee', rakuten: { manageNumber: 'r-tee', variantId: 'v1' }, safetyBuffer: 0, active: true },
    { id: 'yahoo:tee', mall: 'yahoo', skuCode: 'tee', externalItemId: 'y-tee', yahoo: { itemCode: 'y-tee' }, safetyBuffer: 0, active: true },
  ];
  await db.listings.bulkPut(listings);
  await applyMovements(db, [{ key: 'initial:tee', skuCode: 'tee', delta: 10, kind: 'initial', at: 0 }]);
});

/** A virtual clock: sleeping advances it, and each cycle takes `cycleMs` of mall time. */
function clock(start: number) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
    sleep: async (ms: number) => {
      t += Math.max(0, ms);
    },
  };
}

describe('a sync wake', () => {
  it('polls again every few seconds until the next alarm is near, so a sale does not wait for the next tick', async () => {
    const rakuten = new FakeMall('rakuten');
    const yahoo = new FakeMall('yahoo');
    const c = clock(1_000_000);
    const cycleStarts: number[] = [];
    // A sale 12 s into the wake: with one cycle per 30 s alarm it would reach Yahoo at the next tick.
    const reports = await runSyncWake({
      db,
      adapters: async () => {
        cycleStarts.push(c.now());
        if (c.now() - 1_000_000 >= 12_000 && rakuten.orders.length === 0) rakuten.addOrder('R1', [{ item: 'r-tee', variant: 'v1', qty: 3 }], 1_012_000);
        return { rakuten, yahoo };
      },
      now: c.now,
      sleep: c.sleep,
      initialSince: () => 0,
      repollEveryMs: 5_000,
      nextAlarmAt: async () => 1_030_000,
    });
    expect(cycleStarts.map((t) => t - 1_000_000)).toEqual([0, 5_000, 10_000, 15_000, 20_000, 25_000]);
    expect(reports).toHaveLength(6);
    expect(yahoo.shown.get('yahoo:tee')).toBe(7);
    // Quiet re-polls leave no history; the first cycle and the one that moved stock do.
    const runs = await db.syncRuns.toArray();
    expect(runs.map((r) => r.startedAt - 1_000_000)).toEqual([0, 15_000]);
    // Yahoo hears of the sale, Rakuten gets its confirmation.
    expect(runs[1]).toMatchObject({ ordersRead: 1, pushes: 2 });
  });

  it('goes on past an alarm that fired while a cycle was running (that tick was skipped), up to its cap', async () => {
    const c = clock(0);
    let cycles = 0;
    await runSyncWake({
      db,
      adapters: async () => {
        cycles += 1;
        c.advance(40_000); // every cycle outlasts the 30 s period
        return { rakuten: new FakeMall('rakuten') };
      },
      now: c.now,
      sleep: c.sleep,
      // The next alarm is always a period after the last skipped one.
      nextAlarmAt: async () => (Math.floor(c.now() / 30_000) + 1) * 30_000,
      maxWakeMs: 120_000,
    });
    // 0-40, 40-80, 80-120 s; a fourth would end past the two-minute cap.
    expect(cycles).toBe(3);
  });

  it('runs a single cycle when no alarm is scheduled (sync turned off) and drops history older than its keep time', async () => {
    const day = 86_400_000;
    const now = 100 * day;
    await db.syncRuns.bulkAdd([
      { startedAt: now - (SYNC_HISTORY_DAYS + 1) * day, outcome: 'ok', ordersRead: 0, pushes: 0, errors: 0 },
      { startedAt: now - (SYNC_HISTORY_DAYS - 1) * day, outcome: 'ok', ordersRead: 0, pushes: 0, errors: 0 },
    ]);
    let cycles = 0;
    await runSyncWake({
      db,
      adapters: async () => {
        cycles += 1;
        return { yahoo: new FakeMall('yahoo') };
      },
      now: () => now,
      sleep: async () => undefined,
      nextAlarmAt: async () => undefined,
    });
    expect(cycles).toBe(1);
    const kept = await db.syncRuns.toArray();
    expect(kept.map((r) => Math.round((now - r.startedAt) / day))).toEqual([SYNC_HISTORY_DAYS - 1, 0]);
  });

  it('"sync now" during a wake starts its next cycle at once instead of after the wait', async () => {
    let cycles = 0;
    let alarmAt = 1_000_000;
    const wake = runSyncWake({
      db,
      adapters: async () => {
        cycles += 1;
        if (cycles === 2) alarmAt = 0; // then the wake ends
        return { yahoo: new FakeMall('yahoo') };
      },
      now: () => 0,
      sleep: () => new Promise<void>(() => undefined), // a wait that would never end by itself
      nextAlarmAt: async () => alarmAt,
    });
    await expect.poll(() => cycles).toBe(1);
    await expect.poll(() => nudgeSyncWake()).toBe(true);
    await wake;
    expect(cycles).toBe(2);
    expect(nudgeSyncWake()).toBe(false);
  });
});
