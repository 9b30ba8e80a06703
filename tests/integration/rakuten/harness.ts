import type { Listing } from '@/lib/catalog/schemas';
import { HttpClient, type HttpClientOptions } from '@/lib/http/client';
import { memoryRateStore, RateLimiter } from '@/lib/http/rate-limiter';
import { createRakutenAdapter, type RakutenAdapter, type RakutenAdapterConfig, type RakutenCredentialSource } from '@/lib/malls/rakuten';
import type { SeedListing } from '../../mall-sim/core/types';
import { startRakutenTestServer, TEST_CREDENTIALS, type RakutenTestServer, type RakutenTestServerOptions } from '../../mall-sim/rakuten/test-server';

export const CREDENTIALS = { serviceSecret: TEST_CREDENTIALS.rakuten.serviceSecret, licenseKey: TEST_CREDENTIALS.rakuten.licenseKey };
export const DAY = 86_400_000;
/** 2026-03-02 10:00 JST. */
export const MALL_START = Date.UTC(2026, 2, 2, 1, 0, 0);

export type RakutenListing = Extract<Listing, { mall: 'rakuten' }>;

export function listing(manageNumber: string, variantId: string, skuCode = `${manageNumber}-${variantId}`.slice(0, 32)): RakutenListing {
  return { id: `rakuten:${skuCode}`, skuCode, externalItemId: manageNumber, safetyBuffer: 0, active: true, mall: 'rakuten', rakuten: { manageNumber, variantId } };
}

/** A shirt in 2 colours × 2 sizes and a tote bag, as in the simulator's own tests. */
export const SEED: SeedListing[] = [
  ...(['ホワイト', 'ブラック'] as const).flatMap((color, c) =>
    (['S', 'M'] as const).map((size, s) => ({
      skuCode: `ich00001-${c ? 'bk' : 'wh'}-${size.toLowerCase()}`,
      productCode: 'ich00001',
      productName: 'ベーシック 綿100% 無地Tシャツ',
      variant: { color, size },
      price: 1980,
      stock: 5000,
      rakuten: { manageNumber: 'ich00001', variantId: `r-sku0000000${c * 2 + s + 1}` },
    })),
  ),
  {
    skuCode: 'ich00002-be',
    productCode: 'ich00002',
    productName: 'プレミアム 帆布 トートバッグ',
    variant: { color: 'ベージュ' },
    price: 3850,
    stock: 5000,
    rakuten: { manageNumber: 'ich00002', variantId: 'r-sku00000005' },
  },
];
export const SEED_LISTINGS: RakutenListing[] = SEED.map((s) => listing(s.rakuten!.manageNumber, s.rakuten!.variantId, s.skuCode));

export interface Call {
  method: string;
  path: string;
  body: unknown;
  status?: number;
}

/** Wraps fetch to record every request that reached the wire (and optionally rewrite answers). */
export function recordingFetch(calls: Call[], rewrite?: (call: Call, response: Response) => Promise<Response> | Response): typeof fetch {
  return async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const text = typeof init?.body === 'string' ? init.body : undefined;
    const call: Call = { method: init?.method ?? 'GET', path: url.pathname, body: text ? JSON.parse(text) : undefined };
    calls.push(call);
    const response = await fetch(input, init);
    call.status = response.status;
    return rewrite ? rewrite(call, response) : response;
  };
}

export interface HarnessOptions {
  server?: RakutenTestServerOptions;
  /** Real and mall time run this much faster; the client's rates scale with it. */
  timeScale?: number;
  adapter?: Partial<RakutenAdapterConfig>;
  credentials?: RakutenCredentialSource;
  http?: Partial<HttpClientOptions>;
  rewrite?: (call: Call, response: Response) => Promise<Response> | Response;
  /** Base URL when the test runs against startMallSim instead of the Rakuten test server. */
  api?: string;
  now?: () => number;
}

export interface Harness {
  srv: RakutenTestServer;
  adapter: RakutenAdapter;
  calls: Call[];
  retries: { kind: string; delayMs: number }[];
  /** Requests the simulator refused for being over a bucket, by key. */
  throttled(): number;
  close(): Promise<void>;
}

export async function harness(options: HarnessOptions = {}): Promise<Harness> {
  const timeScale = options.timeScale ?? 10;
  const srv = await startRakutenTestServer({ mallStart: MALL_START, seed: SEED, rateLimits: true, timeScale, ...options.server, sim: { retryAfterSeconds: null, ...options.server?.sim } });
  const calls: Call[] = [];
  const retries: { kind: string; delayMs: number }[] = [];
  const http = new HttpClient({
    // The production margin: the adapter's own pacing must keep the simulator quiet with it.
    limiter: new RateLimiter({ store: memoryRateStore() }),
    fetch: recordingFetch(calls, options.rewrite),
    baseDelayMs: 20,
    maxDelayMs: 200,
    defaultTimeoutMs: 2_000,
    onRetry: ({ error, delayMs }) => retries.push({ kind: error.kind, delayMs }),
    ...options.http,
  });
  const adapter = createRakutenAdapter({
    credentials: options.credentials ?? CREDENTIALS,
    endpoints: { api: options.api ?? srv.url },
    http,
    now: options.now ?? (() => srv.ctx.clock.now()),
    rateScale: timeScale,
    ...options.adapter,
  });
  return {
    srv,
    adapter,
    calls,
    retries,
    throttled: () => srv.ctx.limiter.totalThrottled('rakuten:'),
    close: () => srv.close(),
  };
}
