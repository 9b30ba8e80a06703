/**
 * When did the mall meter a request? A mall's rate limit counts arrivals, and we only see two moments
 * of a request: when we sent it and when its answer came back. The arrival lies between them.
 *
 * Assuming the latest possible arrival (the answer itself) is always safe, but it charges every interval
 * with a whole round trip — the network both ways and the mall's processing of the request, which for a
 * 400-row or 1,000-code stock write is most of it. Instead we take the answer less the shortest round
 * trip seen before on the same key: the part of a round trip every request pays. A request that went as
 * fast as usual is then placed at its send, and one that was slower than usual — a late wake-up, a slow
 * network on the way there — later by exactly the excess, so the next request waits for it. The estimate
 * is never earlier than the send, so spacing from it is never less safe than spacing from sends.
 *
 * The shortest round trip is only a good floor once it has been seen: the first requests of a key are
 * slow (connection set-up, cold code on both sides), and a floor taken from them is too high, which would
 * place a later request with a slow way there and a quick answer too early. So until `minSamples` round
 * trips are known, and for any round trip shorter than every earlier one (proof the floor was too high),
 * the estimate is the answer itself.
 *
 * What the estimate cannot see is a next request that reaches the mall faster than the fastest before:
 * that is what the callers' interval margin is for.
 */
export class ArrivalEstimator {
  private readonly seen = new Map<string, { fastest: number; count: number }>();

  constructor(private readonly minSamples = 3) {}

  /** Records one exchange and answers when the mall may, at the latest, have metered it. */
  arrival(key: string, sentAt: number, answeredAt: number): number {
    const roundTrip = Math.max(0, answeredAt - sentAt);
    const before = this.seen.get(key);
    this.seen.set(key, { fastest: Math.min(before?.fastest ?? Number.POSITIVE_INFINITY, roundTrip), count: (before?.count ?? 0) + 1 });
    if (!before || before.count < this.minSamples || roundTrip < before.fastest) return answeredAt;
    return Math.max(sentAt, answeredAt - before.fastest);
  }
}

/** Sub-millisecond and monotonic where available (service workers and Node have it). */
export const monotonicNow: () => number =
  typeof globalThis.performance?.now === 'function' ? () => globalThis.performance.now() : () => Date.now();
