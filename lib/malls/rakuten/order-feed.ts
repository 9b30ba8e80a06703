import { z } from 'zod';
import { MallError } from '../errors';
import type { MallOrder, OrderPage } from '../types';
import { fetchOrderModels, toMallOrder } from './orders';
import { searchOrderSchema } from './schemas';
import { DAY_MS, formatOrderDatetime, parseRmsDatetime } from './time';
import { parseBody, rakutenError, type RakutenTransport } from './transport';

/**
 * Reading new and changed orders with searchOrder (spec §6.2), which has no "updated since" filter,
 * only six date types. The feed therefore walks four lanes, one after another, each a search by one
 * date and each with its own high-water mark:
 *
 * - `ordered`   dateType 1 注文日        → new orders
 * - `fixed`     dateType 3 注文確定日    → 200 → 300 (ready to ship), whoever confirmed it
 * - `shipped`   dateType 5 発送完了報告日 → 500 (also when shipped from RMS itself)
 * - `cancelled` dateType 1 + orderProgressList [800, 900] over the last 62 days: a cancellation has no
 *               date type of its own, so this lane remembers which cancelled orders it already reported.
 *
 * A pass reads one window [from, to] page by page (sorted by order date; an order appearing mid-pass
 * only pushes later rows back, which re-reads a row but never skips one). The window is at most 63 days
 * (spec §6.2) and shrinks when it holds more than the 15,000 reachable hits. When a pass ends, the
 * lane's mark moves to `min(to, passStart − overlap)`: anything dated before that was visible when the
 * pass began, while orders Rakuten shows late (visibility lag) or stamps with a clock a little off from
 * ours fall inside the overlap and are read by the next pass. Orders a lane already returned inside
 * the overlap are remembered, so they are neither fetched nor returned twice.
 */

const SEARCH_WINDOW_MS = 63 * DAY_MS - 1000;
/** searchOrder refuses a start older than 730 days (spec §6.2); a day of margin for clock skew. */
const LOOKBACK_MS = 729 * DAY_MS;
const CANCEL_LOOKBACK_MS = 62 * DAY_MS;
const REACHABLE_HITS = 15_000;
export const SEARCH_PAGE_MAX = 1_000;

const LANES = ['ordered', 'fixed', 'shipped', 'cancelled'] as const;
type Lane = (typeof LANES)[number];
const DATE_TYPE: Record<Lane, number> = { ordered: 1, fixed: 3, shipped: 5, cancelled: 1 };

const cursorSchema = z.object({
  v: z.literal(1),
  /** Orders placed before this were never imported; other lanes ignore them. */
  origin: z.number(),
  marks: z.object({ ordered: z.number(), fixed: z.number(), shipped: z.number() }),
  /** Per lane: [orderNumber, lane time] already returned at or after the lane's mark. */
  recent: z.object({ ordered: z.array(z.tuple([z.string(), z.number()])), fixed: z.array(z.tuple([z.string(), z.number()])), shipped: z.array(z.tuple([z.string(), z.number()])) }),
  /** Cancelled orders already reported, with their order time, kept while inside the lookback. */
  cancelled: z.array(z.tuple([z.string(), z.number()])),
  lane: z.enum(LANES),
  pass: z.object({ from: z.number(), to: z.number(), page: z.number().int().positive(), startedAt: z.number() }).nullable(),
});
type CursorState = z.infer<typeof cursorSchema>;
type MarkedLane = Exclude<Lane, 'cancelled'>;

export interface OrderFeedOptions {
  now: () => number;
  /** Hits per searchOrder page (max 1,000). */
  pageSize: number;
  /** How far each pass reaches back behind the previous one (visibility lag and clock skew). */
  overlapMs: number;
  /** Where a feed without cursor starts when the caller gives no `since`. */
  defaultLookbackMs: number;
}

/** Search bounds have whole seconds: `to` rounds up so an order stamped in the current second is inside. */
function ceilSecond(ms: number): number {
  return Math.ceil(ms / 1000) * 1000;
}

function encode(state: CursorState): string {
  return `rakuten-orders:${JSON.stringify(state)}`;
}

function decode(cursor: string): CursorState {
  const prefix = 'rakuten-orders:';
  let raw: unknown;
  try {
    raw = cursor.startsWith(prefix) ? JSON.parse(cursor.slice(prefix.length)) : undefined;
  } catch {
    raw = undefined;
  }
  const parsed = cursorSchema.safeParse(raw);
  if (!parsed.success) {
    throw new MallError({ mall: 'rakuten', endpoint: 'searchOrder', kind: 'invalid-request', message: 'order cursor not understood; start again from a date' });
  }
  return parsed.data;
}

function laneTime(lane: MarkedLane, order: MallOrder, model: { orderFixDatetime?: string | null; shippingCmplRptDatetime?: string | null }): number {
  const at = (v: string | null | undefined) => (v ? (parseRmsDatetime(v) ?? order.updatedAt) : order.updatedAt);
  if (lane === 'ordered') return order.orderedAt;
  if (lane === 'fixed') return at(model.orderFixDatetime);
  return at(model.shippingCmplRptDatetime);
}

export class RakutenOrderFeed {
  constructor(
    private readonly t: RakutenTransport,
    private readonly options: OrderFeedOptions,
  ) {}

  initialState(since: number): CursorState {
    // Whole seconds, like every RMS order time: an order in the same second as `since` is inside.
    const origin = Math.floor(Math.max(since, this.options.now() - LOOKBACK_MS) / 1000) * 1000;
    return { v: 1, origin, marks: { ordered: origin, fixed: origin, shipped: origin }, recent: { ordered: [], fixed: [], shipped: [] }, cancelled: [], lane: 'ordered', pass: null };
  }

  async next(cursor: string | undefined, since?: number): Promise<OrderPage> {
    const now = this.options.now();
    const state = cursor ? decode(cursor) : this.initialState(since ?? now - this.options.defaultLookbackMs);
    // A round visits every lane once; bounded so a call always returns.
    for (let step = 0; step < 64; step++) {
      const { orders, roundDone } = await this.step(state);
      if (orders.length > 0 || roundDone) return { orders, cursor: encode(state), caughtUp: roundDone };
    }
    return { orders: [], cursor: encode(state), caughtUp: false };
  }

  /** One searchOrder page of the current lane, and the orders on it not returned before. */
  private async step(state: CursorState): Promise<{ orders: MallOrder[]; roundDone: boolean }> {
    const lane = state.lane;
    const now = this.options.now();
    if (!state.pass) {
      const floor = now - LOOKBACK_MS;
      if (lane === 'cancelled') {
        state.pass = { from: Math.max(state.origin, now - CANCEL_LOOKBACK_MS, floor), to: ceilSecond(now), page: 1, startedAt: now };
      } else {
        const from = Math.max(state.marks[lane], floor);
        state.pass = { from, to: Math.max(from, Math.min(from + SEARCH_WINDOW_MS, ceilSecond(now))), page: 1, startedAt: now };
      }
    }
    const pass = state.pass;
    const res = await this.t.send({
      endpoint: 'searchOrder',
      bucket: 'rpay.order',
      method: 'POST',
      path: '/es/2.0/order/searchOrder/',
      body: {
        dateType: DATE_TYPE[lane],
        startDatetime: formatOrderDatetime(pass.from),
        endDatetime: formatOrderDatetime(pass.to),
        ...(lane === 'cancelled' ? { orderProgressList: [800, 900] } : {}),
        PaginationRequestModel: { requestRecordsAmount: this.options.pageSize, requestPage: pass.page, SortModelList: [{ sortColumn: 1, sortDirection: 1 }] },
      },
    });
    if (res.status !== 200) throw rakutenError('searchOrder', res.status, res.json);
    const page = parseBody('searchOrder', res, searchOrderSchema);
    const total = page.PaginationResponseModel?.totalRecordsAmount ?? 0;
    const totalPages = page.PaginationResponseModel?.totalPages ?? 0;
    if (lane !== 'cancelled' && pass.page === 1 && total > REACHABLE_HITS && pass.to - pass.from > 2000) {
      // Only the first 15,000 hits are reachable (spec §6.2): halve the window and search again.
      pass.to = pass.from + Math.floor((pass.to - pass.from) / 2000) * 1000;
      return { orders: [], roundDone: false };
    }

    const seen = new Set(lane === 'cancelled' ? state.cancelled.map(([n]) => n) : state.recent[lane].map(([n]) => n));
    const wanted = page.orderNumberList.filter((n) => !seen.has(n));
    const models = wanted.length > 0 ? await fetchOrderModels(this.t, wanted) : [];
    const orders: MallOrder[] = [];
    for (const model of models) {
      const order = toMallOrder(model);
      if (lane === 'cancelled') {
        if (order.status !== 'cancelled') continue;
        state.cancelled.push([order.orderNumber, order.orderedAt]);
      } else state.recent[lane].push([order.orderNumber, laneTime(lane, order, model)]);
      // Orders placed before the feed's origin were never imported; a later change to them is not ours.
      if (order.orderedAt >= state.origin) orders.push(order);
    }

    if (pass.page < totalPages) {
      pass.page += 1;
      return { orders, roundDone: false };
    }
    // The pass is over.
    state.pass = null;
    if (lane === 'cancelled') {
      const keepFrom = now - CANCEL_LOOKBACK_MS - DAY_MS;
      state.cancelled = state.cancelled.filter(([, orderedAt]) => orderedAt >= keepFrom);
    } else {
      const mark = Math.max(pass.from, Math.min(pass.to, pass.startedAt - this.options.overlapMs));
      state.marks[lane] = mark;
      state.recent[lane] = state.recent[lane].filter(([, at]) => at >= mark);
      // The 63-day window stopped short of now: the same lane goes on from its new mark.
      if (pass.to < ceilSecond(pass.startedAt)) return { orders, roundDone: false };
    }
    const nextIndex = LANES.indexOf(lane) + 1;
    state.lane = LANES[nextIndex % LANES.length]!;
    return { orders, roundDone: nextIndex === LANES.length };
  }
}
