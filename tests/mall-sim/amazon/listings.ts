import type { SeedListing, SimContext } from '../core/types';
import { csv, type Call, type Handler } from './call';
import type { ResolvedOptions } from './options';
import { hexId, invalidInput, iso, SpApiFailure } from './respond';
import {
  applyPatchOps,
  checkAttribute,
  CONDITION_TYPES,
  missingIssue,
  type AttrEntry,
  type Attributes,
  type ListingIssue,
  type PatchOp,
  type ValueRules,
} from './validate';

/** Listings Items API 2021-08-01 (spec §4): the seller's listings, their shown stock and prices. */

export interface ListingRecord {
  sku: string;
  asin?: string;
  productType: string;
  attributes: Attributes;
  createdAt: number;
  updatedAt: number;
}

/** What a submission (API call or feed message) would do: its issues, and the change to make if accepted. */
export interface Evaluation {
  issues: ListingIssue[];
  commit?: () => void;
}

type Requirements = 'LISTING' | 'LISTING_PRODUCT_ONLY' | 'LISTING_OFFER_ONLY';

/** `our_price[0].schedule[0].value_with_tax` of one purchasable_offer entry. */
function offerPrice(offer: AttrEntry | undefined): number | undefined {
  const ourPrice = offer?.our_price;
  const first = Array.isArray(ourPrice) ? (ourPrice[0] as { schedule?: { value_with_tax?: unknown }[] } | undefined) : undefined;
  const v = first?.schedule?.[0]?.value_with_tax;
  return typeof v === 'number' ? v : undefined;
}

export class ListingsStore {
  readonly records = new Map<string, ListingRecord>();
  /** Shop SKU code ↔ seller SKU, from the seed; survives a DELETE + PUT of the same seller SKU. */
  private readonly sellerSkuBySkuCode = new Map<string, string>();
  private pending: { at: number; commit: () => void }[] = [];
  readonly rules: ValueRules;

  constructor(
    private readonly ctx: SimContext,
    private readonly opts: ResolvedOptions,
  ) {
    this.rules = { marketplaceId: ctx.credentials.amazon.marketplaceId, currency: 'JPY', leadTimeRange: opts.leadTimeRange };
  }

  private get marketplaceId(): string {
    return this.ctx.credentials.amazon.marketplaceId;
  }

  reset(): void {
    this.records.clear();
    this.sellerSkuBySkuCode.clear();
    this.pending = [];
  }

  bySkuCode(skuCode: string): ListingRecord | undefined {
    const sellerSku = this.sellerSkuBySkuCode.get(skuCode);
    return sellerSku === undefined ? undefined : this.records.get(sellerSku);
  }

  /** Shown stock by shop SKU code, for listed SKUs only. */
  shownStock(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [skuCode, sellerSku] of this.sellerSkuBySkuCode) {
      const record = this.records.get(sellerSku);
      if (record) out.set(skuCode, this.shownQuantity(record));
    }
    return out;
  }

  seed(listings: SeedListing[]): void {
    const now = this.ctx.clock.now();
    const mp = this.marketplaceId;
    for (const l of listings) {
      if (!l.amazon) continue;
      const label = [l.productName, l.variant.color, l.variant.size].filter(Boolean).join(' ');
      this.sellerSkuBySkuCode.set(l.skuCode, l.amazon.sellerSku);
      this.records.set(l.amazon.sellerSku, {
        sku: l.amazon.sellerSku,
        asin: l.amazon.asin,
        productType: this.opts.seedProductType,
        createdAt: now,
        updatedAt: now,
        attributes: {
          item_name: [{ value: label, language_tag: 'ja_JP', marketplace_id: mp }],
          condition_type: [{ value: 'new_new', marketplace_id: mp }],
          fulfillment_availability: [
            { fulfillment_channel_code: 'DEFAULT', quantity: l.stock, lead_time_to_ship_max_days: this.opts.seedLeadTimeDays },
          ],
          purchasable_offer: [{ marketplace_id: mp, currency: 'JPY', audience: 'ALL', our_price: [{ schedule: [{ value_with_tax: l.price }] }] }],
        },
      });
    }
  }

  /** Applies delayed (ACCEPTED but not yet live) changes whose time has come. */
  tick(now: number): void {
    if (this.pending.length === 0) return;
    const due = this.pending.filter((p) => p.at <= now);
    this.pending = this.pending.filter((p) => p.at > now);
    for (const p of due) p.commit();
  }

  /** Runs an accepted change now or, with `listingsApplyDelayMs`, once mall time has moved on. */
  schedule(commit: () => void): void {
    if (this.opts.listingsApplyDelayMs <= 0) commit();
    else this.pending.push({ at: this.ctx.clock.now() + this.opts.listingsApplyDelayMs, commit });
  }

  // -------------------------------------------------------------------------------------------
  // stock as buyers see it

  /** Merchant-fulfilled quantity (the DEFAULT channel); 0 when the seller has none or is "always available" off. */
  shownQuantity(record: ListingRecord): number {
    const entry = (record.attributes.fulfillment_availability ?? []).find((e) => e.fulfillment_channel_code === 'DEFAULT');
    if (!entry) return 0;
    if (entry.is_inventory_available === true) return Number.MAX_SAFE_INTEGER;
    return typeof entry.quantity === 'number' ? entry.quantity : 0;
  }

  /** Buyer orders and cancellations move the DEFAULT quantity. */
  adjustQuantity(record: ListingRecord, delta: number): void {
    const entry = (record.attributes.fulfillment_availability ?? []).find((e) => e.fulfillment_channel_code === 'DEFAULT');
    if (!entry || entry.is_inventory_available === true || typeof entry.quantity !== 'number') return;
    entry.quantity = Math.max(0, entry.quantity + delta);
    record.updatedAt = this.ctx.clock.now();
  }

  price(record: ListingRecord): number | undefined {
    return offerPrice((record.attributes.purchasable_offer ?? []).find((o) => (o.audience ?? 'ALL') === 'ALL'));
  }

  itemName(record: ListingRecord): string | undefined {
    const v = record.attributes.item_name?.[0]?.value;
    return typeof v === 'string' ? v : undefined;
  }

  isBuyable(record: ListingRecord): boolean {
    return record.asin !== undefined && this.price(record) !== undefined && this.shownQuantity(record) > 0;
  }

  // -------------------------------------------------------------------------------------------
  // submissions shared by the Listings Items API and JSON_LISTINGS_FEED

  private productTypeIssue(record: ListingRecord | undefined, productType: string): ListingIssue | undefined {
    const check = this.opts.productTypeCheck;
    if (!record || check === 'off' || productType === record.productType) return undefined;
    if (check === 'allow-PRODUCT' && productType === 'PRODUCT') return undefined;
    // 4000003 is the code a rejected product type drew in jlevers/selling-partner-api #349; the wording is ours.
    return {
      code: '4000003',
      message: `The Amazon product type '${productType}' does not match the product type '${record.productType}' of SKU '${record.sku}'.`,
      severity: 'ERROR',
      categories: ['INVALID_ATTRIBUTE'],
    };
  }

  private touch(sku: string, productType: string): ListingRecord {
    let record = this.records.get(sku);
    if (!record) {
      const now = this.ctx.clock.now();
      record = { sku, productType, attributes: {}, createdAt: now, updatedAt: now };
      this.records.set(sku, record);
    }
    return record;
  }

  evaluatePatch(sku: string, productType: string, patches: PatchOp[]): Evaluation {
    const record = this.records.get(sku);
    if (!record && this.opts.patchUnknownSku === 'invalid') {
      // Simulator-chosen code: Amazon itself accepts such a patch (see options.patchUnknownSku).
      return { issues: [{ code: '4000001', message: `SKU '${sku}' does not exist.`, severity: 'ERROR', categories: [] }] };
    }
    const ptIssue = this.productTypeIssue(record, productType);
    if (ptIssue) return { issues: [ptIssue] };
    const outcome = applyPatchOps(record?.attributes ?? {}, patches, this.rules);
    if (outcome.issues.some((i) => i.severity === 'ERROR')) return { issues: outcome.issues };
    return {
      issues: outcome.issues,
      // Re-applied at commit time, so a delayed change lands on the state of that moment.
      commit: () => {
        const target = this.touch(sku, productType);
        target.attributes = applyPatchOps(target.attributes, patches, this.rules).attributes;
        target.updatedAt = this.ctx.clock.now();
      },
    };
  }

  /** PUT replaces the whole listing (spec §4.2); required attributes depend on `requirements`. */
  evaluatePut(sku: string, productType: string, requirements: Requirements, attributes: Record<string, unknown>): Evaluation {
    const record = this.records.get(sku);
    const issues: ListingIssue[] = [];
    const ptIssue = this.productTypeIssue(record, productType);
    if (ptIssue) issues.push(ptIssue);
    const required =
      requirements === 'LISTING_OFFER_ONLY'
        ? ['condition_type', ...(record?.asin ? [] : ['merchant_suggested_asin'])]
        : requirements === 'LISTING_PRODUCT_ONLY'
          ? ['item_name']
          : ['item_name', 'condition_type'];
    for (const name of required) if (attributes[name] === undefined) issues.push(missingIssue(name));
    for (const [name, entries] of Object.entries(attributes)) issues.push(...checkAttribute(name, entries, this.rules));
    if (issues.some((i) => i.severity === 'ERROR')) return { issues };
    const next = structuredClone(attributes) as Attributes;
    return {
      issues,
      commit: () => {
        const target = this.touch(sku, productType);
        target.productType = productType;
        target.attributes = structuredClone(next);
        const suggested = next.merchant_suggested_asin?.[0]?.value;
        if (!target.asin) target.asin = typeof suggested === 'string' ? suggested : `B0${hexId(4).toUpperCase()}`;
        target.updatedAt = this.ctx.clock.now();
      },
    };
  }

  evaluateDelete(sku: string): Evaluation {
    return { issues: [], commit: () => void this.records.delete(sku) };
  }

  // -------------------------------------------------------------------------------------------
  // views

  private conditionType(record: ListingRecord): string | undefined {
    const v = record.attributes.condition_type?.[0]?.value;
    return typeof v === 'string' && CONDITION_TYPES.includes(v) ? v : undefined;
  }

  /** Issues Amazon keeps on the listing itself (what `includedData=issues` shows). */
  standingIssues(record: ListingRecord): ListingIssue[] {
    const issues: ListingIssue[] = [];
    if (!record.attributes.item_name) issues.push(missingIssue('item_name'));
    if (!record.attributes.condition_type) issues.push(missingIssue('condition_type'));
    if (this.price(record) === undefined) {
      issues.push({ ...missingIssue('purchasable_offer'), categories: ['MISSING_PRICE'] });
    }
    if (!record.attributes.fulfillment_availability) issues.push(missingIssue('fulfillment_availability'));
    return issues;
  }

  itemView(record: ListingRecord, included: readonly string[]): Record<string, unknown> {
    const mp = this.marketplaceId;
    const item: Record<string, unknown> = { sku: record.sku };
    if (included.includes('summaries')) {
      const status: string[] = [];
      if (record.asin) status.push('DISCOVERABLE');
      if (this.isBuyable(record)) status.unshift('BUYABLE');
      const summary: Record<string, unknown> = {
        marketplaceId: mp,
        productType: record.productType,
        status,
        createdDate: iso(record.createdAt),
        lastUpdatedDate: iso(record.updatedAt),
      };
      if (record.asin) summary.asin = record.asin;
      const condition = this.conditionType(record);
      if (condition) summary.conditionType = condition;
      const name = this.itemName(record);
      if (name) summary.itemName = name;
      item.summaries = [summary];
    }
    if (included.includes('attributes')) item.attributes = structuredClone(record.attributes);
    if (included.includes('issues')) item.issues = this.standingIssues(record).map((i) => ({ ...i, marketplaceIds: [mp] }));
    if (included.includes('offers')) {
      item.offers = (record.attributes.purchasable_offer ?? []).flatMap((o) => {
        const price = offerPrice(o);
        if (price === undefined) return [];
        const audience = typeof o.audience === 'string' ? o.audience : 'ALL';
        return [
          {
            marketplaceId: mp,
            offerType: audience === 'B2B' ? 'B2B' : 'B2C',
            price: { currencyCode: 'JPY', amount: String(price) },
            audience: { value: audience, displayName: audience === 'B2B' ? 'Amazon Business' : 'Sell on Amazon' },
          },
        ];
      });
    }
    if (included.includes('fulfillmentAvailability')) {
      item.fulfillmentAvailability = (record.attributes.fulfillment_availability ?? []).map((e) => {
        const out: Record<string, unknown> = { fulfillmentChannelCode: String(e.fulfillment_channel_code) };
        if (typeof e.quantity === 'number') out.quantity = e.quantity;
        return out;
      });
    }
    if (included.includes('procurement')) item.procurement = [];
    if (included.includes('relationships')) item.relationships = [{ marketplaceId: mp, relationships: [] }];
    if (included.includes('productTypes')) item.productTypes = [{ marketplaceId: mp, productType: record.productType }];
    return item;
  }

  // -------------------------------------------------------------------------------------------
  // HTTP handlers

  private checkMarketplaces(call: Call, max?: number): void {
    const ids = csv(call.query, 'marketplaceIds');
    if (max !== undefined && ids.length > max) throw invalidInput(`marketplaceIds accepts at most ${max} value.`);
    const other = ids.find((id) => id !== this.marketplaceId);
    if (other) throw invalidInput(`Invalid marketplaceIds: '${other}' is not a marketplace this seller participates in.`);
  }

  private notFound(sku: string): SpApiFailure {
    return new SpApiFailure(404, [
      { code: this.opts.notFoundCode, message: `SKU '${sku}' not found in marketplace ${this.marketplaceId}`, details: '' },
    ]);
  }

  /** PUT/PATCH/DELETE answer: `{sku, status, submissionId, issues?, identifiers?}` (spec §4.4). */
  private submissionAnswer(call: Call, evaluation: Evaluation, allowIncluded: boolean): void {
    const sku = call.params.sku ?? '';
    const preview = call.query.get('mode') === 'VALIDATION_PREVIEW';
    const included = allowIncluded ? (call.query.has('includedData') ? csv(call.query, 'includedData') : ['issues']) : ['issues'];
    if (included.includes('identifiers') && !preview) {
      throw invalidInput("includedData 'identifiers' can only be requested when mode is VALIDATION_PREVIEW.");
    }
    const invalid = evaluation.issues.some((i) => i.severity === 'ERROR');
    const status = invalid ? 'INVALID' : preview ? 'VALID' : 'ACCEPTED';
    if (status === 'ACCEPTED' && evaluation.commit) this.schedule(evaluation.commit);
    const body: Record<string, unknown> = { sku, status, submissionId: hexId() };
    if (included.includes('issues')) body.issues = evaluation.issues;
    if (included.includes('identifiers')) {
      const asin = this.records.get(sku)?.asin;
      body.identifiers = asin && !invalid ? [{ marketplaceId: this.marketplaceId, asin }] : [];
    }
    call.ok(200, body);
  }

  readonly handlers: Record<'getListingsItem' | 'putListingsItem' | 'patchListingsItem' | 'deleteListingsItem' | 'searchListingsItems', Handler> = {
    getListingsItem: (call) => {
      this.checkMarketplaces(call);
      const sku = call.params.sku ?? '';
      const record = this.records.get(sku);
      if (!record) throw this.notFound(sku);
      const included = call.query.has('includedData') ? csv(call.query, 'includedData') : ['summaries'];
      call.ok(200, this.itemView(record, included));
    },

    patchListingsItem: (call) => {
      this.checkMarketplaces(call);
      const body = call.body as { productType: string; patches: PatchOp[] };
      body.patches.forEach((p, i) => {
        // Amazon's 400 for a patch without value (jlevers/selling-partner-api #363); delete needs selectors too.
        if (p.value === undefined) throw invalidInput(`Value is missing for patch at index of ${i}.`);
      });
      this.submissionAnswer(call, this.evaluatePatch(call.params.sku ?? '', body.productType, body.patches), true);
    },

    putListingsItem: (call) => {
      this.checkMarketplaces(call, 1);
      const body = call.body as { productType: string; requirements?: Requirements; attributes: Record<string, unknown> };
      this.submissionAnswer(
        call,
        this.evaluatePut(call.params.sku ?? '', body.productType, body.requirements ?? 'LISTING', body.attributes),
        true,
      );
    },

    deleteListingsItem: (call) => {
      this.checkMarketplaces(call, 1);
      this.submissionAnswer(call, this.evaluateDelete(call.params.sku ?? ''), false);
    },

    searchListingsItems: (call) => {
      this.checkMarketplaces(call);
      const q = call.query;
      const identifiers = csv(q, 'identifiers');
      const identifiersType = q.get('identifiersType');
      if (identifiers.length > 0 && !identifiersType) throw invalidInput('identifiersType is required when identifiers is provided.');
      let records = [...this.records.values()];
      if (identifiers.length > 0) {
        const wanted = new Set(identifiers);
        records = records.filter((r) => (identifiersType === 'SKU' ? wanted.has(r.sku) : identifiersType === 'ASIN' ? wanted.has(r.asin ?? '') : false));
      }
      const withStatus = csv(q, 'withStatus');
      if (withStatus.includes('BUYABLE')) records = records.filter((r) => this.isBuyable(r));
      const sortBy = q.get('sortBy') ?? 'lastUpdatedDate';
      const dir = (q.get('sortOrder') ?? 'DESC') === 'ASC' ? 1 : -1;
      records.sort((a, b) => {
        const d = sortBy === 'sku' ? a.sku.localeCompare(b.sku) : sortBy === 'createdDate' ? a.createdAt - b.createdAt : a.updatedAt - b.updatedAt;
        return (d || a.sku.localeCompare(b.sku)) * dir;
      });
      const pageSize = Number(q.get('pageSize') ?? '10');
      if (!(pageSize >= 1 && pageSize <= 20)) throw invalidInput('pageSize must be between 1 and 20.');
      const token = q.get('pageToken');
      const offset = token ? Number.parseInt(Buffer.from(token, 'base64').toString('utf8').replace(/^offset:/, ''), 10) : 0;
      if (Number.isNaN(offset) || offset < 0) throw invalidInput('Invalid pageToken.');
      // Amazon pages through at most 1000 SKUs (spec §4.1).
      const limited = records.slice(0, 1000);
      const page = limited.slice(offset, offset + pageSize);
      const included = q.has('includedData') ? csv(q, 'includedData') : ['summaries'];
      const pagination: Record<string, string> = {};
      if (offset + pageSize < limited.length) pagination.nextToken = Buffer.from(`offset:${offset + pageSize}`).toString('base64');
      if (offset > 0) pagination.previousToken = Buffer.from(`offset:${Math.max(0, offset - pageSize)}`).toString('base64');
      const body: Record<string, unknown> = { numberOfResults: limited.length, items: page.map((r) => this.itemView(r, included)) };
      if (Object.keys(pagination).length > 0) body.pagination = pagination;
      call.ok(200, body);
    },
  };
}

