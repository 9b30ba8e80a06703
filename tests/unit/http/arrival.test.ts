import { describe, expect, it } from 'vitest';
import { ArrivalEstimator } from '@/lib/http/arrival';
import { FeedsApi, FEED_POLL_MIN_MS } from '@/lib/malls/amazon/feeds';
import type { SpApi } from '@/lib/malls/amazon/spapi';

describe('ArrivalEstimator', () => {
  it('takes the answer itself until enough round trips are known', () => {
    const e = new ArrivalEstimator(3);
    expect(e.arrival('k', 0, 40)).toBe(40);
    expect(e.arrival('k', 100, 130)).toBe(130);
    expect(e.arrival('k', 200, 220)).toBe(220);
    // Three known, the fastest 20 ms: a 25 ms round trip reached the mall at most 5 ms after its send.
    expect(e.arrival('k', 300, 325)).toBe(305);
  });

  it('places a request as fast as usual at its send and a slow one later by the excess', () => {
    const e = new ArrivalEstimator(1);
    e.arrival('k', 0, 10);
    expect(e.arrival('k', 100, 110)).toBe(100);
    expect(e.arrival('k', 200, 260)).toBe(250);
  });

  it('falls back to the answer when a round trip beats every earlier one (the floor was too high)', () => {
    const e = new ArrivalEstimator(1);
    e.arrival('k', 0, 30);
    expect(e.arrival('k', 100, 112)).toBe(112);
    // …and the new floor applies from then on.
    expect(e.arrival('k', 200, 215)).toBe(203);
  });

  it('keeps keys apart', () => {
    const e = new ArrivalEstimator(1);
    e.arrival('a', 0, 5);
    expect(e.arrival('b', 100, 150)).toBe(150);
    expect(e.arrival('a', 200, 250)).toBe(245);
  });
});

describe('FeedsApi.pollGapMs', () => {
  const feeds = (feedPollIntervalMs: number) => new FeedsApi({ cfg: { feedPollIntervalMs } } as unknown as SpApi);

  it('polls 5 s apart at first, then a twentieth of the time waited, at most feedPollIntervalMs', () => {
    const f = feeds(15_000);
    expect(f.pollGapMs(0)).toBe(FEED_POLL_MIN_MS);
    expect(f.pollGapMs(100_000)).toBe(5_000);
    expect(f.pollGapMs(200_000)).toBe(10_000);
    expect(f.pollGapMs(3_600_000)).toBe(15_000);
  });

  it('never waits longer than a smaller configured interval', () => {
    expect(feeds(1_000).pollGapMs(0)).toBe(1_000);
    expect(feeds(1_000).pollGapMs(60_000)).toBe(1_000);
  });
});
