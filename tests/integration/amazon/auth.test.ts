import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { memoryTokenStore } from '@/lib/malls/amazon';
import { MallError } from '@/lib/malls/errors';
import { startAmazonTestServer, type AmazonTestServer } from '../../mall-sim/amazon/test-server';
import { CREDS, listingOf, makeAdapter, MINUTE, seedListings, type TestAdapter } from './helpers';

/** Login with Amazon, token caching and re-login, and testConnection's error kinds. */

let sim: AmazonTestServer;
const adapters: TestAdapter[] = [];
const SEED = seedListings(3);
const LISTINGS = SEED.map(listingOf);

function adapter(...args: Parameters<typeof makeAdapter> extends [string, ...infer R] ? R : never): TestAdapter {
  const t = makeAdapter(sim.url, ...args);
  adapters.push(t);
  return t;
}

beforeAll(async () => {
  sim = await startAmazonTestServer({ timeScale: 0 });
  sim.ctx.limiter.enabled = false;
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.sim.reset();
  sim.ctx.faults.clear();
  sim.seed(SEED);
  adapters.length = 0;
});
afterEach(() => {
  for (const t of adapters) expect(t.problems).toEqual([]);
});

describe('testConnection', () => {
  it('logs in, proves the seller id with one cheap listings call, and reuses the token', async () => {
    const t = adapter();
    const report = await t.adapter.testConnection();
    expect(report).toEqual({ ok: true, checks: [{ name: 'lwa-token', ok: true }, { name: 'listings', ok: true }] });
    await t.adapter.testConnection();
    expect(t.count('lwa')).toBe(1);
    expect(t.count('searchListingsItems')).toBe(2);
    const lwa = t.log.find((e) => e.op === 'lwa')!;
    expect(lwa.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(new URLSearchParams(lwa.body).get('grant_type')).toBe('refresh_token');
  });

  it('says the client secret is wrong (invalid_client → auth) and stops there', async () => {
    const t = adapter({ config: { credentials: { ...CREDS, clientSecret: 'amzn1.oa2-cs.v1.rotated' } } });
    const report = await t.adapter.testConnection();
    expect(report.ok).toBe(false);
    expect(report.checks).toHaveLength(1);
    expect(report.checks[0]).toMatchObject({ name: 'lwa-token', ok: false, error: { kind: 'auth', code: 'invalid_client', status: 401, retryable: false } });
    expect(report.checks[0]?.error?.message).toMatch(/client secret/);
  });

  it('says the refresh token is wrong (invalid_grant → auth)', async () => {
    const t = adapter({ config: { credentials: { ...CREDS, refreshToken: 'Atzr|revoked' } } });
    const report = await t.adapter.testConnection();
    expect(report.checks[0]).toMatchObject({ ok: false, error: { kind: 'auth', code: 'invalid_grant', status: 400 } });
    expect(report.checks[0]?.error?.message).toMatch(/refresh token/);
  });

  it('says the seller id is not this app’s (403 without a token problem → permission)', async () => {
    const t = adapter({ config: { credentials: { ...CREDS, sellerId: 'A3SOMEONEELSE' } } });
    const report = await t.adapter.testConnection();
    expect(report.checks[0]).toEqual({ name: 'lwa-token', ok: true });
    expect(report.checks[1]).toMatchObject({ name: 'listings', ok: false, error: { kind: 'permission', status: 403, code: 'Unauthorized' } });
    expect(report.checks[1]?.error?.message).toMatch(/seller ID/);
    // Not a token problem, so no second login.
    expect(t.count('lwa')).toBe(1);
  });

  it('checks the Restricted Data Token role when orders use v0', async () => {
    const t = adapter({ config: { ordersApi: 'v0' } });
    const report = await t.adapter.testConnection();
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual(['lwa-token', 'listings', 'restricted-data-token']);
  });
});

describe('access tokens', () => {
  it('drops a token Amazon calls expired, logs in again and retries once (expire-auth)', async () => {
    const t = adapter();
    await t.adapter.readStock(LISTINGS);
    sim.ctx.faults.add({ kind: 'expire-auth', mall: 'amazon' });
    const readings = await t.adapter.readStock(LISTINGS);
    expect(readings).toHaveLength(3);
    expect(t.count('lwa')).toBe(2);
    expect(t.count('searchListingsItems')).toBe(3);
    const [first, second] = t.log.filter((e) => e.op === 'searchListingsItems').slice(1);
    expect(first?.headers['x-amz-access-token']).not.toBe(second?.headers['x-amz-access-token']);
  });

  it('gives up with auth when the fresh token is refused too', async () => {
    const t = adapter();
    sim.ctx.faults.add({ kind: 'expire-auth', mall: 'amazon', count: 2 });
    const failure = await t.adapter.readStock(LISTINGS).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(MallError);
    expect(failure).toMatchObject({ kind: 'auth', status: 403, endpoint: 'searchListingsItems', retryable: false });
    expect(t.count('lwa')).toBe(2);
  });

  it('re-fetches a Restricted Data Token Amazon calls expired', async () => {
    const t = adapter({ config: { ordersApi: 'v0' } });
    const start = sim.ctx.clock.now();
    sim.sim.placeBuyerOrder([{ skuCode: SEED[0]!.skuCode, quantity: 1 }]);
    sim.ctx.clock.advance(3 * MINUTE);
    const first = await t.adapter.listOrdersSince(undefined, { since: start - MINUTE });
    sim.ctx.faults.add({ kind: 'expire-auth', mall: 'amazon', path: '/orders/v0/orders' });
    const again = await t.adapter.listOrdersSince(undefined, { since: start - MINUTE });
    expect(again.orders.map((o) => o.orderNumber)).toEqual(first.orders.map((o) => o.orderNumber));
    expect(again.orders[0]?.shipTo).toBeDefined();
    expect(t.count('createRestrictedDataToken')).toBe(2);
  });

  it('caches the token in the given store until a minute before it expires', async () => {
    let now = 1_000_000;
    const store = memoryTokenStore();
    const t = adapter({ rateScale: 1, config: { now: () => now, tokenStore: store } });
    await t.adapter.readStock(LISTINGS);
    // Another adapter (a restarted service worker) with the same store needs no login.
    const other = adapter({ rateScale: 1, config: { now: () => now, tokenStore: store } });
    await other.adapter.readStock(LISTINGS);
    expect(other.count('lwa')).toBe(0);
    now += 3600_000 - 61_000;
    await t.adapter.readStock(LISTINGS);
    expect(t.count('lwa')).toBe(1);
    now += 2_000;
    await t.adapter.readStock(LISTINGS);
    expect(t.count('lwa')).toBe(2);
  });

  it('logs in once for concurrent calls', async () => {
    const t = adapter();
    await Promise.all([t.adapter.readStock(LISTINGS), t.adapter.readStock(LISTINGS), t.adapter.testConnection()]);
    expect(t.count('lwa')).toBe(1);
  });

  it('retries a Login with Amazon server_error', async () => {
    const t = adapter();
    sim.ctx.faults.add({ kind: 'server-error', mall: 'amazon', path: '/auth/o2/token' });
    expect((await t.adapter.testConnection()).ok).toBe(true);
    expect(t.retries).toEqual([{ endpoint: 'lwa.token', kind: 'server' }]);
  });
});
