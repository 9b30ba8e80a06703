import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Listing } from '@/lib/catalog/schemas';
import { MallError } from '@/lib/malls/errors';
import type { YahooAdapter } from '@/lib/malls/yahoo';
import { demoSlice, type Harness, startHarness, yahooListing } from './harness';

let h: Harness;
let adapter: YahooAdapter;
const { seed, listings } = demoSlice();
const bySku = new Map(seed.map((s) => [s.skuCode, s]));

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(async () => {
  h.reset(seed);
  adapter = await h.connected({}, { timeoutMs: 300 });
  h.log.reset();
});

const bulk = (n: number): Listing[] => Array.from({ length: n }, (_, i) => yahooListing(`bulk-${i}`));

describe('readStock', () => {
  it('reads items with and without sub-codes, including the upper-case codes registered by hand', async () => {
    const readings = await adapter.readStock(listings);
    expect(readings).toHaveLength(listings.length);
    for (const r of readings) {
      const sku = r.listingId.replace(/^yahoo:/, '');
      expect(r.quantity).toBe(bySku.get(sku)!.stock);
    }
    expect(listings.some((l) => l.mall === 'yahoo' && l.yahoo.itemCode !== l.yahoo.itemCode.toLowerCase())).toBe(true);
    expect(listings.some((l) => l.mall === 'yahoo' && !l.yahoo.subCode)).toBe(true);
    expect(h.log.count('getStock')).toBe(1);
  });

  it('splits more than 1,000 codes into maximal batches and leaves out codes Yahoo has no stock for', async () => {
    const many = bulk(2300);
    expect(await adapter.readStock(many)).toEqual([]);
    expect(h.log.count('getStock')).toBe(3);
    const sizes = h.log.bodies.filter((b) => b.api === 'getStock').map((b) => new URLSearchParams(b.body).get('item_code')!.split(',').length);
    expect(sizes).toEqual([1000, 1000, 300]);
  });
});

describe('pushStock', () => {
  it('sets absolute quantities in maximal batches and reports progress and one result per push', async () => {
    const many = bulk(2300);
    const progress: number[] = [];
    const results = await adapter.pushStock(
      many.map((listing, i) => ({ listing, quantity: i % 7 })),
      (p) => progress.push(p.done),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.map((r) => r.key)).toEqual(many.map((l) => l.id));
    expect(h.log.count('setStock')).toBe(3);
    expect(progress).toEqual([1000, 2000, 2300]);
    expect(h.srv.sim.state.stock.get('bulk-2299:')?.quantity).toBe(2299 % 7);
  });

  it('writes sub-code stock and what buyers see', async () => {
    const target = listings.find((l) => l.mall === 'yahoo' && l.yahoo.subCode)!;
    const results = await adapter.pushStock([{ listing: target, quantity: 42 }]);
    expect(results).toEqual([{ key: target.id, ok: true }]);
    expect(h.srv.sim.shownStock().get(target.skuCode)).toBe(42);
  });

  it('reports the entries Yahoo failed (207) per item and applies the rest', async () => {
    const [a, b, c] = listings.filter((l) => l.mall === 'yahoo' && l.yahoo.subCode);
    h.srv.ctx.faults.add({ kind: 'partial', mall: 'yahoo', path: '/setStock', items: [`${b!.externalItemId}:${(b as Extract<Listing, { mall: 'yahoo' }>).yahoo.subCode}`] });
    const results = await adapter.pushStock([a!, b!, c!].map((listing) => ({ listing, quantity: 3 })));
    expect(results[0]).toEqual({ key: a!.id, ok: true });
    expect(results[2]).toEqual({ key: c!.id, ok: true });
    expect(results[1]).toMatchObject({ key: b!.id, ok: false, error: { kind: 'server', code: 'ed-10001', status: 207, endpoint: 'setStock' } });
    expect(h.srv.sim.shownStock().get(a!.skuCode)).toBe(3);
    expect(h.srv.sim.shownStock().get(b!.skuCode)).toBe(bySku.get(b!.skuCode)!.stock);
  });

  it('refuses bad quantities and codes locally, per item, without sending them', async () => {
    const good = listings[0]!;
    const results = await adapter.pushStock([
      { listing: good, quantity: 5 },
      { listing: good === listings[1] ? listings[2]! : listings[1]!, quantity: -1 },
      { listing: yahooListing('bad_code!'), quantity: 1 },
      { listing: { ...listings[3]!, mall: 'amazon', amazon: { sellerSku: 'x' } } as Listing, quantity: 1 },
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, false, false, false]);
    expect(results.slice(1).every((r) => !r.ok && r.error.kind === 'invalid-request')).toBe(true);
    expect(h.log.count('setStock')).toBe(1);
    expect(new URLSearchParams(h.log.bodies.find((b) => b.api === 'setStock')!.body).get('item_code')!.split(',')).toHaveLength(1);
  });

  it('after the retries run out, the failing batch and every later one fail with the error; nothing is lost silently', async () => {
    h.srv.ctx.faults.add({ kind: 'server-error', mall: 'yahoo', path: '/setStock', count: 100 });
    const results = await adapter.pushStock(bulk(1500).map((listing) => ({ listing, quantity: 1 })));
    expect(results).toHaveLength(1500);
    expect(results.every((r) => !r.ok && r.error.kind === 'server' && r.error.retryable)).toBe(true);
    expect(h.log.count('setStock')).toBe(6); // one batch, maxAttempts; the second batch is not sent
  });
});

describe('retries on each fault kind', () => {
  const push = () => adapter.pushStock([{ listing: listings[0]!, quantity: 9 }]);

  it.each([
    ['throttle (403 Your Request was Forbidden)', { kind: 'throttle' as const }, 'throttled'],
    ['server-error 500', { kind: 'server-error' as const, status: 500 }, 'server'],
    ['server-error 503', { kind: 'server-error' as const, status: 503 }, 'server'],
    ['drop', { kind: 'drop' as const }, 'network'],
    ['hang → timeout', { kind: 'hang' as const }, 'timeout'],
    ['slow beyond the timeout', { kind: 'slow' as const, delayMs: 600 }, 'timeout'],
  ])('%s is retried and the push lands', async (_name, fault, kind) => {
    h.srv.ctx.faults.add({ mall: 'yahoo', path: '/setStock', ...fault });
    expect(await push()).toEqual([{ key: listings[0]!.id, ok: true }]);
    expect(h.retries).toContainEqual({ endpoint: 'setStock', kind });
    expect(h.srv.sim.shownStock().get(listings[0]!.skuCode)).toBe(9);
  });

  it('a 403 that is not throttling (a store this token may not operate) is not retried', async () => {
    const other = await h.connected({ credentials: { sellerId: 'someone-else' } });
    await expect(other.readStock([listings[0]!])).rejects.toMatchObject({ kind: 'permission', status: 403 });
    expect(h.retries).toEqual([]);
    expect(h.log.count('getStock')).toBe(1);
  });
});

describe('unexpected answers', () => {
  it('a getStock answer with an unknown Status names the field', async () => {
    h.rewrite.current = (api, _s, text) => (api === 'getStock' ? text.replace('<Status>1</Status>', '<Status>yes</Status>') : undefined);
    const error = await adapter.readStock([listings[0]!]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MallError);
    expect(error).toMatchObject({ kind: 'unexpected-response', endpoint: 'getStock', field: 'ResultSet.Result.0.Status' });
  });

  it('a setStock answer that is not XML fails the batch as unexpected-response', async () => {
    h.rewrite.current = (api) => (api === 'setStock' ? '<html>maintenance</html' : undefined);
    const [result] = await adapter.pushStock([{ listing: listings[0]!, quantity: 1 }]);
    expect(result).toMatchObject({ ok: false, error: { kind: 'unexpected-response', endpoint: 'setStock' } });
  });

  it('a setStock answer for another code is caught', async () => {
    h.rewrite.current = (api, _s, text) => (api === 'setStock' ? text.replace(/<ItemCode>[^<]*<\/ItemCode>/, '<ItemCode>other</ItemCode>') : undefined);
    const [result] = await adapter.pushStock([{ listing: listings[0]!, quantity: 1 }]);
    expect(result).toMatchObject({ ok: false, error: { kind: 'unexpected-response', field: 'ResultSet.Result.0.ItemCode' } });
  });
});
