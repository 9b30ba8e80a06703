import { catalogDb } from '@/lib/catalog/db';
import { loadCredentials } from '@/lib/catalog/credentials';
import { writeCredentials } from '@/lib/catalog/credential-lock';
import { MALL_IDS, type Credentials, type MallId } from '@/lib/catalog/schemas';
import { sessionRateStore, sessionValueStore } from '@/lib/background/session-stores';
import { HttpClient, WORKER_HTTP_RETRIES } from '@/lib/http/client';
import { RateLimiter } from '@/lib/http/rate-limiter';
import { AMAZON_SYNC_TUNING, createAmazonAdapter, type AmazonCachedToken } from '@/lib/malls/amazon';
import { endpointsForMode } from '@/lib/malls/endpoints';
import { createRakutenAdapter } from '@/lib/malls/rakuten';
import type { MallAdapter } from '@/lib/malls/types';
import { t } from '@/lib/i18n';
import { createYahooAdapter, type CachedAccessToken } from '@/lib/malls/yahoo';

/**
 * One limiter and one HTTP client for the whole worker, so every caller (sync, connection tests,
 * bulk edits) shares each endpoint's budget; the limiter's state lives in session storage and outlives
 * the worker.
 */
const limiter = new RateLimiter({ store: sessionRateStore(browser.storage.session) });
const http = new HttpClient({ limiter, ...WORKER_HTTP_RETRIES });
const endpoints = endpointsForMode(import.meta.env.MODE);

const isAmazonToken = (v: unknown): v is AmazonCachedToken =>
  typeof v === 'object' && v !== null && typeof (v as AmazonCachedToken).token === 'string' && typeof (v as AmazonCachedToken).expiresAt === 'number';
const isYahooToken = (v: unknown): v is CachedAccessToken =>
  typeof v === 'object' && v !== null && typeof (v as CachedAccessToken).accessToken === 'string' && typeof (v as CachedAccessToken).expiresAt === 'number';

export function createAdapter(credentials: Credentials): MallAdapter {
  switch (credentials.mall) {
    case 'rakuten':
      return createRakutenAdapter({ http, endpoints: endpoints.rakuten, credentials: { serviceSecret: credentials.serviceSecret, licenseKey: credentials.licenseKey } });
    case 'yahoo':
      return createYahooAdapter({
        http,
        endpoints: endpoints.yahoo,
        redirectUri: browser.identity?.getRedirectURL?.() ?? '',
        credentials: {
          clientId: credentials.clientId,
          clientSecret: credentials.clientSecret,
          sellerId: credentials.sellerId,
          ...(credentials.publicKeyPem ? { publicKeyPem: credentials.publicKeyPem } : {}),
          ...(credentials.keyVersion ? { keyVersion: credentials.keyVersion } : {}),
          ...(credentials.refreshToken ? { refreshToken: credentials.refreshToken } : {}),
          ...(credentials.refreshTokenExpiresAt ? { refreshTokenExpiresAt: credentials.refreshTokenExpiresAt } : {}),
          ...(credentials.publicKeyIssuedAt ? { publicKeyIssuedAt: credentials.publicKeyIssuedAt } : {}),
        },
        tokenStore: sessionValueStore(browser.storage.session, 'token:yahoo', isYahooToken),
        onTokens: async (tokens) => {
          const db = catalogDb();
          const row = await loadCredentials(db, 'yahoo', browser.storage.session);
          if (row?.mall === 'yahoo') {
            await writeCredentials(db, browser.storage.session, { ...row, refreshToken: tokens.refreshToken, refreshTokenExpiresAt: tokens.refreshTokenExpiresAt, updatedAt: Date.now() });
          }
        },
      });
    case 'amazon':
      return withSyncTuning(
        createAmazonAdapter({
        http,
        endpoints: endpoints.amazon,
        credentials: { clientId: credentials.clientId, clientSecret: credentials.clientSecret, refreshToken: credentials.refreshToken, sellerId: credentials.sellerId },
        tokenStore: {
          get: (key) => sessionValueStore(browser.storage.session, `token:amazon:${key}`, isAmazonToken).get(),
          set: (key, value) => sessionValueStore(browser.storage.session, `token:amazon:${key}`, isAmazonToken).set(value),
        },
        }),
        AMAZON_SYNC_TUNING,
      );
  }
}

function withSyncTuning(adapter: MallAdapter, tuning: Pick<MallAdapter, 'minOrderPollIntervalMs' | 'maxPushesPerDrain' | 'orderVisibilityLagMs' | 'shelfReadChunk'>): MallAdapter {
  return Object.assign(adapter, tuning);
}

export async function adapterFor(mall: MallId): Promise<MallAdapter | undefined> {
  const credentials = await loadCredentials(catalogDb(), mall, browser.storage.session);
  return credentials ? createAdapter(credentials) : undefined;
}

/**
 * Adapters of the malls ready to sync: credentials stored, and for Yahoo the ID連携 done (without a
 * refresh token no Yahoo call can be made, so the mall waits instead of failing every cycle).
 */
export async function connectedAdapters(): Promise<Partial<Record<MallId, MallAdapter>>> {
  const adapters: Partial<Record<MallId, MallAdapter>> = {};
  for (const mall of MALL_IDS) {
    const credentials = await loadCredentials(catalogDb(), mall, browser.storage.session);
    if (!credentials) continue;
    if (credentials.mall === 'yahoo' && !credentials.refreshToken) continue;
    adapters[mall] = createAdapter(credentials);
  }
  return adapters;
}

/** ID連携 with the stored app keys: Yahoo's consent page in a browser window, then the grant is stored. */
export async function authorizeYahoo(): Promise<{ refreshTokenExpiresAt: number }> {
  const credentials = await loadCredentials(catalogDb(), 'yahoo', browser.storage.session);
  if (!credentials) throw new Error(t('connection.notConfigured'));
  const adapter = createAdapter(credentials) as ReturnType<typeof createYahooAdapter>;
  const tokens = await adapter.authorize((url) => browser.identity.launchWebAuthFlow({ url, interactive: true }).then((u) => u ?? ''));
  return { refreshTokenExpiresAt: tokens.refreshTokenExpiresAt };
}
