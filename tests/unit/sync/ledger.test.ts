import { beforeEach, describe, expect, it } from 'vitest';
import { resetCatalogDbForTests, type CatalogDb } from '@/lib/catalog/db';
import { importDemoCatalog } from '@/lib/catalog/import-demo';
import { applyMovements, SetSkuHasNoOwnStockError, stockFromLedger, UnknownSkuError } from '@/lib/sync/ledger';

let db: CatalogDb;
beforeEach(async () => {
  db = await resetCatalogDbForTests();
  await importDemoCatalog(db);
});

const code = 'ich00001-wh-s';

describe('stock ledger', () => {
  it('keeps the cached stock equal to the sum of movements', async () => {
    const opening = (await db.skus.get(code))!.stock;
    await applyMovements(db, [
      { key: 'order:rakuten:1:0', skuCode: code, delta: -2, kind: 'order', mall: 'rakuten', at: 1 },
      { key: 'cancel:rakuten:1:0', skuCode: code, delta: 2, kind: 'cancel', mall: 'rakuten', at: 2 },
      { key: 'manual:a', skuCode: code, delta: 7, kind: 'manual', at: 3 },
    ]);
    expect((await db.skus.get(code))!.stock).toBe(opening + 7);
    expect(await stockFromLedger(db, code)).toBe(opening + 7);
  });

  it('counts a replayed movement once, also within one batch', async () => {
    const opening = (await db.skus.get(code))!.stock;
    const m = { key: 'order:yahoo:9:0', skuCode: code, delta: -1, kind: 'order' as const, mall: 'yahoo' as const, at: 1 };
    const outcomes = await applyMovements(db, [m, m]);
    expect(outcomes.map((o) => o.applied)).toEqual([true, false]);
    expect((await applyMovements(db, [m]))[0]!.applied).toBe(false);
    expect((await db.skus.get(code))!.stock).toBe(opening - 1);
  });

  it('writes nothing when one movement of a batch is for an unknown SKU', async () => {
    const count = await db.stockMovements.count();
    await expect(
      applyMovements(db, [
        { key: 'manual:ok', skuCode: code, delta: 1, kind: 'manual', at: 1 },
        { key: 'manual:bad', skuCode: 'no-such-sku', delta: 1, kind: 'manual', at: 1 },
      ]),
    ).rejects.toBeInstanceOf(UnknownSkuError);
    expect(await db.stockMovements.count()).toBe(count);
  });

  it('refuses own stock for a set SKU', async () => {
    await expect(applyMovements(db, [{ key: 'manual:set', skuCode: 'set0001-pack', delta: 1, kind: 'manual', at: 1 }])).rejects.toBeInstanceOf(
      SetSkuHasNoOwnStockError,
    );
  });
});
