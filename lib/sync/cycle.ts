import type { CatalogDb } from '../catalog/db';
import type { MallId, SyncRun } from '../catalog/schemas';
import { LOCAL_RATE_LIMIT } from '../http/client';
import { MallError } from '../malls/errors';
import type { MallAdapter } from '../malls/types';
import { applyOrderMovements } from './orders';
import { drainStockOutbox, releaseInterruptedJobs, verifyUncertainListings } from './outbox';
import { planStockPushes } from './plan';

export interface SyncCycleDeps {
  db: CatalogDb;
  /** Adapters of the malls that are connected now. */
  adapters: () => Promise<Partial<Record<MallId, MallAdapter>>>;
  now?: () => number;
  /** Order pages read per mall per wake; the rest waits for the next alarm. */
  maxOrderPagesPerMall?: number;
  maxPushesPerMall?: number;
  /**
   * How long pushes wait for slow order reads (a mall answering slowly, a hung connection). After it,
   * what has been read is pushed while the slow reads go on. Not applied when catching up.
   */
  readDeadlineMs?: number;
  /**
   * Reading time per mall per cycle (outside catch-up): a mall with a long backlog (Yahoo reads one
   * order per second) continues next cycle instead of holding the sync lock, and every other mall's
   * new orders, for minutes.
   */
  readBudgetMs?: number;
  /** A mall whose orders were last read longer ago than this is "catching up" (browser was closed). */
  catchUpAfterMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Where a mall with no cursor yet starts reading orders (default: now). */
  initialSince?: () => number;
  onProgress?: (mall: MallId, done: number, total: number) => void;
}

export interface SyncCycleReport {
  run: SyncRun;
  errors: { mall: MallId; message: string; kind: string }[];
  unmappedLines: { mall: MallId; orderNumber: string; ref: string }[];
}

export const ordersCursorId = (mall: MallId) => `${mall}:orders`;

function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * One sync cycle, as the 30-second alarm runs it (under the "sync" Web Lock, so never two at once):
 *
 *   read every mall's new orders since its cursor ─▶ one transaction per page: orders, movements,
 *   cursor and the stock pushes they cause ─▶ drain the outbox to every mall ─▶ record the run.
 *
 * Every mall is read before anything is pushed, so after the browser was closed the first cycle
 * catches up on everything sold everywhere before it tells any mall a quantity. The worker may be
 * killed at any line: cursors, movements and jobs are written together, jobs left "running" are
 * released at the next start, and pushes are absolute, so repeating any step is harmless.
 */
export async function runSyncCycle(deps: SyncCycleDeps): Promise<SyncCycleReport> {
  const { db } = deps;
  const now = deps.now ?? Date.now;
  const adapters = await deps.adapters();
  const malls = Object.keys(adapters) as MallId[];
  const startedAt = now();

  if (malls.length === 0) {
    await recordIdle(db, startedAt);
    const run = (await db.syncRuns.orderBy('startedAt').last())!;
    return { run, errors: [], unmappedLines: [] };
  }

  const runId = await db.syncRuns.add({ startedAt, outcome: 'running', ordersRead: 0, pushes: 0, errors: 0 });
  const errors: SyncCycleReport['errors'] = [];
  const unmappedLines: SyncCycleReport['unmappedLines'] = [];
  let ordersRead = 0;
  await releaseInterruptedJobs(db, startedAt);

  // After the browser was closed (or a mall was unreachable for long), every mall is read to the end
  // before anything is pushed, so no mall is told a quantity that ignores what sold elsewhere meanwhile.
  const cursors = await db.syncCursors.bulkGet(malls.map(ordersCursorId));
  const catchingUp = cursors.some((c) => !c || startedAt - c.updatedAt > (deps.catchUpAfterMs ?? 10 * 60_000));

  // Malls are read concurrently; each page is applied in its own transaction as it arrives.
  const reads = Promise.all(
    malls.map(async (mall) => {
      const adapter = adapters[mall]!;
      const cursorId = ordersCursorId(mall);
      const readStart = now();
      try {
        for (let page = 0; page < (deps.maxOrderPagesPerMall ?? 10); page++) {
          if (page > 0 && !catchingUp && now() - readStart > (deps.readBudgetMs ?? 10_000)) break;
          const stored = await db.syncCursors.get(cursorId);
          if (page === 0 && stored && adapter.minOrderPollIntervalMs && now() - stored.updatedAt < adapter.minOrderPollIntervalMs) break;
          const result = await adapter.listOrdersSince(stored?.cursor, { since: deps.initialSince?.() ?? startedAt });
          await db.transaction('rw', [db.orders, db.orderLines, db.customers, db.listings, db.skus, db.stockMovements, db.syncCursors, db.jobs, db.settings], async () => {
            const applied = await applyOrderMovements(db, mall, result.orders, { id: cursorId, value: result.cursor }, now());
            const causedAt = Math.min(now(), ...result.orders.map((o) => o.updatedAt));
            await planStockPushes(db, applied.changedSkus, causedAt, now());
            ordersRead += applied.ordersSeen;
            unmappedLines.push(...applied.unmappedLines.map((u) => ({ mall, ...u })));
          });
          if (result.caughtUp) break;
        }
      } catch (error) {
        const e = error instanceof MallError ? error : new MallError({ mall, endpoint: 'listOrdersSince', kind: 'network', message: String(error) });
        // Deferred by our own limiter (the orders API has no slot for a while): not a fault, next cycle reads.
        if (e.code !== LOCAL_RATE_LIMIT) errors.push({ mall, message: e.message, kind: e.kind });
      }
    }),
  );

  const drainOptions = {
    now,
    ...(deps.maxPushesPerMall !== undefined ? { maxPerMall: deps.maxPushesPerMall } : {}),
    ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
  };
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const drains: Awaited<ReturnType<typeof drainStockOutbox>>[] = [];
  if (catchingUp) {
    await reads;
  } else {
    // One slow mall must not hold back what the others' orders already require.
    const readsDone = await Promise.race([reads.then(() => true), sleep(deps.readDeadlineMs ?? 3_000).then(() => false)]);
    if (!readsDone) {
      drains.push(await drainStockOutbox(db, adapters, drainOptions));
      await reads;
    }
  }
  await verifyUncertainListings(db, adapters, now);
  drains.push(await drainStockOutbox(db, adapters, drainOptions));
  const drained = {
    pushed: drains.reduce((n, d) => n + d.pushed, 0),
    latencies: drains.flatMap((d) => d.latencies),
    errors: drains.flatMap((d) => d.errors),
  };
  errors.push(...drained.errors);
  const finishedAt = now();
  const p50 = percentile(drained.latencies, 50);
  const p95 = percentile(drained.latencies, 95);
  const run: SyncRun = {
    id: runId,
    startedAt,
    finishedAt,
    outcome: errors.length === 0 ? 'ok' : drained.pushed > 0 || ordersRead > 0 ? 'partial' : 'failed',
    ordersRead,
    pushes: drained.pushed,
    errors: errors.length,
    ...(p50 !== undefined ? { latencyP50Ms: p50 } : {}),
    ...(p95 !== undefined ? { latencyP95Ms: p95 } : {}),
    durationMs: finishedAt - startedAt,
    ...(errors.length > 0 ? { errorDetails: errors.slice(0, 20) } : {}),
  };
  await db.syncRuns.put(run);
  return { run, errors, unmappedLines };
}

/** With no mall connected, fold repeats into one row: an idle shop should not grow 2,880 rows a day. */
async function recordIdle(db: CatalogDb, at: number): Promise<void> {
  await db.transaction('rw', db.syncRuns, async () => {
    const last = await db.syncRuns.orderBy('startedAt').last();
    if (last?.outcome === 'skipped' && last.reason === 'no-connected-malls' && last.id !== undefined) {
      await db.syncRuns.update(last.id, { finishedAt: at });
    } else {
      await db.syncRuns.add({ startedAt: at, finishedAt: at, outcome: 'skipped', reason: 'no-connected-malls', ordersRead: 0, pushes: 0, errors: 0 });
    }
  });
}

