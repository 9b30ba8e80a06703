import type { CatalogDb } from '../catalog/db';
import type { Job, Listing, MallId } from '../catalog/schemas';
import { allocate, allocationSettingsSchema, ALLOCATION_SETTING_KEY, type AllocationSettings } from './allocation';

export interface StockPushPayload {
  listingId: string;
  quantity: number;
  /** When the earliest change behind this push happened (an order's time), for sync latency. */
  causedAt: number;
  /**
   * False when the only change behind it is the listing's own mall selling (that mall already lowered
   * its shelf by itself, so the push only confirms the number). Such pushes go after those carrying
   * another mall's sale, which is what stops the next oversell. Absent means urgent (older rows).
   */
  urgent?: boolean;
}

export interface PlanOptions {
  /** Plan only this mall's listings (a verify or a resync of one mall). */
  onlyMall?: MallId;
  /** The mall whose orders caused the change: its own listings get non-urgent pushes. */
  originMall?: MallId;
}

export const isUrgentPush = (payload: StockPushPayload): boolean => payload.urgent !== false;

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
export async function planStockPushes(db: CatalogDb, skuCodes: string[], causedAt: number, now = Date.now(), options: PlanOptions = {}): Promise<number> {
  if (skuCodes.length === 0) return 0;
  const { onlyMall, originMall } = options;
  return db.transaction('rw', [db.skus, db.listings, db.jobs, db.settings, db.orderLines, db.orders], async () => {
    const unique = [...new Set(skuCodes)];
    const skus = await db.skus.bulkGet(unique);
    const listings = await db.listings.where('skuCode').anyOf(unique).toArray();
    const stockOf = new Map(skus.filter((s) => s !== undefined).map((s) => [s.code, s.stock]));
    const allocation = await loadAllocation(db);
    const allocated = new Map<string, Record<string, number>>();
    if (allocation.mode !== 'off') {
      for (const code of unique) {
        const stock = stockOf.get(code);
        if (stock === undefined) continue;
        const malls = listings.filter((l) => l.skuCode === code && l.active).map((l) => l.mall);
        const sales = allocation.mode === 'sales-share' ? await recentSalesByMall(db, code, now - allocation.days * 86_400_000) : {};
        allocated.set(code, allocate(stock, malls, allocation, sales));
      }
    }
    let planned = 0;
    for (const listing of listings) {
      if (!listing.active || (onlyMall && listing.mall !== onlyMall)) continue;
      const stock = stockOf.get(listing.skuCode);
      if (stock === undefined) continue;
      const share = allocated.get(listing.skuCode)?.[listing.mall];
      const quantity = targetQuantity(share ?? stock, listing);
      const urgent = listing.mall !== originMall;
      const dedupeKey = `${STOCK_PUSH_KIND}:${listing.id}`;
      const existing = await db.jobs.where('dedupeKey').equals(dedupeKey).first();
      if (existing && existing.id !== undefined && existing.status !== 'done') {
        const payload = existing.payload as StockPushPayload;
        if (payload.quantity === quantity && existing.status !== 'failed') continue;
        // A failed push gets another chance when there is something new to say; a waiting one (held back
        // for unseen sales, or retrying after an error) goes at once when the number has dropped: that
        // is what stops the next oversell, and a backoff or a recheck must not delay it.
        const dueNow = existing.status === 'failed' || (existing.status === 'pending' && quantity < payload.quantity);
        await db.jobs.update(existing.id, {
          payload: { ...payload, quantity, causedAt: Math.min(payload.causedAt, causedAt), urgent: isUrgentPush(payload) || urgent },
          ...(existing.status === 'failed' ? { status: 'pending', attempts: 0 } : {}),
          ...(dueNow ? { nextAttemptAt: Math.min(existing.nextAttemptAt, now) } : {}),
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
        payload: { listingId: listing.id, quantity, causedAt, urgent } satisfies StockPushPayload,
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

export async function loadAllocation(db: CatalogDb): Promise<AllocationSettings> {
  const parsed = allocationSettingsSchema.safeParse((await db.settings.get(ALLOCATION_SETTING_KEY))?.value);
  return parsed.success ? parsed.data : { mode: 'off' };
}

/** Units of a SKU sold per mall since `since` (cancelled orders excluded). */
async function recentSalesByMall(db: CatalogDb, skuCode: string, since: number): Promise<Partial<Record<MallId, number>>> {
  const lines = await db.orderLines.where('skuCode').equals(skuCode).toArray();
  const orders = await db.orders.bulkGet([...new Set(lines.map((l) => l.orderId))]);
  const byId = new Map(orders.filter((o) => o !== undefined).map((o) => [o.id, o]));
  const sales: Partial<Record<MallId, number>> = {};
  for (const line of lines) {
    const order = byId.get(line.orderId);
    if (!order || order.status === 'cancelled' || order.orderedAt < since) continue;
    sales[order.mall] = (sales[order.mall] ?? 0) + line.quantity;
  }
  return sales;
}
