import type { BuyerLine, MallId } from './types';

export interface OversellEvent {
  mall: MallId;
  orderId: string;
  skuCode: string;
  /** Units sold that the shop did not have at that moment. */
  units: number;
  at: number;
}

/**
 * The shop's real stock, which no mall sees directly: every accepted order on any mall takes from it,
 * every cancellation gives back. An order that takes it below zero is an oversell.
 */
export class ShopTruth {
  private readonly stock = new Map<string, number>();
  /** Set composition: set SKU → components; a sold set takes its components. */
  private readonly sets = new Map<string, BuyerLine[]>();
  readonly oversells: OversellEvent[] = [];
  acceptedOrders = 0;
  cancelledOrders = 0;
  private readonly orderLines = new Map<string, { mall: MallId; lines: BuyerLine[] }>();
  /**
   * Every accepted order with its time (and its cancellation's), for judging oversells after a run:
   * `lines` as physical SKUs (a set counts as its components), `listed` as the buyer ordered them (a
   * set's sale moves only the set's own shelf on that mall, not its components' shelves).
   */
  readonly log: { mall: MallId; orderId: string; lines: BuyerLine[]; listed: BuyerLine[]; at: number; cancelledAt?: number }[] = [];

  constructor(private readonly now: () => number) {}

  setStock(skuCode: string, quantity: number): void {
    this.stock.set(skuCode, quantity);
  }

  defineSet(setSku: string, components: BuyerLine[]): void {
    this.sets.set(setSku, components);
  }

  get(skuCode: string): number {
    const components = this.sets.get(skuCode);
    if (components) {
      return Math.min(...components.map((c) => Math.floor(Math.max(0, this.stock.get(c.skuCode) ?? 0) / c.quantity)));
    }
    return this.stock.get(skuCode) ?? 0;
  }

  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const sku of this.stock.keys()) out[sku] = this.get(sku);
    for (const sku of this.sets.keys()) out[sku] = this.get(sku);
    return out;
  }

  private physical(lines: BuyerLine[]): BuyerLine[] {
    return lines.flatMap((l) => {
      const comps = this.sets.get(l.skuCode);
      return comps ? comps.map((c) => ({ skuCode: c.skuCode, quantity: c.quantity * l.quantity })) : [l];
    });
  }

  recordOrder(mall: MallId, orderId: string, lines: BuyerLine[]): void {
    this.acceptedOrders += 1;
    this.orderLines.set(`${mall}:${orderId}`, { mall, lines });
    this.log.push({ mall, orderId, lines: this.physical(lines), listed: lines.map((l) => ({ ...l })), at: this.now() });
    for (const line of this.physical(lines)) {
      const before = this.stock.get(line.skuCode) ?? 0;
      const after = before - line.quantity;
      this.stock.set(line.skuCode, after);
      const short = Math.min(line.quantity, Math.max(0, -after));
      if (short > 0) this.oversells.push({ mall, orderId, skuCode: line.skuCode, units: short, at: this.now() });
    }
  }

  recordCancel(mall: MallId, orderId: string): void {
    const order = this.orderLines.get(`${mall}:${orderId}`);
    if (!order) return;
    this.orderLines.delete(`${mall}:${orderId}`);
    this.cancelledOrders += 1;
    const logged = this.log.find((o) => o.mall === mall && o.orderId === orderId);
    if (logged) logged.cancelledAt = this.now();
    for (const line of this.physical(order.lines)) {
      this.stock.set(line.skuCode, (this.stock.get(line.skuCode) ?? 0) + line.quantity);
    }
  }

  reset(): void {
    this.stock.clear();
    this.sets.clear();
    this.oversells.length = 0;
    this.orderLines.clear();
    this.log.length = 0;
    this.acceptedOrders = 0;
    this.cancelledOrders = 0;
  }
}
