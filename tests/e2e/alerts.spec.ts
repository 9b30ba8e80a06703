import { buildDemoShop } from '@/lib/demo/demo-shop';
import type { DemoSim } from '../mall-sim/demo-sim';
import { expect, patchCatalogRow, test } from './fixtures';
import { ask, connectedDemoShop } from './mall-setup';

/**
 * Staff set a webhook and SendGrid for alerts, send a test, then count a shelf in the bulk stock edit:
 * the preview shows every mall's new number, Apply sends it to the three malls, and the SKU going low
 * reaches the webhook and the mailbox. (The simulator's /__control/inbox stands in for both hosts.)
 */

let demo: DemoSim;
test.afterAll(async () => {
  await demo?.sim.close();
});

test('bulk stock edit with preview reaches every mall; alerts reach the webhook and e-mail', async ({ context, extensionId }) => {
  test.setTimeout(3 * 60_000);
  const shop = await connectedDemoShop(context, extensionId);
  demo = shop.demo;
  const { page } = shop;
  const { sim } = demo;

  // Alert channels, as staff enter them.
  const alerts = page.getByTestId('alert-settings');
  await alerts.locator('[name="webhookUrl"]').fill('http://127.0.0.1:4100/__control/inbox/hooks/T01/B02/secret-part');
  await alerts.locator('[name="format"]').selectOption('json');
  await alerts.locator('[name="apiKey"]').fill('SG.demo-key-0123456789abcdef');
  await alerts.locator('[name="from"]').fill('shop@example.jp');
  await alerts.locator('[name="to"]').fill('owner@example.jp、staff@example.jp');
  await alerts.getByRole('button', { name: '保存' }).click();
  await expect(alerts.getByRole('status')).toHaveText('保存しました');
  // The secret parts never come back to the page.
  await expect(page.getByTestId('alert-channels-current')).toContainText('http://127.0.0.1:4100/__control/…');
  await expect(page.getByTestId('alert-channels-current')).not.toContainText('secret-part');
  await expect(page.getByTestId('alert-channels-current')).toContainText('…cdef');

  // A bad address is refused in Japanese and nothing is saved over the good settings.
  await alerts.locator('[name="from"]').fill('not-an-address');
  await alerts.getByRole('button', { name: '保存' }).click();
  await expect(alerts.getByRole('alert')).toContainText('送信元のメールアドレスが正しくありません');
  await alerts.locator('[name="from"]').fill('shop@example.jp');

  await alerts.getByRole('button', { name: 'テスト送信' }).click();
  await expect(alerts.getByRole('status')).toHaveText('テスト通知を送りました');
  await expect.poll(() => sim.inbox.map((m) => m.path)).toEqual(expect.arrayContaining(['/hooks/T01/B02/secret-part', '/v3/mail/send']));
  const mail = sim.inbox.find((m) => m.path === '/v3/mail/send')!;
  expect(mail.authorization).toBe('Bearer SG.demo-key-0123456789abcdef');
  expect(mail.body).toMatchObject({ personalizations: [{ to: [{ email: 'owner@example.jp' }, { email: 'staff@example.jp' }] }], subject: '[一元] 一元：通知のテスト' });

  // Give one SKU a low-stock threshold, then count its shelf at 1 with the bulk edit.
  const target = buildDemoShop().skus.find((s) => s.components.length === 0 && s.stock >= 5)!;
  await patchCatalogRow(context, 'skus', target.code, { lowStockThreshold: 2 });

  await page.getByRole('button', { name: '在庫連携' }).click();
  const edit = page.getByTestId('bulk-stock');
  await edit.getByLabel('SKUコード・商品名で絞り込み').fill(target.code);
  await edit.getByLabel('操作').selectOption('set');
  await edit.getByLabel('数量').fill('１'); // full-width digits, as typed with a Japanese IME
  await edit.getByRole('button', { name: 'プレビュー' }).click();
  const preview = page.getByTestId('stock-edit-preview');
  const row = preview.locator('tr', { hasText: target.code });
  await expect(row).toContainText(String(target.stock));
  await expect(row).toContainText('楽天市場 1');
  await expect(row).toContainText('Yahoo!ショッピング 1');
  // Nothing changed yet.
  expect(sim.malls.rakuten.shownStock().get(target.code)).toBe(target.stock);
  await edit.getByRole('button', { name: 'この内容で反映' }).click();
  await expect(edit.getByRole('status')).toContainText('1件の在庫を反映しました');

  for (const mall of ['rakuten', 'yahoo', 'amazon'] as const) {
    if (!sim.malls[mall].shownStock().has(target.code)) continue;
    await expect.poll(() => sim.malls[mall].shownStock().get(target.code), { timeout: 30_000 }).toBe(1);
  }
  await expect
    .poll(() => sim.inbox.filter((m) => m.path === '/hooks/T01/B02/secret-part').map((m) => m.body as { kind: string; subject: string }), { timeout: 30_000 })
    .toContainEqual(expect.objectContaining({ kind: 'low-stock', subject: expect.stringContaining(target.code), body: expect.stringContaining(`${target.code}：残り1`) }));
  await expect.poll(() => sim.inbox.filter((m) => m.path === '/v3/mail/send').length, { timeout: 30_000 }).toBe(2);

  // The alert history shows both, delivered.
  await page.getByRole('button', { name: '設定' }).click();
  await expect(page.getByTestId('alert-history')).toContainText('在庫が少なくなりました（');
  await expect(page.getByTestId('alert-history')).toContainText('送信済み');
});
