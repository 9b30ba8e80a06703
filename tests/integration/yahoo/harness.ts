import { HttpClient } from '@/lib/http/client';
import { memoryRateStore, RateLimiter } from '@/lib/http/rate-limiter';
import type { Listing } from '@/lib/catalog/schemas';
import { buildDemoShop, demoCatalogRows } from '@/lib/demo/demo-shop';
import { createYahooAdapter, type YahooAdapter, type YahooAdapterConfig } from '@/lib/malls/yahoo';
import type { SeedListing } from '../../mall-sim/core/types';
import { startYahooTestServer, type YahooTestServer, type YahooTestServerOptions } from '../../mall-sim/yahoo/test-server';
import { resolveOptions } from '../../mall-sim/yahoo/options';

export const REDIRECT_URI = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';

/** A small slice of the demo shop: a few items with sub-codes, one upper-case mismatch, one set. */
export function demoSlice(): { seed: SeedListing[]; listings: Listing[] } {
  const shop = buildDemoShop(60);
  const rows = demoCatalogRows(shop, 0);
  const seed: SeedListing[] = shop.skus.map((s) => ({
    skuCode: s.code,
    productCode: s.productId,
    productName: s.productName,
    variant: { ...(s.color ? { color: s.color } : {}), ...(s.size ? { size: s.size } : {}) },
    price: s.price,
    stock: s.stock,
    ...(s.yahoo ? { yahoo: s.yahoo } : {}),
  }));
  return { seed, listings: rows.listings.filter((l) => l.mall === 'yahoo') };
}

export function yahooListing(itemCode: string, subCode?: string): Listing {
  const sku = (subCode ?? itemCode).slice(0, 32);
  return {
    id: `yahoo:${sku}`,
    mall: 'yahoo',
    skuCode: sku,
    externalItemId: itemCode,
    yahoo: { itemCode, ...(subCode ? { subCode } : {}) },
    safetyBuffer: 0,
    active: true,
  };
}

/** Requests the client sent, per Yahoo API name (or `token` / `authorization`). */
export class RequestLog {
  readonly counts = new Map<string, number>();
  readonly bodies: { api: string; body: string }[] = [];
  count(api: string): number {
    return this.counts.get(api) ?? 0;
  }
  reset(): void {
    this.counts.clear();
    this.bodies.length = 0;
  }
}

/** Replaces an answer's body (a string) or also drops some of its headers. */
export type BodyRewrite = (api: string, status: number, text: string) => string | { text?: string; dropHeaders?: string[] } | undefined;

/** fetch that records each request and may rewrite an answer body (for shape tests). */
export function recordingFetch(log: RequestLog, rewrite?: { current?: BodyRewrite }): typeof fetch {
  return async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const api = url.pathname.split('/').pop() ?? '';
    log.counts.set(api, (log.counts.get(api) ?? 0) + 1);
    log.bodies.push({ api, body: typeof init?.body === 'string' ? init.body : '' });
    const response = await fetch(input, init);
    const replace = rewrite?.current;
    if (!replace) return response;
    const text = await response.text();
    const next = replace(api, response.status, text);
    const change = typeof next === 'string' ? { text: next } : (next ?? {});
    const headers = new Headers(response.headers);
    for (const name of change.dropHeaders ?? []) headers.delete(name);
    headers.delete('content-length');
    return new Response(change.text ?? text, { status: response.status, headers });
  };
}

export type AdapterOverrides = Partial<Omit<YahooAdapterConfig, 'credentials'>> & { credentials?: Partial<YahooAdapterConfig['credentials']> };

export interface Harness {
  srv: YahooTestServer;
  log: RequestLog;
  rewrite: { current?: BodyRewrite };
  retries: { endpoint: string; kind: string }[];
  adapter(overrides?: AdapterOverrides, client?: ClientOptions): YahooAdapter;
  /** An adapter that has gone through ID連携 against the simulator. */
  connected(overrides?: Parameters<Harness['adapter']>[0], client?: ClientOptions): Promise<YahooAdapter>;
  /** Back to defaults between tests. */
  reset(seed?: SeedListing[]): void;
  close(): Promise<void>;
}

export interface ClientOptions {
  /** Limiter safety margin; high-timeScale runs need more than the default for event-loop jitter. */
  margin?: number;
  timeoutMs?: number;
  maxAttempts?: number;
}

/** launchWebAuthFlow stand-in: follows nothing, answers the authorize endpoint's Location header. */
export async function launchViaFetch(url: string): Promise<string> {
  const res = await fetch(url, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (!location) throw new Error(`authorize answered ${res.status} without a redirect: ${await res.text()}`);
  return location;
}

export async function startHarness(options: YahooTestServerOptions & { rateScale?: number } = {}): Promise<Harness> {
  const srv = await startYahooTestServer({ timeScale: 0, rateLimits: false, ...options });
  const log = new RequestLog();
  const rewrite: { current?: BodyRewrite } = {};
  const retries: Harness['retries'] = [];
  const cred = () => srv.ctx.credentials.yahoo;
  const harness: Harness = {
    srv,
    log,
    rewrite,
    retries,
    adapter(overrides = {}, client = {}) {
      const http = new HttpClient({
        fetch: recordingFetch(log, rewrite),
        limiter: new RateLimiter({ store: memoryRateStore(), margin: client.margin ?? 1.05 }),
        baseDelayMs: 20,
        maxDelayMs: 200,
        defaultTimeoutMs: client.timeoutMs ?? 2_000,
        maxAttempts: client.maxAttempts ?? 6,
        onRetry: ({ endpoint, error }) => retries.push({ endpoint, kind: error.kind }),
      });
      const { credentials, ...rest } = overrides;
      return createYahooAdapter({
        http,
        credentials: {
          clientId: cred().clientId,
          clientSecret: cred().clientSecret,
          sellerId: cred().sellerId,
          publicKeyPem: cred().publicKeyPem,
          keyVersion: cred().keyVersion,
          publicKeyIssuedAt: srv.ctx.clock.now(),
          ...credentials,
        },
        endpoints: { api: srv.url, auth: srv.url },
        redirectUri: REDIRECT_URI,
        now: () => srv.ctx.clock.now(),
        rateScale: options.rateScale ?? 1000,
        newItemDefaults: { path: 'テスト:新商品', productCategory: '1' },
        // The simulator's Date header is real time while its clock is moved by tests, so the Date-based
        // clock-skew hint is off unless a test turns it on.
        clockToleranceMs: Number.POSITIVE_INFINITY,
        ...rest,
      });
    },
    async connected(overrides, client) {
      const adapter = harness.adapter(overrides, client);
      await adapter.authorize(launchViaFetch);
      return adapter;
    },
    reset(seed) {
      Object.assign(srv.sim.options, resolveOptions());
      srv.sim.reset();
      srv.ctx.faults.clear();
      srv.ctx.limiter.reset();
      srv.ctx.limiter.enabled = options.rateLimits ?? false;
      srv.ctx.truth.reset();
      if (seed) {
        for (const l of seed) srv.ctx.truth.setStock(l.skuCode, l.stock);
        srv.sim.seed(seed);
      }
      srv.sim.auth.setKeyExpiry(cred().keyVersion, srv.ctx.clock.now() + 365 * 86_400_000);
      log.reset();
      retries.length = 0;
      rewrite.current = undefined;
    },
    close: () => srv.close(),
  };
  return harness;
}
