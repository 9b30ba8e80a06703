import type { CatalogDb } from '../catalog/db';
import type { MallId } from '../catalog/schemas';

export interface AlertState {
  lowStock: { code: string; name: string; stock: number; threshold: number }[];
  failedPushes: number;
  /** Errors of the latest cycle, per mall, already worded for staff. */
  syncErrors: { mall: MallId; kind: string; message: string }[];
}

const NOTIFIED_KEY = 'alerts.lowStockNotified';

export async function collectAlerts(db: CatalogDb, syncErrors: AlertState['syncErrors']): Promise<AlertState> {
  // A threshold of 0 means "no alert for this SKU"; sets follow their components and alert through them.
  const lowStock = (await db.skus.filter((s) => s.components.length === 0 && s.lowStockThreshold > 0 && s.stock <= s.lowStockThreshold).toArray()).map((s) => ({
    code: s.code,
    name: s.name,
    stock: s.stock,
    threshold: s.lowStockThreshold,
  }));
  const failedPushes = await db.jobs.where('status').equals('failed').count();
  return { lowStock, failedPushes, syncErrors };
}

/** The toolbar badge: errors win over low stock, because an error can mean every number is stale. */
export function badgeFor(state: AlertState): { text: string; color: string } {
  const errors = state.failedPushes + state.syncErrors.length;
  if (errors > 0) return { text: errors > 99 ? '99+' : String(errors), color: '#b00020' };
  if (state.lowStock.length > 0) return { text: state.lowStock.length > 99 ? '99+' : String(state.lowStock.length), color: '#e65100' };
  return { text: '', color: '#1b5e20' };
}

/**
 * SKUs that went low since the last notification (each is notified once until it recovers), so staff
 * hear about a SKU when it crosses its threshold, not on every 30-second cycle.
 */
export async function newlyLowStock(db: CatalogDb, state: AlertState): Promise<AlertState['lowStock']> {
  return db.transaction('rw', db.settings, async () => {
    const before = new Set(((await db.settings.get(NOTIFIED_KEY))?.value as string[] | undefined) ?? []);
    const now = new Set(state.lowStock.map((s) => s.code));
    const fresh = state.lowStock.filter((s) => !before.has(s.code));
    await db.settings.put({ key: NOTIFIED_KEY, value: [...now] });
    return fresh;
  });
}
