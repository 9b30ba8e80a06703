import type { SimClock } from './clock';
import type { BuyerLine, MallId, MallSim } from './types';
import { MALL_IDS } from './types';

/**
 * Buyer traffic: shoppers who order on any mall against what that mall shows them, and sometimes
 * cancel. Each mall accepts or refuses by its own shown stock (MallSim.placeBuyerOrder), so when the
 * shop's stock is not kept in step across malls, ShopTruth counts the oversells.
 *
 * Rate and cancellation delays are mall time (ctx.clock): `timeScale` speeds traffic up and
 * `clock.advance` followed by `tick()` runs the traffic that was due, which is how tests drive it.
 * Every choice comes from one seeded PRNG, so the same seed against the same shop gives the same
 * orders (mall, SKUs, quantities, which get cancelled).
 */

export interface BuyerTrafficOptions {
  /** Orders per minute of mall time, over all selected malls together. */
  ordersPerMinute: number;
  /** Share of accepted orders the buyer cancels later (0–1). Default 0.1. */
  cancelRatio?: number;
  /** Malls buyers shop on. Default: all three. */
  malls?: MallId[];
  /** PRNG seed. Default 1. */
  seed?: number;
  /** Mall ms between an order and its cancellation, picked uniformly in [min, max]. Default 1–15 min. */
  cancelDelayMs?: [number, number];
  /** Real ms between checks of the clock while running. Default 200. */
  tickMs?: number;
}

export type BuyerEventKind = 'ordered' | 'refused' | 'no-stock' | 'cancelled' | 'cancel-refused';

export interface BuyerEvent {
  /** Mall time the event was due. */
  at: number;
  mall: MallId;
  kind: BuyerEventKind;
  orderId?: string;
  lines?: BuyerLine[];
}

export interface BuyerStats {
  /** Orders the mall accepted. */
  ordered: number;
  /** Orders the mall refused (shown stock no longer covered them). */
  refused: number;
  /** Ticks where the mall showed nothing in stock. */
  noStock: number;
  cancelled: number;
  /** Cancellations the mall refused (order already shipped or gone). */
  cancelRefused: number;
}

export interface BuyerTrafficState {
  running: boolean;
  options: Required<Omit<BuyerTrafficOptions, 'tickMs'>> | null;
  stats: Record<MallId, BuyerStats>;
  /** Cancellations still to come. */
  pendingCancels: number;
  /** The last events, newest last. */
  recent: BuyerEvent[];
  lastError?: string;
}

const RECENT = 30;
/** At most this many events per tick, so a big clock jump cannot freeze the simulator. */
const MAX_EVENTS_PER_TICK = 20_000;

/** mulberry32, the same small PRNG the demo shop and the mall simulators use. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A buyer's basket from what a mall shows: 1–3 different SKUs that are in stock there, 1–2 units each
 * (never more than shown). `prefer` SKUs go in first when in stock (the demo seed uses it). Null when
 * the mall shows nothing in stock.
 */
export function pickBuyerLines(rand: () => number, shown: Map<string, number>, prefer: string[] = []): BuyerLine[] | null {
  const inStock = [...shown].filter(([, q]) => q > 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (inStock.length === 0) return null;
  const count = Math.min(inStock.length, 1 + Math.floor(rand() * 3));
  const chosen: [string, number][] = [];
  for (const sku of prefer) {
    const hit = inStock.find(([s]) => s === sku);
    if (hit && chosen.length < count && !chosen.includes(hit)) chosen.push(hit);
  }
  const rest = inStock.filter((e) => !chosen.includes(e));
  // Partial Fisher–Yates over the remaining SKUs.
  while (chosen.length < count && rest.length > 0) {
    const i = Math.floor(rand() * rest.length);
    chosen.push(rest[i]!);
    rest[i] = rest[rest.length - 1]!;
    rest.pop();
  }
  return chosen.map(([skuCode, q]) => ({ skuCode, quantity: Math.min(q, 1 + Math.floor(rand() * 2)) }));
}

function emptyStats(): Record<MallId, BuyerStats> {
  const out = {} as Record<MallId, BuyerStats>;
  for (const m of MALL_IDS) out[m] = { ordered: 0, refused: 0, noStock: 0, cancelled: 0, cancelRefused: 0 };
  return out;
}

export function validateBuyerOptions(raw: unknown): BuyerTrafficOptions {
  const o = (raw ?? {}) as Record<string, unknown>;
  const rate = Number(o.ordersPerMinute);
  if (!Number.isFinite(rate) || rate <= 0 || rate > 60_000) throw new Error('ordersPerMinute must be a number in (0, 60000]');
  const cancelRatio = o.cancelRatio === undefined ? 0.1 : Number(o.cancelRatio);
  if (!Number.isFinite(cancelRatio) || cancelRatio < 0 || cancelRatio > 1) throw new Error('cancelRatio must be between 0 and 1');
  let malls: MallId[] | undefined;
  if (o.malls !== undefined) {
    if (!Array.isArray(o.malls) || o.malls.length === 0 || !o.malls.every((m) => (MALL_IDS as readonly unknown[]).includes(m))) {
      throw new Error(`malls must be a non-empty list of ${MALL_IDS.join(', ')}`);
    }
    malls = [...new Set(o.malls as MallId[])];
  }
  const seed = o.seed === undefined ? undefined : Number(o.seed);
  if (seed !== undefined && !Number.isInteger(seed)) throw new Error('seed must be an integer');
  let cancelDelayMs: [number, number] | undefined;
  if (o.cancelDelayMs !== undefined) {
    const d = o.cancelDelayMs as unknown[];
    if (!Array.isArray(d) || d.length !== 2 || !d.every((x) => typeof x === 'number' && x >= 0) || (d[0] as number) > (d[1] as number)) {
      throw new Error('cancelDelayMs must be [min, max] mall milliseconds');
    }
    cancelDelayMs = [d[0] as number, d[1] as number];
  }
  const tickMs = o.tickMs === undefined ? undefined : Number(o.tickMs);
  if (tickMs !== undefined && !(tickMs >= 10)) throw new Error('tickMs must be at least 10');
  return {
    ordersPerMinute: rate,
    cancelRatio,
    ...(malls ? { malls } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(cancelDelayMs ? { cancelDelayMs } : {}),
    ...(tickMs !== undefined ? { tickMs } : {}),
  };
}

export class BuyerTraffic {
  private options: Required<Omit<BuyerTrafficOptions, 'tickMs'>> | null = null;
  private rand: () => number = seededRandom(1);
  private timer: ReturnType<typeof setInterval> | undefined;
  private nextOrderAt = 0;
  private cancels: { at: number; mall: MallId; orderId: string }[] = [];
  private stats = emptyStats();
  private recent: BuyerEvent[] = [];
  private lastError: string | undefined;
  /** Called for every event (the CLI prints them). */
  onEvent: ((event: BuyerEvent) => void) | undefined;

  constructor(
    private readonly clock: SimClock,
    private readonly malls: Record<MallId, MallSim>,
  ) {}

  get running(): boolean {
    return this.options !== null;
  }

  /**
   * Starts (or restarts with new options). The first order is due one interval from now in mall time.
   * `autoTick: false` leaves ticking to the caller (tests).
   */
  start(raw: BuyerTrafficOptions, { autoTick = true }: { autoTick?: boolean } = {}): BuyerTrafficState {
    const o = validateBuyerOptions(raw);
    this.stop();
    this.options = {
      ordersPerMinute: o.ordersPerMinute,
      cancelRatio: o.cancelRatio ?? 0.1,
      malls: o.malls ?? [...MALL_IDS],
      seed: o.seed ?? 1,
      cancelDelayMs: o.cancelDelayMs ?? [60_000, 15 * 60_000],
    };
    this.rand = seededRandom(this.options.seed);
    this.cancels = [];
    this.lastError = undefined;
    this.nextOrderAt = this.clock.now() + this.intervalMs();
    if (autoTick) {
      this.timer = setInterval(() => this.tick(), o.tickMs ?? 200);
      this.timer.unref?.();
    }
    return this.state();
  }

  /** Stops placing orders; cancellations not yet due are dropped. */
  stop(): BuyerTrafficState {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.options = null;
    this.cancels = [];
    return this.state();
  }

  /** Stop and forget the counters (control reset). */
  reset(): void {
    this.stop();
    this.stats = emptyStats();
    this.recent = [];
    this.lastError = undefined;
  }

  state(): BuyerTrafficState {
    return {
      running: this.running,
      options: this.options ? { ...this.options, malls: [...this.options.malls] } : null,
      stats: JSON.parse(JSON.stringify(this.stats)) as Record<MallId, BuyerStats>,
      pendingCancels: this.cancels.length,
      recent: [...this.recent],
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  private intervalMs(): number {
    return 60_000 / (this.options?.ordersPerMinute ?? 1);
  }

  /** Runs every order and cancellation due by now (mall time), oldest first. Returns how many ran. */
  tick(): number {
    if (!this.options) return 0;
    const now = this.clock.now();
    let n = 0;
    try {
      while (n < MAX_EVENTS_PER_TICK && this.options) {
        const cancel = this.cancels[0];
        if (cancel && cancel.at <= this.nextOrderAt && cancel.at <= now) {
          this.cancels.shift();
          this.runCancel(cancel);
        } else if (this.nextOrderAt <= now) {
          const at = this.nextOrderAt;
          this.nextOrderAt += this.intervalMs();
          this.runOrder(at);
        } else break;
        n += 1;
      }
    } catch (error) {
      this.lastError = String(error);
    }
    return n;
  }

  private record(event: BuyerEvent): void {
    this.recent.push(event);
    if (this.recent.length > RECENT) this.recent.shift();
    this.onEvent?.(event);
  }

  private runOrder(at: number): void {
    const o = this.options!;
    const mall = o.malls[Math.floor(this.rand() * o.malls.length)]!;
    const sim = this.malls[mall];
    const lines = pickBuyerLines(this.rand, sim.shownStock());
    if (!lines) {
      this.stats[mall].noStock += 1;
      this.record({ at, mall, kind: 'no-stock' });
      return;
    }
    // Drawn for every basket, accepted or not, so one refusal does not shift later choices.
    const cancelRoll = this.rand();
    const [min, max] = o.cancelDelayMs;
    const delay = min + Math.floor(this.rand() * (max - min + 1));
    const orderId = sim.placeBuyerOrder(lines);
    if (!orderId) {
      this.stats[mall].refused += 1;
      this.record({ at, mall, kind: 'refused', lines });
      return;
    }
    this.stats[mall].ordered += 1;
    this.record({ at, mall, kind: 'ordered', orderId, lines });
    if (cancelRoll < o.cancelRatio) {
      const cancel = { at: at + delay, mall, orderId };
      const i = this.cancels.findIndex((c) => c.at > cancel.at);
      if (i < 0) this.cancels.push(cancel);
      else this.cancels.splice(i, 0, cancel);
    }
  }

  private runCancel(c: { at: number; mall: MallId; orderId: string }): void {
    const ok = this.malls[c.mall].cancelBuyerOrder(c.orderId);
    this.stats[c.mall][ok ? 'cancelled' : 'cancelRefused'] += 1;
    this.record({ at: c.at, mall: c.mall, kind: ok ? 'cancelled' : 'cancel-refused', orderId: c.orderId });
  }
}
