import { beforeEach, describe, expect, it } from 'vitest';
import { resetCatalogDbForTests, type CatalogDb } from '@/lib/catalog/db';
import { importDemoCatalog } from '@/lib/catalog/import-demo';
import { drainStockOutbox } from '@/lib/sync/outbox';
import { planFullResync, reconcileStock } from '@/lib/sync/reconcile';
import { FakeMall } from './fake-mall';

let db: CatalogDb;
beforeEach(async () => {
  db = await resetCatalogDbForTests();
  await importDemoCatalog(db);
});

describe('reconcile', () => {
  it('reports every listing whose mall shows another number, and a full resync fixes them all', async () => {
    const yahoo = new FakeMall('yahoo');
    const listings = await db.listings.where('mall').equals('yahoo').toArray();
    const skus = new Map((await db.skus.toArray()).map((s) => [s.code, s.stock]));
    for (const l of listings) yahoo.shown.set(l.id, skus.get(l.skuCode)!);
    yahoo.shown.set('yahoo:ich00001-wh-s', 999);
    yahoo.shown.delete('yahoo:ich00001-wh-m');
    const report = await reconcileStock(db, { yahoo }, 5);
    expect(report.checked.yahoo).toBe(listings.length);
    expect(report.drift.map((d) => d.listingId).sort()).toEqual(['yahoo:ich00001-wh-m', 'yahoo:ich00001-wh-s']);
    expect(report.drift.find((d) => d.listingId === 'yahoo:ich00001-wh-m')?.shown).toBeUndefined();
    expect((await db.settings.get('reconcile.lastReport'))?.value).toMatchObject({ at: 5 });

    expect(await planFullResync(db, 'yahoo', 10)).toBe(listings.length);
    await drainStockOutbox(db, { yahoo }, { now: () => 20 });
    expect((await reconcileStock(db, { yahoo }, 30)).drift).toEqual([]);
  });
});

describe('stock CSV apply', () => {
  it('turns absolute quantities into movements once, and queues the pushes', async () => {
    const { applyStockImport } = await import('@/lib/sync/stock-import');
    const rows = [
      { line: 2, skuCode: 'ich00001-wh-s', mode: 'set' as const, value: 50 },
      { line: 3, skuCode: 'ich00001-wh-m', mode: 'add' as const, value: -1 },
    ];
    const before = (await db.skus.get('ich00001-wh-m'))!.stock;
    expect(await applyStockImport(db, 'imp-1', rows, 100)).toEqual({ applied: 2 });
    expect(await applyStockImport(db, 'imp-1', rows, 101)).toEqual({ applied: 0 });
    expect((await db.skus.get('ich00001-wh-s'))!.stock).toBe(50);
    expect((await db.skus.get('ich00001-wh-m'))!.stock).toBe(before - 1);
    expect(await db.jobs.where('dedupeKey').equals('stock.push:amazon:ich00001-wh-s').count()).toBe(1);
  });
});
