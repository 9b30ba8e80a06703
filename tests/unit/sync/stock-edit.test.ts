import { beforeEach, describe, expect, it } from 'vitest';
import { resetCatalogDbForTests, type CatalogDb } from '@/lib/catalog/db';
import type { Listing, Sku } from '@/lib/catalog/schemas';
import { applyMovements } from '@/lib/sync/ledger';
import { applyStockEdit, previewStockEdit } from '@/lib/sync/stock-edit';

let db: CatalogDb;

function sku(code: string, components: { skuCode: string; quantity: number }[] = []): Sku {
  return { code, productId: 'p', name: `商品 ${code}`, variant: {}, price: 1000, components, componentCodes: components.map((c) => c.skuCode), stock: 0, lowStockThreshold: 0, updatedAt: 0 };
}

beforeEach(async () => {
  db = await resetCatalogDbForTests();
  await db.skus.bulkPut([sku('tee'), sku('bag'), sku('pair', [{ skuCode: 'tee', quantity: 2 }])]);
  const listings: Listing[] = [
    { id: 'rakuten:tee', mall: 'rakuten', skuCode: 'tee', externalItemId: 'r-tee', rakuten: { manageNumber: 'r-tee', variantId: 'v1' }, safetyBuffer: 2, active: true },
    { id: 'amazon:tee', mall: 'amazon', skuCode: 'tee', externalItemId: 'tee', amazon: { sellerSku: 'tee' }, safetyBuffer: 0, active: true },
    { id: 'yahoo:pair', mall: 'yahoo', skuCode: 'pair', externalItemId: 'y-pair', yahoo: { itemCode: 'y-pair' }, safetyBuffer: 0, active: true },
  ];
  await db.listings.bulkPut(listings);
  await applyMovements(db, [
    { key: 'initial:tee', skuCode: 'tee', delta: 10, kind: 'initial', at: 0 },
    { key: 'initial:bag', skuCode: 'bag', delta: 1, kind: 'initial', at: 0 },
  ]);
});

const stock = async (code: string) => (await db.skus.get(code))!.stock;
const jobsFor = async () => Object.fromEntries((await db.jobs.toArray()).map((j) => [(j.payload as { listingId: string }).listingId, (j.payload as { quantity: number }).quantity]));

describe('bulk stock edit', () => {
  it('previews stock and what each mall will show, sets excluded, a negative result flagged', async () => {
    const rows = await previewStockEdit(db, ['tee', 'bag', 'pair'], { kind: 'subtract', value: 3 });
    expect(rows).toEqual([
      { skuCode: 'tee', name: '商品 tee', current: 10, next: 7, malls: [{ mall: 'amazon', quantity: 7 }, { mall: 'rakuten', quantity: 5 }] },
      { skuCode: 'bag', name: '商品 bag', current: 1, next: -2, malls: [], problem: 'stockEdit.negative' },
    ]);
    expect(await stock('tee')).toBe(10); // a preview changes nothing
  });

  it('applies once: movements, sets following their components, pushes queued; a second click changes nothing', async () => {
    const first = await applyStockEdit(db, 'e1', ['tee', 'bag'], { kind: 'add', value: 4 }, 100);
    expect(first).toEqual({ applied: 2, refused: [] });
    expect([await stock('tee'), await stock('bag'), await stock('pair')]).toEqual([14, 5, 7]);
    expect(await jobsFor()).toEqual({ 'rakuten:tee': 12, 'amazon:tee': 14, 'yahoo:pair': 7 });
    const again = await applyStockEdit(db, 'e1', ['tee', 'bag'], { kind: 'add', value: 4 }, 101);
    expect(again.applied).toBe(0);
    expect(await stock('tee')).toBe(14);
    expect(await db.auditLog.where('action').equals('stock.bulk-edited').count()).toBe(2);
  });

  it('"set" counts from the stock at apply time, so an order read after the preview is not undone; below zero is refused', async () => {
    await applyMovements(db, [{ key: 'order:rakuten:R1:1', skuCode: 'tee', delta: -1, kind: 'order', at: 50 }]);
    const result = await applyStockEdit(db, 'e2', ['tee'], { kind: 'set', value: 6 }, 100);
    expect(result.applied).toBe(1);
    expect(await stock('tee')).toBe(6);
    const movement = await db.stockMovements.get('bulk:e2:tee');
    expect(movement).toMatchObject({ delta: -3, kind: 'manual' });
    const refused = await applyStockEdit(db, 'e3', ['tee', 'bag'], { kind: 'subtract', value: 2 }, 200);
    expect(refused).toEqual({ applied: 1, refused: ['bag'] });
    expect([await stock('tee'), await stock('bag')]).toEqual([4, 1]);
  });
});
