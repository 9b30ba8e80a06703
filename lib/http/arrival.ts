/**
 * When did the mall meter a request? A mall's rate limit counts arrivals, and we only see two moments
 * of a request: when we sent it and when its answer came back. The arrival lies between them.
 *
 * Assuming the latest possible arrival (the answer itself) is always safe, but it charges every interval
 * with a whole round trip — the network both ways and the mall's processing of the request, which for a
 * 400-row or 1,000-code stock write is most of it. Instead we take the answer less the shortest round
 * trip seen before on the same key: the part of a round trip every request pays. A request that went as
 * fast as usual is then placed at its send, and one that was slower than usual — a late wake-up, a slow
 * network on the way there — is placed later by exactly the excess, so the next request waits for it.
 * Until a first round trip is known, the estimate is the answer (the old, always-safe rule); it is never
 * earlier than the send.
 *
 * What the estimate does not see is a next request that reaches the mall faster than any before: that
 * is what the callers' interval margin (5 %) is for.
 */
export class ArrivalEstimator {
  private readonly fastest = new Map<string, number>();

  /** Records one exchange and answers when the mall may, at the latest, have metered it. */
  arrival(key: string, sentAt: number, answeredAt: number): number {
    const roundTrip = Math.max(0, answeredAt - sentAt);
    const floor = this.fastest.get(key);
    this.fastest.set(key, Math.min(floor ?? Number.POSITIVE_INFINITY, roundTrip));
    if (floor === undefined) return answeredAt;
    return Math.max(sentAt, answeredAt - floor);
  }
}

/** Sub-millisecond and monotonic where available (service workers and Node have it). */
export const monotonicNow: () => number =
  typeof globalThis.performance?.now === 'function' ? () => globalThis.performance.now() : () => Date.now();
