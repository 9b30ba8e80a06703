import { JSDOM } from 'jsdom';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoShop, demoCatalogRows } from '../../lib/demo/demo-shop';
import { pageAdapters } from '../../lib/pages';
import { pickBuyerLines, seededRandom, type BuyerEvent } from './core/buyers';
import { startMallSim, type RunningMallSim } from './core/server';
import type { MallId, SeedListing } from './core/types';
import { MALL_IDS } from './core/types';
import { demoSeedListings, demoSets, seedDemoShop, type DemoSeedResult } from './demo-seed';

const sims: RunningMallSim[] = [];
async function sim(): Promise<RunningMallSim> {
  const s = await startMallSim({ rateLimits: false });
  sims.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

const listing = (skuCode: string, stock: number, n: number): SeedListing => ({
  skuCode,
  productCode: `p${n}`,
  productName: `テスト商品 ${n}`,
  variant: {},
  price: 1000 + n,
  stock,
  rakuten: { manageNumber: `p${n}`, variantId: 'v1' },
  yahoo: { itemCode: `p${n}` },
  amazon: { sellerSku: skuCode, asin: `B0TEST${String(n).padStart(4, '0')}` },
});

async function control(s: RunningMallSim, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(s.urls.control + path, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

describe('ShopTruth counts oversells across malls', () => {
  it('counts one oversell when two malls each sell the last unit', async () => {
    const s = await sim();
    s.seed([listing('last-one', 1, 1), listing('plenty', 50, 2)]);
    expect(s.malls.rakuten.placeBuyerOrder([{ skuCode: 'last-one', quantity: 1 }])).toBeTruthy();
    // Yahoo still shows the unit Rakuten sold (nobody synced), so it accepts too.
    expect(s.malls.yahoo.shownStock().get('last-one')).toBe(1);
    const second = s.malls.yahoo.placeBuyerOrder([{ skuCode: 'last-one', quantity: 1 }, { skuCode: 'plenty', quantity: 1 }]);
    expect(second).toBeTruthy();
    expect(s.ctx.truth.oversells).toEqual([{ mall: 'yahoo', orderId: second, skuCode: 'last-one', units: 1, at: expect.any(Number) }]);
    const state = await control(s, 'GET', '/__control/state');
    expect(state.body.oversells).toHaveLength(1);
    expect(state.body.truth['last-one']).toBe(-1);
    // A mall refuses what it no longer shows: Rakuten is at 0.
    expect(s.malls.rakuten.placeBuyerOrder([{ skuCode: 'last-one', quantity: 1 }])).toBeNull();
    expect(s.ctx.truth.oversells).toHaveLength(1);
  });

  it('counts oversells of set components sold as part of a set on another mall', async () => {
    const s = await sim();
    s.seed([listing('a', 1, 1), listing('b', 2, 2), listing('set', 1, 3)], [{ setSku: 'set', components: [{ skuCode: 'a', quantity: 1 }, { skuCode: 'b', quantity: 2 }] }]);
    expect(s.ctx.truth.get('set')).toBe(1);
    expect(s.malls.amazon.placeBuyerOrder([{ skuCode: 'set', quantity: 1 }])).toBeTruthy();
    expect(s.ctx.truth.get('set')).toBe(0);
    expect(s.malls.rakuten.placeBuyerOrder([{ skuCode: 'b', quantity: 1 }])).toBeTruthy();
    expect(s.ctx.truth.oversells.map((o) => [o.mall, o.skuCode, o.units])).toEqual([['rakuten', 'b', 1]]);
  });
});

describe('buyer traffic', () => {
  const shop = (n = 20) => Array.from({ length: n }, (_, i) => listing(`sku-${String(i).padStart(2, '0')}`, 1 + (i % 4), i));

  it('places exactly ordersPerMinute orders per minute of mall time, baskets of 1–3 in-stock SKUs × 1–2', async () => {
    const s = await sim();
    s.seed(shop());
    const shownBefore = Object.fromEntries(MALL_IDS.map((m) => [m, s.malls[m].shownStock()]));
    const events: BuyerEvent[] = [];
    s.buyers.onEvent = (e) => events.push(e);
    s.buyers.start({ ordersPerMinute: 30, cancelRatio: 0, seed: 3 }, { autoTick: false });
    expect(s.buyers.tick()).toBe(0);
    s.ctx.clock.advance(60_000);
    expect(s.buyers.tick()).toBe(30);
    expect(events).toHaveLength(30);
    const ordered = events.filter((e) => e.kind === 'ordered');
    expect(ordered.length).toBeGreaterThan(15);
    for (const e of ordered) {
      expect(e.lines!.length).toBeGreaterThanOrEqual(1);
      expect(e.lines!.length).toBeLessThanOrEqual(3);
      expect(new Set(e.lines!.map((l) => l.skuCode)).size).toBe(e.lines!.length);
      for (const l of e.lines!) {
        expect([1, 2]).toContain(l.quantity);
        expect(shownBefore[e.mall]!.get(l.skuCode)).toBeGreaterThan(0);
      }
    }
    expect(new Set(ordered.map((e) => e.mall))).toEqual(new Set(MALL_IDS));
    const st = s.buyers.state();
    expect(MALL_IDS.reduce((n, m) => n + st.stats[m].ordered, 0)).toBe(ordered.length);
    expect(s.ctx.truth.acceptedOrders).toBe(ordered.length);
    // Every accepted order is in its mall.
    for (const e of ordered) expect(s.malls[e.mall].orderIds()).toContain(e.orderId);
  });

  it('is deterministic for a seed: same malls, baskets and cancellations', async () => {
    const run = async (seed: number) => {
      const s = await sim();
      s.seed(shop());
      const events: BuyerEvent[] = [];
      s.buyers.onEvent = (e) => events.push(e);
      s.buyers.start({ ordersPerMinute: 20, cancelRatio: 0.5, seed, cancelDelayMs: [5_000, 20_000] }, { autoTick: false });
      for (let i = 0; i < 6; i++) {
        s.ctx.clock.advance(20_000);
        s.buyers.tick();
      }
      // Amazon order ids are random like Amazon's; compare what buyers did.
      return events.map((e) => [e.mall, e.kind, e.at - events[0]!.at, JSON.stringify(e.lines ?? null)]);
    };
    const a = await run(42);
    expect(a.length).toBeGreaterThan(30);
    expect(a.some(([, kind]) => kind === 'cancelled')).toBe(true);
    expect(await run(42)).toEqual(a);
    expect(await run(43)).not.toEqual(a);
  });

  it('cancels the configured share through the malls, giving the stock back', async () => {
    const s = await sim();
    s.seed(shop());
    const before = MALL_IDS.map((m) => [...s.malls[m].shownStock()]);
    s.buyers.start({ ordersPerMinute: 12, cancelRatio: 1, malls: ['rakuten', 'amazon'], cancelDelayMs: [1_000, 1_000] }, { autoTick: false });
    s.ctx.clock.advance(60_000);
    s.buyers.tick();
    s.ctx.clock.advance(1_000);
    s.buyers.tick();
    const st = s.buyers.state();
    expect(st.stats.yahoo.ordered).toBe(0);
    const ordered = st.stats.rakuten.ordered + st.stats.amazon.ordered;
    expect(ordered).toBeGreaterThan(0);
    expect(st.stats.rakuten.cancelled + st.stats.amazon.cancelled).toBe(ordered);
    expect(s.ctx.truth.cancelledOrders).toBe(ordered);
    expect(st.pendingCancels).toBe(0);
    expect(MALL_IDS.map((m) => [...s.malls[m].shownStock()])).toEqual(before);
  });

  it('buys only what a mall shows in stock', async () => {
    const s = await sim();
    s.seed([listing('gone', 0, 1)]);
    s.buyers.start({ ordersPerMinute: 6, malls: ['yahoo'] }, { autoTick: false });
    s.ctx.clock.advance(60_000);
    s.buyers.tick();
    expect(s.buyers.state().stats.yahoo).toMatchObject({ ordered: 0, noStock: 6 });
    expect(pickBuyerLines(seededRandom(1), new Map([['x', 0]]))).toBeNull();
  });

  it('oversells across malls when nothing syncs stock, and the state endpoint reports it', async () => {
    const s = await sim();
    s.seed([listing('scarce', 1, 1)]);
    s.buyers.start({ ordersPerMinute: 60, cancelRatio: 0, seed: 5 }, { autoTick: false });
    s.ctx.clock.advance(60_000);
    s.buyers.tick();
    const accepted = MALL_IDS.reduce((n, m) => n + s.buyers.state().stats[m].ordered, 0);
    // Each mall sells its one shown unit once: up to three sales of one real unit.
    expect(accepted).toBeGreaterThanOrEqual(2);
    const state = await control(s, 'GET', '/__control/state');
    expect(state.body.oversells.length).toBe(accepted - 1);
    expect(state.body.buyers.running).toBe(true);
  });

  it('runs on its own in mall time through the control endpoints', async () => {
    const s = await startMallSim({ rateLimits: false, timeScale: 600 });
    sims.push(s);
    s.seed(shop());
    expect((await control(s, 'POST', '/__control/buyers/start', { ordersPerMinute: 0 })).status).toBe(400);
    expect((await control(s, 'POST', '/__control/buyers/start', { ordersPerMinute: 5, malls: ['ebay'] })).status).toBe(400);
    const started = await control(s, 'POST', '/__control/buyers/start', { ordersPerMinute: 30, cancelRatio: 0.2, malls: ['yahoo', 'amazon'], seed: 9 });
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ running: true, options: { ordersPerMinute: 30, cancelRatio: 0.2, malls: ['yahoo', 'amazon'], seed: 9 } });
    // 600× mall time: 30 orders/min of mall time is 5 a real second.
    await new Promise((r) => setTimeout(r, 1_200));
    const stopped = await control(s, 'POST', '/__control/buyers/stop');
    expect(stopped.body.running).toBe(false);
    const placed = stopped.body.stats.yahoo.ordered + stopped.body.stats.amazon.ordered + stopped.body.stats.yahoo.refused + stopped.body.stats.amazon.refused;
    expect(placed).toBeGreaterThanOrEqual(3);
    expect(stopped.body.stats.rakuten.ordered).toBe(0);
    const after = (await control(s, 'GET', '/__control/buyers')).body.stats;
    await new Promise((r) => setTimeout(r, 300));
    expect((await control(s, 'GET', '/__control/buyers')).body.stats).toEqual(after);
    await control(s, 'POST', '/__control/reset');
    expect((await control(s, 'GET', '/__control/state')).body.buyers.stats.yahoo.ordered).toBe(0);
  });
});

describe('demo shop seed', () => {
  const shop = buildDemoShop();

  it('maps the demo shop to listings with the catalog’s own codes, sets and deliberate mismatches', () => {
    const listings = demoSeedListings(shop);
    const catalog = demoCatalogRows(shop);
    expect(listings).toHaveLength(200);
    expect(listings.map((l) => l.skuCode)).toEqual(catalog.skus.map((s) => s.code));
    const byMall = (mall: MallId) => catalog.listings.filter((l) => l.mall === mall);
    expect(listings.filter((l) => l.rakuten)).toHaveLength(byMall('rakuten').length);
    expect(listings.filter((l) => l.yahoo)).toHaveLength(byMall('yahoo').length);
    expect(listings.filter((l) => l.amazon)).toHaveLength(byMall('amazon').length);
    expect(listings.some((l) => l.yahoo && l.yahoo.itemCode !== l.productCode)).toBe(true);
    expect(listings.some((l) => !l.amazon)).toBe(true);
    const sets = demoSets(shop);
    expect(sets.length).toBeGreaterThanOrEqual(2);
    for (const set of sets) {
      const stock = Math.min(...set.components.map((c) => Math.floor(shop.skus.find((s) => s.code === c.skuCode)!.stock / c.quantity)));
      expect(listings.find((l) => l.skuCode === set.setSku)!.stock).toBe(stock);
    }
    expect(new Set(listings.map((l) => l.productName)).size).toBeGreaterThan(40);
    expect(listings[0]).toMatchObject({ skuCode: 'ich00001-wh-s', variant: { color: 'ホワイト', size: 'S' }, amazon: { sellerSku: 'ich00001-wh-s' } });
  });

  describe('in a running simulator', () => {
    let s: RunningMallSim;
    let seeded: DemoSeedResult;
    let clockBefore: number;
    beforeAll(async () => {
      s = await startMallSim();
      clockBefore = s.ctx.clock.now();
      seeded = await seedDemoShop(s);
    });
    afterAll(async () => {
      await s.close();
    });

    it('lists the shop on every mall, defines the sets and puts mall time back', () => {
      expect(seeded.skus).toBe(200);
      expect(seeded.listings.rakuten).toBe(200);
      expect(seeded.listings.amazon).toBeLessThan(200);
      for (const set of demoSets(shop)) expect(s.ctx.truth.get(set.setSku)).toBe(Math.min(...set.components.map((c) => Math.floor(s.ctx.truth.get(c.skuCode) / c.quantity))));
      expect(Math.abs(s.ctx.clock.now() - Date.now() - (clockBefore - Date.now()))).toBeLessThan(5_000);
      expect(s.ctx.limiter.enabled).toBe(true);
      expect(seeded.oversells).toBe(0);
    });

    it('leaves orders in every state on each mall', () => {
      const states = (mall: MallId) => new Set(seeded.orders.filter((o) => o.mall === mall).map((o) => o.state));
      for (const mall of MALL_IDS) expect(states(mall)).toEqual(expect.objectContaining(new Set(['new', 'confirmed', 'shipped', 'completed', 'cancelled'])));
      expect(states('amazon').has('partially-shipped')).toBe(true);
      const statusOf = (mall: MallId) => new Set(s.adminData().orders!(mall).map((o) => o.statusCode));
      expect([...statusOf('rakuten')].sort()).toEqual(expect.arrayContaining(['100', '300', '500', '600', '700', '900']));
      expect(statusOf('rakuten').has('200') || statusOf('rakuten').has('300')).toBe(true);
      expect([...statusOf('yahoo')]).toEqual(expect.arrayContaining(['2', '4', '5']));
      expect([...statusOf('amazon')]).toEqual(expect.arrayContaining(['Unshipped', 'Shipped', 'PartiallyShipped', 'Canceled']));
      const yahoo = s.adminData().orders!('yahoo');
      expect(yahoo.some((o) => o.status === '新規注文')).toBe(true);
      expect(yahoo.some((o) => o.shipments[0]?.tracking)).toBe(true);
      // The history is days long, and the orders are the malls' own (ids, buyers with Japanese names).
      const times = seeded.orders.map((o) => s.adminData().order!(o.mall, o.orderId)!.orderedAt);
      expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(3 * 86_400_000);
      expect(s.adminData().order!('rakuten', seeded.orders.find((o) => o.mall === 'rakuten')!.orderId)!.buyer.name).toMatch(/^\p{Script=Han}+ /u);
    });

    it('serves admin list pages that link to real order-detail URLs of the demo orders', async () => {
      const lists: Record<MallId, string> = {
        rakuten: 'https://order-rp.rms.rakuten.co.jp/order-rb/order-list-sc/init?&SEARCH_MODE=1',
        yahoo: 'https://pro.store.yahoo.co.jp/pro.ichigen-demo/order/manage/index',
        amazon: 'https://sellercentral.amazon.co.jp/orders-v3/mfn/unshipped?page=1',
      };
      for (const mall of MALL_IDS) {
        const list = await control(s, 'GET', `/__admin?url=${encodeURIComponent(lists[mall])}`);
        expect(list.status).toBe(200);
        const listDoc = new JSDOM(list.body, { url: lists[mall] }).window.document;
        expect(pageAdapters[mall].readContext(new URL(lists[mall]), listDoc)).toMatchObject({ kind: 'other' });
        const links = [...listDoc.querySelectorAll<HTMLAnchorElement>('a.sim-order-link')].map((a) => a.href);
        expect(links.length).toBeGreaterThan(2);
        const ids = new Set(seeded.orders.filter((o) => o.mall === mall).map((o) => o.orderId));
        const detailUrl = links[0]!;
        const detail = await control(s, 'GET', `/__admin?url=${encodeURIComponent(detailUrl)}`);
        const doc = new JSDOM(detail.body, { url: detailUrl }).window.document;
        const context = pageAdapters[mall].readContext(new URL(detailUrl), doc);
        expect(context.kind).toBe('order');
        const orderNumber = (context as { orderNumber: string }).orderNumber;
        expect(ids.has(orderNumber) || s.malls[mall].orderIds().includes(orderNumber)).toBe(true);
        expect(pageAdapters[mall].findAnchor(doc)).not.toBeNull();
        const order = s.adminData().order!(mall, orderNumber)!;
        expect(detail.body).toContain(order.buyer.name.split(' ')[0]);
        expect(detail.body).toContain(order.lines[0]!.skuCode);
      }
    });

    it('serves item pages with the mall’s own stock that the page adapters still read', async () => {
      const pages: [MallId, string, string][] = [
        ['rakuten', 'https://item.rms.rakuten.co.jp/rms-sku/shops/000001/item/edit/ich00001', 'ich00001'],
        ['yahoo', 'https://editor.store.yahoo.co.jp/RT/ichigen-demo/PageEdit/index?page_key=ich00001&page_mode=Edit', 'ich00001'],
        ['amazon', 'https://sellercentral.amazon.co.jp/abis/listing/edit/offer?marketplaceID=A1VC38T7YXB528&sku=ich00001-wh-s&asin=B000000001', 'ich00001-wh-s'],
      ];
      for (const [mall, url, itemId] of pages) {
        const page = await control(s, 'GET', `/__admin?url=${encodeURIComponent(url)}`);
        expect(page.status).toBe(200);
        const doc = new JSDOM(page.body, { url }).window.document;
        expect(pageAdapters[mall].readContext(new URL(url), doc)).toEqual({ kind: 'item', mall, itemId });
        expect(page.body).toContain(shop.skus[0]!.productName);
        const shown = s.malls[mall].shownStock().get('ich00001-wh-s');
        expect(page.body).toMatch(mall === 'amazon' ? `name="quantity" value="${shown}"` : `data-sku="ich00001-wh-s">${shown}<`);
      }
      expect((await control(s, 'GET', `/__admin?url=${encodeURIComponent('https://example.com/')}`)).status).toBe(404);
      const index = await control(s, 'GET', '/__admin');
      expect(index.body).toContain('/__admin?local=1&amp;url=');
      const local = await control(s, 'GET', `/__admin?local=1&url=${encodeURIComponent('https://sellercentral.amazon.co.jp/orders-v3/mfn/shipped?page=1')}`);
      expect(local.body).toMatch(/href="\/__admin\?local=1&amp;url=https%3A%2F%2Fsellercentral\.amazon\.co\.jp%2Forders-v3%2Forder%2F/);
    });

    it('starts over with the demo shop through POST /__control/demo', async () => {
      const again = await control(s, 'POST', '/__control/demo', {});
      expect(again.status).toBe(200);
      expect(again.body.orders.length).toBe(seeded.orders.length);
      expect(s.ctx.truth.acceptedOrders).toBe(seeded.orders.length);
      expect(s.ctx.truth.oversells).toHaveLength(0);
    });
  });
});
