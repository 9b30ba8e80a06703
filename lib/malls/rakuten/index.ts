import type { HttpClient } from '../../http/client';
import type { MallAdapter } from '../types';
import type { RakutenCredentialSource } from './auth';
import { licenseKeyExpiry, testConnection } from './connection';
import { pushStock, readStock } from './inventory';
import { upsertItem, type RakutenItemDefaults } from './items';
import { RakutenOrderFeed, SEARCH_PAGE_MAX } from './order-feed';
import { confirmOrders, confirmShipments, getOrders } from './orders';
import { DEFAULT_CONTENT_TYPE, RAKUTEN_RATE_LIMITS, RakutenTransport } from './transport';
import { DAY_MS } from './time';

export { esaAuthorization, licenseKeyWarning, LICENSE_KEY_LIFETIME_DAYS, LICENSE_KEY_WARN_DAYS, type LicenseKeyWarning, type RakutenCredentials, type RakutenCredentialSource } from './auth';
export { classifyRakutenResponse, RAKUTEN_RATE_LIMITS, rakutenError } from './transport';
export { deliveryCompanyCode, unifiedStatus } from './orders';
export { BULK_GET_MAX, BULK_UPSERT_MAX, MAX_QUANTITY } from './inventory';
export type { RakutenItemDefaults } from './items';

export interface RakutenAdapterConfig {
  credentials: RakutenCredentialSource;
  endpoints: { api: string };
  http: HttpClient;
  /** The clock order windows are computed with; in tests, the simulator's mall time. */
  now?: () => number;
  /** Multiplies every published rate (tests run the simulator's time faster). Default 1. */
  rateScale?: number;
  /** JSON media type sent with bodies; configurable because sources disagree on the exact form (spec §1). */
  contentType?: string;
  orders?: {
    /** searchOrder hits per page, 1..1,000 (default 1,000, the maximum). */
    pageSize?: number;
    /** Overlap between order passes for visibility lag and clock skew. Default 15 minutes. */
    overlapMs?: number;
    /** Start of a feed without cursor or `since`. Default 30 days back. */
    defaultLookbackMs?: number;
  };
  /** What item creation needs that drafts do not carry. */
  items?: RakutenItemDefaults;
}

export type RakutenAdapter = MallAdapter & {
  readonly mall: 'rakuten';
  /** Expiry of the license key in use (epoch ms), for the settings page's warning. */
  licenseKeyExpiry(): Promise<number>;
  readonly rateLimits: typeof RAKUTEN_RATE_LIMITS;
};

export function createRakutenAdapter(config: RakutenAdapterConfig): RakutenAdapter {
  const now = config.now ?? Date.now;
  const t = new RakutenTransport({
    credentials: config.credentials,
    api: config.endpoints.api,
    http: config.http,
    rateScale: config.rateScale ?? 1,
    contentType: config.contentType ?? DEFAULT_CONTENT_TYPE,
  });
  const pageSize = Math.min(SEARCH_PAGE_MAX, Math.max(1, Math.floor(config.orders?.pageSize ?? SEARCH_PAGE_MAX)));
  const feed = new RakutenOrderFeed(t, {
    now,
    pageSize,
    overlapMs: config.orders?.overlapMs ?? 15 * 60_000,
    defaultLookbackMs: config.orders?.defaultLookbackMs ?? 30 * DAY_MS,
  });
  const push: MallAdapter['pushStock'] = (pushes, onProgress) => pushStock(t, pushes, onProgress);
  return {
    mall: 'rakuten',
    rateLimits: RAKUTEN_RATE_LIMITS,
    testConnection: () => testConnection(t, now),
    licenseKeyExpiry: () => licenseKeyExpiry(t),
    listOrdersSince: (cursor, options) => feed.next(cursor, options?.since),
    getOrders: (orderNumbers) => getOrders(t, orderNumbers),
    confirmOrders: (orderNumbers) => confirmOrders(t, orderNumbers),
    readStock: (listings, options) => readStock(t, listings, options?.patience),
    pushStock: push,
    upsertItem: (draft) => upsertItem(t, draft, config.items ?? {}, (pushes) => push(pushes)),
    confirmShipments: (shipments) => confirmShipments(t, shipments),
  };
}
