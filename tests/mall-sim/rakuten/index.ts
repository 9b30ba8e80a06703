import { Router } from '../core/http';
import type { BuyerLine, MallSim, RouteRequest, SeedListing, SimContext } from '../core/types';
import { authenticate, licenseExpiryDate } from './auth';
import { RAKUTEN_FUNCTIONS, resolveOptions, type RakutenFunction, type RakutenSimOptions, type ResolvedOptions } from './config';
import { gatewayError, itemError, msg, sendReply, type Reply } from './errors';
import * as inv from './inventory';
import * as items from './items';
import * as orders from './orders';
import { isPlainObject, prng, RakutenStore, slotKey, type ItemBody } from './store';
import { DAY_MS, endOfJstDay } from './time';

export { RAKUTEN_FUNCTIONS, DEFAULT_RATE_LIMITS, type RakutenFunction, type RakutenSimOptions } from './config';

/** The Rakuten part of the mall simulator, plus test hooks the shared MallSim interface lacks. */
export interface RakutenSim extends MallSim {
  readonly mall: 'rakuten';
  readonly options: ResolvedOptions;
  /** 利用機能編集 (spec §1): a disabled function answers the gateway's 400 ES04-01. */
  setFunctionEnabled(fn: RakutenFunction, enabled: boolean): void;
  enabledFunctions(): RakutenFunction[];
  /** Move a license key's expiry (mall ms); default key = ctx.credentials.rakuten.licenseKey. */
  setLicenseExpiry(expiresAt: number, licenseKey?: string): void;
  licenseExpiry(licenseKey?: string): number | undefined;
  /** A renewed key (spec §2): works alongside the old one until each expires. Default expiry: 90 days on. */
  issueLicenseKey(licenseKey: string, expiresAt?: number): void;
  /** getOrder's OrderModel (version 10) for one order, after time-driven transitions. */
  orderModel(orderNumber: string): Record<string, unknown> | undefined;
  /** Shown stock of one inventory row. */
  inventoryQuantity(manageNumber: string, variantId: string): number | undefined;
}

type Family = 'item' | 'order' | 'license';

interface Call {
  request: RouteRequest;
  params: Record<string, string>;
  body: unknown;
}

const ORDER_CODE_SEGMENT: Record<string, string> = {
  searchOrder: 'SEARCH_ORDER',
  getOrder: 'GET_ORDER',
  confirmOrder: 'CONFIRM_ORDER',
  updateOrderShipping: 'UPDATE_ORDERSHIPPING',
  updateOrderShippingAsync: 'UPDATE_ORDERSHIPPING_ASYNC',
  getResultUpdateOrderShippingAsync: 'GET_RESULT_UPDATEORDERSHIPPING_ASYNC',
  cancelOrder: 'CANCEL_ORDER',
};

const SELECTOR_NAMES: Record<string, string> = { color: 'カラー', size: 'サイズ', type: 'タイプ' };

export function createRakutenSim(ctx: SimContext, options: RakutenSimOptions = {}): RakutenSim {
  const opts = resolveOptions(options);
  const creds = ctx.credentials.rakuten;
  let store = new RakutenStore();
  let rand = prng(opts.randomSeed);
  let enabled = new Set<RakutenFunction>(options.enabledFunctions ?? RAKUTEN_FUNCTIONS);
  const now = () => ctx.clock.now();

  const defaultExpiry = () => endOfJstDay(now() + 90 * DAY_MS);
  const initLicense = () => store.licenseKeys.set(creds.licenseKey, options.licenseExpiresAt ?? defaultExpiry());
  initLicense();

  const itemDeps: items.ItemApiDeps = { get store() { return store; }, now, options: opts };
  const invDeps: inv.InventoryDeps = { get store() { return store; }, now, options: opts, faults: ctx.faults };
  const orderDeps: orders.OrderDeps = {
    get store() { return store; },
    get rand() { return rand; },
    now,
    options: opts,
    truth: ctx.truth,
    shopId: creds.shopId,
  };
  const skuOf = (mn: string, vid: string) => store.skuBySlot.get(slotKey(mn, vid));

  // ------------------------------------------------------------------------------------------ gateway

  const style = opts.gatewayErrorStyle;
  const unauthorised = () => gatewayError(style, 401, style === 'results' ? 'ES01-01' : 'GA0001', 'Un-Authorised');

  function throttled(): Reply {
    // No captured JSON-API example exists (spec §7/§13); the body reuses the gateway shape with the
    // legacy APIs' `QPSLimit` text, the only documented throttling wording.
    const headers: Record<string, string> = opts.retryAfterSeconds === null ? {} : { 'Retry-After': String(opts.retryAfterSeconds) };
    return gatewayError(style, opts.throttleStatus, 'QPSLimit', 'QPSLimit', headers);
  }

  function serverError(family: Family, fn: RakutenFunction, status: number): Reply {
    const maintenance = status === 503;
    if (family === 'order') {
      const seg = ORDER_CODE_SEGMENT[fn.replace('rpay.order.', '')] ?? 'SYSTEM';
      // Spec §6 names no system-error code; `_ERROR_999` is this simulator's.
      return { status, body: { MessageModelList: [msg('ERROR', `ORDER_EXT_API_${seg}_ERROR_999`, maintenance ? 'ただいまメンテナンス中です。' : 'システムエラーが発生しました。')] } };
    }
    // GE0019 is ItemAPI's documented 500 code (spec §4.5); 503 has no code of its own there.
    return itemError(status, 'GE0019', maintenance ? 'Service Unavailable' : 'Internal Server Error');
  }

  function contentTypeOk(header: string | undefined): boolean {
    if (!header) return false;
    if (opts.contentTypeRule === 'no-space-charset') return header.toLowerCase() === 'application/json;charset=utf-8';
    return /^application\/json\s*(;.*)?$/i.test(header);
  }

  function gate(request: RouteRequest, params: Record<string, string>, fn: RakutenFunction, family: Family, handler: (call: Call) => Reply): Reply {
    const path = request.url.pathname;
    const auth = authenticate(request, store, creds.serviceSecret, now());
    if (!auth.ok) {
      // Spec §7 also reports 400 ES04-01 for an unrecognised key (UNCERTAIN; option unknownKeyStatus).
      if (auth.reason === 'unknown' && opts.unknownKeyStatus === 400) return gatewayError(style, 400, 'ES04-01', 'Bad Request');
      return unauthorised();
    }
    if (ctx.faults.take('rakuten', path, ['expire-auth'])) return unauthorised();
    if (!enabled.has(fn)) return gatewayError(style, 400, 'ES04-01', 'Bad Request');
    const bucket = fn.startsWith('rpay.order.') && opts.orderApiBucket === 'shared' ? 'rpay.order' : fn;
    if (ctx.faults.take('rakuten', path, ['throttle'])) return throttled();
    if (!ctx.limiter.take(`rakuten:${bucket}`, opts.rateLimits[bucket] ?? { rate: 1, burst: 1 })) return throttled();
    const serverFault = ctx.faults.take('rakuten', path, ['server-error']);
    if (serverFault) return serverError(family, fn, serverFault.status ?? 500);

    let body: unknown;
    if (request.method === 'POST' || request.method === 'PUT' || request.method === 'PATCH') {
      const ct = request.req.headers['content-type'];
      if (!contentTypeOk(ct)) {
        // ItemAPI documents 415 GE0012 (spec §4.5); KUKU's ES04-03 is the gateway form (spec §1/§7).
        if (family === 'item' && opts.contentTypeRule === 'any-json') return itemError(415, 'GE0012', `Unsupported Media Type: ${ct ?? '(none)'}`);
        return gatewayError(style, 415, 'ES04-03', 'Unsupported Media Type');
      }
      if (request.body.length > 0) {
        try {
          body = JSON.parse(request.body.toString('utf8'));
        } catch {
          if (family === 'order') {
            const seg = ORDER_CODE_SEGMENT[fn.replace('rpay.order.', '')] ?? 'SYSTEM';
            return { status: 400, body: { MessageModelList: [msg('ERROR', `ORDER_EXT_API_${seg}_ERROR_001`, 'リクエストの形式が不正です。')] } };
          }
          return itemError(400, 'IE0002', 'Malformed JSON request body.');
        }
      }
    }
    return handler({ request, params, body });
  }

  const router = new Router();
  function endpoint(method: string, path: string, fn: RakutenFunction, family: Family, handler: (call: Call) => Reply): void {
    router.add(method, path, (request, params) => {
      sendReply(request.res, gate(request, params, fn, family, handler));
    });
  }

  endpoint('GET', '/es/1.0/license-management/license-key/expiry-date', 'license.expiryDate.get', 'license', (c) => licenseExpiryDate(c.request.url, store));

  const mnPath = '/es/2.0/items/manage-numbers/:manageNumber';
  endpoint('GET', mnPath, 'items.get', 'item', (c) => items.itemsGet(itemDeps, c.params.manageNumber ?? ''));
  endpoint('PUT', mnPath, 'items.upsert', 'item', (c) => items.itemsUpsert(itemDeps, c.params.manageNumber ?? '', c.body));
  endpoint('PATCH', mnPath, 'items.patch', 'item', (c) => items.itemsPatch(itemDeps, c.params.manageNumber ?? '', c.body));
  endpoint('DELETE', mnPath, 'items.delete', 'item', (c) => items.itemsDelete(itemDeps, c.params.manageNumber ?? ''));
  endpoint('POST', '/es/2.0/items/bulk-get', 'items.bulk.get', 'item', (c) => items.itemsBulkGet(itemDeps, c.body));
  endpoint('GET', '/es/2.0/items/search', 'items.search', 'item', (c) => items.itemsSearch(itemDeps, c.request.url));

  for (const v of ['2.0', '2.1'] as const) {
    const variantPath = `/es/${v}/inventories/manage-numbers/:manageNumber/variants/:variantId`;
    endpoint('GET', variantPath, 'inventories.variants.get', 'item', (c) => inv.variantsGet(invDeps, v, c.params.manageNumber ?? '', c.params.variantId ?? ''));
    endpoint('PUT', variantPath, 'inventories.variants.upsert', 'item', (c) =>
      inv.variantsUpsert(invDeps, v, c.params.manageNumber ?? '', c.params.variantId ?? '', c.body),
    );
    endpoint('DELETE', variantPath, 'inventories.variants.delete', 'item', (c) => inv.variantsDelete(invDeps, c.params.manageNumber ?? '', c.params.variantId ?? ''));
    endpoint('POST', `/es/${v}/inventories/bulk-get`, 'inventories.bulk.get', 'item', (c) => inv.bulkGet(invDeps, v, c.body));
    endpoint('GET', `/es/${v}/inventories/bulk-get/range`, 'inventories.bulk.get.range', 'item', (c) => inv.bulkGetRange(invDeps, v, c.request.url));
    endpoint('POST', `/es/${v}/inventories/bulk-upsert`, 'inventories.bulk.upsert', 'item', (c) =>
      inv.bulkUpsert(invDeps, v, c.body, c.request.url.pathname, skuOf),
    );
  }
  endpoint('GET', '/es/2.1/inventories/variant-lists/manage-numbers/:manageNumber', 'inventories.variant-lists.get', 'item', (c) =>
    inv.variantListsGet(invDeps, c.params.manageNumber ?? ''),
  );

  const orderHandlers: Record<string, (d: orders.OrderDeps, body: unknown) => Reply> = {
    searchOrder: orders.searchOrder,
    getOrder: orders.getOrder,
    confirmOrder: orders.confirmOrder,
    updateOrderShipping: orders.updateOrderShipping,
    updateOrderShippingAsync: orders.updateOrderShippingAsync,
    getResultUpdateOrderShippingAsync: orders.getResultUpdateOrderShippingAsync,
    cancelOrder: orders.cancelOrder,
  };
  // The order numbers of the last searchOrder answer, for the `duplicate` fault.
  let lastSearchHits: string[] = [];
  for (const [name, handler] of Object.entries(orderHandlers)) {
    endpoint('POST', `/es/2.0/order/${name}/`, `rpay.order.${name}` as RakutenFunction, 'order', (c) => {
      const reply = handler(orderDeps, c.body);
      if (name !== 'searchOrder') return reply;
      const answer = reply.body as { orderNumberList?: string[] | null } | undefined;
      if (reply.status !== 200 || !Array.isArray(answer?.orderNumberList)) return reply;
      const hits = answer.orderNumberList;
      const again = ctx.faults.take('rakuten', c.request.url.pathname, ['duplicate']) ? lastSearchHits.filter((n) => !hits.includes(n) && store.orders.has(n)) : [];
      lastSearchHits = hits;
      return again.length > 0 ? { ...reply, body: { ...answer, orderNumberList: [...again, ...hits] } } : reply;
    });
  }

  // -------------------------------------------------------------------------------------- sim hooks

  function visibleSlot(skuCode: string): { manageNumber: string; variantId: string; item: ItemBody; variant: Record<string, unknown> } | null {
    const slot = store.slotBySku.get(skuCode);
    if (!slot) return null;
    const item = store.items.get(slot.manageNumber);
    if (!item || item.body.hideItem === true) return null;
    const variant = item.body.variants[slot.variantId];
    if (!variant || variant.hidden === true) return null;
    return { ...slot, item: item.body, variant };
  }

  function seed(listings: SeedListing[]): void {
    const groups = new Map<string, SeedListing[]>();
    for (const l of listings) {
      if (!l.rakuten) continue;
      const mn = l.rakuten.manageNumber.toLowerCase();
      groups.set(mn, [...(groups.get(mn) ?? []), l]);
    }
    const t = now();
    for (const [mn, group] of groups) {
      const body = seedItemBody(group);
      const errors = items.validateItem(body, undefined, true);
      if (errors.length > 0) throw new Error(`rakuten seed: item ${mn} is not valid for ItemAPI: ${JSON.stringify(errors)}`);
      const previous = store.items.get(mn);
      store.items.set(mn, { manageNumber: mn, body, created: previous?.created ?? t, updated: t });
      store.itemIdFor(mn);
      for (const l of group) {
        const vid = l.rakuten!.variantId;
        store.inventory.set(slotKey(mn, vid), { manageNumber: mn, variantId: vid, quantity: Math.max(0, Math.min(inv.MAX_QUANTITY, l.stock)), created: t, updated: t });
        store.skuBySlot.set(slotKey(mn, vid), l.skuCode);
        store.slotBySku.set(l.skuCode, { manageNumber: mn, variantId: vid });
        store.listingBySku.set(l.skuCode, l);
      }
    }
  }

  function placeBuyerOrder(lines: BuyerLine[]): string | null {
    orders.advanceOrders(orderDeps);
    if (lines.length === 0) return null;
    const units = new Map<string, number>();
    for (const l of lines) {
      if (!Number.isInteger(l.quantity) || l.quantity <= 0) return null;
      units.set(l.skuCode, (units.get(l.skuCode) ?? 0) + l.quantity);
    }
    const newLines: orders.NewOrderLine[] = [];
    for (const [skuCode, n] of units) {
      const slot = visibleSlot(skuCode);
      const row = slot && store.inventory.get(slotKey(slot.manageNumber, slot.variantId));
      if (!slot || !row || row.quantity < n) return null;
      const selectors = Array.isArray(slot.item.variantSelectors) ? (slot.item.variantSelectors as { key: string; displayName: string }[]) : [];
      const values = isPlainObject(slot.variant.selectorValues) ? slot.variant.selectorValues : {};
      newLines.push({
        skuCode,
        manageNumber: slot.manageNumber,
        variantId: slot.variantId,
        units: n,
        // Buyers pay the price the mall shows now, not the seed price.
        price: Number(slot.variant.standardPrice ?? store.listingBySku.get(skuCode)?.price ?? 0),
        itemName: String(slot.item.title),
        itemNumber: typeof slot.item.itemNumber === 'string' ? slot.item.itemNumber : null,
        merchantDefinedSkuId: typeof slot.variant.merchantDefinedSkuId === 'string' ? slot.variant.merchantDefinedSkuId : null,
        skuInfo: selectors.map((s) => `${s.displayName}:${String(values[s.key] ?? '')}`).join('\n'),
        inventoryType: selectors.length > 0 ? 2 : 1,
      });
    }
    const t = now();
    for (const l of newLines) {
      const row = store.inventory.get(slotKey(l.manageNumber, l.variantId))!;
      row.quantity -= l.units;
      row.updated = t;
    }
    const order = orders.createOrder(orderDeps, newLines);
    ctx.truth.recordOrder('rakuten', order.orderNumber, lines);
    return order.orderNumber;
  }

  function cancelBuyerOrder(orderId: string): boolean {
    orders.advanceOrders(orderDeps);
    const o = store.orders.get(orderId);
    if (!o || ![100, 200, 300, 400].includes(o.progress)) return false;
    orders.cancelOrderRecord(orderDeps, o, now(), 6);
    return true;
  }

  return {
    mall: 'rakuten',
    options: opts,
    async handle(request) {
      orders.advanceOrders(orderDeps);
      if (!(await router.dispatch(request))) {
        sendReply(request.res, itemError(404, 'GE0007', `Invalid path: ${request.method} ${request.url.pathname}`));
      }
    },
    seed,
    shownStock() {
      orders.advanceOrders(orderDeps);
      // Hot path for benchmarks (called per buyer tick): no per-SKU allocations.
      const shown = new Map<string, number>();
      for (const [skuCode, slot] of store.slotBySku) {
        const item = store.items.get(slot.manageNumber);
        if (!item || item.body.hideItem === true) continue;
        const variant = item.body.variants[slot.variantId];
        if (!variant || variant.hidden === true) continue;
        shown.set(skuCode, store.inventory.get(slotKey(slot.manageNumber, slot.variantId))?.quantity ?? 0);
      }
      return shown;
    },
    placeBuyerOrder,
    cancelBuyerOrder,
    orderIds() {
      orders.advanceOrders(orderDeps);
      return [...store.orders.keys()];
    },
    reset() {
      store = new RakutenStore();
      rand = prng(opts.randomSeed);
      enabled = new Set(options.enabledFunctions ?? RAKUTEN_FUNCTIONS);
      initLicense();
    },
    setFunctionEnabled(fn, on) {
      if (on) enabled.add(fn);
      else enabled.delete(fn);
    },
    enabledFunctions: () => [...enabled],
    setLicenseExpiry(expiresAt, licenseKey = creds.licenseKey) {
      store.licenseKeys.set(licenseKey, expiresAt);
    },
    licenseExpiry: (licenseKey = creds.licenseKey) => store.licenseKeys.get(licenseKey),
    issueLicenseKey(licenseKey, expiresAt) {
      store.licenseKeys.set(licenseKey, expiresAt ?? defaultExpiry());
    },
    orderModel(orderNumber) {
      orders.advanceOrders(orderDeps);
      const o = store.orders.get(orderNumber);
      return o ? orders.orderModel(o) : undefined;
    },
    inventoryQuantity: (manageNumber, variantId) => store.inventory.get(slotKey(manageNumber.toLowerCase(), variantId))?.quantity,
  };
}

/** A seed group as an ItemAPI body: one variant per listing, selectors from color/size (spec §4.3). */
function seedItemBody(group: SeedListing[]): ItemBody {
  const first = group[0]!;
  const axes: string[] = [];
  if (group.length > 1) {
    if (group.some((l) => l.variant.color)) axes.push('color');
    if (group.some((l) => l.variant.size)) axes.push('size');
    const combo = (l: SeedListing) => axes.map((a) => l.variant[a as 'color' | 'size'] ?? '-').join('/');
    // Variants must differ in their selector values; fall back to an axis of their own ids.
    if (axes.length === 0 || new Set(group.map(combo)).size < group.length) axes.push('type');
  }
  const valueOf = (l: SeedListing, axis: string) => (axis === 'type' ? l.rakuten!.variantId : (l.variant[axis as 'color' | 'size'] ?? '-'));
  const variantSelectors = axes.map((key) => ({
    key,
    displayName: SELECTOR_NAMES[key] ?? key,
    values: [...new Set(group.map((l) => valueOf(l, key)))].map((displayValue) => ({ displayValue })),
  }));
  const variants: ItemBody['variants'] = {};
  for (const l of group) {
    variants[l.rakuten!.variantId] = {
      merchantDefinedSkuId: l.skuCode,
      standardPrice: String(l.price),
      articleNumber: { exemptionReason: 5 },
      restockOnCancel: true,
      ...(axes.length > 0 ? { selectorValues: Object.fromEntries(axes.map((a) => [a, valueOf(l, a)])) } : {}),
    };
  }
  return {
    itemNumber: first.productCode.slice(0, 32),
    title: first.productName,
    itemType: 'NORMAL',
    genreId: '100371',
    hideItem: false,
    productDescription: { pc: `<p>${first.productName}</p>`, sp: `<p>${first.productName}</p>` },
    ...(variantSelectors.length > 0 ? { variantSelectors } : {}),
    variants,
  };
}
