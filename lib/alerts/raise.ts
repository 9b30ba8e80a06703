import type { CatalogDb } from '../catalog/db';
import type { Alert, MallId } from '../catalog/schemas';
import { t } from '../i18n';
import { describeSyncError } from '../malls/describe-error';
import { collectAlerts, newlyLowStock } from '../sync/alerts';

/** Errors only a person can fix: a key or token expired or revoked, a missing permission, a wrong clock. */
export const PERSON_NEEDED_KINDS = new Set(['auth', 'permission', 'clock-skew']);
/** Errors that fix themselves unless they keep coming: a mall failing this often is worth a message. */
export const REPEATED_FAILURE = { cycles: 5, withinMs: 10 * 60_000 } as const;
/** The same condition (one mall's expired key, one mall failing) is raised at most this often. */
export const REPEAT_ALERT_AFTER_MS = 6 * 60 * 60_000;

const REFUSED_NOTIFIED_KEY = 'alerts.refusedNotified';

type NewAlert = Pick<Alert, 'kind' | 'subject' | 'title' | 'body'> & { mall?: MallId };

/**
 * Turns what a sync cycle saw into alerts, each raised once per condition: a SKU crossing its low-stock
 * threshold, a mall needing a person (expired key or token, missing permission, clock), a mall refusing
 * an item (a push that failed for good), and a mall failing cycle after cycle. New alerts are stored
 * `pending` for the e-mail / webhook channels and returned for the browser notification.
 */
export async function raiseAlerts(db: CatalogDb, errors: { mall: MallId; kind: string; message: string }[], now: number): Promise<Alert[]> {
  const candidates: { alert: NewAlert; dedupe: boolean }[] = [];

  const fresh = await newlyLowStock(db, await collectAlerts(db, errors));
  if (fresh.length > 0) {
    candidates.push({
      dedupe: false, // newlyLowStock already raises a SKU only when it crosses its threshold
      alert: {
        kind: 'low-stock',
        subject: fresh.map((s) => s.code).join(','),
        title: t('alerts.lowStockTitle', { count: fresh.length }),
        body: fresh.map((s) => t('alerts.lowStockLine', { code: s.code, stock: s.stock })).join('\n'),
      },
    });
  }

  const seen = new Set<string>();
  for (const e of errors) {
    if (!PERSON_NEEDED_KINDS.has(e.kind) || seen.has(`${e.mall}:${e.kind}`)) continue;
    seen.add(`${e.mall}:${e.kind}`);
    candidates.push({ dedupe: true, alert: { kind: 'sync-error', subject: `${e.mall}:${e.kind}`, mall: e.mall, title: t('alerts.syncErrorTitle'), body: describeSyncError(e) } });
  }

  candidates.push(...(await refusedPushes(db)).map((alert) => ({ alert, dedupe: false })));

  const failing = [...new Set(errors.filter((e) => !PERSON_NEEDED_KINDS.has(e.kind)).map((e) => e.mall))];
  if (failing.length > 0) {
    const runs = await db.syncRuns.where('startedAt').aboveOrEqual(now - REPEATED_FAILURE.withinMs).toArray();
    for (const mall of failing) {
      const failedRuns = runs.filter((r) => r.errorDetails?.some((d) => d.mall === mall && !PERSON_NEEDED_KINDS.has(d.kind)));
      if (failedRuns.length + 1 < REPEATED_FAILURE.cycles) continue;
      const last = errors.find((e) => e.mall === mall)!;
      candidates.push({
        dedupe: true,
        alert: { kind: 'repeated-failure', subject: mall, mall, title: t('alerts.repeatedTitle', { mall: t(`mall.${mall}`) }), body: t('alerts.repeatedBody', { count: failedRuns.length + 1, detail: describeSyncError(last) }) },
      });
    }
  }

  const raised: Alert[] = [];
  for (const { alert, dedupe } of candidates) {
    if (dedupe) {
      const recent = await db.alerts
        .where('kind')
        .equals(alert.kind)
        .filter((a) => a.subject === alert.subject && a.createdAt > now - REPEAT_ALERT_AFTER_MS)
        .count();
      if (recent > 0) continue;
    }
    const row: Alert = { ...alert, createdAt: now, status: 'pending', attempts: 0, nextAttemptAt: now, deliveredTo: [] };
    row.id = await db.alerts.add(row);
    raised.push(row);
  }
  return raised;
}

/** Pushes a mall refused for good since the last look, one alert per mall. */
async function refusedPushes(db: CatalogDb): Promise<NewAlert[]> {
  return db.transaction('rw', db.jobs, db.settings, async () => {
    const failed = await db.jobs.where('status').equals('failed').toArray();
    const before = new Set(((await db.settings.get(REFUSED_NOTIFIED_KEY))?.value as string[] | undefined) ?? []);
    await db.settings.put({ key: REFUSED_NOTIFIED_KEY, value: failed.map((j) => j.dedupeKey) });
    const fresh = failed.filter((j) => !before.has(j.dedupeKey));
    const byMall = new Map<MallId, typeof fresh>();
    for (const job of fresh) byMall.set(job.mall, [...(byMall.get(job.mall) ?? []), job]);
    return [...byMall].map(([mall, jobs]) => ({
      kind: 'push-refused' as const,
      subject: `${mall}:${jobs.map((j) => j.dedupeKey).join(',')}`.slice(0, 500),
      mall,
      title: t('alerts.refusedTitle', { mall: t(`mall.${mall}`), count: jobs.length }),
      body: jobs
        .slice(0, 20)
        .map((j) => `${j.dedupeKey.replace(/^[^:]+:[^:]+:/, '')}：${j.lastError ?? ''}`)
        .join('\n'),
    }));
  });
}
