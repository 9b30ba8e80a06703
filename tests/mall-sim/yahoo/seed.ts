import type { SeedListing } from '../core/types';
import { EDIT_DEFAULTS } from './items';
import { type ItemFields, stockKey, type YahooState } from './state';
import { zenkakuWidth } from './xml';

// Same character rule as editItem's option syntax (§2.1), so seeded items survive a getItem → editItem round trip.
const clean = (s: string) => s.replace(/[<>;:&=#"\\\s\u3000|,]/g, '_');

function truncateZenkaku(text: string, maxUnits: number): string {
  let out = '';
  for (const ch of text) {
    if (zenkakuWidth(out + ch) > maxUnits) break;
    out += ch;
  }
  return out;
}

/**
 * Builds the options / subcodes pair for a group of variants. Colour × size becomes two options only when
 * every combination exists (§2.1 requires one sub-code per combination); otherwise one option lists the
 * variants, which is how stores with ragged variant grids register them.
 */
function variantOptions(listings: SeedListing[]): { options: string; subcodes: string } {
  const colours = [...new Set(listings.map((l) => l.variant.color).filter((c): c is string => !!c))].map(clean);
  const sizes = [...new Set(listings.map((l) => l.variant.size).filter((s): s is string => !!s))].map(clean);
  const subOf = (l: SeedListing) => l.yahoo!.subCode!;
  const combos = new Set(listings.map((l) => `${clean(l.variant.color ?? '')}#${clean(l.variant.size ?? '')}`));
  const allHaveBoth = listings.every((l) => l.variant.color && l.variant.size);
  if (allHaveBoth && combos.size === listings.length && colours.length * sizes.length === listings.length) {
    return {
      options: `カラー#${colours.join(',')}|サイズ#${sizes.join(',')}`,
      subcodes: listings.map((l) => `カラー:${clean(l.variant.color!)}#サイズ:${clean(l.variant.size!)}=${subOf(l)}`).join('|'),
    };
  }
  for (const [name, pick] of [
    ['カラー', (l: SeedListing) => l.variant.color],
    ['サイズ', (l: SeedListing) => l.variant.size],
  ] as const) {
    const values = listings.map((l) => clean(pick(l) ?? ''));
    if (values.every(Boolean) && new Set(values).size === values.length && listings.every((l) => !(name === 'カラー' ? l.variant.size : l.variant.color))) {
      return { options: `${name}#${values.join(',')}`, subcodes: listings.map((l, i) => `${name}:${values[i]}=${subOf(l)}`).join('|') };
    }
  }
  const seen = new Set<string>();
  const values = listings.map((l) => {
    let v = clean([l.variant.color, l.variant.size].filter(Boolean).join('/')) || subOf(l);
    if (seen.has(v)) v = `${v}_${clean(subOf(l))}`;
    seen.add(v);
    return v;
  });
  return { options: `種類#${values.join(',')}`, subcodes: listings.map((l, i) => `種類:${values[i]}=${subOf(l)}`).join('|') };
}

/** Loads the demo shop as already-published items (MallSim.seed). */
export function seedListings(state: YahooState, listings: SeedListing[]): void {
  const groups = new Map<string, SeedListing[]>();
  for (const l of listings) {
    if (!l.yahoo) continue;
    const list = groups.get(l.yahoo.itemCode) ?? [];
    list.push(l);
    groups.set(l.yahoo.itemCode, list);
  }
  const now = state.ctx.clock.now();
  for (const [itemCode, group] of groups) {
    const first = group[0]!;
    const variants = group.filter((l) => l.yahoo!.subCode);
    const fields: ItemFields = {
      ...EDIT_DEFAULTS,
      item_code: itemCode,
      path: 'すべての商品',
      name: truncateZenkaku(first.productName, 150),
      product_category: '1',
      price: String(Math.max(...group.map((l) => l.price))),
      sale_price: '',
      product_code: first.productCode.slice(0, 50),
    };
    if (variants.length) {
      Object.assign(fields, variantOptions(variants));
      if (new Set(variants.map((l) => l.price)).size > 1) {
        fields.subcode_param = variants.map((l) => `${l.yahoo!.subCode}=price:${l.price}`).join('|');
      }
    }
    state.items.set(itemCode, { itemCode, draft: fields, live: { ...fields }, editing: false, updateTime: now });
    for (const l of group) {
      const subCode = l.yahoo!.subCode ?? '';
      state.stock.set(stockKey(itemCode, subCode), {
        itemCode,
        subCode,
        quantity: l.stock,
        liveQuantity: l.stock,
        allowOverdraft: 0,
        stockClose: 0,
        updateTime: now,
      });
      state.skuToCode.set(l.skuCode, { itemCode, subCode });
      state.codeToSku.set(stockKey(itemCode, subCode), l.skuCode);
    }
  }
}
