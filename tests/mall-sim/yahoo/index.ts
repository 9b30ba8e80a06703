import { sendJson } from '../core/http';
import type { BucketSpec } from '../core/rate-limit';
import type { BuyerLine, MallSim, RouteRequest, SeedListing, SimContext } from '../core/types';
import { YahooAuth } from './auth';
import { CODES } from './errors';
import { deleteItem, editItem, getItem, myItemList, publishAll, reservePublish, runDuePublish, submitItem, updateItems } from './items';
import { ORDER_APIS, resolveOptions, type ResolvedYahooOptions, type YahooSimOptions } from './options';
import {
  cancelOrder,
  orderChange,
  orderCount,
  orderInfo,
  orderList,
  orderPayStatusChange,
  orderShipStatusChange,
  orderStatusChange,
  placeBuyerOrder,
} from './orders';
import { seedListings } from './seed';
import { makeRng, type YahooState } from './state';
import { getStock, setStock } from './stock';
import { jstDayKey, sendYahooError } from './xml';

export type { YahooSimOptions, ResolvedYahooOptions } from './options';
export type { YahooState } from './state';

/** Paths the client puts after the simulator's base URL (it replaces both API and login hosts). */
export const YAHOO_PATHS = {
  authorize: '/yconnect/v2/authorization',
  token: '/yconnect/v2/token',
  api: '/ShoppingWebService/V1/',
} as const;

type Handler = (state: YahooState, request: RouteRequest) => void;

/** §2 / §3 endpoints with their documented methods. */
const APIS: Record<string, { method: 'GET' | 'POST'; handler: Handler }> = {
  editItem: { method: 'POST', handler: editItem },
  getItem: { method: 'GET', handler: getItem },
  updateItems: { method: 'POST', handler: updateItems },
  submitItem: { method: 'POST', handler: submitItem },
  reservePublish: { method: 'POST', handler: reservePublish },
  deleteItem: { method: 'POST', handler: deleteItem },
  myItemList: { method: 'GET', handler: myItemList },
  getStock: { method: 'POST', handler: getStock },
  setStock: { method: 'POST', handler: setStock },
  orderList: { method: 'POST', handler: orderList },
  orderInfo: { method: 'POST', handler: orderInfo },
  orderCount: { method: 'GET', handler: orderCount },
  orderStatusChange: { method: 'POST', handler: orderStatusChange },
  orderShipStatusChange: { method: 'POST', handler: orderShipStatusChange },
  orderPayStatusChange: { method: 'POST', handler: orderPayStatusChange },
  orderChange: { method: 'POST', handler: orderChange },
};

export interface YahooSim extends MallSim {
  /** Live options: tests may change them between requests. */
  readonly options: ResolvedYahooOptions;
  readonly auth: YahooAuth;
  /** Current catalogue/order state (replaced by `reset()`). */
  readonly state: YahooState;
  /** Runs a 反映 now, as reservePublish with an empty time would. */
  publish(): void;
}

export function createYahooSim(ctx: SimContext, options: YahooSimOptions = {}): YahooSim {
  const opts = resolveOptions(options);
  const auth = new YahooAuth(ctx, opts);
  // Order numbers keep counting across reset(), so an extension that outlives a benchmark run never
  // sees one order id mean two orders.
  let nextOrderNumber = opts.orderIdStart;
  const quota = new Map<string, number>();
  const lockedUntil = new Map<string, number>();

  const freshState = (): YahooState => ({
    ctx,
    opts,
    items: new Map(),
    stock: new Map(),
    orders: new Map(),
    skuToCode: new Map(),
    codeToSku: new Map(),
    publishAt: null,
    rng: makeRng(opts.seed),
  });
  let state = freshState();

  const countThrottle = (key: string) => ctx.limiter.throttled.set(key, (ctx.limiter.throttled.get(key) ?? 0) + 1);

  /** §4: no documented throttle answer (?); by default the gateway's 403 "Your Request was Forbidden". */
  const sendThrottled = (request: RouteRequest) => {
    const status = opts.throttleStatus;
    const message =
      status === 403 ? 'Your Request was Forbidden' : status === 503 ? 'Service unavailable. Too many users' : 'Too Many Requests';
    sendYahooError(request.res, status, message, undefined, { shopping: false });
  };

  /** §4 per-URL limit via the shared token buckets; an optional lock-out models "locked out for a while". */
  const takeRate = (api: string): boolean => {
    if (!ctx.limiter.enabled) return true;
    const key = `yahoo:${api}`;
    const now = ctx.clock.now();
    if ((lockedUntil.get(api) ?? 0) > now) {
      countThrottle(key);
      return false;
    }
    const spec: BucketSpec = opts.rateByApi[api] ?? opts.rate;
    if (ctx.limiter.take(key, spec)) return true;
    if (opts.throttleLockoutMs > 0) lockedUntil.set(api, now + opts.throttleLockoutMs);
    return false;
  };

  /** §4: 50,000 requests a day per Client ID, reset at 00:00 JST (appendix/rate.html). */
  const takeQuota = (clientId: string): boolean => {
    if (!ctx.limiter.enabled) return true;
    const key = `${clientId}:${jstDayKey(ctx.clock.now())}`;
    const used = (quota.get(key) ?? 0) + 1;
    quota.set(key, used);
    if (used <= opts.dailyQuota) return true;
    countThrottle('yahoo:daily-quota');
    return false;
  };

  async function handle(request: RouteRequest): Promise<void> {
    const { res } = request;
    runDuePublish(state);
    const path = request.url.pathname.replace(/\/+$/, '');

    if (path === YAHOO_PATHS.authorize) {
      if (request.method !== 'GET' && request.method !== 'POST') return sendJson(res, 405, { error: 'invalid_request' });
      return auth.handleAuthorize(request);
    }
    if (path === YAHOO_PATHS.token) {
      const fault = ctx.faults.take('yahoo', path, ['server-error']);
      if (fault) return sendJson(res, fault.status ?? 500, { error: 'server_error', error_description: 'temporary failure', error_code: 1500 });
      return auth.handleToken(request);
    }

    const name = path.startsWith(YAHOO_PATHS.api) ? path.slice(YAHOO_PATHS.api.length) : '';
    const api = Object.hasOwn(APIS, name) ? APIS[name] : undefined;
    if (!api) return sendYahooError(res, 404, `Not Found: ${request.url.pathname}`, undefined, { shopping: false });
    if (request.method !== api.method) {
      return sendYahooError(res, 405, `Method Not Allowed: ${name} takes ${api.method}`, undefined, { shopping: false, headers: { allow: api.method } });
    }

    const fault = ctx.faults.take('yahoo', path, ['throttle', 'server-error']);
    if (fault?.kind === 'throttle') {
      countThrottle(`yahoo:${name}`);
      return sendThrottled(request);
    }
    if (fault?.kind === 'server-error') {
      const status = fault.status ?? 500;
      // [KAM] treats 503 as maintenance; 500 is the generic failure (§4).
      return sendYahooError(res, status, status === 503 ? 'Service Unavailable' : 'Internal Server Error', undefined, { shopping: false });
    }
    if (!takeRate(name)) return sendThrottled(request);

    const grant = auth.checkBearer(request);
    if (!grant) return;
    if (!takeQuota(grant.clientId)) return sendYahooError(res, 403, 'Your Request was Forbidden', undefined, { shopping: false });

    if (ORDER_APIS.includes(name) && !opts.orderApiPermitted) {
      // §1.1 [FAQ], verbatim message.
      return sendYahooError(
        res,
        403,
        'px-04303 : This application ID is not registered for using order API. Use of order API requires an application ID.',
        CODES.orderApiNotRegistered,
        { shopping: false },
      );
    }
    const restricted = opts.restrictedApis.includes(name);
    const sig = restricted || opts.verifySignatureWhenPresent ? auth.verifySignature(request.req.headers) : { kind: 'absent' as const };
    if (restricted) {
      if (!auth.gateRestricted(request, grant, sig)) return;
    } else if (sig.kind === 'invalid') {
      return auth.sendSignatureError(request, sig);
    }
    api.handler(state, request);
  }

  return {
    mall: 'yahoo',
    options: opts,
    auth,
    get state() {
      return state;
    },
    handle,
    publish: () => publishAll(state),
    seed(listings: SeedListing[]) {
      seedListings(state, listings);
    },
    shownStock() {
      runDuePublish(state);
      const out = new Map<string, number>();
      for (const [sku, code] of state.skuToCode) {
        const row = state.stock.get(`${code.itemCode}:${code.subCode}`);
        out.set(sku, row?.liveQuantity ?? 0);
      }
      return out;
    },
    placeBuyerOrder(lines: BuyerLine[]) {
      const orderId = `${ctx.credentials.yahoo.sellerId}-${nextOrderNumber}`;
      if (!placeBuyerOrder(state, orderId, lines)) return null;
      nextOrderNumber += 1;
      return orderId;
    },
    cancelBuyerOrder(orderId: string) {
      const order = state.orders.get(orderId);
      if (!order || order.orderStatus === 4) return false;
      cancelOrder(state, order, '100'); // §3.3: 100 = buyer-side キャンセル
      return true;
    },
    orderIds() {
      return [...state.orders.keys()];
    },
    reset() {
      state = freshState();
      quota.clear();
      lockedUntil.clear();
    },
  };
}
