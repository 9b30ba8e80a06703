import { beforeEach, describe, expect, it } from 'vitest';
import { resetCatalogDbForTests, type CatalogDb } from '@/lib/catalog/db';
import { importDemoCatalog } from '@/lib/catalog/import-demo';
import { applyMovements } from '@/lib/sync/ledger';
import { badgeFor, collectAlerts, newlyLowStock } from '@/lib/sync/alerts';

let db: CatalogDb;
beforeEach(async () => {
  db = await resetCatalogDbForTests();
  await importDemoCatalog(db);
});

describe('alerts', () => {
  it('finds SKUs at or below their threshold and notifies each once until it recovers', async () => {
    const sku = (await db.skus.get('ich00001-wh-s'))!;
    await applyMovements(db, [{ key: 'manual:low', skuCode: sku.code, delta: -(sku.stock - 2), kind: 'manual', at: 1 }]);
    const state = await collectAlerts(db, []);
    expect(state.lowStock.map((s) => s.code)).toContain(sku.code);
    expect((await newlyLowStock(db, state)).map((s) => s.code)).toContain(sku.code);
    expect((await newlyLowStock(db, await collectAlerts(db, []))).map((s) => s.code)).not.toContain(sku.code);
    await applyMovements(db, [{ key: 'manual:back', skuCode: sku.code, delta: 10, kind: 'manual', at: 2 }]);
    await newlyLowStock(db, await collectAlerts(db, []));
    await applyMovements(db, [{ key: 'manual:low2', skuCode: sku.code, delta: -10, kind: 'manual', at: 3 }]);
    expect((await newlyLowStock(db, await collectAlerts(db, []))).map((s) => s.code)).toContain(sku.code);
  });

  it('shows errors on the badge before low stock', () => {
    expect(badgeFor({ lowStock: [{ code: 'a', name: 'a', stock: 0, threshold: 1 }], failedPushes: 0, syncErrors: [] })).toEqual({ text: '1', color: '#e65100' });
    expect(badgeFor({ lowStock: [{ code: 'a', name: 'a', stock: 0, threshold: 1 }], failedPushes: 2, syncErrors: [{ mall: 'yahoo', kind: 'auth', message: 'x' }] })).toEqual({
      text: '3',
      color: '#b00020',
    });
    expect(badgeFor({ lowStock: [], failedPushes: 0, syncErrors: [] }).text).toBe('');
  });
});
