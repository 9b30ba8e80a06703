import { ownCancellationRead, ownCancelledOrderRead, ownOrderRead } from './shelf-guard';
import type { CatalogDb } from '../catalog/db';
import { matchListing, normaliseExternalItemId } from '../catalog/listing-ref';
import type { Customer, Listing, MallId, Order, OrderLine, StockMovement, SyncCursor } from '../catalog/schemas';
import type { MallOrder } from '../malls/types';
import { applyMovementsDetailed } from './ledger';
import { expandSetLine } from './sets';

export const UNMAPPED_PREFIX = 'unmapped:';

export interface OrdersApplied {
  ordersSeen: number;
  newOrders: number;
  movementsApplied: number;
  changedSkus: string[];
  /** Lines whose listing is not in the catalog: shown to staff, never silently dropped. */
  unmappedLines: { orderNumber: string; ref: string }[];
}

function customerOf(order: MallOrder, now: number): Customer | undefined {
  if (!order.buyer) return undefined;
  const id = order.buyer.email ? `email:${order.buyer.email.toLowerCase()}` : `${order.mall}:name:${order.buyer.name}`;
  return {
    id,
    name: order.buyer.name,
    ...(order.buyer.nameKana ? { nameKana: order.buyer.nameKana } : {}),
    ...(order.buyer.email ? { email: order.buyer.email } : {}),
    rank: 'normal',
    orderCount: 0,
    updatedAt: now,
  };
}

/**
 * Applies one page of a mall's new and changed orders in one transaction: the orders and lines, their
 * customers, the stock movements they imply, and the mall's cursor. Movement keys are derived from
 * (mall, order, line, kind), so reading the same page twice (a retry, a worker killed before the cursor
 * was saved, an overlapping window) changes nothing.
 */
export async function applyOrderMovements(
  db: CatalogDb,
  mall: MallId,
  orders: MallOrder[],
  cursor: { id: string; value: string; readState?: Pick<SyncCursor, 'passStartedAt' | 'explainedThrough'> } | undefined,
  now = Date.now(),
): Promise<OrdersApplied> {
  return db.transaction('rw', [db.orders, db.orderLines, db.customers, db.listings, db.skus, db.stockMovements, db.syncCursors], async () => {
    const result: OrdersApplied = { ordersSeen: orders.length, newOrders: 0, movementsApplied: 0, changedSkus: [], unmappedLines: [] };
    const movements: StockMovement[] = [];
    // The selling mall moved its own shelf (down on a sale, up on a cancellation): what we last pushed
    // there no longer says what it shows, so it must get the new target whatever it was before.
    const ownShelvesMoved = new Map<string, string>();
    const listingCache = new Map<string, Listing[]>();
    const listingsOf = async (externalItemId: string) => {
      let found = listingCache.get(externalItemId);
      if (!found) {
        found = await db.listings.where('[mall+externalItemId]').equals([mall, normaliseExternalItemId(mall, externalItemId)]).toArray();
        listingCache.set(externalItemId, found);
      }
      return found;
    };

    for (const mallOrder of orders) {
      const id = `${mall}:${mallOrder.orderNumber}`;
      const existing = await db.orders.get(id);
      const customer = customerOf(mallOrder, now);
      if (customer) {
        const known = await db.customers.get(customer.id);
        await db.customers.put({ ...customer, rank: known?.rank ?? customer.rank, orderCount: (known?.orderCount ?? 0) + (existing ? 0 : 1) });
      }
      if (!existing) result.newOrders += 1;
      const order: Order = {
        id,
        mall,
        orderNumber: mallOrder.orderNumber,
        status: mallOrder.status,
        mallStatus: mallOrder.mallStatus,
        orderedAt: mallOrder.orderedAt,
        updatedAt: mallOrder.updatedAt,
        totalYen: mallOrder.totalYen,
        ...(customer ? { customerId: customer.id } : {}),
        ...(mallOrder.confirmDeadline !== undefined ? { confirmDeadline: mallOrder.confirmDeadline } : {}),
      };
      await db.orders.put(order);

      const lines: OrderLine[] = [];
      for (const line of mallOrder.lines) {
        const listing = matchListing(await listingsOf(line.listingRef.externalItemId), line.listingRef.variantRef);
        const ref = [line.listingRef.externalItemId, line.listingRef.variantRef].filter(Boolean).join(':');
        const sku = listing ? await db.skus.get(listing.skuCode) : undefined;
        lines.push({
          id: `${id}:${line.lineNo}`,
          orderId: id,
          lineNo: line.lineNo,
          skuCode: sku ? sku.code : `${UNMAPPED_PREFIX}${ref}`,
          name: line.name,
          quantity: line.quantity,
          unitPriceYen: line.unitPriceYen,
        });
        if (!sku) {
          result.unmappedLines.push({ orderNumber: mallOrder.orderNumber, ref });
          continue;
        }
        if (listing && (!existing || existing.status !== mallOrder.status)) ownShelvesMoved.set(listing.id, sku.code);
        if (listing?.shelf) {
          // A mall whose orders show late: this order's units stop being "unseen" (lib/sync/shelf-guard.ts).
          const first = expandSetLine(sku, line.quantity)[0];
          const base = `${mall}:${mallOrder.orderNumber}:${line.lineNo}${first?.component ? `:${first.component}` : ''}`;
          const sold = await db.stockMovements.get(`order:${base}`);
          const shelf = listing.shelf;
          let next = shelf;
          if (mallOrder.status !== 'cancelled' && !sold) next = ownOrderRead(shelf, `order:${base}`, line.quantity, mallOrder.orderedAt, now);
          else if (mallOrder.status === 'cancelled' && sold && !(await db.stockMovements.get(`cancel:${base}`))) next = ownCancellationRead(shelf, `cancel:${base}`, line.quantity, mallOrder.updatedAt, now);
          else if (mallOrder.status === 'cancelled' && !sold && !existing) next = ownCancelledOrderRead(shelf, base, line.quantity, mallOrder.orderedAt, mallOrder.updatedAt, now);
          if (next !== shelf) {
            await db.listings.update(listing.id, { shelf: next });
            listing.shelf = next;
          }
        }
        for (const part of expandSetLine(sku, line.quantity)) {
          const base = `${mall}:${mallOrder.orderNumber}:${line.lineNo}${part.component ? `:${part.component}` : ''}`;
          const sold = { key: `order:${base}`, skuCode: part.skuCode, delta: -part.quantity, kind: 'order' as const, mall, orderId: id, at: mallOrder.orderedAt };
          if (mallOrder.status === 'cancelled') {
            // Stock comes back only for what was taken: an order first seen already cancelled moves nothing.
            if (await db.stockMovements.get(sold.key)) {
              movements.push({ key: `cancel:${base}`, skuCode: part.skuCode, delta: part.quantity, kind: 'cancel', mall, orderId: id, at: mallOrder.updatedAt });
            }
          } else {
            movements.push(sold);
          }
        }
      }
      await db.orderLines.bulkPut(lines);
    }

    const applied = await applyMovementsDetailed(db, movements);
    result.movementsApplied = applied.outcomes.filter((o) => o.applied).length;
    for (const listingId of ownShelvesMoved.keys()) await db.listings.update(listingId, { lastPushedQuantity: undefined });
    result.changedSkus = [...new Set([...applied.changedSkus, ...ownShelvesMoved.values()])];
    if (cursor) await db.syncCursors.put({ id: cursor.id, mall, cursor: cursor.value, updatedAt: now, ...cursor.readState });
    return result;
  });
}
