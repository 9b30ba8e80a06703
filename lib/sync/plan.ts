import type { CatalogDb } from '../catalog/db';
import type { Job, Listing, MallId } from '../catalog/schemas';

export interface StockPushPayload {
  listingId: string;
  quantity: number;
  /** When the earliest change behind this push happened (an order's time), for sync latency. */
  causedAt: number;
}

export const STOCK_PUSH_KIND = 'stock.push';

/** What a mall should show for a listing: the SKU's stock less that mall's safety buffer, never below 0. */
export function targetQuantity(stock: number, listing: Pick<Listing, 'safetyBuffer'>): number {
  return Math.max(0, stock - (listing.safetyBuffer ?? 0));
}

/**
 * Turns changed SKUs into outbox jobs, one per listing, in the caller's transaction (the same one
 * that moved the stock, so a killed worker never loses a push it owed). A listing with a job already
 * waiting gets its quantity updated instead of a second job: only the latest target matters, and
 * pushes are absolute, so sending it once is enough.
 */
export async function planStockPushes(db: CatalogDb, skuCodes: string[], causedAt: number, now = Date.now(), onlyMall?: MallId): Promise<number> {
  if (skuCodes.length === 0) return 0;
  return db.transaction('rw', db.skus, db.listings, db.jobs, async () => {
    const unique = [...new Set(skuCodes)];
    const skus = await db.skus.bulkGet(unique);
    const listings = await db.listings.where('skuCode').anyOf(unique).toArray();
    const stockOf = new Map(skus.filter((s) => s !== undefined).map((s) => [s.code, s.stock]));
    let planned = 0;
    for (const listing of listings) {
      if (!listing.active || (onlyMall && listing.mall !== onlyMall)) continue;
      const stock = stockOf.get(listing.skuCode);
      if (stock === undefined) continue;
      const quantity = targetQuantity(stock, listing);
      const dedupeKey = `${STOCK_PUSH_KIND}:${listing.id}`;
      const existing = await db.jobs.where('dedupeKey').equals(dedupeKey).first();
      if (existing && existing.id !== undefined && existing.status !== 'done') {
        const payload = existing.payload as StockPushPayload;
        if (payload.quantity === quantity && existing.status !== 'failed') continue;
        await db.jobs.update(existing.id, {
          payload: { ...payload, quantity, causedAt: Math.min(payload.causedAt, causedAt) },
          // A failed push gets another chance when there is something new to say.
          ...(existing.status === 'failed' ? { status: 'pending', attempts: 0, nextAttemptAt: now } : {}),
          updatedAt: now,
        });
        planned += 1;
        continue;
      }
      if (!existing && listing.lastPushedQuantity === quantity) continue;
      const job: Job = {
        kind: STOCK_PUSH_KIND,
        mall: listing.mall,
        dedupeKey,
        payload: { listingId: listing.id, quantity, causedAt } satisfies StockPushPayload,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        createdAt: now,
        updatedAt: now,
      };
      if (existing?.id !== undefined) await db.jobs.put({ ...job, id: existing.id });
      else await db.jobs.add(job);
      planned += 1;
    }
    return planned;
  });
}
