import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient } from '@/lib/http/client';
import { memoryRateStore, RateLimiter } from '@/lib/http/rate-limiter';
import { createRakutenAdapter, esaAuthorization, licenseKeyWarning } from '@/lib/malls/rakuten';
import { CREDENTIALS, DAY, harness, SEED_LISTINGS, type Harness } from './harness';

let h: Harness | undefined;
afterEach(async () => {
  // Real buckets are on in every test: the client's pacing must keep the simulator from throttling.
  const throttled = h?.throttled() ?? 0;
  await h?.close();
  h = undefined;
  expect(throttled).toBe(0);
});

describe('ESA authorization', () => {
  it('encodes secret:key as one base64 line (the official aaa/bbb example)', () => {
    expect(esaAuthorization({ serviceSecret: 'aaa', licenseKey: 'bbb' })).toBe('ESA YWFhOmJiYg==');
    const long = esaAuthorization({ serviceSecret: 'S'.repeat(50), licenseKey: 'L'.repeat(50) });
    expect(long).not.toMatch(/\s.*\s|\n/);
  });
});

describe('testConnection', () => {
  it('runs license, inventory and order checks and reports the license expiry (JST, no offset)', async () => {
    h = await harness();
    const report = await h.adapter.testConnection();
    expect(report.checks.map((c) => [c.name, c.ok])).toEqual([
      ['license-key', true],
      ['inventory', true],
      ['orders', true],
    ]);
    expect(report.ok).toBe(true);
    // 90 days after 2026-03-02 → 2026-05-31T23:59:59 JST = 14:59:59 UTC.
    expect(report.expiries).toEqual([{ what: 'license-key', expiresAt: Date.UTC(2026, 4, 31, 14, 59, 59) }]);
    expect(report.expiries![0]!.expiresAt).toBe(h.srv.sim.licenseExpiry());
    expect(h.calls.map((c) => c.path)).toEqual([
      '/es/1.0/license-management/license-key/expiry-date',
      '/es/2.0/inventories/bulk-get',
      '/es/2.0/order/searchOrder/',
    ]);
  });

  it('reports a wrong license key as auth and stops after the first check', async () => {
    h = await harness({ credentials: { ...CREDENTIALS, licenseKey: 'SL000001_wrong' } });
    const report = await h.adapter.testConnection();
    expect(report.ok).toBe(false);
    expect(report.checks).toHaveLength(1);
    expect(report.checks[0]).toMatchObject({ name: 'license-key', ok: false, error: { kind: 'auth', status: 401, code: 'ES01-01', retryable: false } });
    expect(h.calls).toHaveLength(1);
  });

  it('reports a wrong service secret as auth (errors[] gateway style, GA0001)', async () => {
    h = await harness({ credentials: { ...CREDENTIALS, serviceSecret: 'SP_wrong' }, server: { sim: { gatewayErrorStyle: 'errors' } } });
    const report = await h.adapter.testConnection();
    expect(report.checks[0]).toMatchObject({ ok: false, error: { kind: 'auth', code: 'GA0001' } });
  });

  it('reports an expired license key as auth', async () => {
    h = await harness();
    h.srv.ctx.clock.advance(91 * DAY);
    const report = await h.adapter.testConnection();
    expect(report.checks[0]).toMatchObject({ name: 'license-key', ok: false, error: { kind: 'auth' } });
  });

  it('reports a function that is not enabled (400 ES04-01) as permission and still runs the other checks', async () => {
    h = await harness();
    h.srv.sim.setFunctionEnabled('rpay.order.searchOrder', false);
    h.srv.sim.setFunctionEnabled('license.expiryDate.get', false);
    const report = await h.adapter.testConnection();
    expect(report.checks.map((c) => [c.name, c.ok, c.error?.kind, c.error?.code])).toEqual([
      ['license-key', false, 'permission', 'ES04-01'],
      ['inventory', true, undefined, undefined],
      ['orders', false, 'permission', 'ES04-01'],
    ]);
    expect(report.expiries).toBeUndefined();
  });

  it('reports an unreachable host as network', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const adapter = createRakutenAdapter({
      credentials: CREDENTIALS,
      endpoints: { api: `http://127.0.0.1:${port}` },
      http: new HttpClient({ limiter: new RateLimiter({ store: memoryRateStore() }), maxAttempts: 2, baseDelayMs: 1 }),
      rateScale: 100,
    });
    const report = await adapter.testConnection();
    expect(report.checks).toEqual([{ name: 'license-key', ok: false, error: expect.objectContaining({ kind: 'network', retryable: true }) }]);
  });

  it('picks up a renewed license key from the credential source after a 401', async () => {
    const reads: string[] = [];
    const source = () => {
      // The call starts with the old key; the merchant saves the renewed one a moment later.
      const c = reads.length === 0 ? CREDENTIALS : { ...CREDENTIALS, licenseKey: 'SL000001_renewed' };
      reads.push(c.licenseKey);
      return c;
    };
    h = await harness({ credentials: source });
    h.srv.sim.setLicenseExpiry(h.srv.ctx.clock.now() - 1000);
    h.srv.sim.issueLicenseKey('SL000001_renewed');
    await expect(h.adapter.readStock([SEED_LISTINGS[0]!])).resolves.toEqual([{ listingId: SEED_LISTINGS[0]!.id, quantity: 5000 }]);
    expect(h.calls.map((c) => c.status)).toEqual([401, 200]);
    expect(reads[0]).toBe(CREDENTIALS.licenseKey);
  });

  it('does not retry a 401 when the key has not changed (expire-auth fault)', async () => {
    let current = CREDENTIALS;
    h = await harness({ credentials: () => current });
    const l = SEED_LISTINGS[0]!;
    h.srv.ctx.faults.add({ kind: 'expire-auth', mall: 'rakuten', path: '/inventories/' });
    await expect(h.adapter.readStock([l])).rejects.toMatchObject({ kind: 'auth', status: 401, retryable: false, endpoint: 'inventories.bulk.get' });
    expect(h.calls).toHaveLength(1);
    // The key itself is fine: the next call succeeds.
    current = { ...CREDENTIALS };
    await expect(h.adapter.readStock([l])).resolves.toEqual([{ listingId: l.id, quantity: 5000 }]);
  });
});

describe('licenseKeyWarning', () => {
  const expiresAt = Date.UTC(2026, 4, 31, 14, 59, 59);
  it('counts days left and warns from 14 days before expiry', () => {
    expect(licenseKeyWarning(expiresAt, expiresAt - 30 * DAY)).toEqual({ daysLeft: 30, warn: false, expired: false });
    expect(licenseKeyWarning(expiresAt, expiresAt - 14 * DAY - 1)).toEqual({ daysLeft: 15, warn: false, expired: false });
    expect(licenseKeyWarning(expiresAt, expiresAt - 14 * DAY)).toEqual({ daysLeft: 14, warn: true, expired: false });
    expect(licenseKeyWarning(expiresAt, expiresAt - 1000)).toEqual({ daysLeft: 1, warn: true, expired: false });
    expect(licenseKeyWarning(expiresAt, expiresAt + 1000)).toEqual({ daysLeft: 0, warn: true, expired: true });
  });
});
