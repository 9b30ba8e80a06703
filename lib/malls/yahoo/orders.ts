import { z } from 'zod';
import { itemFailure, MallError, type ItemResult, unexpectedResponse } from '../errors';
import type { CarrierId, MallOrder, OrderPage, ShipmentConfirmation, UnifiedOrderStatus } from '../types';
import { ORDER_INFO_FIELDS, ORDER_LIST_FIELDS, orderChangeSchema, type OrderInfo, orderInfoSchema, orderListSchema } from './schemas';
import { ngError, type YahooTransport } from './transport';
import { buildXml, compactJstDate, compactJstSeconds, parseJstDateTime } from './xml';

/**
 * Orders (spec §3). orderList has no "updated since" condition and hides orders inside the 10-minute
 * buyer-cancel window unless `ReadOnlyMode` says otherwise (§3.1); it also lacks lines and addresses, so
 * every order we return costs one orderInfo call.
 *
 * The cursor therefore works in cycles. A cycle lists, oldest first, every order placed since
 * `min(watermark, now − changeLookback)` with ReadOnlyMode=2 (inside the window too), asking only for
 * OrderId, LastUpdateTime, PublicationTime, IsReadOnly and the status codes. An order is read (orderInfo)
 * when it changed since the watermark (LastUpdateTime ≥ w: new orders, buyer cancels, staff edits) or left
 * the window since the watermark (PublicationTime ≥ w and no longer read-only) — unless the cursor already
 * holds that same version. A version is LastUpdateTime plus IsReadOnly, OrderStatus, ShipStatus and IsSeen:
 * LastUpdateTime has whole seconds, and a cancel in the same second as our last read must still count.
 * A finished cycle moves the watermark to its own start minus a clock margin, so an order
 * changed while the cycle ran, or stamped by a server clock a little behind ours, is still ≥ the next
 * watermark. Paging inside a cycle is by `Start`: the listing is sorted by order time and its lower bound
 * is fixed for the cycle, so new orders only append at the end and offsets already passed stay valid.
 */

export interface OrderCursorOptions {
  now: () => number;
  /** Orders returned per `listOrdersSince` call (each one orderInfo call at 1 req/s). */
  maxOrdersPerPage: number;
  /** orderList `Result` (§3.1: max 2000). */
  listPageSize: number;
  /** How far back changes to already-read orders are still noticed. */
  changeLookbackMs: number;
  /** Where a first call without `since` starts. */
  initialLookbackMs: number;
  /** Allowance for the difference between our clock and Yahoo's. */
  clockMarginMs: number;
  /** orderList calls one `listOrdersSince` may make before it answers (possibly with no orders). */
  maxListCallsPerPage: number;
}

const seenEntrySchema = z.tuple([z.string(), z.number(), z.number(), z.string()]);
const cursorSchema = z.object({
  v: z.literal(1),
  /** Watermark (epoch ms). */
  w: z.number(),
  /** [orderId, LastUpdateTime, PublicationTime (0 = unknown), state codes] of orders that can still match. */
  seen: z.array(seenEntrySchema),
  /** The cycle in progress: listing lower bound, when it started, next `Start`. */
  c: z.object({ from: z.number(), at: z.number(), start: z.number().int().positive() }).optional(),
});
type CursorState = z.infer<typeof cursorSchema>;

function decodeCursor(cursor: string): CursorState {
  let raw: unknown;
  try {
    raw = JSON.parse(cursor);
  } catch {
    raw = undefined;
  }
  const parsed = cursorSchema.safeParse(raw);
  if (!parsed.success) {
    throw new MallError({ mall: 'yahoo', endpoint: 'orderList', kind: 'invalid-request', message: 'the stored Yahoo order cursor is not one this version wrote' });
  }
  return parsed.data;
}

type OrderDeps = { transport: YahooTransport; sellerId: string; operationUser: string };

export async function listOrdersSince(deps: OrderDeps, options: OrderCursorOptions, cursor: string | undefined, since: number | undefined): Promise<OrderPage> {
  const now = options.now();
  const state: CursorState = cursor ? decodeCursor(cursor) : { v: 1, w: since ?? now - options.initialLookbackMs, seen: [] };
  const cycle = (state.c ??= { from: Math.min(state.w, now - options.changeLookbackMs), at: now, start: 1 });
  const seen = new Map(state.seen.map(([id, lu, pub, codes]) => [id, { lu, pub, codes }]));
  const orders: MallOrder[] = [];
  let caughtUp = false;

  pages: for (let call = 0; call < options.maxListCallsPerPage; call++) {
    const { total, entries } = await orderListPage(deps, cycle.from, cycle.start, options.listPageSize);
    for (const [i, entry] of entries.entries()) {
      const lu = listTime(entry.LastUpdateTime, i, 'LastUpdateTime');
      const pub = entry.PublicationTime ? listTime(entry.PublicationTime, i, 'PublicationTime') : 0;
      const readOnly = entry.IsReadOnly === '1';
      const codes = `${entry.IsReadOnly}|${entry.OrderStatus}|${entry.ShipStatus}|${entry.IsSeen}`;
      const known = seen.get(entry.OrderId);
      const wanted = (lu >= state.w || (!readOnly && pub >= state.w)) && !(known && known.lu === lu && known.codes === codes);
      if (wanted) {
        if (orders.length >= options.maxOrdersPerPage) break pages;
        const order = await orderInfo(deps, entry.OrderId).catch((e: unknown) => {
          // Listed a moment ago, gone now (§3.7 orderSplit replaces an order): nothing to read.
          if (e instanceof MallError && e.kind === 'not-found') return undefined;
          throw e;
        });
        if (order) orders.push(order);
        seen.set(entry.OrderId, { lu, pub, codes });
      }
      cycle.start += 1;
    }
    if (entries.length === 0 || cycle.start > total) {
      caughtUp = true;
      break;
    }
    if (orders.length >= options.maxOrdersPerPage) break;
  }

  let next: CursorState;
  if (caughtUp) {
    const w = cycle.at - options.clockMarginMs;
    const keep = [...seen].filter(([, s]) => s.lu >= w || s.pub >= w);
    next = { v: 1, w, seen: keep.map(([id, s]) => [id, s.lu, s.pub, s.codes]) };
  } else {
    next = { v: 1, w: state.w, seen: [...seen].map(([id, s]) => [id, s.lu, s.pub, s.codes]), c: cycle };
  }
  return { orders, cursor: JSON.stringify(next), caughtUp };
}

function listTime(text: string, index: number, field: string): number {
  const ms = parseJstDateTime(text);
  if (ms === undefined) throw unexpectedResponse('yahoo', 'orderList', [{ path: ['Result', 'Search', 'OrderInfo', index, field], message: `not a date-time: "${text}"` }]);
  return ms;
}

async function orderListPage(deps: OrderDeps, from: number, start: number, size: number) {
  const xml = buildXml('Req', {
    Search: {
      Result: size,
      Start: start,
      Sort: '+order_time',
      Condition: { OrderTimeFrom: compactJstSeconds(from), ReadOnlyMode: 2 },
      Field: ORDER_LIST_FIELDS.join(','),
    },
    SellerId: deps.sellerId,
  });
  const { data } = await deps.transport.sendParsed({ api: 'orderList', method: 'POST', xml }, orderListSchema);
  const r = data.Result;
  // §3.1 / §4: orderList reports its errors inside a 200 `<Result>` with Status NG.
  if (r.Status === 'NG') throw ngError('orderList', r.Error?.Code, r.Error?.Message);
  if (!r.Search) throw unexpectedResponse('yahoo', 'orderList', [{ path: ['Result', 'Search'], message: 'missing' }]);
  return { total: r.Search.TotalCount, entries: r.Search.OrderInfo };
}

export async function orderInfo(deps: OrderDeps, orderId: string): Promise<MallOrder> {
  const xml = buildXml('Req', { Target: { OrderId: orderId, Field: ORDER_INFO_FIELDS.join(',') }, SellerId: deps.sellerId });
  const { data, response } = await deps.transport.sendParsed({ api: 'orderInfo', method: 'POST', xml }, orderInfoSchema);
  return toMallOrder(data.ResultSet.Result.OrderInfo, response.status);
}

/**
 * §3.3 codes → the unified status. Cancelled and finished first; then the ship status; an order still in
 * the 10-minute buyer-cancel window cannot be acted on (IsReadOnly=1), like reservations (1) and holds (3);
 * an unseen order is new (§3.3 "New" = IsSeen=false); a seen one is confirmed.
 */
export function unifiedStatus(info: Pick<OrderInfo, 'OrderStatus' | 'IsSeen' | 'IsReadOnly'> & { Ship: { ShipStatus: string } }): UnifiedOrderStatus {
  if (info.OrderStatus === '4') return 'cancelled';
  if (info.OrderStatus === '5') return 'shipped';
  if (info.Ship.ShipStatus === '3' || info.Ship.ShipStatus === '4') return 'shipped';
  if (info.Ship.ShipStatus === '2') return 'shipping';
  if (info.IsReadOnly === '1' || info.OrderStatus !== '2') return 'pending';
  return info.IsSeen ? 'confirmed' : 'new';
}

function toMallOrder(info: OrderInfo, status: number): MallOrder {
  const time = (field: 'OrderTime' | 'LastUpdateTime') => {
    const ms = parseJstDateTime(info[field]);
    if (ms === undefined) throw unexpectedResponse('yahoo', 'orderInfo', [{ path: ['ResultSet', 'Result', 'OrderInfo', field], message: `not a date-time: "${info[field]}"` }], status);
    return ms;
  };
  const joinName = (last?: string, first?: string) => [last, first].filter(Boolean).join(' ');
  const pay = info.Pay;
  const ship = info.Ship;
  const buyerName = joinName(pay?.BillLastName, pay?.BillFirstName);
  const buyerKana = joinName(pay?.BillLastNameKana, pay?.BillFirstNameKana);
  const shipName = joinName(ship.ShipLastName, ship.ShipFirstName);
  const order: MallOrder = {
    mall: 'yahoo',
    orderNumber: info.OrderId,
    status: unifiedStatus(info),
    // OrderStatus/ShipStatus codes (§3.3), plus the two flags that change what staff may do.
    mallStatus: `${info.OrderStatus}/${ship.ShipStatus}${info.IsSeen ? '' : ' unseen'}${info.IsReadOnly === '1' ? ' read-only' : ''}`,
    orderedAt: time('OrderTime'),
    updatedAt: time('LastUpdateTime'),
    totalYen: info.Detail.TotalPrice,
    lines: info.Item.map((item) => ({
      lineNo: item.LineId,
      listingRef: { externalItemId: item.ItemId, ...(item.SubCode ? { variantRef: item.SubCode } : {}) },
      name: item.Title,
      quantity: item.Quantity,
      unitPriceYen: item.UnitPrice,
    })),
  };
  if (buyerName) {
    order.buyer = {
      name: buyerName,
      ...(buyerKana ? { nameKana: buyerKana } : {}),
      ...(pay?.BillMailAddress ? { email: pay.BillMailAddress } : {}),
      ...(pay?.BillPhoneNumber ? { phone: pay.BillPhoneNumber } : {}),
    };
  }
  if (shipName && ship.ShipZipCode) {
    order.shipTo = {
      name: shipName,
      postalCode: ship.ShipZipCode,
      prefecture: ship.ShipPrefecture ?? '',
      address: [`${ship.ShipCity ?? ''}${ship.ShipAddress1 ?? ''}`, ship.ShipAddress2].filter(Boolean).join(' '),
      ...(ship.ShipPhoneNumber ? { phone: ship.ShipPhoneNumber } : {}),
    };
  }
  return order;
}

/** Orders by number; numbers Yahoo does not know are left out. */
export async function getOrders(deps: OrderDeps, orderNumbers: string[]): Promise<MallOrder[]> {
  const out: MallOrder[] = [];
  for (const id of orderNumbers) {
    try {
      out.push(await orderInfo(deps, id));
    } catch (caught) {
      if (caught instanceof MallError && caught.kind === 'not-found') continue;
      throw caught;
    }
  }
  return out;
}

const ORDER_ID_RE = /^[a-zA-Z0-9-]{1,50}$/;

/** Sends one change API per order, answering a result per order. */
async function perOrder(
  deps: OrderDeps,
  api: 'orderChange' | 'orderShipStatusChange',
  items: { orderId: string; xml: () => string }[],
): Promise<ItemResult[]> {
  const results: ItemResult[] = [];
  let stopped: MallError | undefined;
  for (const { orderId, xml } of items) {
    if (stopped) {
      results.push(itemFailure(orderId, stopped));
      continue;
    }
    if (!ORDER_ID_RE.test(orderId)) {
      results.push(itemFailure(orderId, { mall: 'yahoo', endpoint: api, kind: 'invalid-request', message: `order id "${orderId}" is not a Yahoo order id (§0)` }));
      continue;
    }
    try {
      const { data } = await deps.transport.sendParsed({ api, method: 'POST', xml: xml() }, orderChangeSchema);
      const r = data.ResultSet.Result;
      if (r.Status === 'OK') results.push({ key: orderId, ok: true });
      else results.push(itemFailure(orderId, ngError(api, r.Error?.[0]?.Code, r.Error?.map((e) => e.Message).join('; '))));
    } catch (caught) {
      if (!(caught instanceof MallError)) throw caught;
      results.push(itemFailure(orderId, caught));
      // Auth, clock or persistent throttling/server trouble would refuse every later order the same way.
      if (caught.kind !== 'invalid-request' && caught.kind !== 'not-found') stopped = caught;
    }
  }
  return results;
}

/**
 * Confirming = marking the order seen. §3.3: a new order is already 処理中 (OrderStatus 2) and "new" means
 * IsSeen=false, so orderStatusChange to 2 would change nothing (od91705); orderChange IsSeen=true is the
 * documented way to take the order on (§3.7). Orders inside the buyer-cancel window are refused by Yahoo.
 */
export function confirmOrders(deps: OrderDeps, orderNumbers: string[]): Promise<ItemResult[]> {
  return perOrder(
    deps,
    'orderChange',
    orderNumbers.map((orderId) => ({
      orderId,
      xml: () =>
        buildXml('Req', {
          Target: { OrderId: orderId, OperationUser: deps.operationUser },
          Order: { IsSeen: 'true' },
          SellerId: deps.sellerId,
        }),
    })),
  );
}

/** /work/shared/specs/shipping-and-documents.md: Yahoo ShipCompanyCode uses Rakuten's 1001/1002/1003. */
const CARRIER_CODES: Record<Exclude<CarrierId, 'other'>, string> = { yamato: '1001', sagawa: '1002', japanpost: '1003' };
/** §3.3 codes for carriers a shop names as `other`. */
const OTHER_CARRIERS: [RegExp, string][] = [
  [/西濃/, '1004'],
  [/西武運輸/, '1005'],
  [/福山/, '1006'],
  [/名鉄/, '1007'],
  [/トナミ/, '1008'],
  [/第一貨物/, '1009'],
  [/エコ配/, '1016'],
  [/\bEMS\b/i, '1017'],
  [/\bDHL\b/i, '1018'],
  [/fedex/i, '1019'],
  [/\bUPS\b/i, '1020'],
];

export function shipCompanyCode(shipment: Pick<ShipmentConfirmation, 'carrier' | 'carrierName'>): string {
  if (shipment.carrier !== 'other') return CARRIER_CODES[shipment.carrier];
  const name = shipment.carrierName ?? '';
  return OTHER_CARRIERS.find(([re]) => re.test(name))?.[1] ?? '1000';
}

/** §3.5 orderShipStatusChange: 出荷済み (3) with carrier, tracking number and ship date. */
export function confirmShipments(deps: OrderDeps, shipments: ShipmentConfirmation[]): Promise<ItemResult[]> {
  return perOrder(
    deps,
    'orderShipStatusChange',
    shipments.map((s) => ({
      orderId: s.orderNumber,
      xml: () =>
        buildXml('Req', {
          // §3.5: IsPointFix is required and must be true when the ship status changes.
          Target: { OrderId: s.orderNumber, IsPointFix: 'true', OperationUser: deps.operationUser },
          Order: {
            Ship: {
              ShipStatus: 3,
              ShipCompanyCode: shipCompanyCode(s),
              ShipInvoiceNumber1: s.trackingNumber.trim(),
              ShipDate: compactJstDate(s.shippedAt),
            },
          },
          SellerId: deps.sellerId,
        }),
    })),
  );
}
