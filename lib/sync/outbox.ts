import type { CatalogDb } from '../catalog/db';
import type { Job, Listing, MallId } from '../catalog/schemas';
import { MallError } from '../malls/errors';
import type { MallAdapter, StockPush } from '../malls/types';
import type { ItemResult } from '../malls/errors';
import { guardedQuantity, guardsShelf, mergeConfirmedShelf, unseenNow, unseenSalesExpiryMs, withLostWindow, type ShelfState } from './shelf-guard';
import { ordersCursorId } from './cursors';
import { isUrgentPush, planStockPushes, STOCK_PUSH_KIND, type StockPushPayload } from './plan';

export interface DrainOptions {
  now?: () => number;
  /** Pushes per mall per wake: bounded work, so a cycle ends well inside the worker's lifetime. */
  maxPerMall?: number;
  onProgress?: (mall: MallId, done: number, total: number) => void;
}

export interface DrainReport {
  pushed: number;
  failed: number;
  retrying: number;
  /** ms from the change that caused a push to the mall confirming it, one per successful push. */
  latencies: number[];
  errors: { mall: MallId; message: string; kind: string }[];
}

/**
 * Backoff for a push the mall refused for now: 5 s, 15 s, 30 s, 1 min, then every 2 min. Stock that is
 * not pushed is stock that may be sold twice, and a sale elsewhere has 45 s to reach every mall: the
 * first retry goes with the next cycle (a row a bulk call failed was never retried by the HTTP client;
 * each mall's rate limiter still paces what is sent), and a mall that keeps refusing is left alone longer.
 */
export function retryDelayMs(attempts: number): number {
  return attempts <= 1 ? 5_000 : Math.min(2 * 60_000, 15_000 * 2 ** (attempts - 2));
}

/** Tries of a refused row that go with the next batch before it backs off like a failed call. */
const ROW_QUICK_RETRIES = 6;

/**
 * A row the mall refused for now inside a call that went through (Rakuten's 409 conflict for some rows
 * of a bulk-upsert) rides with the next batch, which goes out anyway: every 5 s for its first six tries
 * (half a minute), then as retryDelayMs. In the chaos run such conflicts kept hitting one batch's first
 * row, the riskiest push, and the call backoff (5, 15, 30, 60 s) left another mall's sale on Rakuten for
 * 90 s.
 */
export function rowRetryDelayMs(attempts: number): number {
  return attempts <= ROW_QUICK_RETRIES ? 5_000 : retryDelayMs(attempts - ROW_QUICK_RETRIES + 1);
}

/**
 * Jobs marked running belong to a drain that no longer exists (only one drain per mall runs at a time:
 * the sync lock and the mall's push lane): the worker was killed mid-push. Pushes are absolute, so
 * sending again is harmless. With `mall`, only that mall's jobs (its push lane is free, others may not be).
 */
export async function releaseInterruptedJobs(db: CatalogDb, now: number, verifyAfterMs = VERIFY_AFTER_MS, mall?: MallId): Promise<number> {
  return db.transaction('rw', db.jobs, async () => {
    const running = await db.jobs
      .where('status')
      .equals('running')
      .filter((j) => mall === undefined || j.mall === mall)
      .toArray();
    for (const job of running) {
      if (job.id === undefined) continue;
      await db.jobs.update(job.id, { status: 'pending', nextAttemptAt: now, updatedAt: now });
      // A push the dead worker sent may still land after the one we send now, with an older number
      // (requests outlive their sender). Read the listing back once that can no longer happen.
      if (job.kind === STOCK_PUSH_KIND) await scheduleVerify(db, job.mall, (job.payload as StockPushPayload).listingId, now + verifyAfterMs, now);
    }
    return running.length;
  });
}

/** Longer than any stock push can stay in flight (the HTTP timeout is 15 s, retries included with margin). */
export const VERIFY_AFTER_MS = 90_000;
export const STOCK_VERIFY_KIND = 'stock.verify';

async function scheduleVerify(db: CatalogDb, mall: MallId, listingId: string, at: number, now: number): Promise<void> {
  const dedupeKey = `${STOCK_VERIFY_KIND}:${listingId}`;
  const existing = await db.jobs.where('dedupeKey').equals(dedupeKey).first();
  const job = { kind: STOCK_VERIFY_KIND, mall, dedupeKey, payload: { listingId }, status: 'pending' as const, attempts: 0, nextAttemptAt: at, createdAt: now, updatedAt: now };
  if (existing?.id !== undefined) await db.jobs.put({ ...job, id: existing.id });
  else await db.jobs.add(job);
}

/**
 * Reads back listings whose last push was uncertain and queues a push of the current target for any
 * that shows another number (and has no push waiting already).
 */
export async function verifyUncertainListings(db: CatalogDb, adapters: Partial<Record<MallId, MallAdapter>>, now: () => number): Promise<number> {
  let corrected = 0;
  await Promise.all(
    (Object.entries(adapters) as [MallId, MallAdapter][]).map(async ([mall, adapter]) => {
      const due = await db.jobs
        .where('[status+nextAttemptAt]')
        .between(['pending', 0], ['pending', now()], true, true)
        .filter((j) => j.mall === mall && j.kind === STOCK_VERIFY_KIND)
        .limit(1_000)
        .toArray();
      if (due.length === 0) return;
      const listings = (await db.listings.bulkGet(due.map((j) => (j.payload as { listingId: string }).listingId))).filter((l): l is Listing => l !== undefined);
      let readings;
      try {
        readings = await adapter.readStock(listings);
      } catch {
        return; // stays due; tried again next wake
      }
      const shown = new Map(readings.map((r) => [r.listingId, r.quantity]));
      await db.transaction('rw', [db.jobs, db.listings, db.skus, db.settings, db.orderLines, db.orders], async () => {
        const wrong: string[] = [];
        for (const listing of listings) {
          const pending = await db.jobs.where('dedupeKey').equals(`${STOCK_PUSH_KIND}:${listing.id}`).first();
          if (pending) continue; // a push is on its way; it will be verified if it is interrupted too
          if (shown.get(listing.id) !== listing.lastPushedQuantity) {
            wrong.push(listing.skuCode);
            await db.listings.update(listing.id, { lastPushedQuantity: undefined });
          }
        }
        await db.jobs.bulkDelete(due.map((j) => j.id!));
        if (wrong.length > 0) {
          corrected += wrong.length;
          await planStockPushes(db, wrong, now(), now(), { onlyMall: mall });
        }
      });
    }),
  );
  return corrected;
}

export const emptyDrainReport = (): DrainReport => ({ pushed: 0, failed: 0, retrying: 0, latencies: [], errors: [] });

/** Sends due stock pushes to each mall and records every outcome. */
export async function drainStockOutbox(db: CatalogDb, adapters: Partial<Record<MallId, MallAdapter>>, options: DrainOptions = {}): Promise<DrainReport> {
  const report = emptyDrainReport();
  // Malls are pushed concurrently: each has its own rate limits, so one slow mall must not hold the rest.
  await Promise.all((Object.entries(adapters) as [MallId, MallAdapter][]).map(([mall, adapter]) => drainMallOutbox(db, mall, adapter, options, report)));
  return report;
}

/** One mall's due stock pushes (those carrying another mall's sale first), outcomes added to `report`. */
export async function drainMallOutbox(db: CatalogDb, mall: MallId, adapter: MallAdapter, options: DrainOptions, report: DrainReport): Promise<void> {
  const now = options.now ?? Date.now;
  const cap = Math.min(options.maxPerMall ?? 5_000, adapter.maxPushesPerDrain ?? Infinity);
  // A mall that takes pushes one at a time has its shelves read again every few pushes (a sale between
  // a reading and the push after it is overwritten, so that span is kept to about a second), and each
  // few are chosen afresh: a sale elsewhere read meanwhile goes next, not after the whole batch.
  const chunk = Math.max(1, adapter.shelfReadChunk ?? cap);
  const taken = new Set<number>();
  while (taken.size < cap) {
    const due = await riskiestDuePushes(db, mall, now(), Math.min(chunk, cap - taken.size), taken);
    if (due.length === 0) return;
    for (const job of due) taken.add(job.id!);
    // Persist "running" before the first byte goes out, so a killed worker's jobs are found again.
    await db.jobs.bulkUpdate(due.map((j) => ({ key: j.id!, changes: { status: 'running' as const, updatedAt: now() } })));
    await drainChunk(db, mall, adapter, due, options, report);
  }
}

async function riskiestDuePushes(db: CatalogDb, mall: MallId, at: number, limit: number, skip: Set<number>): Promise<Job[]> {
  const due = await db.jobs
    .where('[status+nextAttemptAt]')
    .between(['pending', 0], ['pending', at], true, true)
    .filter((j) => j.mall === mall && j.kind === STOCK_PUSH_KIND && j.id !== undefined && !skip.has(j.id))
    .limit(5_000)
    .toArray();
  if (due.length === 0) return [];
  const listings = await db.listings.bulkGet(due.map((j) => (j.payload as StockPushPayload).listingId));
  const shownBefore = new Map(listings.filter((l) => l !== undefined).map((l) => [l.id, l.lastPushedQuantity]));
  return byRisk(due, shownBefore).slice(0, limit);
}

/** Reads the shelves of these due pushes (a guarded mall), sends them, and records every outcome. */
async function drainChunk(db: CatalogDb, mall: MallId, adapter: MallAdapter, chunk: Job[], options: DrainOptions, report: DrainReport): Promise<void> {
  const now = options.now ?? Date.now;
  // Read now, not when the drain began: the read lane may have changed targets and shelves since.
  const due = (await db.jobs.bulkGet(chunk.map((j) => j.id!))).filter((j): j is Job => j !== undefined);
  const listings = await db.listings.bulkGet(due.map((j) => (j.payload as StockPushPayload).listingId));
  const sent = new Map<number, { target: number; quantity: number; listing: Listing; shelf?: ShelfState; beforeSend?: ShelfState; written?: ShelfState; unchanged: boolean }>();

  // Read the shelves first, so no push undoes a sale we cannot see yet (lib/sync/shelf-guard.ts).
  let shown: Map<string, number> | undefined;
  let shelvesUnread = false;
  // From this moment until each push lands, a sale on the mall can be overwritten (shelf-guard.ts).
  const readStartedAt = now();
  // Up to when the mall's orders have all been read (lib/sync/cycle.ts keeps it on the cursor row).
  const explainedThrough = (await db.syncCursors.get(ordersCursorId(mall)))?.explainedThrough;
  if (guardsShelf(adapter)) {
    const readable = listings.filter((l): l is Listing => l !== undefined);
    shown = await adapter
      .readStock(readable, { patience: SHELF_READ_PATIENCE })
      .then((readings) => new Map(readings.map((r) => [r.listingId, r.quantity])))
      .catch(() => {
        shelvesUnread = true;
        return new Map<string, number>();
      });
  }
  const pushes: StockPush[] = [];
  const waiting: Job[] = [];
  due.forEach((job, i) => {
    const listing = listings[i];
    if (!listing || job.id === undefined) return;
    const target = (job.payload as StockPushPayload).quantity;
    if (shelvesUnread && listing.shelf) {
      // Without its shelf we cannot tell what the mall sold since we last read it. A lower number still
      // goes: sending it can undo only the mall's own sales of these few seconds, while waiting would
      // leave another mall's sale on sale. A higher one waits for a reading.
      const blind = Math.max(0, target - Math.max(0, unseenNow(listing.shelf)));
      if (listing.shelf.inFlight !== undefined || blind >= listing.shelf.lastSet) {
        waiting.push(job);
        return;
      }
      const beforeSend: ShelfState = { ...listing.shelf, inFlight: blind, openSince: listing.shelf.lastRead?.[1] ?? readStartedAt };
      sent.set(job.id, { target, quantity: blind, listing, shelf: listing.shelf, beforeSend, unchanged: false });
      pushes.push({ listing, quantity: blind });
      return;
    }
    if (!shown) {
      sent.set(job.id, { target, quantity: target, listing, unchanged: false });
      pushes.push({ listing, quantity: target });
      return;
    }
    const onShelf = shown.get(listing.id);
    const guarded = guardedQuantity(listing, target, onShelf, now(), unseenSalesExpiryMs(adapter), { requestedAt: readStartedAt, ...(explainedThrough !== undefined ? { explainedThrough } : {}) });
    // The shelf already shows our number: sending it again could only undo a sale made meanwhile.
    const unchanged = onShelf === guarded.quantity;
    // What is written before the push leaves: the count just made (a killed worker must not lose it) and
    // the shelf as read, with our number in flight (the shelf will hold one or the other).
    const beforeSend: ShelfState = { ...guarded.shelf, lastSet: onShelf ?? guarded.quantity, inFlight: guarded.quantity, openSince: readStartedAt };
    sent.set(job.id, { target, quantity: guarded.quantity, listing, shelf: guarded.shelf, beforeSend, unchanged });
    if (!unchanged) pushes.push({ listing, quantity: guarded.quantity });
  });

  if (waiting.length > 0) {
    const at = now();
    await db.jobs.bulkUpdate(waiting.map((j) => ({ key: j.id!, changes: { status: 'pending' as const, nextAttemptAt: at + SHELF_REREAD_MS, updatedAt: at } })));
  }
  // Until the mall confirms, a followed shelf holds either its last number or this one (a killed
  // worker, a lost answer): written down before the push leaves.
  const guarded = [...sent.values()].filter((p) => p.beforeSend && !p.unchanged);
  if (guarded.length > 0) {
    await db.transaction('rw', db.listings, async () => {
      for (const p of guarded) {
        const row = await db.listings.get(p.listing.id);
        const written = { ...mergeConfirmedShelf(row?.shelf, p.listing.shelf, p.beforeSend!), inFlight: p.quantity, lastSet: p.beforeSend!.lastSet, openSince: p.beforeSend!.openSince };
        await db.listings.update(p.listing.id, { shelf: written });
        p.written = written;
      }
    });
  }

  let results: ItemResult[];
  try {
    results = pushes.length > 0 ? await adapter.pushStock(pushes, (p) => options.onProgress?.(mall, p.done, p.total)) : [];
  } catch (error) {
    const e = error instanceof MallError ? error : new MallError({ mall, endpoint: 'pushStock', kind: 'network', message: String(error) });
    report.errors.push({ mall, message: e.message, kind: e.kind });
    if (refusedByMall(e.status)) await shelvesUntouched(db, guarded.map((p) => ({ listingId: p.listing.id, written: p.written })));
    await finishJobs(db, due, () => ({ ok: false, retryable: e.retryable, message: e.message }), now());
    if (e.retryable) report.retrying += due.length;
    else report.failed += due.length;
    return;
  }
  const byListing = new Map(results.map((r) => [r.key, r]));
  const at = now();
  await db.transaction('rw', db.jobs, db.listings, async () => {
    for (const job of due) {
      if (job.id === undefined) continue;
      const pushed = sent.get(job.id);
      if (!pushed) continue;
      const result: ItemResult | undefined = pushed.unchanged ? { key: pushed.listing.id, ok: true } : byListing.get(pushed.listing.id);
      const current = await db.jobs.get(job.id);
      if (!current) continue;
      if (result?.ok) {
        if (!pushed.unchanged) {
          report.pushed += 1;
          report.latencies.push(at - (job.payload as StockPushPayload).causedAt);
        }
        const row = pushed.shelf ? await db.listings.get(pushed.listing.id) : undefined;
        // Orders read since the state was last written change it by their difference; the push now holds.
        const merged = pushed.shelf ? mergeConfirmedShelf(row?.shelf, pushed.written ?? pushed.listing.shelf, pushed.written ? { ...pushed.written, lastSet: pushed.quantity } : pushed.shelf) : undefined;
        // Whatever the mall sold or got back between our read and this landing never showed on its shelf.
        const shelf = merged && pushed.written ? withLostWindow(merged, pushed.written.openSince!, (result.ok && result.at) || at) : merged;
        await db.listings.update(pushed.listing.id, { lastPushedQuantity: pushed.quantity, lastPushedAt: at, ...(shelf ? { shelf } : {}) });
        if ((current.payload as StockPushPayload).quantity !== pushed.target) {
          // A newer target arrived while this push was in flight: keep the job for the next round.
          await db.jobs.update(job.id, { status: 'pending', nextAttemptAt: at, updatedAt: at });
        } else if (pushed.quantity < pushed.target) {
          // Held back for sales the mall made that we have not read yet: look again when they may be in.
          await db.jobs.update(job.id, { status: 'pending', nextAttemptAt: at + guardRecheckMs(adapter), updatedAt: at });
        } else {
          await db.jobs.delete(job.id);
        }
        continue;
      }
      const error = result && !result.ok ? result.error : undefined;
      const retryable = error ? error.retryable : true;
      const attempts = current.attempts + 1;
      if (retryable) report.retrying += 1;
      else report.failed += 1;
      if (error) report.errors.push({ mall, message: error.message, kind: error.kind });
      if (refusedByMall(error?.status)) await shelvesUntouched(db, [{ listingId: pushed.listing.id, written: pushed.written }]);
      await db.jobs.update(job.id, {
        status: retryable ? 'pending' : 'failed',
        attempts,
        nextAttemptAt: at + rowRetryDelayMs(attempts),
        lastError: error?.message ?? 'no result for this listing',
        updatedAt: at,
      });
    }
  });
}

/** The mall answered with an error: it did not apply the push (a timeout or a lost connection may have). */
function refusedByMall(status: number | undefined): boolean {
  return status !== undefined && status >= 400;
}

/**
 * Pushes the mall refused left their shelves as read: no number of ours is in flight there, and no
 * sale made meanwhile was overwritten (only rows still holding what this drain wrote are touched).
 */
async function shelvesUntouched(db: CatalogDb, pushes: { listingId: string; written: ShelfState | undefined }[]): Promise<void> {
  await db.transaction('rw', db.listings, async () => {
    for (const { listingId, written } of pushes) {
      const shelf = (await db.listings.get(listingId))?.shelf;
      if (!written || !shelf || shelf.openSince !== written.openSince || shelf.inFlight !== written.inFlight) continue;
      const { inFlight: _none, openSince: _closed, ...rest } = shelf;
      await db.listings.update(listingId, { shelf: rest });
    }
  });
}

/**
 * A push held back for a mall's unseen sales is looked at again after this: when its orders may be in
 * (Amazon: minutes), or when the next order reads have settled what was held (a mall that shows orders at once).
 */
export function guardRecheckMs(adapter: Pick<MallAdapter, 'orderVisibilityLagMs'>): number {
  return adapter.orderVisibilityLagMs ? 30_000 : 10_000;
}
/** A push that waits because the mall's shelf could not be read tries again after this. */
export const SHELF_REREAD_MS = 5_000;

/**
 * The shelf read in front of pushes: every push of its chunk waits for it, and a read that fails has a
 * fallback (lowering pushes go blind, see drainChunk). With the worker's 10 s timeout and 3 attempts, two
 * stalled reads held Amazon's pushes for half a minute in the chaos run while another mall's sale waited
 * to reach it; this gives up after about 10 s. A slow but answering mall (a few seconds) still gets read.
 */
export const SHELF_READ_PATIENCE = { timeoutMs: 5_000, maxAttempts: 2 } as const;

/** Quantities above this are all "plenty": one unit more or less there sells nothing twice. */
const LOW_QUANTITY_RANK_CAP = 10;

/**
 * The order in which due pushes go out when a wake cannot send them all (Amazon takes 50 at 5 a
 * second), by how likely each is to stop an oversell:
 *
 *  1. pushes carrying another mall's sale before a mall's confirmations of its own sales;
 *  2. lower quantities before higher ones (a shelf going 3 → 1 matters, 30 → 29 hardly) and lowering
 *     before raising (a number too high sells what is gone; too low only loses a sale for a moment);
 *  3. then the oldest cause first.
 */
export function byRisk(jobs: Job[], lastPushed: Map<string, number | undefined>): Job[] {
  const key = (j: Job) => {
    const p = j.payload as StockPushPayload;
    const before = lastPushed.get(p.listingId);
    const lowering = before === undefined || p.quantity < before;
    return [isUrgentPush(p) ? 0 : 1, lowering ? 0 : 1, Math.min(p.quantity, LOW_QUANTITY_RANK_CAP), p.causedAt] as const;
  };
  return jobs
    .map((j) => ({ j, k: key(j) }))
    .sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1] || a.k[2] - b.k[2] || a.k[3] - b.k[3])
    .map(({ j }) => j);
}

async function finishJobs(db: CatalogDb, jobs: Job[], outcome: () => { ok: false; retryable: boolean; message: string }, at: number): Promise<void> {
  const { retryable, message } = outcome();
  await db.transaction('rw', db.jobs, async () => {
    for (const job of jobs) {
      if (job.id === undefined) continue;
      const attempts = job.attempts + 1;
      await db.jobs.update(job.id, {
        status: retryable ? 'pending' : 'failed',
        attempts,
        nextAttemptAt: at + retryDelayMs(attempts),
        lastError: message,
        updatedAt: at,
      });
    }
  });
}
