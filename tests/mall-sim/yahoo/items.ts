import type { RouteRequest } from '../core/types';
import { CODE_RE, formParams, isPrice, requireSeller } from './common';
import { CODES, SIM_CODES } from './errors';
import { type ItemFields, type ItemRecord, stockKey, type YahooState } from './state';
import {
  cdata,
  parseCompactJst,
  rfc3339,
  sendYahooError,
  sendYahooXml,
  type XmlNodeValue,
  type XmlTree,
  zenkakuWidth,
} from './xml';

// ---------------------------------------------------------------------------------------------
// Option / sub-code syntax (§2.1)

export interface ParsedOption {
  name: string;
  specId?: string;
  values: { value: string; specValueId?: string; charge?: string; unselectable: boolean }[];
}

export interface ParsedSubcode {
  subCode: string;
  options: { name: string; value: string }[];
}

export interface FieldError {
  target: string;
  code: string;
  message: string;
}

// §2.1: `<>;:&=#"\` and spaces are forbidden inside option names and values.
const FORBIDDEN = /[<>;:&=#"\\\s\u3000]/;

export function parseOptions(text: string | undefined): ParsedOption[] | FieldError {
  if (!text) return [];
  const err = (message: string): FieldError => ({ target: 'options', code: SIM_CODES.itemOptions, message });
  const parts = text.split('|');
  if (parts.length > 20) return err('options: at most 20 options and inscriptions');
  const out: ParsedOption[] = [];
  for (const part of parts) {
    const hash = part.indexOf('#');
    if (hash <= 0) return err(`options: "${part}" is not name#value,value`);
    const [name = '', specId, extra] = part.slice(0, hash).split(':');
    if (!name || extra !== undefined || FORBIDDEN.test(name)) return err(`options: invalid option name "${part.slice(0, hash)}"`);
    const rawValues = part.slice(hash + 1).split(',');
    if (rawValues.length > 100) return err(`options: option ${name} has more than 100 values`);
    const values: ParsedOption['values'] = [];
    for (let raw of rawValues) {
      const unselectable = raw.startsWith('=');
      if (unselectable) raw = raw.slice(1);
      const [main = '', charge, extraCharge] = raw.split(';');
      const [value = '', specValueId, extraValue] = main.split(':');
      if (!value || extraCharge !== undefined || extraValue !== undefined || FORBIDDEN.test(value)) {
        return err(`options: invalid value "${raw}" of option ${name}`);
      }
      if (charge !== undefined && !/^-?\d{1,8}$/.test(charge)) return err(`options: invalid charge "${charge}"`);
      values.push({ value, specValueId, charge, unselectable });
    }
    if (out.some((o) => o.name === name)) return err(`options: option ${name} appears twice`);
    out.push({ name, specId, values });
  }
  return out;
}

export function parseSubcodes(text: string | undefined): ParsedSubcode[] | FieldError {
  if (!text) return [];
  const err = (message: string): FieldError => ({ target: 'subcodes', code: SIM_CODES.itemSubcodes, message });
  const out: ParsedSubcode[] = [];
  for (const part of text.split('|')) {
    const eq = part.lastIndexOf('=');
    if (eq <= 0) return err(`subcodes: "${part}" is not opt:val#opt:val=SUBCODE`);
    const subCode = part.slice(eq + 1);
    if (!CODE_RE.test(subCode)) return err(`subcodes: invalid sub-code "${subCode}"`);
    const options: ParsedSubcode['options'] = [];
    for (const pair of part.slice(0, eq).split('#')) {
      const [name = '', value = '', extra] = pair.split(':');
      if (!name || !value || extra !== undefined) return err(`subcodes: "${pair}" is not option:value`);
      options.push({ name, value });
    }
    out.push({ subCode, options });
  }
  if (out.length > 100) return err('subcodes: at most 100 sub-codes');
  return out;
}

/**
 * §2.1 sub-code rules: every combination of the options the sub-codes use must get exactly one sub-code,
 * sub-codes are unique in the store and never equal an item code.
 */
function checkSubcodes(state: YahooState, itemCode: string, options: ParsedOption[], subs: ParsedSubcode[]): FieldError | null {
  if (subs.length === 0) return null;
  const err = (message: string): FieldError => ({ target: 'subcodes', code: SIM_CODES.itemSubcodes, message });
  const names = subs[0]!.options.map((o) => o.name);
  const used = names.map((n) => options.find((o) => o.name === n));
  if (used.some((o) => !o)) return err(`subcodes: option ${names.find((_, i) => !used[i])} is not in options`);
  const seenCombos = new Set<string>();
  const seenCodes = new Set<string>();
  for (const sub of subs) {
    if (sub.options.map((o) => o.name).join('#') !== names.join('#')) return err(`subcodes: ${sub.subCode} names other options than the first sub-code`);
    const unknown = sub.options.find((o, i) => !used[i]!.values.some((v) => v.value === o.value));
    if (unknown) return err(`subcodes: ${sub.subCode} uses ${unknown.name}:${unknown.value}, which is not in options`);
    const combo = sub.options.map((o) => o.value).join('#');
    if (seenCombos.has(combo)) return err(`subcodes: combination ${combo} has two sub-codes`);
    if (seenCodes.has(sub.subCode)) return err(`subcodes: sub-code ${sub.subCode} appears twice`);
    seenCombos.add(combo);
    seenCodes.add(sub.subCode);
    if (sub.subCode === itemCode || state.items.has(sub.subCode)) return err(`subcodes: sub-code ${sub.subCode} equals an item code`);
    for (const other of state.items.values()) {
      if (other.itemCode === itemCode) continue;
      if (subcodesOf(other.draft).some((s) => s.subCode === sub.subCode)) {
        return err(`subcodes: sub-code ${sub.subCode} is already used by item ${other.itemCode}`);
      }
    }
  }
  const combos = used.reduce((n, o) => n * o!.values.length, 1);
  if (seenCombos.size !== combos) return err(`subcodes: ${combos} option combinations need a sub-code each, ${seenCombos.size} given`);
  return null;
}

export function subcodesOf(fields: ItemFields): ParsedSubcode[] {
  const parsed = parseSubcodes(fields.subcodes);
  return Array.isArray(parsed) ? parsed : [];
}

function optionsOf(fields: ItemFields): ParsedOption[] {
  const parsed = parseOptions(fields.options);
  return Array.isArray(parsed) ? parsed : [];
}

/** Per-sub-code prices: updateItems' subcode_price wins over editItem's subcode_param (§2.1, §2.5). */
function subPrices(fields: ItemFields): Map<string, number> {
  const out = new Map<string, number>();
  for (const part of (fields.subcode_param ?? '').split('|')) {
    const [sub, rest] = part.split('=');
    const price = /(?:^|#)price:(\d+)/.exec(rest ?? '');
    if (sub && price) out.set(sub, Number(price[1]));
  }
  for (const part of (fields.subcode_price ?? '').split('|')) {
    const [sub, price] = part.split(':');
    if (sub && price) out.set(sub, Number(price));
  }
  return out;
}

/** Unit price a buyer pays for the live item (sale price when set). */
export function buyerPrice(fields: ItemFields, subCode: string): number {
  const sub = subCode ? subPrices(fields).get(subCode) : undefined;
  if (sub !== undefined) return sub;
  const sale = fields.sale_price ? Number(fields.sale_price) : NaN;
  return Number.isFinite(sale) && sale > 0 ? sale : Number(fields.price);
}

// ---------------------------------------------------------------------------------------------
// editItem validation (§2.1)

/** §2.1 defaults: editItem is a full overwrite, so omitted fields come back as these. */
export const EDIT_DEFAULTS: ItemFields = {
  taxable: '1',
  taxrate_type: '0.1',
  display: '1',
  hidden_page: '0::',
  delivery: '0',
  condition: '0',
  keep_stock: '1',
  postage_set: '1',
  point_immediate: '1',
};

const LIMITS: [field: string, maxZenkaku: number][] = [
  ['headline', 30],
  ['caption', 5000],
  ['abstract', 500],
  ['explanation', 500],
  ['meta_desc', 80],
];

function validateEdit(state: YahooState, f: ItemFields): FieldError[] {
  const errors: FieldError[] = [];
  const add = (target: string, code: string, message: string) => errors.push({ target, code, message });
  for (const req of ['item_code', 'path', 'name', 'product_category', 'price']) {
    if (!f[req]) add(req, SIM_CODES.itemRequired, `${req} is required.`);
  }
  if (f.item_code && !CODE_RE.test(f.item_code)) add('item_code', SIM_CODES.itemInvalid, 'item_code must be 1-99 half-width alphanumerics or "-".');
  if (f.path) {
    for (const path of f.path.split(/\r?\n/).filter(Boolean)) {
      const names = path.split(':');
      if (names.length > 8) add('path', CODES.pathTooDeep, 'path has more than 8 levels.');
      if (names.some((n) => zenkakuWidth(n) > 40 || !n)) add('path', CODES.pathNameTooLong, 'a path name is empty or longer than 20 full-width characters.');
    }
  }
  if (f.name && zenkakuWidth(f.name) > 150) add('name', CODES.nameTooLong, 'name is longer than 75 full-width characters.');
  if (f.product_category && !/^\d{1,10}$/.test(f.product_category)) add('product_category', SIM_CODES.itemInvalid, 'product_category must be an integer.');
  for (const p of ['price', 'original_price', 'sale_price', 'member_price']) {
    if (f[p] && !isPrice(f[p]!)) add(p, CODES.priceRange, `${p} must be 1-99,999,999.`);
  }
  for (const [field, max] of LIMITS) {
    if (f[field] && zenkakuWidth(f[field]!) > max * 2) add(field, SIM_CODES.itemInvalid, `${field} is longer than ${max} full-width characters.`);
  }
  const enumCheck = (field: string, allowed: string[]) => {
    if (f[field] !== undefined && f[field] !== '' && !allowed.includes(f[field]!)) add(field, SIM_CODES.itemInvalid, `${field} must be one of ${allowed.join(', ')}.`);
  };
  enumCheck('display', ['0', '1']);
  enumCheck('taxable', ['0', '1']);
  enumCheck('taxrate_type', ['0.1', '0.08']);
  enumCheck('keep_stock', ['0', '1']);
  enumCheck('delivery', ['0', '1', '2', '3']);
  enumCheck('condition', ['0', '1', '2', '3', '4', '5', '6', '7', '8']);
  const range = (field: string, lo: number, hi: number) => {
    const v = f[field];
    if (v && (!/^\d+$/.test(v) || Number(v) < lo || Number(v) > hi)) add(field, SIM_CODES.itemInvalid, `${field} must be ${lo}-${hi}.`);
  };
  range('sale_limit', 1, 999);
  range('point_code', 1, 15);
  range('postage_set', 1, 20);
  if (f.release_date && parseCompactJst(f.release_date, [8]) === null) add('release_date', SIM_CODES.itemInvalid, 'release_date must be YYYYMMDD.');
  for (const p of ['sale_period_start', 'sale_period_end']) {
    if (f[p] && parseCompactJst(f[p]!, [10, 12]) === null) add(p, SIM_CODES.itemInvalid, `${p} must be YYYYMMDDHH[MM].`);
  }
  if (f.item_code && !state.items.has(f.item_code)) {
    for (const other of state.items.values()) {
      if (subcodesOf(other.draft).some((s) => s.subCode === f.item_code)) add('item_code', SIM_CODES.itemInvalid, `item_code ${f.item_code} is used as a sub-code.`);
    }
  }
  const options = parseOptions(f.options);
  if (!Array.isArray(options)) errors.push(options);
  const subs = parseSubcodes(f.subcodes);
  if (!Array.isArray(subs)) errors.push(subs);
  if (Array.isArray(options) && Array.isArray(subs) && f.item_code) {
    const e = checkSubcodes(state, f.item_code, options, subs);
    if (e) errors.push(e);
    if (f.subcode_param) {
      for (const part of f.subcode_param.split('|')) {
        const sub = part.split('=')[0] ?? '';
        if (!subs.some((s) => s.subCode === sub)) errors.push({ target: 'subcode_param', code: SIM_CODES.itemSubcodes, message: `subcode_param: unknown sub-code ${sub}` });
      }
    }
  }
  return errors;
}

function resultXml(status: 'OK' | 'NG', errors: FieldError[] = []): XmlTree {
  const result: XmlTree = { Status: status };
  if (errors.length) result.Error = errors.map((e) => ({ Target: e.target, Code: e.code, Message: cdata(e.message) }));
  // A real OK answer carried an empty <Warning/> [T4 edit_item].
  else result.Warning = '';
  return { ResultSet: { Result: result } };
}

// ---------------------------------------------------------------------------------------------
// Handlers

export function editItem(state: YahooState, request: RouteRequest): void {
  const params = formParams(request);
  if (!requireSeller(state, request, params.get('seller_id'), 'seller_id')) return;
  const fields: ItemFields = { ...EDIT_DEFAULTS };
  for (const [k, v] of params) {
    // An empty value for a defaulted field means "not given", so the §2.1 default applies.
    if (k === 'seller_id' || (v === '' && k in EDIT_DEFAULTS)) continue;
    fields[k] = v;
  }
  if (fields.delivery === '2') fields.delivery = '1'; // §2.1: 2 is saved as 1
  const errors = validateEdit(state, fields);
  // §2.1 / §4: business errors come back 200 with Status=NG, and nothing is saved.
  if (errors.length) return sendYahooXml(request.res, 200, resultXml('NG', errors));
  const prices = subPrices(fields);
  if (prices.size) fields.price = String(Math.max(...prices.values())); // §2.1: highest sub-code price wins
  const now = state.ctx.clock.now();
  const existing = state.items.get(fields.item_code!);
  state.items.set(fields.item_code!, {
    itemCode: fields.item_code!,
    draft: fields,
    live: existing?.live,
    editing: true,
    updateTime: now,
  });
  sendYahooXml(request.res, 200, resultXml('OK'));
}

export function getItem(state: YahooState, request: RouteRequest): void {
  const params = formParams(request);
  if (!requireSeller(state, request, params.get('seller_id'), 'seller_id')) return;
  const code = params.get('item_code');
  const item = code ? state.items.get(code) : undefined;
  // §2.2: the real answer to an unknown code [T4].
  if (!item) return sendYahooError(request.res, 400, '指定された商品コードは存在しません。', CODES.itemNotFound);
  sendYahooXml(request.res, 200, { ResultSet: { '@_totalResultsReturned': '1', Result: itemXml(state, item, params.get('expand_spec') === '1') } });
}

function itemXml(state: YahooState, item: ItemRecord, expandSpec: boolean): XmlTree {
  const f = item.draft;
  const v = (k: string) => f[k] ?? '';
  const subs = subcodesOf(f);
  const options = optionsOf(f);
  const itemRow = state.stock.get(stockKey(item.itemCode, ''));
  const paths = v('path').split(/\r?\n/).filter(Boolean);
  const [hiddenFlag = '0', hiddenId = '', hiddenPw = ''] = v('hidden_page').split(':');
  const out: XmlTree = {
    ItemCode: item.itemCode,
    PathList: { Path: paths.map((p, i) => ({ '@_origFlag': i === 0 ? '1' : '0', '#cdata': p })) },
    Name: cdata(v('name')),
    ProductCategory: v('product_category'),
    OriginalPrice: v('original_price'),
    OriginalPriceEvidence: v('original_price_evidence'),
    Price: v('price'),
    SalePrice: v('sale_price'),
    MemberPrice: v('member_price'),
    Quantity: subs.length ? '' : itemRow?.quantity != null ? String(itemRow.quantity) : '',
    Headline: cdata(v('headline')),
    Caption: cdata(v('caption')),
    Abstract: cdata(v('abstract')),
    Explanation: cdata(v('explanation')),
    Additional1: cdata(v('additional1')),
    Additional2: cdata(v('additional2')),
    Additional3: cdata(v('additional3')),
    SpAdditional: cdata(v('sp_additional')),
    RelevantLinks: '',
    CartRelatedItems: f.cart_related_items ? { ItemCode: f.cart_related_items.split(',') } : '',
    ShipWeight: v('ship_weight'),
    Taxable: v('taxable'),
    TaxrateType: v('taxrate_type'),
    ReleaseDate: v('release_date'),
    PointCode: v('point_code'),
    MetaKey: '',
    MetaDesc: cdata(v('meta_desc')),
    HiddenPage: { HiddenFlag: hiddenFlag, Id: hiddenId, Password: hiddenPw },
    Display: v('display'),
    TemplateId: v('template'),
    TemplateName: '',
    SalePeriodStart: v('sale_period_start'),
    SalePeriodEnd: v('sale_period_end'),
    SaleLimit: v('sale_limit'),
    PrRate: '',
    SpCode: v('sp_code'),
    BrandCode: v('brand_code'),
    YahooProductCode: '',
    ProductCode: v('product_code'),
    Jan: v('jan'),
    Delivery: v('delivery'),
    LeadTimeInStock: v('lead_time_instock'),
    LeadTimeOutStock: v('lead_time_outstock'),
    Image: '',
    Condition: v('condition'),
  };
  for (let i = 1; i <= 10; i++) {
    const spec = f[`spec${i}`];
    if (!spec) continue;
    const [specId = '', values = ''] = spec.split(':');
    out[`Spec${i}`] = expandSpec
      ? { SpecId: specId, SpecName: '', SpecValue: { Value: values.split('|').map((id) => ({ '@_id': id, '@_name': '' })) } }
      : { SpecId: specId, SpecName: '', SpecValue: values, SpecValueName: '' };
  }
  // §2.2: Options / SubCodes are omitted entirely when empty.
  if (options.length) {
    const stockManaged = new Set(subs[0]?.options.map((o) => o.name) ?? []);
    out.Options = {
      Option: options.map((o) => ({
        '@_type': stockManaged.has(o.name) ? '1' : '2',
        '@_length': String(o.values.length),
        '@_name': o.name,
        '@_specId': o.specId ?? '',
        Value: o.values.map((val) => ({ '@_specValue': val.specValueId ?? '', '@_name': val.value })),
      })),
    };
  }
  if (subs.length) {
    const prices = subPrices(f);
    out.SubCodes = {
      SubCode: subs.map((s) => {
        const row = state.stock.get(stockKey(item.itemCode, s.subCode));
        return {
          '@_code': s.subCode,
          '@_quantity': row?.quantity != null ? String(row.quantity) : '',
          '@_stockClose': String(row?.stockClose ?? 0),
          Option: s.options.map((o) => ({ '@_name': o.name, '@_value': o.value })),
          Price: prices.has(s.subCode) ? String(prices.get(s.subCode)) : '',
        };
      }),
    };
  }
  Object.assign(out, {
    ShowStock: '1',
    UpdateTime: rfc3339(item.updateTime),
    EditingFlag: item.editing ? '1' : '0',
    KeepStock: v('keep_stock'),
    StockClose: subs.length ? '' : String(itemRow?.stockClose ?? 0),
    PostageSet: v('postage_set'),
    PointImmediate: v('point_immediate'),
  });
  return out;
}

const UPDATE_KEYS = new Set([
  'item_code',
  'name',
  'original_price',
  'price',
  'sale_price',
  'member_price',
  'sale_period_start',
  'sale_period_end',
  'display',
  'subcode_price',
]);

/**
 * §2.5 updateItems: item1…item100, each value a query string encoded once more as a form value.
 * All-or-nothing: one bad value and nothing is saved.
 */
export function updateItems(state: YahooState, request: RouteRequest): void {
  const params = formParams(request);
  if (!requireSeller(state, request, params.get('seller_id'), 'seller_id')) return;
  const res = request.res;
  const topErrors: FieldError[] = [];
  const numbered = new Map<number, string>();
  for (const [k, v] of params) {
    if (k === 'seller_id') continue;
    const m = /^item([1-9]\d*)$/.exec(k);
    // A single-encoded itemN value falls apart into top-level keys such as `name` or `price`; Yahoo
    // would silently drop them (?), which hides the bug, so the simulator says so.
    if (!m) topErrors.push({ target: k, code: SIM_CODES.updateItemsFormat, message: `unknown parameter ${k}; itemN values must be query strings encoded once more (double encoding)` });
    else numbered.set(Number(m[1]), v);
  }
  const count = numbered.size;
  if (count === 0) topErrors.push({ target: 'item1', code: SIM_CODES.updateItemsFormat, message: 'item1 is required.' });
  if (count > 100) topErrors.push({ target: `item${count}`, code: SIM_CODES.updateItemsFormat, message: 'at most 100 items (item1-item100).' });
  for (let i = 1; i <= count; i++) {
    if (!numbered.has(i)) topErrors.push({ target: `item${i}`, code: SIM_CODES.updateItemsFormat, message: `item${i} is missing; itemN must be consecutive from item1.` });
  }
  if (topErrors.length) return sendUpdateResult(res, 'NG', [{ itemCode: '', errors: topErrors }]);

  const planned: { item: ItemRecord; changes: ItemFields }[] = [];
  const results: { itemCode: string; errors: FieldError[] }[] = [];
  const seenCodes = new Set<string>();
  for (let i = 1; i <= count; i++) {
    const inner = new URLSearchParams(numbered.get(i)!);
    const errors: FieldError[] = [];
    const add = (target: string, code: string, message: string) => errors.push({ target, code, message });
    const changes: ItemFields = {};
    for (const [k, v] of inner) {
      if (!UPDATE_KEYS.has(k)) add(k, SIM_CODES.updateItemsFormat, `item${i}: ${k} cannot be updated by updateItems.`);
      else changes[k] = v;
    }
    const code = changes.item_code ?? '';
    const item = state.items.get(code);
    if (!code) add('item_code', SIM_CODES.itemRequired, `item${i}: item_code is required.`);
    else if (!item) add('item_code', CODES.itemNotFound, `item${i}: 指定された商品コードは存在しません。`);
    else if (seenCodes.has(code)) add('item_code', SIM_CODES.updateItemsFormat, `item${i}: ${code} appears twice.`);
    seenCodes.add(code);
    if (('price' in changes) !== ('sale_price' in changes)) {
      add('price', SIM_CODES.updateItemsFormat, 'price and sale_price must be sent together (send an empty sale_price if unused).');
    }
    if ('price' in changes && !isPrice(changes.price!)) add('price', CODES.priceRange, 'price must be 1-99,999,999.');
    for (const p of ['sale_price', 'original_price', 'member_price']) {
      if (changes[p] && !isPrice(changes[p]!)) add(p, CODES.priceRange, `${p} must be 1-99,999,999.`);
    }
    if ('name' in changes && (!changes.name || zenkakuWidth(changes.name) > 150)) add('name', CODES.nameTooLong, 'name must be 1-75 full-width characters.');
    if ('display' in changes && !['0', '1'].includes(changes.display!)) add('display', SIM_CODES.itemInvalid, 'display must be 0 or 1.');
    for (const p of ['sale_period_start', 'sale_period_end']) {
      if (changes[p] && parseCompactJst(changes[p]!, [10]) === null) add(p, SIM_CODES.itemInvalid, `${p} must be YYYYMMDDHH.`);
    }
    if (changes.subcode_price && item) {
      const subs = subcodesOf(item.draft).map((s) => s.subCode);
      const given = new Map<string, string>();
      for (const part of changes.subcode_price.split('|')) {
        const [sub = '', price = ''] = part.split(':');
        if (!subs.includes(sub)) add('subcode_price', SIM_CODES.itemSubcodes, `subcode_price: unknown sub-code ${sub}.`);
        else if (!isPrice(price)) add('subcode_price', CODES.priceRange, `subcode_price: price of ${sub} must be 1-99,999,999.`);
        given.set(sub, price);
      }
      if (subs.some((s) => !given.has(s))) add('subcode_price', SIM_CODES.itemSubcodes, 'subcode_price must list all sub-codes at once.');
    }
    results.push({ itemCode: code, errors });
    if (item) planned.push({ item, changes });
  }
  if (results.some((r) => r.errors.length)) return sendUpdateResult(res, 'NG', results.filter((r) => r.errors.length));
  const now = state.ctx.clock.now();
  for (const { item, changes } of planned) {
    const { item_code: _code, ...rest } = changes;
    item.draft = { ...item.draft, ...rest };
    item.editing = true; // §2.6: updates wait for 反映 like editItem's
    item.updateTime = now;
  }
  sendUpdateResult(res, 'OK', []);
}

function sendUpdateResult(res: RouteRequest['res'], status: 'OK' | 'NG', results: { itemCode: string; errors: FieldError[] }[]): void {
  const tree: XmlTree = { Status: status };
  if (results.length) {
    tree.Result = results.map((r) => ({
      ItemCode: r.itemCode,
      Error: r.errors.map((e) => ({ Target: e.target, Code: e.code, Message: cdata(e.message) })),
    }));
  }
  sendYahooXml(res, 200, { ResultSet: tree });
}

/** Makes every pending edit live (§2.6 "flip EditingFlag 1→0 and IsPublished 0→1"). */
export function publishAll(state: YahooState): void {
  for (const item of state.items.values()) {
    if (item.editing) {
      item.live = { ...item.draft };
      item.editing = false;
    }
  }
  for (const row of state.stock.values()) row.liveQuantity = row.quantity;
  state.publishAt = null;
}

export function runDuePublish(state: YahooState): void {
  if (state.publishAt !== null && state.ctx.clock.now() >= state.publishAt) publishAll(state);
}

/** §2.6 reservePublish: mode 1 reserve (empty time = now), 2 cancel, 3 query. */
export function reservePublish(state: YahooState, request: RouteRequest): void {
  const params = formParams(request);
  if (!requireSeller(state, request, params.get('seller_id'), 'seller_id')) return;
  const mode = params.get('mode');
  const now = state.ctx.clock.now();
  const answer = () =>
    sendYahooXml(request.res, 200, { ResultSet: { Status: 'OK', ReserveTime: state.publishAt === null ? '' : rfc3339(state.publishAt) } });
  if (mode === '1') {
    const time = params.get('reserve_time') ?? '';
    if (!time) {
      if (state.opts.publishDelayMs <= 0) {
        publishAll(state);
        return sendYahooXml(request.res, 200, { ResultSet: { Status: 'OK', ReserveTime: rfc3339(now) } });
      }
      state.publishAt = now + state.opts.publishDelayMs;
      return answer();
    }
    const at = parseCompactJst(time, [12]);
    if (at === null) return sendYahooError(request.res, 400, 'reserve_time must be YYYYMMDDHHmm.', SIM_CODES.publishParam);
    if (at > now + 7 * 24 * 3600 * 1000) return sendYahooError(request.res, 400, 'reserve_time must be within 7 days.', SIM_CODES.publishParam);
    state.publishAt = Math.max(at, now);
    runDuePublish(state);
    return answer();
  }
  if (mode === '2') {
    state.publishAt = null;
    return answer();
  }
  if (mode === '3') return answer();
  sendYahooError(request.res, 400, 'mode must be 1, 2 or 3.', SIM_CODES.publishParam);
}

/** §2.6 submitItem: publish one item. */
export function submitItem(state: YahooState, request: RouteRequest): void {
  const params = formParams(request);
  if (!requireSeller(state, request, params.get('seller_id'), 'seller_id')) return;
  const item = state.items.get(params.get('item_code') ?? '');
  if (!item) return sendYahooError(request.res, 400, '指定された商品コードは存在しません。', CODES.itemNotFound);
  item.live = { ...item.draft };
  item.editing = false;
  for (const row of state.stock.values()) if (row.itemCode === item.itemCode) row.liveQuantity = row.quantity;
  sendYahooXml(request.res, 200, { ResultSet: { Result: { Status: 'OK' } } });
}

/** §2.8 deleteItem: comma list, ≤100. Stock rows stay, as setStock keeps rows for unknown codes (§2.4). */
export function deleteItem(state: YahooState, request: RouteRequest): void {
  const params = formParams(request);
  if (!requireSeller(state, request, params.get('seller_id'), 'seller_id')) return;
  const codes = (params.get('item_code') ?? '').split(',').filter(Boolean);
  if (codes.length === 0 || codes.length > 100) return sendYahooError(request.res, 400, 'item_code must list 1-100 item codes.', SIM_CODES.itemInvalid);
  const missing = codes.find((c) => !state.items.has(c));
  if (missing) return sendYahooError(request.res, 400, '指定された商品コードは存在しません。', CODES.itemNotFound);
  for (const c of codes) state.items.delete(c);
  sendYahooXml(request.res, 200, { ResultSet: { Result: { Status: 'OK' } } });
}

/** §2.8 myItemList (field list incomplete in the spec, so only the basics). */
export function myItemList(state: YahooState, request: RouteRequest): void {
  const params = formParams(request);
  if (!requireSeller(state, request, params.get('seller_id'), 'seller_id')) return;
  const type = params.get('type') ?? 'item_code';
  const query = params.get('query') ?? '';
  const start = Number(params.get('start') ?? '1');
  const results = Number(params.get('results') ?? '20');
  if (!['item_code', 'name'].includes(type) || !(start >= 1) || !(results >= 1 && results <= 100)) {
    return sendYahooError(request.res, 400, 'type must be item_code|name, start ≥ 1, results 1-100.', SIM_CODES.itemInvalid);
  }
  const sort = params.get('sort') ?? '+item_code';
  const key = sort.slice(1) === 'name' ? 'name' : 'item_code';
  const all = [...state.items.values()]
    .filter((i) => !query || (i.draft[type] ?? '').includes(query))
    .sort((a, b) => (a.draft[key] ?? '').localeCompare(b.draft[key] ?? '') * (sort.startsWith('-') ? -1 : 1));
  const page = all.slice(start - 1, start - 1 + results);
  const rows: XmlNodeValue[] = page.map((i) => ({
    ItemCode: i.itemCode,
    Name: cdata(i.draft.name),
    Price: i.draft.price ?? '',
    SalePrice: i.draft.sale_price ?? '',
    Display: i.draft.display ?? '',
    EditingFlag: i.editing ? '1' : '0',
    UpdateTime: rfc3339(i.updateTime),
  }));
  sendYahooXml(request.res, 200, {
    ResultSet: {
      '@_totalResultsAvailable': String(all.length),
      '@_totalResultsReturned': String(page.length),
      '@_firstResultPosition': String(start),
      ...(rows.length ? { Result: rows } : {}),
    },
  });
}
