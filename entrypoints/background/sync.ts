import { catalogDb } from '@/lib/catalog/db';
import type { SyncRun } from '@/lib/catalog/schemas';
import { runSyncCycle } from '@/lib/sync/cycle';
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
    return report.run;
  });
}
