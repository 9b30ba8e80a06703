import type { CatalogDb } from '../catalog/db';
import type { MallId, SyncRun } from '../catalog/schemas';
import { LOCAL_RATE_LIMIT } from '../http/client';
import { MallError } from '../malls/errors';
import type { MallAdapter } from '../malls/types';
import { applyOrderMovements } from './orders';
import { drainMallOutbox, emptyDrainReport, releaseInterruptedJobs, verifyUncertainListings, VERIFY_AFTER_MS } from './outbox';
import { workerLanes, type SyncLanes } from './lanes';
import { planStockPushes } from './plan';
import { ordersCursorId } from './cursors';
import { followNewShelves, guardsShelf } from './shelf-guard';

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
  /** Used by the wake between cycles (lib/sync/wake.ts); the cycle's own bounded waits use real timers. */
  sleep?: (ms: number) => Promise<void>;
  /** Where a mall with no cursor yet starts reading orders (default: now). */
  initialSince?: () => number;
  onProgress?: (mall: MallId, done: number, total: number) => void;
  /** Each mall's reads and pushes run in these lanes (default: the worker's one set, shared by every cycle). */
  lanes?: SyncLanes;
  /**
   * How long the cycle waits for its lanes before it records what it has and returns (default 8 s): a
   * lane still busy is skipped by the next cycle, which goes on with the other malls.
   */
  maxCycleWaitMs?: number;
  /** A cycle that read no order, pushed nothing and met no error leaves no history row (re-polls in a wake). */
  quietRunsUnrecorded?: boolean;
}

export interface SyncCycleReport {
  run: SyncRun;
  errors: { mall: MallId; message: string; kind: string }[];
  unmappedLines: { mall: MallId; orderNumber: string; ref: string }[];
}

function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Resolves true when `promise` settles within `ms`, false otherwise (the promise goes on). */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One sync cycle, as the 30-second alarm's wake runs it (under the "sync" Web Lock, so never two at once):
 *
 *   read every mall's new orders since its cursor ─▶ one transaction per page: orders, movements,
 *   cursor and the stock pushes they cause ─▶ drain the outbox to every mall ─▶ record the run.
 *
 * Each mall's reads and each mall's pushes run in a lane of their own (lib/sync/lanes.ts): a mall that
 * hangs keeps its lane busy, the cycle stops waiting for it after `maxCycleWaitMs`, and the next cycles
 * go on with the other malls. What a straggler does is added to this cycle's history row when it ends.
 *
 * Every mall is read before anything is pushed when catching up, so after the browser was closed the
 * first cycle catches up on everything sold everywhere before it tells any mall a quantity. The worker
 * may be killed at any line: cursors, movements and jobs are written together, jobs left "running" are
 * released when their mall's push lane is next taken, and pushes are absolute, so repeating any step is
 * harmless.
 */
export async function runSyncCycle(deps: SyncCycleDeps): Promise<SyncCycleReport> {
  const { db } = deps;
  const now = deps.now ?? Date.now;
  const lanes = deps.lanes ?? workerLanes;
  lanes.setPhase('adapters', now());
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
  const drained = emptyDrainReport();
  let ordersRead = 0;

  // After the browser was closed (or a mall was unreachable for long), every mall is read to the end
  // before anything is pushed, so no mall is told a quantity that ignores what sold elsewhere meanwhile.
  const cursors = await db.syncCursors.bulkGet(malls.map(ordersCursorId));
  const catchingUp = cursors.some((c) => !c || startedAt - c.updatedAt > (deps.catchUpAfterMs ?? 10 * 60_000));

  const readOrders = async (mall: MallId): Promise<void> => {
    const adapter = adapters[mall]!;
    const cursorId = ordersCursorId(mall);
    const readStart = now();
    try {
      for (let page = 0; page < (deps.maxOrderPagesPerMall ?? 10); page++) {
        if (page > 0 && !catchingUp && now() - readStart > (deps.readBudgetMs ?? 10_000)) break;
        const stored = await db.syncCursors.get(cursorId);
        if (page === 0 && stored && adapter.minOrderPollIntervalMs && now() - stored.updatedAt < adapter.minOrderPollIntervalMs) break;
        const passStartedAt = stored?.passStartedAt ?? now();
        const result = await adapter.listOrdersSince(stored?.cursor, { since: deps.initialSince?.() ?? startedAt });
        // A run of pages that began at `passStartedAt` and ends caught up has read every order placed
        // before then (a mall that shows orders late says up to when instead): the shelf guard trusts
        // that (shelf-guard.ts).
        const provenByPass = result.caughtUp ? (result.listedThrough ?? (adapter.orderVisibilityLagMs ? undefined : passStartedAt)) : undefined;
        const explainedThrough = provenByPass ?? stored?.explainedThrough;
        const readState = { ...(result.caughtUp ? {} : { passStartedAt }), ...(explainedThrough !== undefined ? { explainedThrough } : {}) };
        await db.transaction('rw', [db.orders, db.orderLines, db.customers, db.listings, db.skus, db.stockMovements, db.syncCursors, db.jobs, db.settings], async () => {
          const applied = await applyOrderMovements(db, mall, result.orders, { id: cursorId, value: result.cursor, readState }, now());
          const causedAt = Math.min(now(), ...result.orders.map((o) => o.updatedAt));
          await planStockPushes(db, applied.changedSkus, causedAt, now(), { originMall: mall });
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
  };

  // A mall still being read by an earlier cycle is not read again now (two readers would race on its
  // cursor); when catching up, that earlier read is waited for like the others.
  const readTasks = malls.map((mall) => lanes.tryRun(`read:${mall}`, () => readOrders(mall)) ?? (catchingUp ? lanes.current(`read:${mall}`) : undefined));
  const reads = Promise.all(readTasks).then(() => undefined);
  if (catchingUp) {
    lanes.setPhase('catching-up', now());
    await reads;
  }

  const drainOptions = {
    now,
    ...(deps.maxPushesPerMall !== undefined ? { maxPerMall: deps.maxPushesPerMall } : {}),
    ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
  };
  const pushStock = async (mall: MallId): Promise<void> => {
    const one = { [mall]: adapters[mall]! };
    // This lane is ours, so no push of this mall is in flight in this worker: "running" ones are orphans.
    await releaseInterruptedJobs(db, now(), VERIFY_AFTER_MS, mall);
    // Pushes wait a moment for this cycle's reads, so a sale read now goes out now; but never longer:
    // what a slow read brings later is pushed by the next cycle (seconds away in a wake), while this
    // lane staying busy would hold back every push to this mall.
    await settlesWithin(reads, deps.readDeadlineMs ?? 3_000);
    if (guardsShelf(adapters[mall]!)) await followNewShelves(db, mall, adapters[mall]!, now).catch(() => 0);
    await verifyUncertainListings(db, one, now);
    await drainMallOutbox(db, mall, adapters[mall]!, drainOptions, drained);
  };
  const pushTasks = malls.map((mall) => lanes.tryRun(`push:${mall}`, () => pushStock(mall)));

  const work = Promise.all([reads, ...pushTasks]);
  lanes.setPhase('lanes', now());
  const finishedInTime = await settlesWithin(work, deps.maxCycleWaitMs ?? 8_000);

  const record = (): SyncRun => {
    errors.push(...drained.errors.splice(0));
    const finishedAt = now();
    const p50 = percentile(drained.latencies, 50);
    const p95 = percentile(drained.latencies, 95);
    return {
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
  };
  lanes.setPhase('recording', now());
  const run = record();
  if (!finishedInTime) {
    // Stragglers finish in their lanes; their pushes and errors are added to this row then.
    await db.syncRuns.put(run);
    void work.then(() => db.syncRuns.put(record())).catch(() => undefined);
  } else if (deps.quietRunsUnrecorded && ordersRead === 0 && drained.pushed === 0 && errors.length === 0 && unmappedLines.length === 0) {
    await db.syncRuns.delete(runId);
  } else {
    await db.syncRuns.put(run);
  }
  lanes.setPhase('idle', now());
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

