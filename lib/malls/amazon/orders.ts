import { z } from 'zod';
import { MallError, itemFailure, unexpectedResponse, type ItemResult } from '../errors';
import type { MallOrder, MallOrderLine, OrderPage, ShipmentConfirmation, UnifiedOrderStatus } from '../types';
import type { AmazonOrdersApi } from './config';
import type { RestrictedResource, SpApi } from './spapi';
import { amazonTime, amountString, chunk, isoJst, packageReferenceId, parseAmazonTime, pool, toMallError, yen } from './util';

/**
 * Orders: v0 (getOrders + getOrderItems, deprecated reads, PII through a Restricted Data Token) and
 * v2026-01-01 (searchOrders / getOrder with includedData), behind `ordersApi`; shipment confirmation
 * through v0 confirmShipment, which is not deprecated (spec §1.4, §6).
 */

// ---------------------------------------------------------------------------------------------
// unified statuses (one table per API version)

/** Amazon has no seller confirmation step: Unshipped is paid and ready to ship. */
export const V0_STATUS: Record<string, UnifiedOrderStatus> = {
  PendingAvailability: 'pending',
  Pending: 'pending',
  Unshipped: 'confirmed',
  PartiallyShipped: 'shipping',
  Shipped: 'shipped',
  // Shipped; only the invoice upload is outstanding (not used in JP).
  InvoiceUnconfirmed: 'shipped',
  Canceled: 'cancelled',
  // Amazon-fulfilled orders Amazon could not fulfil.
  Unfulfillable: 'cancelled',
};

export const V2026_STATUS: Record<string, UnifiedOrderStatus> = {
  PENDING_AVAILABILITY: 'pending',
  PENDING: 'pending',
  UNSHIPPED: 'confirmed',
  PARTIALLY_SHIPPED: 'shipping',
  SHIPPED: 'shipped',
  CANCELLED: 'cancelled',
  UNFULFILLABLE: 'cancelled',
};

// ---------------------------------------------------------------------------------------------
// v0 answers

const money0 = z.object({ CurrencyCode: z.string().optional(), Amount: amountString.optional() });
const address0 = z.object({
  Name: z.string().optional(),
  AddressLine1: z.string().optional(),
  AddressLine2: z.string().optional(),
  AddressLine3: z.string().optional(),
  City: z.string().optional(),
  StateOrRegion: z.string().optional(),
  PostalCode: z.string().optional(),
  Phone: z.string().optional(),
});
const order0 = z.object({
  AmazonOrderId: z.string().min(1),
  PurchaseDate: amazonTime,
  LastUpdateDate: amazonTime,
  OrderStatus: z.enum(Object.keys(V0_STATUS) as [string, ...string[]]),
  OrderTotal: money0.optional(),
  ShippingAddress: address0.optional(),
  BuyerInfo: z.object({ BuyerEmail: z.string().optional(), BuyerName: z.string().optional() }).optional(),
});
type Order0 = z.infer<typeof order0>;
const getOrders0 = z.object({
  payload: z.object({
    Orders: z.array(order0),
    NextToken: z.string().optional(),
    LastUpdatedBefore: amazonTime.optional(),
    CreatedBefore: amazonTime.optional(),
  }),
});
const getOrder0 = z.object({ payload: order0 });
const orderItem0 = z.object({
  ASIN: z.string(),
  OrderItemId: z.string().min(1),
  SellerSKU: z.string().optional(),
  Title: z.string().optional(),
  QuantityOrdered: z.number().int().nonnegative(),
  QuantityShipped: z.number().int().nonnegative().optional(),
  ItemPrice: money0.optional(),
});
type OrderItem0 = z.infer<typeof orderItem0>;
const getOrderItems0 = z.object({
  payload: z.object({ AmazonOrderId: z.string(), OrderItems: z.array(orderItem0), NextToken: z.string().optional() }),
});

// ---------------------------------------------------------------------------------------------
// v2026-01-01 answers

const money26 = z.object({ amount: amountString, currencyCode: z.string() });
const order26 = z.object({
  orderId: z.string().min(1),
  createdTime: amazonTime,
  lastUpdatedTime: amazonTime,
  buyer: z.object({ buyerName: z.string().optional(), buyerEmail: z.string().optional() }).optional(),
  recipient: z
    .object({
      deliveryAddress: z
        .object({
          name: z.string().optional(),
          addressLine1: z.string().optional(),
          addressLine2: z.string().optional(),
          addressLine3: z.string().optional(),
          city: z.string().optional(),
          stateOrRegion: z.string().optional(),
          postalCode: z.string().optional(),
          phone: z.string().optional(),
        })
        .optional(),
    })
    .optional(),
  proceeds: z.object({ grandTotal: money26.optional() }).optional(),
  // Present because we always ask for includedData=FULFILLMENT; the status lives here.
  fulfillment: z.object({ fulfillmentStatus: z.enum(Object.keys(V2026_STATUS) as [string, ...string[]]) }),
  orderItems: z.array(
    z.object({
      orderItemId: z.string().min(1),
      quantityOrdered: z.number().int().nonnegative(),
      product: z.object({
        sellerSku: z.string().optional(),
        title: z.string().optional(),
        price: z.object({ unitPrice: money26.optional() }).optional(),
      }),
      fulfillment: z.object({ quantityFulfilled: z.number().int().nonnegative().optional() }).optional(),
    }),
  ),
});
type Order26 = z.infer<typeof order26>;
const searchOrders26 = z.object({
  orders: z.array(order26),
  pagination: z.object({ nextToken: z.string().optional() }).optional(),
  lastUpdatedBefore: amazonTime.optional(),
  createdBefore: amazonTime.optional(),
});
const getOrder26 = z.object({ order: order26 });

const INCLUDED_26 = ['BUYER', 'RECIPIENT', 'PROCEEDS', 'FULFILLMENT'];

// ---------------------------------------------------------------------------------------------
// the cursor

/**
 * What `listOrdersSince` persists. `after` is the LastUpdatedAfter of the window being read; `before` is
 * the LastUpdatedBefore Amazon answered for it. Amazon only shows orders up to two minutes before now
 * (spec §6.1–6.2), so the next window starts at the bound Amazon reported, never at our "now", and an
 * order that became visible late is still inside it. Bounds are inclusive: an order on the boundary is
 * read twice, which is harmless.
 */
const cursorSchema = z.object({
  v: z.literal(1),
  api: z.enum(['v0', 'v2026-01-01']),
  after: z.string(),
  token: z.string().optional(),
  before: z.string().optional(),
  /** Latest update seen in this window, in case Amazon leaves out the bound. */
  seen: z.string().optional(),
});
type Cursor = z.infer<typeof cursorSchema>;

const DEFAULT_LOOKBACK_MS = 7 * 86_400_000;
/** Amazon refuses windows closer than two minutes to now (spec §6.1). */
export const VISIBILITY_LAG_MS = 2 * 60_000 + 5_000;
/** getOrderItems in flight at once; its bucket refills at 0.5 per second anyway. */
const ITEMS_CONCURRENCY = 4;

interface RawPage {
  orders: MallOrder[];
  nextToken?: string;
  bound?: string;
}

function later(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return parseAmazonTime(b) > parseAmazonTime(a) ? b : a;
}

/** Japanese addresses read 都道府県 → 市区町村 → 町名番地, then the building after a space. */
function joinAddress(city: string | undefined, line1: string | undefined, rest: (string | undefined)[]): string {
  const head = city && line1 && !line1.startsWith(city) ? `${city}${line1}` : (line1 ?? city ?? '');
  return [head, ...rest.filter((s): s is string => !!s && s.trim() !== '')].join(' ').trim();
}

export class OrdersApi {
  /** Set once the app turned out not to hold the Restricted Data Token role. */
  piiDenied: MallError | undefined;

  constructor(private readonly api: SpApi) {}

  private get cfg() {
    return this.api.cfg;
  }

  private get version(): AmazonOrdersApi {
    return this.cfg.ordersApi;
  }

  // -------------------------------------------------------------------------------------------
  // listOrdersSince

  async listOrdersSince(cursorText: string | undefined, options?: { since?: number }): Promise<OrderPage> {
    let cursor = this.readCursor(cursorText, options?.since);
    let page: RawPage;
    try {
      page = await this.fetchPage(cursor);
    } catch (caught) {
      // An expired or mangled page token (400) costs only a re-read of the window from its start.
      if (!(caught instanceof MallError) || caught.status !== 400 || cursor.token === undefined) throw caught;
      cursor = { v: 1, api: this.version, after: cursor.after };
      page = await this.fetchPage(cursor);
    }
    const before = cursor.token !== undefined ? cursor.before : page.bound;
    const seen = page.orders.reduce<string | undefined>((max, o) => later(max, new Date(o.updatedAt).toISOString()), cursor.seen);
    let next: Cursor;
    if (page.nextToken) {
      next = { v: 1, api: this.version, after: cursor.after, token: page.nextToken, ...(before ? { before } : {}), ...(seen ? { seen } : {}) };
    } else {
      // Without a bound from Amazon, the latest update we saw is a safe start: everything up to it was listed.
      const end = before ?? seen ?? cursor.after;
      next = { v: 1, api: this.version, after: later(cursor.after, end) ?? cursor.after };
    }
    // Only a bound Amazon stated proves every order updated up to it was listed (`seen` does not).
    const listedThrough = !page.nextToken && before !== undefined ? parseAmazonTime(before) : undefined;
    return { orders: page.orders, cursor: JSON.stringify(next), caughtUp: !page.nextToken, ...(listedThrough !== undefined ? { listedThrough } : {}) };
  }

  private readCursor(text: string | undefined, since: number | undefined): Cursor {
    if (text !== undefined) {
      let parsed: ReturnType<typeof cursorSchema.safeParse> | undefined;
      try {
        parsed = cursorSchema.safeParse(JSON.parse(text));
      } catch {
        parsed = undefined;
      }
      if (!parsed?.success) {
        throw new MallError({ mall: 'amazon', endpoint: 'listOrdersSince', kind: 'invalid-request', field: 'cursor', message: 'the stored order cursor is not one this adapter wrote' });
      }
      // A page token of the other API version means nothing here; re-read that window from its start.
      return parsed.data.api === this.version ? parsed.data : { v: 1, api: this.version, after: parsed.data.after };
    }
    const latest = this.cfg.now() - VISIBILITY_LAG_MS / this.cfg.rateScale;
    const start = Math.min(since ?? this.cfg.now() - DEFAULT_LOOKBACK_MS, latest);
    return { v: 1, api: this.version, after: new Date(start).toISOString() };
  }

  private fetchPage(cursor: Cursor): Promise<RawPage> {
    return this.version === 'v0' ? this.fetchPage0(cursor) : this.fetchPage26(cursor);
  }

  private async fetchPage0(cursor: Cursor): Promise<RawPage> {
    const query = cursor.token
      ? // The model requires MarketplaceIds; the token carries the other filters (spec §6.1).
        { MarketplaceIds: [this.cfg.marketplaceId], NextToken: cursor.token }
      : { MarketplaceIds: [this.cfg.marketplaceId], LastUpdatedAfter: cursor.after, MaxResultsPerPage: this.cfg.ordersPageSize };
    const { data } = await this.withPii([{ method: 'GET', path: '/orders/v0/orders', dataElements: ['buyerInfo', 'shippingAddress'] }], (restricted) =>
      this.api.call({ op: 'getOrders', method: 'GET', path: '/orders/v0/orders', query, schema: getOrders0, ...(restricted ? { restricted } : {}) }),
    );
    const orders = await pool(data.payload.Orders, ITEMS_CONCURRENCY, async (o) => this.normalise0(o, await this.orderItems0(o.AmazonOrderId)));
    return {
      orders,
      ...(data.payload.NextToken ? { nextToken: data.payload.NextToken } : {}),
      ...(data.payload.LastUpdatedBefore ? { bound: data.payload.LastUpdatedBefore } : {}),
    };
  }

  private async fetchPage26(cursor: Cursor): Promise<RawPage> {
    const query = cursor.token
      ? { marketplaceIds: [this.cfg.marketplaceId], paginationToken: cursor.token, includedData: INCLUDED_26 }
      : { marketplaceIds: [this.cfg.marketplaceId], lastUpdatedAfter: cursor.after, maxResultsPerPage: this.cfg.ordersPageSize, includedData: INCLUDED_26 };
    const { data } = await this.api.call({ op: 'searchOrders', method: 'GET', path: '/orders/2026-01-01/orders', query, schema: searchOrders26 });
    return {
      orders: data.orders.map((o, i) => this.normalise26(o, ['orders', i])),
      ...(data.pagination?.nextToken ? { nextToken: data.pagination.nextToken } : {}),
      ...(data.lastUpdatedBefore ? { bound: data.lastUpdatedBefore } : {}),
    };
  }

  /**
   * Runs `call` with a Restricted Data Token for `resources` so buyer name and address come back (spec
   * §2.3). If the app may not have one, the call runs with the LWA token and orders come without PII.
   */
  private async withPii<T>(resources: RestrictedResource[], call: (restricted: RestrictedResource[] | undefined) => Promise<T>): Promise<T> {
    if (!this.cfg.restrictedData || this.piiDenied) return call(undefined);
    try {
      return await call(resources);
    } catch (caught) {
      if (caught instanceof MallError && caught.endpoint === 'createRestrictedDataToken' && (caught.kind === 'permission' || caught.kind === 'invalid-request')) {
        this.piiDenied = caught;
        return call(undefined);
      }
      throw caught;
    }
  }

  private async orderItems0(orderId: string): Promise<OrderItem0[]> {
    const items: OrderItem0[] = [];
    let token: string | undefined;
    do {
      const { data } = await this.api.call({
        op: 'getOrderItems',
        method: 'GET',
        path: `/orders/v0/orders/${encodeURIComponent(orderId)}/orderItems`,
        ...(token ? { query: { NextToken: token } } : {}),
        schema: getOrderItems0,
      });
      items.push(...data.payload.OrderItems);
      token = data.payload.NextToken;
    } while (token);
    return items;
  }

  // -------------------------------------------------------------------------------------------
  // normalising

  private normalise0(o: Order0, items: OrderItem0[]): MallOrder {
    const endpoint = 'getOrderItems';
    // Amazon withholds prices while an order is Pending (spec §6.1); it is read again once it moves on.
    const priceless = o.OrderStatus === 'Pending' || o.OrderStatus === 'PendingAvailability' || o.OrderStatus === 'Canceled';
    const lines: MallOrderLine[] = [];
    items.forEach((item, i) => {
      // Cancelled units leave QuantityOrdered at 0: nothing was sold on that line.
      if (item.QuantityOrdered === 0) return;
      if (!item.SellerSKU) throw unexpectedResponse('amazon', endpoint, [{ path: ['payload', 'OrderItems', i, 'SellerSKU'], message: 'missing; the line cannot be matched to a listing' }]);
      const amount = item.ItemPrice?.Amount;
      if (amount === undefined && !priceless) {
        throw unexpectedResponse('amazon', endpoint, [{ path: ['payload', 'OrderItems', i, 'ItemPrice'], message: `missing on a ${o.OrderStatus} order` }]);
      }
      lines.push({
        lineNo: lines.length + 1,
        listingRef: { externalItemId: item.SellerSKU },
        name: item.Title ?? item.SellerSKU,
        quantity: item.QuantityOrdered,
        // ItemPrice is the line total (unit price × quantity).
        unitPriceYen: amount === undefined ? 0 : Math.round(yen(amount) / item.QuantityOrdered),
      });
    });
    const total = o.OrderTotal?.Amount;
    const a = o.ShippingAddress;
    const buyerName = o.BuyerInfo?.BuyerName ?? a?.Name;
    return {
      mall: 'amazon',
      orderNumber: o.AmazonOrderId,
      status: V0_STATUS[o.OrderStatus] as UnifiedOrderStatus,
      mallStatus: o.OrderStatus,
      orderedAt: parseAmazonTime(o.PurchaseDate),
      updatedAt: parseAmazonTime(o.LastUpdateDate),
      totalYen: total !== undefined ? yen(total) : lines.reduce((s, l) => s + l.unitPriceYen * l.quantity, 0),
      ...(buyerName
        ? { buyer: { name: buyerName, ...(o.BuyerInfo?.BuyerEmail ? { email: o.BuyerInfo.BuyerEmail } : {}), ...(a?.Phone ? { phone: a.Phone } : {}) } }
        : {}),
      ...(a?.Name && a.PostalCode
        ? {
            shipTo: {
              name: a.Name,
              postalCode: a.PostalCode,
              prefecture: a.StateOrRegion ?? '',
              address: joinAddress(a.City, a.AddressLine1, [a.AddressLine2, a.AddressLine3]),
              ...(a.Phone ? { phone: a.Phone } : {}),
            },
          }
        : {}),
      lines,
    };
  }

  private normalise26(o: Order26, at: (string | number)[]): MallOrder {
    const endpoint = 'searchOrders';
    const status = o.fulfillment.fulfillmentStatus;
    const priceless = status === 'PENDING' || status === 'PENDING_AVAILABILITY' || status === 'CANCELLED';
    const lines: MallOrderLine[] = [];
    o.orderItems.forEach((item, i) => {
      if (item.quantityOrdered === 0) return;
      const sku = item.product.sellerSku;
      if (!sku) throw unexpectedResponse('amazon', endpoint, [{ path: [...at, 'orderItems', i, 'product', 'sellerSku'], message: 'missing; the line cannot be matched to a listing' }]);
      const unit = item.product.price?.unitPrice?.amount;
      if (unit === undefined && !priceless) {
        throw unexpectedResponse('amazon', endpoint, [{ path: [...at, 'orderItems', i, 'product', 'price', 'unitPrice'], message: `missing on a ${status} order` }]);
      }
      lines.push({
        lineNo: lines.length + 1,
        listingRef: { externalItemId: sku },
        name: item.product.title ?? sku,
        quantity: item.quantityOrdered,
        unitPriceYen: unit === undefined ? 0 : yen(unit),
      });
    });
    const total = o.proceeds?.grandTotal?.amount;
    const a = o.recipient?.deliveryAddress;
    const buyerName = o.buyer?.buyerName ?? a?.name;
    return {
      mall: 'amazon',
      orderNumber: o.orderId,
      status: V2026_STATUS[status] as UnifiedOrderStatus,
      mallStatus: status,
      orderedAt: parseAmazonTime(o.createdTime),
      updatedAt: parseAmazonTime(o.lastUpdatedTime),
      totalYen: total !== undefined ? yen(total) : lines.reduce((s, l) => s + l.unitPriceYen * l.quantity, 0),
      ...(buyerName
        ? { buyer: { name: buyerName, ...(o.buyer?.buyerEmail ? { email: o.buyer.buyerEmail } : {}), ...(a?.phone ? { phone: a.phone } : {}) } }
        : {}),
      ...(a?.name && a.postalCode
        ? {
            shipTo: {
              name: a.name,
              postalCode: a.postalCode,
              prefecture: a.stateOrRegion ?? '',
              address: joinAddress(a.city, a.addressLine1, [a.addressLine2, a.addressLine3]),
              ...(a.phone ? { phone: a.phone } : {}),
            },
          }
        : {}),
      lines,
    };
  }

  // -------------------------------------------------------------------------------------------
  // getOrders

  /**
   * Orders by number, one getOrder each (0.5 rps, burst 30): v0 getOrders by AmazonOrderIds would batch
   * 50, but it still needs a date filter and would spend the 1-per-minute bucket the order sync lives on.
   * Unknown numbers are left out.
   */
  async getOrders(orderNumbers: string[]): Promise<MallOrder[]> {
    const unique = [...new Set(orderNumbers)];
    const found: (MallOrder | undefined)[] = [];
    if (this.version === 'v0') {
      // One RDT names up to 50 order paths (tokens model: restrictedResources max 50).
      for (const batch of chunk(unique, 50)) {
        const resources: RestrictedResource[] = batch.map((id) => ({ method: 'GET', path: `/orders/v0/orders/${id}`, dataElements: ['buyerInfo', 'shippingAddress'] }));
        found.push(
          ...(await pool(batch, ITEMS_CONCURRENCY, (id) =>
            this.notFoundAsUndefined(async () => {
              const path = `/orders/v0/orders/${encodeURIComponent(id)}`;
              const { data } = await this.withPii(resources, (restricted) =>
                this.api.call({ op: 'getOrder', method: 'GET', path, schema: getOrder0, ...(restricted ? { restricted } : {}) }),
              );
              return this.normalise0(data.payload, await this.orderItems0(id));
            }),
          )),
        );
      }
    } else {
      found.push(
        ...(await pool(unique, ITEMS_CONCURRENCY, (id) =>
          this.notFoundAsUndefined(async () => this.normalise26((await this.getOrder26(id, INCLUDED_26)).order, ['order'])),
        )),
      );
    }
    return found.filter((o): o is MallOrder => o !== undefined);
  }

  private async getOrder26(orderId: string, includedData: string[]): Promise<z.infer<typeof getOrder26>> {
    const { data } = await this.api.call({
      op: 'getOrder@2026-01-01',
      method: 'GET',
      path: `/orders/2026-01-01/orders/${encodeURIComponent(orderId)}`,
      query: { includedData },
      schema: getOrder26,
    });
    return data;
  }

  private async notFoundAsUndefined<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (caught) {
      if (caught instanceof MallError && caught.kind === 'not-found') return undefined;
      throw caught;
    }
  }

  // -------------------------------------------------------------------------------------------
  // confirmShipments

  /** Items not shipped yet, as confirmShipment's orderItems. */
  private async unshipped(orderId: string): Promise<{ orderItemId: string; quantity: number }[]> {
    if (this.version === 'v0') {
      return (await this.orderItems0(orderId))
        .map((i) => ({ orderItemId: i.OrderItemId, quantity: i.QuantityOrdered - (i.QuantityShipped ?? 0) }))
        .filter((i) => i.quantity > 0);
    }
    const { order } = await this.getOrder26(orderId, ['FULFILLMENT']);
    if (order.fulfillment.fulfillmentStatus === 'CANCELLED') {
      throw new MallError({ mall: 'amazon', endpoint: 'confirmShipment', kind: 'invalid-request', code: 'CANCELLED', message: `order ${orderId} is cancelled and cannot be shipped` });
    }
    return order.orderItems
      .map((i) => ({ orderItemId: i.orderItemId, quantity: i.quantityOrdered - (i.fulfillment?.quantityFulfilled ?? 0) }))
      .filter((i) => i.quantity > 0);
  }

  /**
   * One confirmShipment per order with every unshipped item in one package (2 rps, burst 10). The
   * package id comes from the tracking number, so a retry edits the same package (spec §6.3), and an
   * order with nothing left to ship counts as confirmed.
   */
  async confirmShipments(shipments: ShipmentConfirmation[]): Promise<ItemResult[]> {
    return pool(shipments, 2, async (s) => {
      const key = s.orderNumber;
      const carrier = this.cfg.carriers[s.carrier];
      const carrierName = carrier.carrierCode === 'Other' ? (s.carrierName ?? carrier.carrierName) : carrier.carrierName;
      if (carrier.carrierCode === 'Other' && !carrierName?.trim()) {
        return itemFailure(key, { mall: 'amazon', endpoint: 'confirmShipment', kind: 'invalid-request', field: 'carrierName', message: 'Amazon needs the carrier name when the carrier is "Other"' });
      }
      if (s.trackingNumber.trim() === '') {
        return itemFailure(key, { mall: 'amazon', endpoint: 'confirmShipment', kind: 'invalid-request', field: 'trackingNumber', message: 'the tracking number is empty' });
      }
      try {
        const items = await this.unshipped(s.orderNumber);
        if (items.length === 0) return { key, ok: true };
        await this.api.call({
          op: 'confirmShipment',
          method: 'POST',
          path: `/orders/v0/orders/${encodeURIComponent(s.orderNumber)}/shipmentConfirmation`,
          body: {
            marketplaceId: this.cfg.marketplaceId,
            packageDetail: {
              packageReferenceId: packageReferenceId(s.trackingNumber),
              carrierCode: carrier.carrierCode,
              ...(carrierName ? { carrierName } : {}),
              trackingNumber: s.trackingNumber.trim(),
              shipDate: isoJst(s.shippedAt),
              orderItems: items,
            },
          },
          schema: z.undefined(),
          success: [204],
          idempotent: true,
        });
        return { key, ok: true };
      } catch (caught) {
        return itemFailure(key, toMallError(caught, 'confirmShipment'));
      }
    });
  }
}
