import type { BrowserContext, Page } from '@playwright/test';
import type { DemoCredentials } from '../mall-sim/core/types';
import { startDemoSim, type DemoSim } from '../mall-sim/demo-sim';
import { expect, loadDemoData, openDashboard } from './fixtures';

export async function saveCredentials(page: Page, mall: string, values: Record<string, string>) {
  const form = page.getByTestId(`credentials-${mall}`);
  for (const [name, value] of Object.entries(values)) await form.locator(`[name="${name}"]`).fill(value);
  await form.getByRole('button', { name: '保存' }).click();
  await expect(form.getByRole('status')).toHaveText('保存しました');
  return form;
}

/** Enters the simulator's demo credentials for every mall, as staff would, and runs Yahoo's ID連携. */
export async function connectAllMalls(page: Page, c: DemoCredentials): Promise<void> {
  await saveCredentials(page, 'rakuten', { serviceSecret: c.rakuten.serviceSecret, licenseKey: c.rakuten.licenseKey });
  await saveCredentials(page, 'amazon', { sellerId: c.amazon.sellerId, clientId: c.amazon.clientId, clientSecret: c.amazon.clientSecret, refreshToken: c.amazon.refreshToken });
  const yahoo = await saveCredentials(page, 'yahoo', {
    sellerId: c.yahoo.sellerId,
    clientId: c.yahoo.clientId,
    clientSecret: c.yahoo.clientSecret,
    publicKeyPem: c.yahoo.publicKeyPem.trim(),
    keyVersion: c.yahoo.keyVersion,
  });
  await yahoo.getByRole('button', { name: 'Yahoo! と連携' }).click();
  await expect(page.getByTestId('yahoo-authorize-result')).toContainText('連携しました');
}

/** Calls the background from an extension page exactly as the dashboard does. */
export async function ask<T>(page: Page, type: string, data: unknown = {}): Promise<T> {
  const answer = (await page.evaluate(([t, d]) => chrome.runtime.sendMessage({ id: Date.now(), type: t, timestamp: Date.now(), data: d }), [type, data] as const)) as {
    res?: { ok: boolean; data?: T; error?: { message: string } };
    err?: unknown;
  };
  if (!answer?.res?.ok) throw new Error(`${type} failed: ${JSON.stringify(answer)}`);
  return answer.res.data as T;
}

/**
 * The demo shop on the simulator (no order history), connected as staff would do it, its catalog loaded
 * and one sync cycle run, so every mall's order cursor starts before the first buyer. Close `demo.sim`.
 */
export async function connectedDemoShop(context: BrowserContext, extensionId: string): Promise<{ demo: DemoSim; page: Page }> {
  const demo = await startDemoSim({ orders: false });
  const page = await openDashboard(context, extensionId, '#settings');
  await connectAllMalls(page, demo.sim.ctx.credentials);
  await loadDemoData(context, extensionId);
  await expect.poll(async () => (await ask<{ started: boolean }>(page, 'syncNow')).started, { timeout: 60_000 }).toBe(true);
  return { demo, page };
}
