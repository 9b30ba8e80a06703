import type { Listing } from '../../catalog/schemas';
import { itemFailure, MallError, type ItemResult } from '../errors';
import type { ProgressReport, StockPush, StockReading } from '../types';
import { inventoryBulkGetSchema, itemErrorsBodySchema, type RmsError } from './schemas';
import { parseBody, rakutenError, type RakutenTransport } from './transport';
import type { CallPatience } from '../../http/client';

/** InventoryAPI 2.0 caps (spec §5): bulk.get 1..1,000 keys, bulk.upsert 1..400 rows, quantity 0..99,999. */
export const BULK_GET_MAX = 1_000;
export const BULK_UPSERT_MAX = 400;
export const MAX_QUANTITY = 99_999;

const GET = 'inventories.bulk.get';
const UPSERT = 'inventories.bulk.upsert';

export type RakutenListing = Extract<Listing, { mall: 'rakuten' }>;

/** RMS folds manageNumber to lower case and keeps variantId case-sensitive (spec §3). */
export function slotKey(manageNumber: string, variantId: string): string {
  return `${manageNumber.toLowerCase()}\u0000${variantId}`;
}

function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** manageNumber and variantId: `[a-zA-Z0-9_-]`, at most 32 bytes (spec §3). */
function isRmsKey(value: string): boolean {
  return /^[A-Za-z0-9_-]{1,32}$/.test(value);
}

export async function readStock(t: RakutenTransport, listings: Listing[], patience?: CallPatience): Promise<StockReading[]> {
  const wanted = new Map<string, { manageNumber: string; variantId: string }>();
  for (const l of listings) {
    // A key RMS could never hold would make it refuse the whole call (IE0220 / IE0004, spec §3).
    if (l.mall !== 'rakuten' || !isRmsKey(l.rakuten.manageNumber) || !isRmsKey(l.rakuten.variantId)) continue;
    wanted.set(slotKey(l.rakuten.manageNumber, l.rakuten.variantId), l.rakuten);
  }
  const quantities = new Map<string, number>();
  // Duplicate keys in one call are refused (IE1102, spec §5), hence the map above.
  for (const batch of chunks([...wanted.values()], BULK_GET_MAX)) {
    const res = await t.send({
      endpoint: GET,
      bucket: 'inventories.bulk.get',
      method: 'POST',
      path: '/es/2.0/inventories/bulk-get',
      body: { inventories: batch.map((k) => ({ manageNumber: k.manageNumber, variantId: k.variantId })) },
      ...(patience ? { patience } : {}),
    });
    if (res.status !== 200) throw rakutenError(GET, res.status, res.json);
    for (const row of parseBody(GET, res, inventoryBulkGetSchema).inventories) quantities.set(slotKey(row.manageNumber, row.variantId), row.quantity);
  }
  // Keys RMS does not know are simply absent from its answer; so are they from ours.
  const readings: StockReading[] = [];
  for (const l of listings) {
    if (l.mall !== 'rakuten') continue;
    const q = quantities.get(slotKey(l.rakuten.manageNumber, l.rakuten.variantId));
    if (q !== undefined) readings.push({ listingId: l.id, quantity: q });
  }
  return readings;
}

interface Row {
  key: string;
  manageNumber: string;
  variantId: string;
  quantity: number;
  /** Indexes into the caller's pushes that this row answers (the same listing pushed twice → one row). */
  pushes: number[];
}

type RowOutcome = { ok: true } | { ok: false; error: MallError };

function rowErrorKind(code: string): 'server' | 'invalid-request' {
  // CE0001 is a conflict the mall asks to retry (spec §5); every IE code is about what we sent.
  return code === 'CE0001' ? 'server' : 'invalid-request';
}

function rowIndex(e: RmsError): number | undefined {
  const m = /^inventories\[(\d+)\]/.exec(e.metadata?.propertyPath ?? '');
  return m ? Number(m[1]) : undefined;
}

/**
 * One bulk.upsert of ≤400 ABSOLUTE rows. Per-row errors come back in `errors[]` pointing at
 * `inventories[i]…` (spec §5):
 * - 400 (validation): RMS appears to apply nothing (spec §5, UNCERTAIN), so the rows without an error
 *   are sent again on their own; ABSOLUTE makes that harmless even if RMS had applied them.
 * - 409 (CE0001, the simulator's partial failure): the other rows were applied.
 */
async function upsertRows(t: RakutenTransport, rows: Row[]): Promise<Map<Row, RowOutcome>> {
  const out = new Map<Row, RowOutcome>();
  let pending = rows;
  while (pending.length > 0) {
    const res = await t.send({
      endpoint: UPSERT,
      bucket: 'inventories.bulk.upsert',
      method: 'POST',
      path: '/es/2.0/inventories/bulk-upsert',
      // ABSOLUTE always: a replay after a lost answer is harmless, and the first write of a key must be
      // ABSOLUTE anyway (IE0500, spec §5).
      body: { inventories: pending.map((r) => ({ manageNumber: r.manageNumber, variantId: r.variantId, mode: 'ABSOLUTE', quantity: r.quantity })) },
    });
    if (res.status === 204 || res.status === 200) {
      for (const r of pending) out.set(r, { ok: true });
      return out;
    }
    const parsed = (res.status === 400 || res.status === 409) && itemErrorsBodySchema.safeParse(res.json);
    const rowErrors = new Map<number, RmsError>();
    let batchError: RmsError | undefined;
    if (parsed && parsed.success) {
      for (const e of parsed.data.errors) {
        const i = rowIndex(e);
        if (i !== undefined && i < pending.length) {
          if (!rowErrors.has(i)) rowErrors.set(i, e);
        } else batchError ??= e;
      }
    }
    if (!parsed || !parsed.success || batchError || rowErrors.size === 0) throw rakutenError(UPSERT, res.status, res.json);
    const rest: Row[] = [];
    pending.forEach((r, i) => {
      const e = rowErrors.get(i);
      if (e) {
        out.set(
          r,
          {
            ok: false,
            error: new MallError({
              mall: 'rakuten',
              endpoint: UPSERT,
              kind: rowErrorKind(e.code),
              status: res.status,
              code: e.code,
              message: e.message ?? e.code,
              ...(e.metadata?.propertyPath ? { field: e.metadata.propertyPath.replace(/^inventories\[\d+\]\.?/, '') || undefined } : {}),
            }),
          },
        );
      } else rest.push(r);
    });
    if (res.status === 409) {
      for (const r of rest) out.set(r, { ok: true });
      return out;
    }
    pending = rest;
  }
  return out;
}

export async function pushStock(t: RakutenTransport, pushes: StockPush[], onProgress?: (p: ProgressReport) => void): Promise<ItemResult[]> {
  const results: (ItemResult | undefined)[] = new Array(pushes.length);
  const rows = new Map<string, Row>();
  pushes.forEach((push, i) => {
    const { listing } = push;
    if (listing.mall !== 'rakuten') {
      results[i] = itemFailure(listing.id, { mall: 'rakuten', endpoint: UPSERT, kind: 'invalid-request', message: `listing ${listing.id} is not a Rakuten listing` });
      return;
    }
    if (!Number.isInteger(push.quantity) || push.quantity > MAX_QUANTITY) {
      results[i] = itemFailure(listing.id, { mall: 'rakuten', endpoint: UPSERT, kind: 'invalid-request', field: 'quantity', message: `quantity ${push.quantity} is not a whole number in 0..${MAX_QUANTITY}` });
      return;
    }
    const key = slotKey(listing.rakuten.manageNumber, listing.rakuten.variantId);
    const row = rows.get(key);
    // A negative available quantity (buffer above stock) means "show none".
    const quantity = Math.max(0, push.quantity);
    // The same listing twice: the later push is the newer truth; one row answers both.
    if (row) {
      row.quantity = quantity;
      row.pushes.push(i);
    } else rows.set(key, { key, manageNumber: listing.rakuten.manageNumber, variantId: listing.rakuten.variantId, quantity, pushes: [i] });
  });
  let done = results.filter(Boolean).length;
  const total = pushes.length;
  let abort: MallError | undefined;
  for (const batch of chunks([...rows.values()], BULK_UPSERT_MAX)) {
    let outcomes: Map<Row, RowOutcome>;
    if (abort) outcomes = new Map(batch.map((r) => [r, { ok: false, error: abort! }]));
    else {
      try {
        outcomes = await upsertRows(t, batch);
      } catch (caught) {
        if (!(caught instanceof MallError)) throw caught;
        outcomes = new Map(batch.map((r) => [r, { ok: false, error: caught }]));
        // The mall is unreachable or refuses the key: the other batches would fail the same way.
        if (caught.retryable || caught.kind === 'auth' || caught.kind === 'permission') abort = caught;
      }
    }
    for (const r of batch) {
      const o = outcomes.get(r) ?? { ok: false, error: new MallError({ mall: 'rakuten', endpoint: UPSERT, kind: 'unexpected-response', message: 'row without outcome' }) };
      for (const i of r.pushes) {
        const id = pushes[i]!.listing.id;
        results[i] = o.ok ? { key: id, ok: true } : itemFailure(id, o.error);
      }
      done += r.pushes.length;
    }
    onProgress?.({ done, total });
  }
  return results.map((r, i) => r ?? itemFailure(pushes[i]!.listing.id, { mall: 'rakuten', endpoint: UPSERT, kind: 'unexpected-response', message: 'push without outcome' }));
}
