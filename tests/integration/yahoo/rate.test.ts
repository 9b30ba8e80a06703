import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoSlice, type Harness, startHarness } from './harness';

/**
 * Real rate limits: the simulator runs 4× faster than real time with its 1 req/s per API, and the
 * client is told the same through rateScale, so it must send 4 requests per real second per API and
 * never one more. (Higher scales measure the CPU contention of a shared test machine more than the
 * client: a request delivered 100 ms late is 1 s of mall time at 10×.)
 */
const TIME_SCALE = 4;
let h: Harness;
const { seed, listings } = demoSlice();

beforeAll(async () => {
  h = await startHarness({ timeScale: TIME_SCALE, rateLimits: true, rateScale: TIME_SCALE });
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => h.reset(seed));

const throttled = () => h.srv.ctx.limiter.totalThrottled('yahoo:');

describe('rate limits', () => {
  it('a burst over several APIs goes out at 1 req/s per API with none refused', async () => {
    // The simulator shares this process's event loop and CPU with the client and with other test files:
    // a 100 ms stall is 400 ms of mall time at 4×, so the client keeps a 50% margin in this test.
    const adapter = await h.connected({ sendSpacingMargin: 1.5 }, { margin: 1.5 });
    // The simulator checks signatures with pure-JS RSA (~100 ms of blocked event loop each on a busy
    // machine, 400 ms of mall time at 4×); the client still signs, the simulator skips checking.
    h.srv.sim.options.restrictedApis = [];
    h.srv.sim.options.verifySignatureWhenPresent = false;
    const id = h.srv.sim.placeBuyerOrder([{ skuCode: listings.find((l) => seed.find((s) => s.skuCode === l.skuCode)!.stock > 0)!.skuCode, quantity: 1 }])!;
    // Warm up, unmeasured (the simulator's limits off): the first RSA encryption (node-forge setting itself
    // up) and the first connections to the simulator are slow enough to bunch what is queued behind them.
    h.srv.ctx.limiter.enabled = false;
    await Promise.all([adapter.getOrders([id]), adapter.readStock([listings[0]!]), adapter.pushStock([{ listing: listings[0]!, quantity: 1 }])]);
    h.srv.ctx.limiter.enabled = true;
    h.log.reset();
    const started = Date.now();
    const burst = await Promise.all([
      ...Array.from({ length: 4 }, (_, i) => adapter.readStock([listings[i]!])),
      ...Array.from({ length: 4 }, (_, i) => adapter.pushStock([{ listing: listings[i]!, quantity: i }])),
      ...Array.from({ length: 4 }, () => adapter.getOrders([id])),
    ]);
    const elapsed = Date.now() - started;
    expect(burst).toHaveLength(12);
    expect(throttled()).toBe(0);
    expect(h.retries).toEqual([]);
    expect(h.log.count('getStock')).toBe(4);
    expect(h.log.count('setStock')).toBe(4);
    expect(h.log.count('orderInfo')).toBe(4);
    // Four calls on one API need three intervals; the three APIs ran side by side, not one after another.
    expect(elapsed).toBeGreaterThanOrEqual((3 * 1000) / TIME_SCALE);
    expect(elapsed).toBeLessThan((12 * 1000) / TIME_SCALE);
  });

  it("when Yahoo throttles anyway (403 Your Request was Forbidden) the client backs off and every call lands", async () => {
    // A client that believes in three times the real rate, as another app on the same key would cause.
    const adapter = await h.connected({ rateScale: TIME_SCALE * 3 }, { maxAttempts: 12 });
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => adapter.pushStock([{ listing: listings[i]!, quantity: 20 + i }])));
    expect(results.every(([r]) => r!.ok)).toBe(true);
    expect(throttled()).toBeGreaterThan(0);
    expect(h.retries.length).toBeGreaterThan(0);
    expect(h.retries.every((r) => r.endpoint === 'setStock' && r.kind === 'throttled')).toBe(true);
    expect(h.srv.sim.shownStock().get(listings[7]!.skuCode)).toBe(27);
  });
});
