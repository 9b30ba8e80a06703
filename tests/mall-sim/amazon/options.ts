import type { OperationKey } from './ops';

/**
 * Knobs for behaviour the spec could not pin down (each cites its section) and for timing, so tests
 * and benchmarks can run the same contract fast or realistically. Times are mall milliseconds.
 */
export interface AmazonSimOptions {
  /** LWA access-token lifetime; `expires_in` is 3600 (spec §2.1). */
  accessTokenTtlSeconds?: number;
  /** Restricted Data Token lifetime (`expiresIn`, spec §2.3). */
  rdtTtlSeconds?: number;
  /**
   * HTTP status per LWA error code. Spec §2.1: "400/401 per OAuth2 convention (UNCERTAIN exact mapping)";
   * defaults follow RFC 6749 §5.2 (invalid_client 401, the rest 400).
   */
  lwaErrorStatus?: Partial<Record<LwaErrorCode, number>>;
  /**
   * Which productType a PATCH/PUT/feed message may name for an existing SKU. Spec §4.2: UNCERTAIN whether
   * Amazon accepts the generic `PRODUCT` for every SKU. 'allow-PRODUCT' (default) accepts the SKU's own
   * type or PRODUCT; 'strict' only its own; 'off' anything.
   */
  productTypeCheck?: 'strict' | 'allow-PRODUCT' | 'off';
  /** Product type seeded listings carry (what getListingsItem's summaries report). */
  seedProductType?: string;
  /** lead_time_to_ship_max_days seeded listings carry. */
  seedLeadTimeDays?: number;
  /**
   * PATCH of a SKU Amazon does not have. Amazon answers ACCEPTED and creates an incomplete offer
   * (amzn/selling-partner-api-models issues #2797, #4402), which is the default 'accept'; 'invalid' answers
   * INVALID instead, for tests that want a client's typo to show.
   */
  patchUnknownSku?: 'accept' | 'invalid';
  /**
   * ACCEPTED only means queued (spec §4.4): a listings change becomes visible this long after it was
   * accepted. 0 (default) applies it at once.
   */
  listingsApplyDelayMs?: number;
  /** A feed stays IN_QUEUE this long after createFeed (spec §5.4: "Expect minutes"). */
  feedQueueMs?: number;
  /** …then IN_PROGRESS this long before DONE, when its messages are applied. */
  feedProcessingMs?: number;
  /** Feed documents above this size end FATAL (spec §5.4 best practice "< 10 MiB"; UNCERTAIN as a hard limit). */
  maxFeedDocumentBytes?: number;
  /** Serve processing reports GZIP-compressed with `compressionAlgorithm: "GZIP"` (spec §5.1, §10.4 "optionally"). */
  gzipFeedReports?: boolean;
  /** Presigned upload/download URLs expire after this (5 minutes per the feeds model). */
  documentUrlTtlMs?: number;
  /**
   * getOrders/searchOrders see orders only up to `now − lag` (the *Before bound must be ≥ 2 minutes before
   * now, spec §6.1/§6.2). The response's LastUpdatedBefore/CreatedBefore reports that bound, so a client that
   * uses "now" as its next cursor misses orders, as it would against Amazon.
   */
  ordersVisibilityLagMs?: number;
  /** New buyer orders stay Pending this long before Unshipped (0 = Unshipped at once). */
  pendingOrderMs?: number;
  /**
   * Carrier codes confirmShipment accepts. Spec §6.4: the JP list is UNCERTAIN, "a fake server should accept
   * any non-empty carrierCode and require carrierName when it is Other" — the default (undefined) does that.
   */
  allowedCarrierCodes?: string[];
  /** Answer 415 to a body sent without `application/json` (spec §2.2 asks for it; §7 lists 415). */
  requireJsonContentType?: boolean;
  /** `code` of 404 answers; spec §7 marks `NotFound` UNCERTAIN. */
  notFoundCode?: string;
  /** Higher usage plans some sellers get (spec §7: "the header tells you"). */
  rateLimits?: Partial<Record<OperationKey, { rate: number; burst: number }>>;
  /**
   * JSON_LISTINGS_FEED's own cap since 2025-05-06, 5 feeds per 5 minutes per region (spec §5.4), applied on
   * top of createFeed's usage plan under the key `amazon:createFeed:JSON_LISTINGS_FEED`; false disables it.
   */
  jsonListingsFeedLimit?: { rate: number; burst: number } | false;
  /** Inclusive range accepted for lead_time_to_ship_max_days (spec §4.3 UNCERTAIN; tolerant default 0–30). */
  leadTimeRange?: [number, number];
}

export type LwaErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'server_error';

export type ResolvedOptions = Required<Omit<AmazonSimOptions, 'allowedCarrierCodes' | 'lwaErrorStatus' | 'rateLimits'>> & {
  allowedCarrierCodes?: string[];
  lwaErrorStatus: Record<LwaErrorCode, number>;
  rateLimits: Partial<Record<OperationKey, { rate: number; burst: number }>>;
};

export function resolveOptions(o: AmazonSimOptions = {}): ResolvedOptions {
  return {
    accessTokenTtlSeconds: o.accessTokenTtlSeconds ?? 3600,
    rdtTtlSeconds: o.rdtTtlSeconds ?? 3600,
    lwaErrorStatus: {
      invalid_request: 400,
      invalid_client: 401,
      invalid_grant: 400,
      unsupported_grant_type: 400,
      invalid_scope: 400,
      server_error: 500,
      ...o.lwaErrorStatus,
    },
    productTypeCheck: o.productTypeCheck ?? 'allow-PRODUCT',
    seedProductType: o.seedProductType ?? 'SHIRT',
    seedLeadTimeDays: o.seedLeadTimeDays ?? 2,
    patchUnknownSku: o.patchUnknownSku ?? 'accept',
    listingsApplyDelayMs: o.listingsApplyDelayMs ?? 0,
    feedQueueMs: o.feedQueueMs ?? 30_000,
    feedProcessingMs: o.feedProcessingMs ?? 60_000,
    maxFeedDocumentBytes: o.maxFeedDocumentBytes ?? 10 * 1024 * 1024,
    gzipFeedReports: o.gzipFeedReports ?? false,
    documentUrlTtlMs: o.documentUrlTtlMs ?? 5 * 60_000,
    ordersVisibilityLagMs: o.ordersVisibilityLagMs ?? 2 * 60_000,
    pendingOrderMs: o.pendingOrderMs ?? 0,
    allowedCarrierCodes: o.allowedCarrierCodes,
    requireJsonContentType: o.requireJsonContentType ?? true,
    notFoundCode: o.notFoundCode ?? 'NotFound',
    rateLimits: o.rateLimits ?? {},
    jsonListingsFeedLimit: o.jsonListingsFeedLimit ?? { rate: 5 / 300, burst: 5 },
    leadTimeRange: o.leadTimeRange ?? [0, 30],
  };
}
