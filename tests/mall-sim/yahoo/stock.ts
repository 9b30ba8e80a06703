import type { RouteRequest } from '../core/types';
import { CODE_RE, formParams, requireSeller } from './common';
import { CODES, SIM_CODES } from './errors';
import { subcodesOf } from './items';
import { type StockRow, stockKey, type YahooState } from './state';
import { rfc3339, sendYahooError, sendYahooXml, type XmlTree } from './xml';

const MAX_CODES = 1000; // §2.3 / §2.4
const RANGE = 999_999_999; // §2.4
const TEXT_XML = 'text/xml;charset=UTF-8'; // §0: stock answers were text/xml [T4]

interface CodeEntry {
  raw: string;
  itemCode: string;
  subCode: string;
  valid: boolean;
}

function parseCodes(raw: string): CodeEntry[] {
  return raw.split(',').map((s) => {
    const [itemCode = '', subCode = '', extra] = s.split(':');
    const valid = CODE_RE.test(itemCode) && (s.includes(':') ? CODE_RE.test(subCode) : true) && extra === undefined;
    return { raw: s, itemCode, subCode, valid };
  });
}

/** §2.3: items with sub-codes must be addressed as item:sub, so the bare item code has no stock record. */
function addressesSubcodedItem(state: YahooState, e: CodeEntry): boolean {
  const item = state.items.get(e.itemCode);
  return !e.subCode && !!item && subcodesOf(item.draft).length > 0;
}

function isPublished(state: YahooState, row: StockRow): boolean {
  const item = state.items.get(row.itemCode);
  return !!item?.live && row.liveQuantity === row.quantity;
}

/** Reads the code list or answers the request-level error; null means "already answered". */
function readCodes(request: RouteRequest, raw: string | null): CodeEntry[] | null {
  if (!raw) {
    // [KAM]: top-level st-02101 with the (empty) value in parentheses.
    sendYahooError(request.res, 400, 'item_code() is invalid format.', CODES.stockBadCode);
    return null;
  }
  const entries = parseCodes(raw);
  if (entries.length > MAX_CODES) {
    sendYahooError(request.res, 400, `item_code: at most ${MAX_CODES} codes per request (${entries.length} given).`, SIM_CODES.stockTooMany);
    return null;
  }
  return entries;
}

export function getStock(state: YahooState, request: RouteRequest): void {
  const params = formParams(request);
  if (!requireSeller(state, request, params.get('seller_id'), 'seller_id')) return;
  const entries = readCodes(request, params.get('item_code'));
  if (!entries) return;
  const bad = entries.find((e) => !e.valid);
  if (bad) return sendYahooError(request.res, 400, `item_code(${bad.raw}) is invalid format.`, CODES.stockBadCode);
  let ok = 0;
  const results = entries.map((e): XmlTree => {
    const row = addressesSubcodedItem(state, e) ? undefined : state.stock.get(stockKey(e.itemCode, e.subCode));
    if (!row) return { ItemCode: e.itemCode, SubCode: e.subCode, Status: '0' };
    ok += 1;
    return {
      ItemCode: e.itemCode,
      SubCode: e.subCode,
      Status: '1',
      Quantity: row.quantity === null ? '' : String(row.quantity),
      AllowOverdraft: String(row.allowOverdraft),
      IsPublished: isPublished(state, row) ? '1' : '0',
      UpdateTime: rfc3339(row.updateTime),
      StockClose: String(row.stockClose),
    };
  });
  sendYahooXml(
    request.res,
    200,
    {
      ResultSet: {
        '@_totalResultsAvailable': String(entries.length),
        '@_totalResultsReturned': String(entries.length),
        '@_firstResultPosition': '1',
        '@_ok': String(ok),
        '@_ng': String(entries.length - ok),
        Result: results,
      },
    },
    TEXT_XML,
  );
}

/** A per-code list parameter: one value per code, or omitted. Undefined means malformed. */
function perCode(raw: string | null, n: number): (string | undefined)[] | undefined {
  if (raw === null) return new Array<undefined>(n).fill(undefined);
  const list = raw.split(',');
  return list.length === n ? list : undefined;
}

export function setStock(state: YahooState, request: RouteRequest): void {
  const params = formParams(request);
  if (!requireSeller(state, request, params.get('seller_id'), 'seller_id')) return;
  const entries = readCodes(request, params.get('item_code'));
  if (!entries) return;
  const n = entries.length;
  const quantities = perCode(params.get('quantity'), n);
  const overdrafts = perCode(params.get('allow_overdraft'), n);
  const closes = perCode(params.get('stock_close'), n);
  if (!quantities || params.get('quantity') === null) {
    return sendYahooError(request.res, 400, 'quantity must give one value per item_code.', SIM_CODES.stockParam);
  }
  if (!overdrafts || !closes) {
    return sendYahooError(request.res, 400, 'allow_overdraft / stock_close must give one value per item_code.', SIM_CODES.stockParam);
  }

  const fault = state.ctx.faults.take('yahoo', request.url.pathname, ['partial']);
  const faulted = (e: CodeEntry, i: number) =>
    !!fault && (fault.items?.length ? fault.items.includes(e.raw) || fault.items.includes(e.itemCode) : i % 2 === 1);

  type Planned = { entry: CodeEntry; quantity?: number; error?: string; overdraft?: 0 | 1; close?: 0 | 1 };
  const planned: Planned[] = [];
  // Relative updates are applied in order against a scratch copy, so duplicates in one request add up
  // and an overflow anywhere can fail the whole request before anything changes (§2.4).
  const scratch = new Map<string, number | null>();
  for (let i = 0; i < n; i++) {
    const entry = entries[i]!;
    const q = quantities[i] ?? '';
    const od = overdrafts[i];
    const sc = closes[i];
    const p: Planned = { entry };
    planned.push(p);
    if (!entry.valid || addressesSubcodedItem(state, entry)) {
      p.error = CODES.stockBadCode;
      continue;
    }
    if ((od !== undefined && od !== '' && od !== '0' && od !== '1') || (sc !== undefined && sc !== '' && sc !== '0' && sc !== '1')) {
      p.error = CODES.stockBadQuantity;
      continue;
    }
    const key = stockKey(entry.itemCode, entry.subCode);
    const current = scratch.has(key) ? scratch.get(key)! : (state.stock.get(key)?.quantity ?? 0);
    let next: number;
    if (/^\d{1,9}$/.test(q)) next = Number(q);
    else if (/^[+-]\d{1,9}$/.test(q) && current !== null) next = current + Number(q);
    else {
      // INI (reset to unlimited) is refused since 2018-02 with st-02104, as is anything non-numeric (§2.4).
      p.error = CODES.stockBadQuantity;
      continue;
    }
    if (Math.abs(next) > RANGE) {
      return sendYahooError(request.res, 400, `quantity of ${entry.raw} would leave -999,999,999…999,999,999; nothing was updated.`, CODES.stockBadQuantity);
    }
    if (faulted(entry, i)) {
      p.error = state.opts.partialErrorCode;
      continue;
    }
    if (state.opts.clampNegativeStock && next < 0) next = 0;
    scratch.set(key, next);
    p.quantity = next;
    if (od === '0' || od === '1') p.overdraft = Number(od) as 0 | 1;
    if (sc === '0' || sc === '1') p.close = Number(sc) as 0 | 1;
  }

  const failed = planned.filter((p) => p.error);
  if (failed.length && state.opts.setStockMode === 'all-or-nothing') {
    const first = failed[0]!;
    return sendYahooError(request.res, 400, `${first.entry.raw}: update refused; nothing was updated.`, first.error);
  }
  const now = state.ctx.clock.now();
  for (const p of planned) {
    if (p.error || p.quantity === undefined) continue;
    const key = stockKey(p.entry.itemCode, p.entry.subCode);
    const row: StockRow = state.stock.get(key) ?? {
      itemCode: p.entry.itemCode,
      subCode: p.entry.subCode,
      quantity: 0,
      liveQuantity: 0,
      allowOverdraft: 0,
      stockClose: 0,
      updateTime: now,
    };
    row.quantity = p.quantity;
    if (!state.opts.stockNeedsPublish) row.liveQuantity = p.quantity;
    if (p.overdraft !== undefined) row.allowOverdraft = p.overdraft;
    if (p.close !== undefined) row.stockClose = p.close;
    row.updateTime = now;
    state.stock.set(key, row);
  }
  const results = planned.map((p): XmlTree =>
    p.error
      ? { ItemCode: p.entry.itemCode, SubCode: p.entry.subCode, Quantity: '', ErrorCode: p.error }
      : { ItemCode: p.entry.itemCode, SubCode: p.entry.subCode, Quantity: String(p.quantity) },
  );
  sendYahooXml(
    request.res,
    failed.length ? 207 : 200,
    {
      ResultSet: {
        '@_totalResultsAvailable': String(n),
        '@_totalResultsReturned': String(n),
        '@_firstResultPosition': '1',
        '@_ok': String(n - failed.length),
        '@_ng': String(failed.length),
        Result: results,
      },
    },
    TEXT_XML,
  );
}
