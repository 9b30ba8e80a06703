import type { CallPatience } from '../http/client';
import type { Listing, MallId } from '../catalog/schemas';
import type { ItemResult } from './errors';

/**
 * The one interface the rest of Ichigen uses to talk to a mall. The sync engine, bulk edit and
 * documents see only these shapes; every mall's field names, XML, auth and quirks stay inside
 * lib/malls/<mall>/.
 */

export type UnifiedOrderStatus = 'new' | 'confirmed' | 'shipping' | 'shipped' | 'cancelled' | 'pending';

export interface MallOrderLine {
  lineNo: number;
  /**
   * How the mall names what was sold; the catalog maps it to a SKU through the listing identifiers:
   * Rakuten manageNumber + variantId, Yahoo itemCode + subCode, Amazon sellerSku.
   */
  listingRef: { externalItemId: string; variantRef?: string };
  name: string;
  quantity: number;
  unitPriceYen: number;
}

export interface MallOrder {
  mall: MallId;
  orderNumber: string;
  status: UnifiedOrderStatus;
  /** The mall's own status code or word, kept for display and automation rules. */
  mallStatus: string;
  orderedAt: number;
  updatedAt: number;
  totalYen: number;
  buyer?: { name: string; nameKana?: string; email?: string; phone?: string };
  shipTo?: { name: string; postalCode: string; prefecture: string; address: string; phone?: string };
  lines: MallOrderLine[];
  /** Rakuten: the mall cancels an order left unconfirmed past this moment. */
  confirmDeadline?: number;
}

export interface OrderPage {
  orders: MallOrder[];
  /** Opaque; persist it and pass it back. Only the adapter knows what is inside. */
  cursor: string;
  /** True when the mall has nothing newer than `cursor` right now. */
  caughtUp: boolean;
  /**
   * For a mall that shows orders late (Amazon), on the page that caught up: every order last updated at
   * or before this moment has now been listed (the window's upper bound as the mall stated it). Malls
   * that show orders at once leave it out: a caught-up read has listed everything placed before it began.
   */
  listedThrough?: number;
}

export interface StockPush {
  listing: Listing;
  /** Absolute quantity the mall should show. Pushes are absolute so a replay is harmless. */
  quantity: number;
}

export interface StockReading {
  listingId: string;
  quantity: number;
}

export type CarrierId = 'yamato' | 'sagawa' | 'japanpost' | 'other';

export interface ShipmentConfirmation {
  orderNumber: string;
  carrier: CarrierId;
  /** Free text for `other` carriers. */
  carrierName?: string;
  trackingNumber: string;
  shippedAt: number;
}

export interface ItemDraftVariant {
  listing: Listing;
  /** Variant labels, e.g. { カラー: 'ホワイト', サイズ: 'M' }. */
  attributes: Record<string, string>;
  priceYen: number;
  quantity?: number;
}

export interface ItemDraft {
  /** Mall item id: Rakuten manageNumber, Yahoo item code, Amazon parent SKU or the SKU itself. */
  externalItemId: string;
  name: string;
  description?: string;
  variants: ItemDraftVariant[];
}

export interface ConnectionReport {
  ok: boolean;
  /** Checks run, in order, each with its own outcome, so the UI can say exactly which failed. */
  checks: { name: string; ok: boolean; error?: import('./errors').SerializedMallError }[];
  /** Credential expiry (Rakuten license key, Yahoo refresh token and public key). */
  expiries?: { what: 'license-key' | 'refresh-token' | 'public-key'; expiresAt: number }[];
}

export interface ProgressReport {
  done: number;
  total: number;
}

export interface MallAdapter {
  readonly mall: MallId;
  /**
   * The shortest sensible gap between two order polls, from the orders API's sustained rate (Amazon
   * getOrders refills one request a minute). The sync cycle skips a mall until it has passed, instead
   * of stalling every mall's pushes behind a rate-limit wait.
   */
  readonly minOrderPollIntervalMs?: number;
  /**
   * Pushes worth sending in one go for low latency (Amazon: ~10 s of listing patches; beyond that its
   * client switches to a feed that takes minutes). The outbox sends the rest on the next wake.
   */
  readonly maxPushesPerDrain?: number;
  /**
   * The mall shows an order to its API only this long after it was placed (Amazon: about 2 minutes).
   * An unseen sale inferred from its shelf waits this long (plus our poll interval) for its order.
   */
  readonly orderVisibilityLagMs?: number;
  /**
   * Whether pushes read the shelf first, so they never undo a sale of the mall's own that no order read
   * has shown yet (lib/sync/shelf-guard.ts). Default: yes.
   */
  readonly guardsShelf?: boolean;
  /**
   * A mall that takes stock pushes one by one (Amazon's patches, 5 a second): how many are sent per
   * reading of their shelves. Default: all due pushes after one reading (a mall with batch updates).
   */
  readonly shelfReadChunk?: number;
  testConnection(): Promise<ConnectionReport>;
  /** New and changed orders since `cursor` (undefined = start from `since`). One page per call. */
  listOrdersSince(cursor: string | undefined, options?: { since?: number }): Promise<OrderPage>;
  getOrders(orderNumbers: string[]): Promise<MallOrder[]>;
  confirmOrders(orderNumbers: string[]): Promise<ItemResult[]>;
  /** `patience`: the shelf read in front of a push gives up sooner than other calls (it has a fallback). */
  readStock(listings: Listing[], options?: { patience?: CallPatience }): Promise<StockReading[]>;
  /** Batches to the API's maximum internally; answers one result per push, keyed by listing id. */
  pushStock(pushes: StockPush[], onProgress?: (p: ProgressReport) => void): Promise<ItemResult[]>;
  upsertItem(draft: ItemDraft): Promise<ItemResult[]>;
  confirmShipments(shipments: ShipmentConfirmation[]): Promise<ItemResult[]>;
  /** Yahoo: edits stay unpublished until published. Other malls: not present. */
  publish?(): Promise<void>;
  /** Amazon: lead time to ship (days). Other malls: not present. */
  setLeadTime?(updates: { listing: Listing; days: number }[]): Promise<ItemResult[]>;
}
