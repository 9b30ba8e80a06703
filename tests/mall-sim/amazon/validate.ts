/**
 * A small stand-in for Amazon's Product Type Definitions: the value rules of the attributes a JP FBM
 * seller edits (spec §4.3), the JSON-patch semantics of Listings Items and JSON_LISTINGS_FEED (spec §4.3,
 * §5.2), and the issue objects Amazon answers with (spec §4.4). Attributes it does not know are taken as
 * they come, as long as they have the `[{…}]` shape every attribute has.
 */

export type AttrEntry = Record<string, unknown>;
export type Attributes = Record<string, AttrEntry[]>;

export interface ListingIssue {
  code: string;
  message: string;
  severity: 'ERROR' | 'WARNING' | 'INFO';
  attributeNames?: string[];
  /** Required by the model's Issue definition. */
  categories: string[];
}

export interface PatchOp {
  op: 'add' | 'replace' | 'merge' | 'delete';
  path: string;
  value?: AttrEntry[];
}

/*
 * Issue codes. 90220 (missing attribute) and 90000900 (invalid attributes) are the codes of the listings
 * model's own sandbox examples and of issue reports (jlevers/selling-partner-api #861); Amazon's finer
 * value codes are not documented, so every bad value uses 90000900 with a message that names the rule.
 */
export const ISSUE_MISSING = '90220';
export const ISSUE_INVALID = '90000900';

export function missingIssue(attribute: string, message = `'${attribute}' is required but not supplied.`): ListingIssue {
  return { code: ISSUE_MISSING, message, severity: 'ERROR', attributeNames: [attribute], categories: ['MISSING_ATTRIBUTE'] };
}

export function invalidIssue(attribute: string, message: string, category = 'INVALID_ATTRIBUTE'): ListingIssue {
  return { code: ISSUE_INVALID, message, severity: 'ERROR', attributeNames: [attribute], categories: [category] };
}

export const CONDITION_TYPES = [
  'new_new',
  'new_open_box',
  'new_oem',
  'refurbished_refurbished',
  'used_like_new',
  'used_very_good',
  'used_good',
  'used_acceptable',
  'collectible_like_new',
  'collectible_very_good',
  'collectible_good',
  'collectible_acceptable',
  'club_club',
];

export interface ValueRules {
  marketplaceId: string;
  currency: string;
  leadTimeRange: [number, number];
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isObj = (v: unknown): v is AttrEntry => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Selector fields that identify one entry of an attribute for merge / delete (spec §4.3). */
export function selectorsOf(attribute: string): string[] {
  if (attribute === 'fulfillment_availability') return ['fulfillment_channel_code'];
  if (attribute === 'purchasable_offer') return ['marketplace_id', 'currency', 'audience'];
  return ['marketplace_id', 'language_tag'];
}

function selectorKey(attribute: string, entry: AttrEntry, rules: ValueRules): string {
  return selectorsOf(attribute)
    .map((s) => {
      const v = entry[s];
      // An offer without marketplace_id / audience is the JP "ALL" offer (spec §4.3).
      if (v === undefined && attribute === 'purchasable_offer') return s === 'audience' ? 'ALL' : s === 'marketplace_id' ? rules.marketplaceId : '';
      return v === undefined ? '' : String(v);
    })
    .join('\u0000');
}

function checkPrice(entry: AttrEntry, field: string, rules: ValueRules, issues: ListingIssue[]): void {
  const value = entry[field];
  if (value === undefined) return;
  const schedules = Array.isArray(value) ? value : [];
  const prices = schedules.flatMap((p) => (isObj(p) && Array.isArray(p.schedule) ? (p.schedule as unknown[]) : [undefined]));
  if (schedules.length === 0 || prices.length === 0) {
    issues.push(invalidIssue('purchasable_offer', `'${field}' must be [{"schedule":[{"value_with_tax":<price>}]}].`, 'INVALID_PRICE'));
    return;
  }
  for (const s of prices) {
    const v = isObj(s) ? s.value_with_tax : undefined;
    if (typeof v !== 'number' || !(v > 0)) {
      issues.push(invalidIssue('purchasable_offer', `The value '${String(v)}' for 'value_with_tax' in '${field}' must be a number greater than 0.`, 'INVALID_PRICE'));
    } else if (rules.currency === 'JPY' && !Number.isInteger(v)) {
      issues.push(invalidIssue('purchasable_offer', `The value '${v}' for 'value_with_tax' in '${field}' must be a whole number of yen.`, 'INVALID_PRICE'));
    }
  }
}

/** Value rules for one attribute's entries (after a patch was applied, or as PUT sends them). */
export function checkAttribute(name: string, entries: unknown, rules: ValueRules): ListingIssue[] {
  const issues: ListingIssue[] = [];
  if (!Array.isArray(entries) || !entries.every(isObj)) {
    return [invalidIssue(name, 'The attributes are invalid.')];
  }
  if (name === 'fulfillment_availability') {
    for (const e of entries) {
      const channel = e.fulfillment_channel_code;
      if (typeof channel !== 'string' || channel === '') {
        // Amazon's wording for a missing selector (jlevers/selling-partner-api #493).
        issues.push(
          missingIssue(
            name,
            "The field 'fulfillment_channel_code' for the attribute 'fulfillment_availability' does not have enough values. The required minimum is '1' value(s).",
          ),
        );
        continue;
      }
      if (channel !== 'DEFAULT' && !/^AMAZON_[A-Z]{2}$/.test(channel)) {
        issues.push(invalidIssue(name, `The value '${channel}' for 'fulfillment_channel_code' is not valid.`));
      }
      if (e.quantity !== undefined && (!isInt(e.quantity) || e.quantity < 0)) {
        issues.push(invalidIssue(name, `The value '${String(e.quantity)}' for 'quantity' in 'fulfillment_availability' is invalid. It must be a whole number of 0 or more.`));
      }
      if (e.quantity !== undefined && e.is_inventory_available !== undefined) {
        issues.push(invalidIssue(name, "'quantity' and 'is_inventory_available' cannot both be provided in 'fulfillment_availability'."));
      }
      if (e.is_inventory_available !== undefined && typeof e.is_inventory_available !== 'boolean') {
        issues.push(invalidIssue(name, "'is_inventory_available' in 'fulfillment_availability' must be true or false."));
      }
      const lead = e.lead_time_to_ship_max_days;
      const [lo, hi] = rules.leadTimeRange;
      if (lead !== undefined && (!isInt(lead) || lead < lo || lead > hi)) {
        issues.push(invalidIssue(name, `The value '${String(lead)}' for 'lead_time_to_ship_max_days' is invalid. It must be a whole number from ${lo} to ${hi}.`));
      }
      if (e.restock_date !== undefined && (typeof e.restock_date !== 'string' || Number.isNaN(Date.parse(e.restock_date)))) {
        issues.push(invalidIssue(name, "'restock_date' in 'fulfillment_availability' must be an ISO 8601 date."));
      }
    }
  } else if (name === 'purchasable_offer') {
    for (const e of entries) {
      if (e.currency === undefined) issues.push(missingIssue(name, "'currency' is required in 'purchasable_offer'."));
      else if (e.currency !== rules.currency) {
        issues.push(invalidIssue(name, `The currency '${String(e.currency)}' is not valid for marketplace ${rules.marketplaceId}; use ${rules.currency}.`, 'INVALID_PRICE'));
      }
      if (e.marketplace_id !== undefined && e.marketplace_id !== rules.marketplaceId) {
        issues.push(invalidIssue(name, `The marketplace_id '${String(e.marketplace_id)}' does not match the request's marketplace.`));
      }
      if (e.audience !== undefined && e.audience !== 'ALL' && e.audience !== 'B2B') {
        issues.push(invalidIssue(name, `The audience '${String(e.audience)}' is not valid.`));
      }
      for (const field of ['our_price', 'discounted_price', 'minimum_seller_allowed_price', 'maximum_seller_allowed_price']) {
        checkPrice(e, field, rules, issues);
      }
    }
  } else if (name === 'condition_type') {
    for (const e of entries) {
      if (typeof e.value !== 'string' || !CONDITION_TYPES.includes(e.value)) {
        issues.push(invalidIssue(name, `The value '${String(e.value)}' for 'condition_type' is not valid.`));
      }
    }
  } else if (name === 'item_name') {
    for (const e of entries) {
      if (typeof e.value !== 'string' || e.value.trim() === '') issues.push(invalidIssue(name, "'item_name' must have a non-empty value."));
    }
  } else if (name === 'merchant_suggested_asin') {
    for (const e of entries) {
      if (typeof e.value !== 'string' || !/^[A-Z0-9]{10}$/.test(e.value)) {
        issues.push(invalidIssue(name, `The value '${String(e.value)}' for 'merchant_suggested_asin' is not a valid ASIN.`));
      }
    }
  }
  return issues;
}

export interface PatchOutcome {
  attributes: Attributes;
  issues: ListingIssue[];
  touched: string[];
}

const clone = <T>(v: T): T => structuredClone(v);

/**
 * JSON-patch at attribute level (spec §4.3): add/replace swap the whole attribute, merge updates only the
 * given sub-fields of the entry with the same selectors, delete removes the entries whose selectors match.
 * Only `/attributes/<name>` paths are patchable (spec §4.2).
 */
export function applyPatchOps(current: Attributes, patches: PatchOp[], rules: ValueRules): PatchOutcome {
  const attributes = clone(current);
  const issues: ListingIssue[] = [];
  const touched: string[] = [];
  for (const patch of patches) {
    const m = /^\/attributes\/([A-Za-z0-9_]+)$/.exec(patch.path);
    if (!m) {
      issues.push(invalidIssue(patch.path, `The path '${patch.path}' is not valid. Only top-level attributes (/attributes/<name>) can be patched.`));
      continue;
    }
    const name = m[1] as string;
    const value = patch.value ?? [];
    touched.push(name);
    if (patch.op === 'add' || patch.op === 'replace') {
      attributes[name] = clone(value);
      continue;
    }
    const selectors = selectorsOf(name);
    const missingSelector = value.some((v) => selectors.every((s) => v[s] === undefined || v[s] === ''));
    if (name === 'fulfillment_availability' && missingSelector) {
      issues.push(...checkAttribute(name, value, rules).filter((i) => i.code === ISSUE_MISSING));
      continue;
    }
    const existing = attributes[name] ?? [];
    if (patch.op === 'merge') {
      for (const v of value) {
        const key = selectorKey(name, v, rules);
        const target = existing.find((e) => selectorKey(name, e, rules) === key);
        if (target) Object.assign(target, clone(v));
        else existing.push(clone(v));
      }
      attributes[name] = existing;
    } else {
      if (value.length === 0) {
        issues.push(invalidIssue(name, `Deleting '${name}' needs the selector values of the entries to delete.`));
        continue;
      }
      const keys = new Set(value.map((v) => selectorKey(name, v, rules)));
      const left = existing.filter((e) => !keys.has(selectorKey(name, e, rules)));
      if (left.length > 0) attributes[name] = left;
      else delete attributes[name];
    }
  }
  for (const name of new Set(touched)) {
    if (attributes[name]) issues.push(...checkAttribute(name, attributes[name], rules));
  }
  return { attributes, issues, touched };
}
