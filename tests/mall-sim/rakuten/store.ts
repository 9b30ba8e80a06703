import type { SeedListing } from '../core/types';

/** Item body as the merchant sent it (request fields only); server fields live beside it. */
export type ItemBody = Record<string, unknown> & { variants: Record<string, Record<string, unknown>> };

export interface StoredItem {
  manageNumber: string;
  body: ItemBody;
  created: number;
  updated: number;
}

export interface InventoryRow {
  manageNumber: string;
  variantId: string;
  quantity: number;
  created: number;
  updated: number;
  /** InventoryAPI 2.1 only (spec §5). */
  operationLeadTime?: { normalDeliveryTimeId?: number | null; backOrderDeliveryTimeId?: number | null } | null;
  shipFromIds?: number[] | null;
}

export interface Person {
  zipCode1: string;
  zipCode2: string;
  prefecture: string;
  city: string;
  subAddress: string;
  familyName: string;
  firstName: string;
  familyNameKana: string;
  firstNameKana: string;
  phoneNumber1: string;
  phoneNumber2: string;
  phoneNumber3: string;
  emailAddress: string;
  sex: string;
  birthYear: number;
  birthMonth: number;
  birthDay: number;
  isolatedIslandFlag: number;
}

export interface OrderLine {
  skuCode: string;
  manageNumber: string;
  variantId: string;
  merchantDefinedSkuId: string | null;
  skuInfo: string;
  itemDetailId: number;
  itemId: number;
  itemName: string;
  itemNumber: string | null;
  price: number;
  units: number;
  inventoryType: number;
  /** The shown stock this line took, so a cancellation gives back exactly that. */
  takenFromInventory: boolean;
}

export interface ShippingRecord {
  shippingDetailId: number;
  shippingNumber: string | null;
  deliveryCompany: string | null;
  shippingDate: string | null;
}

export interface PackageRecord {
  basketId: number;
  sender: Person;
  lines: OrderLine[];
  shipping: ShippingRecord[];
}

export interface ChangeReason {
  changeId: number;
  changeType: number;
  changeTypeDetail: number | null;
  changeReason: number | null;
  changeReasonDetail: number | null;
  changeApply: number | null;
  changeApplyDetail: number | null;
  deviceType: number | null;
  changeRegisterDatetime: number;
  changeApplyDatetime: number | null;
}

export interface OrderRecord {
  orderNumber: string;
  progress: number;
  orderDatetime: number;
  shopOrderCfmDatetime: number | null;
  orderFixDatetime: number | null;
  shippingInstDatetime: number | null;
  shippingCmplRptDatetime: number | null;
  settlementDatetime: number | null;
  cancelDatetime: number | null;
  /** Last time shipping data was written: the moment a 300 order counts as shipped. */
  shippingUpdatedAt: number | null;
  orderer: Person;
  packages: PackageRecord[];
  settlementMethodCode: number;
  cardBrand: string | null;
  remarks: string;
  usedPoint: number;
  postagePrice: number;
  deliveryName: string;
  carrierCode: number;
  deviceType: number;
  memo: string | null;
  changes: ChangeReason[];
}

export interface AsyncJob {
  requestId: string;
  acceptedAt: number;
  dueAt: number;
  /** Raw OrderShippingModelList entries, applied when the job runs. */
  entries: Record<string, unknown>[];
  results: { orderNumber: string; MessageModelList: unknown[] }[] | null;
}

export interface ListingSlot {
  manageNumber: string;
  variantId: string;
}

export function slotKey(manageNumber: string, variantId: string): string {
  return `${manageNumber}\u0000${variantId}`;
}

/** Everything the Rakuten simulator remembers; `reset` swaps in a fresh one. */
export class RakutenStore {
  readonly items = new Map<string, StoredItem>();
  /** Deleted manageNumber → deletion time, for the search-index lag (spec §4.4). */
  readonly deletedItems = new Map<string, number>();
  readonly inventory = new Map<string, InventoryRow>();
  readonly orders = new Map<string, OrderRecord>();
  readonly asyncJobs = new Map<string, AsyncJob>();
  readonly skuBySlot = new Map<string, string>();
  readonly slotBySku = new Map<string, ListingSlot>();
  readonly listingBySku = new Map<string, SeedListing>();
  /** Numeric item ids shown in orders (`ItemModel.itemId`). */
  readonly itemIds = new Map<string, number>();
  /** License key → expiry (mall ms). Several keys may be valid at once (spec §2: renewal before expiry). */
  readonly licenseKeys = new Map<string, number>();
  seq = { order: 0, basket: 1_258_237_000, itemDetail: 900_000_000, shipping: 658_419_000, itemId: 10_000_000, change: 1 };

  itemIdFor(manageNumber: string): number {
    let id = this.itemIds.get(manageNumber);
    if (id === undefined) {
      id = ++this.seq.itemId;
      this.itemIds.set(manageNumber, id);
    }
    return id;
  }
}

/** Small deterministic PRNG (mulberry32), same as the demo shop uses. */
export function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
