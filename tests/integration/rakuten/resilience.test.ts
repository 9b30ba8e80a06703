import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient } from '@/lib/http/client';
import { memoryRateStore, RateLimiter } from '@/lib/http/rate-limiter';
import { createRakutenAdapter } from '@/lib/malls/rakuten';
import { startMallSim, type RunningMallSim } from '../../mall-sim/core/server';
import { CREDENTIALS, harness, listing, recordingFetch, SEED, SEED_LISTINGS, type Call, type Harness } from './harness';

let h: Harness | undefined;
let mallSim: RunningMallSim | undefined;
afterEach(async () => {
  await h?.close();
  await mallSim?.close();
  h = undefined;
  mallSim = undefined;
});

const manyListings = (n: number) => Array.from({ length: n }, (_, i) => listing(`burst${Math.floor(i / 300)}`, `v${i}`));

/** Calls every bucket Ichigen uses at once, the way a busy sync cycle would. */
async function burst(hh: Harness): Promise<void> {
  const orders = Array.from({ length: 6 }, () => hh.srv.sim.placeBuyerOrder([{ skuCode: 'ich00001-wh-s', quantity: 1 }])!);
  const listings = manyListings(1_600);
  await Promise.all([
    hh.adapter.pushStock(listings.map((l) => ({ listing: l, quantity: 3 }))),
    ...Array.from({ length: 8 }, () => hh.adapter.readStock(SEED_LISTINGS)),
    ...orders.map((n) => hh.adapter.getOrders([n])),
    hh.adapter.confirmOrders(orders.slice(0, 3)),
    hh.adapter.listOrdersSince(undefined),
    hh.adapter.testConnection(),
  ]);
}

describe('rate limits', () => {
  it('keeps a burst over every bucket within the published limits (the simulator throttles nothing)', async () => {
    h = await harness({ timeScale: 10 });
    await burst(h);
    expect(Object.fromEntries(h.srv.ctx.limiter.throttled)).toEqual({});
    expect(h.calls.every((c) => c.status !== 429)).toBe(true);
    // The order functions share one bucket; inventory reads had up to 5 at once.
    expect(h.calls.filter((c) => c.path.includes('/order/')).length).toBeGreaterThanOrEqual(10);
  });

  it('is what keeps the simulator quiet: the same burst without pacing is throttled', async () => {
    h = await harness({ timeScale: 10, adapter: { rateScale: 1_000 } });
    await burst(h);
    expect(h.throttled()).toBeGreaterThan(0);
    // …and every throttled call was retried to success.
    expect(h.retries.some((r) => r.kind === 'throttled')).toBe(true);
  });
});

describe('retries', () => {
  it('retries 429 throttling, honouring Retry-After', async () => {
    h = await harness({ server: { sim: { retryAfterSeconds: 1 } }, http: { maxDelayMs: 5 } });
    h.srv.ctx.faults.add({ kind: 'throttle', mall: 'rakuten', path: '/inventories/bulk-get', count: 2 });
    const started = Date.now();
    await expect(h.adapter.readStock(SEED_LISTINGS.slice(0, 1))).resolves.toHaveLength(1);
    expect(h.calls.map((c) => c.status)).toEqual([429, 429, 200]);
    expect(h.retries).toEqual([
      { kind: 'throttled', delayMs: 1000 },
      { kind: 'throttled', delayMs: 1000 },
    ]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
  });

  it('retries the legacy 403 QPSLimit answer as throttling, but not another 403', async () => {
    h = await harness({ server: { sim: { throttleStatus: 403 } } });
    h.srv.ctx.faults.add({ kind: 'throttle', mall: 'rakuten', path: '/order/', count: 1 });
    const n = h.srv.sim.placeBuyerOrder([{ skuCode: 'ich00002-be', quantity: 1 }])!;
    await expect(h.adapter.getOrders([n])).resolves.toHaveLength(1);
    expect(h.calls.map((c) => c.status)).toEqual([403, 200]);
    expect(h.retries.map((r) => r.kind)).toEqual(['throttled']);
    h.calls.length = 0;
    await h.close();
    h = await harness({ rewrite: () => new Response('{"Results":{"errorCode":"ES04-02","message":"Forbidden"}}', { status: 403 }) });
    await expect(h.adapter.readStock(SEED_LISTINGS)).rejects.toMatchObject({ kind: 'permission', status: 403, code: 'ES04-02' });
    expect(h.calls).toHaveLength(1);
  });

  it('retries 500 and 503 with their error bodies, and gives up with a server error', async () => {
    h = await harness({ http: { maxAttempts: 3 } });
    h.srv.ctx.faults.add({ kind: 'server-error', mall: 'rakuten', path: '/inventories/', status: 500 });
    h.srv.ctx.faults.add({ kind: 'server-error', mall: 'rakuten', path: '/inventories/', status: 503 });
    await expect(h.adapter.pushStock([{ listing: SEED_LISTINGS[0]!, quantity: 9 }])).resolves.toEqual([{ key: SEED_LISTINGS[0]!.id, ok: true }]);
    expect(h.calls.map((c) => c.status)).toEqual([500, 503, 204]);
    h.srv.ctx.faults.add({ kind: 'server-error', mall: 'rakuten', path: '/order/', count: 3 });
    await expect(h.adapter.getOrders(['000001-20260302-00000001'])).rejects.toMatchObject({
      kind: 'server',
      retryable: true,
      status: 500,
      code: 'ORDER_EXT_API_GET_ORDER_ERROR_999',
    });
  });

  it('times out a slow or hung answer and a dropped connection, then retries (transport faults of the full simulator)', async () => {
    mallSim = await startMallSim({ timeScale: 10, rateLimits: true });
    mallSim.seed(SEED);
    const calls: Call[] = [];
    const retries: string[] = [];
    const adapter = createRakutenAdapter({
      credentials: CREDENTIALS,
      endpoints: { api: mallSim.urls.rakuten },
      http: new HttpClient({
        limiter: new RateLimiter({ store: memoryRateStore() }),
        fetch: recordingFetch(calls),
        baseDelayMs: 10,
        maxDelayMs: 50,
        defaultTimeoutMs: 400,
        onRetry: ({ error }) => retries.push(error.kind),
      }),
      now: () => mallSim!.ctx.clock.now(),
      rateScale: 10,
    });
    const faults = mallSim.ctx.faults;
    faults.add({ kind: 'slow', mall: 'rakuten', path: '/inventories/bulk-upsert', delayMs: 1_000 });
    faults.add({ kind: 'hang', mall: 'rakuten', path: '/inventories/bulk-upsert' });
    faults.add({ kind: 'drop', mall: 'rakuten', path: '/inventories/bulk-upsert' });
    // ABSOLUTE pushes are safe to repeat even when the lost attempt reached the mall.
    await expect(adapter.pushStock([{ listing: SEED_LISTINGS[0]!, quantity: 77 }])).resolves.toEqual([{ key: SEED_LISTINGS[0]!.id, ok: true }]);
    expect(retries).toEqual(['timeout', 'timeout', 'network']);
    expect(mallSim.malls.rakuten.inventoryQuantity('ich00001', 'r-sku00000001')).toBe(77);
    faults.add({ kind: 'slow', mall: 'rakuten', path: '/order/', delayMs: 100 });
    const report = await adapter.testConnection();
    expect(report.ok).toBe(true);
    // No throttle count here: the simulator meters a `slow` request when its delay ends, long after the
    // client gave up on it and retried, so that abandoned attempt may land next to the retry.
  });
});
