import type { CatalogDb } from '../catalog/db';
import type { MallId } from '../catalog/schemas';

export interface SyncTickDeps {
  db: CatalogDb;
  /** Malls that have both credentials and an adapter; the clients issue fills the adapter registry. */
  connectedMalls: () => Promise<MallId[]>;
  now?: () => number;
}

/**
 * One alarm tick of the sync cycle. With no mall connected it records why nothing ran, folding repeats
 * into the last row so an idle shop does not grow the history by 2,880 rows a day.
 */
export async function runSyncTick({ db, connectedMalls, now = Date.now }: SyncTickDeps): Promise<void> {
  const malls = await connectedMalls();
  if (malls.length === 0) {
    const at = now();
    await db.transaction('rw', db.syncRuns, async () => {
      const last = await db.syncRuns.orderBy('startedAt').last();
      if (last?.outcome === 'skipped' && last.reason === 'no-connected-malls' && last.id !== undefined) {
        await db.syncRuns.update(last.id, { finishedAt: at });
      } else {
        await db.syncRuns.add({ startedAt: at, finishedAt: at, outcome: 'skipped', reason: 'no-connected-malls', ordersRead: 0, pushes: 0, errors: 0 });
      }
    });
  }
}
