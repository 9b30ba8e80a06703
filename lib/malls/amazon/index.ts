import { z } from 'zod';
import { MallError, type ItemResult } from '../errors';
import type { ConnectionReport, MallAdapter } from '../types';
import { OPERATION_LIMITS, resolveConfig, type AmazonAdapterConfig, type ResolvedAmazonConfig } from './config';
import { FeedsApi } from './feeds';
import { ListingsApi } from './listings';
import { OrdersApi, VISIBILITY_LAG_MS } from './orders';
import { SpApi } from './spapi';
import { toMallError } from './util';

export { AMAZON_CARRIERS, JP_MARKETPLACE_ID, memoryTokenStore, OPERATION_LIMITS } from './config';
export type { AmazonAdapterConfig, AmazonCachedToken, AmazonCarrier, AmazonCredentials, AmazonOrdersApi, AmazonTokenStore } from './config';
export { V0_STATUS, V2026_STATUS } from './orders';

export interface AmazonAdapter extends MallAdapter {
  readonly mall: 'amazon';
  setLeadTime(updates: Parameters<NonNullable<MallAdapter['setLeadTime']>>[0]): Promise<ItemResult[]>;
  /** The settings in force, defaults filled in (for the settings page and logs). */
  readonly config: Readonly<Omit<ResolvedAmazonConfig, 'http' | 'credentials' | 'tokenStore'>>;
  /** Set when the app may not fetch Restricted Data Tokens, so v0 orders come without buyer name and address. */
  piiUnavailable(): { code?: string; message: string } | undefined;
}

const searchProbe = z.object({ numberOfResults: z.number().int().nonnegative(), items: z.array(z.unknown()) });

export function createAmazonAdapter(config: AmazonAdapterConfig): AmazonAdapter {
  const cfg = resolveConfig(config);
  const api = new SpApi(cfg);
  const feeds = new FeedsApi(api);
  const listings = new ListingsApi(api, feeds);
  const orders = new OrdersApi(api);
  const { http: _http, credentials: _credentials, tokenStore: _tokenStore, ...visible } = cfg;

  async function check(name: string, checks: ConnectionReport['checks'], run: () => Promise<unknown>): Promise<boolean> {
    try {
      await run();
      checks.push({ name, ok: true });
      return true;
    } catch (caught) {
      checks.push({ name, ok: false, error: toMallError(caught, name).toJSON() });
      return false;
    }
  }

  return {
    mall: 'amazon',
    config: visible,

    /**
     * Login with Amazon first (bad client secret or refresh token shows here), then the cheapest call
     * that proves the seller id and the listings role: a one-result searchListingsItems (5 rps). The
     * orders endpoints are left alone: getOrders refills one call a minute, searchOrders one per three.
     */
    async testConnection(): Promise<ConnectionReport> {
      const checks: ConnectionReport['checks'] = [];
      const ok =
        (await check('lwa-token', checks, () => api.auth.accessToken())) &&
        (await check('listings', checks, () =>
          api.call({
            op: 'searchListingsItems',
            method: 'GET',
            path: `/listings/2021-08-01/items/${api.sellerPath}`,
            query: { marketplaceIds: [cfg.marketplaceId], pageSize: 1 },
            schema: searchProbe,
          }),
        ));
      if (ok && cfg.ordersApi === 'v0' && cfg.restrictedData) {
        // Buyer names and addresses need this role; without it orders still sync, just without PII.
        await check('restricted-data-token', checks, () =>
          api.call({
            op: 'createRestrictedDataToken',
            method: 'POST',
            path: '/tokens/2021-03-01/restrictedDataToken',
            body: { restrictedResources: [{ method: 'GET', path: '/orders/v0/orders', dataElements: ['buyerInfo', 'shippingAddress'] }] },
            schema: z.object({ restrictedDataToken: z.string().min(1) }),
          }),
        );
      }
      // The RDT check only decides whether orders carry PII; the connection works without it.
      return { ok: ok && checks.every((c) => c.ok || c.name === 'restricted-data-token'), checks };
    },

    listOrdersSince: (cursor, options) => orders.listOrdersSince(cursor, options),
    getOrders: (orderNumbers) => orders.getOrders(orderNumbers),

    /** Amazon has no seller confirmation step for merchant-fulfilled orders: Unshipped orders are ready to ship. */
    async confirmOrders(orderNumbers: string[]): Promise<ItemResult[]> {
      return orderNumbers.map((key) => ({ key, ok: true }));
    },

    readStock: (l, options) => listings.readStock(l, options?.patience),
    pushStock: (pushes, onProgress) => listings.pushStock(pushes, onProgress),
    upsertItem: (draft) => listings.upsertItem(draft),
    confirmShipments: (shipments) => orders.confirmShipments(shipments),
    setLeadTime: (updates) => listings.setLeadTime(updates),

    piiUnavailable(): { code?: string; message: string } | undefined {
      const e: MallError | undefined = orders.piiDenied;
      return e ? { ...(e.code ? { code: e.code } : {}), message: e.message } : undefined;
    },
  };
}

/**
 * How the sync engine drives Amazon (entrypoints/background/mall-adapters.ts and the sync benchmark):
 * - searchOrders (Orders v2026-01-01) refills one request per ~3 minutes after its burst of 20: polling
 *   faster would drain the burst and then stall every cycle behind the limiter;
 * - 50 listing patches take ~10 s at 5/s; a larger push would go as a feed, minutes in Amazon's queue;
 * - orders reach the API about 2 minutes after they are placed, so pushes read the shelf first, again
 *   before every 5 patches (one second of them): a sale between a reading and its patch is overwritten.
 */
export const AMAZON_SYNC_TUNING = {
  minOrderPollIntervalMs: 1000 / OPERATION_LIMITS.searchOrders.rate,
  maxPushesPerDrain: 50,
  shelfReadChunk: 5,
  orderVisibilityLagMs: VISIBILITY_LAG_MS,
} as const;
