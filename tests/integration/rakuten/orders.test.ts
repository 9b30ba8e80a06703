import { afterEach, describe, expect, it } from 'vitest';
import { MallError } from '@/lib/malls/errors';
import type { MallOrder } from '@/lib/malls/types';
import { DAY, harness, type Call, type Harness } from './harness';

let h: Harness | undefined;
afterEach(async () => {
  // Real buckets are on in every test: the client's pacing must keep the simulator from throttling.
  const throttled = h?.throttled() ?? 0;
  await h?.close();
  h = undefined;
  expect(throttled).toBe(0);
});

const MIN = 60_000;
const searches = (hh: Harness) => hh.calls.filter((c) => c.path === '/es/2.0/order/searchOrder/' && c.status === 200).map((c) => c.body as Record<string, any>);
const getOrderCalls = (hh: Harness) => hh.calls.filter((c) => c.path === '/es/2.0/order/getOrder/' && c.status === 200);

function place(hh: Harness, skuCode = 'ich00001-wh-s', quantity = 1): string {
  const n = hh.srv.sim.placeBuyerOrder([{ skuCode, quantity }]);
  if (!n) throw new Error('the simulator refused the order');
  return n;
}

/** Calls listOrdersSince until caught up, as the sync engine does. */
async function drain(hh: Harness, cursor?: string, since?: number): Promise<{ orders: MallOrder[]; cursor: string; calls: number }> {
  const orders: MallOrder[] = [];
  for (let calls = 1; calls < 100; calls++) {
    const page = await hh.adapter.listOrdersSince(cursor, since === undefined ? undefined : { since });
    orders.push(...page.orders);
    cursor = page.cursor;
    if (page.caughtUp) return { orders, cursor, calls };
  }
  throw new Error('never caught up');
}

describe('listOrdersSince', () => {
  it('pages through new orders, normalises them, and does not return them again', async () => {
    h = await harness({ timeScale: 20, adapter: { orders: { pageSize: 3 } } });
    const placed: string[] = [];
    for (let i = 0; i < 7; i++) {
      placed.push(place(h, i % 2 ? 'ich00002-be' : 'ich00001-bk-m', 1 + (i % 3)));
      h.srv.ctx.clock.advance(2 * MIN);
    }
    const first = await drain(h, undefined, h.srv.ctx.clock.now() - DAY);
    expect(first.orders.map((o) => o.orderNumber)).toEqual(placed);
    // Three pages of the `ordered` lane (3 + 3 + 1), then one page per other lane.
    const ordered = searches(h).filter((b) => b.dateType === 1 && !b.orderProgressList);
    expect(ordered.map((b) => b.PaginationRequestModel.requestPage)).toEqual([1, 2, 3]);
    expect(ordered.every((b) => b.PaginationRequestModel.requestRecordsAmount === 3)).toBe(true);
    expect(searches(h).map((b) => b.dateType)).toEqual([1, 1, 1, 3, 5, 1]);

    const o = first.orders[0]!;
    const model = h.srv.sim.orderModel(o.orderNumber) as Record<string, any>;
    const sender = model.PackageModelList[0].SenderModel;
    expect(o).toMatchObject({
      mall: 'rakuten',
      status: 'new',
      mallStatus: '100',
      totalYen: model.totalPrice,
      lines: [{ lineNo: 1, listingRef: { externalItemId: 'ich00001', variantRef: 'r-sku00000004' }, name: 'ベーシック 綿100% 無地Tシャツ', quantity: 1, unitPriceYen: 1980 }],
      buyer: { name: `${model.OrdererModel.familyName} ${model.OrdererModel.firstName}` },
      shipTo: { name: `${sender.familyName} ${sender.firstName}`, postalCode: `${sender.zipCode1}-${sender.zipCode2}`, prefecture: sender.prefecture, address: `${sender.city}${sender.subAddress}` },
    });
    expect(o.orderedAt).toBeGreaterThan(0);
    expect(o.confirmDeadline).toBe(o.orderedAt + 14 * DAY);
    expect(o.buyer?.phone).toMatch(/^\d+-\d+-\d+$/);

    // Nothing new: a whole round searches again but fetches and returns nothing.
    const getsBefore = getOrderCalls(h).length;
    const again = await drain(h, first.cursor);
    expect(again.orders).toEqual([]);
    expect(getOrderCalls(h).length).toBe(getsBefore);

    const late = place(h);
    const third = await drain(h, again.cursor);
    expect(third.orders.map((x) => x.orderNumber)).toEqual([late]);
  });

  it('a search that answers again orders already read: read again or skipped, never lost, and the feed moves on', async () => {
    h = await harness({ timeScale: 20 });
    const first = place(h);
    h.srv.ctx.clock.advance(2 * MIN);
    const read = await drain(h, undefined, h.srv.ctx.clock.now() - DAY);
    expect(read.orders.map((o) => o.orderNumber)).toEqual([first]);
    const second = place(h, 'ich00002-be', 2);
    h.srv.ctx.clock.advance(2 * MIN);
    const fired = h.srv.ctx.faults.fired.length;
    h.srv.ctx.faults.add({ kind: 'duplicate', mall: 'rakuten' });
    const next = await drain(h, read.cursor);
    expect(h.srv.ctx.faults.fired.slice(fired).map((f) => f.kind)).toEqual(['duplicate']);
    const numbers = next.orders.map((o) => o.orderNumber);
    expect(numbers).toContain(second);
    expect(numbers.every((n) => n === first || n === second)).toBe(true);
    expect((await drain(h, next.cursor)).orders).toEqual([]);
  });

  it('reports confirmation by Rakuten (300), shipment (500) and cancellation as changes, each once', async () => {
    h = await harness({ timeScale: 20 });
    const since = h.srv.ctx.clock.now() - MIN;
    const a = place(h);
    const b = place(h, 'ich00002-be', 2);
    let feed = await drain(h, undefined, since);
    expect(feed.orders.map((o) => [o.orderNumber, o.status])).toEqual([
      [a, 'new'],
      [b, 'new'],
    ]);

    expect(await h.adapter.confirmOrders([a])).toEqual([{ key: a, ok: true }]);
    // Rakuten's processing (200 → 300) takes 10 minutes of mall time in the simulator.
    h.srv.ctx.clock.advance(11 * MIN);
    expect(h.srv.sim.cancelBuyerOrder(b)).toBe(true);
    feed = await drain(h, feed.cursor);
    expect(feed.orders.map((o) => [o.orderNumber, o.status, o.mallStatus])).toEqual([
      [a, 'confirmed', '300'],
      [b, 'cancelled', '900'],
    ]);
    expect(feed.orders[0]!.confirmDeadline).toBeUndefined();
    expect(feed.orders[1]!.updatedAt).toBeGreaterThan(feed.orders[1]!.orderedAt);

    const shipped = await h.adapter.confirmShipments([{ orderNumber: a, carrier: 'yamato', trackingNumber: '1234-5678-9012', shippedAt: h.srv.ctx.clock.now() }]);
    expect(shipped).toEqual([{ key: a, ok: true }]);
    feed = await drain(h, feed.cursor);
    expect(feed.orders.map((o) => [o.orderNumber, o.status, o.mallStatus])).toEqual([[a, 'shipped', '500']]);

    feed = await drain(h, feed.cursor);
    expect(feed.orders).toEqual([]);
  });

  it('ignores changes to orders placed before the feed started', async () => {
    h = await harness({ timeScale: 20 });
    const old = place(h);
    h.srv.ctx.clock.advance(2 * MIN);
    const since = h.srv.ctx.clock.now();
    const fresh = place(h);
    await h.adapter.confirmOrders([old, fresh]);
    h.srv.ctx.clock.advance(11 * MIN);
    const feed = await drain(h, undefined, since);
    expect(feed.orders.map((o) => [o.orderNumber, o.mallStatus])).toEqual([
      [fresh, '300'],
      [fresh, '300'],
    ]);
    // The fixed lane did see the older order (one getOrder for both) but did not return it.
    expect(getOrderCalls(h).map((c) => (c.body as { orderNumberList: string[] }).orderNumberList)).toEqual([[fresh], [old, fresh]]);
  });

  it('still reads an order the search shows late, thanks to the overlap (and misses it without)', async () => {
    const lateReads: Record<number, number> = {};
    for (const overlapMs of [15 * MIN, 0]) {
      let hide = '';
      const hh = await harness({
        timeScale: 20,
        adapter: { orders: { overlapMs } },
        rewrite: async (call: Call, response: Response) => {
          if (!hide || call.path !== '/es/2.0/order/searchOrder/' || response.status !== 200) return response;
          const body = (await response.json()) as { orderNumberList: string[] };
          body.orderNumberList = body.orderNumberList.filter((n) => n !== hide);
          return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
        },
      });
      try {
        const since = hh.srv.ctx.clock.now() - MIN;
        const early = place(hh);
        hh.srv.ctx.clock.advance(MIN);
        const lagging = place(hh);
        hh.srv.ctx.clock.advance(5_000);
        // Rakuten's search does not show the newest order yet.
        hide = lagging;
        const round1 = await drain(hh, undefined, since);
        expect(round1.orders.map((o) => o.orderNumber)).toEqual([early]);
        hide = '';
        hh.srv.ctx.clock.advance(5 * MIN);
        const round2 = await drain(hh, round1.cursor);
        lateReads[overlapMs] = round2.orders.filter((o) => o.orderNumber === lagging).length;
        expect(round2.orders.filter((o) => o.orderNumber === early)).toEqual([]);
      } finally {
        await hh.close();
      }
    }
    expect(lateReads).toEqual({ [15 * MIN]: 1, 0: 0 });
  });

  it('walks a long gap in windows of at most 63 days and only then reports caught up', async () => {
    h = await harness({ timeScale: 20 });
    const now = h.srv.ctx.clock.now();
    const order = place(h);
    const pages = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await h.adapter.listOrdersSince(cursor, { since: now - 100 * DAY });
      pages.push(page);
      cursor = page.cursor;
      if (page.caughtUp) break;
    }
    expect(pages.flatMap((p) => p.orders.map((o) => o.orderNumber))).toEqual([order]);
    const windows = searches(h)
      .filter((b) => b.dateType === 1 && !b.orderProgressList)
      .map((b) => [Date.parse(b.startDatetime.replace(/(\d\d)(\d\d)$/, '$1:$2')), Date.parse(b.endDatetime.replace(/(\d\d)(\d\d)$/, '$1:$2'))]);
    expect(windows.length).toBe(2);
    expect(windows.every(([s, e]) => e! - s! <= 63 * DAY)).toBe(true);
    expect(windows[0]![0]).toBe(Math.floor((now - 100 * DAY) / 1000) * 1000);
    expect(windows[1]![0]).toBe(windows[0]![1]);
    // The cancelled lane looks back at most 62 days, inside searchOrder's limits.
    const cancelled = searches(h).find((b) => b.orderProgressList)!;
    expect(cancelled.orderProgressList).toEqual([800, 900]);
    expect(h.calls.some((c) => c.status === 400)).toBe(false);
  });

  it('refuses a cursor it did not write', async () => {
    h = await harness({ timeScale: 20 });
    await expect(h.adapter.listOrdersSince('{"page":2}')).rejects.toMatchObject({ kind: 'invalid-request', endpoint: 'searchOrder' });
  });
});

describe('getOrders', () => {
  it('fetches version 10 in chunks of at most 100 and skips unknown numbers', async () => {
    h = await harness({ timeScale: 20 });
    const placed = Array.from({ length: 150 }, (_, i) => place(h!, i % 2 ? 'ich00001-wh-m' : 'ich00002-be'));
    const orders = await h.adapter.getOrders([...placed, '000001-20260302-99999999']);
    expect(orders.map((o) => o.orderNumber)).toEqual(placed);
    expect(getOrderCalls(h).map((c) => (c.body as { orderNumberList: string[]; version: number }).orderNumberList.length)).toEqual([100, 51]);
    expect(getOrderCalls(h).every((c) => (c.body as { version: number }).version === 10)).toBe(true);
  });

  it('names the field when an OrderModel misses orderProgress', async () => {
    h = await harness({
      timeScale: 20,
      rewrite: async (call, response) => {
        if (call.path !== '/es/2.0/order/getOrder/') return response;
        const body = (await response.json()) as { OrderModelList: Record<string, unknown>[] };
        delete body.OrderModelList[0]!.orderProgress;
        return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
      },
    });
    const n = place(h);
    const error = await h.adapter.getOrders([n]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MallError);
    expect(error).toMatchObject({ kind: 'unexpected-response', endpoint: 'getOrder', field: 'OrderModelList.0.orderProgress' });
  });
});

describe('confirmOrders', () => {
  it('confirms per order, treats a replay as done and reports cancelled and unknown orders', async () => {
    h = await harness({ timeScale: 20 });
    const a = place(h);
    const b = place(h);
    const c = place(h);
    h.srv.sim.cancelBuyerOrder(c);
    const unknown = '000001-20260302-99999999';
    const results = await h.adapter.confirmOrders([a, b, c, unknown]);
    expect(results.map((r) => [r.key, r.ok])).toEqual([
      [a, true],
      [b, true],
      [c, false],
      [unknown, false],
    ]);
    expect(results[2]).toMatchObject({ error: { kind: 'invalid-request', code: 'ORDER_EXT_API_CONFIRM_ORDER_ERROR_102', retryable: false } });
    expect((h.srv.sim.orderModel(a) as { orderProgress: number }).orderProgress).toBe(200);
    // The job ran but its answer was lost: doing it again is fine.
    expect(await h.adapter.confirmOrders([a])).toEqual([{ key: a, ok: true }]);
  });

  it('sends at most 100 orders per confirmOrder call', async () => {
    h = await harness({ timeScale: 20 });
    const placed = Array.from({ length: 120 }, () => place(h!));
    const results = await h.adapter.confirmOrders(placed);
    expect(results.every((r) => r.ok)).toBe(true);
    const calls = h.calls.filter((c) => c.path === '/es/2.0/order/confirmOrder/' && c.status === 200);
    expect(calls.map((c) => (c.body as { orderNumberList: string[] }).orderNumberList.length)).toEqual([100, 20]);
  });
});

describe('confirmShipments', () => {
  it('registers carrier codes and tracking numbers per basket, once, and reports what the mall refused', async () => {
    h = await harness({ timeScale: 20 });
    const [a, b, c, unconfirmed] = [place(h), place(h), place(h), place(h)];
    await h.adapter.confirmOrders([a, b, c]);
    h.srv.ctx.clock.advance(11 * 60_000);
    const shippedAt = Date.UTC(2026, 2, 4, 15, 30); // 2026-03-05 00:30 JST
    const results = await h.adapter.confirmShipments([
      { orderNumber: a, carrier: 'yamato', trackingNumber: '1234-5678-9012', shippedAt },
      { orderNumber: b, carrier: 'sagawa', trackingNumber: '987654321098', shippedAt },
      { orderNumber: c, carrier: 'other', carrierName: '西濃運輸', trackingNumber: 'S-1', shippedAt },
      { orderNumber: unconfirmed, carrier: 'japanpost', trackingNumber: 'JP1', shippedAt },
      { orderNumber: '000001-20260302-99999999', carrier: 'japanpost', trackingNumber: 'JP2', shippedAt },
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, true, true, false, false]);
    expect(results[3]).toMatchObject({ error: { kind: 'invalid-request', endpoint: 'updateOrderShipping' } });
    expect(results[4]).toMatchObject({ error: { kind: 'not-found' } });
    const shipping = (n: string) => (h!.srv.sim.orderModel(n) as any).PackageModelList[0].ShippingModelList;
    expect(shipping(a)).toEqual([expect.objectContaining({ deliveryCompany: '1001', shippingNumber: '1234-5678-9012', shippingDate: '2026-03-05' })]);
    expect(shipping(b)[0].deliveryCompany).toBe('1002');
    expect(shipping(c)[0].deliveryCompany).toBe('1004');
    expect((h.srv.sim.orderModel(a) as { orderProgress: number }).orderProgress).toBe(500);

    // A replay changes nothing and sends no update.
    const before = h.calls.filter((x) => x.path.endsWith('/updateOrderShipping/')).length;
    expect(await h.adapter.confirmShipments([{ orderNumber: a, carrier: 'yamato', trackingNumber: '123456789012', shippedAt }])).toEqual([{ key: a, ok: true }]);
    expect(h.calls.filter((x) => x.path.endsWith('/updateOrderShipping/')).length).toBe(before);
    expect(shipping(a)).toHaveLength(1);
    // A corrected carrier updates the same ShippingModel instead of adding one.
    await h.adapter.confirmShipments([{ orderNumber: a, carrier: 'japanpost', trackingNumber: '1234-5678-9012', shippedAt }]);
    expect(shipping(a)).toEqual([expect.objectContaining({ deliveryCompany: '1003' })]);
  });
});
