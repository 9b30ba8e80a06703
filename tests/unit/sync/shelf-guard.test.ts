import { beforeEach, describe, expect, it } from 'vitest';
import { resetCatalogDbForTests, type CatalogDb } from '@/lib/catalog/db';
import type { Listing } from '@/lib/catalog/schemas';
import { runSyncCycle } from '@/lib/sync/cycle';
import { applyMovements } from '@/lib/sync/ledger';
import { planStockPushes } from '@/lib/sync/plan';
import { drainStockOutbox, SHELF_REREAD_MS } from '@/lib/sync/outbox';
import { followNewShelves, guardedQuantity, mergeConfirmedShelf, ownOrderRead, UNSEEN_SALES_EXPIRE_MS } from '@/lib/sync/shelf-guard';
import { FakeMall } from './fake-mall';
import { MallError } from '@/lib/malls/errors';

describe('the shelf guard (pure)', () => {
  it('first look: our number stands and the shelf is followed from then on', () => {
    expect(guardedQuantity({}, 5, 5, 100)).toEqual({ quantity: 5, shelf: { lastSet: 5, unseenSales: 0, trackedSince: 100 } });
  });

  it('a sale the mall made that we have not read stays sold; reading its order ends the count', () => {
    const shelf = { lastSet: 4, unseenSales: 0, trackedSince: 0 };
    // The mall sold 2 (shelf 4 → 2); another mall sold 1 (our number 3).
    const push = guardedQuantity({ shelf }, 3, 2, 1_000);
    expect(push.quantity).toBe(1);
    expect(push.shelf).toEqual({ lastSet: 1, unseenSales: 2, unseenSince: 1_000, trackedSince: 0 });
    // Its order is read: our number drops to 1 by itself, and the 2 units are no longer unseen.
    const read = ownOrderRead(push.shelf, 2, 500);
    expect(read.unseenSales).toBe(0);
    expect(guardedQuantity({ shelf: read }, 1, 1, 2_000).quantity).toBe(1);
  });

  it('a cancellation on the mall gives units back; an order older than the tracking is not counted', () => {
    const shelf = { lastSet: 3, unseenSales: 1, unseenSince: 10, trackedSince: 5 };
    // The buyer of the unseen unit cancelled: the shelf went back up.
    const push = guardedQuantity({ shelf }, 3, 4, 20);
    expect(push.quantity).toBe(3);
    expect(push.shelf.unseenSales).toBe(0);
    expect(ownOrderRead(push.shelf, 2, 4)).toBe(push.shelf);
  });

  it('an unseen count no order explains is dropped after a while (someone edited the shelf by hand)', () => {
    const shelf = { lastSet: 5, unseenSales: 2, unseenSince: 0, trackedSince: 0 };
    expect(guardedQuantity({ shelf }, 5, 5, 1_000).quantity).toBe(3);
    expect(guardedQuantity({ shelf }, 5, 5, UNSEEN_SALES_EXPIRE_MS + 1).quantity).toBe(5);
  });

  it('after a push with no answer only what is sold whichever number the shelf held counts as sold', () => {
    const shelf = { lastSet: 5, unseenSales: 1, unseenSince: 0, trackedSince: 0, inFlight: 3 };
    // The mall shows 3: our push landed and nothing sold (not two sales).
    expect(guardedQuantity({ shelf }, 4, 3, 10)).toMatchObject({ quantity: 3, shelf: { unseenSales: 1 } });
    // It shows 1: two sold whichever it was.
    expect(guardedQuantity({ shelf }, 4, 1, 10)).toMatchObject({ quantity: 1, shelf: { unseenSales: 3 } });
    // It shows 4: between the two, nothing can be said; nothing counted.
    expect(guardedQuantity({ shelf }, 4, 4, 10).shelf.unseenSales).toBe(1);
  });

  it('an order read while the push was in flight is not lost when the push is confirmed', () => {
    const looked = { lastSet: 4, unseenSales: 0, trackedSince: 0 };
    const confirmed = guardedQuantity({ shelf: looked }, 3, 2, 10).shelf; // 2 unseen
    // Meanwhile the read lane read that order (−2) and the push wrote down its number in flight.
    const now = { ...ownOrderRead(looked, 2, 5), inFlight: 1 };
    expect(mergeConfirmedShelf(now, looked, confirmed)).toEqual({ lastSet: 1, unseenSales: 0, unseenSince: undefined, trackedSince: 0 });
  });

  it('a shelf the mall does not report is not followed: our number stands', () => {
    const shelf = { lastSet: 4, unseenSales: 2, unseenSince: 0, trackedSince: 0 };
    expect(guardedQuantity({ shelf }, 6, undefined, 10)).toEqual({ quantity: 6, shelf: { lastSet: 6, unseenSales: 0, trackedSince: 10 } });
  });
});

describe('pushing to a mall whose orders show late', () => {
  let db: CatalogDb;
  beforeEach(async () => {
    db = await resetCatalogDbForTests();
    await db.skus.put({ code: 'tee', productId: 'p', name: 'tee', variant: {}, price: 1000, components: [], componentCodes: [], stock: 0, lowStockThreshold: 0, updatedAt: 0 });
    const listings: Listing[] = [
      { id: 'rakuten:tee', mall: 'rakuten', skuCode: 'tee', externalItemId: 'r-tee', rakuten: { manageNumber: 'r-tee', variantId: 'v1' }, safetyBuffer: 0, active: true },
      { id: 'amazon:tee', mall: 'amazon', skuCode: 'tee', externalItemId: 'tee', amazon: { sellerSku: 'tee' }, safetyBuffer: 0, active: true },
    ];
    await db.listings.bulkPut(listings);
    await applyMovements(db, [{ key: 'initial:tee', skuCode: 'tee', delta: 4, kind: 'initial', at: 0 }]);
  });

  it('does not put back on sale what Amazon sold before its orders are readable, then converges', async () => {
    const rakuten = new FakeMall('rakuten');
    const amazon = Object.assign(new FakeMall('amazon'), { orderVisibilityLagMs: 120_000 });
    let now = 1_000;
    const read = amazon.listOrdersSince.bind(amazon);
    // Amazon's orders reach the API only after the lag.
    amazon.listOrdersSince = async (cursor) => {
      const page = await read(cursor);
      const visible = page.orders.filter((o) => o.orderedAt <= now - 120_000);
      return { ...page, orders: visible, cursor: visible.length < page.orders.length ? cursor ?? JSON.stringify({ t: -1, n: '' }) : page.cursor };
    };
    const deps = { db, adapters: async () => ({ rakuten, amazon }), now: () => now, initialSince: () => 0 };
    await planStockPushes(db, ['tee'], 0, 0);
    await runSyncCycle(deps); // both shelves at 4, Amazon's followed from now on
    expect(amazon.shown.get('amazon:tee')).toBe(4);

    // Amazon sells 2 (its shelf goes to 2 at once); its order is not readable for two minutes.
    now = 10_000;
    amazon.addOrder('A1', [{ item: 'tee', qty: 2 }], now);
    amazon.shown.set('amazon:tee', 2);
    // Rakuten sells 1.
    rakuten.addOrder('R1', [{ item: 'r-tee', variant: 'v1', qty: 1 }], 11_000);
    now = 12_000;
    await runSyncCycle(deps);
    // Not 3: the two units Amazon sold stay sold.
    expect(amazon.shown.get('amazon:tee')).toBe(1);

    // Two minutes later Amazon's order is readable: everything agrees at 1, and nothing is owed.
    now = 10_000 + 121_000;
    await runSyncCycle(deps);
    now += 31_000;
    await runSyncCycle(deps);
    expect((await db.skus.get('tee'))!.stock).toBe(1);
    expect(amazon.shown.get('amazon:tee')).toBe(1);
    expect(rakuten.shown.get('rakuten:tee')).toBe(1);
    expect(await db.jobs.where('status').equals('pending').count()).toBe(0);
    expect((await db.listings.get('amazon:tee'))!.shelf).toMatchObject({ unseenSales: 0 });
  });

  it('when the shelf cannot be read, nothing is pushed to a followed shelf; it tries again shortly', async () => {
    const amazon = Object.assign(new FakeMall('amazon'), { orderVisibilityLagMs: 120_000 });
    await planStockPushes(db, ['tee'], 0, 0);
    await drainStockOutbox(db, { amazon }, { now: () => 1_000 });
    expect(amazon.shown.get('amazon:tee')).toBe(4);
    amazon.readStock = async () => {
      throw new Error('503');
    };
    await applyMovements(db, [{ key: 'manual:1', skuCode: 'tee', delta: -1, kind: 'manual', at: 2_000 }]);
    await planStockPushes(db, ['tee'], 2_000, 2_000);
    await drainStockOutbox(db, { amazon }, { now: () => 2_000 });
    expect(amazon.pushCalls).toHaveLength(1);
    const job = await db.jobs.where('dedupeKey').equals('stock.push:amazon:tee').first();
    expect(job).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: 2_000 + SHELF_REREAD_MS });
  });

  it('follows every shelf from the first cycles on, so a sale before the first push is still told apart', async () => {
    const amazon = Object.assign(new FakeMall('amazon'), { orderVisibilityLagMs: 120_000 });
    amazon.shown.set('amazon:tee', 4);
    expect(await followNewShelves(db, 'amazon', amazon, 500)).toBe(1);
    expect((await db.listings.get('amazon:tee'))!.shelf).toEqual({ lastSet: 4, unseenSales: 0, trackedSince: 500 });
    expect(await followNewShelves(db, 'amazon', amazon, 600)).toBe(0); // done, and remembered
    // Amazon sells 2 (not readable yet), then Rakuten sells 1: the first push ever sends 1, not 3.
    amazon.shown.set('amazon:tee', 2);
    await applyMovements(db, [{ key: 'order:rakuten:R1:1', skuCode: 'tee', delta: -1, kind: 'order', at: 700 }]);
    await planStockPushes(db, ['tee'], 700, 700, { originMall: 'rakuten' });
    await drainStockOutbox(db, { amazon }, { now: () => 800 });
    expect(amazon.shown.get('amazon:tee')).toBe(1);
  });

  it('an answer lost after the push landed keeps the unseen count: the next push does not raise the shelf', async () => {
    const amazon = Object.assign(new FakeMall('amazon'), { orderVisibilityLagMs: 120_000 });
    amazon.shown.set('amazon:tee', 4);
    await followNewShelves(db, 'amazon', amazon, 0);
    amazon.shown.set('amazon:tee', 2); // Amazon sold 2, unreadable for now
    await applyMovements(db, [{ key: 'order:rakuten:R1:1', skuCode: 'tee', delta: -1, kind: 'order', at: 10 }]);
    await planStockPushes(db, ['tee'], 10, 10, { originMall: 'rakuten' });
    const push = amazon.pushStock.bind(amazon);
    amazon.pushStock = async (pushes) => {
      await push(pushes); // lands on the mall…
      throw new MallError({ mall: 'amazon', endpoint: 'patch', kind: 'timeout', message: 'no answer' }); // …the answer is lost
    };
    await drainStockOutbox(db, { amazon }, { now: () => 20 });
    expect(amazon.shown.get('amazon:tee')).toBe(1);
    expect((await db.listings.get('amazon:tee'))!.shelf).toMatchObject({ unseenSales: 2, inFlight: 1 });
    amazon.pushStock = push;
    await drainStockOutbox(db, { amazon }, { now: () => 20 + 60_000 });
    expect(amazon.shown.get('amazon:tee')).toBe(1);
    expect((await db.listings.get('amazon:tee'))!.shelf).toMatchObject({ lastSet: 1, unseenSales: 2 });
  });
});
