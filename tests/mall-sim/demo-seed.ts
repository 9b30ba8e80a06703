import { buildDemoShop, type DemoShop } from '../../lib/demo/demo-shop';
import { pickBuyerLines, seededRandom } from './core/buyers';
import type { RunningMallSim, SeedSet } from './core/server';
import type { BuyerLine, MallId, SeedListing } from './core/types';
import { MALL_IDS } from './core/types';

/**
 * The project's demo shop (lib/demo/demo-shop.ts) loaded into the mall simulator, so every code the
 * extension's demo catalog holds is the code the malls answer with, plus a few days of order history
 * on each mall: new orders, confirmed ones, shipped and completed ones, cancellations (and a partly
 * shipped Amazon order), each moved into its state the way the shop or the mall would do it.
 *
 * History is made by time travel on the simulator's clock: mall time steps back `historyHours`, the
 * listings are seeded there, each order is placed and moved on at its own moment, and the clock is
 * then put back where it was. Time-driven states (Rakuten 300 → 500 → 600 → 700) follow on their own.
 */

const HOUR = 3_600_000;

/** Demo SKUs as every mall lists them. A set's opening stock is what its components allow. */
export function demoSeedListings(shop: DemoShop = buildDemoShop()): SeedListing[] {
  const stock = new Map(shop.skus.map((s) => [s.code, s.stock]));
  return shop.skus.map((s) => ({
    skuCode: s.code,
    productCode: s.productId,
    productName: s.productName,
    variant: { ...(s.color ? { color: s.color } : {}), ...(s.size ? { size: s.size } : {}) },
    price: s.price,
    stock: s.components.length > 0 ? Math.min(...s.components.map((c) => Math.floor(Math.max(0, stock.get(c.skuCode) ?? 0) / c.quantity))) : s.stock,
    ...(s.rakuten ? { rakuten: { ...s.rakuten } } : {}),
    ...(s.yahoo ? { yahoo: { ...s.yahoo } } : {}),
    ...(s.amazon ? { amazon: { ...s.amazon } } : {}),
  }));
}

/** The demo shop's sets, for ShopTruth.defineSet. */
export function demoSets(shop: DemoShop = buildDemoShop()): SeedSet[] {
  return shop.skus.filter((s) => s.components.length > 0).map((s) => ({ setSku: s.code, components: s.components.map((c) => ({ ...c })) }));
}

export type DemoOrderState = 'new' | 'confirmed' | 'shipped' | 'partially-shipped' | 'completed' | 'cancelled';

/** One scripted order: hours are relative to the end of the history (negative = in the past). */
interface Story {
  name: string;
  state: DemoOrderState;
  place: number;
  confirm?: number;
  ship?: number;
  partialShip?: number;
  complete?: number;
  cancel?: number;
  prefer?: string[];
  minLines?: number;
  malls?: MallId[];
}

const STORIES = (setSku: string | undefined): Story[] => [
  { name: 'new-1', state: 'new', place: -0.4 },
  { name: 'new-2', state: 'new', place: -2.5, prefer: ['ich00001-wh-s'] },
  { name: 'new-set', state: 'new', place: -5, prefer: setSku ? [setSku] : [] },
  { name: 'confirmed-just-now', state: 'confirmed', place: -0.6, confirm: -0.1 },
  { name: 'confirmed-1', state: 'confirmed', place: -7, confirm: -6.5 },
  { name: 'confirmed-2', state: 'confirmed', place: -22, confirm: -21 },
  { name: 'shipped-1', state: 'shipped', place: -30, confirm: -29, ship: -8 },
  { name: 'shipped-2', state: 'shipped', place: -55, confirm: -54, ship: -40 },
  { name: 'shipped-3', state: 'shipped', place: -80, confirm: -79, ship: -70 },
  { name: 'partially-shipped', state: 'partially-shipped', place: -33, confirm: -32, partialShip: -12, minLines: 2, malls: ['amazon'] },
  { name: 'completed', state: 'completed', place: -95, confirm: -94, ship: -92, complete: -20 },
  { name: 'cancelled-by-buyer', state: 'cancelled', place: -45, cancel: -44 },
  { name: 'cancelled-after-confirm', state: 'cancelled', place: -26, confirm: -25, cancel: -24 },
];

export interface DemoSeedOptions {
  /** Build the shop with these arguments (default: the 200-SKU demo shop). */
  skuCount?: number;
  /** PRNG seed for baskets and tracking numbers. */
  seed?: number;
  /** Skip the order history (listings only). */
  orders?: boolean;
}

export interface DemoOrder {
  mall: MallId;
  orderId: string;
  story: string;
  state: DemoOrderState;
  lines: BuyerLine[];
}

export interface DemoSeedResult {
  skus: number;
  sets: number;
  listings: Record<MallId, number>;
  orders: DemoOrder[];
  /** Oversells the history itself caused (malls do not share stock until Ichigen syncs them). */
  oversells: number;
}

const jstDate = (ms: number) => new Date(ms + 9 * HOUR).toISOString().slice(0, 10);
const jstIso = (ms: number) => `${new Date(ms + 9 * HOUR).toISOString().slice(0, 19)}+09:00`;

async function post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    // keep the text
  }
  return { status: res.status, json };
}

/** Loads the demo shop into a running simulator and replays the demo order history. */
export async function seedDemoShop(sim: RunningMallSim, options: DemoSeedOptions = {}): Promise<DemoSeedResult> {
  const shop = buildDemoShop(options.skuCount ?? 200);
  const listings = demoSeedListings(shop);
  const sets = demoSets(shop);
  const { clock, limiter, credentials: creds } = sim.ctx;
  const rand = seededRandom(options.seed ?? 20261201);
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 10)).join('');
  const overBefore = sim.ctx.truth.oversells.length;
  const orders: DemoOrder[] = [];

  // Setup traffic is the shop's own history, not a client under test: no throttling while it runs.
  const limited = limiter.enabled;
  limiter.enabled = false;
  const end = clock.now();
  let shifted = 0;
  const goTo = (at: number) => {
    const d = at - clock.now();
    if (d > 0 || shifted === 0) {
      clock.advance(d);
      shifted += d;
    }
  };
  try {
    const stories = options.orders === false ? [] : STORIES(sets[0]?.setSku);
    goTo(end - Math.max(1, ...stories.map((s) => -s.place)) * HOUR - HOUR);
    sim.seed(listings, sets);

    // --- the shop's back-office actions, per mall --------------------------------------------
    const esa = `ESA ${Buffer.from(`${creds.rakuten.serviceSecret}:${creds.rakuten.licenseKey}`).toString('base64')}`;
    const rms = async (fn: string, body: unknown) => {
      const r = await post(`${sim.urls.rakuten}/es/2.0/order/${fn}/`, { authorization: esa, 'content-type': 'application/json;charset=utf-8' }, JSON.stringify(body));
      if (r.status !== 200) throw new Error(`demo seed: RMS ${fn} answered ${r.status} ${JSON.stringify(r.json)}`);
    };
    const amazonToken = async () => {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: creds.amazon.refreshToken,
        client_id: creds.amazon.clientId,
        client_secret: creds.amazon.clientSecret,
      });
      const r = await post(`${sim.urls.amazon}/auth/o2/token`, { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' }, form.toString());
      const token = (r.json as { access_token?: string } | undefined)?.access_token;
      if (!token) throw new Error(`demo seed: LWA answered ${r.status} ${JSON.stringify(r.json)}`);
      return token;
    };
    const amazonShip = async (orderId: string, partial: boolean) => {
      const order = sim.malls.amazon.order(orderId)!;
      const items = (partial ? order.lines.slice(0, 1) : order.lines).map((l) => ({ orderItemId: l.orderItemId, quantity: l.quantity }));
      const body = {
        marketplaceId: creds.amazon.marketplaceId,
        packageDetail: { packageReferenceId: '1', carrierCode: 'YAMATO', trackingNumber: digits(12), shipDate: jstIso(clock.now()), orderItems: items },
      };
      const r = await post(
        `${sim.urls.amazon}/orders/v0/orders/${orderId}/shipmentConfirmation`,
        { 'x-amz-access-token': await amazonToken(), 'content-type': 'application/json' },
        JSON.stringify(body),
      );
      if (r.status !== 204) throw new Error(`demo seed: confirmShipment answered ${r.status} ${JSON.stringify(r.json)}`);
    };
    const yahooOrder = (orderId: string) => {
      const o = sim.malls.yahoo.state.orders.get(orderId)!;
      o.lastUpdateTime = clock.now();
      o.historyId += 1;
      o.isSeen = true;
      o.operationUser = 'ichigen-demo';
      return o;
    };

    const actions: Record<'confirm' | 'ship' | 'partialShip' | 'complete' | 'cancel', (mall: MallId, id: string) => Promise<void>> = {
      async confirm(mall, id) {
        if (mall === 'rakuten') await rms('confirmOrder', { orderNumberList: [id] });
        // Store Creator Pro: opening the order marks it seen (orderChange IsSeen); Amazon has no confirm step.
        if (mall === 'yahoo') yahooOrder(id);
      },
      async ship(mall, id) {
        if (mall === 'rakuten') {
          const basketId = (sim.malls.rakuten.orderModel(id)?.PackageModelList as { basketId: number }[] | undefined)?.[0]?.basketId;
          await rms('updateOrderShipping', {
            orderNumber: id,
            BasketidModelList: [{ basketId, ShippingModelList: [{ deliveryCompany: '1001', shippingNumber: digits(12), shippingDate: jstDate(clock.now()) }] }],
          });
        }
        if (mall === 'yahoo') {
          // orderPayStatusChange for prepaid methods, then orderShipStatusChange to 3 出荷済み.
          const o = yahooOrder(id);
          if (o.pay.payStatus === 0 && o.pay.payType === 1) {
            o.pay.payStatus = 1;
            o.pay.payDate = jstDate(clock.now());
          }
          Object.assign(o.ship, { shipStatus: 3, companyCode: '1001', invoice1: digits(12), shipDate: jstDate(clock.now()) });
        }
        if (mall === 'amazon') await amazonShip(id, false);
      },
      async partialShip(mall, id) {
        if (mall === 'amazon') await amazonShip(id, true);
      },
      async complete(mall, id) {
        // Rakuten moves to 支払手続き済 on its own; Yahoo needs the store's orderStatusChange to 5.
        if (mall === 'yahoo') yahooOrder(id).orderStatus = 5;
      },
      async cancel(mall, id) {
        if (!sim.malls[mall].cancelBuyerOrder(id)) throw new Error(`demo seed: ${mall} refused to cancel ${id}`);
      },
    };

    // --- the timeline ------------------------------------------------------------------------
    type Step = { at: number; run: () => Promise<void> };
    const steps: Step[] = [];
    const idOf = new Map<string, string>();
    MALL_IDS.forEach((mall, m) => {
      for (const story of stories) {
        if (story.malls && !story.malls.includes(mall)) continue;
        const key = `${mall}:${story.name}`;
        // Malls' orders interleave rather than land on the same minute.
        const at = (h: number) => end + h * HOUR - m * 7 * 60_000;
        steps.push({
          at: at(story.place),
          run: async () => {
            // The history stays within what the shop really had: no oversell before the demo starts.
            const shown = new Map([...sim.malls[mall].shownStock()].map(([sku, q]) => [sku, Math.min(q, sim.ctx.truth.get(sku))]));
            let lines = pickBuyerLines(rand, shown, story.prefer);
            for (let i = 0; lines && i < 10 && lines.length < (story.minLines ?? 1); i++) lines = pickBuyerLines(rand, shown, story.prefer);
            const orderId = lines && sim.malls[mall].placeBuyerOrder(lines);
            if (!lines || !orderId) return;
            idOf.set(key, orderId);
            orders.push({ mall, orderId, story: story.name, state: story.state, lines });
          },
        });
        for (const action of ['confirm', 'ship', 'partialShip', 'complete', 'cancel'] as const) {
          const h = story[action];
          if (h === undefined) continue;
          steps.push({
            at: at(h),
            run: async () => {
              const id = idOf.get(key);
              if (id) await actions[action](mall, id);
            },
          });
        }
      }
    });
    steps.sort((a, b) => a.at - b.at);
    for (const step of steps) {
      goTo(step.at);
      await step.run();
    }
  } finally {
    clock.advance(-shifted);
    limiter.enabled = limited;
  }

  const counts = {} as Record<MallId, number>;
  for (const m of MALL_IDS) counts[m] = sim.malls[m].shownStock().size;
  return { skus: listings.length, sets: sets.length, listings: counts, orders, oversells: sim.ctx.truth.oversells.length - overBefore };
}
