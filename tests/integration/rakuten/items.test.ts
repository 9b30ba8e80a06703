import { afterEach, describe, expect, it } from 'vitest';
import { harness, listing, type Harness } from './harness';

let h: Harness | undefined;
afterEach(async () => {
  // Real buckets are on in every test: the client's pacing must keep the simulator from throttling.
  const throttled = h?.throttled() ?? 0;
  await h?.close();
  h = undefined;
  expect(throttled).toBe(0);
});

async function getItem(hh: Harness, manageNumber: string): Promise<any> {
  const res = await fetch(`${hh.srv.url}/es/2.0/items/manage-numbers/${manageNumber}`, { headers: { authorization: hh.srv.authorization } });
  return res.status === 200 ? res.json() : undefined;
}
const itemCalls = (hh: Harness) => hh.calls.filter((c) => c.path.startsWith('/es/2.0/items/') && c.status !== 429).map((c) => `${c.method} ${c.status}`);

describe('upsertItem', () => {
  it('creates a new item with PUT, selectors from the attributes, and pushes the variants’ stock', async () => {
    h = await harness({ adapter: { items: { genreId: '100371' } } });
    const white = listing('ich00099', 'v-white-m', 'ich00099-wh-m');
    const black = listing('ich00099', 'v-black-m', 'ich00099-bk-m');
    const results = await h.adapter.upsertItem({
      externalItemId: 'ich00099',
      name: 'ライト リネン混 オープンカラーシャツ',
      description: '<p>涼しいリネン混</p>',
      variants: [
        { listing: white, attributes: { カラー: 'ホワイト', サイズ: 'M' }, priceYen: 4980, quantity: 5 },
        { listing: black, attributes: { カラー: 'ブラック', サイズ: 'M' }, priceYen: 5280, quantity: 0 },
      ],
    });
    expect(results).toEqual([
      { key: white.id, ok: true },
      { key: black.id, ok: true },
    ]);
    expect(itemCalls(h)).toEqual(['GET 404', 'PUT 201']);
    const item = await getItem(h, 'ich00099');
    expect(item).toMatchObject({
      title: 'ライト リネン混 オープンカラーシャツ',
      itemType: 'NORMAL',
      genreId: '100371',
      productDescription: { pc: '<p>涼しいリネン混</p>' },
      variantSelectors: [
        { key: 'color', displayName: 'カラー', values: [{ displayValue: 'ホワイト' }, { displayValue: 'ブラック' }] },
        { key: 'size', displayName: 'サイズ', values: [{ displayValue: 'M' }] },
      ],
      variants: {
        'v-white-m': { standardPrice: '4980', merchantDefinedSkuId: 'ich00099-wh-m', selectorValues: { color: 'ホワイト', size: 'M' } },
        'v-black-m': { standardPrice: '5280', selectorValues: { color: 'ブラック', size: 'M' } },
      },
    });
    expect(h.srv.sim.inventoryQuantity('ich00099', 'v-white-m')).toBe(5);
    expect(h.srv.sim.inventoryQuantity('ich00099', 'v-black-m')).toBe(0);
  });

  it('updates an existing item with PATCH: keeps other variants and merchant fields, adds selector values, sends no server fields', async () => {
    h = await harness();
    const before = await getItem(h, 'ich00001');
    const results = await h.adapter.upsertItem({
      externalItemId: 'ich00001',
      name: 'ベーシック 綿100% 無地Tシャツ（改）',
      variants: [
        { listing: listing('ich00001', 'r-sku00000001'), attributes: { カラー: 'ホワイト', サイズ: 'S' }, priceYen: 2180 },
        { listing: listing('ich00001', 'r-sku00000009'), attributes: { カラー: 'ネイビー', サイズ: 'S' }, priceYen: 1980 },
      ],
    });
    expect(results.every((r) => r.ok)).toBe(true);
    expect(itemCalls(h)).toEqual(['GET 200', 'PATCH 204']);
    const patch = h.calls.find((c) => c.method === 'PATCH')!.body as Record<string, unknown>;
    expect(Object.keys(patch).sort()).toEqual(['title', 'variantSelectors', 'variants']);
    const after = await getItem(h, 'ich00001');
    expect(after.title).toBe('ベーシック 綿100% 無地Tシャツ（改）');
    expect(after.productDescription).toEqual(before.productDescription);
    expect(Object.keys(after.variants).sort()).toEqual(['r-sku00000001', 'r-sku00000002', 'r-sku00000003', 'r-sku00000004', 'r-sku00000009']);
    expect(after.variants['r-sku00000001']).toMatchObject({ standardPrice: '2180', articleNumber: { exemptionReason: 5 } });
    expect(after.variants['r-sku00000009']).toMatchObject({ standardPrice: '1980', selectorValues: { color: 'ネイビー', size: 'S' } });
    expect(after.variantSelectors[0].values.map((v: { displayValue: string }) => v.displayValue)).toEqual(['ホワイト', 'ブラック', 'ネイビー']);
  });

  it('reports the variant an ItemAPI error is about, and the others as refused with it', async () => {
    h = await harness();
    const ok = listing('ich00001', 'r-sku00000001');
    const moved = listing('ich00001', 'r-sku00000002');
    const results = await h.adapter.upsertItem({
      externalItemId: 'ich00001',
      name: 'x',
      variants: [
        { listing: ok, attributes: { カラー: 'ホワイト', サイズ: 'S' }, priceYen: 1980 },
        // r-sku00000002 is White/M; changing its selector values while keeping the id is refused (IE0416).
        { listing: moved, attributes: { カラー: 'ブラック', サイズ: 'S' }, priceYen: 1980 },
      ],
    });
    expect(results[1]).toMatchObject({ key: moved.id, ok: false, error: { kind: 'invalid-request', code: 'IE0416', field: 'variants.r-sku00000002.selectorValues', status: 400 } });
    expect(results[0]).toMatchObject({ key: ok.id, ok: false, error: { code: 'IE0416', message: expect.stringContaining('item refused') } });
  });

  it('refuses to create an item without a genre, and variants of another item, without calling the mall', async () => {
    h = await harness();
    const results = await h.adapter.upsertItem({
      externalItemId: 'ich00098',
      name: 'x',
      variants: [
        { listing: listing('ich00098', 'v1'), attributes: {}, priceYen: 100 },
        { listing: listing('ich00001', 'r-sku00000001'), attributes: {}, priceYen: 100 },
      ],
    });
    expect(results).toMatchObject([
      { ok: false, error: { kind: 'invalid-request', field: 'genreId' } },
      { ok: false, error: { kind: 'invalid-request' } },
    ]);
    expect(itemCalls(h)).toEqual(['GET 404']);
  });
});
