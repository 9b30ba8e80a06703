import { buildDemoShop, demoCatalogRows } from '../demo/demo-shop';
import type { CatalogDb } from './db';
import type { StockMovement } from './schemas';
import { recomputeSetsUsing } from '../sync/sets';

/**
 * Fills the catalog with the demo shop. The opening stock is written as `initial` ledger movements,
 * so the ledger explains every unit from the first day.
 */
export async function importDemoCatalog(db: CatalogDb, skuCount = 200, now = Date.now(), withListings = true): Promise<{ skus: number }> {
  const rows = demoCatalogRows(buildDemoShop(skuCount), now);
  if (!withListings) rows.listings = [];
  const movements: StockMovement[] = rows.skus
    .filter((s) => s.components.length === 0)
    .map((s) => ({ key: `initial:demo:${s.code}`, skuCode: s.code, delta: s.stock, kind: 'initial', at: now }));
  await db.transaction('rw', [db.products, db.skus, db.listings, db.stockMovements, db.auditLog], async () => {
    const existing = new Set(await db.stockMovements.where('kind').equals('initial').primaryKeys());
    const freshMovements = movements.filter((m) => !existing.has(m.key));
    // Re-importing keeps the stock the ledger already holds.
    const replayed = new Set(movements.filter((m) => existing.has(m.key)).map((m) => m.skuCode));
    const current = await db.skus.bulkGet(rows.skus.map((s) => s.code));
    rows.skus.forEach((s, i) => {
      if (replayed.has(s.code) && current[i]) s.stock = current[i]!.stock;
    });
    await db.products.bulkPut(rows.products);
    await db.skus.bulkPut(rows.skus);
    await db.listings.bulkPut(rows.listings);
    await db.stockMovements.bulkAdd(freshMovements);
    await recomputeSetsUsing(db, [...new Set(rows.skus.flatMap((s) => s.componentCodes))], now);
    await db.auditLog.add({ at: now, actor: 'user', action: 'catalog.demo-imported', detail: { skus: rows.skus.length } });
  });
  return { skus: rows.skus.length };
}
