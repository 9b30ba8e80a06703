import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMallSim, type RunningMallSim } from '../../mall-sim/core/server';
import type { AmazonMallSim } from '../../mall-sim/amazon';
import { listingOf, makeAdapter, MINUTE, seedListings, warmUpValidators, type TestAdapter } from './helpers';

/**
 * Against the full simulator (real HTTP, transport faults, real rate limits) with mall time running
 * `TIME_SCALE` times faster than ours, and the client told so through `rateScale`.
 */

// Low on purpose: on a loaded machine request latency swings by a few hundred ms, and the simulator counts
// arrivals; at higher scales one token's worth of mall time is shorter than that swing.
const TIME_SCALE = 2;
let sim: RunningMallSim;
let amazon: AmazonMallSim;
const adapters: TestAdapter[] = [];
const SEED = seedListings(120);
const LISTINGS = SEED.map(listingOf);

function adapter(options: Parameters<typeof makeAdapter>[1] = {}): TestAdapter {
  const t = makeAdapter(sim.urls.amazon, { rateScale: TIME_SCALE, ...options });
  adapters.push(t);
  return t;
}

beforeAll(async () => {
  warmUpValidators();
  sim = await startMallSim({ timeScale: TIME_SCALE });
  amazon = sim.malls.amazon as AmazonMallSim;
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  amazon.reset();
  sim.ctx.limiter.reset();
  sim.ctx.faults.clear();
  sim.seed(SEED);
  adapters.length = 0;
});
afterEach(() => {
  for (const t of adapters) expect(t.problems).toEqual([]);
});

describe('rate limits', () => {
  it('stays under every published limit during a burst of calls on many operations', async () => {
    const t = adapter({ config: { ordersApi: 'v0', ordersPageSize: 33 } });
    const start = sim.ctx.clock.now();
    const ids: string[] = [];
    for (let i = 0; i < 33; i++) ids.push(amazon.placeBuyerOrder([{ skuCode: SEED[i]!.skuCode, quantity: 1 }]) as string);
    sim.ctx.clock.advance(3 * MINUTE);
    sim.ctx.limiter.reset();

    const [pushed, lead, readings, page, byNumber] = await Promise.all([
      t.adapter.pushStock(LISTINGS.slice(0, 25).map((listing) => ({ listing, quantity: 7 }))),
      t.adapter.setLeadTime(LISTINGS.slice(60, 70).map((listing) => ({ listing, days: 3 }))),
      t.adapter.readStock(LISTINGS),
      // 1 getOrders + 33 getOrderItems, and 33 getOrder: both past their burst of 30.
      t.adapter.listOrdersSince(undefined, { since: start - MINUTE }),
      adapter({ config: { ordersApi: 'v2026-01-01' } }).adapter.getOrders(ids),
    ]);

    expect(pushed.every((r) => r.ok) && lead.every((r) => r.ok)).toBe(true);
    expect(readings).toHaveLength(120);
    expect(page.orders).toHaveLength(33);
    expect(byNumber).toHaveLength(33);
    expect(t.count('patchListingsItem')).toBe(35);
    expect(Object.fromEntries(sim.ctx.limiter.throttled)).toEqual({});
    expect(t.retries).toEqual([]);
  }, 20_000);

  it('when another app spends the same quota, the client is throttled, backs off, and still gets everything through', async () => {
    const t = adapter({ http: { baseDelayMs: 50, maxAttempts: 8 } });
    // Another tool on the same seller × app bucket takes every token for the first 400 ms.
    const hog = setInterval(() => sim.ctx.limiter.take('amazon:patchListingsItem', { rate: 5, burst: 5 }), 5);
    setTimeout(() => clearInterval(hog), 400);
    const results = await t.adapter.pushStock(LISTINGS.slice(0, 30).map((listing) => ({ listing, quantity: 1 })));
    clearInterval(hog);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(t.retries.some((r) => r.endpoint === 'patchListingsItem' && r.kind === 'throttled')).toBe(true);
    expect(amazon.shownStock().get(SEED[29]!.skuCode)).toBe(1);
  }, 20_000);
});

describe('retries per fault kind', () => {
  const read = (t: TestAdapter) => t.adapter.readStock(LISTINGS.slice(0, 5));

  it.each([
    ['throttle', {}, 'throttled'],
    ['server-error', { status: 503 }, 'server'],
    ['slow', { delayMs: 1_500 }, 'timeout'],
    ['hang', {}, 'timeout'],
    ['drop', {}, 'network'],
  ] as const)('%s is retried and the read succeeds', async (kind, extra, retriedAs) => {
    const t = adapter({ config: { timeoutMs: 400 } });
    sim.ctx.faults.add({ kind, mall: 'amazon', path: '/listings/2021-08-01/items', ...extra });
    const readings = await read(t);
    expect(readings).toHaveLength(5);
    expect(t.retries).toEqual([{ endpoint: 'searchListingsItems', kind: retriedAs }]);
    expect(t.count('searchListingsItems')).toBe(2);
  });

  it('a slow answer inside the timeout is simply waited for', async () => {
    const t = adapter({ config: { timeoutMs: 2_000 } });
    sim.ctx.faults.add({ kind: 'slow', mall: 'amazon', path: '/listings/2021-08-01/items', delayMs: 300 });
    expect(await read(t)).toHaveLength(5);
    expect(t.retries).toEqual([]);
  });

  it('expire-auth is answered by logging in again, not by a blind retry', async () => {
    const t = adapter();
    await read(t);
    sim.ctx.faults.add({ kind: 'expire-auth', mall: 'amazon' });
    expect(await read(t)).toHaveLength(5);
    expect(t.count('lwa')).toBe(2);
    expect(t.retries).toEqual([]);
  });

  it('does not resend createFeed after a dropped connection, and reports every item as retryable', async () => {
    const t = adapter({ config: { patchThreshold: 10 } });
    sim.ctx.faults.add({ kind: 'drop', mall: 'amazon', path: '/feeds/2021-06-30/feeds' });
    const results = await t.adapter.pushStock(LISTINGS.slice(0, 11).map((listing) => ({ listing, quantity: 1 })));
    expect(results.every((r) => !r.ok && r.error.kind === 'network' && r.error.retryable)).toBe(true);
    expect(t.count('createFeed')).toBe(1);
    expect(amazon.shownStock().get(SEED[0]!.skuCode)).toBe(10);
  });

  it("a read's own patience overrides the client's timeout and attempts (the shelf read in front of a push)", async () => {
    const t = adapter({ config: { timeoutMs: 5_000 }, http: { maxAttempts: 6 } });
    sim.ctx.faults.add({ kind: 'hang', mall: 'amazon', path: '/listings/2021-08-01/items', count: 3 });
    await expect(t.adapter.readStock(LISTINGS.slice(0, 5), { patience: { timeoutMs: 300, maxAttempts: 2 } })).rejects.toMatchObject({
      kind: 'timeout',
      retryable: true,
      message: expect.stringContaining('no answer within 300 ms'),
    });
    expect(t.count('searchListingsItems')).toBe(2);
    // The third hang is still armed: a read without patience waits it out with the client's own retries.
    sim.ctx.faults.clear();
    expect(await t.adapter.readStock(LISTINGS.slice(0, 5))).toHaveLength(5);
  });

  it('gives up after the last attempt with a retryable error', async () => {
    const t = adapter({ http: { maxAttempts: 3 } });
    sim.ctx.faults.add({ kind: 'server-error', mall: 'amazon', path: '/listings/2021-08-01/items', count: 5 });
    await expect(read(t)).rejects.toMatchObject({ kind: 'server', status: 500, code: 'InternalFailure', retryable: true });
    expect(t.count('searchListingsItems')).toBe(3);
  });
});
