import type { CatalogDb } from '../catalog/db';
import type { Listing, MallId } from '../catalog/schemas';
import { MallError } from '../malls/errors';
import type { MallAdapter } from '../malls/types';
import { planStockPushes, targetQuantity } from './plan';

export interface DriftRow {
  mall: MallId;
  listingId: string;
  skuCode: string;
  expected: number;
  /** What the mall shows; undefined when the mall does not know the listing. */
  shown?: number;
}

export interface DriftReport {
  at: number;
  checked: Record<string, number>;
  drift: DriftRow[];
  errors: { mall: MallId; message: string }[];
}

export const DRIFT_REPORT_KEY = 'reconcile.lastReport';

/**
 * Reads what every mall shows for every active listing and compares it with what Ichigen expects
 * (stock less buffer). It only reports: a mall may show less because of an order the next cycle has
 * not read yet, and "fixing" that by pushing our number would sell the unit twice.
 */
export async function reconcileStock(db: CatalogDb, adapters: Partial<Record<MallId, MallAdapter>>, now = Date.now()): Promise<DriftReport> {
  const report: DriftReport = { at: now, checked: {}, drift: [], errors: [] };
  await Promise.all(
    (Object.entries(adapters) as [MallId, MallAdapter][]).map(async ([mall, adapter]) => {
      const listings = (await db.listings.where('mall').equals(mall).toArray()).filter((l) => l.active);
      try {
        const readings = await adapter.readStock(listings);
        const shown = new Map(readings.map((r) => [r.listingId, r.quantity]));
        const skus = new Map((await db.skus.bulkGet(listings.map((l) => l.skuCode))).filter((s) => s !== undefined).map((s) => [s.code, s]));
        report.checked[mall] = listings.length;
        for (const listing of listings) {
          const sku = skus.get(listing.skuCode);
          if (!sku) continue;
          const expected = targetQuantity(sku.stock, listing);
          const quantity = shown.get(listing.id);
          if (quantity !== expected) report.drift.push({ mall, listingId: listing.id, skuCode: listing.skuCode, expected, ...(quantity !== undefined ? { shown: quantity } : {}) });
        }
      } catch (error) {
        report.errors.push({ mall, message: error instanceof MallError ? error.message : String(error) });
      }
    }),
  );
  await db.settings.put({ key: DRIFT_REPORT_KEY, value: { ...report, drift: report.drift.slice(0, 5_000) } });
  return report;
}

/**
 * Queues every listing (of one mall, or all) for a push of its current target, whatever was pushed
 * before; the outbox then sends them in full batches at each mall's rate limit.
 */
export async function planFullResync(db: CatalogDb, mall?: MallId, now = Date.now()): Promise<number> {
  return db.transaction('rw', [db.skus, db.listings, db.jobs, db.settings, db.orderLines, db.orders], async () => {
    const listings: Listing[] = mall ? await db.listings.where('mall').equals(mall).toArray() : await db.listings.toArray();
    // Forget what was pushed so the planner cannot skip a listing as "already there".
    await db.listings.bulkPut(listings.map(({ lastPushedQuantity: _q, ...rest }) => rest as Listing));
    const codes = [...new Set(listings.map((l) => l.skuCode))];
    await planStockPushes(db, codes, now, now, { onlyMall: mall });
    return db.jobs.where('status').anyOf('pending', 'running').count();
  });
}
