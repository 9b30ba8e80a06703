import { catalogDb } from '@/lib/catalog/db';
import type { SyncRun } from '@/lib/catalog/schemas';
import { runSyncCycle } from '@/lib/sync/cycle';
import { runSyncWake } from '@/lib/sync/wake';
import { ALARM_SPECS } from '@/lib/background/alarms';
import { reconcileStock, type DriftReport } from '@/lib/sync/reconcile';
import { badgeFor, collectAlerts, newlyLowStock } from '@/lib/sync/alerts';
import { describeSyncError } from '@/lib/malls/describe-error';
import { t } from '@/lib/i18n';
import type { MallId } from '@/lib/catalog/schemas';
import { connectedAdapters } from './mall-adapters';

const SYNC_LOCK = 'ichigen-sync';

/**
 * Runs one sync cycle unless one is already running (alarm and "sync now" may race; a killed worker's
 * lock is released by the browser). Returns 'busy' when another cycle holds the lock.
 */
export async function runSyncExclusive(): Promise<SyncRun | 'busy'> {
  return navigator.locks.request(SYNC_LOCK, { ifAvailable: true }, async (lock) => {
    if (!lock) return 'busy' as const;
    const report = await runSyncCycle({ db: catalogDb(), adapters: connectedAdapters });
    await announceAlerts(report.errors);
    return report.run;
  });
}

/**
 * What the sync alarm runs: cycles back to back until the next alarm is near (lib/sync/wake.ts), under
 * the same lock as "sync now".
 */
export async function runSyncWakeExclusive(): Promise<'done' | 'busy'> {
  return navigator.locks.request(SYNC_LOCK, { ifAvailable: true }, async (lock) => {
    if (!lock) return 'busy' as const;
    await runSyncWake({
      db: catalogDb(),
      adapters: connectedAdapters,
      nextAlarmAt: async () => (await browser.alarms.get(ALARM_SPECS.sync.name))?.scheduledTime,
      onCycle: (report) => announceAlerts(report.errors),
    });
    return 'done' as const;
  });
}

/** Drift check: read every connected mall's stock and compare (reports only; see reconcileStock). */
export async function reconcileNow(): Promise<DriftReport> {
  return reconcileStock(catalogDb(), await connectedAdapters());
}

/** Badge on every cycle; a notification when a SKU goes low or a mall needs a person (auth, permission). */
async function announceAlerts(errors: { mall: MallId; kind: string; message: string }[]): Promise<void> {
  const db = catalogDb();
  const state = await collectAlerts(db, errors);
  const badge = badgeFor(state);
  await browser.action.setBadgeText({ text: badge.text });
  await browser.action.setBadgeBackgroundColor({ color: badge.color });
  const fresh = await newlyLowStock(db, state);
  if (fresh.length > 0) {
    await browser.notifications.create('ichigen-low-stock', {
      type: 'basic',
      iconUrl: browser.runtime.getURL('/icon-128.png'),
      title: t('alerts.lowStockTitle', { count: fresh.length }),
      message: fresh.slice(0, 5).map((s) => t('alerts.lowStockLine', { code: s.code, stock: s.stock })).join('\n'),
    });
  }
  const needsPerson = errors.filter((e) => e.kind === 'auth' || e.kind === 'permission' || e.kind === 'clock-skew');
  if (needsPerson.length > 0) {
    await browser.notifications.create('ichigen-sync-error', {
      type: 'basic',
      iconUrl: browser.runtime.getURL('/icon-128.png'),
      title: t('alerts.syncErrorTitle'),
      message: needsPerson.map((e) => describeSyncError(e)).join('\n'),
    });
  }
}
