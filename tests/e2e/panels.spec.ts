import { evaluateInContentScript, expect, loadDemoData, test } from './fixtures';

const ITEM_PAGES = {
  rakuten: 'https://item.rms.rakuten.co.jp/rms-sku/shops/000001/item/edit/ich00001',
  yahoo: 'https://editor.store.yahoo.co.jp/RT/ichigen-demo/PageEdit/index?page_key=ich00001&page_mode=Edit',
  amazon: 'https://sellercentral.amazon.co.jp/abis/listing/edit/offer?marketplaceID=A1VC38T7YXB528&sku=ich00001-wh-s&asin=B000000001',
} as const;

test.describe('panels on the malls’ admin pages', () => {
  for (const [mall, url] of Object.entries(ITEM_PAGES)) {
    test(`${mall}: the item page shows the SKU from the unified catalog`, async ({ context, extensionId }) => {
      await loadDemoData(context, extensionId);
      const page = await context.newPage();
      await page.goto(url);
      const panel = page.getByTestId('ichigen-panel');
      await expect(panel).toBeVisible();
      await expect(panel.locator('tr[data-sku="ich00001-wh-s"]')).toBeVisible();
      await expect(panel.getByTestId('ich-counts')).toContainText('SKU 200件');
      await expect(panel.getByTestId('ich-last-sync')).toBeVisible();
      // The panel lives in a shadow root: the page's own document does not contain it.
      expect(await page.evaluate(() => document.body.innerText.includes('SKU 200件'))).toBe(false);
    });
  }

  test('an order page of each mall is recognised and says when the order is not imported yet', async ({ context }) => {
    const page = await context.newPage();
    for (const [url, id] of [
      ['https://order-rp.rms.rakuten.co.jp/order-rb/individual-order-detail-sc/init?orderNumber=000001-20261201-0000000001', '000001-20261201-0000000001'],
      ['https://pro.store.yahoo.co.jp/pro.ichigen-demo/order/manage/detail/ichigen-demo-10000001', 'ichigen-demo-10000001'],
      ['https://sellercentral.amazon.co.jp/orders-v3/order/250-1234567-8901234', '250-1234567-8901234'],
    ] as const) {
      await page.goto(url);
      await expect(page.getByTestId('ich-no-match')).toContainText(id);
    }
  });

  test('the panel follows navigation inside a single-page admin app', async ({ context, extensionId }) => {
    await loadDemoData(context, extensionId);
    const page = await context.newPage();
    await page.goto(ITEM_PAGES.amazon);
    await expect(page.locator('tr[data-sku="ich00001-wh-s"]')).toBeVisible();
    await page.evaluate(() => history.pushState({}, '', '/orders-v3/order/250-0000000-0000001'));
    await expect(page.getByTestId('ich-no-match')).toContainText('250-0000000-0000001');
    await expect(page.getByTestId('ichigen-panel')).toHaveCount(1);
  });

  test('a malformed message from a content script gets a clear error and changes nothing', async ({ context, extensionId }) => {
    await loadDemoData(context, extensionId);
    const page = await context.newPage();
    await page.goto(ITEM_PAGES.rakuten);
    const row = page.locator('tr[data-sku="ich00001-wh-s"]');
    const stockBefore = await row.getByTestId('ich-stock').innerText();

    // Through the panel: staff type words where a number belongs.
    await row.getByRole('textbox').fill('たくさん');
    await row.getByRole('button', { name: '±' }).click();
    await expect(row.getByRole('alert')).toContainText('送信内容が正しくありません');
    await expect(row.getByRole('alert')).toContainText('delta');

    // Straight from the content script's world, bypassing the panel.
    const answer = await evaluateInContentScript<{ res: { ok: boolean; error: { code: string; message: string } } }>(
      page,
      `chrome.runtime.sendMessage({ id: 1, type: 'recordStockAdjustment', timestamp: Date.now(), data: { skuCode: 'ich00001-wh-s', delta: 1e9 + 0.5, requestId: 'not-a-uuid' } })`,
    );
    expect(answer.res.ok).toBe(false);
    expect(answer.res.error.code).toBe('invalid-payload');
    expect(answer.res.error.message).toMatch(/送信内容が正しくありません.*requestId/);

    // Nor may a content script save credentials.
    const forbidden = await evaluateInContentScript<{ res: { ok: boolean; error: { code: string } } }>(
      page,
      `chrome.runtime.sendMessage({ id: 2, type: 'saveCredentials', timestamp: Date.now(), data: { mall: 'rakuten', serviceSecret: 'x', licenseKey: 'y' } })`,
    );
    expect(forbidden.res).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });

    await page.reload();
    await expect(page.locator('tr[data-sku="ich00001-wh-s"]').getByTestId('ich-stock')).toHaveText(stockBefore);

    // A well-formed adjustment does go through, so the refusal above was about the payload.
    const ok = page.locator('tr[data-sku="ich00001-wh-s"]');
    await ok.getByRole('textbox').fill('5');
    await ok.getByRole('button', { name: '±' }).click();
    await expect(ok.getByTestId('ich-stock')).toHaveText(String(Number(stockBefore) + 5));
  });
});
