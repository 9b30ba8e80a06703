import type { Listing } from '../../catalog/schemas';
import { itemFailure, MallError, type ItemResult } from '../errors';
import type { ItemDraft, ItemDraftVariant } from '../types';
import { editItemSchema, getItemSchema, reservePublishSchema, updateItemsSchema } from './schemas';
import { pushStock } from './stock';
import type { YahooTransport } from './transport';

/**
 * Items (spec §2.1, §2.5, §2.6). Every edit — editItem or updateItems — stays unpublished until a
 * 反映 (reservePublish), so `upsertItem` and `updateItems` change nothing buyers see until `publish()`.
 */

/** §2.5: item1…item100 per updateItems call. */
export const UPDATE_ITEMS_BATCH_SIZE = 100;
const CODE_RE = /^[A-Za-z0-9-]{1,99}$/;

export interface NewItemDefaults {
  /** §2.1 `path`: store-category path (names joined by `:`), required to create an item. */
  path: string;
  /** §2.1 `product_category`: Yahoo's product category id, required to create an item. */
  productCategory: string;
}

/** One partial update for updateItems (§2.5); unspecified fields are left as they are. */
export interface YahooItemUpdate {
  itemCode: string;
  name?: string;
  /** §2.5: `price` and `sale_price` must be sent together, so give both (salePrice null = none). */
  price?: number;
  salePrice?: number | null;
  originalPrice?: number;
  /** §2.5 [MCP-NOTE]: display=0 hides ("ends") the listing. */
  display?: boolean;
  /** Sub-code → price; §2.5 requires every sub-code of the item at once. */
  subcodePrices?: Record<string, number>;
}

type ItemDeps = { transport: YahooTransport; sellerId: string; newItemDefaults?: NewItemDefaults };

const fail = (key: string, endpoint: string, message: string, code?: string) =>
  itemFailure(key, { mall: 'yahoo', endpoint, kind: 'invalid-request', message, ...(code ? { code } : {}) });

/** Creates the item with editItem, or updates name and prices of an existing one with updateItems. */
export async function upsertItem(deps: ItemDeps, draft: ItemDraft): Promise<ItemResult[]> {
  const results = new Map<ItemDraftVariant, ItemResult>();
  const usable: ItemDraftVariant[] = [];
  const itemCode = draft.externalItemId;
  for (const v of draft.variants) {
    const problem = variantProblem(v.listing, itemCode, draft.variants.length);
    if (problem) results.set(v, fail(v.listing.id, 'editItem', problem));
    else usable.push(v);
  }
  const subCodes = usable.map((v) => subCodeOf(v.listing));
  const duplicate = subCodes.find((c, i) => subCodes.indexOf(c) !== i);
  if (!CODE_RE.test(itemCode) || duplicate !== undefined) {
    const why = duplicate !== undefined ? `sub-code ${duplicate} appears twice` : `item code "${itemCode}" is not 1-99 half-width alphanumerics or "-"`;
    for (const v of usable) results.set(v, fail(v.listing.id, 'editItem', why));
    return draft.variants.map((v) => results.get(v)!);
  }
  if (usable.length) {
    const existing = await getItem(deps, itemCode);
    const outcome = existing ? await updateExisting(deps, draft, usable, existing) : await createItem(deps, draft, usable);
    for (const [v, r] of outcome) results.set(v, r);
    // Quantities go through setStock, which is live without a 反映 (§2.4 (?)); only for variants saved above.
    const stockPushes = usable.filter((v) => v.quantity !== undefined && results.get(v)?.ok).map((v) => ({ listing: v.listing, quantity: v.quantity! }));
    if (stockPushes.length) {
      const stock = await pushStock(deps.transport, deps.sellerId, stockPushes);
      stockPushes.forEach((p, i) => {
        const v = usable.find((u) => u.listing === p.listing)!;
        if (!stock[i]!.ok) results.set(v, stock[i]!);
      });
    }
  }
  return draft.variants.map((v) => results.get(v)!);
}

function subCodeOf(listing: Listing): string {
  return listing.mall === 'yahoo' ? (listing.yahoo.subCode ?? '') : '';
}

function variantProblem(listing: Listing, itemCode: string, variantCount: number): string | undefined {
  if (listing.mall !== 'yahoo') return `listing ${listing.id} is not a Yahoo listing`;
  if (listing.yahoo.itemCode !== itemCode) return `listing ${listing.id} belongs to item ${listing.yahoo.itemCode}, not ${itemCode}`;
  const sub = listing.yahoo.subCode;
  if (variantCount > 1 && !sub) return `listing ${listing.id} needs a sub-code: the item has ${variantCount} variants`;
  if (sub && !CODE_RE.test(sub)) return `sub-code "${sub}" is not 1-99 half-width alphanumerics or "-"`;
  if (sub && sub === itemCode) return 'a sub-code must not equal an item code (§2.1)';
  return undefined;
}

interface ExistingItem {
  salePrice: string;
  subCodes: { code: string; price?: string }[];
  price: string;
}

async function getItem(deps: ItemDeps, itemCode: string): Promise<ExistingItem | undefined> {
  try {
    const form = new URLSearchParams({ seller_id: deps.sellerId, item_code: itemCode });
    const { data } = await deps.transport.sendParsed({ api: 'getItem', method: 'GET', form }, getItemSchema);
    const r = data.ResultSet.Result;
    return {
      price: r.Price,
      salePrice: r.SalePrice,
      subCodes: r.SubCodes ? r.SubCodes.SubCode.map((s) => ({ code: s['@_code'], ...(s.Price ? { price: s.Price } : {}) })) : [],
    };
  } catch (caught) {
    // §2.2: an unknown code is HTTP 400 it-05002.
    if (caught instanceof MallError && caught.kind === 'not-found') return undefined;
    throw caught;
  }
}

// §2.1: these characters (and spaces) may not appear in option names and values; `|` and `,` separate them.
const OPTION_FORBIDDEN: Record<string, string> = { '<': '＜', '>': '＞', ';': '；', ':': '：', '&': '＆', '=': '＝', '#': '＃', '"': '”', '\\': '＼', '|': '｜', ',': '，' };
function optionText(text: string): string {
  return text.replace(/[<>;:&=#"\\|,]/g, (c) => OPTION_FORBIDDEN[c] ?? '_').replace(/[\s\u3000]+/g, '_');
}

/**
 * §2.1 options/subcodes: every combination of the options the sub-codes name needs exactly one sub-code.
 * A full grid of the variants' attributes becomes one option per attribute; anything else (a ragged grid,
 * variants without attributes) becomes one option 種類 listing the variants.
 */
export function buildVariantOptions(variants: { attributes: Record<string, string>; subCode: string }[]): { options: string; subcodes: string } {
  const names = Object.keys(variants[0]?.attributes ?? {});
  const sameNames = names.length > 0 && variants.every((v) => Object.keys(v.attributes).length === names.length && names.every((n) => v.attributes[n]));
  if (sameNames) {
    const values = names.map((n) => [...new Set(variants.map((v) => optionText(v.attributes[n]!)))]);
    const combos = new Set(variants.map((v) => names.map((n) => optionText(v.attributes[n]!)).join('#')));
    const gridSize = values.reduce((n, vs) => n * vs.length, 1);
    if (combos.size === variants.length && gridSize === variants.length) {
      return {
        options: names.map((n, i) => `${optionText(n)}#${values[i]!.join(',')}`).join('|'),
        subcodes: variants.map((v) => `${names.map((n) => `${optionText(n)}:${optionText(v.attributes[n]!)}`).join('#')}=${v.subCode}`).join('|'),
      };
    }
  }
  const seen = new Set<string>();
  const labels = variants.map((v) => {
    let label = optionText(Object.values(v.attributes).filter(Boolean).join('/')) || v.subCode;
    if (seen.has(label)) label = `${label}_${v.subCode}`;
    seen.add(label);
    return label;
  });
  return { options: `種類#${labels.join(',')}`, subcodes: variants.map((v, i) => `種類:${labels[i]}=${v.subCode}`).join('|') };
}

async function createItem(deps: ItemDeps, draft: ItemDraft, variants: ItemDraftVariant[]): Promise<Map<ItemDraftVariant, ItemResult>> {
  const out = new Map<ItemDraftVariant, ItemResult>();
  const defaults = deps.newItemDefaults;
  if (!defaults) {
    for (const v of variants) out.set(v, fail(v.listing.id, 'editItem', 'a new Yahoo item needs a store-category path and product category: set newItemDefaults'));
    return out;
  }
  const form = new URLSearchParams({
    seller_id: deps.sellerId,
    item_code: draft.externalItemId,
    path: defaults.path,
    name: draft.name,
    product_category: defaults.productCategory,
    // §2.1: the highest sub-code price becomes the item price anyway.
    price: String(Math.max(...variants.map((v) => v.priceYen))),
  });
  if (draft.description) form.set('caption', draft.description);
  const withSub = variants.filter((v) => subCodeOf(v.listing));
  if (withSub.length) {
    const { options, subcodes } = buildVariantOptions(withSub.map((v) => ({ attributes: v.attributes, subCode: subCodeOf(v.listing) })));
    form.set('options', options);
    form.set('subcodes', subcodes);
    if (new Set(withSub.map((v) => v.priceYen)).size > 1) {
      form.set('subcode_param', withSub.map((v) => `${subCodeOf(v.listing)}=price:${v.priceYen}`).join('|'));
    }
  }
  let error: MallError | undefined;
  try {
    const { data } = await deps.transport.sendParsed({ api: 'editItem', method: 'POST', form }, editItemSchema);
    const r = data.ResultSet.Result;
    if (r.Status === 'NG') error = ngFromErrors('editItem', r.Error ?? []);
  } catch (caught) {
    if (!(caught instanceof MallError)) throw caught;
    error = caught;
  }
  for (const v of variants) out.set(v, error ? itemFailure(v.listing.id, error) : { key: v.listing.id, ok: true });
  return out;
}

function ngFromErrors(endpoint: string, errors: { Target?: string | undefined; Code?: string | undefined; Message?: string | undefined }[]): MallError {
  const first = errors[0];
  return new MallError({
    mall: 'yahoo',
    endpoint,
    kind: 'invalid-request',
    message: `Yahoo refused the item: ${errors.map((e) => `${e.Target ? `${e.Target}: ` : ''}${e.Message ?? e.Code ?? 'error'}`).join('; ') || 'Status NG'}`,
    ...(first?.Code ? { code: first.Code } : {}),
  });
}

/**
 * An existing item: name and prices via updateItems, which leaves every other field alone. editItem
 * would reset whatever it is not sent (§2.1), so adding sub-codes to an existing item is refused here.
 */
async function updateExisting(deps: ItemDeps, draft: ItemDraft, variants: ItemDraftVariant[], existing: ExistingItem): Promise<Map<ItemDraftVariant, ItemResult>> {
  const out = new Map<ItemDraftVariant, ItemResult>();
  const known = new Set(existing.subCodes.map((s) => s.code));
  const updatable: ItemDraftVariant[] = [];
  for (const v of variants) {
    const sub = subCodeOf(v.listing);
    if ((sub && !known.has(sub)) || (!sub && known.size > 0)) {
      out.set(
        v,
        fail(v.listing.id, 'updateItems', sub ? `sub-code ${sub} is not on Yahoo item ${draft.externalItemId}: add new variants in Store Creator Pro` : `Yahoo item ${draft.externalItemId} has sub-codes: give this variant one`),
      );
    } else updatable.push(v);
  }
  if (!updatable.length) return out;
  const update: YahooItemUpdate = { itemCode: draft.externalItemId, name: draft.name };
  const salePrice = /^\d+$/.test(existing.salePrice) ? Number(existing.salePrice) : null;
  if (known.size) {
    const prices: Record<string, number> = {};
    for (const s of existing.subCodes) prices[s.code] = Number(s.price && /^\d+$/.test(s.price) ? s.price : existing.price);
    for (const v of updatable) prices[subCodeOf(v.listing)] = v.priceYen;
    update.subcodePrices = prices;
    update.price = Math.max(...Object.values(prices));
  } else {
    update.price = updatable[0]!.priceYen;
  }
  // §2.5: price travels with sale_price; resend the current one so an update does not end a sale.
  update.salePrice = salePrice;
  const [result] = await updateItems(deps, [update]);
  for (const v of updatable) out.set(v, result!.ok ? { key: v.listing.id, ok: true } : { ...result!, key: v.listing.id });
  return out;
}

/**
 * updateItems (§2.5), up to 100 items a call. The call is all-or-nothing, so after an NG the items Yahoo
 * named are reported failed and the rest are sent once more without them.
 */
export async function updateItems(deps: ItemDeps, updates: YahooItemUpdate[]): Promise<ItemResult[]> {
  const results = new Map<YahooItemUpdate, ItemResult>();
  const valid: YahooItemUpdate[] = [];
  for (const u of updates) {
    const problem = updateProblem(u);
    if (problem) results.set(u, fail(u.itemCode, 'updateItems', problem));
    else valid.push(u);
  }
  for (let i = 0; i < valid.length; i += UPDATE_ITEMS_BATCH_SIZE) {
    let batch = valid.slice(i, i + UPDATE_ITEMS_BATCH_SIZE);
    for (let round = 0; round < 2 && batch.length; round++) {
      const outcome = await sendUpdateBatch(deps, batch);
      if (outcome.ok) {
        for (const u of batch) results.set(u, { key: u.itemCode, ok: true });
        batch = [];
        break;
      }
      const named = batch.filter((u) => outcome.failed.has(u.itemCode));
      for (const u of named) results.set(u, itemFailure(u.itemCode, outcome.failed.get(u.itemCode)!));
      const rest = batch.filter((u) => !outcome.failed.has(u.itemCode));
      // Nothing named, or a second NG: these items cannot be told apart from the failure.
      if (named.length === 0 || round === 1) {
        for (const u of rest) results.set(u, itemFailure(u.itemCode, outcome.error));
        batch = [];
      } else batch = rest;
    }
  }
  return updates.map((u) => results.get(u)!);
}

function updateProblem(u: YahooItemUpdate): string | undefined {
  if (!CODE_RE.test(u.itemCode)) return `item code "${u.itemCode}" is not 1-99 half-width alphanumerics or "-"`;
  if ((u.price === undefined) !== (u.salePrice === undefined)) return 'price and salePrice must be given together (§2.5; salePrice null = none)';
  for (const [name, value] of [
    ['price', u.price],
    ['salePrice', u.salePrice ?? undefined],
    ['originalPrice', u.originalPrice],
    ...Object.entries(u.subcodePrices ?? {}),
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > 99_999_999)) return `${name} must be 1-99,999,999 yen (§2.5 it-02008)`;
  }
  return undefined;
}

type BatchOutcome = { ok: true } | { ok: false; failed: Map<string, MallError>; error: MallError };

async function sendUpdateBatch(deps: ItemDeps, batch: YahooItemUpdate[]): Promise<BatchOutcome> {
  const form = new URLSearchParams({ seller_id: deps.sellerId });
  batch.forEach((u, i) => {
    const inner = new URLSearchParams({ item_code: u.itemCode });
    if (u.name !== undefined) inner.set('name', u.name);
    if (u.price !== undefined) {
      inner.set('price', String(u.price));
      inner.set('sale_price', u.salePrice == null ? '' : String(u.salePrice));
    }
    if (u.originalPrice !== undefined) inner.set('original_price', String(u.originalPrice));
    if (u.display !== undefined) inner.set('display', u.display ? '1' : '0');
    if (u.subcodePrices) inner.set('subcode_price', Object.entries(u.subcodePrices).map(([sub, p]) => `${sub}:${p}`).join('|'));
    // §2.5: each itemN is a query string, percent-encoded once more as the form value (double encoding).
    form.set(`item${i + 1}`, inner.toString());
  });
  try {
    const { data } = await deps.transport.sendParsed({ api: 'updateItems', method: 'POST', form }, updateItemsSchema);
    if (data.ResultSet.Status === 'OK') return { ok: true };
    const failed = new Map<string, MallError>();
    const all: Parameters<typeof ngFromErrors>[1] = [];
    for (const r of data.ResultSet.Result ?? []) {
      const errors = r.Error ?? [];
      all.push(...errors);
      if (r.ItemCode && batch.some((u) => u.itemCode === r.ItemCode)) failed.set(r.ItemCode, ngFromErrors('updateItems', errors));
    }
    return { ok: false, failed, error: ngFromErrors('updateItems', all) };
  } catch (caught) {
    if (!(caught instanceof MallError)) throw caught;
    return { ok: false, failed: new Map(), error: caught };
  }
}

/** §2.6 reservePublish mode=1 with no time: publish every pending edit now (or as soon as Yahoo's queue allows). */
export async function publish(deps: ItemDeps): Promise<{ reserveTime: string }> {
  const form = new URLSearchParams({ seller_id: deps.sellerId, mode: '1' });
  const { data } = await deps.transport.sendParsed({ api: 'reservePublish', method: 'POST', form }, reservePublishSchema);
  return { reserveTime: data.ResultSet.ReserveTime };
}
