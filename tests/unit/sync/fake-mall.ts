import type { Listing, MallId } from '@/lib/catalog/schemas';
import type { CallPatience } from '@/lib/http/client';
import { MallError, itemFailure, type ItemResult } from '@/lib/malls/errors';
import type { MallAdapter, MallOrder, OrderPage, StockPush } from '@/lib/malls/types';

/**
 * An in-memory mall for unit tests of the sync engine's bookkeeping. The real clients are tested
 * against the HTTP simulator (tests/integration, tests/e2e); this one only scripts what a mall answers.
 */
export class FakeMall implements MallAdapter {
  orders: MallOrder[] = [];
  shown = new Map<string, number>();
  pushCalls: StockPush[][] = [];
  failNextPush?: MallError;
  failListings = new Set<string>();
  /** Rows refused for now (as Rakuten's 409 conflict for some rows of a bulk-upsert) while the rest land. */
  conflictListings = new Set<string>();
  /** Orders per page. */
  pageSize = 2;
  /** Reported on a caught-up page, as a mall that shows orders late states its window's bound. */
  listedThrough: number | undefined;

  constructor(readonly mall: MallId) {}

  addOrder(orderNumber: string, lines: { item: string; variant?: string; qty: number }[], at: number, status: MallOrder['status'] = 'new'): MallOrder {
    const order: MallOrder = {
      mall: this.mall,
      orderNumber,
      status,
      mallStatus: status,
      orderedAt: at,
      updatedAt: at,
      totalYen: 1000,
      buyer: { name: '山田 太郎', email: 'taro@example.jp' },
      lines: lines.map((l, i) => ({ lineNo: i + 1, listingRef: { externalItemId: l.item, ...(l.variant ? { variantRef: l.variant } : {}) }, name: l.item, quantity: l.qty, unitPriceYen: 1000 })),
    };
    this.orders.push(order);
    return order;
  }

  update(orderNumber: string, status: MallOrder['status'], at: number): void {
    const o = this.orders.find((x) => x.orderNumber === orderNumber)!;
    o.status = status;
    o.updatedAt = at;
  }

  async listOrdersSince(cursor: string | undefined): Promise<OrderPage> {
    const after = cursor ? JSON.parse(cursor) as { t: number; n: string } : { t: -1, n: '' };
    const sorted = [...this.orders].sort((a, b) => a.updatedAt - b.updatedAt || a.orderNumber.localeCompare(b.orderNumber));
    const next = sorted.filter((o) => o.updatedAt > after.t || (o.updatedAt === after.t && o.orderNumber > after.n));
    const page = next.slice(0, this.pageSize).map((o) => structuredClone(o));
    const last = page.at(-1);
    return { orders: page, cursor: last ? JSON.stringify({ t: last.updatedAt, n: last.orderNumber }) : (cursor ?? JSON.stringify(after)), caughtUp: next.length <= this.pageSize, ...(next.length <= this.pageSize && this.listedThrough !== undefined ? { listedThrough: this.listedThrough } : {}) };
  }

  async pushStock(pushes: StockPush[]): Promise<ItemResult[]> {
    this.pushCalls.push(pushes);
    if (this.failNextPush) {
      const e = this.failNextPush;
      this.failNextPush = undefined;
      throw e;
    }
    return pushes.map((p) => {
      if (this.conflictListings.has(p.listing.id)) {
        return itemFailure(p.listing.id, { mall: this.mall, endpoint: 'push', kind: 'server', status: 409, message: 'Conflict occurred. Please retry.' });
      }
      if (this.failListings.has(p.listing.id)) {
        return itemFailure(p.listing.id, { mall: this.mall, endpoint: 'push', kind: 'invalid-request', message: 'item refused' });
      }
      this.shown.set(p.listing.id, p.quantity);
      return { key: p.listing.id, ok: true as const };
    });
  }

  testConnection = async () => ({ ok: true, checks: [] });
  getOrders = async () => [];
  confirmOrders = async () => [];
  readStock = async (listings: Listing[], _options?: { patience?: CallPatience }) => listings.filter((l) => this.shown.has(l.id)).map((l) => ({ listingId: l.id, quantity: this.shown.get(l.id)! }));
  upsertItem = async () => [];
  confirmShipments = async () => [];
}
