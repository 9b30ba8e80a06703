import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AmazonOrdersApi } from '@/lib/malls/amazon';
import { isoJst, packageReferenceId } from '@/lib/malls/amazon/util';
import type { MallOrder } from '@/lib/malls/types';
import { startAmazonTestServer, type AmazonTestServer } from '../../mall-sim/amazon/test-server';
import { makeAdapter, MINUTE, seedListings, type TestAdapter } from './helpers';

/**
 * Orders against the simulator with frozen mall time, so the two-minute visibility lag is exact: orders
 * become visible only when clock.advance() moves mall time past them.
 */

let sim: AmazonTestServer;
let pending: AmazonTestServer;
const adapters: TestAdapter[] = [];
const SEED = seedListings(5);

function adapter(ordersApi: AmazonOrdersApi, config: Parameters<typeof makeAdapter>[1] = {}, on = sim): TestAdapter {
  const t = makeAdapter(on.url, { ...config, config: { ordersApi, ...config.config } });
  adapters.push(t);
  return t;
}

function place(lines: [number, number][], on = sim): string {
  const id = on.sim.placeBuyerOrder(lines.map(([i, quantity]) => ({ skuCode: SEED[i]!.skuCode, quantity })));
  if (!id) throw new Error('the simulator refused the order');
  return id;
}

/** Reads pages until caught up; returns every order and the final cursor. */
async function drain(t: TestAdapter, cursor: string | undefined, since?: number): Promise<{ orders: MallOrder[]; cursor: string; pages: number }> {
  const orders: MallOrder[] = [];
  let pages = 0;
  for (;;) {
    const page = await t.adapter.listOrdersSince(cursor, since === undefined ? undefined : { since });
    pages += 1;
    orders.push(...page.orders);
    cursor = page.cursor;
    if (page.caughtUp) return { orders, cursor, pages };
    if (pages > 50) throw new Error('never caught up');
  }
}

beforeAll(async () => {
  sim = await startAmazonTestServer({ timeScale: 0 });
  pending = await startAmazonTestServer({ timeScale: 0, sim: { pendingOrderMs: 10 * MINUTE } });
  for (const s of [sim, pending]) s.ctx.limiter.enabled = false;
});
afterAll(async () => {
  await Promise.all([sim.close(), pending.close()]);
});
beforeEach(() => {
  for (const s of [sim, pending]) {
    s.sim.reset();
    s.ctx.faults.clear();
    s.seed(SEED);
  }
  adapters.length = 0;
});
afterEach(() => {
  for (const t of adapters) expect(t.problems).toEqual([]);
});

describe.each(['v0', 'v2026-01-01'] as const)('orders API %s', (api) => {
  const listOp = api === 'v0' ? 'getOrders' : 'searchOrders';
  const tokenParam = api === 'v0' ? 'NextToken' : 'paginationToken';

  it('pages through more than one page with a URL-encoded token and normalises orders', async () => {
    const t = adapter(api, { config: { ordersPageSize: 2 } });
    const start = sim.ctx.clock.now();
    const ids = [place([[0, 1]]), place([[1, 2], [2, 1]]), place([[3, 1]]), place([[4, 3]]), place([[0, 1]])];
    sim.ctx.clock.advance(3 * MINUTE);

    const first = await t.adapter.listOrdersSince(undefined, { since: start - 10 * MINUTE });
    expect(first.orders).toHaveLength(2);
    expect(first.caughtUp).toBe(false);
    // Mid-window nothing is proven listed yet.
    expect(first.listedThrough).toBeUndefined();
    const all = await drain(t, first.cursor);
    const orders = [...first.orders, ...all.orders];
    expect(orders.map((o) => o.orderNumber)).toEqual(ids);
    expect(t.count(listOp)).toBe(3);
    // The token has a '+' in it; sent raw it would arrive as a space.
    const paged = t.log.filter((e) => e.op === listOp && e.url.searchParams.has(tokenParam));
    expect(paged).toHaveLength(2);
    expect(paged.some((e) => e.url.href.includes('%2B'))).toBe(true);

    const two = orders[1]!;
    expect(two).toMatchObject({
      mall: 'amazon',
      orderNumber: ids[1],
      status: 'confirmed',
      mallStatus: api === 'v0' ? 'Unshipped' : 'UNSHIPPED',
      orderedAt: start,
      updatedAt: start,
      totalYen: 1980 * 3,
      lines: [
        { lineNo: 1, listingRef: { externalItemId: SEED[1]!.amazon!.sellerSku }, quantity: 2, unitPriceYen: 1980, name: `商品 ${SEED[1]!.skuCode}` },
        { lineNo: 2, listingRef: { externalItemId: SEED[2]!.amazon!.sellerSku }, quantity: 1, unitPriceYen: 1980 },
      ],
    });
    const raw = sim.sim.order(ids[1]!)!;
    expect(two.buyer).toEqual({ name: raw.buyer.name, email: raw.buyer.email, phone: raw.buyer.address.phone });
    expect(two.shipTo).toMatchObject({ name: raw.buyer.name, postalCode: raw.buyer.address.postalCode, prefecture: raw.buyer.address.stateOrRegion });
    expect(two.shipTo?.address.startsWith(`${raw.buyer.address.city}${raw.buyer.address.addressLine1}`)).toBe(true);

    // Caught up: the next poll starts at Amazon's bound and finds nothing new.
    const again = await t.adapter.listOrdersSince(all.cursor);
    expect(again).toMatchObject({ orders: [], caughtUp: true });
  });

  it('never loses an order placed inside the two-minute visibility lag', async () => {
    const t = adapter(api);
    const placedAt = sim.ctx.clock.now();
    const id = place([[0, 1]]);
    sim.ctx.clock.advance(1 * MINUTE);
    // Amazon shows orders up to now − 2 min, so the order is not visible yet…
    const early = await t.adapter.listOrdersSince(undefined, { since: placedAt - 10 * MINUTE });
    expect(early.orders).toEqual([]);
    expect(early.caughtUp).toBe(true);
    // …and the cursor continues from the bound Amazon reported, not from "now".
    expect(JSON.parse(early.cursor).after).toBe(new Date(placedAt - MINUTE).toISOString());
    // Every order updated up to that bound has been listed: the shelf guard may rely on it.
    expect(early.listedThrough).toBe(placedAt - MINUTE);
    sim.ctx.clock.advance(2 * MINUTE);
    const later = await t.adapter.listOrdersSince(early.cursor);
    expect(later.orders.map((o) => o.orderNumber)).toEqual([id]);
  });

  it('an order search that answers again orders already read: they come again, and the cursor still moves on', async () => {
    const t = adapter(api);
    const start = sim.ctx.clock.now();
    const first = place([[0, 1]]);
    sim.ctx.clock.advance(3 * MINUTE);
    const read = await drain(t, undefined, start - MINUTE);
    expect(read.orders.map((o) => o.orderNumber)).toEqual([first]);
    const second = place([[1, 1]]);
    sim.ctx.clock.advance(3 * MINUTE);
    const fired = sim.ctx.faults.fired.length;
    sim.ctx.faults.add({ kind: 'duplicate', mall: 'amazon' });
    const next = await drain(t, read.cursor);
    expect(next.orders.map((o) => o.orderNumber)).toEqual([first, second]);
    expect(sim.ctx.faults.fired.slice(fired).map((f) => f.kind)).toEqual(['duplicate']);
    sim.ctx.clock.advance(3 * MINUTE);
    expect((await t.adapter.listOrdersSince(next.cursor)).orders).toEqual([]);
  });

  it('re-reads an order whose status changed, with the unified status', async () => {
    const t = adapter(api);
    const start = sim.ctx.clock.now();
    const id = place([[0, 2]]);
    sim.ctx.clock.advance(3 * MINUTE);
    const { cursor } = await drain(t, undefined, start - MINUTE);
    expect(sim.sim.cancelBuyerOrder(id)).toBe(true);
    sim.ctx.clock.advance(3 * MINUTE);
    const next = await t.adapter.listOrdersSince(cursor);
    expect(next.orders).toHaveLength(1);
    expect(next.orders[0]).toMatchObject({ orderNumber: id, status: 'cancelled', mallStatus: api === 'v0' ? 'Canceled' : 'CANCELLED' });
  });

  it('restarts a window whose page token Amazon no longer knows', async () => {
    const t = adapter(api, { config: { ordersPageSize: 1 } });
    const start = sim.ctx.clock.now();
    const ids = [place([[0, 1]]), place([[1, 1]])];
    sim.ctx.clock.advance(3 * MINUTE);
    const first = await t.adapter.listOrdersSince(undefined, { since: start - MINUTE });
    const stale = JSON.stringify({ ...JSON.parse(first.cursor), token: 'bm90K2Fub3RoZXI+dG9rZW4=' });
    const rest = await drain(t, stale);
    expect(rest.orders.map((o) => o.orderNumber)).toEqual(ids);
  });

  it('gets orders by number and leaves out unknown ones', async () => {
    const t = adapter(api);
    const a = place([[0, 1]]);
    const b = place([[2, 2]]);
    const orders = await t.adapter.getOrders([b, '250-0000000-0000000', a]);
    expect(orders.map((o) => [o.orderNumber, o.totalYen])).toEqual([
      [b, 3960],
      [a, 1980],
    ]);
    expect(orders[0]?.shipTo?.name).toBe(sim.sim.order(b)?.buyer.name);
  });

  it('confirms shipments with the configured carrier code, idempotently', async () => {
    const t = adapter(api, { config: { carrierCodes: { sagawa: { carrierCode: 'SagawaExpress' } } } });
    const a = place([[0, 1], [1, 2]]);
    const b = place([[2, 1]]);
    const c = place([[3, 1]]);
    const shippedAt = Math.floor(sim.ctx.clock.now() / 1000) * 1000;
    const shipments = [
      { orderNumber: a, carrier: 'yamato' as const, trackingNumber: '123456789012', shippedAt },
      { orderNumber: b, carrier: 'sagawa' as const, trackingNumber: '400012345678', shippedAt },
      { orderNumber: c, carrier: 'other' as const, carrierName: '西濃運輸', trackingNumber: 'SEINO-1', shippedAt },
    ];
    expect(await t.adapter.confirmShipments(shipments)).toEqual(shipments.map((s) => ({ key: s.orderNumber, ok: true })));
    const order = sim.sim.order(a)!;
    expect(order.status).toBe('Shipped');
    expect(order.packages).toMatchObject([
      { packageReferenceId: packageReferenceId('123456789012'), carrierCode: 'YAMATO', trackingNumber: '123456789012', shipDate: isoJst(shippedAt), items: [{ quantity: 1 }, { quantity: 2 }] },
    ]);
    expect(sim.sim.order(b)?.packages[0]?.carrierCode).toBe('SagawaExpress');
    expect(sim.sim.order(c)?.packages[0]).toMatchObject({ carrierCode: 'Other', carrierName: '西濃運輸' });
    // Again: nothing left to ship, so nothing is sent and the answer stays ok.
    expect(await t.adapter.confirmShipments([shipments[0]!])).toEqual([{ key: a, ok: true }]);
    expect(t.count('confirmShipment')).toBe(3);
    expect(sim.sim.order(a)?.packages).toHaveLength(1);
  });

  it('refuses shipments Amazon cannot take, per order', async () => {
    const t = adapter(api);
    const cancelled = place([[0, 1]]);
    sim.sim.cancelBuyerOrder(cancelled);
    const ok = place([[1, 1]]);
    expect(isoJst(Date.UTC(2026, 7, 1, 0, 30))).toBe('2026-08-01T09:30:00+09:00');
    const results = await t.adapter.confirmShipments([
      { orderNumber: cancelled, carrier: 'japanpost', trackingNumber: 'RR123456789JP', shippedAt: Date.now() },
      { orderNumber: ok, carrier: 'other', trackingNumber: '1', shippedAt: Date.now() },
      { orderNumber: ok, carrier: 'japanpost', trackingNumber: 'RR123456789JP', shippedAt: Date.now() },
    ]);
    expect(results[0]).toMatchObject({ key: cancelled, ok: false, error: { kind: 'invalid-request' } });
    expect(results[1]).toMatchObject({ key: ok, ok: false, error: { kind: 'invalid-request', field: 'carrierName' } });
    expect(results[2]).toEqual({ key: ok, ok: true });
    expect(sim.sim.order(ok)?.packages[0]?.carrierCode).toBe('Japan Post');
  });

  it('reads Pending orders without prices as pending, and again with prices once Unshipped', async () => {
    const t = adapter(api, {}, pending);
    const start = pending.ctx.clock.now();
    const id = place([[0, 2]], pending);
    pending.ctx.clock.advance(3 * MINUTE);
    const first = await drain(t, undefined, start - MINUTE);
    expect(first.orders[0]).toMatchObject({ orderNumber: id, status: 'pending', lines: [{ quantity: 2 }] });
    if (api === 'v0') expect(first.orders[0]?.lines[0]?.unitPriceYen).toBe(0);
    expect(first.orders[0]?.shipTo).toBeUndefined();
    pending.ctx.clock.advance(10 * MINUTE);
    const second = await t.adapter.listOrdersSince(first.cursor);
    expect(second.orders[0]).toMatchObject({ orderNumber: id, status: 'confirmed', totalYen: 3960, lines: [{ unitPriceYen: 1980 }] });
  });
});

describe('v0 personal data', () => {
  it('fetches one Restricted Data Token and reuses it across pages', async () => {
    const t = adapter('v0', { config: { ordersPageSize: 1 } });
    const start = sim.ctx.clock.now();
    place([[0, 1]]);
    place([[1, 1]]);
    sim.ctx.clock.advance(3 * MINUTE);
    const { orders } = await drain(t, undefined, start - MINUTE);
    expect(orders.every((o) => o.buyer?.name && o.shipTo?.address)).toBe(true);
    expect(t.count('createRestrictedDataToken')).toBe(1);
    // The RDT goes only to getOrders; getOrderItems carries the plain access token.
    const getOrders = t.log.find((e) => e.op === 'getOrders')!;
    const items = t.log.find((e) => e.op === 'getOrderItems')!;
    expect(getOrders.headers['x-amz-access-token']).toMatch(/^Atz\.sprdt\|/);
    expect(items.headers['x-amz-access-token']).toMatch(/^Atza\|/);
  });

  it('leaves buyer and address out without a Restricted Data Token', async () => {
    const t = adapter('v0', { config: { restrictedData: false } });
    const start = sim.ctx.clock.now();
    place([[0, 1]]);
    sim.ctx.clock.advance(3 * MINUTE);
    const { orders } = await drain(t, undefined, start - MINUTE);
    expect(orders).toHaveLength(1);
    expect(orders[0]?.buyer).toBeUndefined();
    expect(orders[0]?.shipTo).toBeUndefined();
    expect(t.count('createRestrictedDataToken')).toBe(0);
  });

  it('reads orders without PII when the app may not have a Restricted Data Token, and says so', async () => {
    const t = adapter('v0', {
      // Amazon refuses the token when the app lacks the Direct-to-Consumer Shipping role.
      wrap: (f) => async (input, init) =>
        String(input).includes('/tokens/2021-03-01/restrictedDataToken')
          ? new Response(JSON.stringify({ errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.', details: '' }] }), { status: 403 })
          : f(input, init),
    });
    const start = sim.ctx.clock.now();
    place([[0, 1]]);
    sim.ctx.clock.advance(3 * MINUTE);
    const { orders } = await drain(t, undefined, start - MINUTE);
    expect(orders).toHaveLength(1);
    expect(orders[0]?.shipTo).toBeUndefined();
    expect(t.adapter.piiUnavailable()).toMatchObject({ code: 'Unauthorized' });
    const report = await t.adapter.testConnection();
    expect(report.ok).toBe(true);
    expect(report.checks[2]).toMatchObject({ name: 'restricted-data-token', ok: false, error: { kind: 'permission' } });
  });

  it('uses Orders v2026-01-01 unless told otherwise (spec §1.4)', () => {
    const t = makeAdapter(sim.url);
    expect(t.adapter.config.ordersApi).toBe('v2026-01-01');
    expect(t.adapter.config.ordersPageSize).toBe(100);
  });

  it('refuses a cursor it did not write', async () => {
    const t = adapter('v0');
    await expect(t.adapter.listOrdersSince('{"nope":1}')).rejects.toMatchObject({ kind: 'invalid-request', field: 'cursor' });
  });
});
