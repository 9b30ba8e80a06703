import { itemFailure, MallError, type ItemResult } from '../errors';
import type { ItemDraft, ItemDraftVariant, StockPush } from '../types';
import { itemCreatedSchema, itemErrorsBodySchema, itemSchema, type ItemModel, type RmsError } from './schemas';
import { parseBody, rakutenError, type RakutenTransport } from './transport';

export interface RakutenItemDefaults {
  /** ジャンルID, required to create an item (spec §4.1); Ichigen's drafts carry none. */
  genreId?: string;
  /**
   * Every new variant needs a JAN or an exemption reason (IE0229, spec §4.2); drafts carry no JAN.
   * Default 5, the reason in the spec's minimal upsert sample (§11).
   */
  articleNumberExemptionReason?: number;
}

/** Selector keys for the labels shops use most; other labels get `axisN` (keys are ASCII to be safe). */
const KNOWN_SELECTOR_KEYS: Record<string, string> = { カラー: 'color', 色: 'color', サイズ: 'size', タイプ: 'type' };

interface Selector {
  key: string;
  displayName: string;
  values: string[];
}

/**
 * The item's variantSelectors after the draft: a list field, so PATCH replaces it whole (spec §4
 * I-PATCH) and it must keep every value existing variants use. Labels already on the item keep their key.
 */
function mergeSelectors(existing: ItemModel | undefined, draft: ItemDraft): Selector[] {
  const selectors: Selector[] = (existing?.variantSelectors ?? []).map((s) => ({ key: s.key, displayName: s.displayName, values: s.values.map((v) => v.displayValue) }));
  for (const v of draft.variants) {
    for (const [label, value] of Object.entries(v.attributes)) {
      let s = selectors.find((x) => x.displayName === label);
      if (!s) {
        const known = KNOWN_SELECTOR_KEYS[label];
        let key = known && !selectors.some((x) => x.key === known) ? known : '';
        for (let n = 1; !key; n++) if (!selectors.some((x) => x.key === `axis${n}`)) key = `axis${n}`;
        s = { key, displayName: label, values: [] };
        selectors.push(s);
      }
      if (!s.values.includes(value)) s.values.push(value);
    }
  }
  return selectors;
}

function variantBody(v: ItemDraftVariant, selectors: Selector[], isNew: boolean, defaults: RakutenItemDefaults): Record<string, unknown> {
  const listing = v.listing;
  const selectorValues: Record<string, string> = {};
  for (const [label, value] of Object.entries(v.attributes)) {
    const s = selectors.find((x) => x.displayName === label);
    if (s) selectorValues[s.key] = value;
  }
  return {
    // standardPrice is documented as a string (spec §4.2).
    standardPrice: String(v.priceYen),
    // システム連携用SKU番号: the shop's SKU code, so RMS screens and CSVs show the link back.
    ...(listing.mall === 'rakuten' ? { merchantDefinedSkuId: listing.skuCode } : {}),
    ...(Object.keys(selectorValues).length > 0 ? { selectorValues } : {}),
    ...(isNew ? { articleNumber: { exemptionReason: defaults.articleNumberExemptionReason ?? 5 } } : {}),
  };
}

/** `variants.{variantId}…` → the variant an ItemAPI error is about. */
function variantOf(e: RmsError): string | undefined {
  return /^variants\.([A-Za-z0-9_-]+)/.exec(e.metadata?.propertyPath ?? '')?.[1];
}

export async function upsertItem(
  t: RakutenTransport,
  draft: ItemDraft,
  defaults: RakutenItemDefaults,
  pushStock: (pushes: StockPush[]) => Promise<ItemResult[]>,
): Promise<ItemResult[]> {
  const manageNumber = draft.externalItemId;
  const results = new Map<string, ItemResult>();
  const fail = (keys: string[], e: MallError) => keys.forEach((k) => results.set(k, itemFailure(k, e)));
  const valid: ItemDraftVariant[] = [];
  for (const v of draft.variants) {
    if (v.listing.mall !== 'rakuten' || v.listing.rakuten.manageNumber.toLowerCase() !== manageNumber.toLowerCase()) {
      fail([v.listing.id], new MallError({ mall: 'rakuten', endpoint: 'items.upsert', kind: 'invalid-request', message: `listing ${v.listing.id} is not a variant of Rakuten item ${manageNumber}` }));
    } else valid.push(v);
  }
  const keys = valid.map((v) => v.listing.id);
  const variantIdOf = (v: ItemDraftVariant) => (v.listing.mall === 'rakuten' ? v.listing.rakuten.variantId : '');
  const path = `/es/2.0/items/manage-numbers/${encodeURIComponent(manageNumber)}`;
  const finish = () => draft.variants.map((v) => results.get(v.listing.id)!);
  if (valid.length === 0) return finish();

  let endpoint = 'items.get';
  try {
    const got = await t.send({ endpoint, bucket: 'items.get', method: 'GET', path });
    if (got.status !== 200 && got.status !== 404) throw rakutenError(endpoint, got.status, got.json);
    const existing = got.status === 200 ? parseBody(endpoint, got, itemSchema) : undefined;
    const selectors = mergeSelectors(existing, { ...draft, variants: valid });
    const variants = Object.fromEntries(valid.map((v) => [variantIdOf(v), variantBody(v, selectors, !existing?.variants[variantIdOf(v)], defaults)]));
    const description = draft.description ? { productDescription: { pc: draft.description, sp: draft.description } } : {};
    const selectorField = selectors.length > 0 ? { variantSelectors: selectors.map((s) => ({ key: s.key, displayName: s.displayName, values: s.values.map((displayValue) => ({ displayValue })) })) } : {};

    let res;
    if (existing) {
      // PATCH, not PUT: PUT replaces the whole item and would wipe images, genre, shipping settings and
      // everything else the merchant set in RMS (spec §4 upsert semantics). Only the fields Ichigen owns
      // are sent; server fields (manageNumber, created, updated) never are, RMS refuses them (IE0002).
      endpoint = 'items.patch';
      res = await t.send({ endpoint, bucket: 'items.patch', method: 'PATCH', path, body: { title: draft.name, ...description, ...selectorField, variants } });
    } else {
      endpoint = 'items.upsert';
      if (!defaults.genreId) {
        fail(keys, new MallError({ mall: 'rakuten', endpoint, kind: 'invalid-request', field: 'genreId', message: `creating item ${manageNumber} needs a genreId (ジャンルID); set it in the Rakuten settings` }));
        return finish();
      }
      res = await t.send({ endpoint, bucket: 'items.upsert', method: 'PUT', path, body: { title: draft.name, itemType: 'NORMAL', genreId: defaults.genreId, ...description, ...selectorField, variants } });
      if (res.status === 201) parseBody(endpoint, res, itemCreatedSchema);
    }
    if (res.status !== 200 && res.status !== 201 && res.status !== 204) {
      const parsed = res.status === 400 ? itemErrorsBodySchema.safeParse(res.json) : undefined;
      if (!parsed?.success) throw rakutenError(endpoint, res.status, res.json);
      // The item is accepted or refused as a whole: a variant without an error of its own is refused too.
      const general = parsed.data.errors.find((e) => !variantOf(e)) ?? parsed.data.errors[0]!;
      for (const v of valid) {
        const own = parsed.data.errors.find((e) => variantOf(e) === variantIdOf(v));
        const e = own ?? general;
        results.set(
          v.listing.id,
          itemFailure(v.listing.id, {
            mall: 'rakuten',
            endpoint,
            kind: 'invalid-request',
            status: res.status,
            code: e.code,
            message: own ? (e.message ?? e.code) : `item refused: ${e.message ?? e.code}`,
            ...(e.metadata?.propertyPath ? { field: e.metadata.propertyPath } : {}),
          }),
        );
      }
      return finish();
    }
  } catch (caught) {
    if (!(caught instanceof MallError)) throw caught;
    fail(keys, caught);
    return finish();
  }
  for (const k of keys) results.set(k, { key: k, ok: true });

  // Stock is not part of the item (spec §4.3): it goes through InventoryAPI, ABSOLUTE like every push.
  const withStock = valid.filter((v) => v.quantity !== undefined);
  if (withStock.length > 0) {
    const pushed = await pushStock(withStock.map((v) => ({ listing: v.listing, quantity: v.quantity! })));
    for (const r of pushed) if (!r.ok) results.set(r.key, r);
  }
  return finish();
}
