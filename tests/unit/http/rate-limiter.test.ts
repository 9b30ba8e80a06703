import { describe, expect, it } from 'vitest';
import { memoryRateStore, RateLimiter } from '@/lib/http/rate-limiter';

/** A virtual clock: sleeping advances it, so the limiter's schedule can be read exactly. */
function virtualTime() {
  let now = 1_000_000;
  return { now: () => now, sleep: async (ms: number) => void (now += ms), advance: (ms: number) => void (now += ms) };
}

describe('RateLimiter (GCRA)', () => {
  it('lets a burst through, then spaces requests at the rate', async () => {
    const time = virtualTime();
    const limiter = new RateLimiter({ store: memoryRateStore(), now: time.now, sleep: time.sleep, margin: 1 });
    const sent: number[] = [];
    for (let i = 0; i < 8; i++) {
      await limiter.acquire('amazon:patch', { rate: 5, burst: 5 });
      sent.push(time.now());
    }
    const start = sent[0]!;
    expect(sent.slice(0, 5).every((t) => t === start)).toBe(true);
    expect(sent.slice(5).map((t) => t - start)).toEqual([200, 400, 600]);
  });

  it('never exceeds rate × window + burst in any window', async () => {
    const time = virtualTime();
    const limiter = new RateLimiter({ store: memoryRateStore(), now: time.now, sleep: time.sleep });
    const sent: number[] = [];
    for (let i = 0; i < 60; i++) {
      await limiter.acquire('k', { rate: 2, burst: 3 });
      sent.push(time.now());
    }
    for (const t of sent) {
      const inWindow = sent.filter((s) => s >= t && s < t + 5000).length;
      expect(inWindow).toBeLessThanOrEqual(2 * 5 + 3);
    }
  });

  it('keeps its budget across a restart (new limiter, same store)', async () => {
    const time = virtualTime();
    const store = memoryRateStore();
    const first = new RateLimiter({ store, now: time.now, sleep: time.sleep, margin: 1 });
    await first.acquire('rakuten:inventories.bulk.upsert', { rate: 1, burst: 1 });
    const restarted = new RateLimiter({ store, now: time.now, sleep: time.sleep, margin: 1 });
    const before = time.now();
    await restarted.acquire('rakuten:inventories.bulk.upsert', { rate: 1, burst: 1 });
    expect(time.now() - before).toBe(1000);
  });

  it('after a penalty nobody sends before it ends, and then not as a burst', async () => {
    const time = virtualTime();
    const limiter = new RateLimiter({ store: memoryRateStore(), now: time.now, sleep: time.sleep, margin: 1 });
    const spec = { rate: 1, burst: 3 };
    await limiter.penalise('k', 5000, spec);
    const start = time.now();
    const sent: number[] = [];
    for (let i = 0; i < 3; i++) {
      await limiter.acquire('k', spec);
      sent.push(time.now() - start);
    }
    expect(sent[0]).toBeGreaterThanOrEqual(5000);
    expect(sent[1]! - sent[0]!).toBe(1000);
  });

  it('serialises concurrent callers in one worker', async () => {
    const time = virtualTime();
    const waits: number[] = [];
    const limiter = new RateLimiter({ store: memoryRateStore(), now: time.now, sleep: async (ms) => void waits.push(ms), margin: 1 });
    await Promise.all(Array.from({ length: 4 }, () => limiter.acquire('k', { rate: 1, burst: 1 })));
    expect(waits.sort((a, b) => a - b)).toEqual([1000, 2000, 3000]);
  });
});

describe('waiting limits', () => {
  it('refuses a slot further away than the caller will wait, without spending it', async () => {
    const { RateLimitWaitTooLong } = await import('@/lib/http/rate-limiter');
    const time = virtualTime();
    const limiter = new RateLimiter({ store: memoryRateStore(), now: time.now, sleep: time.sleep, margin: 1 });
    const spec = { rate: 1 / 180, burst: 1 };
    await limiter.acquire('amazon:searchOrders', spec, 30_000);
    await expect(limiter.acquire('amazon:searchOrders', spec, 30_000)).rejects.toBeInstanceOf(RateLimitWaitTooLong);
    time.advance(180_000);
    const before = time.now();
    await limiter.acquire('amazon:searchOrders', spec, 30_000);
    expect(time.now()).toBe(before);
  });
});
