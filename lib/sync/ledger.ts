import type { CatalogDb } from '../catalog/db';
import { stockMovementSchema, type StockMovement } from '../catalog/schemas';
import { recomputeSetsUsing } from './sets';

export interface MovementsApplied {
  outcomes: MovementOutcome[];
  /** Every SKU whose stock changed: the moved ones and the sets built from them. */
  changedSkus: string[];
}

export interface MovementOutcome {
  key: string;
  skuCode: string;
  /** False when a movement with this key was already in the ledger (a replay). */
  applied: boolean;
}

export class UnknownSkuError extends Error {
  constructor(readonly skuCode: string) {
    super(`unknown SKU ${skuCode}`);
  }
}

export class SetSkuHasNoOwnStockError extends Error {
  constructor(readonly skuCode: string) {
    super(`${skuCode} is a set: adjust its components`);
  }
}

/**
 * Appends movements to the stock ledger and updates each SKU's cached stock, in one transaction.
 * A movement whose key is already present is skipped, so reading the same order twice, or resending
 * the same adjustment, changes nothing.
 */
export async function applyMovements(db: CatalogDb, movements: StockMovement[]): Promise<MovementOutcome[]> {
  return (await applyMovementsDetailed(db, movements)).outcomes;
}

/** As `applyMovements`, also naming every SKU whose stock changed (sets included). Joins an open transaction. */
export async function applyMovementsDetailed(db: CatalogDb, movements: StockMovement[]): Promise<MovementsApplied> {
  const rows = movements.map((m) => stockMovementSchema.parse(m));
  return db.transaction('rw', db.stockMovements, db.skus, async () => {
    const outcomes: MovementOutcome[] = [];
    const existing = await db.stockMovements.bulkGet(rows.map((r) => r.key));
    const seen = new Set<string>();
    const deltas = new Map<string, number>();
    const fresh: StockMovement[] = [];
    rows.forEach((row, i) => {
      const replay = existing[i] !== undefined || seen.has(row.key);
      seen.add(row.key);
      outcomes.push({ key: row.key, skuCode: row.skuCode, applied: !replay });
      if (replay) return;
      fresh.push(row);
      deltas.set(row.skuCode, (deltas.get(row.skuCode) ?? 0) + row.delta);
    });
    const codes = [...deltas.keys()];
    const skus = await db.skus.bulkGet(codes);
    const now = Date.now();
    for (const row of fresh) row.recordedAt ??= now;
    for (const [i, code] of codes.entries()) {
      const sku = skus[i];
      if (!sku) throw new UnknownSkuError(code);
      if (sku.components.length > 0) throw new SetSkuHasNoOwnStockError(code);
      sku.stock += deltas.get(code) ?? 0;
      sku.updatedAt = now;
    }
    await db.stockMovements.bulkAdd(fresh);
    await db.skus.bulkPut(skus.filter((s) => s !== undefined));
    const moved = codes.filter((c) => deltas.get(c) !== 0);
    const sets = await recomputeSetsUsing(db, moved, now);
    return { outcomes, changedSkus: [...moved, ...sets] };
  });
}

/** A SKU's stock recomputed from the ledger alone; the cached `stock` must always equal it. */
export async function stockFromLedger(db: CatalogDb, skuCode: string): Promise<number> {
  let total = 0;
  await db.stockMovements.where('skuCode').equals(skuCode).each((m) => (total += m.delta));
  return total;
}
