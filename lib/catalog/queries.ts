import type { CatalogDb } from './db';
import type { Listing, MallId, Order, OrderLine, Sku, SyncRun } from './schemas';

export interface CatalogCounts {
  products: number;
  skus: number;
  listings: Record<MallId, number>;
  orders: number;
  pendingJobs: number;
}

export async function countCatalog(db: CatalogDb): Promise<CatalogCounts> {
  const [products, skus, rakuten, yahoo, amazon, orders, pendingJobs] = await Promise.all([
    db.products.count(),
    db.skus.count(),
    db.listings.where('mall').equals('rakuten').count(),
    db.listings.where('mall').equals('yahoo').count(),
    db.listings.where('mall').equals('amazon').count(),
    db.orders.count(),
    db.jobs.where('status').anyOf('pending', 'running').count(),
  ]);
  return { products, skus, listings: { rakuten, yahoo, amazon }, orders, pendingJobs };
}

export interface SkuWithListings {
  sku: Sku;
  listings: Listing[];
}

/** Every SKU a mall item page shows: all listings of that mall item, with their SKUs. */
export async function findSkusByMallItem(db: CatalogDb, mall: MallId, externalItemId: string): Promise<SkuWithListings[]> {
  const mallListings = await db.listings.where('[mall+externalItemId]').equals([mall, externalItemId]).toArray();
  const codes = [...new Set(mallListings.map((l) => l.skuCode))];
  const skus = (await db.skus.bulkGet(codes)).filter((s): s is Sku => s !== undefined);
  const allListings = await db.listings.where('skuCode').anyOf(codes).toArray();
  return skus.map((sku) => ({ sku, listings: allListings.filter((l) => l.skuCode === sku.code) }));
}

export interface OrderWithLines {
  order: Order;
  lines: OrderLine[];
}

export async function findOrder(db: CatalogDb, mall: MallId, orderNumber: string): Promise<OrderWithLines | undefined> {
  const order = await db.orders.get(`${mall}:${orderNumber}`);
  if (!order) return undefined;
  const lines = await db.orderLines.where('orderId').equals(order.id).sortBy('lineNo');
  return { order, lines };
}

export async function lastSyncRun(db: CatalogDb): Promise<SyncRun | undefined> {
  return db.syncRuns.orderBy('startedAt').last();
}
