import type { HttpClient } from '../../http/client';
import { type MallEndpoints, REAL_ENDPOINTS } from '../endpoints';
import type { Listing } from '../../catalog/schemas';
import { MallError, type ItemResult } from '../errors';
import type { ConnectionReport, MallAdapter } from '../types';
import {
  buildAuthorizeUrl,
  exchangeAuthorizationCode,
  memoryTokenStore,
  pkceChallenge,
  randomToken,
  type TokenSet,
  type TokenStore,
  YahooTokenManager,
} from './auth';
import { yahooExpiries } from './expiry';
import { type NewItemDefaults, publish, updateItems, upsertItem, type YahooItemUpdate } from './items';
import { confirmOrders, confirmShipments, getOrders, listOrdersSince, type OrderCursorOptions } from './orders';
import { orderCountSchema } from './schemas';
import { createPublicKeySigner, type PublicKeySigner } from './signature';
import { pushStock, readStock } from './stock';
import { YahooTransport } from './transport';

export { buildAuthorizeUrl, exchangeAuthorizationCode, refreshAccessToken, memoryTokenStore } from './auth';
export type { TokenSet, TokenStore, CachedAccessToken } from './auth';
export { yahooExpiryWarnings, yahooExpiries, PUBLIC_KEY_LIFETIME_MS } from './expiry';
export type { YahooExpiryWarning } from './expiry';
export type { NewItemDefaults, YahooItemUpdate } from './items';
export { yahooClassifier } from './errors';
export { stockCode } from './stock';

export interface YahooCredentials {
  clientId: string;
  clientSecret: string;
  sellerId: string;
  /** 公開鍵認証 (§1.3): PEM with its BEGIN/END lines, and the version shown in 暗号鍵管理. */
  publicKeyPem?: string;
  keyVersion?: string;
  refreshToken?: string;
  /** When the refresh token dies (from `onTokens`); reported by `testConnection` / `expiries`. */
  refreshTokenExpiresAt?: number;
  /** When the public key was issued; it lasts 1 year (§1.3). */
  publicKeyIssuedAt?: number;
}

export interface YahooAdapterConfig {
  http: HttpClient;
  credentials: YahooCredentials;
  /** API and login hosts; the real ones by default (`simulatorEndpoints().yahoo` in demo/e2e builds). */
  endpoints?: MallEndpoints['yahoo'];
  /** Registered callback URL; in the extension `browser.identity.getRedirectURL()`. Needed by `authorize`. */
  redirectUri?: string;
  /** Access-token cache (the extension: storage.session). Memory by default. */
  tokenStore?: TokenStore;
  /** Called with a new grant (after `authorize`), so the refresh token and its expiry can be stored. */
  onTokens?: (tokens: TokenSet) => void | Promise<void>;
  now?: () => number;
  /** Multiplies the published rate (tests run the simulator faster than real time). Default 1. */
  rateScale?: number;
  /**
   * Factor on the 1-second gap kept between two actual sends of one API, for the network delivering two
   * requests at different speeds. Default 1.05, the shared limiter's margin: a request that was slow on its
   * way is covered by spacing the next one from its estimated arrival (lib/http/arrival.ts), not by margin.
   */
  sendSpacingMargin?: number;
  timeoutMs?: number;
  /** Needed to create new items with editItem (§2.1 requires path and product_category). */
  newItemDefaults?: NewItemDefaults;
  /** Shown as OperationUser on order changes (§3.4, ≤120 characters). */
  operationUser?: string;
  orders?: Partial<Omit<OrderCursorOptions, 'now'>>;
  /** Beyond this difference between our clock and the server's Date, a refused signature is called clock skew. */
  clockToleranceMs?: number;
}

export interface YahooAdapter extends MallAdapter {
  readonly mall: 'yahoo';
  /**
   * ID連携: opens Yahoo's consent page through `launch` (the extension: `browser.identity.launchWebAuthFlow`)
   * which answers the final redirect URL; checks `state`, exchanges the code (PKCE) and keeps the tokens.
   */
  authorize(launch: (url: string) => Promise<string>): Promise<TokenSet>;
  publish(): Promise<void>;
  /** Partial item updates (§2.5), 100 per call; one result per update keyed by item code. */
  updateItems(updates: YahooItemUpdate[]): Promise<ItemResult[]>;
  expiries(): { what: 'refresh-token' | 'public-key'; expiresAt: number }[];
}

const DEFAULT_ORDER_OPTIONS: Omit<OrderCursorOptions, 'now'> = {
  // Each order costs one orderInfo at 1 req/s, and a page is applied (and its stock pushed) only when
  // it is complete: five orders keep a new order's wait for its page to about five seconds.
  maxOrdersPerPage: 5,
  listPageSize: 2000,
  changeLookbackMs: 14 * 24 * 3600 * 1000,
  initialLookbackMs: 24 * 3600 * 1000,
  // §1.3: the signature window is undocumented; the simulator accepts ±5 minutes, and a clock further off
  // than that cannot sign order calls at all.
  clockMarginMs: 5 * 60 * 1000,
  maxListCallsPerPage: 5,
};

/** An item code probed by testConnection's stock check: getStock answers Status 0 for unknown codes (§2.3). */
const PROBE_ITEM_CODE = 'ichigen-connection-check';

export function createYahooAdapter(config: YahooAdapterConfig): YahooAdapter {
  const endpoints = config.endpoints ?? REAL_ENDPOINTS.yahoo;
  const now = config.now ?? Date.now;
  const cred = config.credentials;
  const tokens = new YahooTokenManager({
    http: config.http,
    authBase: endpoints.auth,
    clientId: cred.clientId,
    clientSecret: cred.clientSecret,
    now,
    store: config.tokenStore ?? memoryTokenStore(),
    ...(cred.refreshToken !== undefined ? { refreshToken: cred.refreshToken } : {}),
    ...(cred.refreshTokenExpiresAt !== undefined ? { refreshTokenExpiresAt: cred.refreshTokenExpiresAt } : {}),
    ...(config.onTokens ? { onTokens: config.onTokens } : {}),
  });
  const signer = makeSigner(cred, now);
  const transport = new YahooTransport({
    http: config.http,
    apiBase: endpoints.api,
    tokens,
    ...(signer ? { signer } : {}),
    now,
    rateScale: config.rateScale ?? 1,
    sendSpacingMargin: config.sendSpacingMargin ?? 1.05,
    ...(config.timeoutMs !== undefined ? { timeoutMs: config.timeoutMs } : {}),
    skewToleranceMs: config.clockToleranceMs ?? 120_000,
  });
  const sellerId = cred.sellerId;
  const orderDeps = { transport, sellerId, operationUser: (config.operationUser ?? 'Ichigen').slice(0, 120) };
  const itemDeps = { transport, sellerId, ...(config.newItemDefaults ? { newItemDefaults: config.newItemDefaults } : {}) };
  const orderOptions: OrderCursorOptions = { ...DEFAULT_ORDER_OPTIONS, ...config.orders, now };

  const expiries = () =>
    yahooExpiries({
      ...(tokens.refreshTokenExpiresAt !== undefined ? { refreshTokenExpiresAt: tokens.refreshTokenExpiresAt } : {}),
      ...(cred.publicKeyIssuedAt !== undefined ? { publicKeyIssuedAt: cred.publicKeyIssuedAt } : {}),
    });

  async function check(name: string, run: () => Promise<unknown>): Promise<ConnectionReport['checks'][number]> {
    try {
      await run();
      return { name, ok: true };
    } catch (caught) {
      if (!(caught instanceof MallError)) throw caught;
      return { name, ok: false, error: caught.toJSON() };
    }
  }

  return {
    mall: 'yahoo',

    async testConnection() {
      const checks: ConnectionReport['checks'] = [];
      const token = await check('token', () => tokens.accessToken());
      checks.push(token);
      if (token.ok) {
        checks.push(
          await check('public-key', async () => {
            if (!signer) {
              throw new MallError({
                mall: 'yahoo',
                endpoint: 'public-key',
                kind: 'auth',
                message: 'no public key set: order APIs then cap the Yahoo consent at 12 hours (§1.2); issue one in ストアクリエイターPro → 暗号鍵管理',
              });
            }
            signer.headers();
          }),
        );
        // A signed order call: proves the order-API permission, the key, its version and the clock.
        checks.push(
          await check('orders', () => transport.sendParsed({ api: 'orderCount', method: 'GET', form: new URLSearchParams({ sellerId }) }, orderCountSchema)),
        );
        checks.push(await check('stock', () => readStock(transport, sellerId, [PROBE_LISTING])));
      }
      return { ok: checks.every((c) => c.ok), checks, expiries: expiries() };
    },

    listOrdersSince: (cursor, options) => listOrdersSince(orderDeps, orderOptions, cursor, options?.since),
    getOrders: (orderNumbers) => getOrders(orderDeps, orderNumbers),
    confirmOrders: (orderNumbers) => confirmOrders(orderDeps, orderNumbers),
    confirmShipments: (shipments) => confirmShipments(orderDeps, shipments),
    readStock: (listings, options) => readStock(transport, sellerId, listings, options?.patience),
    pushStock: (pushes, onProgress) => pushStock(transport, sellerId, pushes, onProgress),
    upsertItem: (draft) => upsertItem(itemDeps, draft),
    updateItems: (updates) => updateItems(itemDeps, updates),
    async publish() {
      await publish(itemDeps);
    },
    expiries,

    async authorize(launch) {
      if (!config.redirectUri) {
        throw new MallError({ mall: 'yahoo', endpoint: 'authorize', kind: 'invalid-request', message: 'redirectUri is not configured' });
      }
      const state = randomToken(16);
      const verifier = randomToken(32);
      const url = buildAuthorizeUrl({
        clientId: cred.clientId,
        redirectUri: config.redirectUri,
        state,
        nonce: randomToken(16),
        codeChallenge: await pkceChallenge(verifier),
        authBase: endpoints.auth,
      });
      const final = await launch(url);
      const code = readCallback(final, config.redirectUri, state);
      const set = await exchangeAuthorizationCode({
        http: config.http,
        authBase: endpoints.auth,
        clientId: cred.clientId,
        clientSecret: cred.clientSecret,
        now,
        code,
        redirectUri: config.redirectUri,
        codeVerifier: verifier,
        signedOrderCalls: signer !== undefined,
      });
      await tokens.adopt(set);
      return set;
    },
  };
}

function makeSigner(cred: YahooCredentials, now: () => number): PublicKeySigner | undefined {
  if (!cred.publicKeyPem) return undefined;
  const keyVersion = cred.keyVersion?.trim();
  if (!keyVersion) {
    // §1.3 [SOKU-REL]: a key without its version is refused with px-14303; say so before sending anything.
    return {
      headers() {
        throw new MallError({ mall: 'yahoo', endpoint: 'public-key', kind: 'auth', message: 'the public key has no version: enter the バージョン shown in 暗号鍵管理' });
      },
    };
  }
  return createPublicKeySigner({ sellerId: cred.sellerId, publicKeyPem: cred.publicKeyPem, keyVersion, now });
}

/** Reads the code from the final redirect, after checking it is our callback and carries our `state`. */
function readCallback(finalUrl: string, redirectUri: string, state: string): string {
  const fail = (message: string, code?: string) =>
    new MallError({ mall: 'yahoo', endpoint: 'authorize', kind: 'auth', message, ...(code ? { code } : {}) });
  let url: URL;
  try {
    url = new URL(finalUrl);
  } catch {
    throw fail('the authorisation did not end on a URL');
  }
  const expected = new URL(redirectUri);
  if (url.origin !== expected.origin || url.pathname !== expected.pathname) throw fail('the authorisation ended on an unexpected URL');
  const params = url.searchParams;
  // RFC 6749 §10.12: an answer without our state may be forged; nothing from it is used.
  if (params.get('state') !== state) throw fail('the authorisation answer does not carry our state: start again');
  const error = params.get('error');
  if (error) {
    const message = error === 'access_denied' ? 'the Yahoo consent was declined' : `Yahoo refused the authorisation (${error}${params.get('error_description') ? `: ${params.get('error_description')}` : ''})`;
    throw fail(message, error);
  }
  const code = params.get('code');
  if (!code) throw fail('the authorisation answer has no code');
  return code;
}

/** Not a real listing: only its code is sent. */
const PROBE_LISTING: Listing = {
  id: `yahoo:${PROBE_ITEM_CODE}`,
  mall: 'yahoo',
  skuCode: 'connection-check',
  externalItemId: PROBE_ITEM_CODE,
  yahoo: { itemCode: PROBE_ITEM_CODE },
  safetyBuffer: 0,
  active: true,
};
