import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MallError } from '@/lib/malls/errors';
import type { YahooAdapter } from '@/lib/malls/yahoo';
import type { MallOrder } from '@/lib/malls/types';
import type { SeedListing } from '../../mall-sim/core/types';
import { demoSlice, type Harness, startHarness } from './harness';

let h: Harness;
const { seed: demoSeed } = demoSlice();
const MUG: SeedListing = { skuCode: 'MUG', productCode: 'MUG', productName: '波佐見焼マグカップ', variant: {}, price: 1200, stock: 500, yahoo: { itemCode: 'mug-01' } };
const seed = [...demoSeed.map((s) => ({ ...s, stock: s.yahoo ? 50 : s.stock })), MUG];
const variantSku = demoSeed.find((s) => s.yahoo?.subCode)!;
const MINUTE = 60_000;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => h.reset(seed));

const clock = () => h.srv.ctx.clock;
function place(skuCode = 'MUG', quantity = 1): string {
  const id = h.srv.sim.placeBuyerOrder([{ skuCode, quantity }]);
  expect(id).not.toBeNull();
  clock().advance(1000);
  return id!;
}

/** Runs the cursor until it says it is caught up, as the sync engine does, and collects what it returned. */
async function drain(adapter: YahooAdapter, cursor: string | undefined, since?: number): Promise<{ orders: MallOrder[]; cursor: string; calls: number }> {
  const orders: MallOrder[] = [];
  for (let calls = 1; calls < 50; calls++) {
    const page = await adapter.listOrdersSince(cursor, since === undefined ? undefined : { since });
    orders.push(...page.orders);
    cursor = page.cursor;
    if (page.caughtUp) return { orders, cursor, calls };
  }
  throw new Error('cursor never caught up');
}

const startValues = () =>
  h.log.bodies.filter((b) => b.api === 'orderList').map((b) => Number(/<Start>(\d+)<\/Start>/.exec(b.body)?.[1]));

describe('listOrdersSince', () => {
  it('pages through orders with Start, returns each once per version, and sees orders inside the 10-minute window', async () => {
    const adapter = await h.connected({ orders: { maxOrdersPerPage: 3, listPageSize: 4 } });
    const since = clock().now() - MINUTE;
    const ids = Array.from({ length: 7 }, () => place());
    h.log.reset();

    const first = await drain(adapter, undefined, since);
    expect(first.orders.map((o) => o.orderNumber)).toEqual(ids);
    // Inside the buyer-cancel window Yahoo allows no changes: pending, not yet new.
    expect(first.orders.every((o) => o.status === 'pending' && o.mallStatus.includes('read-only'))).toBe(true);
    expect(first.calls).toBe(3);
    expect(startValues()).toEqual([1, 4, 7]);
    expect(h.log.count('orderInfo')).toBe(7);
    expect(h.log.bodies.find((b) => b.api === 'orderList')!.body).toContain('<ReadOnlyMode>2</ReadOnlyMode>');

    // Nothing changed: a new cycle reads nothing.
    const idle = await drain(adapter, first.cursor);
    expect(idle.orders).toEqual([]);
    expect(h.log.count('orderInfo')).toBe(7);

    // Six minutes on, still inside the window and unchanged: nothing. The watermark has passed their
    // LastUpdateTime by then, so only their publication can bring them back.
    clock().advance(6 * MINUTE);
    const waiting = await drain(adapter, idle.cursor);
    expect(waiting.orders).toEqual([]);
    // Past the window every order is published, and read once more as new.
    clock().advance(5 * MINUTE);
    const published = await drain(adapter, waiting.cursor);
    expect(published.orders.map((o) => o.orderNumber)).toEqual(ids);
    expect(published.orders.every((o) => o.status === 'new')).toBe(true);

    clock().advance(MINUTE);
    expect((await drain(adapter, published.cursor)).orders).toEqual([]);
  });

  it('follows an order through confirm, shipment and a buyer cancel', async () => {
    const adapter = await h.connected();
    const since = clock().now() - MINUTE;
    const a = place();
    clock().advance(11 * MINUTE);
    let run = await drain(adapter, undefined, since);
    expect(run.orders.map((o) => [o.orderNumber, o.status])).toEqual([[a, 'new']]);

    expect(await adapter.confirmOrders([a])).toEqual([{ key: a, ok: true }]);
    run = await drain(adapter, run.cursor);
    expect(run.orders.map((o) => [o.orderNumber, o.status])).toEqual([[a, 'confirmed']]);

    const shipped = await adapter.confirmShipments([{ orderNumber: a, carrier: 'yamato', trackingNumber: '1234-5678-9012', shippedAt: clock().now() }]);
    expect(shipped).toEqual([{ key: a, ok: true }]);
    run = await drain(adapter, run.cursor);
    expect(run.orders.map((o) => [o.orderNumber, o.status])).toEqual([[a, 'shipped']]);

    const b = place();
    run = await drain(adapter, run.cursor);
    expect(run.orders.map((o) => [o.orderNumber, o.status])).toEqual([[b, 'pending']]);
    h.srv.sim.cancelBuyerOrder(b);
    clock().advance(1000);
    run = await drain(adapter, run.cursor);
    expect(run.orders.map((o) => [o.orderNumber, o.status])).toEqual([[b, 'cancelled']]);
  });

  it('misses no order placed or changed while a cycle is under way', async () => {
    const adapter = await h.connected({ orders: { maxOrdersPerPage: 1 } });
    const since = clock().now() - MINUTE;
    const [a, b] = [place(), place()];
    let page = await adapter.listOrdersSince(undefined, { since });
    expect(page.orders.map((o) => o.orderNumber)).toEqual([a]);
    expect(page.caughtUp).toBe(false);
    // While the cycle runs: the order already read is cancelled, and a new one arrives.
    h.srv.sim.cancelBuyerOrder(a);
    const c = place();
    const seen: string[] = [];
    let cursor = page.cursor;
    do {
      page = await adapter.listOrdersSince(cursor);
      cursor = page.cursor;
      seen.push(...page.orders.map((o) => `${o.orderNumber}:${o.status}`));
    } while (!page.caughtUp);
    expect(seen).toEqual([`${b}:pending`, `${c}:pending`]);
    const next = await drain(adapter, cursor);
    expect(next.orders.map((o) => `${o.orderNumber}:${o.status}`)).toEqual([`${a}:cancelled`]);
  });

  it('starts from `since` and leaves older orders alone', async () => {
    const adapter = await h.connected();
    place();
    clock().advance(2 * 3600_000);
    const since = clock().now() - 30 * MINUTE;
    const recent = place();
    const run = await drain(adapter, undefined, since);
    expect(run.orders.map((o) => o.orderNumber)).toEqual([recent]);
    expect(h.log.bodies.find((b) => b.api === 'orderList')!.body).toMatch(/<OrderTimeFrom>\d{14}<\/OrderTimeFrom>/);
  });

  it('maps an order: JST times, yen, buyer and address, lines with item code and sub-code', async () => {
    const adapter = await h.connected();
    const since = clock().now() - MINUTE;
    const id = h.srv.sim.placeBuyerOrder([
      { skuCode: variantSku.skuCode, quantity: 2 },
      { skuCode: 'MUG', quantity: 1 },
    ])!;
    const truth = h.srv.sim.state.orders.get(id)!;
    const [order] = (await drain(adapter, undefined, since)).orders;
    expect(order).toMatchObject({
      mall: 'yahoo',
      orderNumber: id,
      orderedAt: Math.floor(truth.orderTime / 1000) * 1000,
      totalYen: truth.detail.totalPrice,
      buyer: {
        name: `${truth.pay.bill.lastName} ${truth.pay.bill.firstName}`,
        nameKana: `${truth.pay.bill.lastNameKana} ${truth.pay.bill.firstNameKana}`,
        email: truth.pay.mailAddress,
      },
      shipTo: { postalCode: truth.ship.address.zipCode, prefecture: truth.ship.address.prefecture },
    });
    expect(order!.shipTo!.address).toContain(truth.ship.address.city + truth.ship.address.address1);
    expect(order!.lines).toEqual([
      { lineNo: 1, listingRef: { externalItemId: variantSku.yahoo!.itemCode, variantRef: variantSku.yahoo!.subCode }, name: expect.any(String), quantity: 2, unitPriceYen: variantSku.price },
      { lineNo: 2, listingRef: { externalItemId: 'mug-01' }, name: '波佐見焼マグカップ', quantity: 1, unitPriceYen: 1200 },
    ]);
  });

  it('refuses a cursor it did not write', async () => {
    const adapter = await h.connected();
    const error = await adapter.listOrdersSince('{"v":9}').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MallError);
    expect(error).toMatchObject({ kind: 'invalid-request' });
  });
});

describe('order actions', () => {
  it('getOrders reads by number and leaves out numbers Yahoo does not know', async () => {
    const adapter = await h.connected();
    const a = place();
    const orders = await adapter.getOrders([a, `${h.srv.ctx.credentials.yahoo.sellerId}-99999999`]);
    expect(orders.map((o) => o.orderNumber)).toEqual([a]);
  });

  it('confirmOrders marks orders seen, and reports the ones Yahoo refuses per order', async () => {
    const adapter = await h.connected();
    const a = place();
    const readOnly = await adapter.confirmOrders([a]);
    expect(readOnly[0]).toMatchObject({ key: a, ok: false, error: { kind: 'invalid-request', status: 400 } });
    clock().advance(11 * MINUTE);
    const results = await adapter.confirmOrders([a, 'bad id!', `${h.srv.ctx.credentials.yahoo.sellerId}-99999999`]);
    expect(results.map((r) => r.ok)).toEqual([true, false, false]);
    expect(results[2]).toMatchObject({ ok: false, error: { kind: 'not-found' } });
    expect(h.srv.sim.state.orders.get(a)!.isSeen).toBe(true);
  });

  it('confirmShipments sends ShipCompanyCode and the tracking number; carrier rules fail per order', async () => {
    const adapter = await h.connected();
    const [a, b, c, d] = [place(), place(), place(), place()];
    clock().advance(11 * MINUTE);
    const shippedAt = Date.UTC(2026, 2, 1, 16, 0); // 2026-03-02 01:00 JST
    const results = await adapter.confirmShipments([
      { orderNumber: a, carrier: 'yamato', trackingNumber: '1234-5678-9012', shippedAt },
      { orderNumber: b, carrier: 'japanpost', trackingNumber: '1234', shippedAt },
      { orderNumber: c, carrier: 'sagawa', trackingNumber: '400012345678', shippedAt },
      { orderNumber: d, carrier: 'other', carrierName: '西濃運輸', trackingNumber: 'S-1', shippedAt },
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, false, true, true]);
    expect(results[1]).toMatchObject({ ok: false, error: { kind: 'invalid-request', endpoint: 'orderShipStatusChange' } });
    const ship = (id: string) => h.srv.sim.state.orders.get(id)!.ship;
    expect(ship(a)).toMatchObject({ shipStatus: 3, companyCode: '1001', invoice1: '1234-5678-9012', shipDate: '2026-03-02' });
    expect(ship(c).companyCode).toBe('1002');
    expect(ship(d).companyCode).toBe('1004');
    expect(ship(b).shipStatus).not.toBe(3);
  });
});

describe('unexpected answers', () => {
  it('an orderInfo without TotalPrice names the field', async () => {
    const adapter = await h.connected();
    const a = place();
    h.rewrite.current = (api, _s, text) => (api === 'orderInfo' ? text.replace(/<TotalPrice>\d+<\/TotalPrice>/, '<TotalPrice>about 3000</TotalPrice>') : undefined);
    const error = await adapter.getOrders([a]).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'unexpected-response', endpoint: 'orderInfo', field: 'ResultSet.Result.OrderInfo.Detail.TotalPrice' });
  });

  it('an orderList NG answer is a typed error with its code', async () => {
    const adapter = await h.connected();
    h.rewrite.current = (api) =>
      api === 'orderList' ? '<?xml version="1.0"?><Result><Status>NG</Status><Error><Code>od00001</Code><Message>bad condition</Message></Error></Result>' : undefined;
    await expect(adapter.listOrdersSince(undefined)).rejects.toMatchObject({ kind: 'invalid-request', code: 'od00001', endpoint: 'orderList' });
  });

  it('an orderList entry with a broken LastUpdateTime names it', async () => {
    const adapter = await h.connected();
    place();
    h.rewrite.current = (api, _s, text) => (api === 'orderList' ? text.replace(/<LastUpdateTime>[^<]+</, '<LastUpdateTime>yesterday<') : undefined);
    await expect(adapter.listOrdersSince(undefined)).rejects.toMatchObject({ kind: 'unexpected-response', field: 'Result.Search.OrderInfo.0.LastUpdateTime' });
  });
});
