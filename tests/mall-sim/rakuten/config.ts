import type { BucketSpec } from '../core/rate-limit';
import type { GatewayErrorStyle } from './errors';
import { DAY_MS } from './time';

/**
 * RMS "functions" as switched on per license key in 利用機能編集 (spec §1). Order and license names are
 * the documented ones; ItemAPI / InventoryAPI names follow the function column of spec §4 / §5.
 */
export const RAKUTEN_FUNCTIONS = [
  'items.get',
  'items.upsert',
  'items.patch',
  'items.delete',
  'items.bulk.get',
  'items.search',
  'inventories.variants.get',
  'inventories.variants.upsert',
  'inventories.variants.delete',
  'inventories.bulk.get',
  'inventories.bulk.get.range',
  'inventories.bulk.upsert',
  'inventories.variant-lists.get',
  'rpay.order.searchOrder',
  'rpay.order.getOrder',
  'rpay.order.confirmOrder',
  'rpay.order.updateOrderShipping',
  'rpay.order.updateOrderShippingAsync',
  'rpay.order.getResultUpdateOrderShippingAsync',
  'rpay.order.cancelOrder',
  'license.expiryDate.get',
] as const;

export type RakutenFunction = (typeof RAKUTEN_FUNCTIONS)[number];

/**
 * Buckets per function (spec §7). InventoryAPI numbers are official; items.get 5 rps is transcribed;
 * other ItemAPI functions are UNCERTAIN ("assume 1–5"): reads get 5, writes 1. RakutenPayOrderAPI has
 * no official number (UNCERTAIN, "~1 req/s per shop"), so by default every order function shares one
 * bucket keyed `rpay.order`.
 */
export const DEFAULT_RATE_LIMITS: Record<string, BucketSpec> = {
  'items.get': { rate: 5, burst: 5 },
  'items.search': { rate: 5, burst: 5 },
  'items.bulk.get': { rate: 5, burst: 5 },
  'items.upsert': { rate: 1, burst: 1 },
  'items.patch': { rate: 1, burst: 1 },
  'items.delete': { rate: 1, burst: 1 },
  'inventories.bulk.get': { rate: 5, burst: 5 },
  'inventories.bulk.get.range': { rate: 5, burst: 5 },
  'inventories.variants.get': { rate: 1, burst: 1 },
  'inventories.variants.upsert': { rate: 1, burst: 1 },
  'inventories.variants.delete': { rate: 1, burst: 1 },
  'inventories.bulk.upsert': { rate: 1, burst: 1 },
  'inventories.variant-lists.get': { rate: 1, burst: 1 },
  'rpay.order': { rate: 1, burst: 1 },
  'license.expiryDate.get': { rate: 1, burst: 1 },
};

export interface RakutenSimOptions {
  /** Mall-time ms at which the demo license key stops working; default: end of the JST day 90 days after start (spec §2). */
  licenseExpiresAt?: number;
  /** Functions enabled for the key; default all (spec §1 利用機能編集). */
  enabledFunctions?: Iterable<RakutenFunction>;
  /** Gateway error body shape (spec §3 item 3, §13: UNCERTAIN). Default `results`. */
  gatewayErrorStyle?: GatewayErrorStyle;
  /** Spec §7 lists ES04-01 400 also for an unrecognised key, §12 says 401; default 401 (UNCERTAIN). */
  unknownKeyStatus?: 401 | 400;
  /** Throttled answer (spec §7/§13: 403 vs 429 UNCERTAIN). Default 429. */
  throttleStatus?: 429 | 403;
  /** `Retry-After` seconds on throttled answers (spec §12 item 2); null = no header. Default 1. */
  retryAfterSeconds?: number | null;
  /** Per-bucket overrides, keyed like DEFAULT_RATE_LIMITS (the limiter key is `rakuten:<bucket>`). */
  rateLimits?: Partial<Record<string, BucketSpec>>;
  /** `shared`: all order functions spend from `rakuten:rpay.order` (spec §7 "per shop"); `per-function`: `rakuten:rpay.order.<fn>`. */
  orderApiBucket?: 'shared' | 'per-function';
  /**
   * Spec §1: official pages and recorded traffic accept any `application/json` form; KUKU claims only
   * `application/json;charset=utf-8` (no space) works, else 415 ES04-03 (UNCERTAIN/contradicted).
   */
  contentTypeRule?: 'any-json' | 'no-space-charset';
  /** Spec §5: bulk upsert "appears all-or-nothing" on validation errors; partial application UNCERTAIN. */
  bulkUpsertValidation?: 'all-or-nothing' | 'per-item';
  /** Answer of inventories.bulk.upsert when the `partial` fault fails some rows (see inventory.ts). */
  partialFailureStatus?: number;
  /** items.delete success status: spec §4 "not seen (assume 204, UNCERTAIN)". */
  itemDeleteStatus?: 200 | 204;
  /** Body fields that only exist in responses (`manageNumber`, `created`, `updated`) → IE0002 "Unrecognized field" (spec §4.1). */
  rejectServerFieldsInItemBody?: boolean;
  /** getOrder versions answered (spec §6.3: required since 2021, older being retired). Default [10]. */
  acceptedOrderVersions?: number[];
  /** Unconfirmed orders are cancelled after this much mall time (spec §6.1: 14 days). */
  autoCancelAfterMs?: number;
  /** 200 楽天処理中 → 300 発送待ち after confirmOrder (not documented; mall time). */
  rakutenProcessingMs?: number;
  /** 500 → 600 and 600 → 700 after the shipping report (not documented; mall time). */
  settlementStartMs?: number;
  settlementDoneMs?: number;
  /** updateOrderShippingAsync: results appear after this much mall time (spec §6.5). */
  asyncShippingDelayMs?: number;
  /** Spec §4.4: items.search lags up to 24 h after create/delete; default 0 so tests see writes at once. */
  searchIndexLagMs?: number;
  /** Digits of the running part of order numbers (spec §6: `{shopId}-{YYYYMMDD}-{8–10 digits}`). */
  orderNumberDigits?: number;
  /** Seed of the PRNG that picks buyer names/addresses, so runs are reproducible. */
  randomSeed?: number;
}

export type ResolvedOptions = Required<Omit<RakutenSimOptions, 'licenseExpiresAt' | 'enabledFunctions' | 'rateLimits'>> & {
  rateLimits: Record<string, BucketSpec>;
};

export function resolveOptions(options: RakutenSimOptions): ResolvedOptions {
  const rateLimits: Record<string, BucketSpec> = { ...DEFAULT_RATE_LIMITS };
  for (const [k, v] of Object.entries(options.rateLimits ?? {})) if (v) rateLimits[k] = v;
  return {
    gatewayErrorStyle: options.gatewayErrorStyle ?? 'results',
    unknownKeyStatus: options.unknownKeyStatus ?? 401,
    throttleStatus: options.throttleStatus ?? 429,
    retryAfterSeconds: options.retryAfterSeconds === undefined ? 1 : options.retryAfterSeconds,
    rateLimits,
    orderApiBucket: options.orderApiBucket ?? 'shared',
    contentTypeRule: options.contentTypeRule ?? 'any-json',
    bulkUpsertValidation: options.bulkUpsertValidation ?? 'all-or-nothing',
    partialFailureStatus: options.partialFailureStatus ?? 409,
    itemDeleteStatus: options.itemDeleteStatus ?? 204,
    rejectServerFieldsInItemBody: options.rejectServerFieldsInItemBody ?? true,
    acceptedOrderVersions: options.acceptedOrderVersions ?? [10],
    autoCancelAfterMs: options.autoCancelAfterMs ?? 14 * DAY_MS,
    rakutenProcessingMs: options.rakutenProcessingMs ?? 10 * 60_000,
    settlementStartMs: options.settlementStartMs ?? 1 * DAY_MS,
    settlementDoneMs: options.settlementDoneMs ?? 3 * DAY_MS,
    asyncShippingDelayMs: options.asyncShippingDelayMs ?? 5_000,
    searchIndexLagMs: options.searchIndexLagMs ?? 0,
    orderNumberDigits: options.orderNumberDigits ?? 8,
    randomSeed: options.randomSeed ?? 20261201,
  };
}
