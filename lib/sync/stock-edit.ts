import type { CatalogDb } from '../catalog/db';
import type { MallId, StockMovement } from '../catalog/schemas';
import { applyMovementsDetailed } from './ledger';
import { planStockPushes, targetQuantity } from './plan';
import { MAX_STOCK_EDIT_SKUS, type StockEditOperation } from './stock-edit-schema';

export { MAX_STOCK_EDIT_SKUS, stockEditOperationSchema, type StockEditOperation } from './stock-edit-schema';

export interface StockEditPreviewRow {
  skuCode: string;
  name: string;
  current: number;
  next: number;
  /** What each mall listing this SKU will show after the edit (its safety buffer taken off). */
  malls: { mall: MallId; quantity: number }[];
  /** i18n key of why this row will not be applied (its stock would go below zero). */
  problem?: 'stockEdit.negative';
}


function nextStock(current: number, op: StockEditOperation): number {
  return op.kind === 'set' ? op.value : op.kind === 'add' ? current + op.value : current - op.value;
}

/** Before anything changes: every chosen SKU's stock now and after, and what each mall would show. */
export async function previewStockEdit(db: CatalogDb, skuCodes: string[], op: StockEditOperation): Promise<StockEditPreviewRow[]> {
  const unique = [...new Set(skuCodes)].slice(0, MAX_STOCK_EDIT_SKUS);
  const skus = (await db.skus.bulkGet(unique)).filter((s) => s !== undefined && s.components.length === 0);
  const listings = await db.listings.where('skuCode').anyOf(skus.map((s) => s!.code)).toArray();
  return skus.map((sku) => {
    const next = nextStock(sku!.stock, op);
    const malls = listings
      .filter((l) => l.skuCode === sku!.code && l.active)
      .map((l) => ({ mall: l.mall, quantity: targetQuantity(next, l) }))
      .sort((a, b) => a.mall.localeCompare(b.mall));
    return { skuCode: sku!.code, name: sku!.name, current: sku!.stock, next, malls, ...(next < 0 ? { problem: 'stockEdit.negative' as const } : {}) };
  });
}

/**
 * Applies a previewed edit as manual movements and queues the pushes, in one transaction. "set" becomes
 * the difference to the stock at this moment (an order read between preview and apply is not undone);
 * "add"/"subtract" are the deltas themselves. Keys carry the edit id, so a second click applies nothing.
 */
export async function applyStockEdit(db: CatalogDb, editId: string, skuCodes: string[], op: StockEditOperation, now = Date.now()): Promise<{ applied: number; refused: string[] }> {
  return db.transaction('rw', [db.skus, db.stockMovements, db.listings, db.jobs, db.settings, db.orderLines, db.orders, db.auditLog], async () => {
    const unique = [...new Set(skuCodes)].slice(0, MAX_STOCK_EDIT_SKUS);
    const skus = await db.skus.bulkGet(unique);
    const movements: StockMovement[] = [];
    const refused: string[] = [];
    for (const sku of skus) {
      if (!sku || sku.components.length > 0) continue;
      const next = nextStock(sku.stock, op);
      if (next < 0) {
        refused.push(sku.code);
        continue;
      }
      const delta = next - sku.stock;
      if (delta !== 0) movements.push({ key: `bulk:${editId}:${sku.code}`, skuCode: sku.code, delta, kind: 'manual', at: now, note: `bulk ${op.kind} ${op.value}` });
    }
    const result = await applyMovementsDetailed(db, movements);
    await planStockPushes(db, result.changedSkus, now, now);
    const applied = result.outcomes.filter((o) => o.applied).length;
    await db.auditLog.add({ at: now, actor: 'user', action: 'stock.bulk-edited', detail: { editId, operation: op, skus: unique.length, applied, refused: refused.length } });
    return { applied, refused };
  });
}
