import type { SimContext } from '../core/types';
import type { ResolvedYahooOptions } from './options';

/** editItem parameters as last saved, by their snake_case request names (seller_id excluded). */
export type ItemFields = Record<string, string>;

export interface ItemRecord {
  itemCode: string;
  /** What getItem shows: the latest saved edit (§2.1 "Saved edits are not live until published"). */
  draft: ItemFields;
  /** What buyers see: the last published version, absent until the first publish. */
  live?: ItemFields;
  /** getItem EditingFlag (§2.2). */
  editing: boolean;
  updateTime: number;
}

export interface StockRow {
  itemCode: string;
  subCode: string;
  /** Quantity the store last set (getStock); null = unlimited (legacy, §2.3). */
  quantity: number | null;
  /** Quantity buyers see; differs from `quantity` only with `stockNeedsPublish`. */
  liveQuantity: number | null;
  allowOverdraft: 0 | 1;
  stockClose: 0 | 1;
  updateTime: number;
}

export interface Address {
  lastName: string;
  lastNameKana: string;
  firstName: string;
  firstNameKana: string;
  zipCode: string;
  prefecture: string;
  prefectureKana: string;
  city: string;
  cityKana: string;
  address1: string;
  address1Kana: string;
  address2: string;
  address2Kana: string;
  phoneNumber: string;
}

export interface OrderLine {
  lineId: number;
  itemId: string;
  subCode: string;
  title: string;
  /** `色:ネイビー;サイズ:S` style text of the chosen variant. */
  subCodeOption: string;
  itemOptions: { name: string; value: string }[];
  unitPrice: number;
  quantity: number;
  skuCode: string;
  jan: string;
  productCategory: string;
  /** Item's keep_stock at order time (§2.1: 1 restores stock on cancel). */
  keepStock: boolean;
}

export interface Order {
  orderId: string;
  orderTime: number;
  lastUpdateTime: number;
  /** When orderList may return it (§3.1 ReadOnlyMode: after the 10-minute buyer-cancel window). */
  publicationTime: number;
  deviceType: number;
  isSeen: boolean;
  isLogin: boolean;
  orderStatus: number;
  cancelReason: string;
  cancelReasonDetail: string;
  storeStatus: string;
  buyerComments: string;
  notes: string;
  operationUser: string;
  historyId: number;
  pay: {
    payStatus: number;
    settleStatus: string;
    payType: number;
    payKind: number;
    payMethod: string;
    payMethodName: string;
    payDate: string;
    settleId: string;
    mailAddress: string;
    bill: Address;
  };
  ship: {
    shipStatus: number;
    shipMethod: string;
    shipMethodName: string;
    shipRequestDate: string;
    shipRequestTime: string;
    shipNotes: string;
    invoice1: string;
    invoice2: string;
    emptyReason: string;
    companyCode: string;
    url: string;
    arriveType: number;
    shipDate: string;
    arrivalDate: string;
    address: Address;
  };
  detail: {
    payCharge: number;
    shipCharge: number;
    giftWrapCharge: number;
    discount: number;
    usePoint: number;
    totalPrice: number;
    settleAmount: number;
  };
  lines: OrderLine[];
  /** Stock already given back (cancel), so a second cancel path does not double it. */
  stockReturned: boolean;
  /** Recorded in ShopTruth (buyer orders); store-side cancels then tell truth too. */
  inTruth: boolean;
}

/** Everything the catalogue/order handlers share; `reset()` rebuilds it. */
export interface YahooState {
  ctx: SimContext;
  opts: ResolvedYahooOptions;
  items: Map<string, ItemRecord>;
  stock: Map<string, StockRow>;
  orders: Map<string, Order>;
  skuToCode: Map<string, { itemCode: string; subCode: string }>;
  codeToSku: Map<string, string>;
  /** Pending reservePublish time (mall ms), or null. */
  publishAt: number | null;
  rng: () => number;
}

export function stockKey(itemCode: string, subCode: string): string {
  return `${itemCode}:${subCode}`;
}

/** mulberry32: deterministic buyer data for reproducible benchmarks. */
export function makeRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
