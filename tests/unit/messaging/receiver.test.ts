import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { resetCatalogDbForTests, type CatalogDb } from '@/lib/catalog/db';
import { importDemoCatalog } from '@/lib/catalog/import-demo';
import { setLanguage } from '@/lib/i18n';
import { createMessageHandlers } from '@/lib/messaging/handlers';
import { dispatchMessage, type ReceiverEnv } from '@/lib/messaging/receiver';

const env: ReceiverEnv = { extensionId: 'ichigen-test-id', extensionOrigin: 'chrome-extension://ichigen-test-id' };
const contentScript = { id: env.extensionId, url: 'https://item.rms.rakuten.co.jp/rms-sku/shops/000001/item/edit/ich00001' };
const dashboard = { id: env.extensionId, url: `${env.extensionOrigin}/dashboard.html` };

let db: CatalogDb;
let handlers: ReturnType<typeof createMessageHandlers>;

beforeEach(async () => {
  setLanguage('ja');
  z.config(z.locales.ja());
  db = await resetCatalogDbForTests();
  await importDemoCatalog(db);
  handlers = createMessageHandlers(db, { allowDemoData: true, adapterFor: async () => undefined });
});

describe('dispatchMessage', () => {
  it('answers a content script with the SKUs of the item on its page', async () => {
    const result = await dispatchMessage('getPanelData', { kind: 'item', mall: 'rakuten', itemId: 'ich00001' }, contentScript, handlers, env);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const data = result.data as { skus: { sku: { code: string } }[]; counts: { skus: number } };
    expect(data.skus.map((s) => s.sku.code)).toContain('ich00001-wh-s');
    expect(data.counts.skus).toBe(200);
  });

  it('refuses a malformed payload with a Japanese message naming the field, and changes nothing', async () => {
    const before = (await db.skus.get('ich00001-wh-s'))!.stock;
    const movementsBefore = await db.stockMovements.count();
    const result = await dispatchMessage('recordStockAdjustment', { skuCode: 'ich00001-wh-s', delta: 'たくさん', requestId: 'x' }, contentScript, handlers, env);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid-payload');
    expect(result.error.message).toContain('送信内容が正しくありません');
    expect(result.error.message).toContain('delta');
    expect(result.error.issues?.map((i) => i.path)).toEqual(expect.arrayContaining(['delta', 'requestId']));
    expect((await db.skus.get('ich00001-wh-s'))!.stock).toBe(before);
    expect(await db.stockMovements.count()).toBe(movementsBefore);
  });

  it('applies a stock adjustment once, however often the same request arrives', async () => {
    const before = (await db.skus.get('ich00001-wh-s'))!.stock;
    const request = { skuCode: 'ich00001-wh-s', delta: 3, requestId: crypto.randomUUID() };
    const first = await dispatchMessage('recordStockAdjustment', request, contentScript, handlers, env);
    const second = await dispatchMessage('recordStockAdjustment', request, contentScript, handlers, env);
    expect(first).toMatchObject({ ok: true, data: { applied: true, stock: before + 3 } });
    expect(second).toMatchObject({ ok: true, data: { applied: false, stock: before + 3 } });
  });

  it('refuses messages from other extensions and from non-mall pages', async () => {
    const otherExtension = await dispatchMessage('getCatalogStatus', {}, { id: 'evil', url: contentScript.url }, handlers, env);
    expect(otherExtension).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });
    const otherSite = await dispatchMessage('getCatalogStatus', {}, { id: env.extensionId, url: 'https://example.com/' }, handlers, env);
    expect(otherSite).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });
    const lookalike = await dispatchMessage('getCatalogStatus', {}, { id: env.extensionId, url: 'https://rms.rakuten.co.jp.evil.example/' }, handlers, env);
    expect(lookalike).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });
  });

  it('never lets a content script touch credentials', async () => {
    const save = await dispatchMessage('saveCredentials', { mall: 'rakuten', serviceSecret: 'a', licenseKey: 'b' }, contentScript, handlers, env);
    expect(save).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });
    const status = await dispatchMessage('getCredentialStatus', {}, contentScript, handlers, env);
    expect(status).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });
    expect(await db.credentials.count()).toBe(0);
  });

  it('lets the dashboard save credentials and answers only whether they are set', async () => {
    const result = await dispatchMessage('saveCredentials', { mall: 'rakuten', serviceSecret: ' SP000001_x ', licenseKey: 'SL000001_y' }, dashboard, handlers, env);
    expect(result.ok).toBe(true);
    expect(JSON.stringify(result)).not.toContain('SL000001_y');
    expect(result).toMatchObject({ ok: true, data: { rakuten: { configured: true }, yahoo: { configured: false } } });
    expect(await db.credentials.get('rakuten')).toMatchObject({ serviceSecret: 'SP000001_x', licenseKey: 'SL000001_y' });
  });

  it('names an unknown message', async () => {
    const result = await dispatchMessage('dropAllTables', {}, dashboard, handlers, env);
    expect(result).toMatchObject({ ok: false, error: { code: 'unknown-message' } });
    if (!result.ok) expect(result.error.message).toContain('dropAllTables');
  });

  it('refuses demo data in a production build', async () => {
    const production = createMessageHandlers(db, { allowDemoData: false, adapterFor: async () => undefined });
    const result = await dispatchMessage('loadDemoCatalog', {}, dashboard, production, env);
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
  });
});
