import type { AmazonMallSim } from '../amazon';
import type { DemoCredentials, MallId, SeedListing } from '../core/types';
import type { RakutenSim } from '../rakuten';
import type { YahooSim } from '../yahoo';
import type { AdminItemRow, AdminItemSummary, AdminOrder, AdminOrderLine, AdminPageData, AdminPerson } from './pages';

/**
 * What the admin pages show, read from the running mall simulators: each mall's own view (its shown
 * stock, its orders in its own states), not the shop's truth — as the real back offices would.
 */

export interface AdminSources {
  malls: { rakuten: RakutenSim; yahoo: YahooSim; amazon: AmazonMallSim };
  /** The listings the simulator was last seeded with. */
  listings(): SeedListing[];
  credentials: DemoCredentials;
}

const RAKUTEN_PROGRESS: Record<number, string> = {
  100: '注文確認待ち',
  200: '楽天処理中',
  300: '発送待ち',
  400: '変更確定待ち',
  500: '発送済',
  600: '支払手続き中',
  700: '支払手続き済',
  800: 'キャンセル確定待ち',
  900: 'キャンセル確定',
};
const YAHOO_STATUS: Record<number, string> = { 1: '予約中', 2: '処理中', 3: '保留', 4: 'キャンセル', 5: '完了' };
const YAHOO_SHIP: Record<number, string> = { 0: '出荷不可', 1: '出荷可', 2: '出荷処理中', 3: '出荷済み', 4: '着荷済み' };
const AMAZON_STATUS: Record<string, string> = {
  Pending: '保留中',
  Unshipped: '未出荷',
  PartiallyShipped: '一部出荷済み',
  Shipped: '出荷済み',
  Canceled: 'キャンセル済み',
};
const CARRIERS: Record<string, string> = { '1001': 'ヤマト運輸', '1002': '佐川急便', '1003': '日本郵便', YAMATO: 'ヤマト運輸', SAGAWA: '佐川急便', 'Japan Post': '日本郵便' };

const str = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));
const rec = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** "2026-12-01T10:00:00+0900" (RakutenPayOrderAPI) → ms. */
function parseRakutenTime(s: string): number {
  return Date.parse(s.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
}

function variantText(l: SeedListing | undefined): string {
  if (!l) return '';
  return [l.variant.color ? `カラー:${l.variant.color}` : '', l.variant.size ? `サイズ:${l.variant.size}` : ''].filter(Boolean).join(' ');
}

function rakutenOrder(sim: RakutenSim, id: string): AdminOrder | undefined {
  const m = sim.orderModel(id);
  if (!m) return undefined;
  const person = (p: Record<string, unknown>): AdminPerson => ({
    name: `${str(p.familyName)} ${str(p.firstName)}`,
    kana: `${str(p.familyNameKana)} ${str(p.firstNameKana)}`,
    zip: `${str(p.zipCode1)}-${str(p.zipCode2)}`,
    address: `${str(p.prefecture)}${str(p.city)}${str(p.subAddress)}`,
    phone: `${str(p.phoneNumber1)}-${str(p.phoneNumber2)}-${str(p.phoneNumber3)}`,
    ...(p.emailAddress ? { email: str(p.emailAddress) } : {}),
  });
  const buyer = person(rec(m.OrdererModel));
  const packages = arr(m.PackageModelList).map(rec);
  const sender = packages[0] ? person(rec(packages[0].SenderModel)) : undefined;
  const lines: AdminOrderLine[] = packages.flatMap((p) =>
    arr(p.ItemModelList)
      .map(rec)
      .map((i) => {
        const sku = rec(arr(i.SkuModelList)[0]);
        return {
          skuCode: str(sku.merchantDefinedSkuId),
          itemId: str(i.manageNumber),
          name: str(i.itemName),
          variant: str(sku.skuInfo).replace(/\n/g, ' '),
          quantity: Number(i.units),
          price: Number(i.price),
        };
      }),
  );
  const shipments = packages.flatMap((p) =>
    arr(p.ShippingModelList)
      .map(rec)
      .map((s) => ({ carrier: str(s.deliveryCompanyName) || (CARRIERS[str(s.deliveryCompany)] ?? str(s.deliveryCompany)), tracking: str(s.shippingNumber), date: str(s.shippingDate) })),
  );
  const progress = Number(m.orderProgress);
  return {
    mall: 'rakuten',
    id,
    orderedAt: parseRakutenTime(str(m.orderDatetime)),
    status: RAKUTEN_PROGRESS[progress] ?? String(progress),
    statusCode: String(progress),
    buyer,
    ...(sender && sender.name + sender.address !== buyer.name + buyer.address ? { shipTo: sender } : {}),
    total: Number(m.totalPrice),
    payment: str(rec(m.SettlementModel).settlementMethod),
    lines,
    shipments,
  };
}

function yahooOrder(sim: YahooSim, id: string): AdminOrder | undefined {
  const o = sim.state.orders.get(id);
  if (!o) return undefined;
  const person = (a: typeof o.pay.bill, email?: string): AdminPerson => ({
    name: `${a.lastName} ${a.firstName}`,
    kana: `${a.lastNameKana} ${a.firstNameKana}`,
    zip: a.zipCode,
    address: `${a.prefecture}${a.city}${a.address1}${a.address2 ? ` ${a.address2}` : ''}`,
    phone: a.phoneNumber,
    ...(email ? { email } : {}),
  });
  const buyer = person(o.pay.bill, o.pay.mailAddress);
  const shipTo = person(o.ship.address);
  // SCP shows a new, unopened order as 新規 until someone looks at it.
  const status =
    o.orderStatus === 2 && !o.isSeen ? '新規注文' : o.orderStatus === 2 ? `処理中（${YAHOO_SHIP[o.ship.shipStatus] ?? o.ship.shipStatus}）` : (YAHOO_STATUS[o.orderStatus] ?? String(o.orderStatus));
  return {
    mall: 'yahoo',
    id,
    orderedAt: o.orderTime,
    status,
    statusCode: String(o.orderStatus),
    buyer,
    ...(shipTo.name + shipTo.address !== buyer.name + buyer.address ? { shipTo } : {}),
    total: o.detail.totalPrice,
    payment: o.pay.payMethodName,
    lines: o.lines.map((l) => ({
      skuCode: l.skuCode,
      itemId: l.itemId,
      name: l.title,
      variant: l.subCodeOption.replace(/;/g, ' '),
      quantity: l.quantity,
      price: l.unitPrice,
    })),
    shipments:
      o.ship.shipStatus >= 3 || o.ship.invoice1
        ? [{ carrier: CARRIERS[o.ship.companyCode] ?? o.ship.companyCode, tracking: o.ship.invoice1, date: o.ship.shipDate }]
        : [],
  };
}

function amazonOrder(sim: AmazonMallSim, id: string, listings: Map<string, SeedListing>): AdminOrder | undefined {
  const o = sim.order(id);
  if (!o) return undefined;
  const a = o.buyer.address;
  const shipTo: AdminPerson = {
    name: a.name,
    zip: a.postalCode,
    address: `${a.stateOrRegion}${a.city}${a.addressLine1}${a.addressLine2 ? ` ${a.addressLine2}` : ''}`,
    phone: a.phone,
  };
  return {
    mall: 'amazon',
    id,
    orderedAt: o.createdAt,
    status: AMAZON_STATUS[o.status] ?? o.status,
    statusCode: o.status,
    buyer: { ...shipTo, name: o.buyer.name, email: o.buyer.email },
    total: o.lines.reduce((n, l) => n + l.unitPrice * l.quantity, 0),
    payment: 'Amazon Pay',
    lines: o.lines.map((l) => ({
      skuCode: l.skuCode,
      itemId: l.sellerSku,
      name: l.title,
      variant: variantText(listings.get(l.skuCode)),
      quantity: l.quantity,
      price: l.unitPrice,
    })),
    shipments: o.packages.map((p) => ({ carrier: CARRIERS[p.carrierCode] ?? p.carrierCode, tracking: p.trackingNumber, date: p.shipDate.slice(0, 10) })),
  };
}

/** The mall's item id of a listing: lower-case manageNumber (RMS folds it), item code, seller SKU. */
export function mallItemId(mall: MallId, l: SeedListing): string | undefined {
  if (mall === 'rakuten') return l.rakuten?.manageNumber.toLowerCase();
  if (mall === 'yahoo') return l.yahoo?.itemCode;
  return l.amazon?.sellerSku;
}

function mallSkuCode(mall: MallId, l: SeedListing): string {
  if (mall === 'rakuten') return l.rakuten?.variantId ?? '';
  if (mall === 'yahoo') return l.yahoo?.subCode ?? l.yahoo?.itemCode ?? '';
  return l.amazon?.sellerSku ?? '';
}

export function adminDataFrom(src: AdminSources): AdminPageData {
  const listingsByItem = (mall: MallId): Map<string, SeedListing[]> => {
    const out = new Map<string, SeedListing[]>();
    for (const l of src.listings()) {
      const id = mallItemId(mall, l);
      if (id !== undefined) out.set(id, [...(out.get(id) ?? []), l]);
    }
    return out;
  };
  const listingBySku = () => new Map(src.listings().map((l) => [l.skuCode, l]));
  const orderOf = (mall: MallId, id: string): AdminOrder | undefined =>
    mall === 'rakuten' ? rakutenOrder(src.malls.rakuten, id) : mall === 'yahoo' ? yahooOrder(src.malls.yahoo, id) : amazonOrder(src.malls.amazon, id, listingBySku());

  return {
    shop: {
      rakutenShopId: src.credentials.rakuten.shopId,
      yahooStore: src.credentials.yahoo.sellerId,
      amazonMarketplaceId: src.credentials.amazon.marketplaceId,
    },
    itemName: (mall, itemId) => listingsByItem(mall).get(itemId)?.[0]?.productName,
    itemRows: (mall, itemId): AdminItemRow[] => {
      const shown = src.malls[mall].shownStock();
      return (listingsByItem(mall).get(itemId) ?? []).map((l) => ({
        skuCode: l.skuCode,
        code: mallSkuCode(mall, l),
        variant: variantText(l),
        price: l.price,
        stock: shown.get(l.skuCode) ?? 0,
      }));
    },
    items: (mall): AdminItemSummary[] => {
      const shown = src.malls[mall].shownStock();
      return [...listingsByItem(mall)].map(([itemId, ls]) => ({
        itemId,
        name: mall === 'amazon' ? [ls[0]!.productName, ls[0]!.variant.color, ls[0]!.variant.size].filter(Boolean).join(' ') : ls[0]!.productName,
        skus: ls.length,
        stock: ls.reduce((n, l) => n + (shown.get(l.skuCode) ?? 0), 0),
        ...(ls[0]!.amazon ? { asin: ls[0]!.amazon.asin } : {}),
      }));
    },
    orders: (mall) =>
      src.malls[mall]
        .orderIds()
        .map((id) => orderOf(mall, id))
        .filter((o): o is AdminOrder => o !== undefined)
        .sort((a, b) => b.orderedAt - a.orderedAt || (a.id < b.id ? 1 : -1)),
    order: orderOf,
  };
}
