import type { CatalogDb } from '../catalog/db';
import { runSyncCycle, type SyncCycleDeps, type SyncCycleReport } from './cycle';
import { workerLanes } from './lanes';

export interface SyncWakeOptions {
  /**
   * When the next alarm will start a wake of its own (chrome.alarms `scheduledTime`). The wake stops
   * starting cycles shortly before it, so the alarm finds the lock free instead of being skipped.
   */
  nextAlarmAt: () => Promise<number | undefined>;
  /** A new cycle starts this long after the previous one started (or at once if that one took longer). */
  repollEveryMs?: number;
  /**
   * A wake never runs longer than this, whatever the alarms do: Chrome stops a worker whose event takes
   * five minutes, and a new alarm starts a new wake anyway.
   */
  maxWakeMs?: number;
  /** Called after every cycle (alerts, badge, the benchmark's records). */
  onCycle?: (report: SyncCycleReport, index: number) => Promise<void> | void;
}

export const SYNC_WAKE_DEFAULTS = { repollEveryMs: 5_000, maxWakeMs: 120_000 } as const;

/** Sync history is kept this long; older rows are dropped at the start of a wake. */
export const SYNC_HISTORY_DAYS = 30;

/**
 * One alarm wake: sync cycles back to back until the next alarm is near.
 *
 * Chrome will not fire an alarm more often than every 30 s, and a sale that waits up to 30 s for the
 * next tick has used most of the 45 s it has to reach the other malls. The worker is awake anyway, so
 * it polls again every few seconds (each mall's rate limiter still decides what may be sent; Amazon's
 * orders are read at most once per its own poll interval) and leaves the next wake to the alarm, which
 * also restarts the loop after the worker was killed. Quiet re-polls leave no history row.
 */
let cutShortWait: (() => void) | undefined;

/**
 * "Sync now" while a wake is running (it holds the sync lock): start its next cycle at once instead of
 * after the re-poll wait. Returns false when no wake is waiting.
 */
export function nudgeSyncWake(): boolean {
  const resolve = cutShortWait;
  cutShortWait = undefined;
  resolve?.();
  return resolve !== undefined;
}

export async function runSyncWake(deps: SyncCycleDeps & SyncWakeOptions): Promise<SyncCycleReport[]> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const repollEveryMs = deps.repollEveryMs ?? SYNC_WAKE_DEFAULTS.repollEveryMs;
  const maxWakeMs = deps.maxWakeMs ?? SYNC_WAKE_DEFAULTS.maxWakeMs;
  const lanes = deps.lanes ?? workerLanes;
  const wakeStart = now();
  await pruneSyncHistory(deps.db, wakeStart);

  const reports: SyncCycleReport[] = [];
  for (let index = 0; ; index++) {
    const cycleStart = now();
    const report = await runSyncCycle({ ...deps, quietRunsUnrecorded: index > 0 });
    reports.push(report);
    lanes.setPhase('after-cycle', now());
    await deps.onCycle?.(report, index);
    const nextStart = Math.max(now(), cycleStart + repollEveryMs);
    lanes.setPhase('next-alarm', now());
    const alarmAt = await deps.nextAlarmAt();
    // If a cycle ran past the alarm, the alarm found the lock taken and was skipped: the next one is
    // then a period away and this wake goes on, so no tick is ever lost.
    if (alarmAt === undefined || alarmAt - nextStart < repollEveryMs) break;
    if (nextStart - wakeStart + repollEveryMs > maxWakeMs) break;
    lanes.setPhase('between-cycles', now());
    await Promise.race([sleep(nextStart - now()), new Promise<void>((resolve) => (cutShortWait = resolve))]);
    cutShortWait = undefined;
  }
  lanes.setPhase('idle', now());
  return reports;
}

export async function pruneSyncHistory(db: CatalogDb, now: number): Promise<number> {
  return db.syncRuns.where('startedAt').below(now - SYNC_HISTORY_DAYS * 86_400_000).delete();
}
