import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MallError } from '@/lib/malls/errors';
import { startAmazonTestServer, type AmazonTestServer } from '../../mall-sim/amazon/test-server';
import { listingOf, makeAdapter, MINUTE, rewritingFetch, seedListings } from './helpers';

/** Answers that do not have the contracted shape become typed errors naming mall, endpoint and field. */

let sim: AmazonTestServer;
const SEED = seedListings(3);
const LISTINGS = SEED.map(listingOf);

beforeAll(async () => {
  sim = await startAmazonTestServer({ timeScale: 0, sim: { feedQueueMs: 0, feedProcessingMs: 0 } });
  sim.ctx.limiter.enabled = false;
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.sim.reset();
  sim.seed(SEED);
});

const rewrite = (op: string, fn: (body: any) => unknown) => ({
  wrap: (f: typeof fetch) => rewritingFetch(f, op, (text) => JSON.stringify(fn(JSON.parse(text)))),
});

async function failure(p: Promise<unknown>): Promise<MallError> {
  const e = await p.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(e).toBeInstanceOf(MallError);
  return e as MallError;
}

function placeVisibleOrder(): string {
  const id = sim.sim.placeBuyerOrder([{ skuCode: SEED[0]!.skuCode, quantity: 1 }]) as string;
  sim.ctx.clock.advance(3 * MINUTE);
  return id;
}

describe('unexpected response shapes', () => {
  it('a quantity that is not a number', async () => {
    const t = makeAdapter(sim.url, rewrite('searchListingsItems', (b) => ({ ...b, items: b.items.map((i: any) => ({ ...i, fulfillmentAvailability: [{ fulfillmentChannelCode: 'DEFAULT', quantity: 'five' }] })) })));
    const e = await failure(t.adapter.readStock(LISTINGS));
    expect(e).toMatchObject({ mall: 'amazon', endpoint: 'searchListingsItems', kind: 'unexpected-response', field: 'items.0.fulfillmentAvailability.0.quantity', status: 200 });
    expect(e.retryable).toBe(false);
  });

  it('a v2026 order without the fulfillment we asked for', async () => {
    placeVisibleOrder();
    const t = makeAdapter(sim.url, rewrite('searchOrders', (b) => ({ ...b, orders: b.orders.map(({ fulfillment: _f, ...o }: any) => o) })));
    const e = await failure(t.adapter.listOrdersSince(undefined, { since: sim.ctx.clock.now() - 10 * MINUTE }));
    expect(e).toMatchObject({ endpoint: 'searchOrders', kind: 'unexpected-response', field: 'orders.0.fulfillment' });
  });

  it('a v0 order status the model does not know', async () => {
    placeVisibleOrder();
    const t = makeAdapter(sim.url, { config: { ordersApi: 'v0' }, ...rewrite('getOrders', (b) => ({ payload: { ...b.payload, Orders: b.payload.Orders.map((o: any) => ({ ...o, OrderStatus: 'Teleported' })) } })) });
    const e = await failure(t.adapter.listOrdersSince(undefined, { since: sim.ctx.clock.now() - 10 * MINUTE }));
    expect(e).toMatchObject({ endpoint: 'getOrders', kind: 'unexpected-response', field: 'payload.Orders.0.OrderStatus' });
  });

  it('an order line without SellerSKU, which could not be matched to a listing', async () => {
    placeVisibleOrder();
    const t = makeAdapter(sim.url, { config: { ordersApi: 'v0' }, ...rewrite('getOrderItems', (b) => ({ payload: { ...b.payload, OrderItems: b.payload.OrderItems.map(({ SellerSKU: _s, ...i }: any) => i) } })) });
    const e = await failure(t.adapter.listOrdersSince(undefined, { since: sim.ctx.clock.now() - 10 * MINUTE }));
    expect(e).toMatchObject({ endpoint: 'getOrderItems', kind: 'unexpected-response', field: 'payload.OrderItems.0.SellerSKU' });
  });

  it('a price that is not an amount', async () => {
    placeVisibleOrder();
    const t = makeAdapter(sim.url, rewrite('searchOrders', (b) => {
      b.orders[0].orderItems[0].product.price.unitPrice.amount = '¥1,980';
      return b;
    }));
    const e = await failure(t.adapter.listOrdersSince(undefined, { since: sim.ctx.clock.now() - 10 * MINUTE }));
    expect(e.field).toBe('orders.0.orderItems.0.product.price.unitPrice.amount');
  });

  it('a Login with Amazon answer without access_token', async () => {
    const t = makeAdapter(sim.url, rewrite('lwa', ({ access_token: _a, ...b }) => b));
    const report = await t.adapter.testConnection();
    expect(report.checks[0]).toMatchObject({ name: 'lwa-token', ok: false, error: { kind: 'unexpected-response', endpoint: 'lwa.token', field: 'access_token' } });
  });

  it('an answer that is not JSON at all', async () => {
    const t = makeAdapter(sim.url, { wrap: (f) => rewritingFetch(f, 'searchListingsItems', () => '<html>maintenance</html>') });
    const e = await failure(t.adapter.readStock(LISTINGS));
    expect(e).toMatchObject({ endpoint: 'searchListingsItems', kind: 'unexpected-response', field: '(root)' });
  });

  it('a processing report without its summary fails every item of the feed', async () => {
    const t = makeAdapter(sim.url, { config: { patchThreshold: 1 }, ...rewrite('download', ({ summary: _s, ...r }) => r) });
    const results = await t.adapter.pushStock(LISTINGS.slice(0, 2).map((listing) => ({ listing, quantity: 1 })));
    expect(results).toHaveLength(2);
    for (const r of results) expect(r).toMatchObject({ ok: false, error: { kind: 'unexpected-response', endpoint: 'feedDocument.download', field: 'summary' } });
  });

  it('an error answer that is not Amazon’s error list still maps by status', async () => {
    const t = makeAdapter(sim.url, {
      wrap: (f) => async (input, init) => {
        const res = await f(input, init);
        return String(input).includes('/listings/') ? new Response('Bad Gateway-ish', { status: 404 }) : res;
      },
    });
    const e = await failure(t.adapter.readStock(LISTINGS));
    expect(e).toMatchObject({ endpoint: 'searchListingsItems', kind: 'not-found', status: 404 });
    expect(e.message).toContain('Bad Gateway-ish');
  });
});
