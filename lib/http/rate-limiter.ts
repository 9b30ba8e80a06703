/**
 * Per-endpoint rate limiting shared by every caller in the service worker, surviving its restarts.
 *
 * GCRA (the generic cell rate algorithm, equivalent to a token bucket): each key keeps one number, the
 * theoretical arrival time (TAT) of the next request. A request may go at `TAT - (burst - 1) × interval`;
 * sending moves TAT one interval on. One number per key is cheap to persist after every reservation,
 * so a killed worker resumes with the same budget instead of bursting again.
 */

/** The next slot on a key is further away than the caller is willing to wait; nothing was reserved. */
export class RateLimitWaitTooLong extends Error {
  constructor(
    readonly key: string,
    readonly waitMs: number,
  ) {
    super(`${key}: next request allowed in ${Math.round(waitMs)} ms`);
  }
}

export interface RateSpec {
  /** Requests per second the mall allows. */
  rate: number;
  burst: number;
}

export interface RateStateStore {
  get(key: string): Promise<number | undefined>;
  set(key: string, tat: number): Promise<void>;
}

export function memoryRateStore(): RateStateStore & { dump(): Record<string, number> } {
  const map = new Map<string, number>();
  return {
    get: async (k) => map.get(k),
    set: async (k, v) => void map.set(k, v),
    dump: () => Object.fromEntries(map),
  };
}

export interface RateLimiterOptions {
  store: RateStateStore;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /**
   * Safety margin on every interval (1.05 = 5 % slower than the published rate): clocks on the two
   * sides drift, and a mall counts arrivals, not sends.
   */
  margin?: number;
}

export class RateLimiter {
  private readonly store: RateStateStore;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly margin: number;
  /** Serialises reservations per key inside this worker; the persisted TAT covers restarts. */
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly cache = new Map<string, number>();

  constructor(options: RateLimiterOptions) {
    this.store = options.store;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.margin = options.margin ?? 1.05;
  }

  /**
   * Waits until a request on `key` is within the limit, and reserves it. Callers on one key go one at
   * a time, waits included: a timer that fires late (a busy worker) must push the next request back,
   * or two requests leave back to back and a burst-1 limit (Yahoo) throttles the second.
   */
  async acquire(key: string, spec: RateSpec, maxWaitMs = Infinity): Promise<void> {
    const previous = this.chains.get(key) ?? Promise.resolve();
    const mine = previous.then(async () => {
      const waitMs = await this.reserve(key, spec, maxWaitMs);
      if (waitMs > 0) await this.sleep(waitMs);
      await this.confirmSent(key, spec);
    });
    this.chains.set(
      key,
      mine.catch(() => undefined),
    );
    await mine;
  }

  /** Re-bases the schedule on the moment the request really goes out, if that is later than planned. */
  private async confirmSent(key: string, spec: RateSpec): Promise<void> {
    const interval = (1000 / spec.rate) * this.margin;
    const actual = this.now() + interval;
    const planned = this.cache.get(key) ?? 0;
    if (actual > planned) {
      this.cache.set(key, actual);
      await this.store.set(key, actual);
    }
  }

  /** Reserves the next slot and returns how long to wait for it (refuses, reserving nothing, past `maxWaitMs`). */
  private async reserve(key: string, spec: RateSpec, maxWaitMs = Infinity): Promise<number> {
    const interval = (1000 / spec.rate) * this.margin;
    const now = this.now();
    const stored = this.cache.get(key) ?? (await this.store.get(key)) ?? now;
    const tat = Math.max(stored, now);
    const allowAt = tat - (spec.burst - 1) * interval;
    const sendAt = Math.max(now, allowAt);
    if (sendAt - now > maxWaitMs) throw new RateLimitWaitTooLong(key, sendAt - now);
    const next = Math.max(tat, sendAt) + interval;
    this.cache.set(key, next);
    await this.store.set(key, next);
    return sendAt - now;
  }

  /**
   * After the mall throttled us anyway (another app on the same key, or its own extra throttling):
   * push this key's next slot out so every caller backs off, not just the one that was refused.
   */
  async penalise(key: string, delayMs: number, spec: RateSpec): Promise<void> {
    // TAT is the burst's end: nothing may go before `now + delayMs`, and then at most one request.
    const until = this.now() + delayMs + (spec.burst - 1) * (1000 / spec.rate) * this.margin;
    const current = this.cache.get(key) ?? (await this.store.get(key)) ?? 0;
    if (until > current) {
      this.cache.set(key, until);
      await this.store.set(key, until);
    }
  }
}
