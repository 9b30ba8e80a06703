import { beforeEach, describe, expect, it } from 'vitest';
import { resetCatalogDbForTests, type CatalogDb } from '@/lib/catalog/db';
import type { Job, Listing, Sku } from '@/lib/catalog/schemas';
import { MallError } from '@/lib/malls/errors';
import { runSyncCycle } from '@/lib/sync/cycle';
import { applyMovements, stockFromLedger } from '@/lib/sync/ledger';
import { applyOrderMovements } from '@/lib/sync/orders';
import { byRisk, drainStockOutbox, retryDelayMs } from '@/lib/sync/outbox';
import { planStockPushes } from '@/lib/sync/plan';
import { SyncLanes } from '@/lib/sync/lanes';
import { followNewShelves } from '@/lib/sync/shelf-guard';
import { FakeMall } from './fake-mall';

let db: CatalogDb;

function sku(code: string, stock: number, components: { skuCode: string; quantity: number }[] = []): Sku {
  return { code, productId: 'p', name: code, variant: {}, price: 1000, components, componentCodes: components.map((c) => c.skuCode), stock, lowStockThreshold: 0, updatedAt: 0 };
}
function listings(code: string, buffer = 0): Listing[] {
  return [
    { id: `rakuten:${code}`, mall: 'rakuten', skuCode: code, externalItemId: `r-${code}`, rakuten: { manageNumber: `r-${code}`, variantId: 'v1' }, safetyBuffer: buffer, active: true },
    { id: `yahoo:${code}`, mall: 'yahoo', skuCode: code, externalItemId: `y-${code}`, yahoo: { itemCode: `y-${code}` }, safetyBuffer: 0, active: true },
    { id: `amazon:${code}`, mall: 'amazon', skuCode: code, externalItemId: code, amazon: { sellerSku: code }, safetyBuffer: 0, active: true },
  ];
}

beforeEach(async () => {
  db = await resetCatalogDbForTests();
  // Two sets share the component "tee": a pair (2 tees) and a bundle (1 tee + 1 bag).
  await db.skus.bulkPut([
    sku('tee', 0),
    sku('bag', 0),
    sku('pair', 0, [{ skuCode: 'tee', quantity: 2 }]),
    sku('bundle', 0, [
      { skuCode: 'tee', quantity: 1 },
      { skuCode: 'bag', quantity: 1 },
    ]),
  ]);
  await db.listings.bulkPut([...listings('tee', 2), ...listings('bag'), ...listings('pair'), ...listings('bundle')]);
  await applyMovements(db, [
    { key: 'initial:tee', skuCode: 'tee', delta: 10, kind: 'initial', at: 0 },
    { key: 'initial:bag', skuCode: 'bag', delta: 3, kind: 'initial', at: 0 },
  ]);
});

const stock = async (code: string) => (await db.skus.get(code))!.stock;

describe('sets', () => {
  it('every set sharing a component follows it', async () => {
    expect([await stock('pair'), await stock('bundle')]).toEqual([5, 3]);
    await applyMovements(db, [{ key: 'manual:1', skuCode: 'tee', delta: -7, kind: 'manual', at: 1 }]);
    expect([await stock('tee'), await stock('pair'), await stock('bundle')]).toEqual([3, 1, 3]);
  });

  it('a sold set takes its components, and a cancelled one gives them back', async () => {
    const mall = new FakeMall('yahoo');
    mall.addOrder('Y1', [{ item: 'y-bundle', qty: 2 }], 100);
    await applyOrderMovements(db, 'yahoo', mall.orders, undefined, 100);
    expect([await stock('tee'), await stock('bag'), await stock('pair'), await stock('bundle')]).toEqual([8, 1, 4, 1]);
    mall.update('Y1', 'cancelled', 200);
    await applyOrderMovements(db, 'yahoo', mall.orders, undefined, 200);
    expect([await stock('tee'), await stock('bag'), await stock('bundle')]).toEqual([10, 3, 3]);
    expect(await stockFromLedger(db, 'tee')).toBe(10);
  });
});

describe('orders → movements', () => {
  it('reading the same orders again changes nothing', async () => {
    const mall = new FakeMall('rakuten');
    mall.addOrder('R1', [{ item: 'r-tee', variant: 'v1', qty: 3 }], 100);
    const first = await applyOrderMovements(db, 'rakuten', mall.orders, undefined, 100);
    const again = await applyOrderMovements(db, 'rakuten', mall.orders, undefined, 101);
    expect(first).toMatchObject({ newOrders: 1, movementsApplied: 1 });
    expect(again).toMatchObject({ newOrders: 0, movementsApplied: 0 });
    expect(await stock('tee')).toBe(7);
    expect((await db.customers.get('email:taro@example.jp'))?.orderCount).toBe(1);
  });

  it('an order first seen already cancelled moves nothing, and a cancellation is counted once', async () => {
    const mall = new FakeMall('amazon');
    mall.addOrder('A1', [{ item: 'tee', qty: 1 }], 100, 'cancelled');
    await applyOrderMovements(db, 'amazon', mall.orders, undefined, 100);
    expect(await stock('tee')).toBe(10);
    mall.addOrder('A2', [{ item: 'tee', qty: 2 }], 110);
    await applyOrderMovements(db, 'amazon', mall.orders, undefined, 110);
    mall.update('A2', 'cancelled', 120);
    await applyOrderMovements(db, 'amazon', mall.orders, undefined, 120);
    await applyOrderMovements(db, 'amazon', mall.orders, undefined, 130);
    expect(await stock('tee')).toBe(10);
  });

  it('keeps a line whose listing is unknown, marked, and reports it', async () => {
    const result = await applyOrderMovements(db, 'rakuten', [new FakeMall('rakuten').addOrder('R9', [{ item: 'nope', variant: 'x', qty: 1 }], 1)], undefined, 1);
    expect(result.unmappedLines).toEqual([{ orderNumber: 'R9', ref: 'nope:x' }]);
    expect((await db.orderLines.get('rakuten:R9:1'))?.skuCode).toBe('unmapped:nope:x');
  });
});

describe('planning and the outbox', () => {
  it('targets stock less each mall’s buffer, one job per listing however often planned', async () => {
    await planStockPushes(db, ['tee'], 1, 1);
    await planStockPushes(db, ['tee'], 2, 2);
    const jobs = await db.jobs.toArray();
    expect(jobs).toHaveLength(3);
    const byListing = Object.fromEntries(jobs.map((j) => [(j.payload as { listingId: string }).listingId, (j.payload as { quantity: number }).quantity]));
    expect(byListing).toEqual({ 'rakuten:tee': 8, 'yahoo:tee': 10, 'amazon:tee': 10 });
  });

  it('a worker killed mid-push leaves jobs that the next cycle sends again', async () => {
    await planStockPushes(db, ['bag'], 1, 1);
    // Simulate a kill right after the jobs were marked running.
    await db.jobs.toCollection().modify({ status: 'running' });
    const yahoo = new FakeMall('yahoo');
    await runSyncCycle({ db, adapters: async () => ({ yahoo }), now: () => 1000 });
    expect(yahoo.shown.get('yahoo:bag')).toBe(3);
    expect(await db.jobs.where('mall').equals('yahoo').filter((j) => j.kind === 'stock.push').count()).toBe(0);
  });

  it('retries a failed push later and reports a refused item', async () => {
    await planStockPushes(db, ['bag'], 1, 1);
    const amazon = new FakeMall('amazon');
    amazon.failNextPush = new MallError({ mall: 'amazon', endpoint: 'feeds', kind: 'server', message: '503' });
    const first = await drainStockOutbox(db, { amazon }, { now: () => 10 });
    expect(first).toMatchObject({ pushed: 0, retrying: 1 });
    const job = await db.jobs.where('mall').equals('amazon').first();
    expect(job).toMatchObject({ status: 'pending', attempts: 1 });
    expect(job!.nextAttemptAt).toBeGreaterThan(10);
    // Not yet due: nothing is sent.
    await drainStockOutbox(db, { amazon }, { now: () => 20 });
    expect(amazon.pushCalls).toHaveLength(1);
    const later = await drainStockOutbox(db, { amazon }, { now: () => 10 + 60_000 });
    expect(later.pushed).toBe(1);
    const rakuten = new FakeMall('rakuten');
    rakuten.failListings.add('rakuten:bag');
    const refused = await drainStockOutbox(db, { rakuten }, { now: () => 100 });
    expect(refused).toMatchObject({ failed: 1 });
    expect(await db.jobs.where('status').equals('failed').count()).toBe(1);
  });
  it('pushes carrying another mall’s sale go before a mall’s confirmations of its own sales', async () => {
    // Amazon sold bag (its own shelf already shows it), then Rakuten sold tee: with room for one push,
    // Amazon must first hear of Rakuten's sale, though its own confirmation is older.
    await planStockPushes(db, ['bag'], 100, 100, { originMall: 'amazon' });
    await planStockPushes(db, ['tee'], 200, 200, { originMall: 'rakuten' });
    const amazon = Object.assign(new FakeMall('amazon'), { maxPushesPerDrain: 1 });
    await drainStockOutbox(db, { amazon }, { now: () => 300 });
    expect(amazon.pushCalls.flat().map((p) => p.listing.id)).toEqual(['amazon:tee']);
    // Rakuten's own listing of tee is a confirmation, Yahoo's is urgent.
    const jobs = await db.jobs.toArray();
    const urgency = Object.fromEntries(jobs.map((j) => [(j.payload as { listingId: string }).listingId, (j.payload as { urgent?: boolean }).urgent]));
    expect(urgency).toMatchObject({ 'rakuten:tee': false, 'yahoo:tee': true, 'amazon:bag': false, 'rakuten:bag': true });
    // A later sale elsewhere makes a waiting confirmation urgent.
    await applyMovements(db, [{ key: 'manual:bag', skuCode: 'bag', delta: -1, kind: 'manual', at: 400 }]);
    await planStockPushes(db, ['bag'], 400, 400, { originMall: 'yahoo' });
    const bagJob = await db.jobs.where('dedupeKey').equals('stock.push:amazon:bag').first();
    expect(bagJob?.payload).toMatchObject({ urgent: true, causedAt: 100 });
  });

  it('a row the mall refused for now goes again with the next batches for half a minute, then backs off', async () => {
    await planStockPushes(db, ['bag', 'tee'], 1, 1);
    const rakuten = new FakeMall('rakuten');
    rakuten.conflictListings.add('rakuten:bag');
    let now = 10;
    const tries: number[] = [];
    for (let i = 0; i < 8; i++) {
      await drainStockOutbox(db, { rakuten }, { now: () => now });
      const job = (await db.jobs.where('dedupeKey').equals('stock.push:rakuten:bag').first())!;
      expect(job).toMatchObject({ status: 'pending', attempts: i + 1, lastError: expect.stringContaining('Conflict occurred') });
      tries.push(job.nextAttemptAt - now);
      now = job.nextAttemptAt;
    }
    // The other row of the batch landed the first time and was not sent again.
    expect(rakuten.pushCalls.flat().filter((p) => p.listing.id === 'rakuten:tee')).toHaveLength(1);
    expect(await db.jobs.where('dedupeKey').equals('stock.push:rakuten:tee').count()).toBe(0);
    expect(tries).toEqual([5_000, 5_000, 5_000, 5_000, 5_000, 5_000, 15_000, 30_000]);
    rakuten.conflictListings.clear();
    await drainStockOutbox(db, { rakuten }, { now: () => now });
    expect(rakuten.shown.get('rakuten:bag')).toBeDefined();
    expect(await db.jobs.where('dedupeKey').equals('stock.push:rakuten:bag').count()).toBe(0);
  });

  it('a waiting push whose number drops goes at once, not after its backoff or recheck', async () => {
    await planStockPushes(db, ['bag'], 1, 1);
    const amazon = new FakeMall('amazon');
    amazon.failNextPush = new MallError({ mall: 'amazon', endpoint: 'patch', kind: 'server', status: 503, message: '503' });
    await drainStockOutbox(db, { amazon }, { now: () => 10 });
    const backingOff = (await db.jobs.where('dedupeKey').equals('stock.push:amazon:bag').first())!;
    expect(backingOff.nextAttemptAt).toBe(10 + retryDelayMs(1));
    // The first retry goes with the next cycles (a sale elsewhere has 45 s to reach every mall); a mall
    // that keeps refusing is tried less and less often, never less than every 2 minutes.
    expect([1, 2, 3, 4, 5, 6].map(retryDelayMs)).toEqual([5_000, 15_000, 30_000, 60_000, 120_000, 120_000]);
    // A raise can wait for the backoff; Rakuten selling one (3 → 2) cannot.
    await applyMovements(db, [{ key: 'manual:bag-up', skuCode: 'bag', delta: 1, kind: 'manual', at: 20 }]);
    await planStockPushes(db, ['bag'], 20, 20);
    expect((await db.jobs.get(backingOff.id!))!.nextAttemptAt).toBe(backingOff.nextAttemptAt);
    await applyMovements(db, [{ key: 'order:rakuten:R1:1', skuCode: 'bag', delta: -2, kind: 'order', at: 30 }]);
    await planStockPushes(db, ['bag'], 30, 30, { originMall: 'rakuten' });
    expect((await db.jobs.get(backingOff.id!))!.nextAttemptAt).toBe(30);
    await drainStockOutbox(db, { amazon }, { now: () => 31 });
    expect(amazon.shown.get('amazon:bag')).toBe(2);
  });

  it('a mall that takes pushes one by one reads its shelves again before every few of them', async () => {
    await planStockPushes(db, ['tee', 'bag', 'pair', 'bundle'], 1, 1);
    const amazon = Object.assign(new FakeMall('amazon'), { shelfReadChunk: 2 });
    for (const id of ['amazon:tee', 'amazon:bag', 'amazon:pair', 'amazon:bundle']) amazon.shown.set(id, 0);
    const reads: string[][] = [];
    const read = amazon.readStock;
    amazon.readStock = async (ls) => {
      reads.push(ls.map((l) => l.id));
      return read(ls);
    };
    const report = await drainStockOutbox(db, { amazon }, { now: () => 5 });
    expect(report.pushed).toBe(4);
    expect(reads.map((r) => r.length)).toEqual([2, 2]);
    expect(amazon.pushCalls.map((c) => c.length)).toEqual([2, 2]);
  });

  it('a sale elsewhere read while a long drain is under way goes next, not after the whole batch', async () => {
    // Four confirmations of Amazon's own sales are waiting; the drain sends them one at a time.
    await planStockPushes(db, ['tee', 'pair', 'bundle'], 1, 1, { originMall: 'amazon' });
    const amazon = Object.assign(new FakeMall('amazon'), { shelfReadChunk: 1 });
    const push = amazon.pushStock.bind(amazon);
    let first = true;
    amazon.pushStock = async (pushes) => {
      if (first) {
        first = false;
        // Meanwhile Rakuten sells a bag: Amazon must hear of it before the remaining confirmations.
        await applyMovements(db, [{ key: 'order:rakuten:R9:1', skuCode: 'bag', delta: -1, kind: 'order', at: 2 }]);
        await planStockPushes(db, ['bag'], 2, 2, { originMall: 'rakuten' });
      }
      return push(pushes);
    };
    await drainStockOutbox(db, { amazon }, { now: () => 5 });
    const order = amazon.pushCalls.map((c) => c.map((p) => p.listing.id).join());
    expect(order).toHaveLength(4);
    expect(order[1]).toBe('amazon:bag');
  });

  it('a push whose number the shelf already shows is not sent, even one carrying another mall’s sale', async () => {
    // Amazon's bag shelf shows 2 (a number set by hand in Seller Central, say) and is followed from there.
    const amazon = new FakeMall('amazon');
    amazon.shown.set('amazon:bag', 2);
    await followNewShelves(db, 'amazon', amazon, () => 1);
    // Rakuten sells one (3 → 2): Amazon already shows 2, and sending it again could only undo a sale
    // Amazon made while the push was on its way.
    await applyMovements(db, [{ key: 'order:rakuten:R1:1', skuCode: 'bag', delta: -1, kind: 'order', at: 10 }]);
    await planStockPushes(db, ['bag'], 10, 10, { originMall: 'rakuten' });
    const report = await drainStockOutbox(db, { amazon }, { now: () => 20 });
    expect(amazon.pushCalls).toHaveLength(0);
    expect(report.pushed).toBe(0);
    expect(await db.jobs.where('dedupeKey').equals('stock.push:amazon:bag').count()).toBe(0);
    expect((await db.listings.get('amazon:bag'))!.lastPushedQuantity).toBe(2);
  });
});

describe('push order under a backlog', () => {
  const job = (listingId: string, quantity: number, causedAt: number, urgent = true): Job => ({
    kind: 'stock.push',
    mall: 'amazon',
    dedupeKey: `stock.push:${listingId}`,
    payload: { listingId, quantity, causedAt, urgent },
    status: 'pending',
    attempts: 0,
    nextAttemptAt: 0,
    createdAt: 0,
    updatedAt: 0,
  });
  it('other malls’ sales first, then lowering before raising, low shelves before full ones, then the oldest', () => {
    const jobs = [
      job('self-low', 0, 1, false), // the mall's own sale: it lowered its shelf itself
      job('raise', 5, 2), // a cancellation elsewhere: too low a number only loses a sale for a moment
      job('full', 29, 3), // 30 → 29: one unit off a full shelf
      job('last-one', 1, 9), // 4 → 1: the next buyer may take what is gone
      job('sold-out', 0, 10),
      job('unknown', 12, 4), // never pushed: treated as lowering
    ];
    const before = new Map<string, number | undefined>([
      ['self-low', 1],
      ['raise', 2],
      ['full', 30],
      ['last-one', 4],
      ['sold-out', 3],
    ]);
    expect(byRisk(jobs, before).map((j) => (j.payload as { listingId: string }).listingId)).toEqual(['sold-out', 'last-one', 'full', 'unknown', 'raise', 'self-low']);
  });
});

describe('the cycle', () => {
  it('a sale on one mall reaches the other two in one cycle, with latency recorded', async () => {
    const rakuten = new FakeMall('rakuten');
    const yahoo = new FakeMall('yahoo');
    const amazon = new FakeMall('amazon');
    let now = 1_000;
    const deps = { db, adapters: async () => ({ rakuten, yahoo, amazon }), now: () => now, initialSince: () => 0 };
    await runSyncCycle(deps);
    rakuten.addOrder('R1', [{ item: 'r-tee', variant: 'v1', qty: 4 }, { item: 'r-bag', variant: 'v1', qty: 1 }], 5_000);
    rakuten.addOrder('R2', [{ item: 'r-tee', variant: 'v1', qty: 1 }], 5_500);
    rakuten.addOrder('R3', [{ item: 'r-tee', variant: 'v1', qty: 1 }], 5_600);
    now = 20_000;
    const { run } = await runSyncCycle(deps);
    expect(await stock('tee')).toBe(4);
    expect(yahoo.shown.get('yahoo:tee')).toBe(4);
    expect(amazon.shown.get('amazon:tee')).toBe(4);
    expect(rakuten.shown.get('rakuten:tee')).toBe(2); // buffer of 2 on Rakuten
    expect(yahoo.shown.get('yahoo:pair')).toBe(2);
    expect(yahoo.shown.get('yahoo:bundle')).toBe(2);
    expect(run).toMatchObject({ outcome: 'ok', ordersRead: 3 });
    expect(run.latencyP95Ms).toBe(15_000);
    // Pages were read until caught up (page size 2, 3 orders), and the cursor persisted.
    expect(await db.syncCursors.get('rakuten:orders')).toBeDefined();
    const again = await runSyncCycle(deps);
    expect(again.run).toMatchObject({ ordersRead: 0, pushes: 0 });
  });

  it('a mall that fails to answer is reported while the others still sync', async () => {
    const rakuten = new FakeMall('rakuten');
    rakuten.listOrdersSince = async () => {
      throw new MallError({ mall: 'rakuten', endpoint: 'searchOrder', kind: 'auth', message: 'licenseKey expired' });
    };
    const yahoo = new FakeMall('yahoo');
    yahoo.addOrder('Y1', [{ item: 'y-bag', qty: 1 }], 10);
    const report = await runSyncCycle({ db, adapters: async () => ({ rakuten, yahoo }), now: () => 100, initialSince: () => 0 });
    expect(report.errors).toEqual([expect.objectContaining({ mall: 'rakuten', kind: 'auth' })]);
    expect(report.run.outcome).toBe('partial');
    expect(yahoo.shown.get('yahoo:bag')).toBe(2);
  });
});

describe('lanes', () => {
  it('a mall that hangs holds only its own lane: the next cycles go on with the other malls', async () => {
    const lanes = new SyncLanes();
    const rakuten = new FakeMall('rakuten');
    const yahoo = new FakeMall('yahoo');
    const amazon = new FakeMall('amazon');
    let release!: () => void;
    const hung = new Promise<void>((r) => (release = r));
    let rakutenReads = 0;
    let hang = false;
    const read = rakuten.listOrdersSince.bind(rakuten);
    rakuten.listOrdersSince = async (cursor) => {
      rakutenReads += 1;
      if (hang) await hung;
      return read(cursor);
    };
    const deps = { db, lanes, adapters: async () => ({ rakuten, yahoo, amazon }), now: () => 1_000, initialSince: () => 0, readDeadlineMs: 5, readBudgetMs: 5, maxCycleWaitMs: 400 };
    await runSyncCycle(deps); // cursors set: no catching up, which waits for every mall
    hang = true;
    rakutenReads = 0;
    rakuten.addOrder('R1', [{ item: 'r-bag', variant: 'v1', qty: 1 }], 10);
    yahoo.addOrder('Y1', [{ item: 'y-tee', qty: 1 }], 10);
    const first = await runSyncCycle(deps);
    expect(first.run.ordersRead).toBe(1);
    expect(amazon.shown.get('amazon:tee')).toBe(9);
    expect(lanes.busy('read:rakuten')).toBe(true);

    yahoo.addOrder('Y2', [{ item: 'y-tee', qty: 2 }], 20);
    await runSyncCycle(deps);
    expect(amazon.shown.get('amazon:tee')).toBe(7);
    expect(rakutenReads).toBe(1); // never two readers on one cursor

    release();
    await lanes.current('read:rakuten');
    await runSyncCycle(deps);
    expect(amazon.shown.get('amazon:bag')).toBe(2);
    // The first cycle's row got the straggler's order when it finished.
    await expect.poll(async () => (await db.syncRuns.get(first.run.id!))?.ordersRead).toBe(2);
  });
});

describe('allocation mode', () => {
  it('after a sale the malls together never show more than the stock', async () => {
    await db.settings.put({ key: 'sync.allocation', value: { mode: 'sales-share', days: 30 } });
    const rakuten = new FakeMall('rakuten');
    const yahoo = new FakeMall('yahoo');
    const amazon = new FakeMall('amazon');
    rakuten.addOrder('R1', [{ item: 'r-tee', variant: 'v1', qty: 2 }], 500);
    await runSyncCycle({ db, adapters: async () => ({ rakuten, yahoo, amazon }), now: () => 1_000, initialSince: () => 0 });
    const shown = ['rakuten', 'yahoo', 'amazon'].map((m) => (m === 'rakuten' ? rakuten : m === 'yahoo' ? yahoo : amazon).shown.get(`${m}:tee`) ?? 0);
    // 8 tees left; all recent sales were on Rakuten, which gets them (less its buffer of 2).
    expect(shown).toEqual([6, 0, 0]);
    expect(shown.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(8);
  });
});

describe('uncertain pushes', () => {
  it('a push left in flight by a killed worker is read back later and corrected if an older number landed', async () => {
    const yahoo = new FakeMall('yahoo');
    await planStockPushes(db, ['bag'], 1, 1);
    await db.jobs.where('mall').equals('yahoo').modify({ status: 'running' });
    let now = 1_000;
    const deps = { db, adapters: async () => ({ yahoo }), now: () => now, initialSince: () => 0 };
    await runSyncCycle(deps);
    expect(yahoo.shown.get('yahoo:bag')).toBe(3);
    // The dead worker's request lands late with an older number.
    yahoo.shown.set('yahoo:bag', 7);
    now += 30_000;
    await runSyncCycle(deps);
    expect(yahoo.shown.get('yahoo:bag')).toBe(7); // not yet: the late request might still be in flight
    now += 120_000;
    await runSyncCycle(deps);
    expect(yahoo.shown.get('yahoo:bag')).toBe(3);
    expect(await db.jobs.where('mall').equals('yahoo').count()).toBe(0);
  });
});

describe('the selling mall’s own shelf', () => {
  it('after an oversell, a cancellation that restocks the selling mall is corrected there too', async () => {
    const rakuten = new FakeMall('rakuten');
    const yahoo = new FakeMall('yahoo');
    let now = 1_000;
    const deps = { db, adapters: async () => ({ rakuten, yahoo }), now: () => now, initialSince: () => 0 };
    await applyMovements(db, [{ key: 'manual:bag-down', skuCode: 'bag', delta: -2, kind: 'manual', at: 1 }]); // 1 bag left
    await planStockPushes(db, ['bag'], 1, 1);
    await runSyncCycle(deps);
    expect([rakuten.shown.get('rakuten:bag'), yahoo.shown.get('yahoo:bag')]).toEqual([1, 1]);
    // Both malls sell the last bag before the next sync: an oversell, stock −1.
    rakuten.addOrder('R1', [{ item: 'r-bag', variant: 'v1', qty: 1 }], 2_000);
    rakuten.shown.set('rakuten:bag', 0);
    yahoo.addOrder('Y1', [{ item: 'y-bag', qty: 1 }], 2_001);
    yahoo.shown.set('yahoo:bag', 0);
    now = 3_000;
    await runSyncCycle(deps);
    expect(await stock('bag')).toBe(-1);
    // Yahoo's buyer cancels; Yahoo puts the bag back on its own shelf.
    yahoo.update('Y1', 'cancelled', 4_000);
    yahoo.shown.set('yahoo:bag', 1);
    now = 5_000;
    await runSyncCycle(deps);
    expect(await stock('bag')).toBe(0);
    expect(yahoo.shown.get('yahoo:bag')).toBe(0);
    expect(rakuten.shown.get('rakuten:bag')).toBe(0);
  });
});
