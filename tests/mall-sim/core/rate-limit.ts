import type { SimClock } from './clock';

export interface BucketSpec {
  /** Tokens per second (mall time). */
  rate: number;
  /** Bucket size. */
  burst: number;
}

/**
 * Token buckets keyed by caller × operation, as Amazon documents and as RMS / Yahoo behave in practice
 * (per-second caps). Time is mall time, so `timeScale` speeds the refill up.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  enabled = true;
  /** Every request refused, per key, so contract tests and benchmarks can count them. */
  readonly throttled = new Map<string, number>();

  constructor(private readonly clock: SimClock) {}

  /** Spend one token; false means the caller must be throttled. */
  take(key: string, spec: BucketSpec): boolean {
    if (!this.enabled) return true;
    const now = this.clock.now();
    const bucket = this.buckets.get(key) ?? { tokens: spec.burst, at: now };
    bucket.tokens = Math.min(spec.burst, bucket.tokens + ((now - bucket.at) / 1000) * spec.rate);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return true;
    }
    this.throttled.set(key, (this.throttled.get(key) ?? 0) + 1);
    return false;
  }

  reset(): void {
    this.buckets.clear();
    this.throttled.clear();
  }

  totalThrottled(prefix = ''): number {
    let n = 0;
    for (const [k, v] of this.throttled) if (k.startsWith(prefix)) n += v;
    return n;
  }
}
