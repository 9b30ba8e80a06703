/**
 * `npm run bench:push` (`tsx tests/bench/push.bench.ts [--time-scale=N] [--skus=N] [--only=rakuten,yahoo,amazon]
 * [--trace] [--no-warmup] [--amazon-feed=QUEUE_MS,PROCESSING_MS]`)
 *
 * Pushes 10,000 SKUs of absolute stock to each mall of the in-process simulator, with the published rate
 * limits switched on and mall time running `--time-scale` times faster than ours, through the real clients
 * (lib/malls/<mall>, `rateScale` = the time scale, a fresh HttpClient and RateLimiter each, production
 * defaults otherwise). Per mall it prints achieved throughput against the rate-limit bound — the fastest ANY
 * client could finish under the published limits and the mall's own processing time (see "bounds") — and
 * the requests the simulator throttled. A mall passes with ratio ≥ 0.9, zero throttled requests and every
 * pushed quantity shown by the mall; the process exits 1 when one does not (2 on a crash). It is a
 * benchmark, not a test: vitest does not collect it (its include globs are `*.test.ts` under tests/unit,
 * tests/integration and tests/mall-sim), and ratios are printed, not asserted inside a test.
 *
 * Time scale, default 2. The clients keep 5 % margins on 1-second intervals: 50 ms against the real
 * malls for network and worker jitter. The simulator shares this process and its CPU with the clients,
 * where a request's way to the simulator varies by 2–20 ms on a busy machine (--trace shows it); at 20×
 * that is 40–400 ms of mall time, more than the margin, so high scales measure CPU contention rather
 * than the client and risk throttles no real mall would see. At 2× the run takes about 75 s (the Amazon
 * feed alone waits 90 mall seconds). The same reasoning keeps the integration tests at 2–4×.
 *
 * Throughput is in SKUs per MALL second (real elapsed × time scale), so the numbers read as they would
 * against the real malls; the ratio is the same in either unit.
 *
 * Mall by mall, not in parallel: one mall's CPU work would otherwise show up as another's latency.
 */
import { performance } from 'node:perf_hooks';
import type { Listing } from '../../lib/catalog/schemas';
import { HttpClient } from '../../lib/http/client';
import { memoryRateStore, RateLimiter } from '../../lib/http/rate-limiter';
import { createAmazonAdapter } from '../../lib/malls/amazon';
import { OPERATION_LIMITS } from '../../lib/malls/amazon/config';
import type { ItemResult } from '../../lib/malls/errors';
import { BULK_UPSERT_MAX, createRakutenAdapter, RAKUTEN_RATE_LIMITS } from '../../lib/malls/rakuten';
import type { MallAdapter, StockPush } from '../../lib/malls/types';
import { createYahooAdapter } from '../../lib/malls/yahoo';
import { STOCK_BATCH_SIZE } from '../../lib/malls/yahoo/stock';
import { startMallSim, type RunningMallSim } from '../mall-sim/core/server';
import type { MallId, SeedListing } from '../mall-sim/core/types';

// ---------------------------------------------------------------------------------------------------------
// flags

function flag(name: string): string | undefined {
  for (const arg of process.argv.slice(2)) {
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return undefined;
}

function positive(name: string, fallback: number): number {
  const raw = flag(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!(n > 0) || !Number.isFinite(n)) throw new Error(`--${name} must be a positive number, not ${raw}`);
  return n;
}

const TIME_SCALE = positive('time-scale', 2);
const SKUS = Math.floor(positive('skus', 10_000));
const ONLY = (flag('only') ?? 'rakuten,yahoo,amazon').split(',').filter(Boolean) as MallId[];
/** `--trace`: print every request with its start (ms after the push began) and round trip. */
const TRACE = process.argv.includes('--trace');
/**
 * `--amazon-feed=QUEUE_MS,PROCESSING_MS`: the simulator's feed timings in mall ms (default its own, 30 s
 * IN_QUEUE + 60 s IN_PROGRESS), to see how the client's getFeed polling copes with other durations.
 */
const AMAZON_FEED = flag('amazon-feed')
  ?.split(',')
  .map((v) => Number(v));
if (AMAZON_FEED && (AMAZON_FEED.length !== 2 || AMAZON_FEED.some((v) => !(v >= 0)))) throw new Error('--amazon-feed takes QUEUE_MS,PROCESSING_MS');
/** `--no-warmup`: measure a cold client and simulator (see WARM_UP). */
const WARMUP = !process.argv.includes('--no-warmup');
const MIN_RATIO = 0.9;

// ---------------------------------------------------------------------------------------------------------
// the shop: every SKU listed on all three malls

/** 10 variants per product so Rakuten and Yahoo see item + variant keys as real shops have them. */
function seedShop(n: number): SeedListing[] {
  return Array.from({ length: n }, (_, i) => {
    const product = `bench${String(Math.floor(i / 10)).padStart(5, '0')}`;
    const variant = `v${i % 10}`;
    const skuCode = `${product}-${variant}`;
    return {
      skuCode,
      productCode: product,
      productName: `ベンチマーク商品 ${product}`,
      variant: { size: variant.toUpperCase() },
      price: 1980,
      stock: 5,
      rakuten: { manageNumber: product, variantId: variant },
      yahoo: { itemCode: product, subCode: `${product}-${variant}` },
      amazon: { sellerSku: `A-${skuCode}`, asin: `B0${String(i + 1).padStart(8, '0')}` },
    };
  });
}

/** The catalog's listing rows (lib/catalog/schemas.ts listingSchema) for one mall. */
function listingsFor(mall: MallId, seed: SeedListing[]): Listing[] {
  return seed.map((s): Listing => {
    const base = { id: `${mall}:${s.skuCode}`, skuCode: s.skuCode, safetyBuffer: 0, active: true };
    if (mall === 'rakuten') return { ...base, mall, externalItemId: s.rakuten!.manageNumber, rakuten: s.rakuten! };
    if (mall === 'yahoo') return { ...base, mall, externalItemId: s.yahoo!.itemCode, yahoo: { itemCode: s.yahoo!.itemCode, subCode: s.yahoo!.subCode! } };
    return { ...base, mall, externalItemId: s.amazon!.sellerSku, amazon: s.amazon! };
  });
}

/** A quantity per SKU that differs from the seeded 5, so the check below proves the push landed. */
const quantityOf = (i: number): number => 100 + (i % 900);

// ---------------------------------------------------------------------------------------------------------
// bounds
//
// The bound is the fastest ANY client could push `pushes` quantities: the time the published rate limits
// force between its first and its last request (computed below, in mall time), plus the mall's own work
// no client can avoid once the limits let it through (measured: see criticalSimMs), in real time. Network
// round trips of the client, its CPU time and any safety margin are NOT in it: they count against the
// client, so the ratio is what our client leaves on the table.

interface Bound {
  /** What the rate limits and the mall's stated processing times force, in mall ms. */
  limitsMallMs: number;
  how: string;
}

/**
 * Requests that must go one token apart: with a full bucket of `burst` the first `burst` go at once and each
 * later one waits 1/rate for its token, so n requests need at least (n − burst)/rate between the first and
 * the last.
 */
function bucketBound(requests: number, spec: { rate: number; burst: number }, what: string): Bound {
  const limitsMallMs = (Math.max(0, requests - spec.burst) / spec.rate) * 1000;
  return { limitsMallMs, how: `${what}: ${requests} requests at ${spec.rate}/s burst ${spec.burst} → (${requests} − ${spec.burst}) / ${spec.rate} = ${limitsMallMs / 1000} s` };
}

/** Rakuten inventories.bulk.upsert: 400 rows per request, 1 req/s, burst 1 (RMS InventoryAPI 2.0). */
function rakutenBound(pushes: number): Bound {
  return bucketBound(Math.ceil(pushes / BULK_UPSERT_MAX), RAKUTEN_RATE_LIMITS['inventories.bulk.upsert'], `bulk.upsert ×${BULK_UPSERT_MAX} rows`);
}

/** Yahoo setStock: 1,000 codes per request, 1 query/s per URL, no burst (the simulator's configured limit). */
function yahooBound(pushes: number, sim: RunningMallSim): Bound {
  const spec = sim.malls.yahoo.options.rateByApi.setStock ?? sim.malls.yahoo.options.rate;
  return bucketBound(Math.ceil(pushes / STOCK_BATCH_SIZE), spec, `setStock ×${STOCK_BATCH_SIZE} codes`);
}

/**
 * Amazon: the faster of the two paths the API offers for `pushes` quantities.
 *
 * - patchListingsItem, one SKU per call at 5/s burst 5: (pushes − 5)/5 s (10,000 → 1,999 s).
 * - JSON_LISTINGS_FEED, up to 25,000 messages in one feed (spec §5.4). Every request on that path fits in
 *   its bucket's burst, so none waits for a token: createFeedDocument (0.5/s burst 15), the upload to the
 *   presigned URL (no limit), createFeed (burst 15, and JSON_LISTINGS_FEED's own 5 per 300 s, burst 5),
 *   getFeedDocument (0.0222/s burst 10) and the report download (no limit). What remains is the mall: the
 *   feed sits IN_QUEUE `feedQueueMs` and IN_PROGRESS `feedProcessingMs` after createFeed (the simulator's
 *   options; Amazon says "expect minutes"), and a getFeed can see DONE no earlier than that. getFeed
 *   (2/s burst 15) is the only call a client repeats; its poll granularity is taken as zero (an ideal
 *   client polls the moment the feed ends), so the limits part is queue + processing. Several feeds in
 *   parallel would not help: each takes the same queue + processing time.
 */
function amazonBound(pushes: number, sim: RunningMallSim): Bound {
  const patch = bucketBound(pushes, OPERATION_LIMITS.patchListingsItem, 'patchListingsItem');
  const { feedQueueMs, feedProcessingMs } = sim.malls.amazon.options;
  const feeds = Math.ceil(pushes / 25_000);
  const feed: Bound = {
    limitsMallMs: feedQueueMs + feedProcessingMs,
    how: `JSON_LISTINGS_FEED ×${feeds}: createFeedDocument, upload, createFeed, getFeedDocument, download all within their bursts; queue ${feedQueueMs / 1000} s + processing ${feedProcessingMs / 1000} s = ${(feedQueueMs + feedProcessingMs) / 1000} s (patch path: ${patch.limitsMallMs / 1000} s)`,
  };
  return feed.limitsMallMs <= patch.limitsMallMs ? feed : patch;
}

/**
 * The simulator's own time per request it answered (its handler, after the body was read), recorded by
 * wrapping the mall's `handle`, which the server looks up per request.
 */
interface Handled {
  method: string;
  path: string;
  /** performance.now() when the handler started: where the simulator meters the request. */
  at: number;
  ms: number;
}

function recordHandling(sim: RunningMallSim, mall: MallId): { handled: Handled[]; restore(): void } {
  const target = sim.malls[mall];
  const original = target.handle;
  const handled: Handled[] = [];
  target.handle = async (request) => {
    const started = performance.now();
    try {
      await original.call(target, request);
    } finally {
      handled.push({ method: request.method, path: request.url.pathname, at: started, ms: performance.now() - started });
    }
  };
  return { handled, restore: () => void (target.handle = original) };
}

/**
 * The mall's work on the critical path, which any client waits for too (real ms):
 * - Rakuten, Yahoo: handling the last stock request (its answer cannot come sooner);
 * - Amazon: handling the getFeed that finds the feed due (the simulator applies all its messages then, on
 *   that request), the getFeedDocument and the report download after it.
 */
function criticalSimMs(mall: MallId, handled: Handled[]): { ms: number; what: string } {
  const last = (n: number) => handled.slice(-n);
  if (mall !== 'amazon') {
    const [final] = last(1);
    return { ms: final?.ms ?? 0, what: final ? `handling the last ${final.method} ${final.path}` : 'nothing handled' };
  }
  const tail = last(3);
  const shape = tail.map((h) => `${h.method} ${h.path.replace(/\/[^/]+$/, '/:id')}`).join(', ');
  const expected = 'GET /feeds/2021-06-30/feeds/:id, GET /feeds/2021-06-30/documents/:id, GET /__uploads/:id';
  if (shape !== expected) return { ms: 0, what: `not counted: the last requests were ${shape}` };
  return { ms: tail.reduce((n, h) => n + h.ms, 0), what: 'the DONE getFeed (feed applied), getFeedDocument, download' };
}

// ---------------------------------------------------------------------------------------------------------
// clients

function http(): HttpClient {
  // Production settings: the default limiter margin and retry policy. A retry would show up as a
  // throttled request in the simulator's count, so none is hidden.
  return new HttpClient({ limiter: new RateLimiter({ store: memoryRateStore() }) });
}

function rakutenClient(sim: RunningMallSim): MallAdapter {
  const c = sim.ctx.credentials.rakuten;
  return createRakutenAdapter({
    credentials: { serviceSecret: c.serviceSecret, licenseKey: c.licenseKey },
    endpoints: { api: sim.urls.rakuten },
    http: http(),
    now: () => sim.ctx.clock.now(),
    rateScale: TIME_SCALE,
  });
}

/** The extension's launchWebAuthFlow: the simulator's consent page redirects at once, so follow nothing. */
async function launchViaFetch(url: string): Promise<string> {
  const res = await fetch(url, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (!location) throw new Error(`authorize answered ${res.status} without a redirect: ${await res.text()}`);
  return location;
}

async function yahooClient(sim: RunningMallSim): Promise<MallAdapter> {
  const c = sim.ctx.credentials.yahoo;
  const adapter = createYahooAdapter({
    http: http(),
    credentials: { clientId: c.clientId, clientSecret: c.clientSecret, sellerId: c.sellerId, publicKeyPem: c.publicKeyPem, keyVersion: c.keyVersion, publicKeyIssuedAt: sim.ctx.clock.now() },
    endpoints: { api: sim.urls.yahoo, auth: sim.urls.yahoo },
    redirectUri: 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/',
    now: () => sim.ctx.clock.now(),
    rateScale: TIME_SCALE,
    // The simulator's Date header is real time while its clock runs faster; the skew hint would misfire.
    clockToleranceMs: Number.POSITIVE_INFINITY,
  });
  // ID連携 first, as a shop does once; it is not part of the push.
  await adapter.authorize(launchViaFetch);
  return adapter;
}

function amazonClient(sim: RunningMallSim): MallAdapter {
  const c = sim.ctx.credentials.amazon;
  return createAmazonAdapter({
    http: http(),
    credentials: { clientId: c.clientId, clientSecret: c.clientSecret, refreshToken: c.refreshToken, sellerId: c.sellerId },
    endpoints: { api: sim.urls.amazon, lwa: sim.urls.amazon },
    marketplaceId: c.marketplaceId,
    rateScale: TIME_SCALE,
  });
}

// ---------------------------------------------------------------------------------------------------------
// run

interface Row {
  mall: MallId;
  pushes: number;
  elapsedRealMs: number;
  /** Real ms the bound allows: limits (mall time ÷ scale) + the mall's critical-path work. */
  boundRealMs: number;
  simMs: number;
  achieved: number;
  bound: number;
  ratio: number;
  throttled: number;
  failures: string[];
  notes: string[];
}

/** Counts requests per path on the way out and, with --trace, prints each with its timing. */
function countingFetch(counts: Map<string, number>, origin: { t: number }): typeof fetch {
  const inner = globalThis.fetch;
  return async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const key = `${init?.method ?? 'GET'} ${url.pathname.replace(/\/(\d{6,}|amzn1\.[^/]+)(?=\/|$)/g, '/:id').replace(/\/__uploads\/[^/]+/, '/__uploads/:id')}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const sent = performance.now();
    const response = await inner(input, init);
    if (TRACE) {
      const body = await response.clone().arrayBuffer();
      const done = performance.now();
      console.log(`    ${(sent - origin.t).toFixed(1).padStart(8)} ms  +${(done - sent).toFixed(1).padStart(6)} ms  ${response.status} ${key} (${body.byteLength} B)`);
    }
    return response;
  };
}

/**
 * SKUs pushed once before the measured push, with other quantities: the first requests of a cold process
 * are slow on both sides (JIT, first connections, the first access token), a cost a long-lived sync pays
 * once, not per push. Two full requests for Rakuten and Yahoo; for Amazon five single patches (within
 * patchListingsItem's burst: the LWA token and the connection, not a second 90-second feed).
 */
const WARM_UP: Record<MallId, number> = { rakuten: 2 * BULK_UPSERT_MAX, yahoo: 2 * STOCK_BATCH_SIZE, amazon: 5 };

async function benchMall(sim: RunningMallSim, mall: MallId, seed: SeedListing[]): Promise<Row> {
  const counts = new Map<string, number>();
  const origin = { t: performance.now() };
  const originalFetch = globalThis.fetch;
  globalThis.fetch = countingFetch(counts, origin);
  const throttledBefore = sim.ctx.limiter.totalThrottled(`${mall}:`);
  const recording = recordHandling(sim, mall);
  try {
    const adapter = mall === 'rakuten' ? rakutenClient(sim) : mall === 'yahoo' ? await yahooClient(sim) : amazonClient(sim);
    const listings = listingsFor(mall, seed);
    const notes: string[] = [];
    if (WARMUP) {
      const warm = listings.slice(0, Math.min(WARM_UP[mall], listings.length));
      const warmStart = performance.now();
      const warmResults = await adapter.pushStock(warm.map((listing) => ({ listing, quantity: 1 })));
      if (warmResults.some((r) => !r.ok)) throw new Error(`${mall}: the warm-up push failed: ${JSON.stringify(warmResults.find((r) => !r.ok))}`);
      notes.push(`warm-up: ${warm.length} SKUs in ${(performance.now() - warmStart).toFixed(0)} ms real, then ${(2000 / TIME_SCALE).toFixed(0)} ms (2 mall s) for the buckets to refill`);
      // Two mall seconds: Rakuten's and Yahoo's 1-token buckets refill; Amazon's feed path is untouched.
      await new Promise((resolve) => setTimeout(resolve, 2000 / TIME_SCALE));
    }
    const pushes: StockPush[] = listings.map((listing, i) => ({ listing, quantity: quantityOf(i) }));
    const bound = mall === 'rakuten' ? rakutenBound(pushes.length) : mall === 'yahoo' ? yahooBound(pushes.length, sim) : amazonBound(pushes.length, sim);
    counts.clear();
    recording.handled.length = 0;

    const start = performance.now();
    origin.t = start;
    const results: ItemResult[] = await adapter.pushStock(pushes);
    const elapsedRealMs = performance.now() - start;

    const throttled = sim.ctx.limiter.totalThrottled(`${mall}:`) - throttledBefore;
    if (TRACE) {
      console.log(`    simulator side (handler start, gap to the previous one of the same path, handling time):`);
      const lastAt = new Map<string, number>();
      for (const h of recording.handled) {
        const key = `${h.method} ${h.path.replace(/\/[^/]*\d[^/]*$/, '/:id')}`;
        const gap = lastAt.has(key) ? (h.at - lastAt.get(key)!).toFixed(1) : '-';
        lastAt.set(key, h.at);
        console.log(`    ${(h.at - start).toFixed(1).padStart(8)} ms  gap ${gap.padStart(6)}  ${h.ms.toFixed(1).padStart(6)} ms  ${key}`);
      }
    }
    const failures: string[] = [];
    const failed = results.filter((r) => !r.ok);
    if (results.length !== pushes.length) failures.push(`${results.length} results for ${pushes.length} pushes`);
    if (failed.length > 0) failures.push(`${failed.length} pushes failed, e.g. ${JSON.stringify(failed[0])}`);
    const shown = sim.malls[mall].shownStock();
    const wrong = seed.map((s, i) => ({ s, i })).filter(({ s, i }) => shown.get(s.skuCode) !== quantityOf(i));
    if (wrong.length > 0) {
      const { s, i } = wrong[0]!;
      failures.push(`${wrong.length} SKUs do not show the pushed quantity, e.g. ${s.skuCode}: ${shown.get(s.skuCode)} instead of ${quantityOf(i)}`);
    }

    const sim_ = criticalSimMs(mall, recording.handled);
    const boundRealMs = bound.limitsMallMs / TIME_SCALE + sim_.ms;
    const elapsedMallS = (elapsedRealMs * TIME_SCALE) / 1000;
    const achieved = pushes.length / elapsedMallS;
    const boundRate = boundRealMs > 0 ? pushes.length / ((boundRealMs * TIME_SCALE) / 1000) : Number.POSITIVE_INFINITY;
    notes.unshift(
      `bound: ${bound.how}; + ${sim_.ms.toFixed(1)} ms real of simulator work (${sim_.what}) → ${(boundRealMs / 1000).toFixed(3)} s real`,
      `requests: ${[...counts].map(([k, v]) => `${v}× ${k}`).join(', ')}`,
    );
    return {
      mall,
      pushes: pushes.length,
      elapsedRealMs,
      boundRealMs,
      simMs: sim_.ms,
      achieved,
      bound: boundRate,
      ratio: achieved / boundRate,
      throttled,
      failures,
      notes,
    };
  } finally {
    recording.restore();
    globalThis.fetch = originalFetch;
  }
}

const passes = (r: Row): boolean => r.ratio >= MIN_RATIO && r.throttled === 0 && r.failures.length === 0;

function printTable(rows: Row[]): void {
  const header = ['mall', 'pushes', 'elapsed', 'bound time', 'achieved SKU/s', 'bound SKU/s', 'ratio', 'throttled', 'result'];
  const widths = [8, 7, 10, 10, 14, 11, 6, 9, 6];
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) {
    console.log(
      line([
        r.mall,
        String(r.pushes),
        `${(r.elapsedRealMs / 1000).toFixed(3)} s`,
        `${(r.boundRealMs / 1000).toFixed(3)} s`,
        r.achieved.toFixed(1),
        r.bound.toFixed(1),
        r.ratio.toFixed(3),
        String(r.throttled),
        passes(r) ? 'PASS' : 'FAIL',
      ]),
    );
  }
  console.log(`(times are real; SKU/s are per mall second, i.e. real × ${TIME_SCALE}; throttled counts the warm-up too)`);
  console.log('');
  for (const r of rows) {
    for (const [i, n] of r.notes.entries()) console.log(`${i === 0 ? r.mall.padEnd(8) : ' '.repeat(8)}  ${n}`);
    for (const f of r.failures) console.log(`${' '.repeat(8)}  FAILED CHECK: ${f}`);
  }
}

async function main(): Promise<number> {
  console.log(
    `push benchmark: ${SKUS} SKUs per mall, time scale ${TIME_SCALE}× (simulator rate limits on, clients at rateScale ${TIME_SCALE})${WARMUP ? '' : ', no warm-up'}; pass = ratio ≥ ${MIN_RATIO} and 0 throttled`,
  );
  const sim = await startMallSim({ ports: { rakuten: 0, yahoo: 0, amazon: 0, control: 0 }, timeScale: TIME_SCALE, rateLimits: true });
  try {
    if (AMAZON_FEED) Object.assign(sim.malls.amazon.options, { feedQueueMs: AMAZON_FEED[0], feedProcessingMs: AMAZON_FEED[1] });
    const seed = seedShop(SKUS);
    sim.seed(seed);
    const rows: Row[] = [];
    for (const mall of ONLY) {
      const row = await benchMall(sim, mall, seed);
      rows.push(row);
      console.log(`  ${mall}: ${row.pushes} pushes in ${(row.elapsedRealMs / 1000).toFixed(3)} s real, ratio ${row.ratio.toFixed(3)}, ${row.throttled} throttled`);
    }
    console.log('');
    printTable(rows);
    return rows.every(passes) ? 0 : 1;
  } finally {
    await sim.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
