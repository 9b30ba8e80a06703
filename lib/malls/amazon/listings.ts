import { z } from 'zod';
import type { Listing } from '../../catalog/schemas';
import { MallError, itemFailure, type ItemResult } from '../errors';
import type { ItemDraft, ItemDraftVariant, ProgressReport, StockPush, StockReading } from '../types';
import type { FeedMessageInput, FeedPatch, FeedsApi } from './feeds';
import type { SpApi } from './spapi';
import { chunk, pool, toMallError } from './util';
import type { CallPatience } from '../../http/client';

/**
 * Listings Items API 2021-08-01 (spec §4) and, for large updates, JSON_LISTINGS_FEED (spec §5): stock,
 * lead time, price and new offers of merchant-fulfilled (DEFAULT channel) listings.
 */

type AmazonListing = Extract<Listing, { mall: 'amazon' }>;

const issueSchema = z.object({
  code: z.string(),
  message: z.string(),
  severity: z.enum(['ERROR', 'WARNING', 'INFO']),
  attributeNames: z.array(z.string()).optional(),
});

const submissionAnswer = z.object({
  sku: z.string(),
  status: z.enum(['ACCEPTED', 'INVALID', 'VALID']),
  submissionId: z.string(),
  issues: z.array(issueSchema).optional(),
});
type Submission = z.infer<typeof submissionAnswer>;

const itemSchema = z.object({
  sku: z.string(),
  summaries: z
    .array(z.object({ marketplaceId: z.string(), productType: z.string().optional(), itemName: z.string().optional(), asin: z.string().optional() }))
    .optional(),
  fulfillmentAvailability: z.array(z.object({ fulfillmentChannelCode: z.string(), quantity: z.number().int().nonnegative().optional() })).optional(),
});
type Item = z.infer<typeof itemSchema>;

const searchAnswer = z.object({
  numberOfResults: z.number().int().nonnegative(),
  items: z.array(itemSchema),
  pagination: z.object({ nextToken: z.string().optional() }).optional(),
});

/** Merchant-fulfilled stock lives in the DEFAULT channel (spec §4.3). */
const MFN_CHANNEL = 'DEFAULT';
/** searchListingsItems takes at most 20 identifiers and 20 results per page (spec §4.1). */
const SEARCH_BATCH = 20;
/** In flight at once: the patch bucket holds 5 (spec §4.5); more would only queue at the limiter. */
const PATCH_CONCURRENCY = 5;

export interface FulfillmentUpdate {
  key: string;
  sku: string;
  entry: { quantity?: number; lead_time_to_ship_max_days?: number };
}

function isAmazon(listing: Listing): listing is AmazonListing {
  return listing.mall === 'amazon';
}

function submissionFailure(key: string, op: string, s: Submission): ItemResult {
  const errors = (s.issues ?? []).filter((i) => i.severity === 'ERROR');
  const first = errors[0];
  return itemFailure(key, {
    mall: 'amazon',
    endpoint: op,
    kind: 'invalid-request',
    ...(first ? { code: first.code } : {}),
    ...(first?.attributeNames?.[0] ? { field: first.attributeNames[0] } : {}),
    message: errors.length > 0 ? errors.map((e) => `${e.code}: ${e.message}`).join('; ') : `Amazon answered ${s.status} without an error issue`,
  });
}

export class ListingsApi {
  /** Product type per seller SKU, learnt from reads, so patches name the SKU's own type (spec §4.2). */
  private readonly productTypes = new Map<string, string>();

  constructor(
    private readonly api: SpApi,
    private readonly feeds: FeedsApi,
  ) {}

  private get cfg() {
    return this.api.cfg;
  }

  private itemPath(sku: string): string {
    return `/listings/2021-08-01/items/${this.api.sellerPath}/${encodeURIComponent(sku)}`;
  }

  private learn(item: Item): void {
    const type = item.summaries?.find((s) => s.marketplaceId === this.cfg.marketplaceId)?.productType ?? item.summaries?.[0]?.productType;
    if (type) this.productTypes.set(item.sku, type);
  }

  productTypeOf(sku: string): string {
    return this.productTypes.get(sku) ?? this.cfg.defaultProductType;
  }

  // -------------------------------------------------------------------------------------------
  // reads

  /** getListingsItem; undefined for 404. */
  async getItem(sku: string, includedData: readonly string[]): Promise<Item | undefined> {
    try {
      const { data } = await this.api.call({
        op: 'getListingsItem',
        method: 'GET',
        path: this.itemPath(sku),
        query: { marketplaceIds: [this.cfg.marketplaceId], includedData, issueLocale: this.cfg.issueLocale },
        schema: itemSchema,
      });
      this.learn(data);
      return data;
    } catch (caught) {
      if (caught instanceof MallError && caught.kind === 'not-found') return undefined;
      throw caught;
    }
  }

  /** searchListingsItems by up to 20 SKUs. */
  async searchBySku(skus: readonly string[], includedData: readonly string[], patience?: CallPatience): Promise<Item[]> {
    const items: Item[] = [];
    let pageToken: string | undefined;
    do {
      const { data } = await this.api.call({
        op: 'searchListingsItems',
        method: 'GET',
        path: `/listings/2021-08-01/items/${this.api.sellerPath}`,
        query: {
          marketplaceIds: [this.cfg.marketplaceId],
          identifiers: skus,
          identifiersType: 'SKU',
          includedData,
          pageSize: SEARCH_BATCH,
          pageToken,
          issueLocale: this.cfg.issueLocale,
        },
        schema: searchAnswer,
        ...(patience ? { patience } : {}),
      });
      for (const item of data.items) this.learn(item);
      items.push(...data.items);
      pageToken = data.pagination?.nextToken;
    } while (pageToken);
    return items;
  }

  /**
   * Shown merchant-fulfilled stock. SKUs go 20 per searchListingsItems call (20× fewer requests than
   * getListingsItem at the same 5 rps); a SKU with a comma cannot travel in the comma-separated
   * identifiers list and is read with getListingsItem. Listings Amazon does not have are left out.
   */
  async readStock(listings: Listing[], patience?: CallPatience): Promise<StockReading[]> {
    const wanted = listings.filter(isAmazon);
    const bySku = new Map<string, AmazonListing[]>();
    for (const l of wanted) bySku.set(l.amazon.sellerSku, [...(bySku.get(l.amazon.sellerSku) ?? []), l]);
    const skus = [...bySku.keys()];
    const included = ['summaries', 'fulfillmentAvailability'];
    const plain = skus.filter((s) => !s.includes(','));
    const odd = skus.filter((s) => s.includes(','));
    // A few calls in flight hide network latency; the limiter still spaces them at 5 per second.
    const found: Item[] = (await pool(chunk(plain, SEARCH_BATCH), 3, (batch) => this.searchBySku(batch, included, patience))).flat();
    for (const sku of odd) {
      const item = await this.getItem(sku, included);
      if (item) found.push(item);
    }
    const readings: StockReading[] = [];
    for (const item of found) {
      const mfn = item.fulfillmentAvailability?.find((f) => f.fulfillmentChannelCode === MFN_CHANNEL);
      // A DEFAULT entry without a quantity is "always available" (is_inventory_available): no count to report.
      if (mfn && mfn.quantity === undefined) continue;
      for (const l of bySku.get(item.sku) ?? []) readings.push({ listingId: l.id, quantity: mfn?.quantity ?? 0 });
    }
    return readings;
  }

  // -------------------------------------------------------------------------------------------
  // writes

  /**
   * patchListingsItem. If Amazon refuses a patch sent with a guessed product type, the SKU's own type is
   * read and the patch sent once more with it (spec §4.2: PRODUCT is not accepted for every SKU).
   */
  async patch(key: string, sku: string, patches: FeedPatch[]): Promise<ItemResult> {
    try {
      const known = this.productTypes.has(sku);
      let productType = this.productTypeOf(sku);
      for (let second = false; ; second = true) {
        const s = await this.sendPatch(sku, productType, patches);
        if (s.status === 'ACCEPTED') return { key, ok: true };
        if (s.status === 'INVALID' && !known && !second) {
          const item = await this.getItem(sku, ['summaries']);
          if (!item) {
            return itemFailure(key, { mall: 'amazon', endpoint: 'patchListingsItem', kind: 'not-found', message: `Amazon has no listing with seller SKU ${sku}` });
          }
          const own = this.productTypes.get(sku);
          if (own && own !== productType) {
            productType = own;
            continue;
          }
        }
        if (s.status === 'VALID') {
          return itemFailure(key, { mall: 'amazon', endpoint: 'patchListingsItem', kind: 'unexpected-response', field: 'status', message: 'VALID is only answered to VALIDATION_PREVIEW' });
        }
        return submissionFailure(key, 'patchListingsItem', s);
      }
    } catch (caught) {
      return itemFailure(key, toMallError(caught, 'patchListingsItem'));
    }
  }

  private async sendPatch(sku: string, productType: string, patches: FeedPatch[]): Promise<Submission> {
    const { data } = await this.api.call({
      op: 'patchListingsItem',
      method: 'PATCH',
      path: this.itemPath(sku),
      query: { marketplaceIds: [this.cfg.marketplaceId], issueLocale: this.cfg.issueLocale },
      body: { productType, patches },
      schema: submissionAnswer,
    });
    return data;
  }

  /**
   * Quantity / lead time of the DEFAULT channel with `merge`, which changes only the given fields
   * (spec §4.3); never PUT, which replaces the whole listing. Up to `patchThreshold` items go as single
   * patches: at 5 rps (burst 5) 100 patches take ≤ 20 s, well inside one sync run and quicker than a
   * feed, which waits minutes in Amazon's queue (spec §5.4) and spends one of only 5 JSON_LISTINGS_FEED
   * submissions per 5 minutes. Above it patch time grows by a second per 5 items (1,000 ≈ 3⅓ min) while
   * one feed carries up to 25,000, so the feed wins.
   */
  async applyFulfillment(updates: FulfillmentUpdate[], onProgress?: (p: ProgressReport) => void, retryWithOwnTypes = true): Promise<ItemResult[]> {
    const patchesFor = (u: FulfillmentUpdate): FeedPatch[] => [
      { op: 'merge', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: MFN_CHANNEL, ...u.entry }] },
    ];
    if (updates.length <= this.cfg.patchThreshold) {
      let done = 0;
      return pool(updates, PATCH_CONCURRENCY, async (u) => {
        const result = await this.patch(u.key, u.sku, patchesFor(u));
        onProgress?.({ done: ++done, total: updates.length });
        // The moment this listing changed, not the batch's end: the shelf guard tells its sales by it.
        return result.ok ? { ...result, at: this.cfg.now() } : result;
      });
    }
    const guessed = new Set(updates.filter((u) => !this.productTypes.has(u.sku)).map((u) => u.sku));
    const messages: FeedMessageInput[] = updates.map((u) => ({ key: u.key, sku: u.sku, productType: this.productTypeOf(u.sku), patches: patchesFor(u) }));
    const results = await this.feeds.submit(messages, onProgress);
    return retryWithOwnTypes ? this.retryGuessedTypes(updates, results, guessed) : results;
  }

  /**
   * Messages refused while we only guessed their product type are sent once more with the SKU's own
   * type, read 20 at a time; otherwise a shop whose SKUs do not take PRODUCT would fail every feed.
   */
  private async retryGuessedTypes(updates: FulfillmentUpdate[], results: ItemResult[], guessed: Set<string>): Promise<ItemResult[]> {
    const refused = updates.filter((u, i) => {
      const r = results[i];
      return r !== undefined && !r.ok && r.error.kind === 'invalid-request' && guessed.has(u.sku);
    });
    if (refused.length === 0) return results;
    try {
      const skus = [...new Set(refused.map((u) => u.sku))];
      for (const batch of chunk(skus.filter((s) => !s.includes(',')), SEARCH_BATCH)) await this.searchBySku(batch, ['summaries']);
      for (const sku of skus.filter((s) => s.includes(','))) await this.getItem(sku, ['summaries']);
    } catch {
      return results;
    }
    const again = refused.filter((u) => (this.productTypes.get(u.sku) ?? this.cfg.defaultProductType) !== this.cfg.defaultProductType);
    if (again.length === 0) return results;
    const second = await this.applyFulfillment(again, undefined, false);
    const byKey = new Map(again.map((u, i) => [u.key, second[i] as ItemResult]));
    return updates.map((u, i) => byKey.get(u.key) ?? (results[i] as ItemResult));
  }

  async pushStock(pushes: StockPush[], onProgress?: (p: ProgressReport) => void): Promise<ItemResult[]> {
    return this.guarded(
      pushes.map((p) => ({ listing: p.listing, value: p.quantity })),
      'quantity',
      (v) => Number.isInteger(v) && v >= 0,
      onProgress,
    );
  }

  /** Lead time to ship lives inside fulfillment_availability (spec §4.3). */
  async setLeadTime(updates: { listing: Listing; days: number }[]): Promise<ItemResult[]> {
    return this.guarded(
      updates.map((u) => ({ listing: u.listing, value: u.days })),
      'lead_time_to_ship_max_days',
      (v) => Number.isInteger(v) && v >= 0,
    );
  }

  /** Refuses bad input per item before sending; one result per input, in input order. */
  private async guarded(
    inputs: { listing: Listing; value: number }[],
    field: 'quantity' | 'lead_time_to_ship_max_days',
    valid: (v: number) => boolean,
    onProgress?: (p: ProgressReport) => void,
  ): Promise<ItemResult[]> {
    const results = new Array<ItemResult>(inputs.length);
    // The last value per listing wins; the same listing twice in one feed would race in Amazon's queue.
    const latest = new Map<string, { index: number[]; sku: string; value: number }>();
    inputs.forEach((input, index) => {
      const { listing, value } = input;
      if (!isAmazon(listing)) {
        results[index] = itemFailure(listing.id, { mall: 'amazon', endpoint: 'patchListingsItem', kind: 'invalid-request', message: `listing ${listing.id} belongs to ${listing.mall}` });
      } else if (!valid(value)) {
        results[index] = itemFailure(listing.id, { mall: 'amazon', endpoint: 'patchListingsItem', kind: 'invalid-request', field, message: `${field} must be a whole number of 0 or more, not ${value}` });
      } else {
        const prior = latest.get(listing.id);
        latest.set(listing.id, { index: [...(prior?.index ?? []), index], sku: listing.amazon.sellerSku, value });
      }
    });
    const updates = [...latest].map(([key, u]) => ({ key, sku: u.sku, entry: { [field]: u.value } }));
    const outcome = await this.applyFulfillment(updates, onProgress);
    [...latest.values()].forEach((u, i) => {
      for (const index of u.index) results[index] = outcome[i] as ItemResult;
    });
    return results;
  }

  /**
   * One listing per variant: putListingsItem creates a SKU Amazon does not have yet (an offer on a known
   * ASIN, or a new product), patchListingsItem updates price, quantity and name of one it has, since PUT
   * would replace everything else on it (spec §4.2). Variation families (parent SKU, variation theme) are
   * not built: each variant is its own offer.
   */
  async upsertItem(draft: ItemDraft): Promise<ItemResult[]> {
    return pool(draft.variants, 2, async (variant) => {
      const key = variant.listing.id;
      const listing = variant.listing;
      if (!isAmazon(listing)) {
        return itemFailure(key, { mall: 'amazon', endpoint: 'putListingsItem', kind: 'invalid-request', message: `listing ${listing.id} belongs to ${listing.mall}` });
      }
      if (!Number.isInteger(variant.priceYen) || variant.priceYen <= 0) {
        return itemFailure(key, { mall: 'amazon', endpoint: 'putListingsItem', kind: 'invalid-request', field: 'priceYen', message: 'the price must be a whole number of yen above 0' });
      }
      try {
        const existing = await this.getItem(listing.amazon.sellerSku, ['summaries']);
        return existing ? await this.updateOffer(key, listing, draft, variant, existing) : await this.createOffer(key, listing, draft, variant);
      } catch (caught) {
        return itemFailure(key, toMallError(caught, 'getListingsItem'));
      }
    });
  }

  private itemName(draft: ItemDraft, variant: ItemDraftVariant): string {
    return [draft.name, ...Object.values(variant.attributes)].filter((s) => s.trim() !== '').join(' ');
  }

  private offerEntry(priceYen: number): Record<string, unknown> {
    // The JP offer is selected by marketplace, currency and audience ALL (spec §4.3).
    return { marketplace_id: this.cfg.marketplaceId, currency: 'JPY', audience: 'ALL', our_price: [{ schedule: [{ value_with_tax: priceYen }] }] };
  }

  private async createOffer(key: string, listing: AmazonListing, draft: ItemDraft, variant: ItemDraftVariant): Promise<ItemResult> {
    const mp = this.cfg.marketplaceId;
    const asin = listing.amazon.asin;
    const attributes: Record<string, unknown> = {
      condition_type: [{ value: 'new_new', marketplace_id: mp }],
      purchasable_offer: [this.offerEntry(variant.priceYen)],
      // A new offer shows nothing until the stock sync pushes a count.
      fulfillment_availability: [{ fulfillment_channel_code: MFN_CHANNEL, quantity: variant.quantity ?? 0 }],
    };
    if (asin) {
      attributes.merchant_suggested_asin = [{ value: asin, marketplace_id: mp }];
    } else {
      attributes.item_name = [{ value: this.itemName(draft, variant), language_tag: 'ja_JP', marketplace_id: mp }];
      if (draft.description) attributes.product_description = [{ value: draft.description, language_tag: 'ja_JP', marketplace_id: mp }];
    }
    const sku = listing.amazon.sellerSku;
    const productType = this.productTypeOf(sku);
    try {
      const { data } = await this.api.call({
        op: 'putListingsItem',
        method: 'PUT',
        path: this.itemPath(sku),
        query: { marketplaceIds: [mp], issueLocale: this.cfg.issueLocale },
        // An offer on an existing ASIN carries sales terms only; a new product needs its facts too (spec §4.2).
        body: { productType, requirements: asin ? 'LISTING_OFFER_ONLY' : 'LISTING', attributes },
        schema: submissionAnswer,
      });
      if (data.status === 'ACCEPTED') {
        this.productTypes.set(sku, productType);
        return { key, ok: true };
      }
      return submissionFailure(key, 'putListingsItem', data);
    } catch (caught) {
      return itemFailure(key, toMallError(caught, 'putListingsItem'));
    }
  }

  private async updateOffer(key: string, listing: AmazonListing, draft: ItemDraft, variant: ItemDraftVariant, existing: Item): Promise<ItemResult> {
    const mp = this.cfg.marketplaceId;
    const patches: FeedPatch[] = [{ op: 'merge', path: '/attributes/purchasable_offer', value: [this.offerEntry(variant.priceYen)] }];
    if (variant.quantity !== undefined) {
      patches.push({ op: 'merge', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: MFN_CHANNEL, quantity: variant.quantity }] });
    }
    const name = this.itemName(draft, variant);
    const current = existing.summaries?.find((s) => s.marketplaceId === mp)?.itemName;
    // Only when it changed: a name is a product fact, and every submission of one is a catalog contribution.
    if (current !== name) patches.push({ op: 'replace', path: '/attributes/item_name', value: [{ value: name, language_tag: 'ja_JP', marketplace_id: mp }] });
    return this.patch(key, listing.amazon.sellerSku, patches);
  }
}
