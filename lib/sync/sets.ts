import type { CatalogDb } from '../catalog/db';
import type { SetComponent, Sku } from '../catalog/schemas';

/** How many sets can be made from the components' stock: the scarcest component decides. */
export function setAvailability(components: SetComponent[], stockOf: (code: string) => number): number {
  if (components.length === 0) return 0;
  return Math.max(0, Math.min(...components.map((c) => Math.floor(Math.max(0, stockOf(c.skuCode)) / c.quantity))));
}

/**
 * Recomputes the cached stock of every set that uses any of `componentCodes` (a component may be in
 * many sets, and a set's availability moves with each of its components). Must run inside a
 * transaction that covers `skus`. Returns the codes of the sets whose stock changed.
 */
export async function recomputeSetsUsing(db: CatalogDb, componentCodes: string[], now: number): Promise<string[]> {
  if (componentCodes.length === 0) return [];
  const sets = await db.skus.where('componentCodes').anyOf(componentCodes).distinct().toArray();
  if (sets.length === 0) return [];
  const needed = [...new Set(sets.flatMap((s) => s.componentCodes))];
  const components = await db.skus.bulkGet(needed);
  const stock = new Map<string, number>();
  needed.forEach((code, i) => stock.set(code, components[i]?.stock ?? 0));
  const changed: Sku[] = [];
  for (const set of sets) {
    const available = setAvailability(set.components, (code) => stock.get(code) ?? 0);
    if (available !== set.stock) changed.push({ ...set, stock: available, updatedAt: now });
  }
  await db.skus.bulkPut(changed);
  return changed.map((s) => s.code);
}

/** A sold set line becomes one line per component, so the ledger only ever moves real stock. */
export function expandSetLine(sku: Pick<Sku, 'code' | 'components'>, quantity: number): { skuCode: string; quantity: number; component?: string }[] {
  if (sku.components.length === 0) return [{ skuCode: sku.code, quantity }];
  return sku.components.map((c) => ({ skuCode: c.skuCode, quantity: c.quantity * quantity, component: c.skuCode }));
}
