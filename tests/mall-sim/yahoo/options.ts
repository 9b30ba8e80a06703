import type { BucketSpec } from '../core/rate-limit';

/**
 * Knobs for the Yahoo! Shopping simulator. Every default follows /work/shared/specs/yahoo-store-api.md;
 * the ones marked (?) there are knobs precisely because the spec could not pin them down, so a test can
 * flip them and check the client copes with either reading.
 */
export interface YahooSimOptions {
  // --- ID連携 (spec §1.2) ---
  /** Authorization-code lifetime. §1.2: "reported as 600 s (?)" [QI-OBARA]. */
  authCodeTtlSec?: number;
  /** §1.2: 3600 s [YC-FAQ]. */
  accessTokenTtlSec?: number;
  /** §1.2: 4 weeks [YC-FAQ]. */
  refreshTokenTtlSec?: number;
  /**
   * Redirect URIs registered for the client (§1.2: must match exactly). Undefined = accept any absolute
   * http(s) URL, because e2e runs get a fresh `https://<extension-id>.chromiumapp.org/` each build.
   */
  redirectUris?: string[];
  /** §1.2: `openid` is required in `scope`. */
  requireOpenidScope?: boolean;
  /** What the (headless) user answers on the consent screen. */
  consent?: 'agree' | 'deny';
  /**
   * §1.1: without the "ストア向け操作関連の機能" scope every call fails with insufficient_scope.
   * False simulates an app registered without it.
   */
  storeScopeGranted?: boolean;
  /** §1.1: false = the app never applied for order-API use → px-04303 on order APIs. */
  orderApiPermitted?: boolean;

  // --- 公開鍵認証 (spec §1.3) ---
  /**
   * APIs that need public-key auth. §1.3: only orderList/orderInfo are confirmed; third parties treat all
   * order APIs as restricted (?) — the default follows the third parties.
   */
  restrictedApis?: string[];
  /**
   * A restricted call without X-sws-signature. §1.2 "Shopping restriction": Yahoo still answers but caps
   * the consent at 12 h ('twelve-hour'); 'reject' answers px-14303 at once (what a store that enabled the
   * key but not the version saw, §1.3 [SOKU-REL]).
   */
  missingSignature?: 'twelve-hour' | 'reject';
  /** §1.2: consent length for a grant used unsigned on a restricted API. */
  unsignedSessionSec?: number;
  /**
   * §1.3 "vendors say one 12-h API call shortens the whole consent (?)": true = after one unsigned
   * restricted call the refresh token also dies 12 h after consent.
   */
  unsignedCallShortensConsent?: boolean;
  /** §1.3: "Timestamp freshness window: not found (?). accept |now−ts| ≤ a few minutes." */
  signatureSkewSec?: number;
  /** §1.3: keys are valid 1 year. Issue time of the key in ctx.credentials (mall ms); default = sim start. */
  keyIssuedAt?: number;
  keyValidityMs?: number;
  /** Verify X-sws-* on non-restricted APIs when a client sends them anyway (a bad one is a client bug). */
  verifySignatureWhenPresent?: boolean;
  /** §1.3: "Some clients also attach the same two headers to the token refresh (?)" — ignored by default. */
  tokenEndpointSignature?: 'ignore' | 'verify-if-present';
  /** §1.3: status for a present-but-invalid signature is undocumented. */
  signatureErrorStatus?: number;
  /** §8: "HTTP status for px-04102 (401 vs 400)" undocumented. */
  px04102Status?: number;

  // --- limits (spec §4) ---
  /** §4: 1 query/second per URL [DOC stock]; the older 10 req/s per API [HELP-OLD] is `{ rate: 10, burst: 10 }`. */
  rate?: BucketSpec;
  /** Per-API override, keyed by API name (`setStock`, `orderList` …). */
  rateByApi?: Record<string, BucketSpec>;
  /** §4: 50,000 requests/day per Client ID, reset at 00:00 JST [FAQ], appendix/rate.html. */
  dailyQuota?: number;
  /** §4: no documented throttle answer (?); Yahoo's over-limit answer is 403 "Your Request was Forbidden". */
  throttleStatus?: number;
  /** §4: "hammering the same URL can lock you out for a while" — mall ms of lock-out after a refusal. */
  throttleLockoutMs?: number;

  // --- items / stock (spec §2) ---
  /** §2.4 "any per-code error cancels all updates, yet also documents partial results (?)". */
  setStockMode?: 'partial' | 'all-or-nothing';
  /** ErrorCode for entries failed by the `partial` fault (§2.4 lists ed-10001 without meaning). */
  partialErrorCode?: string;
  /** §2.4 allows −999,999,999…; a shown stock below zero makes no sense to buyers, so clamp by default. */
  clampNegativeStock?: boolean;
  /** §2.4 "whether stock changes need 反映 (?)": true = setStock is invisible to buyers until publish. */
  stockNeedsPublish?: boolean;
  /** §2.6: reservePublish with empty reserve_time "runs immediately if the queue is idle, otherwise later". */
  publishDelayMs?: number;

  // --- orders (spec §3) ---
  /** §3.1 ReadOnlyMode / §3.3 IsReadOnly: 10-minute buyer-cancel window. */
  readOnlyWindowMs?: number;
  /** §3.5: "IsPointFix … must be true when changing ship status (one client sends false — not verified)". */
  requirePointFixTrueForShip?: boolean;
  /** First order number (§0: `<sellerId>-<8 digits>`). */
  orderIdStart?: number;
  /** PRNG seed for buyer names, payment methods … */
  seed?: number;
}

export type ResolvedYahooOptions = Required<Omit<YahooSimOptions, 'redirectUris' | 'keyIssuedAt'>> &
  Pick<YahooSimOptions, 'redirectUris' | 'keyIssuedAt'>;

export const ORDER_APIS = [
  'orderList',
  'orderInfo',
  'orderCount',
  'orderStatusChange',
  'orderShipStatusChange',
  'orderPayStatusChange',
  'orderChange',
];

export function resolveOptions(options: YahooSimOptions = {}): ResolvedYahooOptions {
  return {
    authCodeTtlSec: 600,
    accessTokenTtlSec: 3600,
    refreshTokenTtlSec: 28 * 24 * 3600,
    requireOpenidScope: true,
    consent: 'agree',
    storeScopeGranted: true,
    orderApiPermitted: true,
    restrictedApis: [...ORDER_APIS],
    missingSignature: 'twelve-hour',
    unsignedSessionSec: 12 * 3600,
    unsignedCallShortensConsent: true,
    signatureSkewSec: 300,
    keyValidityMs: 365 * 24 * 3600 * 1000,
    verifySignatureWhenPresent: true,
    tokenEndpointSignature: 'ignore',
    signatureErrorStatus: 401,
    px04102Status: 401,
    rate: { rate: 1, burst: 1 },
    rateByApi: {},
    dailyQuota: 50_000,
    throttleStatus: 403,
    throttleLockoutMs: 0,
    setStockMode: 'partial',
    partialErrorCode: 'ed-10001',
    clampNegativeStock: true,
    stockNeedsPublish: false,
    publishDelayMs: 0,
    readOnlyWindowMs: 10 * 60 * 1000,
    requirePointFixTrueForShip: false,
    orderIdStart: 10_000_001,
    seed: 20240601,
    ...options,
  };
}
