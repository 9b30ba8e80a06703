import { randomInt } from 'node:crypto';
import type { BuyerLine, SimContext } from '../core/types';
import { csv, type Call, type Handler } from './call';
import { randomBuyer, type JpBuyer } from './japan';
import type { ListingsStore } from './listings';
import type { AmazonAuth } from './lwa';
import type { ResolvedOptions } from './options';
import { invalidInput, iso, opaqueToken, SpApiFailure } from './respond';

/**
 * Orders: v0 reads (deprecated but served, spec §6.1), v2026-01-01 searchOrders/getOrder (§6.2), and
 * v0 confirmShipment for FBM (§6.3). Buyer orders come from the simulator's buyer traffic.
 */

type V0Status = 'Pending' | 'Unshipped' | 'PartiallyShipped' | 'Shipped' | 'Canceled';

const V2026_STATUS: Record<V0Status, string> = {
  Pending: 'PENDING',
  Unshipped: 'UNSHIPPED',
  PartiallyShipped: 'PARTIALLY_SHIPPED',
  Shipped: 'SHIPPED',
  Canceled: 'CANCELLED',
};

interface OrderLine {
  orderItemId: string;
  sellerSku: string;
  skuCode: string;
  asin: string;
  title: string;
  quantity: number;
  shipped: number;
  unitPrice: number;
}

interface ShipmentPackage {
  packageReferenceId: string;
  carrierCode: string;
  carrierName?: string;
  shippingMethod?: string;
  trackingNumber: string;
  shipDate: string;
  createdAt: number;
  items: { orderItemId: string; quantity: number }[];
}

export interface AmazonOrder {
  orderId: string;
  /** Placement order, to keep orders of the same millisecond in a stable order. */
  seq: number;
  status: V0Status;
  createdAt: number;
  updatedAt: number;
  pendingUntil?: number;
  lines: OrderLine[];
  buyer: JpBuyer;
  packages: ShipmentPackage[];
  earliestShipDate: number;
  latestShipDate: number;
  earliestDeliveryDate: number;
  latestDeliveryDate: number;
  cancelledBy?: string;
}

interface PageState {
  ids: string[];
  offset: number;
  pageSize: number;
  expiresAt: number;
  /** v0 payload / v2026 response echo the upper bound that was used. */
  bound: { name: 'CreatedBefore' | 'LastUpdatedBefore' | 'createdBefore' | 'lastUpdatedBefore'; value: string };
  /** v2026 includedData, kept so later pages render the same datasets. */
  includedData?: string[];
}

const DAY = 86_400_000;
const digits = (n: number): string => Array.from({ length: n }, () => String(randomInt(10))).join('');
const money0 = (amount: number) => ({ CurrencyCode: 'JPY', Amount: String(amount) });
const money26 = (amount: number) => ({ amount: String(amount), currencyCode: 'JPY' });

function parseDate(name: string, raw: string | null): number | undefined {
  if (raw === null || raw === '') return undefined;
  const t = Date.parse(raw);
  if (Number.isNaN(t)) throw invalidInput(`Invalid ${name}: '${raw}' is not an ISO 8601 date-time.`);
  return t;
}

export class OrdersService {
  readonly orders = new Map<string, AmazonOrder>();
  private readonly pages = new Map<string, PageState>();
  /** Order ids of the last order search answer (getOrders, searchOrders), for the `duplicate` fault. */
  private lastSearched: string[] = [];
  private seq = 0;

  constructor(
    private readonly ctx: SimContext,
    private readonly opts: ResolvedOptions,
    private readonly listings: ListingsStore,
    private readonly auth: AmazonAuth,
  ) {}

  private get marketplaceId(): string {
    return this.ctx.credentials.amazon.marketplaceId;
  }

  reset(): void {
    this.orders.clear();
    this.pages.clear();
  }

  tick(now: number): void {
    if (this.opts.pendingOrderMs <= 0) return;
    for (const o of this.orders.values()) {
      if (o.status === 'Pending' && o.pendingUntil !== undefined && now >= o.pendingUntil) {
        o.status = 'Unshipped';
        o.updatedAt = o.pendingUntil;
      }
    }
  }

  private newOrderId(): string {
    for (;;) {
      // JP order numbers seen: 249-/250-/503- prefixes, 3-7-7 digits (spec §3).
      const id = `${['249', '250', '503'][randomInt(3)]}-${digits(7)}-${digits(7)}`;
      if (!this.orders.has(id)) return id;
    }
  }

  // -------------------------------------------------------------------------------------------
  // buyer traffic (MallSim hooks)

  /** Accepts only when shown stock covers every line, as Amazon's storefront does. */
  placeBuyerOrder(lines: BuyerLine[]): string | null {
    if (lines.length === 0) return null;
    const wanted = new Map<string, number>();
    for (const l of lines) {
      if (!Number.isInteger(l.quantity) || l.quantity <= 0) return null;
      wanted.set(l.skuCode, (wanted.get(l.skuCode) ?? 0) + l.quantity);
    }
    for (const [skuCode, qty] of wanted) {
      const record = this.listings.bySkuCode(skuCode);
      if (!record || !this.listings.isBuyable(record) || this.listings.shownQuantity(record) < qty) return null;
    }
    const now = this.ctx.clock.now();
    let leadDays = 1;
    const orderLines: OrderLine[] = [];
    for (const l of lines) {
      const record = this.listings.bySkuCode(l.skuCode);
      if (!record) return null;
      this.listings.adjustQuantity(record, -l.quantity);
      const lead = (record.attributes.fulfillment_availability ?? []).find((e) => e.fulfillment_channel_code === 'DEFAULT')
        ?.lead_time_to_ship_max_days;
      if (typeof lead === 'number') leadDays = Math.max(leadDays, lead);
      orderLines.push({
        orderItemId: digits(14),
        sellerSku: record.sku,
        skuCode: l.skuCode,
        asin: record.asin ?? '',
        title: this.listings.itemName(record) ?? record.sku,
        quantity: l.quantity,
        shipped: 0,
        unitPrice: this.listings.price(record) ?? 0,
      });
    }
    const pending = this.opts.pendingOrderMs > 0;
    const latestShip = now + leadDays * DAY;
    const order: AmazonOrder = {
      orderId: this.newOrderId(),
      seq: this.seq++,
      status: pending ? 'Pending' : 'Unshipped',
      createdAt: now,
      updatedAt: now,
      pendingUntil: pending ? now + this.opts.pendingOrderMs : undefined,
      lines: orderLines,
      buyer: randomBuyer(),
      packages: [],
      earliestShipDate: now,
      latestShipDate: latestShip,
      earliestDeliveryDate: latestShip + DAY,
      latestDeliveryDate: latestShip + 3 * DAY,
    };
    this.orders.set(order.orderId, order);
    this.ctx.truth.recordOrder('amazon', order.orderId, lines);
    return order.orderId;
  }

  /** Buyer or Amazon cancels before shipment; the units go back on the listing. */
  cancelBuyerOrder(orderId: string): boolean {
    this.tick(this.ctx.clock.now());
    const order = this.orders.get(orderId);
    if (!order || (order.status !== 'Pending' && order.status !== 'Unshipped')) return false;
    order.status = 'Canceled';
    order.cancelledBy = 'BUYER';
    order.updatedAt = this.ctx.clock.now();
    for (const line of order.lines) {
      const record = this.listings.records.get(line.sellerSku);
      if (record) this.listings.adjustQuantity(record, line.quantity);
    }
    this.ctx.truth.recordCancel('amazon', orderId);
    return true;
  }

  // -------------------------------------------------------------------------------------------
  // views

  private total(o: AmazonOrder): number {
    return o.lines.reduce((s, l) => s + l.unitPrice * l.quantity, 0);
  }

  /** v0 ShippingAddress: only for these statuses; Name, AddressLine*, Phone, AddressType need an RDT (spec §2.3). */
  private v0Address(o: AmazonOrder, pii: boolean): Record<string, unknown> | undefined {
    if (o.status !== 'Unshipped' && o.status !== 'PartiallyShipped' && o.status !== 'Shipped') return undefined;
    const a = o.buyer.address;
    const out: Record<string, unknown> = { City: a.city, StateOrRegion: a.stateOrRegion, PostalCode: a.postalCode, CountryCode: 'JP' };
    if (pii) {
      Object.assign(out, { Name: a.name, AddressLine1: a.addressLine1, AddressType: 'Residential' });
      if (a.addressLine2) out.AddressLine2 = a.addressLine2;
      // Phone is withheld for shipped MFN orders once the delivery date has passed (ordersV0 model).
      if (!(o.status === 'Shipped' && this.ctx.clock.now() > o.latestDeliveryDate)) out.Phone = a.phone;
    }
    return out;
  }

  private v0Order(o: AmazonOrder, elements: Set<string>): Record<string, unknown> {
    const shipped = o.lines.reduce((s, l) => s + l.shipped, 0);
    const ordered = o.lines.reduce((s, l) => s + l.quantity, 0);
    const out: Record<string, unknown> = {
      AmazonOrderId: o.orderId,
      PurchaseDate: iso(o.createdAt),
      LastUpdateDate: iso(o.updatedAt),
      OrderStatus: o.status,
      FulfillmentChannel: 'MFN',
      SalesChannel: 'Amazon.co.jp',
      ShipServiceLevel: 'Std JP Kanto8',
      OrderTotal: money0(this.total(o)),
      NumberOfItemsShipped: shipped,
      NumberOfItemsUnshipped: o.status === 'Canceled' ? 0 : ordered - shipped,
      PaymentMethod: 'Other',
      PaymentMethodDetails: ['Standard'],
      MarketplaceId: this.marketplaceId,
      ShipmentServiceLevelCategory: 'Standard',
      OrderType: 'StandardOrder',
      EarliestShipDate: iso(o.earliestShipDate),
      LatestShipDate: iso(o.latestShipDate),
      EarliestDeliveryDate: iso(o.earliestDeliveryDate),
      LatestDeliveryDate: iso(o.latestDeliveryDate),
      IsBusinessOrder: false,
      IsPrime: false,
      IsPremiumOrder: false,
      IsGlobalExpressEnabled: false,
      IsReplacementOrder: false,
      IsSoldByAB: false,
      IsISPU: false,
      IsAccessPointOrder: false,
      HasRegulatedItems: false,
      BuyerInfo: { BuyerEmail: o.buyer.email, ...(elements.has('buyerInfo') ? { BuyerName: o.buyer.name } : {}) },
      AutomatedShippingSettings: { HasAutomatedShippingSettings: false },
    };
    const address = this.v0Address(o, elements.has('shippingAddress'));
    if (address) out.ShippingAddress = address;
    return out;
  }

  private v0Item(o: AmazonOrder, l: OrderLine): Record<string, unknown> {
    const out: Record<string, unknown> = {
      ASIN: l.asin,
      SellerSKU: l.sellerSku,
      OrderItemId: l.orderItemId,
      Title: l.title,
      QuantityOrdered: l.quantity,
      QuantityShipped: l.shipped,
      ProductInfo: { NumberOfItems: '1' },
      IsGift: 'false',
      ConditionId: 'New',
      ConditionSubtypeId: 'New',
      IsTransparency: false,
      SerialNumberRequired: false,
      BuyerRequestedCancel: { IsBuyerRequestedCancel: 'false', BuyerCancelReason: '' },
    };
    // Prices are withheld while the order is Pending (spec §6.1); ItemPrice is unit price × quantity.
    if (o.status !== 'Pending') {
      Object.assign(out, {
        ItemPrice: money0(l.unitPrice * l.quantity),
        ShippingPrice: money0(0),
        PromotionDiscount: money0(0),
        ShippingDiscount: money0(0),
      });
    }
    return out;
  }

  private v2026Order(o: AmazonOrder, included: Set<string>): Record<string, unknown> {
    const mp = this.marketplaceId;
    const out: Record<string, unknown> = {
      orderId: o.orderId,
      createdTime: iso(o.createdAt),
      lastUpdatedTime: iso(o.updatedAt),
      programs: [],
      salesChannel: { channelName: 'AMAZON', marketplaceId: mp, marketplaceName: 'Amazon.co.jp' },
    };
    // v2026 has no RDT: PII is role-based and asked for with includedData (spec §2.3); the simulated app holds the roles.
    if (included.has('BUYER')) out.buyer = { buyerName: o.buyer.name, buyerEmail: o.buyer.email };
    if (included.has('RECIPIENT') && o.status !== 'Pending' && o.status !== 'Canceled') {
      const a = o.buyer.address;
      out.recipient = {
        deliveryAddress: {
          name: a.name,
          addressLine1: a.addressLine1,
          ...(a.addressLine2 ? { addressLine2: a.addressLine2 } : {}),
          city: a.city,
          stateOrRegion: a.stateOrRegion,
          postalCode: a.postalCode,
          countryCode: 'JP',
          phone: a.phone,
          addressType: 'RESIDENTIAL',
        },
      };
    }
    if (included.has('PROCEEDS') && o.status !== 'Pending') {
      out.proceeds = { grandTotal: money26(this.total(o)), breakdowns: [{ type: 'ITEM', subtotal: money26(this.total(o)) }] };
    }
    if (included.has('FULFILLMENT')) {
      out.fulfillment = {
        fulfillmentStatus: V2026_STATUS[o.status],
        fulfilledBy: 'MERCHANT',
        fulfillmentServiceLevel: 'STANDARD',
        shipByWindow: { earliestDateTime: iso(o.earliestShipDate), latestDateTime: iso(o.latestShipDate) },
        deliverByWindow: { earliestDateTime: iso(o.earliestDeliveryDate), latestDateTime: iso(o.latestDeliveryDate) },
      };
    }
    out.orderItems = o.lines.map((l) => {
      const item: Record<string, unknown> = {
        orderItemId: l.orderItemId,
        quantityOrdered: l.quantity,
        product: {
          asin: l.asin,
          title: l.title,
          sellerSku: l.sellerSku,
          condition: { conditionType: 'NEW', conditionSubtype: 'NEW' },
          price: { unitPrice: money26(l.unitPrice) },
        },
      };
      if (included.has('PROCEEDS') && o.status !== 'Pending') {
        const subtotal = money26(l.unitPrice * l.quantity);
        item.proceeds = { proceedsTotal: subtotal, breakdowns: [{ type: 'ITEM', subtotal }] };
      }
      if (included.has('FULFILLMENT')) {
        item.fulfillment = { quantityFulfilled: l.shipped, quantityUnfulfilled: o.status === 'Canceled' ? 0 : l.quantity - l.shipped };
      }
      if (included.has('CANCELLATION') && o.status === 'Canceled') {
        item.cancellation = { cancellationExecution: { cancelledBy: o.cancelledBy ?? 'BUYER', cancelReason: 'BUYER_CANCELED' } };
      }
      return item;
    });
    if (included.has('PACKAGES')) {
      out.packages = o.packages.map((p) => ({
        packageReferenceId: p.packageReferenceId,
        createdTime: iso(p.createdAt),
        packageStatus: { status: 'SHIPPED' },
        carrier: p.carrierCode === 'Other' ? (p.carrierName ?? 'Other') : p.carrierCode,
        shipTime: iso(Date.parse(p.shipDate)),
        ...(p.shippingMethod ? { shippingService: p.shippingMethod } : {}),
        trackingNumber: p.trackingNumber,
        packageItems: p.items.map((i) => ({ orderItemId: i.orderItemId, quantity: i.quantity })),
      }));
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // search shared by v0 getOrders and v2026 searchOrders

  private checkMarketplaces(ids: string[]): void {
    const other = ids.find((m) => m !== this.marketplaceId);
    if (other) throw invalidInput(`Invalid MarketplaceId '${other}': the seller does not participate in it.`);
  }

  /**
   * Date-window rules both versions document: exactly one of created/lastUpdated After, no mixing,
   * Before ≥ After and at least two minutes before now. Orders are visible up to `now − lag`.
   */
  private window(
    names: { ca: string; cb: string; ua: string; ub: string },
    q: URLSearchParams,
    allowNoDates: boolean,
  ): { field: 'createdAt' | 'updatedAt'; after: number; before: number; boundName: 'created' | 'updated' } {
    const ca = parseDate(names.ca, q.get(names.ca));
    const cb = parseDate(names.cb, q.get(names.cb));
    const ua = parseDate(names.ua, q.get(names.ua));
    const ub = parseDate(names.ub, q.get(names.ub));
    const now = this.ctx.clock.now();
    const latest = now - this.opts.ordersVisibilityLagMs;
    if ((ca !== undefined || cb !== undefined) && (ua !== undefined || ub !== undefined)) {
      throw invalidInput(`${names.ca}/${names.cb} and ${names.ua}/${names.ub} cannot be used together.`);
    }
    if (ca === undefined && ua === undefined) {
      if (allowNoDates) return { field: 'createdAt', after: 0, before: latest, boundName: 'created' };
      throw invalidInput(`Either ${names.ca} or ${names.ua} is required.`);
    }
    const after = (ca ?? ua) as number;
    const before = ca !== undefined ? cb : ub;
    if (after > now) throw invalidInput(`${ca !== undefined ? names.ca : names.ua} cannot be in the future.`);
    if (before !== undefined) {
      if (before < after) throw invalidInput(`${ca !== undefined ? names.cb : names.ub} must be equal to or after ${ca !== undefined ? names.ca : names.ua}.`);
      if (before > latest) throw invalidInput(`${ca !== undefined ? names.cb : names.ub} must be at least two minutes before the time of the request.`);
    }
    return {
      field: ca !== undefined ? 'createdAt' : 'updatedAt',
      after,
      before: before ?? latest,
      boundName: ca !== undefined ? 'created' : 'updated',
    };
  }

  private savePage(state: PageState): string {
    const token = opaqueToken();
    this.pages.set(token, state);
    return token;
  }

  private loadPage(token: string): PageState {
    const state = this.pages.get(token);
    if (!state || this.ctx.clock.now() > state.expiresAt) {
      // Amazon's answer to a NextToken that was not URL-encoded (spec §3).
      throw invalidInput('We could not decode your NextToken. Please ensure that it is URL-encoded and passed unchanged.');
    }
    return state;
  }

  private getOrders(call: Call): void {
    const q = call.query;
    this.checkMarketplaces(csv(q, 'MarketplaceIds'));
    const token = q.get('NextToken');
    let page: PageState;
    if (token !== null) {
      // Filters repeated alongside NextToken are accepted and ignored (spec §6.1: UNCERTAIN, accept both).
      page = this.loadPage(token);
    } else {
      const max = Number(q.get('MaxResultsPerPage') ?? '100');
      if (!(max >= 1 && max <= 100)) throw invalidInput('MaxResultsPerPage must be between 1 and 100.');
      const orderIds = csv(q, 'AmazonOrderIds');
      const w = this.window({ ca: 'CreatedAfter', cb: 'CreatedBefore', ua: 'LastUpdatedAfter', ub: 'LastUpdatedBefore' }, q, orderIds.length > 0);
      const statuses = csv(q, 'OrderStatuses');
      const channels = csv(q, 'FulfillmentChannels');
      const sellerOrderId = q.get('SellerOrderId');
      if (sellerOrderId && (statuses.length > 0 || channels.length > 0 || w.field === 'updatedAt' || q.has('BuyerEmail'))) {
        throw invalidInput('SellerOrderId cannot be combined with OrderStatuses, FulfillmentChannels, LastUpdated dates or BuyerEmail.');
      }
      const ids = [...this.orders.values()]
        .filter((o) => o[w.field] >= w.after && o[w.field] <= w.before)
        .filter((o) => statuses.length === 0 || statuses.includes(o.status))
        // Every simulated order is merchant-fulfilled.
        .filter(() => channels.length === 0 || channels.includes('MFN'))
        .filter((o) => orderIds.length === 0 || orderIds.includes(o.orderId))
        .filter((o) => !q.has('BuyerEmail') || q.get('BuyerEmail') === o.buyer.email)
        // Simulated orders carry no SellerOrderId, so that filter matches nothing.
        .filter(() => !sellerOrderId)
        .sort((a, b) => a[w.field] - b[w.field] || a.seq - b.seq)
        .map((o) => o.orderId);
      page = {
        ids,
        offset: 0,
        pageSize: max,
        expiresAt: this.ctx.clock.now() + DAY,
        bound: { name: w.boundName === 'created' ? 'CreatedBefore' : 'LastUpdatedBefore', value: iso(w.before) },
      };
    }
    const elements = this.auth.dataElements(call.token, call.request.method, call.request.url.pathname);
    const answered = this.answeredIds(page.ids.slice(page.offset, page.offset + page.pageSize), call.request.url.pathname);
    const slice = answered.flatMap((id) => {
      const o = this.orders.get(id);
      return o ? [this.v0Order(o, elements)] : [];
    });
    const payload: Record<string, unknown> = { Orders: slice, [page.bound.name]: page.bound.value };
    if (page.offset + page.pageSize < page.ids.length) payload.NextToken = this.savePage({ ...page, offset: page.offset + page.pageSize });
    call.ok(200, { payload });
  }

  private searchOrders(call: Call): void {
    const q = call.query;
    this.checkMarketplaces(csv(q, 'marketplaceIds'));
    const token = q.get('paginationToken');
    let page: PageState;
    if (token !== null) {
      page = this.loadPage(token);
    } else {
      const max = Number(q.get('maxResultsPerPage') ?? '100');
      if (!(max >= 1 && max <= 100)) throw invalidInput('maxResultsPerPage must be between 1 and 100.');
      const w = this.window({ ca: 'createdAfter', cb: 'createdBefore', ua: 'lastUpdatedAfter', ub: 'lastUpdatedBefore' }, q, false);
      const statuses = csv(q, 'fulfillmentStatuses');
      const by = csv(q, 'fulfilledBy');
      const ids = [...this.orders.values()]
        .filter((o) => o[w.field] >= w.after && o[w.field] <= w.before)
        .filter((o) => statuses.length === 0 || statuses.includes(V2026_STATUS[o.status]))
        .filter(() => by.length === 0 || by.includes('MERCHANT'))
        .sort((a, b) => a[w.field] - b[w.field] || a.seq - b.seq)
        .map((o) => o.orderId);
      page = {
        ids,
        offset: 0,
        pageSize: max,
        // paginationToken lives 24 hours (spec §6.2).
        expiresAt: this.ctx.clock.now() + DAY,
        bound: { name: w.boundName === 'created' ? 'createdBefore' : 'lastUpdatedBefore', value: iso(w.before) },
        includedData: csv(q, 'includedData'),
      };
    }
    const included = new Set(q.has('includedData') ? csv(q, 'includedData') : (page.includedData ?? []));
    const answered = this.answeredIds(page.ids.slice(page.offset, page.offset + page.pageSize), call.request.url.pathname);
    const orders = answered.flatMap((id) => {
      const o = this.orders.get(id);
      return o ? [this.v2026Order(o, included)] : [];
    });
    const body: Record<string, unknown> = { orders, [page.bound.name]: page.bound.value };
    if (page.offset + page.pageSize < page.ids.length) body.pagination = { nextToken: this.savePage({ ...page, offset: page.offset + page.pageSize }) };
    call.ok(200, body);
  }

  /** The ids an order search answers: its hits, after the previous answer's when the `duplicate` fault fires. */
  private answeredIds(hits: string[], path: string): string[] {
    const again = this.ctx.faults.take('amazon', path, ['duplicate']) ? this.lastSearched.filter((id) => !hits.includes(id)) : [];
    this.lastSearched = hits;
    return [...again, ...hits];
  }

  private orderOr404(orderId: string): AmazonOrder {
    const order = this.orders.get(orderId);
    if (!order) throw new SpApiFailure(404, [{ code: this.opts.notFoundCode, message: `Order ${orderId} not found.`, details: '' }]);
    return order;
  }

  /** confirmShipment (v0, FBM): one call per package; re-sending a packageReferenceId edits that package (spec §6.3). */
  private confirmShipment(call: Call): void {
    const order = this.orderOr404(call.params.orderId ?? '');
    const body = call.body as {
      marketplaceId: string;
      packageDetail: {
        packageReferenceId: string;
        carrierCode: string;
        carrierName?: string;
        shippingMethod?: string;
        trackingNumber: string;
        shipDate: string;
        orderItems: { orderItemId: string; quantity: number }[];
      };
    };
    const d = body.packageDetail;
    if (body.marketplaceId !== this.marketplaceId) throw invalidInput(`Invalid marketplaceId '${body.marketplaceId}'.`);
    if (order.status === 'Canceled') throw invalidInput(`Order ${order.orderId} is canceled and cannot be confirmed as shipped.`);
    if (order.status === 'Pending') throw invalidInput(`Order ${order.orderId} is Pending; only Unshipped or PartiallyShipped orders can be shipped.`);
    if (!/^[1-9]\d*$/.test(d.packageReferenceId)) throw invalidInput('packageReferenceId must be a positive number, unique for the order.');
    if (d.carrierCode.trim() === '') throw invalidInput('carrierCode must not be empty.');
    if (d.carrierCode === 'Other' && !d.carrierName?.trim()) throw invalidInput("carrierName is required when carrierCode is 'Other'.");
    if (this.opts.allowedCarrierCodes && !this.opts.allowedCarrierCodes.includes(d.carrierCode)) {
      throw invalidInput(`Invalid carrierCode '${d.carrierCode}'.`);
    }
    if (d.trackingNumber.trim() === '') throw invalidInput('trackingNumber must not be empty.');
    const shipAt = Date.parse(d.shipDate);
    if (shipAt < order.createdAt - DAY) throw invalidInput('shipDate cannot be before the order was placed.');
    if (d.orderItems.length === 0) throw invalidInput('packageDetail.orderItems must not be empty.');

    const previous = order.packages.find((p) => p.packageReferenceId === d.packageReferenceId);
    const alreadyShipped = new Map<string, number>();
    for (const p of order.packages) {
      if (p === previous) continue;
      for (const i of p.items) alreadyShipped.set(i.orderItemId, (alreadyShipped.get(i.orderItemId) ?? 0) + i.quantity);
    }
    const inPackage = new Map<string, number>();
    for (const item of d.orderItems) {
      const line = order.lines.find((l) => l.orderItemId === item.orderItemId);
      if (!line) throw invalidInput(`orderItemId '${item.orderItemId}' does not belong to order ${order.orderId}.`);
      if (!(item.quantity >= 1)) throw invalidInput(`quantity for orderItemId '${item.orderItemId}' must be at least 1.`);
      inPackage.set(item.orderItemId, (inPackage.get(item.orderItemId) ?? 0) + item.quantity);
    }
    for (const [id, qty] of inPackage) {
      const line = order.lines.find((l) => l.orderItemId === id) as OrderLine;
      if ((alreadyShipped.get(id) ?? 0) + qty > line.quantity) {
        throw invalidInput(`quantity for orderItemId '${id}' exceeds the unshipped quantity (${line.quantity - (alreadyShipped.get(id) ?? 0)}).`);
      }
    }

    const now = this.ctx.clock.now();
    const pkg: ShipmentPackage = {
      packageReferenceId: d.packageReferenceId,
      carrierCode: d.carrierCode,
      carrierName: d.carrierName,
      shippingMethod: d.shippingMethod,
      trackingNumber: d.trackingNumber,
      shipDate: d.shipDate,
      createdAt: previous?.createdAt ?? now,
      items: [...inPackage].map(([orderItemId, quantity]) => ({ orderItemId, quantity })),
    };
    order.packages = previous ? order.packages.map((p) => (p === previous ? pkg : p)) : [...order.packages, pkg];
    for (const line of order.lines) {
      line.shipped = order.packages.reduce((s, p) => s + p.items.filter((i) => i.orderItemId === line.orderItemId).reduce((a, i) => a + i.quantity, 0), 0);
    }
    const complete = order.lines.every((l) => l.shipped >= l.quantity);
    order.status = complete ? 'Shipped' : order.lines.some((l) => l.shipped > 0) ? 'PartiallyShipped' : 'Unshipped';
    order.updatedAt = now;
    call.ok(204);
  }

  readonly handlers: Record<
    'getOrders' | 'getOrder' | 'getOrderItems' | 'getOrderAddress' | 'getOrderBuyerInfo' | 'confirmShipment' | 'searchOrders' | 'getOrder@2026-01-01',
    Handler
  > = {
    getOrders: (call) => this.getOrders(call),
    getOrder: (call) => {
      const o = this.orderOr404(call.params.orderId ?? '');
      call.ok(200, { payload: this.v0Order(o, this.auth.dataElements(call.token, call.request.method, call.request.url.pathname)) });
    },
    getOrderItems: (call) => {
      const o = this.orderOr404(call.params.orderId ?? '');
      if (call.query.has('NextToken')) this.loadPage(call.query.get('NextToken') ?? '');
      call.ok(200, { payload: { AmazonOrderId: o.orderId, OrderItems: o.lines.map((l) => this.v0Item(o, l)) } });
    },
    getOrderAddress: (call) => {
      const o = this.orderOr404(call.params.orderId ?? '');
      const elements = this.auth.dataElements(call.token, call.request.method, call.request.url.pathname);
      const address = this.v0Address(o, elements.has('shippingAddress'));
      call.ok(200, { payload: { AmazonOrderId: o.orderId, ...(address ? { ShippingAddress: address } : {}) } });
    },
    getOrderBuyerInfo: (call) => {
      const o = this.orderOr404(call.params.orderId ?? '');
      const elements = this.auth.dataElements(call.token, call.request.method, call.request.url.pathname);
      call.ok(200, { payload: { AmazonOrderId: o.orderId, BuyerEmail: o.buyer.email, ...(elements.has('buyerInfo') ? { BuyerName: o.buyer.name } : {}) } });
    },
    confirmShipment: (call) => this.confirmShipment(call),
    searchOrders: (call) => this.searchOrders(call),
    'getOrder@2026-01-01': (call) => {
      const o = this.orderOr404(call.params.orderId ?? '');
      // getOrder always carries the items (spec §6.2); other datasets follow includedData.
      call.ok(200, { order: this.v2026Order(o, new Set(csv(call.query, 'includedData'))) });
    },
  };
}
