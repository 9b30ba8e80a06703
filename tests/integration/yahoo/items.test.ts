import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ItemDraft } from '@/lib/malls/types';
import type { YahooAdapter } from '@/lib/malls/yahoo';
import type { SeedListing } from '../../mall-sim/core/types';
import { type Harness, startHarness, yahooListing } from './harness';

let h: Harness;
let adapter: YahooAdapter;
const SEED: SeedListing[] = [
  ...(['白', '黒'] as const).flatMap((color, ci) =>
    (['M', 'L'] as const).map((size) => ({
      skuCode: `TS-${ci}-${size}`,
      productCode: 'TS',
      productName: 'Tシャツ',
      variant: { color, size },
      price: 2980,
      stock: 5,
      yahoo: { itemCode: 'tshirt-01', subCode: `tshirt-01-${ci}-${size.toLowerCase()}` },
    })),
  ),
  { skuCode: 'MUG', productCode: 'MUG', productName: 'マグカップ', variant: {}, price: 1200, stock: 10, yahoo: { itemCode: 'mug-01' } },
];

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(async () => {
  h.reset(SEED);
  adapter = await h.connected();
  h.log.reset();
});

const item = (code: string) => h.srv.sim.state.items.get(code);

function capDraft(): ItemDraft {
  const variants = (['ブラック', 'ネイビー'] as const).flatMap((color, ci) =>
    (['S', 'M'] as const).map((size) => ({
      listing: yahooListing('cap-01', `cap-01-${ci}${size.toLowerCase()}`),
      attributes: { カラー: color, サイズ: size },
      priceYen: size === 'M' ? 2400 : 2200,
      quantity: 3,
    })),
  );
  return { externalItemId: 'cap-01', name: 'コットン キャップ', description: '<b>綿100%</b>', variants };
}

describe('upsertItem', () => {
  it('creates a new item with a full option grid, its sub-code prices and stock, unpublished until publish()', async () => {
    const draft = capDraft();
    const results = await adapter.upsertItem(draft);
    expect(results).toEqual(draft.variants.map((v) => ({ key: v.listing.id, ok: true })));
    const created = item('cap-01')!;
    expect(created.editing).toBe(true);
    expect(created.live).toBeUndefined();
    expect(created.draft).toMatchObject({
      name: 'コットン キャップ',
      path: 'テスト:新商品',
      price: '2400',
      caption: '<b>綿100%</b>',
      options: 'カラー#ブラック,ネイビー|サイズ#S,M',
    });
    expect(created.draft.subcodes!.split('|')).toHaveLength(4);
    expect(h.srv.sim.state.stock.get('cap-01:cap-01-0s')?.quantity).toBe(3);
    expect(h.log.count('getItem')).toBe(1);
    expect(h.log.count('editItem')).toBe(1);
    expect(h.log.count('setStock')).toBe(1);

    await adapter.publish();
    expect(item('cap-01')!.live).toBeDefined();
    expect(item('cap-01')!.editing).toBe(false);
    expect(h.log.count('reservePublish')).toBe(1);
  });

  it('a ragged variant set becomes one 種類 option, so every sub-code still has its combination', async () => {
    const draft = capDraft();
    draft.variants = draft.variants.slice(0, 3);
    expect((await adapter.upsertItem(draft)).every((r) => r.ok)).toBe(true);
    expect(item('cap-01')!.draft.options).toBe('種類#ブラック/S,ブラック/M,ネイビー/S');
  });

  it('updates name and prices of an existing item with updateItems (double-encoded), keeping its sale price', async () => {
    item('mug-01')!.draft.sale_price = '1100';
    item('mug-01')!.live!.sale_price = '1100';
    const results = await adapter.upsertItem({
      externalItemId: 'mug-01',
      name: '波佐見焼 マグカップ 大',
      variants: [{ listing: yahooListing('mug-01'), attributes: {}, priceYen: 1500 }],
    });
    expect(results).toEqual([{ key: 'yahoo:mug-01', ok: true }]);
    expect(h.log.count('editItem')).toBe(0);
    const body = new URLSearchParams(h.log.bodies.find((b) => b.api === 'updateItems')!.body);
    expect(Object.fromEntries(new URLSearchParams(body.get('item1')!))).toEqual({ item_code: 'mug-01', name: '波佐見焼 マグカップ 大', price: '1500', sale_price: '1100' });
    expect(item('mug-01')!.draft).toMatchObject({ name: '波佐見焼 マグカップ 大', price: '1500', sale_price: '1100' });
    // Buyers still see the old page until the 反映.
    expect(item('mug-01')!.live!.price).toBe('1200');
    await adapter.publish();
    expect(item('mug-01')!.live!.price).toBe('1500');
  });

  it('sends every sub-code price at once and refuses sub-codes the item does not have, per variant', async () => {
    const results = await adapter.upsertItem({
      externalItemId: 'tshirt-01',
      name: 'Tシャツ',
      variants: [
        { listing: yahooListing('tshirt-01', 'tshirt-01-0-m'), attributes: {}, priceYen: 3200 },
        { listing: yahooListing('tshirt-01', 'tshirt-01-9-xl'), attributes: {}, priceYen: 3200 },
        { listing: yahooListing('other-01', 'other-01-a'), attributes: {}, priceYen: 3200 },
      ],
    });
    expect(results.map((r) => r.ok)).toEqual([true, false, false]);
    expect(results[1]).toMatchObject({ ok: false, error: { kind: 'invalid-request' } });
    const subcodePrice = new URLSearchParams(new URLSearchParams(h.log.bodies.find((b) => b.api === 'updateItems')!.body).get('item1')!).get('subcode_price');
    expect(subcodePrice!.split('|').sort()).toEqual(['tshirt-01-0-l:2980', 'tshirt-01-0-m:3200', 'tshirt-01-1-l:2980', 'tshirt-01-1-m:2980']);
  });

  it('without newItemDefaults a new item cannot be created, and says why', async () => {
    const bare = await h.connected({ newItemDefaults: undefined });
    const [first] = await bare.upsertItem(capDraft());
    expect(first).toMatchObject({ ok: false, error: { kind: 'invalid-request' } });
    expect(h.log.count('editItem')).toBe(0);
  });

  it('an editItem NG answer fails every variant with Yahoo’s code', async () => {
    const draft = capDraft();
    draft.name = 'あ'.repeat(80); // §2.1: name ≤ 75 full-width characters
    const results = await adapter.upsertItem(draft);
    expect(results.every((r) => !r.ok && r.error.code === 'it-02004')).toBe(true);
    expect(h.log.count('setStock')).toBe(0);
  });
});

describe('updateItems', () => {
  it('batches 100 per call and, after an NG, resends the rest without the items Yahoo named', async () => {
    // 150 distinct items (an updateItems call may name each item once).
    const mug = item('mug-01')!;
    for (let i = 0; i < 150; i++) h.srv.sim.state.items.set(`bulk-${i}`, { ...mug, itemCode: `bulk-${i}`, draft: { ...mug.draft, item_code: `bulk-${i}` } });
    const many = Array.from({ length: 150 }, (_, i) => ({ itemCode: i === 120 ? 'no-such-item' : `bulk-${i}`, price: 1000 + i, salePrice: null }));
    const results = await adapter.updateItems(many);
    expect(results.filter((r) => !r.ok).map((r) => r.key)).toEqual(['no-such-item']);
    expect(results[120]).toMatchObject({ ok: false, error: { code: 'it-05002' } });
    expect(h.log.count('updateItems')).toBe(3); // 100, then 50 refused, then the 49 others again
    expect(item('bulk-149')!.draft.price).toBe('1149');
  });

  it('checks the price/sale_price pair and price ranges locally', async () => {
    const results = await adapter.updateItems([
      { itemCode: 'mug-01', price: 1300 },
      { itemCode: 'mug-01', price: 0, salePrice: null },
    ]);
    expect(results.map((r) => r.ok)).toEqual([false, false]);
    expect(h.log.count('updateItems')).toBe(0);
  });
});
