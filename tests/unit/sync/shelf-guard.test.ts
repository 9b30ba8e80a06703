import { beforeEach, describe, expect, it } from 'vitest';
import { resetCatalogDbForTests, type CatalogDb } from '@/lib/catalog/db';
import type { Listing } from '@/lib/catalog/schemas';
import { runSyncCycle } from '@/lib/sync/cycle';
import { applyMovements } from '@/lib/sync/ledger';
import { applyOrderMovements } from '@/lib/sync/orders';
import { planStockPushes } from '@/lib/sync/plan';
import { drainStockOutbox, SHELF_READ_PATIENCE, SHELF_REREAD_MS } from '@/lib/sync/outbox';
import { followNewShelves, guardedQuantity, LOST_WINDOW_KEEP_MS, mergeConfirmedShelf, ownCancellationRead, ownCancelledOrderRead, ownOrderRead, UNSEEN_SALES_EXPIRE_MS, unseenNow, withLostWindow, type ShelfState } from '@/lib/sync/shelf-guard';
import { FakeMall } from './fake-mall';
import { MallError } from '@/lib/malls/errors';

// Times as the malls give them: milliseconds from the simulator, whole seconds from the real APIs.
const T = 1_764_000_000_000;

// An order read of the mall's own sale or return, keyed as the ledger keys its movement.
const sale = (shelf: ShelfState, units: number, at: number, now = at) => ownOrderRead(shelf, `order:amazon:A${at}:1`, units, at, now);
const cancellation = (shelf: ShelfState, units: number, at: number, now = at) => ownCancellationRead(shelf, `cancel:amazon:A${at}:1`, units, at, now);

describe('the shelf guard (pure)', () => {
  it('first look: our number stands and the shelf is followed from then on', () => {
    expect(guardedQuantity({}, 5, 5, T)).toEqual({ quantity: 5, shelf: { lastSet: 5, unseenSales: 0, trackedSince: T, lastRead: [T, T] } });
  });

  it('a sale the mall made that we have not read stays sold; reading its order ends the count', () => {
    const shelf = { lastSet: 4, unseenSales: 0, trackedSince: T };
    // The mall sold 2 (shelf 4 → 2); another mall sold 1 (our number 3).
    const push = guardedQuantity({ shelf }, 3, 2, T + 60_000, undefined, { requestedAt: T + 59_000 });
    expect(push.quantity).toBe(1);
    expect(push.shelf).toEqual({ lastSet: 1, unseenSales: 2, unseenSince: T + 60_000, trackedSince: T, lastRead: [T + 59_000, T + 60_000], countedBy: [T + 59_000, T + 60_000] });
    // Its order is read: our number drops to 1 by itself, and the 2 units are no longer unseen.
    const read = sale(push.shelf, 2, T + 30_123);
    expect(unseenNow(read)).toBe(0);
    expect(guardedQuantity({ shelf: read }, 1, 1, T + 200_000)).toMatchObject({ quantity: 1, shelf: { unseenSales: 0 } });
  });

  it('a cancellation on the mall gives units back; an order older than the tracking is not counted', () => {
    const shelf = { lastSet: 3, unseenSales: 1, unseenSince: T + 10_000, trackedSince: T };
    // The buyer of the unseen unit cancelled: the shelf went back up.
    const push = guardedQuantity({ shelf }, 3, 4, T + 20_000);
    expect(push.quantity).toBe(3);
    expect(unseenNow(push.shelf)).toBe(0);
    expect(sale(push.shelf, 2, T - 4_000)).toBe(push.shelf);
  });

  it('a sale a second before tracking began, in whole seconds, may have been on the first reading: not taken off', () => {
    const shelf = { lastSet: 4, unseenSales: 0, trackedSince: T + 500 };
    expect(unseenNow(sale(shelf, 1, T))).toBe(0); // 12:00:00 could be 12:00:00.9
    expect(unseenNow(sale(shelf, 1, T + 2_000))).toBe(-1); // surely after: its drop will show
  });

  it('an unseen count no order explains is dropped after a while (someone edited the shelf by hand)', () => {
    const shelf = { lastSet: 5, unseenSales: 2, unseenSince: T, trackedSince: T };
    expect(guardedQuantity({ shelf }, 5, 5, T + 1_000).quantity).toBe(3);
    expect(guardedQuantity({ shelf }, 5, 5, T + UNSEEN_SALES_EXPIRE_MS + 1).quantity).toBe(5);
  });

  it('a count below zero nothing explains expires too, so it cannot let a later unseen sale through for good', () => {
    // The shelf went up by 1 (a return) and no cancellation ever came to explain it.
    const risen = guardedQuantity({ shelf: { lastSet: 4, unseenSales: 0, trackedSince: T } }, 4, 5, T + 1_000).shelf;
    expect(risen).toMatchObject({ unseenSales: -1, unseenSince: T + 1_000 });
    // Within the expiry a sale the mall made (5 → 4) is hidden by it: our 4 would stand.
    expect(guardedQuantity({ shelf: risen }, 4, 3, T + 60_000).quantity).toBe(4);
    // After it, the same sale is held back again.
    expect(guardedQuantity({ shelf: { ...risen, lastSet: 4 } }, 4, 4, T + UNSEEN_SALES_EXPIRE_MS + 2_000).shelf.unseenSales).toBe(0);
    expect(guardedQuantity({ shelf: { ...risen, lastSet: 4 } }, 4, 3, T + UNSEEN_SALES_EXPIRE_MS + 2_000).quantity).toBe(3);
  });

  it('a count an order read starts is timed from that read, and survives a push confirmed meanwhile', () => {
    const shelf = { lastSet: 4, unseenSales: 0, trackedSince: T };
    // A return we could not place for sure is taken as seen on the shelf: one unit held from now on.
    const read = cancellation(shelf, 1, T + 5_042, T + 60_000);
    expect(unseenNow(read)).toBe(1);
    expect(read.unseenSince).toBe(T + 60_000);
    // A push looked at the shelf before that read and is confirmed after it: the count keeps its time.
    const confirmed = guardedQuantity({ shelf }, 4, 4, T + 50_000).shelf;
    const merged = mergeConfirmedShelf(read, shelf, confirmed);
    expect(unseenNow(merged)).toBe(1);
    expect(merged.unseenSince).toBe(T + 60_000);
    expect(guardedQuantity({ shelf: read }, 4, 4, T + 60_000 + UNSEEN_SALES_EXPIRE_MS - 1).quantity).toBe(3);
    expect(guardedQuantity({ shelf: read }, 4, 4, T + 60_000 + UNSEEN_SALES_EXPIRE_MS + 1).quantity).toBe(4);
  });

  it('after a push with no answer only what is sold whichever number the shelf held counts as sold', () => {
    const shelf = { lastSet: 5, unseenSales: 1, unseenSince: T, trackedSince: T, inFlight: 3 };
    // The mall shows 3: our push landed and nothing sold (not two sales).
    expect(guardedQuantity({ shelf }, 4, 3, T + 10)).toMatchObject({ quantity: 3, shelf: { unseenSales: 1 } });
    // It shows 1: two sold whichever it was.
    expect(guardedQuantity({ shelf }, 4, 1, T + 10)).toMatchObject({ quantity: 1, shelf: { unseenSales: 3 } });
    // It shows 4: between the two, nothing can be said; nothing counted.
    expect(guardedQuantity({ shelf }, 4, 4, T + 10).shelf.unseenSales).toBe(1);
  });

  it('an order read while the push was in flight is not lost when the push is confirmed', () => {
    const looked = { lastSet: 4, unseenSales: 0, trackedSince: T };
    const confirmed = guardedQuantity({ shelf: looked }, 3, 2, T + 10_000).shelf; // 2 unseen
    // Meanwhile the read lane read that order (−2) and the push wrote down its number in flight.
    const now = { ...sale(looked, 2, T + 5_321), inFlight: 1 };
    const merged = mergeConfirmedShelf(now, looked, confirmed);
    expect(unseenNow(merged)).toBe(0);
    expect(merged.lastSet).toBe(1);
    expect(merged.unseenSince).toBeUndefined();
    expect(merged.inFlight).toBeUndefined();
  });

  it('a shelf the mall does not report is not followed: our number stands', () => {
    const shelf = { lastSet: 4, unseenSales: 2, unseenSince: T, trackedSince: T };
    expect(guardedQuantity({ shelf }, 6, undefined, T + 10)).toEqual({ quantity: 6, shelf: { lastSet: 6, unseenSales: 0, trackedSince: T + 10, lastRead: [T + 10, T + 10] } });
  });

  it('a sale our push overwrote never showed on the shelf: reading its order takes nothing off', () => {
    // Read at +10 s (4), push of 3 landed at +12 s; the mall sold 1 at +11 s in between, overwritten.
    const shelf = withLostWindow({ lastSet: 3, unseenSales: 0, trackedSince: T }, T + 10_000, T + 12_000);
    expect(sale(shelf, 1, T + 11_042)).toBe(shelf);
    // A sale after the landing did show (or will): its order ends its count as usual.
    expect(unseenNow(sale(shelf, 1, T + 15_042))).toBe(-1);
    // While a push is on its way nothing can be said of a sale made since the read before it.
    expect(unseenNow(sale({ ...shelf, openSince: T + 20_000, inFlight: 2 }, 1, T + 21_042))).toBe(0);
  });

  it('an order first read already cancelled undoes what the shelf readings counted of it', () => {
    const base = { lastSet: 4, unseenSales: 0, trackedSince: T };
    const cancelledOrder = (shelf: ShelfState) => ownCancelledOrderRead(shelf, 'amazon:A1:1', 1, T + 10_042, T + 40_042, T + 200_000);
    // Sold at +10 s (seen: shelf 4 → 3, one unseen), cancelled at +40 s (seen: back to 4, none unseen).
    const bothSeen = guardedQuantity({ shelf: guardedQuantity({ shelf: base }, 4, 3, T + 20_000).shelf }, 3, 4, T + 50_000).shelf;
    expect(unseenNow(bothSeen)).toBe(0);
    expect(unseenNow(cancelledOrder(bothSeen))).toBe(0);
    // The same sale, but the return came while a push of ours overwrote the shelf (+39 s … +41 s):
    // the shelf never showed it, and without this the unit stayed held back until it expired.
    const sold = guardedQuantity({ shelf: base }, 4, 3, T + 20_000).shelf; // one unseen, pushed 3
    const overwritten = withLostWindow(sold, T + 39_000, T + 41_000);
    expect(unseenNow(overwritten)).toBe(1);
    expect(unseenNow(cancelledOrder(overwritten))).toBe(0);
    // Reading the same order again adds nothing.
    expect(unseenNow(cancelledOrder(cancelledOrder(overwritten)))).toBe(0);
    // A return we cannot place for sure (at the window's edge) is taken as seen: the worst is a unit held.
    expect(unseenNow(cancellation(overwritten, 1, T + 39_100))).toBe(2);
  });

  it('keeps a bounded list of recent lost windows', () => {
    let shelf: ReturnType<typeof withLostWindow> = { lastSet: 1, unseenSales: 0, trackedSince: T };
    for (let i = 0; i < 40; i += 1) shelf = withLostWindow(shelf, T + i * 60_000, T + i * 60_000 + 1_000);
    expect(shelf.lostWindows!.length).toBeLessThanOrEqual(30);
    expect(shelf.lostWindows!.every(([, to]) => to >= T + 39 * 60_000 - LOST_WINDOW_KEEP_MS)).toBe(true);
  });

  describe('a mall that shows its orders at once (Rakuten, Yahoo: order times in whole seconds)', () => {
    // Read at 12:00:10.400 (4 on the shelf); the mall sold 1 at "12:00:10", which may be before or after.
    const read = (shelf: ShelfState, shown: number, at: number, explainedThrough?: number) =>
      guardedQuantity({ shelf }, 4, shown, at, 120_000, { requestedAt: at - 300, ...(explainedThrough !== undefined ? { explainedThrough } : {}) }).shelf;
    const followed = read({ lastSet: 5, unseenSales: 0, trackedSince: T }, 4, T + 10_400); // 5 → 4: one unseen, 3 sent
    const whole = T + 10_000;

    it('a sale it counted and then explained, both read: nothing left, nothing held', () => {
      const explained = sale(followed, 1, T + 9_000);
      expect(unseenNow(explained)).toBe(0);
      expect(read(explained, 3, T + 40_000, T + 20_000)).toMatchObject({ unseenSales: 0, lastSet: 4 });
    });

    it('a sale in the second of a push is not taken off (it might have been overwritten); once every order up to that reading is read, the unit it held is released', () => {
      const pushed = withLostWindow({ ...followed, unseenSales: 1 }, T + 10_100, T + 10_600);
      const ambiguous = sale(pushed, 1, whole);
      expect(unseenNow(ambiguous)).toBe(1); // held back: we cannot tell it was the reading's sale
      // The next reading, before the orders are known to be all read: still held.
      expect(guardedQuantity({ shelf: ambiguous }, 4, 3, T + 30_000, 120_000, { requestedAt: T + 29_800, explainedThrough: T + 9_000 }).quantity).toBe(3);
      // Every order placed before 12:00:25 is read: what the 10.4 s reading counted is explained or no sale.
      expect(guardedQuantity({ shelf: ambiguous }, 4, 3, T + 30_000, 120_000, { requestedAt: T + 29_800, explainedThrough: T + 25_000 })).toMatchObject({ quantity: 4, shelf: { unseenSales: 0 } });
    });

    it('an order read after the reading that explains a sale the next reading will see is not dropped with it', () => {
      // Sold at 12:00:20 (after the 10.4 s reading), read at 12:00:21: explained before any reading saw it.
      const ahead = sale(followed, 1, T + 20_000, T + 21_000);
      const explained = sale(ahead, 1, T + 9_000);
      expect(unseenNow(explained)).toBe(-1);
      // The next reading (shelf 3 → 2) comes when every order up to 12:00:15 is known: the earlier
      // reading's count is settled, the later sale's explanation meets its drop, and nothing is unseen.
      const next = guardedQuantity({ shelf: explained }, 3, 2, T + 30_000, 120_000, { requestedAt: T + 29_800, explainedThrough: T + 15_000 });
      expect(next.quantity).toBe(3);
      expect(unseenNow(next.shelf)).toBe(0);
    });

    it('a return that may have come after a reading was asked for waits for a later one, and no release takes its rise along', () => {
      // Cancelled at "12:00:29"; the next reading, asked at 29.8 s, shows the unit back (3 → 4).
      const cancelled = cancellation(sale(followed, 1, T + 9_000), 1, T + 29_000, T + 29_900);
      const next = guardedQuantity({ shelf: cancelled }, 5, 4, T + 30_000, 120_000, { requestedAt: T + 29_800, explainedThrough: T + 25_000 });
      expect(next.quantity).toBe(5);
      expect(next.shelf.explained).toEqual([expect.objectContaining({ kind: 'return', units: 1 })]);
      // Later readings with every order read: the rise and its explanation still cancel out, nothing held.
      const later = guardedQuantity({ shelf: next.shelf }, 5, 5, T + 60_000, 120_000, { requestedAt: T + 59_800, explainedThrough: T + 45_000 });
      expect(later.quantity).toBe(5);
      const after = guardedQuantity({ shelf: later.shelf }, 5, 5, T + 90_000, 120_000, { requestedAt: T + 89_800, explainedThrough: T + 75_000 });
      expect(after).toMatchObject({ quantity: 5, shelf: { unseenSales: 0 } });
      expect(after.shelf.explained).toBeUndefined();
    });
  });
});

describe('the shelf guard for a mall that lists orders by their last update (Amazon)', () => {
  const followed: ShelfState = { lastSet: 4, unseenSales: 0, trackedSince: T };

  it('a unit held for a sale no order explains is released once Amazon has listed every order up to that reading', () => {
    // The shelf shows 3 at a reading asked at +10 s: one unit counted as sold that no order will explain
    // (it was sold inside a push we could not place, say).
    const held = guardedQuantity({ shelf: followed }, 4, 3, T + 10_400, 480_000, { requestedAt: T + 10_000 });
    expect(held.quantity).toBe(3);
    // Orders listed up to +11 s only: too close to that reading to be sure, still held.
    expect(guardedQuantity({ shelf: held.shelf }, 4, 3, T + 190_000, 480_000, { requestedAt: T + 189_800, explainedThrough: T + 11_000 }).quantity).toBe(3);
    // Listed up to +60 s (a poll 3 minutes later): released, three minutes before it would expire.
    const released = guardedQuantity({ shelf: held.shelf }, 4, 3, T + 190_000, 480_000, { requestedAt: T + 189_800, explainedThrough: T + 60_000 });
    expect(released).toMatchObject({ quantity: 4, shelf: { unseenSales: 0, released: [T + 10_000, T + 10_400] } });
  });

  it('readings every 30 s that find nothing new do not keep the hold from its release', () => {
    let shelf = guardedQuantity({ shelf: followed }, 4, 3, T + 10_400, 480_000, { requestedAt: T + 10_000 }).shelf;
    // The shelf is read again and again while Amazon lists orders minutes behind: always short of the last reading.
    for (let at = T + 40_400; at <= T + 160_400; at += 30_000) {
      const next = guardedQuantity({ shelf }, 4, 3, at, 480_000, { requestedAt: at - 400, explainedThrough: at - 150_000 });
      expect(next.quantity).toBe(3);
      shelf = next.shelf;
    }
    // Amazon has listed every order up to +60 s: past the reading that counted the unit, so it goes, long
    // before the 8 minutes; what the last reading saw is what was released.
    const released = guardedQuantity({ shelf }, 4, 3, T + 190_400, 480_000, { requestedAt: T + 190_000, explainedThrough: T + 60_000 });
    expect(released).toMatchObject({ quantity: 4, shelf: { unseenSales: 0, released: [T + 160_000, T + 160_400] } });
    // A sale after that reading is still held as usual.
    expect(guardedQuantity({ shelf: released.shelf }, 4, 3, T + 220_400, 480_000, { requestedAt: T + 220_000, explainedThrough: T + 90_000 }).quantity).toBe(3);
  });

  it('a hold is not released while units a later reading counted may still be unlisted orders', () => {
    let shelf = guardedQuantity({ shelf: followed }, 4, 3, T + 10_400, 480_000, { requestedAt: T + 10_000 }).shelf;
    // A second sale at +100 s, counted by the +130 s reading (a real sale Amazon has not listed yet).
    shelf = guardedQuantity({ shelf }, 4, 2, T + 130_400, 480_000, { requestedAt: T + 130_000 }).shelf;
    // Listed up to +60 s covers the first reading only: both units stay held.
    expect(guardedQuantity({ shelf }, 4, 2, T + 190_400, 480_000, { requestedAt: T + 190_000, explainedThrough: T + 60_000 }).quantity).toBe(2);
  });

  it('an order the released reading saw, listed late because it was cancelled meanwhile, changes nothing', () => {
    // Sold at +5 s (the +10 s reading counts it), cancelled at +40 s: Amazon lists it by its last update.
    const held = guardedQuantity({ shelf: followed }, 4, 3, T + 10_400, 480_000, { requestedAt: T + 10_000 });
    // At +190 s Amazon has listed up to +30 s: the sale's order is not among them (updated at +40 s), yet the
    // hold is released; the shelf shows the returned unit.
    const next = guardedQuantity({ shelf: held.shelf }, 4, 4, T + 190_000, 480_000, { requestedAt: T + 189_800, explainedThrough: T + 30_000 });
    expect(next.quantity).toBe(4);
    expect(unseenNow(next.shelf)).toBe(-1);
    // Its order is read, already cancelled: the sale was in the released count, only the return is left to explain.
    const read = ownCancelledOrderRead(next.shelf, 'amazon:A1:1', 1, T + 5_000, T + 40_000, T + 370_000);
    expect(unseenNow(read)).toBe(0);
    // So the next sale Amazon makes is held back, not hidden behind a count below zero.
    expect(guardedQuantity({ shelf: read }, 4, 3, T + 380_000, 480_000, { requestedAt: T + 379_800, explainedThrough: T + 250_000 }).quantity).toBe(3);
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

  it('when the shelf cannot be read, a lower number still goes; a higher one waits for a reading', async () => {
    const amazon = Object.assign(new FakeMall('amazon'), { orderVisibilityLagMs: 120_000 });
    await planStockPushes(db, ['tee'], 0, 0);
    await drainStockOutbox(db, { amazon }, { now: () => 1_000 });
    expect(amazon.shown.get('amazon:tee')).toBe(4);
    const asked: unknown[] = [];
    amazon.readStock = async (_listings, options) => {
      asked.push(options);
      throw new Error('503');
    };
    // Another mall's sale (4 → 3): waiting would leave it on sale here; sending can only undo Amazon's
    // own sales since the last reading, which the shelf state then treats as overwritten.
    await applyMovements(db, [{ key: 'manual:1', skuCode: 'tee', delta: -1, kind: 'manual', at: 2_000 }]);
    await planStockPushes(db, ['tee'], 2_000, 2_000);
    await drainStockOutbox(db, { amazon }, { now: () => 2_000 });
    expect(amazon.shown.get('amazon:tee')).toBe(3);
    // The read in front of the push gave up sooner than the worker's other calls: the push had a fallback.
    expect(asked).toEqual([{ patience: SHELF_READ_PATIENCE }]);
    const shelf = (await db.listings.get('amazon:tee'))!.shelf!;
    expect(shelf).toMatchObject({ lastSet: 3 });
    expect(shelf.inFlight).toBeUndefined();
    expect(shelf.lostWindows!.at(-1)).toEqual([1_000, 2_000]); // from the last reading to the landing
    // Stock back up (3 → 5): nothing that cannot wait; tried again once the shelf can be read.
    await applyMovements(db, [{ key: 'manual:2', skuCode: 'tee', delta: 2, kind: 'manual', at: 3_000 }]);
    await planStockPushes(db, ['tee'], 3_000, 3_000);
    await drainStockOutbox(db, { amazon }, { now: () => 3_000 });
    expect(amazon.pushCalls).toHaveLength(2);
    const job = await db.jobs.where('dedupeKey').equals('stock.push:amazon:tee').first();
    expect(job).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: 3_000 + SHELF_REREAD_MS });
  });

  it('follows every shelf from the first cycles on, so a sale before the first push is still told apart', async () => {
    const amazon = Object.assign(new FakeMall('amazon'), { orderVisibilityLagMs: 120_000 });
    amazon.shown.set('amazon:tee', 4);
    expect(await followNewShelves(db, 'amazon', amazon, () => 500)).toBe(1);
    expect((await db.listings.get('amazon:tee'))!.shelf).toEqual({ lastSet: 4, unseenSales: 0, trackedSince: 500 });
    expect(await followNewShelves(db, 'amazon', amazon, () => 600)).toBe(0); // done, and remembered
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
    await followNewShelves(db, 'amazon', amazon, () => 0);
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

  /** A Rakuten sale at `at` whose push to Amazon reaches it 600 ms later; `meanwhile` happens 300 ms in. */
  async function rakutenSalePushedToAmazon(amazon: FakeMall, clock: { now: number }, at: number, meanwhile: () => void): Promise<void> {
    clock.now = at;
    await applyMovements(db, [{ key: `order:rakuten:R${at}:1`, skuCode: 'tee', delta: -1, kind: 'order', at }]);
    await planStockPushes(db, ['tee'], at, at, { originMall: 'rakuten' });
    const push = amazon.pushStock.bind(amazon);
    amazon.pushStock = async (pushes) => {
      clock.now += 300;
      meanwhile();
      clock.now += 300;
      return push(pushes);
    };
    await drainStockOutbox(db, { amazon }, { now: () => clock.now });
    amazon.pushStock = push;
  }

  it('a sale our push overwrote is not taken off when its order is read, so the next unseen sale is still held', async () => {
    const amazon = Object.assign(new FakeMall('amazon'), { orderVisibilityLagMs: 120_000 });
    const clock = { now: T };
    amazon.shown.set('amazon:tee', 4);
    await followNewShelves(db, 'amazon', amazon, () => clock.now);
    // Rakuten sells 1; while our push of 3 is on its way Amazon sells 1 too, and the push overwrites it.
    await rakutenSalePushedToAmazon(amazon, clock, T + 10_000, () => {
      amazon.addOrder('A1', [{ item: 'tee', qty: 1 }], clock.now);
      amazon.shown.set('amazon:tee', 3);
    });
    expect(amazon.shown.get('amazon:tee')).toBe(3); // the sale was overwritten: that is what the next sync repairs
    // Amazon's order becomes readable: stock 2, nothing taken off the unseen count (it never was on it).
    clock.now = T + 140_000;
    await runSyncCycle({ db, adapters: async () => ({ amazon }), now: () => clock.now, initialSince: () => T });
    expect((await db.skus.get('tee'))!.stock).toBe(2);
    expect((await db.listings.get('amazon:tee'))!.shelf!.unseenSales).toBe(0);
    expect(amazon.shown.get('amazon:tee')).toBe(2);
    // Amazon sells 1 more (not readable yet) and Rakuten 1: Amazon must show 0, not 1.
    amazon.shown.set('amazon:tee', 1);
    amazon.addOrder('A2', [{ item: 'tee', qty: 1 }], T + 150_000);
    await rakutenSalePushedToAmazon(amazon, clock, T + 155_000, () => undefined);
    expect(amazon.shown.get('amazon:tee')).toBe(0);
  });

  it('an Amazon order cancelled before it was readable, whose return a push overwrote, holds nothing back', async () => {
    const amazon = Object.assign(new FakeMall('amazon'), { orderVisibilityLagMs: 120_000 });
    const clock = { now: T };
    amazon.shown.set('amazon:tee', 4);
    await followNewShelves(db, 'amazon', amazon, () => clock.now);
    // Amazon sells 1 (shelf 3), then Rakuten sells 1: the push reads 3, counts 1 unseen and sends 2.
    amazon.addOrder('A1', [{ item: 'tee', qty: 1 }], T + 5_000);
    amazon.shown.set('amazon:tee', 3);
    await rakutenSalePushedToAmazon(amazon, clock, T + 10_000, () => {
      // The Amazon buyer cancels while the push is on its way: the unit comes back, then is overwritten.
      amazon.update('A1', 'cancelled', clock.now);
      amazon.shown.set('amazon:tee', 4);
    });
    expect(amazon.shown.get('amazon:tee')).toBe(2);
    expect((await db.listings.get('amazon:tee'))!.shelf!.unseenSales).toBe(1);
    // The order shows up cancelled: its sale and its return are both accounted for, so Amazon gets 3
    // now instead of after the unseen count expires.
    clock.now = T + 140_000;
    const deps = { db, adapters: async () => ({ amazon }), now: () => clock.now, initialSince: () => T };
    await runSyncCycle(deps);
    expect((await db.listings.get('amazon:tee'))!.shelf!.unseenSales).toBe(0);
    expect((await db.skus.get('tee'))!.stock).toBe(3);
    clock.now += 31_000;
    await runSyncCycle(deps);
    expect(amazon.shown.get('amazon:tee')).toBe(3);
    // Reading the same cancelled order again changes nothing.
    await applyOrderMovements(db, 'amazon', structuredClone(amazon.orders), undefined, clock.now);
    expect((await db.listings.get('amazon:tee'))!.shelf!.unseenSales).toBe(0);
  });

  it('an order read that ends caught up records from when every order is known to be read', async () => {
    const rakuten = new FakeMall('rakuten');
    rakuten.pageSize = 1;
    for (const n of [1, 2, 3]) rakuten.addOrder(`R${n}`, [{ item: 'r-tee', variant: 'v1', qty: 1 }], T + n);
    let now = T + 1_000;
    const deps = { db, adapters: async () => ({ rakuten }), now: () => now, initialSince: () => T, maxOrderPagesPerMall: 1 };
    await runSyncCycle(deps);
    expect(await db.syncCursors.get('rakuten:orders')).toMatchObject({ passStartedAt: T + 1_000 });
    now = T + 2_000;
    await runSyncCycle(deps);
    expect((await db.syncCursors.get('rakuten:orders'))!.explainedThrough).toBeUndefined();
    now = T + 3_000;
    await runSyncCycle(deps); // the third page is the last: the run that began at +1 s has read everything
    const cursor = (await db.syncCursors.get('rakuten:orders'))!;
    expect(cursor.explainedThrough).toBe(T + 1_000);
    expect(cursor.passStartedAt).toBeUndefined();
    now = T + 4_000;
    await runSyncCycle(deps);
    expect((await db.syncCursors.get('rakuten:orders'))!.explainedThrough).toBe(T + 4_000);
  });

  it('for Amazon, every order is known read only up to the bound Amazon stated, never up to when we asked', async () => {
    const amazon = Object.assign(new FakeMall('amazon'), { orderVisibilityLagMs: 120_000 });
    amazon.addOrder('A1', [{ item: 'A-TEE-M', qty: 1 }], T);
    const deps = { db, adapters: async () => ({ amazon }), now: () => T + 300_000, initialSince: () => T - 60_000 };
    await runSyncCycle(deps);
    // No bound stated: nothing is taken as read (a caught-up read of a late mall proves nothing by itself).
    expect((await db.syncCursors.get('amazon:orders'))!.explainedThrough).toBeUndefined();
    amazon.listedThrough = T + 175_000;
    await runSyncCycle(deps);
    expect((await db.syncCursors.get('amazon:orders'))!.explainedThrough).toBe(T + 175_000);
    amazon.listedThrough = undefined;
    await runSyncCycle(deps);
    expect((await db.syncCursors.get('amazon:orders'))!.explainedThrough).toBe(T + 175_000);
  });

  it('a push the mall refused (an error answer) overwrote nothing: a sale made meanwhile is explained as usual', async () => {
    const amazon = Object.assign(new FakeMall('amazon'), { orderVisibilityLagMs: 120_000 });
    const clock = { now: T };
    amazon.shown.set('amazon:tee', 4);
    await followNewShelves(db, 'amazon', amazon, () => clock.now);
    amazon.failNextPush = new MallError({ mall: 'amazon', endpoint: 'patch', kind: 'throttled', status: 429, message: 'QuotaExceeded' });
    // Rakuten sells 1; our push of 3 is refused with 429 while Amazon sells 1 itself (4 → 3).
    await rakutenSalePushedToAmazon(amazon, clock, T + 10_000, () => {
      amazon.addOrder('A1', [{ item: 'tee', qty: 1 }], clock.now);
      amazon.shown.set('amazon:tee', 3);
    });
    const shelf = (await db.listings.get('amazon:tee'))!.shelf!;
    expect(shelf.inFlight).toBeUndefined();
    expect(shelf.openSince).toBeUndefined();
    expect(shelf.lostWindows ?? []).toEqual([]);
    // The retry (5 s on, here 20 s) reads 3 (one unseen) and sends 2; once Amazon's order is read nothing is held back.
    clock.now = T + 30_000;
    await drainStockOutbox(db, { amazon }, { now: () => clock.now });
    expect(amazon.shown.get('amazon:tee')).toBe(2);
    clock.now = T + 140_000;
    await runSyncCycle({ db, adapters: async () => ({ amazon }), now: () => clock.now, initialSince: () => T });
    expect(unseenNow((await db.listings.get('amazon:tee'))!.shelf!)).toBe(0);
    expect(amazon.shown.get('amazon:tee')).toBe(2);
  });
});
