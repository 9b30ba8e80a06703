import { catalogDb } from '@/lib/catalog/db';
import type { SyncRun } from '@/lib/catalog/schemas';
import { runSyncCycle, type SyncCycleReport } from '@/lib/sync/cycle';
import { nudgeSyncWake, runSyncWake } from '@/lib/sync/wake';
import { ALARM_SPECS } from '@/lib/background/alarms';
import { reconcileStock, type DriftReport } from '@/lib/sync/reconcile';
import { badgeFor, collectAlerts } from '@/lib/sync/alerts';
import { raiseAlerts } from '@/lib/alerts/raise';
import { deliverPendingAlerts } from '@/lib/alerts/deliver';
import { sendgridUrlForMode } from '@/lib/alerts/channels';
import { connectedAdapters } from './mall-adapters';

const SYNC_LOCK = 'ichigen-sync';

/**
 * Runs one sync cycle unless one is already running (alarm and "sync now" may race; a killed worker's
 * lock is released by the browser). Returns 'busy' when another cycle holds the lock.
 */
export async function runSyncExclusive(): Promise<SyncRun | 'busy'> {
  return navigator.locks.request(SYNC_LOCK, { ifAvailable: true }, async (lock) => {
    if (!lock) {
      nudgeSyncWake();
      return 'busy' as const;
    }
    const report = await runSyncCycle({ db: catalogDb(), adapters: connectedAdapters });
    await announceAlerts(report);
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
      onCycle: (report) => announceAlerts(report),
    });
    return 'done' as const;
  });
}

/** Drift check: read every connected mall's stock and compare (reports only; see reconcileStock). */
export async function reconcileNow(): Promise<DriftReport> {
  return reconcileStock(catalogDb(), await connectedAdapters());
}

/**
 * After a cycle: the badge; a browser notification for each alert raised (a SKU gone low, a mall that
 * needs a person, a refused item, a mall failing again and again); then the alerts waiting for the
 * user's e-mail / webhook channels are sent (retried later if a channel is down).
 */
let badgeShowsErrors = true;

async function announceAlerts(report: SyncCycleReport): Promise<void> {
  const db = catalogDb();
  // A quiet re-poll changes no stock and raises nothing; the badge is redone only to clear an error.
  const quiet = report.run.ordersRead === 0 && report.run.pushes === 0 && report.errors.length === 0;
  if (!quiet || badgeShowsErrors) {
    const state = await collectAlerts(db, report.errors);
    const badge = badgeFor(state);
    badgeShowsErrors = state.syncErrors.length + state.failedPushes > 0;
    await browser.action.setBadgeText({ text: badge.text });
    await browser.action.setBadgeBackgroundColor({ color: badge.color });
  }
  if (!quiet) {
    for (const alert of await raiseAlerts(db, report.errors, Date.now())) {
      await browser.notifications.create(`ichigen-alert-${alert.id}`, {
        type: 'basic',
        iconUrl: browser.runtime.getURL('/icon-128.png'),
        title: alert.title,
        message: alert.body.split('\n').slice(0, 5).join('\n'),
      });
    }
  }
  await deliverAlerts();
}

/** Alerts waiting for the user's webhook / SendGrid (demo and e2e builds mail into the simulator). */
export function deliverAlerts(): Promise<unknown> {
  return deliverPendingAlerts(catalogDb(), { fetch: (...args) => fetch(...args), sendgridUrl: sendgridUrlForMode(import.meta.env.MODE) });
}
