import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { CatalogDb, CURRENT_SCHEMA_VERSION, SCHEMA_VERSIONS } from '@/lib/catalog/db';
import { tableSchemas } from '@/lib/catalog/schemas';
import { isUrgentPush, type StockPushPayload } from '@/lib/sync/plan';

/**
 * One fixture per schema version: rows as that version stored them. Each test opens the fixture at
 * its version, reopens it with the current code, and checks the upgrade and that every row parses.
 */
const fixtures: Record<number, Record<string, unknown[]>> = {
  1: {
    products: [{ id: 'p1', name: '綿100% 無地Tシャツ', createdAt: 1, updatedAt: 1 }],
    skus: [{ code: 'p1-wh-m', productId: 'p1', name: '綿100% 無地Tシャツ ホワイト M', variant: { color: 'ホワイト', size: 'M' }, price: 1980, components: [], componentCodes: [], stock: 5, lowStockThreshold: 2, updatedAt: 1 }],
    // v1 listings had neither `active` nor `safetyBuffer`.
    listings: [{ id: 'rakuten:p1-wh-m', mall: 'rakuten', skuCode: 'p1-wh-m', externalItemId: 'p1', rakuten: { manageNumber: 'p1', variantId: 'r-sku00000001' } }],
    stockMovements: [{ key: 'initial:p1-wh-m', skuCode: 'p1-wh-m', delta: 5, kind: 'initial', at: 1 }],
  },
  2: {
    skus: [{ code: 'p1-wh-m', productId: 'p1', name: '綿100% 無地Tシャツ ホワイト M', variant: { color: 'ホワイト', size: 'M' }, price: 1980, components: [], componentCodes: [], stock: 5, lowStockThreshold: 2, updatedAt: 1 }],
    listings: [{ id: 'rakuten:p1-wh-m', mall: 'rakuten', skuCode: 'p1-wh-m', externalItemId: 'p1', rakuten: { manageNumber: 'p1', variantId: 'r-sku00000001' }, active: true, safetyBuffer: 1 }],
    syncRuns: [{ startedAt: 10, finishedAt: 12, outcome: 'ok', ordersRead: 1, pushes: 2, errors: 0, latencyP50Ms: 900, latencyP95Ms: 1500, durationMs: 2 }],
    jobs: [{ kind: 'stock.push', mall: 'yahoo', dedupeKey: 'stock.push:yahoo:p1-wh-m', payload: { listingId: 'yahoo:p1-wh-m', quantity: 4, causedAt: 9 }, status: 'pending', attempts: 0, nextAttemptAt: 10, createdAt: 10, updatedAt: 10 }],
  },
};

const names: string[] = [];
afterEach(async () => {
  for (const name of names.splice(0)) await Dexie.delete(name);
});

describe('catalog schema versions', () => {
  it('has a fixture for every version before the current one', () => {
    for (const step of SCHEMA_VERSIONS.slice(0, -1)) expect(fixtures[step.version], `fixture for v${step.version}`).toBeDefined();
  });

  for (const step of SCHEMA_VERSIONS.slice(0, -1)) {
    it(`upgrades a v${step.version} catalog to v${CURRENT_SCHEMA_VERSION} without losing a row`, async () => {
      const name = `migration-v${step.version}-${Math.random()}`;
      names.push(name);
      const old = new CatalogDb(name, step.version);
      for (const [table, rows] of Object.entries(fixtures[step.version]!)) await old.table(table).bulkAdd(rows);
      old.close();

      const db = new CatalogDb(name);
      await db.open();
      expect(db.verno).toBe(CURRENT_SCHEMA_VERSION);
      for (const [table, rows] of Object.entries(fixtures[step.version]!)) {
        const stored = await db.table(table).toArray();
        expect(stored).toHaveLength(rows.length);
        for (const row of stored) expect(() => tableSchemas[table as keyof typeof tableSchemas].parse(row), `${table} row`).not.toThrow();
      }
      db.close();
    });
  }

  it('v1 → v2 marks existing listings active, gives them no buffer, and indexes them by mall item', async () => {
    const name = `migration-v1-v2-${Math.random()}`;
    names.push(name);
    const old = new CatalogDb(name, 1);
    await old.table('listings').bulkAdd(fixtures[1]!.listings!);
    old.close();
    const db = new CatalogDb(name);
    const listing = await db.listings.get('rakuten:p1-wh-m');
    expect(listing).toMatchObject({ active: true, safetyBuffer: 0 });
    expect(await db.listings.where('[mall+externalItemId]').equals(['rakuten', 'p1']).count()).toBe(1);
    expect(await db.syncRuns.count()).toBe(0);
    db.close();
  });

  it('v2 → v3 adds the alert table, empty, and keeps the outbox (a stored push without `urgent` counts as urgent)', async () => {
    const name = `migration-v2-v3-${Math.random()}`;
    names.push(name);
    const old = new CatalogDb(name, 2);
    await old.table('jobs').bulkAdd(fixtures[2]!.jobs!);
    old.close();
    const db = new CatalogDb(name);
    expect(await db.alerts.count()).toBe(0);
    expect(await db.alerts.where('[status+nextAttemptAt]').between(['pending', 0], ['pending', Infinity]).count()).toBe(0);
    const job = await db.jobs.where('dedupeKey').equals('stock.push:yahoo:p1-wh-m').first();
    expect(isUrgentPush(job!.payload as StockPushPayload)).toBe(true);
    db.close();
  });
});
