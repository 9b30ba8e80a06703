import type { SpApiModelFile } from './model-validator';

/**
 * Every SP-API operation the simulator serves. `rate`/`burst` are the default usage plans printed in the
 * models (spec §4.5, §5.4, §6); a contract test re-reads them from the model files so this table cannot
 * drift. Token buckets are keyed `amazon:<key>` on the shared RateLimiter (one seller × one app, as
 * spec §7 describes per selling-partner × application buckets).
 */
export interface OperationSpec {
  /** Rate-limit key suffix; equals operationId except where two APIs share an operationId. */
  key: string;
  operationId: string;
  model: SpApiModelFile;
  method: 'GET' | 'PUT' | 'PATCH' | 'DELETE' | 'POST';
  /** Router pattern (`:param` segments). */
  path: string;
  rate: number;
  burst: number;
  /** Orders v0 operations whose PII needs a Restricted Data Token (spec §2.3). */
  restricted?: boolean;
  /**
   * Query parameter that carries a page token; when it is present the model's required filters may be
   * left out (spec §6.1: UNCERTAIN whether they must be repeated, so both forms are accepted).
   */
  pageToken?: string;
}

const L = 'listingsItems_2021-08-01.json' as const;
const F = 'feeds_2021-06-30.json' as const;
const O0 = 'ordersV0.json' as const;
const O26 = 'orders_2026-01-01.json' as const;
const T = 'tokens_2021-03-01.json' as const;

export const OPERATIONS = [
  { key: 'getListingsItem', operationId: 'getListingsItem', model: L, method: 'GET', path: '/listings/2021-08-01/items/:sellerId/:sku', rate: 5, burst: 10 },
  { key: 'putListingsItem', operationId: 'putListingsItem', model: L, method: 'PUT', path: '/listings/2021-08-01/items/:sellerId/:sku', rate: 5, burst: 10 },
  { key: 'patchListingsItem', operationId: 'patchListingsItem', model: L, method: 'PATCH', path: '/listings/2021-08-01/items/:sellerId/:sku', rate: 5, burst: 5 },
  { key: 'deleteListingsItem', operationId: 'deleteListingsItem', model: L, method: 'DELETE', path: '/listings/2021-08-01/items/:sellerId/:sku', rate: 5, burst: 5 },
  { key: 'searchListingsItems', operationId: 'searchListingsItems', model: L, method: 'GET', path: '/listings/2021-08-01/items/:sellerId', rate: 5, burst: 5 },

  { key: 'createFeedDocument', operationId: 'createFeedDocument', model: F, method: 'POST', path: '/feeds/2021-06-30/documents', rate: 0.5, burst: 15 },
  { key: 'getFeedDocument', operationId: 'getFeedDocument', model: F, method: 'GET', path: '/feeds/2021-06-30/documents/:feedDocumentId', rate: 0.0222, burst: 10 },
  { key: 'createFeed', operationId: 'createFeed', model: F, method: 'POST', path: '/feeds/2021-06-30/feeds', rate: 0.0083, burst: 15 },
  { key: 'getFeeds', operationId: 'getFeeds', model: F, method: 'GET', path: '/feeds/2021-06-30/feeds', rate: 0.0222, burst: 10 },
  { key: 'getFeed', operationId: 'getFeed', model: F, method: 'GET', path: '/feeds/2021-06-30/feeds/:feedId', rate: 2, burst: 15 },
  { key: 'cancelFeed', operationId: 'cancelFeed', model: F, method: 'DELETE', path: '/feeds/2021-06-30/feeds/:feedId', rate: 2, burst: 15 },

  { key: 'getOrders', operationId: 'getOrders', model: O0, method: 'GET', path: '/orders/v0/orders', rate: 0.0167, burst: 20, restricted: true, pageToken: 'NextToken' },
  { key: 'getOrder', operationId: 'getOrder', model: O0, method: 'GET', path: '/orders/v0/orders/:orderId', rate: 0.5, burst: 30, restricted: true },
  { key: 'getOrderItems', operationId: 'getOrderItems', model: O0, method: 'GET', path: '/orders/v0/orders/:orderId/orderItems', rate: 0.5, burst: 30, restricted: true },
  { key: 'getOrderAddress', operationId: 'getOrderAddress', model: O0, method: 'GET', path: '/orders/v0/orders/:orderId/address', rate: 0.5, burst: 30, restricted: true },
  { key: 'getOrderBuyerInfo', operationId: 'getOrderBuyerInfo', model: O0, method: 'GET', path: '/orders/v0/orders/:orderId/buyerInfo', rate: 0.5, burst: 30, restricted: true },
  { key: 'confirmShipment', operationId: 'confirmShipment', model: O0, method: 'POST', path: '/orders/v0/orders/:orderId/shipmentConfirmation', rate: 2, burst: 10 },

  { key: 'searchOrders', operationId: 'searchOrders', model: O26, method: 'GET', path: '/orders/2026-01-01/orders', rate: 0.0056, burst: 20 },
  // Same operationId as v0 getOrder but a separate API with its own bucket.
  { key: 'getOrder@2026-01-01', operationId: 'getOrder', model: O26, method: 'GET', path: '/orders/2026-01-01/orders/:orderId', rate: 0.5, burst: 30 },

  { key: 'createRestrictedDataToken', operationId: 'createRestrictedDataToken', model: T, method: 'POST', path: '/tokens/2021-03-01/restrictedDataToken', rate: 1, burst: 10 },
] as const satisfies readonly OperationSpec[];

export type OperationKey = (typeof OPERATIONS)[number]['key'];

/** Does a concrete request path match a restricted-resource path, which may use `{orderId}` templates (spec §2.3)? */
export function pathMatchesTemplate(template: string, concrete: string): boolean {
  const source = template
    .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
    .replace(/\{[^}]+\}/g, '[^/]+');
  return new RegExp(`^${source}$`).test(concrete);
}
