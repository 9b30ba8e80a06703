import type { Listing } from '../../catalog/schemas';
import { itemFailure, MallError, type ItemResult, unexpectedResponse } from '../errors';
import type { ProgressReport, StockPush, StockReading } from '../types';
import { getStockSchema, setStockSchema } from './schemas';
import type { YahooTransport } from './transport';
import type { CallPatience } from '../../http/client';

/** §2.3 / §2.4: at most 1,000 codes per getStock / setStock. */
export const STOCK_BATCH_SIZE = 1000;
/** §2.3: each part half-width alphanumerics and `-`, ≤99 characters. */
const CODE_RE = /^[A-Za-z0-9-]{1,99}$/;
/** §2.4: quantities range to 999,999,999. */
const MAX_QUANTITY = 999_999_999;

type YahooListing = Extract<Listing, { mall: 'yahoo' }>;

/** §2.3: items with sub-codes are addressed as `item:sub`, items without by the item code alone. */
export function stockCode(listing: YahooListing): string {
  const { itemCode, subCode } = listing.yahoo;
  return subCode ? `${itemCode}:${subCode}` : itemCode;
}

function codeProblem(listing: Listing): string | undefined {
  if (listing.mall !== 'yahoo') return `listing ${listing.id} is not a Yahoo listing`;
  const { itemCode, subCode } = listing.yahoo;
  if (!CODE_RE.test(itemCode)) return `item code "${itemCode}" is not 1-99 half-width alphanumerics or "-"`;
  if (subCode !== undefined && subCode !== '' && !CODE_RE.test(subCode)) return `sub-code "${subCode}" is not 1-99 half-width alphanumerics or "-"`;
  return undefined;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Current quantities. Listings Yahoo has no stock row for, or shows as unlimited, are left out. */
export async function readStock(transport: YahooTransport, sellerId: string, listings: Listing[], patience?: CallPatience): Promise<StockReading[]> {
  const byCode = new Map<string, YahooListing[]>();
  for (const listing of listings) {
    const problem = codeProblem(listing);
    if (problem) throw new MallError({ mall: 'yahoo', endpoint: 'getStock', kind: 'invalid-request', message: problem });
    const code = stockCode(listing as YahooListing);
    byCode.set(code, [...(byCode.get(code) ?? []), listing as YahooListing]);
  }
  const readings: StockReading[] = [];
  for (const batch of chunks([...byCode.keys()], STOCK_BATCH_SIZE)) {
    const form = new URLSearchParams({ seller_id: sellerId, item_code: batch.join(',') });
    const { data, response } = await transport.sendParsed({ api: 'getStock', method: 'POST', form, ...(patience ? { patience } : {}) }, getStockSchema);
    data.ResultSet.Result.forEach((row, i) => {
      const code = row.SubCode ? `${row.ItemCode}:${row.SubCode}` : row.ItemCode;
      const owners = byCode.get(code);
      if (!owners) throw unexpectedResponse('yahoo', 'getStock', [{ path: ['ResultSet', 'Result', i, 'ItemCode'], message: `code ${code} was not asked for` }], response.status);
      if (row.Status !== '1' || row.Quantity === undefined || row.Quantity === '') return;
      for (const listing of owners) readings.push({ listingId: listing.id, quantity: Number(row.Quantity) });
    });
  }
  return readings;
}

/**
 * Absolute quantities (a replay is harmless), 1,000 codes per setStock. Yahoo answers 207 with an
 * `ErrorCode` on the entries that failed (§2.4); each push gets its own result.
 */
export async function pushStock(
  transport: YahooTransport,
  sellerId: string,
  pushes: StockPush[],
  onProgress?: (p: ProgressReport) => void,
): Promise<ItemResult[]> {
  const results = new Map<StockPush, ItemResult>();
  // The last push for a code wins, as the sync engine's latest target is what the mall should show.
  const latest = new Map<string, number>();
  const owners = new Map<string, StockPush[]>();
  for (const push of pushes) {
    const problem = codeProblem(push.listing);
    if (problem) {
      results.set(push, itemFailure(push.listing.id, { mall: 'yahoo', endpoint: 'setStock', kind: 'invalid-request', message: problem }));
      continue;
    }
    if (!Number.isInteger(push.quantity) || push.quantity < 0 || push.quantity > MAX_QUANTITY) {
      results.set(push, itemFailure(push.listing.id, { mall: 'yahoo', endpoint: 'setStock', kind: 'invalid-request', message: `quantity ${push.quantity} is not a whole number 0-${MAX_QUANTITY}` }));
      continue;
    }
    const code = stockCode(push.listing as YahooListing);
    latest.set(code, push.quantity);
    owners.set(code, [...(owners.get(code) ?? []), push]);
  }

  const batches = chunks([...latest.keys()], STOCK_BATCH_SIZE);
  let done = results.size;
  let stopped: MallError | undefined;
  for (const batch of batches) {
    const fail = (code: string, error: MallError) => {
      for (const push of owners.get(code) ?? []) results.set(push, itemFailure(push.listing.id, error));
    };
    if (stopped) {
      for (const code of batch) fail(code, stopped);
      continue;
    }
    // Digits only: absolute values never carry the `+` that would need %2B (§2.4); URLSearchParams would encode it anyway.
    const form = new URLSearchParams({ seller_id: sellerId, item_code: batch.join(','), quantity: batch.map((c) => String(latest.get(c))).join(',') });
    try {
      const { data, response } = await transport.sendParsed({ api: 'setStock', method: 'POST', form }, setStockSchema);
      const rows = data.ResultSet.Result;
      if (rows.length !== batch.length) {
        throw unexpectedResponse('yahoo', 'setStock', [{ path: ['ResultSet', 'Result'], message: `${rows.length} results for ${batch.length} codes` }], response.status);
      }
      rows.forEach((row, i) => {
        const code = batch[i]!;
        const answered = row.SubCode ? `${row.ItemCode}:${row.SubCode}` : row.ItemCode;
        if (answered !== code) {
          throw unexpectedResponse('yahoo', 'setStock', [{ path: ['ResultSet', 'Result', i, 'ItemCode'], message: `expected ${code}, got ${answered}` }], response.status);
        }
        if (row.ErrorCode) fail(code, entryError(row.ErrorCode, code, response.status));
        else for (const push of owners.get(code) ?? []) results.set(push, { key: push.listing.id, ok: true });
      });
    } catch (caught) {
      if (!(caught instanceof MallError)) throw caught;
      for (const code of batch) fail(code, caught);
      // A refused batch (bad data) says nothing about the next one; anything else (auth, clock, throttling
      // or server trouble after the retries) would fail every later batch the same way.
      if (caught.kind !== 'invalid-request' && caught.kind !== 'not-found') stopped = caught;
    }
    done += batch.reduce((n, code) => n + (owners.get(code)?.length ?? 0), 0);
    onProgress?.({ done, total: pushes.length });
  }
  return pushes.map((p) => results.get(p)!);
}

/**
 * §2.4 per-entry codes: st-02101 bad code, st-02104 bad quantity — our data, not worth retrying. Other
 * codes (ed-00002, ed-10001 appear in the changelog without a meaning) are treated as the mall's trouble.
 */
function entryError(errorCode: string, code: string, status: number): MallError {
  const codes = errorCode.split(',').map((c) => c.trim());
  const ours = codes.every((c) => c.startsWith('st-'));
  return new MallError({
    mall: 'yahoo',
    endpoint: 'setStock',
    kind: ours ? 'invalid-request' : 'server',
    status,
    code: errorCode,
    message: `setStock refused ${code} (${errorCode})`,
  });
}
