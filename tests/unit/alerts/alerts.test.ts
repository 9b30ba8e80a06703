import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetCatalogDbForTests, type CatalogDb } from '@/lib/catalog/db';
import type { Sku } from '@/lib/catalog/schemas';
import { alertChannelsSchema, describeChannels, requestFor, saveAlertChannels } from '@/lib/alerts/channels';
import { deliverPendingAlerts, MAX_ALERT_ATTEMPTS } from '@/lib/alerts/deliver';
import { raiseAlerts, REPEAT_ALERT_AFTER_MS } from '@/lib/alerts/raise';
import { applyMovements } from '@/lib/sync/ledger';

/** A real HTTP server standing in for the webhook host and SendGrid: records bodies, answers as told. */
let server: Server;
let base = '';
const received: { path: string; auth?: string; body: unknown }[] = [];
const answers = new Map<string, number[]>();
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', ...(req.headers.authorization ? { auth: req.headers.authorization } : {}), body: JSON.parse(body || 'null') });
      const status = answers.get(req.url ?? '')?.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status >= 400 ? 'nope' : 'ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

let db: CatalogDb;
const sku = (code: string, threshold: number): Sku => ({ code, productId: 'p', name: code, variant: {}, price: 1000, components: [], componentCodes: [], stock: 0, lowStockThreshold: threshold, updatedAt: 0 });

beforeEach(async () => {
  db = await resetCatalogDbForTests();
  received.length = 0;
  answers.clear();
  await db.skus.bulkPut([sku('tee', 3), sku('bag', 0)]);
  await applyMovements(db, [
    { key: 'initial:tee', skuCode: 'tee', delta: 10, kind: 'initial', at: 0 },
    { key: 'initial:bag', skuCode: 'bag', delta: 1, kind: 'initial', at: 0 },
  ]);
});

describe('raising alerts', () => {
  it('a SKU crossing its threshold is raised once, not on every cycle; a threshold of 0 never', async () => {
    expect(await raiseAlerts(db, [], 1_000)).toEqual([]);
    await applyMovements(db, [{ key: 'order:1', skuCode: 'tee', delta: -8, kind: 'order', at: 2 }]);
    const raised = await raiseAlerts(db, [], 2_000);
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ kind: 'low-stock', subject: 'tee', status: 'pending', title: '在庫が少なくなりました（1件）' });
    expect(raised[0]!.body).toContain('tee：残り2');
    expect(await raiseAlerts(db, [], 3_000)).toEqual([]);
  });

  it('an expired key is raised once per mall and kind within six hours; a mall failing five cycles in ten minutes is raised', async () => {
    const expired = { mall: 'yahoo' as const, kind: 'auth', message: 'token expired' };
    expect(await raiseAlerts(db, [expired, expired], 1_000)).toMatchObject([{ kind: 'sync-error', subject: 'yahoo:auth', mall: 'yahoo' }]);
    expect(await raiseAlerts(db, [expired], 60_000)).toEqual([]);
    expect(await raiseAlerts(db, [expired], 1_000 + REPEAT_ALERT_AFTER_MS + 1)).toHaveLength(1);

    const down = { mall: 'rakuten' as const, kind: 'server', message: '503' };
    const t0 = 100 * REPEAT_ALERT_AFTER_MS;
    for (let i = 0; i < 4; i++) {
      await db.syncRuns.add({ startedAt: t0 + i * 30_000, outcome: 'failed', ordersRead: 0, pushes: 0, errors: 1, errorDetails: [down] });
    }
    // Four earlier failures plus this one: five in ten minutes.
    const raised = await raiseAlerts(db, [down], t0 + 150_000);
    expect(raised).toMatchObject([{ kind: 'repeated-failure', subject: 'rakuten', title: '楽天市場との同期が続けて失敗しています' }]);
    expect(raised[0]!.body).toContain('5回');
  });

  it('a mall refusing an item for good is raised once per refused push', async () => {
    await db.jobs.add({ kind: 'stock.push', mall: 'amazon', dedupeKey: 'stock.push:amazon:tee', payload: {}, status: 'failed', attempts: 1, nextAttemptAt: 0, lastError: 'The SKU is not in the catalog', createdAt: 0, updatedAt: 0 });
    const raised = await raiseAlerts(db, [], 1_000);
    expect(raised).toMatchObject([{ kind: 'push-refused', mall: 'amazon' }]);
    expect(raised[0]!.body).toContain('tee：The SKU is not in the catalog');
    expect(await raiseAlerts(db, [], 2_000)).toEqual([]);
  });
});

describe('delivering alerts', () => {
  const raiseOne = async () => {
    await applyMovements(db, [{ key: 'order:1', skuCode: 'tee', delta: -8, kind: 'order', at: 2 }]);
    return (await raiseAlerts(db, [], 1_000))[0]!;
  };

  it('posts to the webhook in the chosen format and mails through SendGrid with the key', async () => {
    await saveAlertChannels(db, { webhook: { url: `${base}/hooks/T000/secret`, format: 'slack' }, email: { provider: 'sendgrid', apiKey: 'SG.abcdefghijklmnopqrstuvwxyz', from: 'shop@example.jp', to: ['owner@example.jp'] } });
    await raiseOne();
    const report = await deliverPendingAlerts(db, { fetch, now: () => 2_000, sendgridUrl: `${base}/v3/mail/send` });
    expect(report).toEqual({ sent: 1, failed: 0, retrying: 0 });
    const hook = received.find((r) => r.path === '/hooks/T000/secret')!;
    expect(hook.body).toEqual({ text: expect.stringContaining('在庫が少なくなりました') });
    const mail = received.find((r) => r.path === '/v3/mail/send')!;
    expect(mail.auth).toBe('Bearer SG.abcdefghijklmnopqrstuvwxyz');
    expect(mail.body).toMatchObject({ personalizations: [{ to: [{ email: 'owner@example.jp' }] }], from: { email: 'shop@example.jp' }, subject: expect.stringContaining('[一元]') });
    expect((await db.alerts.toArray())[0]).toMatchObject({ status: 'sent', deliveredTo: ['webhook', 'email'] });
  });

  it('retries only the channel that failed, later; gives up on a refusal or after the last try and keeps the error', async () => {
    await saveAlertChannels(db, { webhook: { url: `${base}/hook`, format: 'json' }, email: { provider: 'sendgrid', apiKey: 'SG.abcdefghijklmnopqrstuvwxyz', from: 'shop@example.jp', to: ['owner@example.jp'] } });
    answers.set('/v3/mail/send', [503]);
    const alert = await raiseOne();
    expect(await deliverPendingAlerts(db, { fetch, now: () => 2_000, sendgridUrl: `${base}/v3/mail/send` })).toEqual({ sent: 0, failed: 0, retrying: 1 });
    expect(await db.alerts.get(alert.id!)).toMatchObject({ status: 'pending', deliveredTo: ['webhook'], lastError: expect.stringContaining('503') });
    // Not due yet: nothing is sent.
    await deliverPendingAlerts(db, { fetch, now: () => 3_000, sendgridUrl: `${base}/v3/mail/send` });
    expect(received.filter((r) => r.path === '/hook')).toHaveLength(1);
    expect(await deliverPendingAlerts(db, { fetch, now: () => 2_000 + 61_000, sendgridUrl: `${base}/v3/mail/send` })).toMatchObject({ sent: 1 });
    expect(received.filter((r) => r.path === '/hook')).toHaveLength(1);
    expect(received.filter((r) => r.path === '/v3/mail/send')).toHaveLength(2);

    // A refusal (401: wrong key) will not get better: failed at once, error kept for the dashboard.
    answers.set('/v3/mail/send', [401]);
    await applyMovements(db, [{ key: 'up', skuCode: 'tee', delta: 10, kind: 'manual', at: 3 }]);
    await raiseAlerts(db, [], 5_000);
    await applyMovements(db, [{ key: 'down', skuCode: 'tee', delta: -10, kind: 'manual', at: 4 }]);
    const second = (await raiseAlerts(db, [], 6_000))[0]!;
    await deliverPendingAlerts(db, { fetch, now: () => 7_000, sendgridUrl: `${base}/v3/mail/send` });
    expect(await db.alerts.get(second.id!)).toMatchObject({ status: 'failed', attempts: 1, lastError: expect.stringContaining('401') });
    expect(MAX_ALERT_ATTEMPTS).toBeGreaterThan(3);
  });

  it('with no channel configured the browser notification was the delivery', async () => {
    const alert = await raiseOne();
    await deliverPendingAlerts(db, { fetch, now: () => 2_000 });
    expect((await db.alerts.get(alert.id!))?.status).toBe('local');
    expect(received).toEqual([]);
  });
});

describe('channel settings', () => {
  it('refuses plain http and bad addresses in Japanese, and never shows the key or the webhook secret back', () => {
    const bad = alertChannelsSchema.safeParse({ webhook: { url: 'http://hooks.example.com/x', format: 'slack' }, email: { provider: 'sendgrid', apiKey: 'short', from: 'nope', to: [] } });
    expect(bad.success).toBe(false);
    const messages = bad.error!.issues.map((i) => i.message);
    expect(messages).toEqual(expect.arrayContaining(['https:// で始まるURLを入力してください', 'SendGrid の API キーを入力してください', '送信元のメールアドレスが正しくありません', '宛先を1件以上入力してください']));
    const shown = describeChannels({ webhook: { url: 'https://hooks.slack.com/services/T000/B000/XXXXSECRET', format: 'slack' }, email: { provider: 'sendgrid', apiKey: 'SG.abcdefghijklmnopqrstuvwxyz', from: 'a@example.jp', to: ['b@example.jp'] } });
    expect(JSON.stringify(shown)).not.toContain('XXXXSECRET');
    expect(JSON.stringify(shown)).not.toContain('SG.abc');
    expect(shown.webhook?.url).toBe('https://hooks.slack.com/services/…');
  });

  it('formats Discord and JSON payloads', () => {
    const alert = { kind: 'sync-error' as const, subject: 'yahoo:auth', mall: 'yahoo' as const, title: 'T', body: 'B', createdAt: Date.UTC(2026, 11, 1) };
    expect(JSON.parse(requestFor('webhook', { webhook: { url: 'https://discord.com/api/webhooks/1/x', format: 'discord' } }, alert)!.init.body)).toEqual({ content: 'T\nB' });
    expect(JSON.parse(requestFor('webhook', { webhook: { url: 'https://example.jp/hook', format: 'json' } }, alert)!.init.body)).toEqual({
      source: 'ichigen',
      kind: 'sync-error',
      subject: 'yahoo:auth',
      mall: 'yahoo',
      title: 'T',
      body: 'B',
      createdAt: '2026-12-01T00:00:00.000Z',
    });
  });
});
