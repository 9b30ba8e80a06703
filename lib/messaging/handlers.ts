import type { CatalogDb } from '../catalog/db';
import { credentialStatus, saveCredentials } from '../catalog/credentials';
import { importDemoCatalog } from '../catalog/import-demo';
import { countCatalog, findOrder, findSkusByMallItem, lastSyncRun } from '../catalog/queries';
import { applyMovements } from '../sync/ledger';
import type { MessageHandlers } from './receiver';

export interface HandlerOptions {
  /** The demo import exists in demo and e2e builds only; production staff never see sample data. */
  allowDemoData: boolean;
}

export function createMessageHandlers(db: CatalogDb, options: HandlerOptions): MessageHandlers {
  return {
    async getPanelData(context) {
      const [counts, lastSync] = await Promise.all([countCatalog(db), lastSyncRun(db)]);
      const skus = context.kind === 'item' ? await findSkusByMallItem(db, context.mall, context.itemId) : [];
      const order = context.kind === 'order' ? await findOrder(db, context.mall, context.orderNumber) : undefined;
      return { context, skus, order, counts, lastSync };
    },
    async getCatalogStatus() {
      const [counts, lastSync] = await Promise.all([countCatalog(db), lastSyncRun(db)]);
      return { counts, lastSync };
    },
    async recordStockAdjustment({ skuCode, delta, requestId, note }) {
      const [outcome] = await applyMovements(db, [
        { key: `manual:${requestId}`, skuCode, delta, kind: 'manual', at: Date.now(), ...(note ? { note } : {}) },
      ]);
      const sku = await db.skus.get(skuCode);
      return { skuCode, stock: sku?.stock ?? 0, applied: outcome?.applied ?? false };
    },
    getCredentialStatus: () => credentialStatus(db),
    async saveCredentials(input) {
      await saveCredentials(db, input);
      return credentialStatus(db);
    },
    async loadDemoCatalog({ skuCount }) {
      if (!options.allowDemoData) throw new Error('demo data is not available in this build');
      return importDemoCatalog(db, skuCount);
    },
  };
}
