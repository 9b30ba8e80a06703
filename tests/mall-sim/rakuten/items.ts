import type { ResolvedOptions } from './config';
import { itemError, itemErrors, type Reply, type RmsError } from './errors';
import { isPlainObject, slotKey, type ItemBody, type RakutenStore, type StoredItem } from './store';
import { isoJst, parseJstDate, DAY_MS } from './time';

/** ItemAPI 2.0 (spec §4). Validation covers the rules a sync client can trip over, not every field. */

const ITEM_FIELDS = new Set([
  'itemNumber', 'title', 'tagline', 'productDescription', 'salesDescription', 'precautions', 'itemType', 'images',
  'whiteBgImage', 'video', 'genreId', 'tags', 'hideItem', 'unlimitedInventoryFlag', 'customizationOptions',
  'releaseDate', 'purchasablePeriod', 'subscription', 'buyingClub', 'features', 'accessControl', 'payment',
  'pointCampaign', 'itemDisplaySequence', 'layout', 'variantSelectors', 'variants',
]);
const VARIANT_FIELDS = new Set([
  'merchantDefinedSkuId', 'selectorValues', 'images', 'restockOnCancel', 'backOrderFlag', 'normalDeliveryDateId',
  'backOrderDeliveryDateId', 'orderQuantityLimit', 'referencePrice', 'features', 'hidden', 'standardPrice',
  'subscriptionPrice', 'articleNumber', 'articleNumberForSet', 'shipping', 'specs', 'attributes',
]);
const SERVER_FIELDS = new Set(['manageNumber', 'created', 'updated']);
const ITEM_TYPES = ['NORMAL', 'PRE_ORDER', 'BUYING_CLUB'];
const ID_PATTERN = /^[a-zA-Z0-9_-]+$/;

/** RMS counts limits in Shift_JIS bytes: half-width 1, everything else 2 (a UTF-8 count would wrongly reject 100 kanji). */
export function sjisBytes(s: string): number {
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    n += c < 0x80 || (c >= 0xff61 && c <= 0xff9f) ? 1 : 2;
  }
  return n;
}

/** Spec §3: `[a-zA-Z0-9_-]`, ≤32 bytes, upper case folded to lower case by the server. */
export function normalizeManageNumber(raw: unknown, path = 'manageNumber'): { value: string } | { error: RmsError } {
  if (typeof raw !== 'string' || raw.length === 0) return { error: { code: 'IE0001', message: 'manageNumber is required.', metadata: { propertyPath: path } } };
  if (!ID_PATTERN.test(raw)) return { error: { code: 'IE0220', message: `manageNumber has invalid characters : ${raw}.`, metadata: { propertyPath: path } } };
  if (raw.length > 32) return { error: { code: 'IE0004', message: 'manageNumber is too long. (max 32 bytes)', metadata: { propertyPath: path } } };
  return { value: raw.toLowerCase() };
}

/** Spec §3: same charset, case-sensitive; InventoryAPI allows 32 (error text mentions 40, getOrder allows 40). */
export function checkVariantId(raw: unknown, path: string): RmsError | null {
  if (typeof raw !== 'string' || raw.length === 0) return { code: 'IE0001', message: 'variantId is required.', metadata: { propertyPath: path } };
  if (!ID_PATTERN.test(raw)) return { code: 'IE0220', message: `variantId has invalid characters : ${raw}.`, metadata: { propertyPath: path } };
  if (raw.length > 32) return { code: 'IE0004', message: 'variantId is too long. (max 32 bytes)', metadata: { propertyPath: path } };
  return null;
}

class Collector {
  readonly errors: RmsError[] = [];
  add(code: string, message: string, propertyPath: string): void {
    this.errors.push({ code, message, metadata: { propertyPath } });
  }
  invalid(path: string, value: unknown): void {
    this.add('IE0002', `${path} has an invalid value : ${typeof value === 'string' ? value : JSON.stringify(value)}.`, path);
  }
  str(obj: Record<string, unknown>, key: string, path: string, opts: { required?: boolean; maxBytes?: number; maxChars?: number }): void {
    const v = obj[key];
    if (v === undefined || v === null) {
      if (opts.required) this.add('IE0001', `${path} is required.`, path);
      return;
    }
    if (typeof v !== 'string') return this.invalid(path, v);
    if (opts.required && v.length === 0) return this.add('IE0001', `${path} is required.`, path);
    if (opts.maxBytes !== undefined && sjisBytes(v) > opts.maxBytes) this.add('IE0004', `${path} is too long. (max ${opts.maxBytes} bytes)`, path);
    if (opts.maxChars !== undefined && [...v].length > opts.maxChars) this.add('IE0004', `${path} is too long. (max ${opts.maxChars})`, path);
  }
  bool(obj: Record<string, unknown>, key: string, path: string): void {
    const v = obj[key];
    if (v !== undefined && v !== null && typeof v !== 'boolean') this.invalid(path, v);
  }
  int(obj: Record<string, unknown>, key: string, path: string, min: number, max: number, required = false): void {
    const v = obj[key];
    if (v === undefined || v === null) {
      if (required) this.add('IE0001', `${path} is required.`, path);
      return;
    }
    if (typeof v !== 'number' || !Number.isInteger(v)) return this.invalid(path, v);
    if (v < min || v > max) this.add('IE0003', `${path} is out of range. (${min}-${max})`, path);
  }
  enumOf(obj: Record<string, unknown>, key: string, path: string, values: readonly unknown[], required = false): void {
    const v = obj[key];
    if (v === undefined || v === null) {
      if (required) this.add('IE0001', `${path} is required.`, path);
      return;
    }
    if (!values.includes(v)) this.add('IE0007', `${path} has an invalid enum value : ${String(v)}.`, path);
  }
}

function validateVariant(c: Collector, id: string, v: unknown, item: Record<string, unknown>, selectors: Map<string, Set<string>>): void {
  const base = `variants.${id}`;
  const idError = checkVariantId(id, base);
  if (idError) c.errors.push(idError);
  if (!isPlainObject(v)) return c.invalid(base, v);
  for (const k of Object.keys(v)) if (!VARIANT_FIELDS.has(k)) c.add('IE0002', `Unrecognized field "${k}"`, `${base}.${k}`);
  const price = v.standardPrice;
  if (item.itemType === 'BUYING_CLUB') {
    if (price !== undefined && price !== null) c.add('IE0002', `${base}.standardPrice must not be set for BUYING_CLUB.`, `${base}.standardPrice`);
  } else if (price === undefined || price === null || price === '') {
    c.add('IE0001', `${base}.standardPrice is required.`, `${base}.standardPrice`);
  } else {
    // Documented as a string; samples also send numbers (spec §4.2).
    const s = typeof price === 'number' ? String(price) : price;
    if (typeof s !== 'string' || !/^\d{1,9}$/.test(s)) c.invalid(`${base}.standardPrice`, price);
  }
  const an = v.articleNumber;
  if (!isPlainObject(an) || ((an.value === undefined || an.value === null || an.value === '') && (an.exemptionReason === undefined || an.exemptionReason === null))) {
    c.add('IE0229', `${base}.articleNumber: either value or exemptionReason is required.`, `${base}.articleNumber`);
  } else {
    c.str(an, 'value', `${base}.articleNumber.value`, { maxChars: 30 });
    c.int(an, 'exemptionReason', `${base}.articleNumber.exemptionReason`, 1, 6);
  }
  if (selectors.size > 0) {
    const sv = v.selectorValues;
    if (!isPlainObject(sv) || [...selectors.keys()].some((k) => sv[k] === undefined)) {
      c.add('IE0114', `${base}.selectorValues must have a value for every variantSelector.`, `${base}.selectorValues`);
    } else {
      for (const [k, value] of Object.entries(sv)) {
        const allowed = selectors.get(k);
        if (!allowed || typeof value !== 'string' || !allowed.has(value)) {
          c.add('IE0156', `${base}.selectorValues.${k} is not defined in variantSelectors : ${String(value)}.`, `${base}.selectorValues.${k}`);
        }
      }
    }
  } else if (v.selectorValues !== undefined && v.selectorValues !== null && isPlainObject(v.selectorValues) && Object.keys(v.selectorValues).length > 0) {
    c.add('IE0156', `${base}.selectorValues given but the item has no variantSelectors.`, `${base}.selectorValues`);
  }
  c.str(v, 'merchantDefinedSkuId', `${base}.merchantDefinedSkuId`, { maxChars: 96 });
  c.bool(v, 'hidden', `${base}.hidden`);
  c.bool(v, 'restockOnCancel', `${base}.restockOnCancel`);
  c.bool(v, 'backOrderFlag', `${base}.backOrderFlag`);
  c.int(v, 'orderQuantityLimit', `${base}.orderQuantityLimit`, 0, 400);
  if (v.backOrderFlag === true && (v.backOrderDeliveryDateId === undefined || v.backOrderDeliveryDateId === null)) {
    c.add('IE0164', `${base}.backOrderDeliveryDateId is required when backOrderFlag is true.`, `${base}.backOrderDeliveryDateId`);
  }
  if (v.images !== undefined && v.images !== null && (!Array.isArray(v.images) || v.images.length > 1)) {
    c.add('IE0003', `${base}.images allows at most 1 image.`, `${base}.images`);
  }
  const sh = v.shipping;
  if (sh !== undefined && sh !== null) {
    if (!isPlainObject(sh)) return c.invalid(`${base}.shipping`, sh);
    const hasFee = sh.fee !== undefined && sh.fee !== null;
    if (hasFee && sh.postageSegment !== undefined && sh.postageSegment !== null) {
      c.add('IE0101', `${base}.shipping.fee and postageSegment cannot both be set.`, `${base}.shipping.fee`);
    }
    if (hasFee && sh.postageIncluded === true) c.add('IE0153', `${base}.shipping.fee cannot be set when postageIncluded is true.`, `${base}.shipping.fee`);
  }
}

/** Whole-item validation (upsert body, or the merged result of a patch). */
export function validateItem(b: Record<string, unknown>, previous: ItemBody | undefined, rejectServerFields: boolean): RmsError[] {
  const c = new Collector();
  for (const k of Object.keys(b)) {
    if (!ITEM_FIELDS.has(k) && (rejectServerFields || !SERVER_FIELDS.has(k))) c.add('IE0002', `Unrecognized field "${k}"`, k);
  }
  c.str(b, 'title', 'title', { required: true, maxBytes: 255 });
  c.str(b, 'itemNumber', 'itemNumber', { maxBytes: 32 });
  c.str(b, 'tagline', 'tagline', { maxBytes: 174 });
  c.str(b, 'salesDescription', 'salesDescription', { maxBytes: 10240 });
  if (b.productDescription !== undefined && b.productDescription !== null) {
    if (!isPlainObject(b.productDescription)) c.invalid('productDescription', b.productDescription);
    else {
      c.str(b.productDescription, 'pc', 'productDescription.pc', { maxBytes: 10240 });
      c.str(b.productDescription, 'sp', 'productDescription.sp', { maxBytes: 10240 });
    }
  }
  c.enumOf(b, 'itemType', 'itemType', ITEM_TYPES, true);
  if (b.genreId === undefined || b.genreId === null || b.genreId === '') c.add('IE0001', 'genreId is required.', 'genreId');
  else if (typeof b.genreId !== 'string' || !/^[1-9]\d{5}$/.test(b.genreId)) c.invalid('genreId', b.genreId);
  if (b.tags !== undefined && b.tags !== null) {
    if (!Array.isArray(b.tags)) c.invalid('tags', b.tags);
    else {
      if (b.tags.length > 32) c.add('IE0003', 'tags allows at most 32 entries.', 'tags');
      b.tags.forEach((t, i) => {
        if (typeof t !== 'number' || !Number.isInteger(t) || t < 5_000_000 || t > 9_999_999) c.invalid(`tags[${i}]`, t);
      });
    }
  }
  c.bool(b, 'hideItem', 'hideItem');
  c.bool(b, 'unlimitedInventoryFlag', 'unlimitedInventoryFlag');
  c.int(b, 'itemDisplaySequence', 'itemDisplaySequence', 1, 999_999_999);
  if (b.images !== undefined && b.images !== null) {
    if (!Array.isArray(b.images)) c.invalid('images', b.images);
    else {
      if (b.images.length > 20) c.add('IE0003', 'images allows at most 20 entries.', 'images');
      b.images.forEach((img, i) => {
        if (!isPlainObject(img)) return c.invalid(`images[${i}]`, img);
        c.enumOf(img, 'type', `images[${i}].type`, ['CABINET', 'GOLD', 'ABSOLUTE'], true);
        if (typeof img.location !== 'string' || !/\.(jpe?g|png|gif)$/i.test(img.location)) c.invalid(`images[${i}].location`, img.location);
      });
    }
  }
  if (b.itemType === 'PRE_ORDER' && (b.releaseDate === undefined || b.releaseDate === null)) c.add('IE0001', 'releaseDate is required for PRE_ORDER.', 'releaseDate');
  if (b.releaseDate !== undefined && b.releaseDate !== null && parseJstDate(b.releaseDate) === null) c.invalid('releaseDate', b.releaseDate);
  if (b.features !== undefined && b.features !== null) {
    if (!isPlainObject(b.features)) c.invalid('features', b.features);
    else {
      c.enumOf(b.features, 'searchVisibility', 'features.searchVisibility', ['ALWAYS_VISIBLE', 'ALWAYS_HIDDEN']);
      c.enumOf(b.features, 'inventoryDisplay', 'features.inventoryDisplay', ['DISPLAY_ABSOLUTE_STOCK_COUNT', 'HIDDEN_STOCK', 'DISPLAY_LOW_STOCK']);
      c.int(b.features, 'lowStockThreshold', 'features.lowStockThreshold', 1, 20);
      c.enumOf(b.features, 'review', 'features.review', ['SHOP_SETTING', 'VISIBLE', 'HIDDEN']);
    }
  }
  if (b.payment !== undefined && b.payment !== null) {
    if (!isPlainObject(b.payment)) c.invalid('payment', b.payment);
    else {
      c.bool(b.payment, 'taxIncluded', 'payment.taxIncluded');
      if (b.payment.taxRate !== undefined && !['0', '0.08', '0.1', null].includes(b.payment.taxRate as string | null)) c.invalid('payment.taxRate', b.payment.taxRate);
    }
  }
  const selectors = new Map<string, Set<string>>();
  if (b.variantSelectors !== undefined && b.variantSelectors !== null) {
    if (!Array.isArray(b.variantSelectors)) c.invalid('variantSelectors', b.variantSelectors);
    else {
      if (b.variantSelectors.length > 6) c.add('IE0003', 'variantSelectors allows at most 6 entries.', 'variantSelectors');
      b.variantSelectors.forEach((s, i) => {
        const p = `variantSelectors[${i}]`;
        if (!isPlainObject(s)) return c.invalid(p, s);
        c.str(s, 'key', `${p}.key`, { required: true, maxBytes: 32 });
        c.str(s, 'displayName', `${p}.displayName`, { required: true, maxBytes: 32 });
        const values = new Set<string>();
        if (!Array.isArray(s.values) || s.values.length < 1 || s.values.length > 40) c.add('IE0003', `${p}.values needs 1 to 40 entries.`, `${p}.values`);
        else
          s.values.forEach((val, j) => {
            if (!isPlainObject(val) || typeof val.displayValue !== 'string' || val.displayValue.length === 0) return c.invalid(`${p}.values[${j}]`, val);
            if (sjisBytes(val.displayValue) > 32) c.add('IE0004', `${p}.values[${j}].displayValue is too long. (max 32 bytes)`, `${p}.values[${j}].displayValue`);
            values.add(val.displayValue);
          });
        if (typeof s.key === 'string') {
          if (selectors.has(s.key)) c.add('IE0002', `${p}.key is duplicated : ${s.key}.`, `${p}.key`);
          selectors.set(s.key, values);
        }
      });
    }
  }
  const variants = b.variants;
  if (variants === undefined || variants === null) c.add('IE0001', 'variants is required.', 'variants');
  else if (!isPlainObject(variants)) c.invalid('variants', variants);
  else {
    const ids = Object.keys(variants);
    if (ids.length < 1 || ids.length > 400) c.add('IE0003', 'variants needs 1 to 400 entries.', 'variants');
    // Normal stock = exactly one variant without selectors (spec §4.3).
    if (selectors.size === 0 && ids.length > 1) c.add('IE0269', 'More than one variant requires variantSelectors.', 'variants');
    for (const id of ids) validateVariant(c, id, variants[id], b, selectors);
    if (previous) {
      for (const id of ids) {
        const before = previous.variants[id]?.selectorValues;
        const after = (variants[id] as Record<string, unknown> | undefined)?.selectorValues;
        if (before !== undefined && after !== undefined && JSON.stringify(sortKeys(before)) !== JSON.stringify(sortKeys(after))) {
          c.add('IE0416', `variants.${id}.selectorValues cannot be changed while keeping the variantId.`, `variants.${id}.selectorValues`);
        }
      }
    }
  }
  if (previous && b.itemType !== previous.itemType && (b.itemType === 'BUYING_CLUB' || previous.itemType === 'BUYING_CLUB')) {
    c.add('IE0002', 'itemType cannot be changed to or from BUYING_CLUB.', 'itemType');
  }
  return c.errors;
}

function sortKeys(v: unknown): unknown {
  if (!isPlainObject(v)) return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]));
}

/** Patch semantics (spec §4, I-PATCH): objects merge, lists replace whole, null clears. */
export function mergePatch(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (isPlainObject(v) && isPlainObject(out[k])) out[k] = mergePatch(out[k] as Record<string, unknown>, v);
    else out[k] = structuredClone(v);
  }
  return out;
}

export function itemJson(item: StoredItem): Record<string, unknown> {
  return {
    manageNumber: item.manageNumber,
    hideItem: false,
    unlimitedInventoryFlag: false,
    itemDisplaySequence: 999_999_999,
    ...structuredClone(item.body),
    created: isoJst(item.created),
    updated: isoJst(item.updated),
  };
}

export interface ItemApiDeps {
  store: RakutenStore;
  now(): number;
  options: ResolvedOptions;
}

export function itemsGet(d: ItemApiDeps, rawManageNumber: string): Reply {
  const mn = normalizeManageNumber(rawManageNumber);
  if ('error' in mn) return itemErrors(400, [mn.error]);
  const item = d.store.items.get(mn.value);
  if (!item) return itemError(404, 'GE0014', `Not found for inputs; manageNumber=${mn.value}`);
  return { status: 200, body: itemJson(item) };
}

export function itemsUpsert(d: ItemApiDeps, rawManageNumber: string, body: unknown): Reply {
  const mn = normalizeManageNumber(rawManageNumber);
  if ('error' in mn) return itemErrors(400, [mn.error]);
  if (!isPlainObject(body)) return itemError(400, 'GE0011', 'Request body is empty or not a JSON object.');
  const previous = d.store.items.get(mn.value);
  const errors = validateItem(body, previous?.body, d.options.rejectServerFieldsInItemBody);
  if (errors.length > 0) return itemErrors(400, errors);
  const next = structuredClone(body) as ItemBody;
  for (const k of SERVER_FIELDS) delete next[k];
  if (previous) keepStickyFields(previous.body, next);
  const now = d.now();
  d.store.items.set(mn.value, { manageNumber: mn.value, body: next, created: previous?.created ?? now, updated: now });
  d.store.deletedItems.delete(mn.value);
  // 201 + body on create, 204 on update (spec §4, I-UPSERT).
  return previous ? { status: 204 } : { status: 201, body: { manageNumber: mn.value } };
}

/** Upsert resets omitted fields except okihaiSetting and socialGiftFlag (spec §4, I-UPSERT). */
function keepStickyFields(before: ItemBody, after: ItemBody): void {
  const bf = before.features;
  if (isPlainObject(bf) && bf.socialGiftFlag !== undefined) {
    const af = isPlainObject(after.features) ? after.features : {};
    if (af.socialGiftFlag === undefined) after.features = { ...af, socialGiftFlag: bf.socialGiftFlag };
  }
  for (const [id, v] of Object.entries(after.variants)) {
    const old = before.variants[id]?.shipping;
    if (!isPlainObject(old) || old.okihaiSetting === undefined) continue;
    const sh = isPlainObject(v.shipping) ? v.shipping : {};
    if (sh.okihaiSetting === undefined) v.shipping = { ...sh, okihaiSetting: old.okihaiSetting };
  }
}

export function itemsPatch(d: ItemApiDeps, rawManageNumber: string, body: unknown): Reply {
  const mn = normalizeManageNumber(rawManageNumber);
  if ('error' in mn) return itemErrors(400, [mn.error]);
  if (!isPlainObject(body) || Object.keys(body).length === 0) return itemError(400, 'GE0011', 'Request body is empty or not a JSON object.');
  const previous = d.store.items.get(mn.value);
  if (!previous) return itemError(404, 'GE0014', `Not found for inputs; manageNumber=${mn.value}`);
  const merged = mergePatch(previous.body, body);
  const errors = validateItem(merged, previous.body, d.options.rejectServerFieldsInItemBody);
  if (errors.length > 0) return itemErrors(400, errors);
  d.store.items.set(mn.value, { ...previous, body: merged as ItemBody, updated: d.now() });
  return { status: 204 };
}

export function itemsDelete(d: ItemApiDeps, rawManageNumber: string): Reply {
  const mn = normalizeManageNumber(rawManageNumber);
  if ('error' in mn) return itemErrors(400, [mn.error]);
  if (!d.store.items.delete(mn.value)) return itemError(404, 'GE0014', `Not found for inputs; manageNumber=${mn.value}`);
  d.store.deletedItems.set(mn.value, d.now());
  return { status: d.options.itemDeleteStatus };
}

export function itemsBulkGet(d: ItemApiDeps, body: unknown): Reply {
  if (!isPlainObject(body)) return itemError(400, 'GE0011', 'Request body is empty or not a JSON object.');
  for (const k of Object.keys(body)) if (k !== 'manageNumbers') return itemError(400, 'IE0002', `Unrecognized field "${k}"`, k);
  const list = body.manageNumbers;
  if (!Array.isArray(list) || list.length === 0) return itemError(400, 'IE0001', 'manageNumbers is required.', 'manageNumbers');
  if (list.length > 50) return itemError(400, 'IE1101', 'manageNumbers allows at most 50 entries.', 'manageNumbers');
  const errors: RmsError[] = [];
  const seen = new Set<string>();
  const wanted: string[] = [];
  list.forEach((raw, i) => {
    const mn = normalizeManageNumber(raw, `manageNumbers[${i}]`);
    if ('error' in mn) return errors.push(mn.error);
    if (seen.has(mn.value)) errors.push({ code: 'IE1106', message: `manageNumbers has duplicates : ${mn.value}.`, metadata: { propertyPath: `manageNumbers[${i}]` } });
    seen.add(mn.value);
    wanted.push(mn.value);
  });
  if (errors.length > 0) return itemErrors(400, errors);
  const results = wanted.flatMap((mn) => {
    const item = d.store.items.get(mn);
    return item ? [itemJson(item)] : [];
  });
  return { status: 200, body: { results } };
}

const SORT_KEYS = [
  'updated', 'created', 'itemDisplaySequence', 'manageNumber', 'purchasablePeriodStart', 'purchasablePeriodEnd',
  'pointCampaignStart', 'pointCampaignEnd', 'pointRate', 'reviewCount', 'reviewAverageRating',
];
const PARTIAL_TEXT = ['title', 'tagline', 'manageNumber', 'itemNumber'] as const;

function encodeCursor(manageNumber: string): string {
  return Buffer.from(`mn:${manageNumber}`, 'utf8').toString('base64url');
}
function decodeCursor(mark: string): string | null {
  if (mark === '*') return '';
  const text = Buffer.from(mark, 'base64url').toString('utf8');
  return text.startsWith('mn:') ? text.slice(3) : null;
}

/** items.search (spec §4.4): offset or cursorMark paging, 100-hit pages, optional index lag. */
export function itemsSearch(d: ItemApiDeps, url: URL): Reply {
  const q = url.searchParams;
  const c = new Collector();
  const intParam = (name: string, min: number, max: number, dflt: number | undefined): number | undefined => {
    const raw = q.get(name);
    if (raw === null) return dflt;
    if (!/^-?\d+$/.test(raw)) {
      c.invalid(name, raw);
      return dflt;
    }
    const n = Number(raw);
    if (n < min || n > max) c.add('IE0003', `${name} is out of range. (${min}-${max})`, name);
    return n;
  };
  const boolParam = (name: string): boolean | undefined => {
    const raw = q.get(name);
    if (raw === null) return undefined;
    if (raw !== 'true' && raw !== 'false') {
      c.invalid(name, raw);
      return undefined;
    }
    return raw === 'true';
  };
  const dateParam = (name: string, endOfDay: boolean): number | undefined => {
    const raw = q.get(name);
    if (raw === null) return undefined;
    const t = parseJstDate(raw);
    if (t === null) {
      c.invalid(name, raw);
      return undefined;
    }
    return endOfDay ? t + DAY_MS - 1 : t;
  };
  const hits = intParam('hits', 1, 100, 10) ?? 10;
  const offset = intParam('offset', 0, 10_000, undefined);
  const cursorMark = q.get('cursorMark');
  const sortKey = q.get('sortKey');
  const sortOrder = q.get('sortOrder');
  if (cursorMark !== null && offset !== undefined) c.add('IE1003', 'cursorMark cannot be combined with offset.', 'cursorMark');
  if (cursorMark !== null && (sortKey !== null || sortOrder !== null)) c.add('IE1004', 'cursorMark cannot be combined with sortKey or sortOrder.', 'cursorMark');
  if (sortKey !== null && !SORT_KEYS.includes(sortKey)) c.add('IE0007', `sortKey has an invalid enum value : ${sortKey}.`, 'sortKey');
  if (sortOrder !== null && sortOrder !== 'asc' && sortOrder !== 'desc') c.add('IE0007', `sortOrder has an invalid enum value : ${sortOrder}.`, 'sortOrder');
  const after = cursorMark === null ? '' : decodeCursor(cursorMark);
  if (after === null) c.invalid('cursorMark', cursorMark);
  const isHiddenItem = boolParam('isHiddenItem');
  const isItemStockout = boolParam('isItemStockout');
  const isVariantStockout = boolParam('isVariantStockout');
  const priceFrom = intParam('standardPriceFrom', 0, 999_999_999, undefined);
  const priceTo = intParam('standardPriceTo', 0, 999_999_999, undefined);
  const createdFrom = dateParam('createdFrom', false);
  const createdTo = dateParam('createdTo', true);
  const updatedFrom = dateParam('updatedFrom', false);
  const updatedTo = dateParam('updatedTo', true);
  if (c.errors.length > 0) return itemErrors(400, c.errors);

  const now = d.now();
  const lag = d.options.searchIndexLagMs;
  const qty = (mn: string, vid: string) => d.store.inventory.get(slotKey(mn, vid))?.quantity ?? 0;
  const contains = (hay: unknown, needle: string) => typeof hay === 'string' && hay.toLowerCase().includes(needle.toLowerCase());

  const matches = (item: StoredItem): boolean => {
    const b = item.body;
    const fields: Record<string, unknown> = { ...b, manageNumber: item.manageNumber };
    for (const f of PARTIAL_TEXT) {
      const needle = q.get(f);
      if (needle !== null && !contains(fields[f], needle)) return false;
    }
    const variants = Object.entries(b.variants);
    const variantNeedle = q.get('variantId');
    if (variantNeedle !== null && !variants.some(([id]) => contains(id, variantNeedle))) return false;
    const skuNeedle = q.get('merchantDefinedSkuId');
    if (skuNeedle !== null && !variants.some(([, v]) => contains(v.merchantDefinedSkuId, skuNeedle))) return false;
    const janNeedle = q.get('articleNumber');
    if (janNeedle !== null && !variants.some(([, v]) => isPlainObject(v.articleNumber) && contains(v.articleNumber.value, janNeedle))) return false;
    const genreId = q.get('genreId');
    if (genreId !== null && b.genreId !== genreId) return false;
    const itemType = q.get('itemType');
    if (itemType !== null && b.itemType !== itemType) return false;
    if (isHiddenItem !== undefined && (b.hideItem === true) !== isHiddenItem) return false;
    const quantities = variants.map(([id]) => qty(item.manageNumber, id));
    if (isItemStockout !== undefined && quantities.every((n) => n === 0) !== isItemStockout) return false;
    if (isVariantStockout !== undefined && quantities.some((n) => n === 0) !== isVariantStockout) return false;
    if (priceFrom !== undefined || priceTo !== undefined) {
      const inRange = variants.some(([, v]) => {
        const p = Number(v.standardPrice);
        return (priceFrom === undefined || p >= priceFrom) && (priceTo === undefined || p <= priceTo);
      });
      if (!inRange) return false;
    }
    if (createdFrom !== undefined && item.created < createdFrom) return false;
    if (createdTo !== undefined && item.created > createdTo) return false;
    if (updatedFrom !== undefined && item.updated < updatedFrom) return false;
    if (updatedTo !== undefined && item.updated > updatedTo) return false;
    return true;
  };

  type Hit = { manageNumber: string; item: StoredItem | null };
  const hitsAll: Hit[] = [];
  for (const item of d.store.items.values()) {
    if (now - item.created < lag) continue;
    if (matches(item)) hitsAll.push({ manageNumber: item.manageNumber, item });
  }
  // Within the lag a deleted item still shows up, carrying only its manageNumber (spec §4.4).
  for (const [mn, deletedAt] of d.store.deletedItems) {
    if (now - deletedAt < lag && !d.store.items.has(mn)) hitsAll.push({ manageNumber: mn, item: null });
  }

  const asJson = (h: Hit) => ({ item: h.item ? itemJson(h.item) : { manageNumber: h.manageNumber } });
  if (cursorMark !== null) {
    hitsAll.sort((a, b) => (a.manageNumber < b.manageNumber ? -1 : a.manageNumber > b.manageNumber ? 1 : 0));
    const page = hitsAll.filter((h) => h.manageNumber > (after ?? '')).slice(0, hits);
    const last = page[page.length - 1];
    return {
      status: 200,
      body: { numFound: hitsAll.length, nextCursorMark: last ? encodeCursor(last.manageNumber) : cursorMark, results: page.map(asJson) },
    };
  }
  const key = sortKey ?? 'updated';
  const dir = (sortOrder ?? 'desc') === 'asc' ? 1 : -1;
  const sortValue = (h: Hit): number | string => {
    if (!h.item) return key === 'manageNumber' ? h.manageNumber : 0;
    if (key === 'created') return h.item.created;
    if (key === 'itemDisplaySequence') return Number(h.item.body.itemDisplaySequence ?? 999_999_999);
    if (key === 'manageNumber') return h.item.manageNumber;
    return h.item.updated;
  };
  hitsAll.sort((a, b) => {
    const va = sortValue(a);
    const vb = sortValue(b);
    if (va !== vb) return (va < vb ? -1 : 1) * dir;
    return a.manageNumber < b.manageNumber ? -1 : 1;
  });
  const start = offset ?? 0;
  return { status: 200, body: { numFound: hitsAll.length, offset: start, results: hitsAll.slice(start, start + hits).map(asJson) } };
}
