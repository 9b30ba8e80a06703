import { HttpClient, type HttpClientOptions } from '@/lib/http/client';
import { memoryRateStore, RateLimiter } from '@/lib/http/rate-limiter';
import type { Listing } from '@/lib/catalog/schemas';
import { createAmazonAdapter, type AmazonAdapter, type AmazonAdapterConfig } from '@/lib/malls/amazon';
import type { SeedListing } from '../../mall-sim/core/types';
import {
  validateListingsFeed,
  validateListingsFeedProcessingReport,
  validateSpApiQuery,
  validateSpApiRequest,
  validateSpApiResponse,
  type SpApiModelFile,
} from '../../mall-sim/amazon/model-validator';
import { AMAZON_TEST_CREDENTIALS } from '../../mall-sim/amazon/test-server';

export const CREDS = AMAZON_TEST_CREDENTIALS;
export const MINUTE = 60_000;

const L: SpApiModelFile = 'listingsItems_2021-08-01.json';
const F: SpApiModelFile = 'feeds_2021-06-30.json';
const O0: SpApiModelFile = 'ordersV0.json';
const O26: SpApiModelFile = 'orders_2026-01-01.json';
const T: SpApiModelFile = 'tokens_2021-03-01.json';

/** Every SP-API route the client may call, as model file + operationId; `op` names it in counts. */
const ROUTES: { method: string; pattern: RegExp; model: SpApiModelFile; operationId: string; op: string }[] = [
  { method: 'GET', pattern: /^\/listings\/2021-08-01\/items\/[^/]+\/[^/]+$/, model: L, operationId: 'getListingsItem', op: 'getListingsItem' },
  { method: 'PUT', pattern: /^\/listings\/2021-08-01\/items\/[^/]+\/[^/]+$/, model: L, operationId: 'putListingsItem', op: 'putListingsItem' },
  { method: 'PATCH', pattern: /^\/listings\/2021-08-01\/items\/[^/]+\/[^/]+$/, model: L, operationId: 'patchListingsItem', op: 'patchListingsItem' },
  { method: 'GET', pattern: /^\/listings\/2021-08-01\/items\/[^/]+$/, model: L, operationId: 'searchListingsItems', op: 'searchListingsItems' },
  { method: 'POST', pattern: /^\/feeds\/2021-06-30\/documents$/, model: F, operationId: 'createFeedDocument', op: 'createFeedDocument' },
  { method: 'GET', pattern: /^\/feeds\/2021-06-30\/documents\/[^/]+$/, model: F, operationId: 'getFeedDocument', op: 'getFeedDocument' },
  { method: 'POST', pattern: /^\/feeds\/2021-06-30\/feeds$/, model: F, operationId: 'createFeed', op: 'createFeed' },
  { method: 'GET', pattern: /^\/feeds\/2021-06-30\/feeds\/[^/]+$/, model: F, operationId: 'getFeed', op: 'getFeed' },
  { method: 'GET', pattern: /^\/orders\/v0\/orders$/, model: O0, operationId: 'getOrders', op: 'getOrders' },
  { method: 'GET', pattern: /^\/orders\/v0\/orders\/[^/]+$/, model: O0, operationId: 'getOrder', op: 'getOrder' },
  { method: 'GET', pattern: /^\/orders\/v0\/orders\/[^/]+\/orderItems$/, model: O0, operationId: 'getOrderItems', op: 'getOrderItems' },
  { method: 'POST', pattern: /^\/orders\/v0\/orders\/[^/]+\/shipmentConfirmation$/, model: O0, operationId: 'confirmShipment', op: 'confirmShipment' },
  { method: 'GET', pattern: /^\/orders\/2026-01-01\/orders$/, model: O26, operationId: 'searchOrders', op: 'searchOrders' },
  { method: 'GET', pattern: /^\/orders\/2026-01-01\/orders\/[^/]+$/, model: O26, operationId: 'getOrder', op: 'getOrder@2026-01-01' },
  { method: 'POST', pattern: /^\/tokens\/2021-03-01\/restrictedDataToken$/, model: T, operationId: 'createRestrictedDataToken', op: 'createRestrictedDataToken' },
];

export interface Exchange {
  op: string;
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
  status?: number;
  responseText?: string;
}

function bodyText(body: BodyInit | null | undefined): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  throw new Error(`unexpected body type ${Object.prototype.toString.call(body)}`);
}

function headerRecord(h: HeadersInit | undefined): Record<string, string> {
  return Object.fromEntries(new Headers(h).entries());
}

function opOf(method: string, url: URL): { op: string; route?: (typeof ROUTES)[number] } {
  if (url.pathname === '/auth/o2/token') return { op: 'lwa' };
  if (url.pathname.startsWith('/__uploads/')) return { op: method === 'PUT' ? 'upload' : 'download' };
  const route = ROUTES.find((r) => r.method === method && r.pattern.test(url.pathname));
  return route ? { op: route.op, route } : { op: `${method} ${url.pathname}` };
}

/**
 * A fetch that checks every request the client sends and every answer it accepts against the official
 * models (query, body, response by status), the feed document against listings-feed-schema-v2.json and
 * the processing report against its schema. Mismatches land in `problems`; every exchange in `log`.
 */
export function validatingFetch(inner: typeof fetch = globalThis.fetch): { fetch: typeof fetch; problems: string[]; log: Exchange[] } {
  const problems: string[] = [];
  const log: Exchange[] = [];
  const wrapped: typeof fetch = async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const method = (init?.method ?? 'GET').toUpperCase();
    const body = bodyText(init?.body);
    const { op, route } = opOf(method, url);
    const exchange: Exchange = { op, method, url, headers: headerRecord(init?.headers), ...(body !== undefined ? { body } : {}) };
    log.push(exchange);
    const where = `${op} ${method} ${url.pathname}`;
    if (route) {
      const q = validateSpApiQuery(route.model, route.operationId, url.searchParams);
      if (!q.valid) problems.push(`${where} query: ${q.errors.join('; ')}`);
      const b = validateSpApiRequest(route.model, route.operationId, body === undefined ? undefined : JSON.parse(body));
      if (!b.valid) problems.push(`${where} body: ${b.errors.join('; ')}`);
      if (!exchange.headers['x-amz-access-token']) problems.push(`${where}: no x-amz-access-token`);
    } else if (op === 'upload') {
      const v = validateListingsFeed(JSON.parse(body ?? 'null'));
      if (!v.valid) problems.push(`feed document: ${v.errors.slice(0, 5).join('; ')}`);
    } else if (op === 'lwa') {
      const form = new URLSearchParams(body ?? '');
      for (const k of ['grant_type', 'refresh_token', 'client_id', 'client_secret']) if (!form.get(k)) problems.push(`lwa: no ${k}`);
    } else if (op !== 'download') {
      problems.push(`${where}: not an SP-API operation the client should call`);
    }
    const res = await inner(input, init);
    const text = await res.clone().text();
    exchange.status = res.status;
    exchange.responseText = text;
    if (route) {
      const parsed = text === '' ? undefined : (JSON.parse(text) as unknown);
      const r = validateSpApiResponse(route.model, route.operationId, res.status, parsed);
      if (!r.valid) problems.push(`${where} response ${res.status}: ${r.errors.slice(0, 5).join('; ')}`);
    } else if (op === 'download' && res.status === 200) {
      const v = validateListingsFeedProcessingReport(JSON.parse(text));
      if (!v.valid) problems.push(`processing report: ${v.errors.slice(0, 5).join('; ')}`);
    }
    return res;
  };
  return { fetch: wrapped, problems, log };
}

/** Rewrites the answer body of one operation (for unexpected-shape tests); outside the validator. */
export function rewritingFetch(inner: typeof fetch, op: string, rewrite: (body: string) => string): typeof fetch {
  return async (input, init) => {
    const res = await inner(input, init);
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    if (opOf((init?.method ?? 'GET').toUpperCase(), url).op !== op) return res;
    const text = rewrite(await res.text());
    return new Response(text, { status: res.status, headers: res.headers });
  };
}

export interface TestAdapter {
  adapter: AmazonAdapter;
  problems: string[];
  log: Exchange[];
  retries: { endpoint: string; kind: string }[];
  count(op: string): number;
}

export function makeAdapter(
  apiUrl: string,
  options: {
    rateScale?: number;
    config?: Partial<AmazonAdapterConfig>;
    http?: Partial<HttpClientOptions>;
    wrap?: (f: typeof fetch) => typeof fetch;
  } = {},
): TestAdapter {
  const { fetch: checked, problems, log } = validatingFetch();
  const retries: { endpoint: string; kind: string }[] = [];
  const http = new HttpClient({
    limiter: new RateLimiter({ store: memoryRateStore() }),
    fetch: options.wrap ? options.wrap(checked) : checked,
    baseDelayMs: 20,
    maxDelayMs: 200,
    defaultTimeoutMs: 2_000,
    onRetry: ({ endpoint, error }) => retries.push({ endpoint, kind: error.kind }),
    ...options.http,
  });
  const adapter = createAmazonAdapter({
    http,
    credentials: { clientId: CREDS.clientId, clientSecret: CREDS.clientSecret, refreshToken: CREDS.refreshToken, sellerId: CREDS.sellerId },
    endpoints: { api: apiUrl, lwa: apiUrl },
    rateScale: options.rateScale ?? 1000,
    ...options.config,
  });
  return { adapter, problems, log, retries, count: (op) => log.filter((e) => e.op === op).length };
}

export function seedListings(n: number, prefix = 'AMZ', stock = 10): SeedListing[] {
  return Array.from({ length: n }, (_, i) => {
    const code = `${prefix}-${String(i + 1).padStart(5, '0')}`;
    return {
      skuCode: code,
      productCode: prefix,
      productName: `商品 ${code}`,
      variant: {},
      price: 1980,
      stock,
      amazon: { sellerSku: `S-${code}`, asin: `B0${String(i + 1).padStart(8, '0')}` },
    };
  });
}

export function listingOf(seed: SeedListing): Extract<Listing, { mall: 'amazon' }> {
  const amazon = seed.amazon ?? { sellerSku: seed.skuCode, asin: undefined };
  return {
    id: `amazon:${seed.skuCode}`,
    mall: 'amazon',
    skuCode: seed.skuCode,
    externalItemId: amazon.sellerSku,
    safetyBuffer: 0,
    active: true,
    amazon: { sellerSku: amazon.sellerSku, ...(amazon.asin ? { asin: amazon.asin } : {}) },
  };
}

/**
 * Compiles every schema the model checks use (the client-side checks here and the simulator's own), so
 * the first call of a test does not block the event loop for the ajv compile: a stall that delays some
 * requests and not others would bunch their arrivals, which rate-limit tests must not blame on the client.
 */
export function warmUpValidators(): void {
  for (const r of ROUTES) {
    validateSpApiQuery(r.model, r.operationId, new URLSearchParams());
    for (const closed of [true, false]) validateSpApiRequest(r.model, r.operationId, {}, { closed });
    for (const status of [200, 201, 202, 204, 400, 403, 404, 429, 500]) {
      try {
        validateSpApiResponse(r.model, r.operationId, status, {});
      } catch {
        // an undocumented status
      }
    }
  }
  validateListingsFeed({});
  validateListingsFeedProcessingReport({});
}
