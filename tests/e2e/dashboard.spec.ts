import { expect, killServiceWorker, openDashboard, serviceWorkerOf, test } from './fixtures';

test('credentials are saved from the dashboard and never shown again', async ({ context, extensionId }) => {
  const page = await openDashboard(context, extensionId, '#settings');
  const form = page.getByTestId('credentials-rakuten');
  await expect(page.getByTestId('credentials-status-rakuten')).toHaveText('未設定');
  await form.locator('input[name="serviceSecret"]').fill('SP000001_demoSecretIchigen');
  await form.getByRole('button', { name: '保存' }).click();
  // licenseKey missing: a Japanese message names the field.
  await expect(form.getByRole('alert')).toContainText('licenseKey');
  await form.locator('input[name="licenseKey"]').fill('SL000001_demoLicenseIchigen');
  await form.getByRole('button', { name: '保存' }).click();
  await expect(form.getByRole('status')).toHaveText('保存しました');
  await expect(page.getByTestId('credentials-status-rakuten')).toContainText('設定済み');
  await page.reload();
  await expect(page.getByTestId('credentials-status-rakuten')).toContainText('設定済み');
  expect(await form.locator('input[name="licenseKey"]').inputValue()).toBe('');
  expect(await page.content()).not.toContain('SL000001_demoLicenseIchigen');

  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  await expect(popup.getByTestId('popup-mall-rakuten')).toHaveText('接続済み');
  await expect(popup.getByTestId('popup-mall-amazon')).toHaveText('未設定');
});

test('the catalog table stays virtual and searchable with 100,000 SKUs', async ({ context, extensionId }) => {
  // 100,000 SKUs without their 300,000 listings: the table is what is measured here, and IndexedDB on
  // the CI machine writes about 4,000 rows a second.
  test.setTimeout(300_000);
  const loader = await context.newPage();
  await loader.goto(`chrome-extension://${extensionId}/popup.html`);
  const answer = await loader.evaluate(() =>
    chrome.runtime.sendMessage({ id: 1, type: 'loadDemoCatalog', timestamp: Date.now(), data: { skuCount: 100_000, withListings: false } }),
  );
  expect(answer.res).toMatchObject({ ok: true, data: { skus: 100_000 } });
  const page = await openDashboard(context, extensionId);
  await expect(page.getByTestId('catalog-count')).toHaveText('100,000件 / 全100,000件', { timeout: 60_000 });
  // Only what is in view is in the DOM.
  expect(await page.getByTestId('catalog-row').count()).toBeLessThan(80);
  await page.getByTestId('catalog-scroller').evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
  await expect(page.getByTestId('catalog-row').first()).not.toContainText('ich00001');
  // Full-width input finds the half-width code.
  await page.getByRole('searchbox').fill('ＩＣＨ０１２３４');
  await expect(page.getByTestId('catalog-count')).toContainText('件 / 全100,000件');
  const rows = page.getByTestId('catalog-row');
  await expect(rows.first()).toContainText('ich01234');
  expect(await rows.count()).toBeLessThan(80);
});

test('the service worker comes back after being killed: alarms re-created, messages answered', async ({ context, extensionId }) => {
  const before = await serviceWorkerOf(context);
  expect(await before.evaluate(() => chrome.alarms.getAll().then((a: { name: string }[]) => a.map((x) => x.name)))).toContain('ichigen-sync');
  await killServiceWorker(context);
  const page = await openDashboard(context, extensionId);
  // The message wakes a fresh worker, which answers and re-asserts its alarm.
  const status = await page.evaluate(() => chrome.runtime.sendMessage({ id: 9, type: 'getCatalogStatus', timestamp: Date.now(), data: {} }));
  expect(status.res.ok).toBe(true);
  await page.evaluate(() => chrome.alarms.clearAll());
  await killServiceWorker(context);
  await page.evaluate(() => chrome.runtime.sendMessage({ id: 10, type: 'getCatalogStatus', timestamp: Date.now(), data: {} }));
  await expect.poll(() => page.evaluate(() => chrome.alarms.getAll().then((a: { name: string }[]) => a.map((x) => x.name)))).toContain('ichigen-sync');
  // And the alarm runs the sync tick, which records why nothing was synced.
  await expect(page.getByTestId('catalog-count')).toBeVisible();
  const popup = await context.newPage();
  await expect
    .poll(async () => {
      await popup.goto(`chrome-extension://${extensionId}/popup.html`);
      return popup.getByTestId('popup-counts').innerText();
    })
    .toContain('接続済みのモールがありません');
});
