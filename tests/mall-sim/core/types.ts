import type { SimClock } from './clock';
import type { FaultController } from './faults';
import type { RateLimiter } from './rate-limit';
import type { ShopTruth } from './truth';
import type { IncomingMessage, ServerResponse } from 'node:http';

export type MallId = 'rakuten' | 'yahoo' | 'amazon';
export const MALL_IDS: readonly MallId[] = ['rakuten', 'yahoo', 'amazon'];

/** One SKU of the demo shop as every mall lists it (codes may deliberately differ per mall). */
export interface SeedListing {
  skuCode: string;
  productCode: string;
  productName: string;
  variant: { color?: string; size?: string };
  price: number;
  /** Stock the shop really has when the simulator starts; each mall starts showing this. */
  stock: number;
  rakuten?: { manageNumber: string; variantId: string };
  yahoo?: { itemCode: string; subCode?: string };
  amazon?: { sellerSku: string; asin: string };
}

/** Everything a mall simulator shares with the others. */
export interface SimContext {
  clock: SimClock;
  limiter: RateLimiter;
  faults: FaultController;
  truth: ShopTruth;
  /** Demo credentials, printed by `npm run sim` and written in the README. */
  credentials: DemoCredentials;
}

export interface DemoCredentials {
  rakuten: { serviceSecret: string; licenseKey: string; shopId: string };
  yahoo: { clientId: string; clientSecret: string; sellerId: string; publicKeyPem: string; privateKeyPem: string; keyVersion: string };
  amazon: { clientId: string; clientSecret: string; refreshToken: string; sellerId: string; marketplaceId: string };
}

export interface RouteRequest {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  url: URL;
  body: Buffer;
}

export interface BuyerLine {
  skuCode: string;
  quantity: number;
}

/** What the buyer traffic generator and the control endpoint need from each mall simulator. */
export interface MallSim {
  mall: MallId;
  /** Answer one HTTP request; the server already read the body. */
  handle(request: RouteRequest): Promise<void>;
  /** Load the demo shop. */
  seed(listings: SeedListing[]): void;
  /** Stock this mall currently shows buyers, by shop SKU code (only listed SKUs). */
  shownStock(): Map<string, number>;
  /**
   * A buyer orders on this mall. The mall accepts when its own shown stock covers every line (as a
   * real mall does), decrements its shown stock, records the order and tells `truth`. Returns the
   * mall's order id, or null when the mall refused (not enough shown stock).
   */
  placeBuyerOrder(lines: BuyerLine[]): string | null;
  /** A buyer (or the mall) cancels; shown stock is given back as the mall does. */
  cancelBuyerOrder(orderId: string): boolean;
  /** Order ids this mall holds, for the buyer generator to pick cancellations from. */
  orderIds(): string[];
  reset(): void;
}
