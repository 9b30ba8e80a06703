import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MallError } from '@/lib/malls/errors';
import { buildAuthorizeUrl, memoryTokenStore, type TokenSet, yahooExpiryWarnings } from '@/lib/malls/yahoo';
import { demoSlice, type Harness, launchViaFetch, REDIRECT_URI, startHarness, yahooListing } from './harness';

let h: Harness;
const { seed } = demoSlice();
const mug = yahooListing('ich00001', 'ich00001-wh-s');

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => h.reset(seed));

async function rejection(promise: Promise<unknown>): Promise<MallError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MallError);
  return error as MallError;
}

describe('ID連携 (authorization code flow)', () => {
  it('builds the documented authorize URL with state, nonce and PKCE', () => {
    const url = new URL(buildAuthorizeUrl({ clientId: 'cid', redirectUri: REDIRECT_URI, state: 'st', nonce: 'nn', codeChallenge: 'ch', authBase: 'https://auth.example' }));
    expect(url.origin + url.pathname).toBe('https://auth.example/yconnect/v2/authorization');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'cid',
      redirect_uri: REDIRECT_URI,
      state: 'st',
      nonce: 'nn',
      code_challenge: 'ch',
      code_challenge_method: 'S256',
    });
    expect(url.searchParams.get('scope')?.split(' ')).toContain('openid');
  });

  it('authorizes, reports the tokens once, and then calls the API with them', async () => {
    const reported: TokenSet[] = [];
    const adapter = h.adapter({ onTokens: (t) => void reported.push(t) });
    const tokens = await adapter.authorize(launchViaFetch);
    expect(reported).toEqual([tokens]);
    const now = h.srv.ctx.clock.now();
    expect(tokens.accessTokenExpiresAt).toBe(now + 3600_000);
    expect(tokens.refreshTokenExpiresAt).toBe(now + 28 * 86_400_000);
    expect(h.srv.sim.auth.grantFor(tokens.refreshToken)).toBeDefined();
    expect(await adapter.readStock([mug])).toEqual([{ listingId: mug.id, quantity: expect.any(Number) }]);
    // The cached access token is used: one code exchange, no refresh.
    expect(h.log.count('token')).toBe(1);
    expect(adapter.expiries().map((e) => e.what)).toEqual(['refresh-token', 'public-key']);
  });

  it('refuses an answer whose state is not ours, without exchanging its code', async () => {
    const adapter = h.adapter();
    const error = await rejection(
      adapter.authorize(async (url) => {
        const final = new URL(await launchViaFetch(url));
        final.searchParams.set('state', 'forged');
        return final.toString();
      }),
    );
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('state');
    expect(h.log.count('token')).toBe(0);
  });

  it('reports a declined consent and a wrong client secret as auth errors', async () => {
    h.srv.sim.options.consent = 'deny';
    const declined = await rejection(h.adapter().authorize(launchViaFetch));
    expect(declined).toMatchObject({ kind: 'auth', code: 'access_denied' });
    h.srv.sim.options.consent = 'agree';
    const wrong = await rejection(h.adapter({ credentials: { clientSecret: 'nope' } }).authorize(launchViaFetch));
    expect(wrong).toMatchObject({ kind: 'auth', code: 'invalid_client', status: 401 });
  });

  it('says authorisation is needed when there is no refresh token', async () => {
    const error = await rejection(h.adapter().readStock([mug]));
    expect(error.kind).toBe('auth');
    expect(error.message).toMatch(/authorise/);
  });
});

describe('tokens', () => {
  it('refreshes the access token shortly before it expires and keeps the refresh token', async () => {
    const store = memoryTokenStore();
    const adapter = await h.connected({ tokenStore: store });
    const first = (await store.get())!.accessToken;
    h.srv.ctx.clock.advance(56 * 60_000); // inside the 5-minute early-refresh window
    await adapter.readStock([mug]);
    expect(h.log.count('token')).toBe(2);
    expect((await store.get())!.accessToken).not.toBe(first);
    expect(h.log.count('getStock')).toBe(1);
  });

  it('shares one cached token through the TokenStore across adapters (service-worker restarts)', async () => {
    const store = memoryTokenStore();
    const tokens = await h.adapter({ tokenStore: store }).authorize(launchViaFetch);
    const restarted = h.adapter({ tokenStore: store, credentials: { refreshToken: tokens.refreshToken } });
    await restarted.readStock([mug]);
    expect(h.log.count('token')).toBe(1);
  });

  it('an access token Yahoo calls expired is refreshed once and the call retried (expire-auth)', async () => {
    const adapter = await h.connected();
    h.srv.ctx.faults.add({ kind: 'expire-auth', mall: 'yahoo', path: '/getStock' });
    expect(await adapter.readStock([mug])).toHaveLength(1);
    expect(h.log.count('getStock')).toBe(2);
    expect(h.log.count('token')).toBe(2);
  });

  it('a second refusal after the refresh is an auth error, not a loop', async () => {
    const adapter = await h.connected();
    h.srv.ctx.faults.add({ kind: 'expire-auth', mall: 'yahoo', path: '/getStock', count: 5 });
    const error = await rejection(adapter.readStock([mug]));
    expect(error).toMatchObject({ kind: 'auth', status: 401 });
    expect(h.log.count('getStock')).toBe(2);
  });

  it('an expired refresh token (4 weeks) asks for re-authorisation', async () => {
    const adapter = await h.connected();
    h.srv.ctx.clock.advance(29 * 86_400_000);
    const error = await rejection(adapter.readStock([mug]));
    expect(error).toMatchObject({ kind: 'auth', code: 'invalid_grant' });
    expect(error.message).toMatch(/re-authorisation/);
  });

  it('expire-auth on the token endpoint kills the refresh token: auth error', async () => {
    const adapter = await h.connected();
    h.srv.ctx.clock.advance(3601_000);
    h.srv.ctx.faults.add({ kind: 'expire-auth', mall: 'yahoo', path: '/yconnect/v2/token' });
    expect(await rejection(adapter.readStock([mug]))).toMatchObject({ kind: 'auth', code: 'invalid_grant' });
  });

  it('a token endpoint 5xx is retried', async () => {
    const adapter = await h.connected();
    h.srv.ctx.clock.advance(3601_000);
    h.srv.ctx.faults.add({ kind: 'server-error', mall: 'yahoo', path: '/yconnect/v2/token', status: 503 });
    expect(await adapter.readStock([mug])).toHaveLength(1);
    expect(h.retries).toContainEqual({ endpoint: 'token.refresh_token', kind: 'server' });
  });
});

describe('testConnection and 公開鍵認証', () => {
  it('passes token, key, signed order call and stock read, and reports both expiries', async () => {
    const adapter = await h.connected();
    const report = await adapter.testConnection();
    expect(report.checks.map((c) => [c.name, c.ok])).toEqual([
      ['token', true],
      ['public-key', true],
      ['orders', true],
      ['stock', true],
    ]);
    expect(report.ok).toBe(true);
    const now = h.srv.ctx.clock.now();
    expect(report.expiries).toEqual([
      { what: 'refresh-token', expiresAt: now + 28 * 86_400_000 },
      { what: 'public-key', expiresAt: now + 365 * 86_400_000 },
    ]);
  });

  it('without a public key: order calls work (12-hour regime) but the check fails and the consent is 12 h', async () => {
    const adapter = await h.connected({ credentials: { publicKeyPem: undefined, keyVersion: undefined } });
    const report = await adapter.testConnection();
    const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
    expect(byName['public-key']).toMatchObject({ ok: false, error: { kind: 'auth' } });
    expect(byName.orders!.ok).toBe(true);
    expect(report.ok).toBe(false);
    expect(report.expiries?.[0]).toEqual({ what: 'refresh-token', expiresAt: h.srv.ctx.clock.now() + 12 * 3600_000 });
  });

  it('px-04102 after 12 h of unsigned use is an auth error', async () => {
    const adapter = await h.connected({ credentials: { publicKeyPem: undefined, keyVersion: undefined } });
    h.srv.ctx.clock.advance(12.5 * 3600_000);
    const report = await adapter.testConnection();
    expect(report.checks.find((c) => c.name === 'orders')!.error).toMatchObject({ kind: 'auth', code: 'px-04102' });
  });

  it("an unsigned call Yahoo refuses (px-14303, 'reject' mode) is a permission problem", async () => {
    h.srv.sim.options.missingSignature = 'reject';
    const adapter = await h.connected({ credentials: { publicKeyPem: undefined, keyVersion: undefined } });
    const report = await adapter.testConnection();
    expect(report.checks.find((c) => c.name === 'orders')!.error).toMatchObject({ kind: 'permission', code: 'px-14303' });
  });

  it('a wrong key version or an expired key is an auth problem (px-14303)', async () => {
    const adapter = await h.connected({ credentials: { keyVersion: '9' } });
    const orders = (await adapter.testConnection()).checks.find((c) => c.name === 'orders')!;
    expect(orders.error).toMatchObject({ kind: 'auth', code: 'px-14303', status: 401 });
    h.srv.sim.auth.setKeyExpiry(h.srv.ctx.credentials.yahoo.keyVersion, h.srv.ctx.clock.now() - 1);
    const expired = (await (await h.connected()).testConnection()).checks.find((c) => c.name === 'orders')!;
    expect(expired.error).toMatchObject({ kind: 'auth', code: 'px-14303' });
    expect(expired.error!.message).toContain('expired');
  });

  it("a signature whose time Yahoo refuses is clock skew (the computer's clock is 10 minutes fast)", async () => {
    const adapter = await h.connected({ now: () => h.srv.ctx.clock.now() + 10 * 60_000 });
    const report = await adapter.testConnection();
    const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
    expect(byName.orders!.error).toMatchObject({ kind: 'clock-skew', code: 'px-14303' });
    // Unsigned APIs still work, so the report says exactly which part is wrong.
    expect(byName.stock!.ok).toBe(true);
  });

  it("without a time hint in the answer, the server's Date header tells clock skew from a wrong key", async () => {
    // A fresh simulator whose mall clock is real time, so its Date header agrees with it.
    const fresh = await startHarness();
    try {
      fresh.reset(seed);
      // Leave only the bare px-14303, as a real answer may be.
      fresh.rewrite.current = (api, status, text) =>
        status === 401 ? { text: text.replace(/\(.*\)/, ''), dropHeaders: ['x-yahooj-autherror'] } : undefined;
      const skewed = await fresh.connected({ now: () => fresh.srv.ctx.clock.now() + 10 * 60_000, clockToleranceMs: 120_000 });
      const skewedOrders = (await skewed.testConnection()).checks.find((c) => c.name === 'orders')!;
      expect(skewedOrders.error).toMatchObject({ kind: 'clock-skew', code: 'px-14303' });
      const wrongKey = await fresh.connected({ credentials: { keyVersion: '9' }, clockToleranceMs: 120_000 });
      const wrongOrders = (await wrongKey.testConnection()).checks.find((c) => c.name === 'orders')!;
      expect(wrongOrders.error).toMatchObject({ kind: 'auth', code: 'px-14303' });
      expect(wrongOrders.error!.message).not.toContain('version 9');
    } finally {
      await fresh.close();
    }
  });

  it('an unreadable PEM or a missing key version fails locally, before any order call', async () => {
    const bad = await h.connected({ credentials: { publicKeyPem: '-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----' } });
    expect((await bad.testConnection()).checks.find((c) => c.name === 'public-key')!.error).toMatchObject({ kind: 'auth' });
    h.log.reset();
    const noVersion = await h.connected({ credentials: { keyVersion: '' } });
    const report = await noVersion.testConnection();
    expect(report.checks.find((c) => c.name === 'orders')!.error).toMatchObject({ kind: 'auth', endpoint: 'public-key' });
    expect(h.log.count('orderCount')).toBe(0);
  });

  it('an app without the order-API permission (px-04303) or the store scope is a permission problem', async () => {
    h.srv.sim.options.orderApiPermitted = false;
    const adapter = await h.connected();
    expect((await adapter.testConnection()).checks.find((c) => c.name === 'orders')!.error).toMatchObject({ kind: 'permission', code: 'px-04303' });
    h.srv.sim.options.orderApiPermitted = true;
    h.srv.sim.options.storeScopeGranted = false;
    const error = await rejection(adapter.readStock([mug]));
    expect(error).toMatchObject({ kind: 'permission', status: 401 });
    expect(h.log.count('token')).toBe(1); // insufficient_scope is not an expired token: no refresh
  });

  it('yahooExpiryWarnings names what runs out soon', () => {
    const now = Date.UTC(2026, 0, 1);
    const day = 86_400_000;
    expect(yahooExpiryWarnings({ now, refreshTokenExpiresAt: now + 20 * day, publicKeyIssuedAt: now - 100 * day })).toEqual([]);
    expect(yahooExpiryWarnings({ now, refreshTokenExpiresAt: now + 3 * day + 1, publicKeyIssuedAt: now - 330 * day })).toEqual([
      { what: 'refresh-token', expiresAt: now + 3 * day + 1, daysLeft: 3, expired: false },
      { what: 'public-key', expiresAt: now + 35 * day, daysLeft: 35, expired: false },
    ]);
    expect(yahooExpiryWarnings({ now, refreshTokenExpiresAt: now - 1 })[0]).toMatchObject({ expired: true, daysLeft: -1 });
  });
});
