import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAmazonTestServer, type AmazonTestServer } from '../../mall-sim/amazon/test-server';
import type { AmazonSimOptions } from '../../mall-sim/amazon/options';
import { listingOf, makeAdapter, seedListings, validatingFetch, type TestAdapter } from './helpers';

/**
 * Stock, lead time and listings against the simulator with frozen mall time (only clock.advance moves it)
 * and its buckets off: what is tested here is what the client sends and how it reads the answers. Rate
 * limits are tested with the clock running in resilience.test.ts.
 */

const servers: AmazonTestServer[] = [];
async function server(sim: AmazonSimOptions = {}): Promise<AmazonTestServer> {
  const s = await startAmazonTestServer({ timeScale: 0, sim: { feedQueueMs: 0, feedProcessingMs: 0, ...sim } });
  s.ctx.limiter.enabled = false;
  servers.push(s);
  return s;
}

let sim: AmazonTestServer;
let t: TestAdapter;
const SEED = seedListings(150);
const LISTINGS = SEED.map(listingOf);
const lead = (sellerSku: string, s = sim) => s.sim.listing(sellerSku)?.attributes.fulfillment_availability?.[0]?.lead_time_to_ship_max_days;

beforeAll(async () => {
  sim = await server();
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});
beforeEach(() => {
  sim.sim.reset();
  sim.ctx.faults.clear();
  sim.seed(SEED);
  t = makeAdapter(sim.url);
});
afterEach(() => {
  // Every request and answer of the test matched the official models.
  expect(t.problems).toEqual([]);
});

describe('pushStock', () => {
  it('patches small pushes one by one with merge, keeping lead time, and reports progress', async () => {
    const progress: number[] = [];
    const pushes = LISTINGS.slice(0, 12).map((listing, i) => ({ listing, quantity: i }));
    const results = await t.adapter.pushStock(pushes, (p) => progress.push(p.done));
    // Each item says when it landed: the shelf guard tells sales our patch overwrote by it.
    expect(results).toEqual(pushes.map((p) => ({ key: p.listing.id, ok: true, at: expect.any(Number) })));
    expect(t.count('patchListingsItem')).toBe(12);
    expect(t.count('createFeed')).toBe(0);
    const shown = sim.sim.shownStock();
    pushes.forEach((p, i) => expect(shown.get(p.listing.skuCode)).toBe(i));
    // merge, never PUT: the seeded lead time survives a quantity update.
    expect(lead(LISTINGS[3]!.amazon.sellerSku)).toBe(2);
    expect(t.count('putListingsItem')).toBe(0);
    expect(progress.at(-1)).toBe(12);
    const body = JSON.parse(t.log.find((e) => e.op === 'patchListingsItem')?.body ?? '{}');
    expect(body.patches).toEqual([{ op: 'merge', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 0 }] }]);
  });

  it('sends pushes above the threshold as one JSON_LISTINGS_FEED and reads results from the report', async () => {
    const pushes = LISTINGS.slice(0, 101).map((listing, i) => ({ listing, quantity: 100 + i }));
    const progress: { done: number; total: number }[] = [];
    const results = await t.adapter.pushStock(pushes, (p) => progress.push(p));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.map((r) => r.key)).toEqual(pushes.map((p) => p.listing.id));
    expect(t.count('patchListingsItem')).toBe(0);
    expect(t.count('createFeedDocument')).toBe(1);
    expect(t.count('upload')).toBe(1);
    expect(t.count('createFeed')).toBe(1);
    expect(t.count('getFeedDocument')).toBe(1);
    expect(t.count('download')).toBe(1);
    const doc = JSON.parse(t.log.find((e) => e.op === 'upload')?.body ?? '{}');
    expect(doc.header).toEqual({ sellerId: sim.ctx.credentials.amazon.sellerId, version: '2.0', issueLocale: 'ja_JP' });
    expect(doc.messages).toHaveLength(101);
    expect(doc.messages[0]).toEqual({
      messageId: 1,
      sku: LISTINGS[0]!.amazon.sellerSku,
      operationType: 'PATCH',
      productType: 'PRODUCT',
      patches: [{ op: 'merge', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 100 }] }],
    });
    const shown = sim.sim.shownStock();
    pushes.forEach((p) => expect(shown.get(p.listing.skuCode)).toBe(p.quantity));
    expect(lead(LISTINGS[100]!.amazon.sellerSku)).toBe(2);
    expect(progress.at(-1)).toEqual({ done: 101, total: 101 });
  });

  it('splits more than 25,000 messages into maximal feeds', async () => {
    const big = seedListings(25_001, 'BIG', 1);
    sim.seed(big);
    const pushes = big.map((s) => ({ listing: listingOf(s), quantity: 3 }));
    const results = await t.adapter.pushStock(pushes);
    expect(results.filter((r) => r.ok)).toHaveLength(25_001);
    expect(t.count('createFeed')).toBe(2);
    const sizes = t.log.filter((e) => e.op === 'upload').map((e) => (JSON.parse(e.body ?? '{}') as { messages: unknown[] }).messages.length);
    expect(sizes).toEqual([25_000, 1]);
    expect(sim.sim.shownStock().get(big[25_000]!.skuCode)).toBe(3);
  }, 30_000);

  it('reports per-message failures from the processing report (partial fault) and retryable kinds', async () => {
    const failing = LISTINGS[7]!.amazon.sellerSku;
    sim.ctx.faults.add({ kind: 'partial', mall: 'amazon', path: '/feeds/2021-06-30/feeds', items: [failing] });
    const pushes = LISTINGS.slice(0, 120).map((listing) => ({ listing, quantity: 4 }));
    const results = await t.adapter.pushStock(pushes);
    const failed = results.filter((r) => !r.ok);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ key: LISTINGS[7]!.id, ok: false, error: { mall: 'amazon', kind: 'server', code: 'INTERNAL_FAILURE', retryable: true } });
    expect(sim.sim.shownStock().get(LISTINGS[7]!.skuCode)).toBe(10);
    expect(sim.sim.shownStock().get(LISTINGS[8]!.skuCode)).toBe(4);
  });

  it('refuses bad quantities per item without sending them, and keeps one result per push', async () => {
    const pushes = [
      { listing: LISTINGS[0]!, quantity: -1 },
      { listing: LISTINGS[1]!, quantity: 2.5 },
      { listing: LISTINGS[2]!, quantity: 6 },
    ];
    const results = await t.adapter.pushStock(pushes);
    expect(results[0]).toMatchObject({ ok: false, error: { kind: 'invalid-request', field: 'quantity' } });
    expect(results[1]).toMatchObject({ ok: false, error: { kind: 'invalid-request' } });
    expect(results[2]).toEqual({ key: LISTINGS[2]!.id, ok: true, at: expect.any(Number) });
    expect(t.count('patchListingsItem')).toBe(1);
  });

  it('reports an unknown SKU as not-found when Amazon refuses the patch', async () => {
    const strict = await server({ patchUnknownSku: 'invalid' });
    strict.seed(SEED.slice(0, 3));
    const s = makeAdapter(strict.url);
    const ghost = { ...LISTINGS[0]!, id: 'amazon:GHOST', amazon: { sellerSku: 'NO-SUCH-SKU' } };
    const results = await s.adapter.pushStock([
      { listing: ghost, quantity: 1 },
      { listing: LISTINGS[1]!, quantity: 1 },
    ]);
    expect(results[0]).toMatchObject({ key: 'amazon:GHOST', ok: false, error: { kind: 'not-found' } });
    expect(results[1]).toEqual({ key: LISTINGS[1]!.id, ok: true, at: expect.any(Number) });
    expect(s.problems).toEqual([]);
  });

  it('learns a SKU’s own product type when Amazon refuses PRODUCT, in patches and in feeds', async () => {
    const strict = await server({ productTypeCheck: 'strict' });
    strict.seed(SEED.slice(0, 4));
    const s = makeAdapter(strict.url, { config: { patchThreshold: 2 } });
    const patchTypes = () => s.log.filter((e) => e.op === 'patchListingsItem').map((e) => JSON.parse(e.body ?? '{}').productType);
    expect(await s.adapter.pushStock([{ listing: LISTINGS[0]!, quantity: 9 }])).toEqual([{ key: LISTINGS[0]!.id, ok: true, at: expect.any(Number) }]);
    expect(patchTypes()).toEqual(['PRODUCT', 'SHIRT']);
    expect(strict.sim.shownStock().get(LISTINGS[0]!.skuCode)).toBe(9);
    await s.adapter.pushStock([{ listing: LISTINGS[0]!, quantity: 8 }]);
    expect(patchTypes()).toEqual(['PRODUCT', 'SHIRT', 'SHIRT']);

    // readStock learns types too; the one SKU still unknown is refused in the feed, looked up and re-sent.
    await s.adapter.readStock([LISTINGS[1]!]);
    const results = await s.adapter.pushStock(LISTINGS.slice(0, 3).map((listing) => ({ listing, quantity: 1 })));
    expect(results.every((r) => r.ok)).toBe(true);
    const feed = JSON.parse(s.log.find((e) => e.op === 'upload')?.body ?? '{}') as { messages: { productType: string }[] };
    expect(feed.messages.map((m) => m.productType)).toEqual(['SHIRT', 'SHIRT', 'PRODUCT']);
    expect(patchTypes().at(-1)).toBe('SHIRT');
    expect([0, 1, 2].map((i) => strict.sim.shownStock().get(LISTINGS[i]!.skuCode))).toEqual([1, 1, 1]);
    expect(s.problems).toEqual([]);
  });

  it('downloads GZIP processing reports', async () => {
    const gz = await server({ gzipFeedReports: true });
    gz.seed(SEED);
    const s = makeAdapter(gz.url);
    const results = await s.adapter.pushStock(LISTINGS.slice(0, 110).map((listing) => ({ listing, quantity: 2 })));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(s.log.find((e) => e.op === 'getFeedDocument')?.url.searchParams.get('enableContentEncodingUrlHeader')).toBe('true');
    expect(s.problems).toEqual([]);
  });

  it('gives up on a feed that never finishes and says so per item', async () => {
    const slow = await server({ feedQueueMs: 3_600_000 });
    slow.seed(SEED);
    const s = makeAdapter(slow.url, { config: { feedTimeoutMs: 60_000, feedPollIntervalMs: 10_000 } });
    const results = await s.adapter.pushStock(LISTINGS.slice(0, 101).map((listing) => ({ listing, quantity: 2 })));
    expect(results.every((r) => !r.ok && r.error.kind === 'timeout' && r.error.retryable)).toBe(true);
    expect(s.count('getFeed')).toBeGreaterThan(1);
  });
});

describe('readStock, setLeadTime, upsertItem', () => {
  it('reads stock 20 SKUs per search call, a SKU with a comma by getListingsItem, and skips unknown SKUs', async () => {
    sim.seed([{ skuCode: 'COMMA', productCode: 'C', productName: 'カンマ', variant: {}, price: 500, stock: 4, amazon: { sellerSku: 'A,B', asin: 'B0COMMA001' } }]);
    const comma = listingOf({ skuCode: 'COMMA', productCode: 'C', productName: 'x', variant: {}, price: 1, stock: 0, amazon: { sellerSku: 'A,B', asin: 'B0COMMA001' } });
    const ghost = { ...LISTINGS[0]!, id: 'amazon:GHOST', amazon: { sellerSku: 'NO-SUCH-SKU' } };
    await t.adapter.pushStock([{ listing: LISTINGS[44]!, quantity: 0 }]);
    const readings = await t.adapter.readStock([...LISTINGS.slice(0, 45), comma, ghost]);
    // 46 plain SKUs (45 + the unknown one) → 20 + 20 + 6.
    expect(t.count('searchListingsItems')).toBe(3);
    expect(t.count('getListingsItem')).toBe(1);
    expect(readings).toHaveLength(46);
    expect(new Map(readings.map((r) => [r.listingId, r.quantity]))).toEqual(
      new Map([...LISTINGS.slice(0, 44).map((l) => [l.id, 10] as const), [LISTINGS[44]!.id, 0], [comma.id, 4]]),
    );
    const search = t.log.find((e) => e.op === 'searchListingsItems')!;
    expect(search.url.searchParams.get('identifiers')?.split(',')).toHaveLength(20);
    expect(search.url.searchParams.get('includedData')).toBe('summaries,fulfillmentAvailability');
  });

  it('sets lead time with merge and keeps the quantity', async () => {
    const results = await t.adapter.setLeadTime([
      { listing: LISTINGS[0]!, days: 5 },
      { listing: LISTINGS[1]!, days: -2 },
    ]);
    expect(results[0]).toEqual({ key: LISTINGS[0]!.id, ok: true, at: expect.any(Number) });
    expect(results[1]).toMatchObject({ ok: false, error: { field: 'lead_time_to_ship_max_days' } });
    expect(sim.sim.listing(LISTINGS[0]!.amazon.sellerSku)?.attributes.fulfillment_availability?.[0]).toEqual({
      fulfillment_channel_code: 'DEFAULT',
      quantity: 10,
      lead_time_to_ship_max_days: 5,
    });
  });

  it('reports Amazon’s own refusal of a lead time per item', async () => {
    const results = await t.adapter.setLeadTime([{ listing: LISTINGS[0]!, days: 45 }]);
    expect(results[0]).toMatchObject({ ok: false, error: { kind: 'invalid-request', code: '90000900', field: 'fulfillment_availability' } });
  });

  it('upserts: patches existing SKUs, PUTs an offer on a known ASIN and a new product without one', async () => {
    const existing = LISTINGS[0]!;
    const offer = { ...listingOf(seedListings(1, 'NEW')[0]!), amazon: { sellerSku: 'NEW-OFFER', asin: 'B0NEWOFFER' } };
    const product = { ...listingOf(seedListings(1, 'NEWP')[0]!), amazon: { sellerSku: 'NEW-PRODUCT' } };
    const results = await t.adapter.upsertItem({
      externalItemId: 'PARENT-1',
      name: '綿100% 無地Tシャツ',
      description: '肌ざわりのよい綿100%。',
      variants: [
        { listing: existing, attributes: { カラー: 'ホワイト' }, priceYen: 2480 },
        { listing: offer, attributes: { サイズ: 'M' }, priceYen: 1980, quantity: 3 },
        { listing: product, attributes: {}, priceYen: 990 },
        { listing: LISTINGS[1]!, attributes: {}, priceYen: 0 },
      ],
    });
    expect(results.slice(0, 3)).toEqual([
      { key: existing.id, ok: true },
      { key: offer.id, ok: true },
      { key: product.id, ok: true },
    ]);
    expect(results[3]).toMatchObject({ ok: false, error: { field: 'priceYen' } });
    const patched = sim.sim.listing(existing.amazon.sellerSku)!;
    expect(patched.attributes.purchasable_offer?.[0]).toMatchObject({ our_price: [{ schedule: [{ value_with_tax: 2480 }] }] });
    expect(patched.attributes.item_name?.[0]?.value).toBe('綿100% 無地Tシャツ ホワイト');
    // Merge kept quantity and lead time.
    expect(patched.attributes.fulfillment_availability?.[0]).toMatchObject({ quantity: 10, lead_time_to_ship_max_days: 2 });
    expect(sim.sim.listing('NEW-OFFER')).toMatchObject({ asin: 'B0NEWOFFER' });
    expect(sim.sim.listing('NEW-OFFER')?.attributes.fulfillment_availability).toEqual([{ fulfillment_channel_code: 'DEFAULT', quantity: 3 }]);
    expect(sim.sim.listing('NEW-PRODUCT')?.attributes.item_name?.[0]?.value).toBe('綿100% 無地Tシャツ');
    const puts = t.log.filter((e) => e.op === 'putListingsItem').map((e) => JSON.parse(e.body ?? '{}').requirements);
    expect(puts).toEqual(['LISTING_OFFER_ONLY', 'LISTING']);
  });
});

describe('the model check itself', () => {
  it('flags a request body that does not match the model', async () => {
    const v = validatingFetch();
    await v.fetch(`${sim.url}/listings/2021-08-01/items/${sim.ctx.credentials.amazon.sellerId}/X?marketplaceIds=A1VC38T7YXB528`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', 'x-amz-access-token': 'nope' },
      body: JSON.stringify({ productType: 'PRODUCT', patches: [{ op: 'upsert', path: '/attributes/x', value: [{}] }], extra: 1 }),
    });
    expect(v.problems.join('\n')).toMatch(/body: .*op/);
    expect(v.problems.join('\n')).toMatch(/extra/);
  });
});
