import Dexie, { type EntityTable, type Table } from 'dexie';
import type {
  Alert,
  AuditEntry,
  Credentials,
  Customer,
  Job,
  Listing,
  Order,
  OrderLine,
  Product,
  Setting,
  Sku,
  StockMovement,
  SyncCursor,
  SyncRun,
} from './schemas';

export const CATALOG_DB_NAME = 'ichigen-catalog';

/**
 * Every schema version, oldest first. A version is never edited once released: add a new one with an
 * `upgrade` and a fixture test in tests/unit/catalog/migrations.test.ts.
 */
export const SCHEMA_VERSIONS = [
  {
    version: 1,
    stores: {
      products: 'id, name, updatedAt',
      skus: 'code, productId, name, *componentCodes, stock, updatedAt',
      listings: 'id, skuCode, mall, externalItemId, [mall+skuCode]',
      stockMovements: 'key, skuCode, kind, orderId, at',
      orders: 'id, mall, orderNumber, status, orderedAt, customerId, updatedAt',
      orderLines: 'id, orderId, skuCode',
      customers: 'id, email, name',
      jobs: '++id, &dedupeKey, mall, status, [status+nextAttemptAt]',
      syncCursors: 'id, mall',
      auditLog: '++id, at, action',
      settings: 'key',
      credentials: 'mall',
    },
  },
  {
    version: 2,
    stores: {
      // Page adapters look a listing up by the mall's own item id (item code on an admin page).
      listings: 'id, skuCode, mall, externalItemId, [mall+skuCode], [mall+externalItemId]',
      // Sync history, for the dashboard chart and the panels' "last sync" line.
      syncRuns: '++id, startedAt, outcome',
    },
    /** v1 listings had no `active` flag; every listing that existed was live. */
    upgrade: async (tx: import('dexie').Transaction) => {
      await tx
        .table('listings')
        .toCollection()
        .modify((row: Record<string, unknown>) => {
          if (row.active === undefined) row.active = true;
          if (row.safetyBuffer === undefined) row.safetyBuffer = 0;
        });
    },
  },
  {
    version: 3,
    stores: {
      // Alerts raised and their delivery to e-mail / webhook channels (retried until taken).
      alerts: '++id, createdAt, kind, [status+nextAttemptAt]',
    },
  },
] as const;

export const CURRENT_SCHEMA_VERSION = SCHEMA_VERSIONS[SCHEMA_VERSIONS.length - 1]!.version;

export class CatalogDb extends Dexie {
  products!: EntityTable<Product, 'id'>;
  skus!: EntityTable<Sku, 'code'>;
  listings!: EntityTable<Listing, 'id'>;
  stockMovements!: EntityTable<StockMovement, 'key'>;
  orders!: EntityTable<Order, 'id'>;
  orderLines!: EntityTable<OrderLine, 'id'>;
  customers!: EntityTable<Customer, 'id'>;
  jobs!: EntityTable<Job, 'id'>;
  syncCursors!: EntityTable<SyncCursor, 'id'>;
  syncRuns!: EntityTable<SyncRun, 'id'>;
  auditLog!: EntityTable<AuditEntry, 'id'>;
  alerts!: EntityTable<Alert, 'id'>;
  settings!: Table<Setting, string>;
  credentials!: Table<Credentials, string>;

  constructor(name = CATALOG_DB_NAME, upToVersion = CURRENT_SCHEMA_VERSION) {
    super(name);
    for (const step of SCHEMA_VERSIONS) {
      if (step.version > upToVersion) break;
      const v = this.version(step.version).stores(step.stores);
      if ('upgrade' in step) v.upgrade(step.upgrade);
    }
  }
}

let shared: CatalogDb | undefined;

/**
 * The one catalog of this extension. Only extension-origin contexts (service worker, popup, dashboard)
 * may open it; content scripts ask the background, since IndexedDB there would be the admin page's.
 */
export function catalogDb(): CatalogDb {
  shared ??= new CatalogDb();
  return shared;
}

/** Tests: start from an empty catalog. */
export async function resetCatalogDbForTests(): Promise<CatalogDb> {
  if (shared) {
    shared.close();
    await Dexie.delete(CATALOG_DB_NAME);
  }
  shared = new CatalogDb();
  return shared;
}
