import type { CatalogDb } from '../catalog/db';
import type { Listing, MallId } from '../catalog/schemas';
import type { MallAdapter } from '../malls/types';

/**
 * Pushing an absolute quantity to a mall whose orders reach its API late (Amazon: about two minutes,
 * then one search every three) overwrites the sales it made that we cannot see yet: its shelf said 2
 * after selling 2 of 4, another mall sold 1, we send 3 — and the two units are for sale again.
 *
 * So before pushing to such a mall we read its shelf. Whatever it sold since our last push (the shelf
 * went down by itself) is counted as "unseen sales" until the orders behind it are read, and the push
 * sends our number less those: 4 − 1 (the other mall) − 2 (unseen) = 1. Reading one of its orders
 * takes that order's units off the unseen count (lib/sync/orders.ts), so nothing is counted twice. An
 * unseen count no order explains within the mall's lag plus our poll interval (someone changed the
 * shelf by hand) is dropped. This never sends more than our own number; it may send less for a while, never oversell.
 *
 * A push is absolute, so whatever the mall sold or got back between our read and the push landing never
 * shows on the shelf: those spans are remembered (`lostWindows`) and an order in one is not taken off
 * the count (it never was on it). Where a time could be either side, the choice made is the one that
 * can only hold a unit back for a while, never hide a sale.
 */
export const UNSEEN_SALES_EXPIRE_MS = 10 * 60_000;

/**
 * Every mall is guarded unless its adapter opts out. Amazon shows orders two minutes late; Rakuten's and
 * Yahoo's are readable at once but read every few seconds, and a push computed in between put a sale
 * made meanwhile back on sale (the chaos run saw Yahoo sell those units twice).
 */
export function guardsShelf(adapter: Pick<MallAdapter, 'guardsShelf'>): boolean {
  return adapter.guardsShelf ?? true;
}

/** How long an unseen sale may wait for its order: the mall's lag and our poll interval, with room. */
export function unseenSalesExpiryMs(adapter: { orderVisibilityLagMs?: number; minOrderPollIntervalMs?: number }): number {
  return Math.round(((adapter.orderVisibilityLagMs ?? 0) + (adapter.minOrderPollIntervalMs ?? 0)) * 1.2 + 2 * 60_000);
}

export type ShelfState = NonNullable<Listing['shelf']>;

export interface GuardedQuantity {
  /** What to send (≤ target). */
  quantity: number;
  /** The listing's shelf state after the push is confirmed. */
  shelf: ShelfState;
}

type Explanation = NonNullable<ShelfState['explained']>[number];

/** Sales the mall made that no order read has explained yet (below zero: returns not yet on its shelf). */
export function unseenNow(shelf: ShelfState): number {
  return shelf.unseenSales + sum(shelf.explained ?? []);
}

export interface ShelfReadingContext {
  /** When the reading was asked for (the answer is `now`). */
  requestedAt?: number;
  /**
   * Every order the mall took before this moment has been read (only for malls that show orders at
   * once, from the start of the last order read that caught up): what the previous reading counted and
   * no order explained is then no sale, and is dropped instead of holding units until it expires.
   */
  explainedThrough?: number;
}

/**
 * @param target our number for the listing (stock less buffer, or its allocation)
 * @param shown what the mall's shelf shows now, or undefined if the mall did not report it (a read
 *   that failed is not this case: then nothing is pushed to a followed shelf, see drainMallOutbox)
 */
export function guardedQuantity(
  listing: Pick<Listing, 'shelf'>,
  target: number,
  shown: number | undefined,
  now: number,
  expireMs = UNSEEN_SALES_EXPIRE_MS,
  reading: ShelfReadingContext = {},
): GuardedQuantity {
  const before = listing.shelf;
  const lastRead: [number, number] = [Math.min(reading.requestedAt ?? now, now), now];
  if (shown === undefined || !before) {
    // First look, or a shelf the mall did not report (not listed, "always available"): nothing to
    // compare with, so our number stands; from now on the shelf is followed if the mall reports it.
    return { quantity: target, shelf: { lastSet: target, unseenSales: 0, trackedSince: now, lastRead } };
  }
  // Sold (or, if negative, given back by a cancellation) on the mall itself since our last push. After
  // a push whose outcome is unknown the shelf started from either number: count only what is sold
  // whichever it was (counting our own push as a sale would hide stock for nothing).
  const soldSincePush = before.inFlight === undefined ? before.lastSet - shown : soldEitherWay(before.lastSet, before.inFlight, shown);

  // Order reads that explain what the previous reading saw join its count; the rest wait for a reading.
  const previous = before.lastRead;
  const seenByPrevious = (e: Explanation) => previous !== undefined && seenBy(e, previous);
  let carried = before.unseenSales + sum((before.explained ?? []).filter(seenByPrevious));
  let waiting = (before.explained ?? []).filter((e) => !seenByPrevious(e));
  // Every order placed up to the previous reading has been read: units it counted that nothing explains
  // were no sale (a sale we could not place, see saleCounted). Only units held back are released; a
  // count below zero may be a return whose cancellation is still to be read, and is left to expire.
  // An order that reading saw may still be read later (Amazon lists an order by its last update: one
  // cancelled before it was listed comes later): it must then not explain the count again (`released`).
  // Readings since the one that last moved the count saw nothing new, so it is enough that every order up
  // to that one is read (for Amazon, read every 30 s but listing orders minutes late, this is what lets
  // a hold go before it expires).
  let released = before.released;
  const countedBy = before.countedBy ?? previous;
  if (carried > 0 && previous && countedBy && reading.explainedThrough !== undefined && reading.explainedThrough >= countedBy[1] + CLOCK_SKEW_MS + 1000) {
    carried = 0;
    released = previous;
  }
  // A count either way that nothing explained in time is dropped before this reading adds to it: units
  // held back for nothing, or (below zero) a count that would let the next unseen sale through.
  const expired = carried + sum(waiting) !== 0 && before.unseenSince !== undefined && now - before.unseenSince > expireMs;
  if (expired) {
    carried = 0;
    waiting = [];
  }
  const unseenSales = carried + soldSincePush;
  const unseen = unseenSales + sum(waiting);
  const unseenSince = unseen === 0 ? undefined : soldSincePush !== 0 || expired || before.unseenSince === undefined ? now : before.unseenSince;
  const quantity = Math.max(0, target - Math.max(0, unseen));
  const countedByNow = soldSincePush !== 0 ? lastRead : before.countedBy;
  // A push whose landing we never heard of overwrote the shelf at some moment up to this reading.
  const lostWindows = before.openSince !== undefined ? withLostWindow(before, before.openSince, now).lostWindows : before.lostWindows;
  return {
    quantity,
    shelf: {
      lastSet: quantity,
      unseenSales,
      ...(unseenSince !== undefined ? { unseenSince } : {}),
      trackedSince: before.trackedSince,
      ...(lostWindows ? { lostWindows } : {}),
      lastRead,
      ...(countedByNow ? { countedBy: countedByNow } : {}),
      ...(released ? { released } : {}),
      ...(waiting.length > 0 ? { explained: waiting } : {}),
    },
  };
}

function sum(explained: Explanation[]): number {
  return explained.reduce((n, e) => n + e.units, 0);
}

/**
 * Whether a reading taken between `requested` and `answered` showed this sale or return. A sale is
 * taken as shown unless it surely came after the answer, a return only if it surely came before the
 * request: either way a wrong guess can only hold a unit back for a while.
 */
function seenBy(e: Explanation, [requested, answered]: [number, number]): boolean {
  return e.kind === 'sale' ? e.at - CLOCK_SKEW_MS <= answered : e.at + roundedBy(e.at) + CLOCK_SKEW_MS < requested;
}

function soldEitherWay(a: number, b: number, shown: number): number {
  if (shown < Math.min(a, b)) return Math.min(a, b) - shown;
  if (shown > Math.max(a, b)) return Math.max(a, b) - shown;
  return 0;
}

/**
 * The shelf state to store once a push is confirmed, merged with the row as it is now: an order of the
 * mall's read while the push was in flight has added an explanation since `guardedQuantity` looked, and
 * it must survive.
 */
export function mergeConfirmedShelf(now: ShelfState | undefined, looked: ShelfState | undefined, confirmed: ShelfState): ShelfState {
  if (!now || !looked) return confirmed;
  const known = new Set((looked.explained ?? []).map((e) => e.key));
  const explained = [...(confirmed.explained ?? []), ...(now.explained ?? []).filter((e) => !known.has(e.key))];
  const unseenSales = confirmed.unseenSales + (now.unseenSales - looked.unseenSales);
  const { inFlight: _done, openSince: _closed, unseenSince: _since, explained: _explained, ...rest } = confirmed;
  const merged: ShelfState = { ...rest, unseenSales, ...(explained.length > 0 ? { explained } : {}) };
  const unseenSince = unseenNow(merged) === 0 ? undefined : (confirmed.unseenSince ?? now.unseenSince);
  return { ...merged, ...(unseenSince !== undefined ? { unseenSince } : {}) };
}

/** How far apart a mall's clock and ours may be. */
export const CLOCK_SKEW_MS = 250;
/**
 * A time in whole seconds (Rakuten, Yahoo, Amazon's real answers) may stand for any moment of that
 * second; one with milliseconds (the simulator's Amazon) was not rounded.
 */
function roundedBy(at: number): number {
  return at % 1000 === 0 ? 999 : 0;
}

/** Lost windows older than this are forgotten: any order of theirs has long been read or expired. */
export const LOST_WINDOW_KEEP_MS = 30 * 60_000;
const MAX_LOST_WINDOWS = 24;

/**
 * Whether the shelf readings count (or will count) a sale made at `at`: only if it surely happened after
 * the shelf was first read and outside every span in which a push of ours overwrote the shelf (between
 * the read before the push and its landing). When unsure the sale is taken as not counted, so its order
 * leaves a unit held back for a while rather than hiding a later sale.
 */
function saleCounted(shelf: ShelfState, at: number): boolean {
  // The sale happened somewhere in [at, at + rounded], give or take the clocks' skew.
  const earliest = at - CLOCK_SKEW_MS;
  const latest = at + roundedBy(at) + CLOCK_SKEW_MS;
  if (earliest < shelf.trackedSince) return false;
  if (shelf.openSince !== undefined && latest >= shelf.openSince) return false;
  return !(shelf.lostWindows ?? []).some(([from, to]) => latest >= from && earliest <= to);
}

/** The same for units given back at `at` (a cancellation): when unsure they are taken as counted. */
function returnCounted(shelf: ShelfState, at: number): boolean {
  const earliest = at - CLOCK_SKEW_MS;
  const latest = at + roundedBy(at) + CLOCK_SKEW_MS;
  // Surely before the first reading was asked for (its answer can take a few seconds).
  if (latest < shelf.trackedSince - FIRST_READ_ALLOWANCE_MS) return false;
  return !(shelf.lostWindows ?? []).some(([from, to]) => earliest >= from && latest <= to);
}

/** How long before its answer the first reading of a shelf may have been taken. */
const FIRST_READ_ALLOWANCE_MS = 5_000;

/** Explanations kept at most per shelf; older ones join the count (their sum stays right). */
const MAX_EXPLANATIONS = 100;

/** Adds what an order read explains; `now`: when, so a count that was zero starts its expiry then. */
function withExplanation(shelf: ShelfState, explanation: Explanation, now: number): ShelfState {
  const explained = shelf.explained ?? [];
  if (explained.some((e) => e.key === explanation.key)) return shelf;
  // What a released reading saw was dropped from the count with it: there is nothing left to explain.
  if (shelf.released && seenBy(explanation, shelf.released)) return shelf;
  let next = [...explained, explanation];
  let unseenSales = shelf.unseenSales;
  if (next.length > MAX_EXPLANATIONS) {
    unseenSales += sum(next.slice(0, next.length - MAX_EXPLANATIONS));
    next = next.slice(-MAX_EXPLANATIONS);
  }
  const updated: ShelfState = { ...shelf, unseenSales, explained: next };
  const wasZero = unseenNow(shelf) === 0;
  const unseen = unseenNow(updated);
  return { ...updated, unseenSince: unseen === 0 ? undefined : wasZero || shelf.unseenSince === undefined ? now : shelf.unseenSince };
}

/**
 * An order of the mall's own, now read (`key`: its line's sale movement): its units are no longer
 * unseen. Only sales the shelf readings counted are taken off (see saleCounted).
 */
export function ownOrderRead(shelf: ShelfState, key: string, units: number, happenedAt: number, now = happenedAt): ShelfState {
  return saleCounted(shelf, happenedAt) ? withExplanation(shelf, { key, kind: 'sale', at: happenedAt, units: -units }, now) : shelf;
}

/** A cancellation of an order we had counted as sold, now read: the units it gave back are accounted for. */
export function ownCancellationRead(shelf: ShelfState, key: string, units: number, cancelledAt: number, now = cancelledAt): ShelfState {
  return returnCounted(shelf, cancelledAt) ? withExplanation(shelf, { key, kind: 'return', at: cancelledAt, units }, now) : shelf;
}

/**
 * An order first read already cancelled (Amazon shows orders two minutes late; buyers cancel sooner):
 * its sale and its return both touched the shelf, and a push of ours may have overwritten either. What
 * the readings counted of each is undone; without this a return our push overwrote left its sale
 * counted as unseen until it expired.
 */
export function ownCancelledOrderRead(shelf: ShelfState, key: string, units: number, orderedAt: number, cancelledAt: number, now = cancelledAt): ShelfState {
  return ownCancellationRead(ownOrderRead(shelf, `order:${key}`, units, orderedAt, now), `cancel:${key}`, units, cancelledAt, now);
}

/** Records that a push overwrote the shelf between `from` (the read before it) and `to` (its landing). */
export function withLostWindow(shelf: ShelfState, from: number, to: number): ShelfState {
  const kept = (shelf.lostWindows ?? []).filter(([, end]) => end >= to - LOST_WINDOW_KEEP_MS);
  const { openSince: _closed, ...rest } = shelf;
  return { ...rest, lostWindows: [...kept, [from, Math.max(from, to)] as [number, number]].slice(-MAX_LOST_WINDOWS) };
}

const BASELINE_CURSOR = (mall: string) => `shelfBaseline:${mall}`;
/** Listings whose shelves one push lane reads per cycle to start following them. */
export const BASELINE_BATCH = 200;

/**
 * Starts following the shelves of a mall's listings that are not followed yet, a batch per cycle in
 * SKU order (a settings cursor remembers where it stopped): a shelf followed before anything sells is
 * one whose own sales can be told from our pushes. Without this, the first push to a listing could
 * not tell a sale made since the last sync from a number that was always there. Done once per listing;
 * listings added later start at their first push.
 */
export async function followNewShelves(db: CatalogDb, mall: MallId, adapter: Pick<MallAdapter, 'readStock'>, now: () => number): Promise<number> {
  const state = (await db.settings.get(BASELINE_CURSOR(mall)))?.value as { after: string; done?: boolean } | undefined;
  if (state?.done) return 0;
  const after = state?.after ?? '';
  const batch = await db.listings
    .where('[mall+skuCode]')
    .between([mall, after], [mall, '\uffff'], false, true)
    .limit(BASELINE_BATCH)
    .toArray();
  if (batch.length === 0) {
    await db.settings.put({ key: BASELINE_CURSOR(mall), value: { after, done: true } });
    return 0;
  }
  const untracked = batch.filter((l) => l.active && !l.shelf);
  const readings = untracked.length > 0 ? await adapter.readStock(untracked) : [];
  const shown = new Map(readings.map((r) => [r.listingId, r.quantity]));
  // Taken after the answer: a sale during the read is then never taken off a count it was not in.
  const readAt = now();
  await db.transaction('rw', db.listings, db.settings, async () => {
    for (const listing of untracked) {
      const quantity = shown.get(listing.id);
      if (quantity === undefined) continue;
      const row = await db.listings.get(listing.id);
      if (row && !row.shelf) await db.listings.update(listing.id, { shelf: { lastSet: quantity, unseenSales: 0, trackedSince: readAt } });
    }
    await db.settings.put({ key: BASELINE_CURSOR(mall), value: { after: batch[batch.length - 1]!.skuCode } });
  });
  return untracked.length;
}
