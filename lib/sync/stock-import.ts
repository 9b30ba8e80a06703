import type { CatalogDb } from '../catalog/db';
import type { StockMovement } from '../catalog/schemas';
import { applyMovementsDetailed } from './ledger';
import { planStockPushes } from './plan';

export interface StockImportRow {
  line: number;
  skuCode: string;
  mode: 'set' | 'add';
  value: number;
}

/**
 * Applies a checked stock CSV as ledger movements (an absolute quantity becomes the difference to the
 * stock at this moment) and queues the pushes, in one transaction. Movement keys carry the import id,
 * so pressing Apply twice imports once.
 */
export async function applyStockImport(db: CatalogDb, importId: string, rows: StockImportRow[], now = Date.now()): Promise<{ applied: number }> {
  return db.transaction('rw', [db.skus, db.stockMovements, db.listings, db.jobs, db.settings, db.orderLines, db.orders, db.auditLog], async () => {
    const skus = await db.skus.bulkGet(rows.map((r) => r.skuCode));
    const movements: StockMovement[] = [];
    rows.forEach((row, i) => {
      const sku = skus[i];
      if (!sku || sku.components.length > 0) return;
      const delta = row.mode === 'set' ? row.value - sku.stock : row.value;
      if (delta !== 0) movements.push({ key: `csv:${importId}:${row.line}`, skuCode: row.skuCode, delta, kind: 'csv', at: now, note: `line ${row.line}` });
    });
    const result = await applyMovementsDetailed(db, movements);
    await planStockPushes(db, result.changedSkus, now, now);
    const applied = result.outcomes.filter((o) => o.applied).length;
    await db.auditLog.add({ at: now, actor: 'user', action: 'stock.csv-imported', detail: { importId, rows: rows.length, applied } });
    return { applied };
  });
}
