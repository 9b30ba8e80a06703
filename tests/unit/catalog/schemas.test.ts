import { describe, expect, it } from 'vitest';
import { demoCatalogRows, buildDemoShop } from '@/lib/demo/demo-shop';
import { listingSchema, skuSchema, stockMovementSchema, tableSchemas } from '@/lib/catalog/schemas';

describe('row schemas', () => {
  it('accepts every row of the demo shop', () => {
    const rows = demoCatalogRows(buildDemoShop(), 1_700_000_000_000);
    for (const p of rows.products) expect(() => tableSchemas.products.parse(p)).not.toThrow();
    for (const s of rows.skus) expect(() => skuSchema.parse(s)).not.toThrow();
    for (const l of rows.listings) expect(() => listingSchema.parse(l)).not.toThrow();
  });

  it('refuses a SKU code with characters Rakuten cannot take', () => {
    const result = skuSchema.safeParse({ code: 'シャツ-01', productId: 'p', name: 'n', price: 100, stock: 0, updatedAt: 0 });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['code']);
  });

  it('refuses fractional yen and a set whose component index is out of step', () => {
    expect(skuSchema.safeParse({ code: 'a', productId: 'p', name: 'n', price: 99.5, stock: 0, updatedAt: 0 }).success).toBe(false);
    const badSet = skuSchema.safeParse({
      code: 'set',
      productId: 'p',
      name: 'n',
      price: 100,
      stock: 0,
      updatedAt: 0,
      components: [{ skuCode: 'a', quantity: 2 }],
      componentCodes: [],
    });
    expect(badSet.success).toBe(false);
  });

  it('keeps each mall listing to its own identifiers', () => {
    expect(listingSchema.safeParse({ id: 'amazon:a', mall: 'amazon', skuCode: 'a', externalItemId: 'a', amazon: { sellerSku: 'a', asin: 'not-an-asin' } }).success).toBe(false);
    expect(listingSchema.safeParse({ id: 'yahoo:a', mall: 'yahoo', skuCode: 'a', externalItemId: 'a', rakuten: { manageNumber: 'a', variantId: 'b' } }).success).toBe(false);
  });

  it('requires an idempotency key on every stock movement', () => {
    expect(stockMovementSchema.safeParse({ skuCode: 'a', delta: 1, kind: 'manual', at: 0 }).success).toBe(false);
  });
});

describe('demo shop', () => {
  it('has about 50 products and 200 SKUs with variants, sets and deliberate mismatches', () => {
    const shop = buildDemoShop();
    expect(shop.skus).toHaveLength(200);
    expect(shop.products.length).toBeGreaterThanOrEqual(40);
    expect(shop.products.length).toBeLessThanOrEqual(70);
    expect(new Set(shop.skus.map((s) => s.code)).size).toBe(200);
    const sets = shop.skus.filter((s) => s.components.length > 0);
    expect(sets.length).toBeGreaterThanOrEqual(2);
    for (const set of sets) for (const c of set.components) expect(shop.skus.some((s) => s.code === c.skuCode)).toBe(true);
    expect(shop.skus.some((s) => s.yahoo && s.yahoo.subCode && s.yahoo.subCode !== s.code)).toBe(true);
    expect(shop.skus.some((s) => !s.amazon)).toBe(true);
    expect(shop.skus.every((s) => /[\u3040-\u30ff\u4e00-\u9fff]/.test(s.name))).toBe(true);
  });

  it('is the same shop every time', () => {
    expect(buildDemoShop()).toEqual(buildDemoShop());
  });
});
