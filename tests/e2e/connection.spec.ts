import { startDemoSim, type DemoSim } from '../mall-sim/demo-sim';
import { expect, openDashboard, test } from './fixtures';
import { saveCredentials } from './mall-setup';

let demo: DemoSim;
test.beforeAll(async () => {
  demo = await startDemoSim({ orders: false });
});
test.afterAll(async () => {
  await demo.sim.close();
});

const fill = saveCredentials;

test('demo credentials connect to each mall; a wrong key gets a clear Japanese message', async ({ context, extensionId }) => {
  const c = demo.sim.ctx.credentials;
  const page = await openDashboard(context, extensionId, '#settings');

  // Rakuten: first a wrong licenseKey, then the right one.
  const rakuten = await fill(page, 'rakuten', { serviceSecret: c.rakuten.serviceSecret, licenseKey: 'SL000001_wrongKey' });
  await rakuten.getByRole('button', { name: '接続テスト' }).click();
  await expect(page.getByTestId('connection-result-rakuten')).toHaveText('接続できませんでした');
  await expect(page.getByTestId('connection-report-rakuten')).toContainText('licenseKey が正しくないか');
  await fill(page, 'rakuten', { serviceSecret: c.rakuten.serviceSecret, licenseKey: c.rakuten.licenseKey });
  await rakuten.getByRole('button', { name: '接続テスト' }).click();
  await expect(page.getByTestId('connection-result-rakuten')).toHaveText('接続できました');
  await expect(page.getByTestId('connection-report-rakuten')).toContainText('licenseKeyの有効期限');

  // Amazon: a wrong client secret, then the right one.
  const amazon = await fill(page, 'amazon', { sellerId: c.amazon.sellerId, clientId: c.amazon.clientId, clientSecret: 'wrong', refreshToken: c.amazon.refreshToken });
  await amazon.getByRole('button', { name: '接続テスト' }).click();
  await expect(page.getByTestId('connection-report-amazon')).toContainText('LWA クライアントID・シークレット・リフレッシュトークンのいずれかが正しくない');
  await fill(page, 'amazon', { sellerId: c.amazon.sellerId, clientId: c.amazon.clientId, clientSecret: c.amazon.clientSecret, refreshToken: c.amazon.refreshToken });
  await amazon.getByRole('button', { name: '接続テスト' }).click();
  await expect(page.getByTestId('connection-result-amazon')).toHaveText('接続できました');

  // Yahoo: app keys and public key, then ID連携 through the browser's auth flow, then the test.
  const yahoo = await fill(page, 'yahoo', {
    sellerId: c.yahoo.sellerId,
    clientId: c.yahoo.clientId,
    clientSecret: c.yahoo.clientSecret,
    publicKeyPem: c.yahoo.publicKeyPem.trim(),
    keyVersion: c.yahoo.keyVersion,
  });
  await yahoo.getByRole('button', { name: '接続テスト' }).click();
  await expect(page.getByTestId('connection-result-yahoo')).toHaveText('接続できませんでした');
  await yahoo.getByRole('button', { name: 'Yahoo! と連携' }).click();
  await expect(page.getByTestId('yahoo-authorize-result')).toContainText('連携しました');
  await yahoo.getByRole('button', { name: '接続テスト' }).click();
  await expect(page.getByTestId('connection-result-yahoo')).toHaveText('接続できました');

  // Nothing secret is ever shown back.
  expect(await page.content()).not.toContain(c.rakuten.licenseKey);
  expect(await page.content()).not.toContain(c.amazon.clientSecret);
});
