import { afterEach, describe, expect, it } from 'vitest';
import type { Listing } from '@/lib/catalog/schemas';
import { MallError } from '@/lib/malls/errors';
import { harness, listing, SEED_LISTINGS, type Harness } from './harness';

let h: Harness | undefined;
afterEach(async () => {
  // Real buckets are on in every test: the client's pacing must keep the simulator from throttling.
  const throttled = h?.throttled() ?? 0;
  await h?.close();
  h = undefined;
  expect(throttled).toBe(0);
});

const manyListings = (n: number) => Array.from({ length: n }, (_, i) => listing(`bulk${String(Math.floor(i / 300)).padStart(3, '0')}`, `v${String(i).padStart(5, '0')}`));
const upserts = (hh: Harness) => hh.calls.filter((c) => c.path === '/es/2.0/inventories/bulk-upsert');
const bulkGets = (hh: Harness) => hh.calls.filter((c) => c.path === '/es/2.0/inventories/bulk-get');
const rowsOf = (c: { body: unknown }) => (c.body as { inventories: unknown[] }).inventories;

describe('readStock', () => {
  it('reads shown stock of known listings, folding manageNumber case, skipping unknown or impossible keys and other malls', async () => {
    h = await harness();
    const upper = listing('ICH00001', 'r-sku00000002', 'upper');
    const unknown = listing('ich00001', 'r-sku99999999', 'unknown');
    const impossible = listing('ich00001', 'bad id!', 'impossible');
    const yahoo: Listing = { id: 'yahoo:x', skuCode: 'x', externalItemId: 'x', safetyBuffer: 0, active: true, mall: 'yahoo', yahoo: { itemCode: 'x' } };
    const readings = await h.adapter.readStock([SEED_LISTINGS[0]!, upper, unknown, impossible, yahoo, SEED_LISTINGS[4]!]);
    expect(readings).toEqual([
      { listingId: SEED_LISTINGS[0]!.id, quantity: 5000 },
      { listingId: 'rakuten:upper', quantity: 5000 },
      { listingId: SEED_LISTINGS[4]!.id, quantity: 5000 },
    ]);
    expect(bulkGets(h)).toHaveLength(1);
  });

  it('splits more than 1,000 keys into maximal bulk-get calls', async () => {
    h = await harness();
    const listings = manyListings(2_500);
    await h.adapter.readStock(listings);
    expect(bulkGets(h).map((c) => rowsOf(c).length)).toEqual([1_000, 1_000, 500]);
  });

  it('names the field when bulk-get answers an unexpected shape', async () => {
    h = await harness({
      rewrite: async (call, response) => {
        if (call.path !== '/es/2.0/inventories/bulk-get') return response;
        const body = (await response.json()) as { inventories: Record<string, unknown>[] };
        body.inventories[0]!.quantity = String(body.inventories[0]!.quantity);
        return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
      },
    });
    const error = await h.adapter.readStock(SEED_LISTINGS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MallError);
    expect(error).toMatchObject({ kind: 'unexpected-response', mall: 'rakuten', endpoint: 'inventories.bulk.get', field: 'inventories.0.quantity', status: 200 });
  });

  it('treats a body that is not JSON as an unexpected response', async () => {
    h = await harness({ rewrite: (call, response) => (call.path.endsWith('bulk-get') ? new Response('<html>maintenance</html>', { status: 200 }) : response) });
    await expect(h.adapter.readStock(SEED_LISTINGS)).rejects.toMatchObject({ kind: 'unexpected-response', field: '(root)' });
  });
});

describe('pushStock', () => {
  it('pushes ABSOLUTE rows in maximal batches of 400, reports progress and can be read back', async () => {
    h = await harness();
    const listings = manyListings(1_100);
    const progress: number[] = [];
    const results = await h.adapter.pushStock(
      listings.map((l, i) => ({ listing: l, quantity: i })),
      (p) => progress.push(p.done),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.map((r) => r.key)).toEqual(listings.map((l) => l.id));
    expect(upserts(h).map((c) => rowsOf(c).length)).toEqual([400, 400, 300]);
    expect(upserts(h).flatMap(rowsOf).every((r) => (r as { mode: string }).mode === 'ABSOLUTE')).toBe(true);
    expect(progress).toEqual([400, 800, 1_100]);
    expect(h.srv.sim.inventoryQuantity('bulk003', 'v01099')).toBe(1_099);
    const readings = await h.adapter.readStock(listings);
    expect(bulkGets(h).map((c) => rowsOf(c).length)).toEqual([1_000, 100]);
    expect(readings.map((r) => r.quantity)).toEqual(listings.map((_, i) => i));
  });

  it('sends one row for a listing pushed twice (the later quantity) and answers both pushes', async () => {
    h = await harness();
    const [a, b] = SEED_LISTINGS;
    const results = await h.adapter.pushStock([
      { listing: a!, quantity: 3 },
      { listing: b!, quantity: 4 },
      { listing: a!, quantity: 7 },
    ]);
    expect(results).toEqual([
      { key: a!.id, ok: true },
      { key: b!.id, ok: true },
      { key: a!.id, ok: true },
    ]);
    expect(rowsOf(upserts(h)[0]!)).toHaveLength(2);
    expect(h.srv.sim.inventoryQuantity('ich00001', 'r-sku00000001')).toBe(7);
  });

  it('reports the rows of a partial failure (409 CE0001) per listing while the others are applied', async () => {
    h = await harness();
    h.srv.ctx.faults.add({ kind: 'partial', mall: 'rakuten', path: '/inventories/bulk-upsert', items: ['ich00001-wh-m', 'ich00002-be'] });
    const results = await h.adapter.pushStock(SEED_LISTINGS.map((l) => ({ listing: l, quantity: 42 })));
    const failed = results.filter((r) => !r.ok).map((r) => r.key);
    expect(failed).toEqual(['rakuten:ich00001-wh-m', 'rakuten:ich00002-be']);
    expect(results.find((r) => r.key === 'rakuten:ich00002-be')).toMatchObject({
      ok: false,
      error: { kind: 'server', retryable: true, code: 'CE0001', status: 409, endpoint: 'inventories.bulk.upsert' },
    });
    expect(h.srv.sim.inventoryQuantity('ich00001', 'r-sku00000001')).toBe(42);
    expect(h.srv.sim.inventoryQuantity('ich00001', 'r-sku00000002')).toBe(5_000);
    expect(h.srv.sim.inventoryQuantity('ich00002', 'r-sku00000005')).toBe(5_000);
    expect(upserts(h)).toHaveLength(1);
  });

  it('maps 400 validation errors back to listings and re-sends the rest of the batch', async () => {
    h = await harness();
    const bad = listing('ich00001', 'bad id!', 'bad-id');
    const results = await h.adapter.pushStock([
      { listing: SEED_LISTINGS[0]!, quantity: 11 },
      { listing: bad, quantity: 1 },
      { listing: SEED_LISTINGS[1]!, quantity: 12 },
      { listing: SEED_LISTINGS[2]!, quantity: 100_000 },
      { listing: SEED_LISTINGS[3]!, quantity: -3 },
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, false, true, false, true]);
    expect(results[1]).toMatchObject({ key: 'rakuten:bad-id', error: { kind: 'invalid-request', code: 'IE0220', field: 'variantId', retryable: false } });
    // Above the mall's maximum: refused here, never sent.
    expect(results[3]).toMatchObject({ error: { kind: 'invalid-request', field: 'quantity' } });
    expect(upserts(h).map((c) => rowsOf(c).length)).toEqual([4, 3]);
    expect(h.srv.sim.inventoryQuantity('ich00001', 'r-sku00000001')).toBe(11);
    expect(h.srv.sim.inventoryQuantity('ich00001', 'r-sku00000002')).toBe(12);
    // A negative available quantity shows none.
    expect(h.srv.sim.inventoryQuantity('ich00001', 'r-sku00000004')).toBe(0);
  });

  it('stops after a batch the mall keeps failing and reports every remaining push', async () => {
    h = await harness({ http: { maxAttempts: 2 } });
    h.srv.ctx.faults.add({ kind: 'server-error', mall: 'rakuten', path: '/inventories/bulk-upsert', count: Infinity });
    const results = await h.adapter.pushStock(manyListings(900).map((l) => ({ listing: l, quantity: 1 })));
    expect(results.every((r) => !r.ok && r.error.kind === 'server' && r.error.code === 'GE0019')).toBe(true);
    expect(upserts(h)).toHaveLength(2);
  });
});
