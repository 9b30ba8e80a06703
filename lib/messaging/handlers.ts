import { describeChannels, loadAlertChannels, saveAlertChannels } from '../alerts/channels';
import { applyStockEdit } from '../sync/stock-edit';
import type { CatalogDb } from '../catalog/db';
import { credentialStatus, lockStatus, saveCredentials } from '../catalog/credentials';
import { disableCredentialLock, enableCredentialLock, unlockCredentials, WrongPassphraseError } from '../catalog/credential-lock';
import type { SessionArea } from '../background/session-stores';
import { importDemoCatalog } from '../catalog/import-demo';
import { countCatalog, findOrder, findSkusByMallItem, lastSyncRun } from '../catalog/queries';
import { applyMovementsDetailed } from '../sync/ledger';
import { planStockPushes } from '../sync/plan';
import type { MallId, SyncRun } from '../catalog/schemas';
import { describeMallError, describeSyncError } from '../malls/describe-error';
import { collectAlerts } from '../sync/alerts';
import { applyStockImport } from '../sync/stock-import';
import { allocate, allocationCost, ALLOCATION_SETTING_KEY } from '../sync/allocation';
import { loadAllocation, STOCK_PUSH_KIND } from '../sync/plan';
import { planFullResync, type DriftReport } from '../sync/reconcile';
import type { MallAdapter } from '../malls/types';
import { t } from '../i18n';
import type { MessageHandlers } from './receiver';

export interface HandlerOptions {
  /** The demo import exists in demo and e2e builds only; production staff never see sample data. */
  allowDemoData: boolean;
  /** The adapter for a mall with the stored credentials, or undefined when none are stored. */
  adapterFor: (mall: MallId) => Promise<MallAdapter | undefined>;
  /** Session storage (extension contexts only): the unlocked credentials when the lock is on. */
  session?: SessionArea;
  /** Runs Yahoo's ID連携 consent (browser.identity in the extension) and stores the grant. */
  authorizeYahoo?: () => Promise<{ refreshTokenExpiresAt: number }>;
  /** Reads every connected mall's stock and reports drift. */
  reconcileNow?: () => Promise<DriftReport>;
  /** Runs a sync cycle now, unless one is running. */
  syncNow?: () => Promise<SyncRun | 'busy'>;
  /** Sends the alerts waiting for the user's webhook / mail provider. */
  deliverAlerts?: () => Promise<unknown>;
  now?: () => number;
}

/** Warn this many days before a credential expires: enough to renew it during a normal week. */
export const EXPIRY_WARNING_DAYS = 14;
const DAY_MS = 86_400_000;

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
      const alerts = await collectAlerts(db, lastSync?.errorDetails ?? []);
      return {
        counts,
        lastSync,
        lowStock: alerts.lowStock.length,
        failedPushes: alerts.failedPushes,
        errors: alerts.syncErrors.map((e) => ({ mall: e.mall, message: describeSyncError(e) })),
      };
    },
    async recordStockAdjustment({ skuCode, delta, requestId, note }) {
      const at = Date.now();
      // The adjustment and the pushes it causes in one transaction, like an order.
      const outcome = await db.transaction('rw', [db.skus, db.stockMovements, db.listings, db.jobs, db.settings, db.orderLines, db.orders], async () => {
        const applied = await applyMovementsDetailed(db, [{ key: `manual:${requestId}`, skuCode, delta, kind: 'manual', at, ...(note ? { note } : {}) }]);
        await planStockPushes(db, applied.changedSkus, at, at);
        return applied.outcomes[0];
      });
      const sku = await db.skus.get(skuCode);
      return { skuCode, stock: sku?.stock ?? 0, applied: outcome?.applied ?? false };
    },
    getCredentialStatus: () => credentialStatus(db, options.session),
    async saveCredentials(input) {
      await saveCredentials(db, input, Date.now(), options.session);
      return credentialStatus(db, options.session);
    },
    async getCredentialLock() {
      return options.session ? lockStatus(db, options.session) : { enabled: false, unlocked: true };
    },
    async setCredentialLock({ enable, passphrase }) {
      if (!options.session) throw new Error('no session storage');
      if (enable) await enableCredentialLock(db, options.session, passphrase);
      else await wrongPassphraseAsMessage(() => disableCredentialLock(db, options.session!, passphrase));
      return lockStatus(db, options.session);
    },
    async unlockCredentials({ passphrase }) {
      if (!options.session) throw new Error('no session storage');
      await wrongPassphraseAsMessage(() => unlockCredentials(db, options.session!, passphrase));
      return lockStatus(db, options.session);
    },
    async authorizeYahoo() {
      if (!options.authorizeYahoo) throw new Error('Yahoo authorisation is not available here');
      return options.authorizeYahoo();
    },
    async reconcileNow() {
      if (!options.reconcileNow) throw new Error('reconcile is not available here');
      return options.reconcileNow();
    },
    async resyncAll({ mall }) {
      return { queued: await planFullResync(db, mall) };
    },
    async getAllocation() {
      const settings = await loadAllocation(db);
      const cost = { skus: 0, hiddenFromBest: 0, unallocated: 0 };
      if (settings.mode !== 'off') {
        // What the rule costs now: for each SKU, units its best mall cannot offer and units no mall offers.
        const sales = new Map<string, Partial<Record<MallId, number>>>();
        if (settings.mode === 'sales-share') {
          const orders = await db.orders.where('orderedAt').aboveOrEqual(Date.now() - settings.days * 86_400_000).toArray();
          const live = new Map(orders.filter((o) => o.status !== 'cancelled').map((o) => [o.id, o.mall]));
          const lines = await db.orderLines.where('orderId').anyOf([...live.keys()]).toArray();
          for (const line of lines) {
            const mall = live.get(line.orderId)!;
            const bySku = sales.get(line.skuCode) ?? {};
            bySku[mall] = (bySku[mall] ?? 0) + line.quantity;
            sales.set(line.skuCode, bySku);
          }
        }
        const listings = await db.listings.toArray();
        const mallsOf = new Map<string, MallId[]>();
        for (const l of listings) if (l.active) mallsOf.set(l.skuCode, [...(mallsOf.get(l.skuCode) ?? []), l.mall]);
        await db.skus.each((sku) => {
          const malls = mallsOf.get(sku.code);
          if (!malls || sku.stock <= 0) return;
          const c = allocationCost(sku.stock, allocate(sku.stock, malls, settings, sales.get(sku.code)));
          cost.skus += 1;
          cost.hiddenFromBest += c.hiddenFromBest;
          cost.unallocated += c.unallocated;
        });
      }
      return { settings, cost };
    },
    async saveAllocation(settings) {
      await db.settings.put({ key: ALLOCATION_SETTING_KEY, value: settings });
      await db.auditLog.add({ at: Date.now(), actor: 'user', action: 'allocation.saved', detail: { mode: settings.mode } });
      // Rebalance every listing under the new rule.
      return { queued: await planFullResync(db) };
    },
    importStockCsv: ({ importId, rows }) => applyStockImport(db, importId, rows),
    applyStockEdit: ({ editId, skuCodes, operation }) => applyStockEdit(db, editId, skuCodes, operation),
    async getAlertSettings() {
      const alerts = await db.alerts.orderBy('createdAt').reverse().limit(50).toArray();
      return { channels: describeChannels(await loadAlertChannels(db)), alerts };
    },
    async saveAlertChannels({ webhook, email }) {
      const stored = await loadAlertChannels(db);
      const apiKey = email?.apiKey ?? stored.email?.apiKey;
      if (email && !apiKey) throw new Error(t('alerts.channels.emailKey'));
      await saveAlertChannels(db, {
        ...(webhook ? { webhook } : {}),
        ...(email && apiKey ? { email: { ...email, apiKey } } : {}),
      });
      await db.auditLog.add({ at: (options.now ?? Date.now)(), actor: 'user', action: 'alerts.channels-saved', detail: { webhook: Boolean(webhook), email: Boolean(email) } });
      return { saved: true as const };
    },
    async sendTestAlert() {
      const now = (options.now ?? Date.now)();
      const id = await db.alerts.add({ kind: 'test', subject: `test:${now}`, title: t('alerts.testTitle'), body: t('alerts.testBody'), createdAt: now, status: 'pending', attempts: 0, nextAttemptAt: now, deliveredTo: [] });
      await options.deliverAlerts?.();
      const row = await db.alerts.get(id);
      return { status: row?.status ?? 'pending', ...(row?.lastError ? { error: row.lastError } : {}) };
    },
    async syncNow() {
      if (!options.syncNow) throw new Error('sync is not available here');
      const run = await options.syncNow();
      return run === 'busy' ? { started: false } : { started: true, run };
    },
    async getSyncHistory({ limit }) {
      const runs = await db.syncRuns.orderBy('startedAt').reverse().limit(limit ?? 200).toArray();
      const pendingPushes = await db.jobs.where('status').anyOf('pending', 'running').filter((j) => j.kind === STOCK_PUSH_KIND).count();
      const failedPushes = await db.jobs.where('status').equals('failed').toArray();
      return { runs: runs.reverse(), pendingPushes, failedPushes: failedPushes.map((j) => ({ mall: j.mall, key: j.dedupeKey, error: j.lastError ?? '' })) };
    },
    async testConnection({ mall }) {
      const adapter = await options.adapterFor(mall);
      if (!adapter) return { mall, ok: false, checks: [{ name: 'credentials', ok: false, message: t('connection.notConfigured') }], expiries: [] };
      const report = await adapter.testConnection();
      const now = (options.now ?? Date.now)();
      await db.auditLog.add({ at: now, actor: 'user', action: 'connection.tested', detail: { mall, ok: report.ok } });
      return {
        mall,
        ok: report.ok,
        checks: report.checks.map((c) => ({
          name: c.name,
          ok: c.ok,
          ...(c.error ? { message: describeMallError(c.error), kind: c.error.kind } : {}),
        })),
        expiries: (report.expiries ?? []).map((e) => {
          const daysLeft = Math.floor((e.expiresAt - now) / DAY_MS);
          return { what: e.what, expiresAt: e.expiresAt, daysLeft, warn: daysLeft <= EXPIRY_WARNING_DAYS };
        }),
      };
    },
    async loadDemoCatalog({ skuCount, withListings }) {
      if (!options.allowDemoData) throw new Error('demo data is not available in this build');
      return importDemoCatalog(db, skuCount, Date.now(), withListings ?? true);
    },
  };
}

async function wrongPassphraseAsMessage(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    throw error instanceof WrongPassphraseError ? new Error(t('lock.wrongPassphrase')) : error;
  }
}
