import type { HttpClient } from '../../http/client';
import type { RateSpec } from '../../http/rate-limiter';
import type { MallEndpoints } from '../endpoints';
import type { CarrierId } from '../types';

/** Amazon.co.jp (spec amazon-sp-api.md §1.1). */
export const JP_MARKETPLACE_ID = 'A1VC38T7YXB528';

export interface AmazonCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** Merchant token / selling partner id (the `{sellerId}` of the Listings paths). */
  sellerId: string;
}

export interface AmazonCachedToken {
  token: string;
  /** Epoch ms (our clock) after which the token must not be sent. */
  expiresAt: number;
}

/**
 * Where access tokens live between calls. The extension backs it with `chrome.storage.session` so a
 * restarted service worker reuses the hour-long LWA token instead of asking Login with Amazon again.
 */
export interface AmazonTokenStore {
  get(key: string): Promise<AmazonCachedToken | undefined>;
  set(key: string, value: AmazonCachedToken | undefined): Promise<void>;
}

export function memoryTokenStore(): AmazonTokenStore {
  const map = new Map<string, AmazonCachedToken>();
  return {
    get: async (key) => map.get(key),
    set: async (key, value) => {
      if (value) map.set(key, value);
      else map.delete(key);
    },
  };
}

export type AmazonOrdersApi = 'v0' | 'v2026-01-01';

/** What confirmShipment's packageDetail says for one of our carriers. */
export interface AmazonCarrier {
  carrierCode: string;
  /** Required by Amazon when carrierCode is `Other` (spec §6.3). */
  carrierName?: string;
}

/**
 * The one table of carrier spellings. Spec §6.4 and shipping-and-documents.md §4.3 mark the JP
 * Seller Central strings UNCERTAIN (`YAMATO` vs `YamatoTransport` vs `Yamato Transport`); these are the
 * spec's recommended defaults, and `carrierCodes` in the config overrides any of them once the shop has
 * checked its own Seller Central list.
 */
export const AMAZON_CARRIERS: Record<CarrierId, AmazonCarrier> = {
  yamato: { carrierCode: 'YAMATO' },
  sagawa: { carrierCode: 'SAGAWA' },
  japanpost: { carrierCode: 'Japan Post' },
  other: { carrierCode: 'Other' },
};

export interface AmazonAdapterConfig {
  http: HttpClient;
  credentials: AmazonCredentials;
  endpoints: MallEndpoints['amazon'];
  marketplaceId?: string;
  /** Default: in memory only. */
  tokenStore?: AmazonTokenStore;
  /** Our clock (epoch ms); token expiry and the default start of the order cursor. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /**
   * How much faster mall time runs than ours (tests run the simulator with `timeScale`). Every
   * published rate is multiplied by it and every mall duration (token lifetime, feed polling) divided.
   */
  rateScale?: number;
  /** Spec §1.4: v0 reads are deprecated (migrate by 2027-03-27), so the default is v2026-01-01. */
  ordersApi?: AmazonOrdersApi;
  /** Orders per listOrdersSince page (1–100); default 100 (v2026) or 30 (v0, see resolveConfig). */
  ordersPageSize?: number;
  /**
   * v0 only: fetch a Restricted Data Token so orders carry buyer name and address (spec §2.3). If the app
   * lacks the role, orders are still read, without PII. Default true.
   */
  restrictedData?: boolean;
  /** Pushes up to this many items go as single PATCH calls; more go as one JSON_LISTINGS_FEED. Default 100. */
  patchThreshold?: number;
  /** Messages per JSON_LISTINGS_FEED document; Amazon's maximum is 25,000 (spec §5.4). */
  maxMessagesPerFeed?: number;
  /** Feed document size cap; Amazon's best practice is < 10 MiB (spec §5.4). */
  maxFeedBytes?: number;
  /**
   * Longest gap between getFeed polls, in mall milliseconds. Default 15 s. Polls start 5 s apart and
   * the gap grows with the time already waited (a twentieth of it) up to this (feeds.ts pollGapMs).
   */
  feedPollIntervalMs?: number;
  /** Mall milliseconds after which a feed still not DONE is reported as timed out. Default 30 min. */
  feedTimeoutMs?: number;
  /**
   * Product type sent with patches for SKUs whose own type is not known yet. Offer-only JP listings
   * commonly accept `PRODUCT` (spec §4.2, UNCERTAIN); when Amazon refuses, the SKU's own type is read and
   * the patch sent again.
   */
  defaultProductType?: string;
  /** Overrides of {@link AMAZON_CARRIERS}. */
  carrierCodes?: Partial<Record<CarrierId, AmazonCarrier>>;
  /** Per-request timeout (ms); default the HttpClient's. */
  timeoutMs?: number;
  /** Amazon asks every caller to identify itself (spec §2.2). */
  userAgent?: string;
  /** Language of listing issues; default ja_JP. */
  issueLocale?: string;
}

/**
 * Default usage plans per operation: the rate/burst printed in the official models (spec §4.5, §5.4,
 * §6), which the simulator uses too. Keys are `amazon:<operation>` like the simulator's buckets.
 */
export const OPERATION_LIMITS = {
  // Spec §4.5: the rate-limit docs give burst 5 where the model says 10, and advise clients to assume 5.
  getListingsItem: { rate: 5, burst: 5 },
  putListingsItem: { rate: 5, burst: 5 },
  patchListingsItem: { rate: 5, burst: 5 },
  searchListingsItems: { rate: 5, burst: 5 },
  createFeedDocument: { rate: 0.5, burst: 15 },
  getFeedDocument: { rate: 0.0222, burst: 10 },
  // createFeed's own plan is 0.0083/s burst 15, and JSON_LISTINGS_FEED adds 5 per 300 s (burst 5,
  // spec §5.4). We only send that feed type, and a bucket with the lower rate AND the lower burst admits
  // nothing either bucket would refuse, so one key enforces both.
  createFeed: { rate: 0.0083, burst: 5 },
  getFeed: { rate: 2, burst: 15 },
  getOrders: { rate: 0.0167, burst: 20 },
  getOrder: { rate: 0.5, burst: 30 },
  getOrderItems: { rate: 0.5, burst: 30 },
  confirmShipment: { rate: 2, burst: 10 },
  searchOrders: { rate: 0.0056, burst: 20 },
  'getOrder@2026-01-01': { rate: 0.5, burst: 30 },
  createRestrictedDataToken: { rate: 1, burst: 10 },
} as const satisfies Record<string, RateSpec>;

export type AmazonOperation = keyof typeof OPERATION_LIMITS;

export interface ResolvedAmazonConfig {
  http: HttpClient;
  credentials: AmazonCredentials;
  endpoints: MallEndpoints['amazon'];
  marketplaceId: string;
  tokenStore: AmazonTokenStore;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  rateScale: number;
  ordersApi: AmazonOrdersApi;
  ordersPageSize: number;
  restrictedData: boolean;
  patchThreshold: number;
  maxMessagesPerFeed: number;
  maxFeedBytes: number;
  feedPollIntervalMs: number;
  feedTimeoutMs: number;
  defaultProductType: string;
  carriers: Record<CarrierId, AmazonCarrier>;
  timeoutMs?: number;
  userAgent: string;
  issueLocale: string;
}

export function resolveConfig(config: AmazonAdapterConfig): ResolvedAmazonConfig {
  const ordersApi = config.ordersApi ?? 'v2026-01-01';
  const rateScale = config.rateScale ?? 1;
  if (!(rateScale > 0)) throw new RangeError('rateScale must be positive');
  return {
    http: config.http,
    credentials: config.credentials,
    endpoints: { api: config.endpoints.api.replace(/\/+$/, ''), lwa: config.endpoints.lwa.replace(/\/+$/, '') },
    marketplaceId: config.marketplaceId ?? JP_MARKETPLACE_ID,
    tokenStore: config.tokenStore ?? memoryTokenStore(),
    now: config.now ?? Date.now,
    sleep: config.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    rateScale,
    ordersApi,
    // v2026 pages carry their items, so take the most per scarce searchOrders call. A v0 page costs one
    // getOrderItems per order (0.5 rps, burst 30): 30 orders per page use about what both buckets refill
    // in the minute getOrders needs to refill one call, and keep each call short.
    ordersPageSize: Math.min(100, Math.max(1, config.ordersPageSize ?? (ordersApi === 'v0' ? 30 : 100))),
    restrictedData: config.restrictedData ?? true,
    patchThreshold: config.patchThreshold ?? 100,
    maxMessagesPerFeed: Math.min(25_000, Math.max(1, config.maxMessagesPerFeed ?? 25_000)),
    maxFeedBytes: config.maxFeedBytes ?? 9 * 1024 * 1024,
    feedPollIntervalMs: config.feedPollIntervalMs ?? 15_000,
    feedTimeoutMs: config.feedTimeoutMs ?? 30 * 60_000,
    defaultProductType: config.defaultProductType ?? 'PRODUCT',
    carriers: { ...AMAZON_CARRIERS, ...config.carrierCodes },
    ...(config.timeoutMs !== undefined ? { timeoutMs: config.timeoutMs } : {}),
    userAgent: config.userAgent ?? 'Ichigen/0.1 (Language=TypeScript; Platform=ChromeExtension)',
    issueLocale: config.issueLocale ?? 'ja_JP',
  };
}
