import { test as base, chromium, type BrowserContext, type Page, type Worker } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildDemoShop } from '@/lib/demo/demo-shop';
import { ADMIN_ROUTE_PATTERNS, renderAdminPage } from '../mall-sim/admin/pages';
import { extensionChromiumArgs } from './chromium-flags';

export const EXTENSION_DIR = path.resolve('.output/chrome-mv3-e2e');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const demo = buildDemoShop();

export async function launchWithExtension(): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(mkdtempSync(path.join(tmpdir(), 'ichigen-e2e-')), {
    executablePath: CHROMIUM,
    headless: true,
    locale: 'ja-JP',
    args: extensionChromiumArgs(EXTENSION_DIR),
  });
  // Mall admin pages at their real https URLs, so the content scripts' `matches` apply as in production.
  for (const pattern of ADMIN_ROUTE_PATTERNS) {
    await context.route(pattern, async (route) => {
      const html = renderAdminPage(new URL(route.request().url()), {
        itemName: (mall, id) => demo.skus.find((s) => (mall === 'rakuten' ? s.rakuten?.manageNumber : mall === 'yahoo' ? s.yahoo?.itemCode : s.amazon?.sellerSku) === id)?.productName,
      });
      await route.fulfill({ status: html ? 200 : 404, contentType: 'text/html; charset=utf-8', body: html ?? 'not found' });
    });
  }
  return context;
}

export async function serviceWorkerOf(context: BrowserContext): Promise<Worker> {
  return context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
}

export async function extensionIdOf(context: BrowserContext): Promise<string> {
  return new URL((await serviceWorkerOf(context)).url()).host;
}

/** Closes the extension's service worker as Chrome does when it idles (see shared/notes/toolchain.md). */
export async function killServiceWorker(context: BrowserContext): Promise<void> {
  const browser = context.browser();
  const cdp = browser ? await browser.newBrowserCDPSession() : await context.newCDPSession(context.pages()[0] ?? (await context.newPage()));
  const { targetInfos } = (await cdp.send('Target.getTargets')) as { targetInfos: { targetId: string; type: string; url: string }[] };
  const workers = targetInfos.filter((t) => t.type === 'service_worker' && t.url.startsWith('chrome-extension://'));
  if (workers.length === 0) throw new Error('no extension service worker to kill');
  for (const w of workers) await cdp.send('Target.closeTarget', { targetId: w.targetId });
  await cdp.detach();
}

/**
 * Rows of the extension's own IndexedDB catalog, read inside its service worker: what the extension
 * recorded, for a test to check or to explain a failure. `keys` picks rows by primary key (missing ones
 * come back undefined), `index` + `equals` by an index; neither reads the whole store.
 */
export async function catalogRows<T>(context: BrowserContext, store: string, query: { keys?: string[]; index?: string; equals?: string } = {}): Promise<(T | undefined)[]> {
  const sw = await serviceWorkerOf(context);
  return sw.evaluate(
    async ({ store, query }) => {
      const open = indexedDB.open('ichigen-catalog');
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const objects = db.transaction(store, 'readonly').objectStore(store);
      const request = <R,>(r: IDBRequest<R>) => new Promise<R>((resolve, reject) => {
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      try {
        if (query.keys) return Promise.all(query.keys.map((k) => request(objects.get(k))));
        if (query.index) return request(objects.index(query.index).getAll(query.equals));
        return request(objects.getAll());
      } finally {
        db.close();
      }
    },
    { store, query },
  ) as Promise<(T | undefined)[]>;
}

/** Changes one row of the extension's catalog in place: test setup for what no screen edits yet. */
export async function patchCatalogRow(context: BrowserContext, store: string, key: string, changes: Record<string, unknown>): Promise<void> {
  const sw = await serviceWorkerOf(context);
  await sw.evaluate(
    async ({ store, key, changes }) => {
      const open = indexedDB.open('ichigen-catalog');
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const tx = db.transaction(store, 'readwrite');
      const objects = tx.objectStore(store);
      const get = objects.get(key);
      await new Promise((r) => (get.onsuccess = r));
      if (get.result === undefined) throw new Error(`${store} has no row ${key}`);
      objects.put({ ...get.result, ...changes });
      await new Promise((r) => (tx.oncomplete = r));
      db.close();
    },
    { store, key, changes },
  );
}

/**
 * Runs `expression` inside the content script's isolated world of `page`, exactly where the content
 * script's own code runs (with its `chrome.runtime`), to send what a buggy or compromised script might.
 */
export async function evaluateInContentScript<T>(page: Page, expression: string): Promise<T> {
  const cdp = await page.context().newCDPSession(page);
  const contexts: { id: number; name: string; origin: string; auxData?: { type?: string; isDefault?: boolean } }[] = [];
  cdp.on('Runtime.executionContextCreated', (e: { context: (typeof contexts)[number] }) => contexts.push(e.context));
  await cdp.send('Runtime.enable');
  await page.waitForTimeout(100);
  const isolated = contexts.find((c) => c.auxData?.type === 'isolated' && c.origin.startsWith('chrome-extension://'));
  if (!isolated) throw new Error(`no content-script world among ${JSON.stringify(contexts.map((c) => [c.name, c.origin, c.auxData?.type]))}`);
  const result = (await cdp.send('Runtime.evaluate', { expression, contextId: isolated.id, awaitPromise: true, returnByValue: true })) as {
    result: { value: T };
    exceptionDetails?: unknown;
  };
  await cdp.detach();
  if (result.exceptionDetails) throw new Error(JSON.stringify(result.exceptionDetails));
  return result.result.value;
}

export const test = base.extend<{ context: BrowserContext; extensionId: string }>({
  // eslint-disable-next-line no-empty-pattern
  context: async ({}, use) => {
    const context = await launchWithExtension();
    await use(context);
    await context.close();
  },
  extensionId: async ({ context }, use) => {
    await use(await extensionIdOf(context));
  },
});
export const expect = test.expect;

export async function openDashboard(context: BrowserContext, extensionId: string, hash = ''): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/dashboard.html${hash}`);
  return page;
}

export async function loadDemoData(context: BrowserContext, extensionId: string): Promise<void> {
  const page = await openDashboard(context, extensionId);
  await page.getByRole('button', { name: 'デモデータを読み込む' }).click();
  await expect(page.getByRole('status')).toContainText('SKU 200件');
  await page.close();
}
