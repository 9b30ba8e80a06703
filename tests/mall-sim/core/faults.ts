import type { MallId } from './types';

/**
 * Fault kinds a test can inject through the control endpoint.
 * - throttle: answer as the mall does when over its limit (429 / 403 QPSLimit / …), regardless of buckets
 * - server-error: 500 or 503 with the mall's error body
 * - slow: answer correctly after `delayMs` (real time)
 * - hang: never answer (the client must time out)
 * - drop: destroy the socket without an answer
 * - partial: bulk endpoints fail the items listed in `items` (or every other item) while the rest succeed
 * - expire-auth: the credential in use is treated as expired (token / license key)
 * - duplicate: an order search answers, ahead of its own hits, the orders its previous answer carried
 *   (overlapping windows, a replayed page): the client reads orders it has already read. Rakuten and
 *   Amazon only: Yahoo's orderList pages by position (Start/Result), so a longer answer is not one it
 *   can give, and its client re-lists every order of its window on every cycle anyway (lib/malls/yahoo/orders.ts)
 */
export type FaultKind = 'throttle' | 'server-error' | 'slow' | 'hang' | 'drop' | 'partial' | 'expire-auth' | 'duplicate';

export interface FaultRule {
  kind: FaultKind;
  mall?: MallId;
  /** Substring of the request path; omitted = any path of that mall. */
  path?: string;
  /** How many requests it hits; omitted = 1. Use Infinity (sent as -1) for "until cleared". */
  count?: number;
  delayMs?: number;
  status?: number;
  /** For `partial`: identifiers (SKU codes, item codes …) that fail. */
  items?: string[];
}

export class FaultController {
  private rules: (FaultRule & { remaining: number })[] = [];
  /** What hit which request, and when (real time: a chaos run explains an oversell with it). */
  readonly fired: { kind: FaultKind; mall: MallId; path: string; at: number }[] = [];

  add(rule: FaultRule): void {
    const count = rule.count === undefined ? 1 : rule.count < 0 ? Infinity : rule.count;
    this.rules.push({ ...rule, remaining: count });
  }

  clear(): void {
    this.rules = [];
  }

  /**
   * The fault that applies to this request, consuming one use of it. `kinds` limits the search, so a
   * bulk handler can ask only for `partial` once it has decided to answer.
   */
  take(mall: MallId, path: string, kinds?: FaultKind[]): FaultRule | undefined {
    const rule = this.rules.find(
      (r) =>
        r.remaining > 0 &&
        (!r.mall || r.mall === mall) &&
        (!r.path || path.includes(r.path)) &&
        (!kinds || kinds.includes(r.kind)),
    );
    if (!rule) return undefined;
    rule.remaining -= 1;
    this.rules = this.rules.filter((r) => r.remaining > 0);
    this.fired.push({ kind: rule.kind, mall, path, at: Date.now() });
    return rule;
  }

  pending(): FaultRule[] {
    return this.rules.map(({ remaining, ...r }) => ({ ...r, count: remaining === Infinity ? -1 : remaining }));
  }
}
