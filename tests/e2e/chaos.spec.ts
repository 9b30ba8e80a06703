import type { MallId } from '@/lib/catalog/schemas';
import { buildDemoShop } from '@/lib/demo/demo-shop';
import { seededRandom } from '../mall-sim/core/buyers';
import type { FaultRule } from '../mall-sim/core/faults';
import type { DemoSim } from '../mall-sim/demo-sim';
import { catalogRows, expect, killServiceWorker, test } from './fixtures';
import { ask, connectedDemoShop } from './mall-setup';

/**
 * The chaos run of the stock-sync issue: buyers order on all three malls (some cancel) while the
 * malls throttle, fail, stall and drop connections and the service worker is killed at random points.
 * At the end every mall must show the shop's real stock, every order must be in the catalog once,
 * and no oversell may have happened that a sync within each mall's bound would have prevented.
 */

// 80 orders a minute for four minutes: a busy day, within what Yahoo's one-request-a-second order API
// can read (one orderInfo per order); the busy-sale load is npm run bench:sync's job.
const BUYING_MS = 240_000;
const ORDERS_PER_MINUTE = 80;
/** A sale must reach the other malls within this (issue 5: p95 ≤ 45 s for Rakuten and Yahoo). */
const BOUND_MS: Record<MallId, number> = {
  rakuten: 45_000,
  yahoo: 45_000,
  // Amazon shows an order to the Orders API only 2 minutes after it is placed (simulator option,
  // amazon-sp-api.md), and searchOrders refills one request per ~179 s: the bound is both plus 15 s.
  amazon: 120_000 + 179_000 + 15_000,
};

// One long run: a retry would double CI time and prove nothing a rerun of the first would not.
test.describe.configure({ retries: 0 });

let demo: DemoSim;
test.afterAll(async () => {
  await demo?.sim.close();
});

test('chaos: 300+ orders with faults and a killed worker end with every mall showing the truth', async ({ context, extensionId }) => {
  test.setTimeout(18 * 60_000);
  const shop = await connectedDemoShop(context, extensionId);
  demo = shop.demo;
  const { page } = shop;
  const { sim } = demo;
  const rand = seededRandom(20261201);

  sim.buyers.start({ ordersPerMinute: ORDERS_PER_MINUTE, cancelRatio: 0.12, seed: 5, cancelDelayMs: [5_000, 60_000] });
  const faultKinds: { kind: FaultRule['kind']; malls: MallId[]; delayMs?: number; count?: number }[] = [
    { kind: 'throttle', malls: ['rakuten', 'yahoo', 'amazon'], count: 3 },
    { kind: 'server-error', malls: ['rakuten', 'yahoo', 'amazon'], count: 2 },
    { kind: 'slow', malls: ['rakuten', 'yahoo', 'amazon'], delayMs: 4_000 },
    { kind: 'drop', malls: ['rakuten', 'yahoo', 'amazon'] },
    { kind: 'hang', malls: ['rakuten', 'yahoo', 'amazon'] },
    { kind: 'expire-auth', malls: ['yahoo', 'amazon'] },
    { kind: 'partial', malls: ['rakuten'] },
  ];
  // What each mall showed, as changes over time, to explain an oversell if one is preventable.
  const shownLog = new Map<string, { at: number; v: number }[]>();
  const sampleShown = () => {
    const at = Date.now();
    for (const mall of ['rakuten', 'yahoo', 'amazon'] as MallId[]) {
      for (const [sku, v] of sim.malls[mall].shownStock()) {
        const key = `${mall}:${sku}`;
        const series = shownLog.get(key) ?? [];
        if (series.at(-1)?.v !== v) series.push({ at, v });
        shownLog.set(key, series);
      }
    }
  };
  // Every 100 ms: a push that overwrote a sale half a second later must still show as a dip.
  const sampler = setInterval(sampleShown, 100);
  const injected: string[] = [];
  let kills = 0;
  const killedAt: number[] = [];
  const until = Date.now() + BUYING_MS;
  console.log(`chaos: buying from ${new Date().toISOString()} for ${BUYING_MS / 1000} s`);
  let nextKill = Date.now() + 5_000 + rand() * 10_000;
  // Order searches that answer again orders already read, every ~10 s on Rakuten or Amazon (its own generator,
  // so the other faults come in the same sequence as before it was added). Yahoo's client re-lists every order
  // of its window on every cycle and skips those it holds (tests/mall-sim/core/faults.ts).
  const duplicateRand = seededRandom(20261202);
  const orderMalls: MallId[] = ['rakuten', 'amazon'];
  let nextDuplicate = Date.now() + 3_000;
  while (Date.now() < until) {
    if (Date.now() >= nextDuplicate) {
      const mall = orderMalls[Math.floor(duplicateRand() * orderMalls.length)]!;
      sim.ctx.faults.add({ kind: 'duplicate', mall, count: 2 });
      injected.push(`duplicate@${mall}`);
      nextDuplicate = Date.now() + 5_000 + duplicateRand() * 10_000;
    }
    const pick = faultKinds[Math.floor(rand() * faultKinds.length)]!;
    const mall = pick.malls[Math.floor(rand() * pick.malls.length)]!;
    sim.ctx.faults.add({ kind: pick.kind, mall, ...(pick.delayMs ? { delayMs: pick.delayMs } : {}), ...(pick.count ? { count: pick.count } : {}) });
    injected.push(`${pick.kind}@${mall}`);
    if (Date.now() >= nextKill) {
      await killServiceWorker(context).catch(() => undefined);
      kills += 1;
      killedAt.push(Date.now());
      nextKill = Date.now() + 5_000 + rand() * 15_000;
    }
    await page.waitForTimeout(2_000 + rand() * 3_000);
  }
  sim.buyers.stop();
  console.log(`chaos: buying ended ${new Date().toISOString()}: ${sim.ctx.truth.log.length} orders, ${kills} kills`);
  // Let the last scheduled cancellations happen, then stop breaking things.
  await page.waitForTimeout(5_000);
  sim.ctx.faults.clear();

  const listedSkus = (mall: MallId) => [...sim.malls[mall].shownStock().keys()];
  const drift = () => {
    const truth = sim.ctx.truth.snapshot();
    const wrong: string[] = [];
    for (const mall of ['rakuten', 'yahoo', 'amazon'] as MallId[]) {
      const shown = sim.malls[mall].shownStock();
      for (const sku of listedSkus(mall)) {
        const expected = Math.max(0, truth[sku] ?? 0);
        if (shown.get(sku) !== expected) wrong.push(`${mall}:${sku} shows ${shown.get(sku)} truth ${expected}`);
      }
    }
    return wrong;
  };
  await expect
    .poll(
      async () => {
        const history = await ask<{ pendingPushes: number }>(page, 'getSyncHistory', { limit: 1 }).catch(() => ({ pendingPushes: -1 }));
        const wrong = drift();
        if (wrong.length > 0) {
          // What the extension last recorded, to tell a stalled sync from a slow one when this fails.
          const last = await ask<{ runs: { startedAt: number; outcome: string; pushes: number; errorDetails?: unknown[] }[] }>(page, 'getSyncHistory', { limit: 3 }).catch(() => undefined);
          const sw = context.serviceWorkers()[0];
          const lanes = sw ? await sw.evaluate(() => {
            const l = (globalThis as { __ichigenLanes?: { phase: unknown; snapshot(): unknown } }).__ichigenLanes;
            return l ? { phase: l.phase, busy: l.snapshot() } : undefined;
          }).catch((e: unknown) => String(e)) : 'no worker';
          console.log('chaos: lanes', new Date().toISOString(), JSON.stringify(lanes));
          // The extension's view of the first drifting listings (shelf guard state, last push).
          const ids = wrong.slice(0, 4).map((w) => w.split(' ')[0]!);
          const views = await Promise.all(
            ids.map(async (id) => {
              const [listing] = await catalogRows<{ shelf?: unknown; lastPushedQuantity?: number; skuCode: string }>(context, 'listings', { keys: [id] });
              const [sku] = listing ? await catalogRows<{ stock: number }>(context, 'skus', { keys: [listing.skuCode] }) : [];
              const jobs = await catalogRows(context, 'jobs', { index: 'dedupeKey', equals: `stock.push:${id}` });
              return { id, stock: sku?.stock, lastPushed: listing?.lastPushedQuantity, shelf: listing?.shelf, jobs };
            }),
          ).catch((e: unknown) => String(e));
          console.log('chaos: drifting', JSON.stringify(wrong.slice(0, 4)), JSON.stringify(views));
          // The selling mall's own orders of the first drifting SKU, as the simulator and the catalog saw them.
          const [mall, sku] = ids[0]!.split(':') as [MallId, string];
          const at = (t: number) => new Date(t).toISOString().slice(11, 23);
          const sold = sim.ctx.truth.log
            .filter((o) => o.mall === mall && o.lines.some((l) => l.skuCode === sku))
            .map((o) => `${o.orderId}@${at(o.at)}×${o.lines.filter((l) => l.skuCode === sku).reduce((n, l) => n + l.quantity, 0)}${o.cancelledAt ? ` cancelled@${at(o.cancelledAt)}` : ''}`);
          const moves = (await catalogRows<{ key: string; delta: number; at: number; recordedAt?: number }>(context, 'stockMovements', { index: 'skuCode', equals: sku }).catch(() => []))
            .filter((m) => m?.key.includes(`${mall}:`))
            .map((m) => `${m!.key} ${m!.delta} @${at(m!.at)} rec@${m!.recordedAt ? at(m!.recordedAt) : '?'}`);
          console.log('chaos: orders of', ids[0], JSON.stringify(sold), JSON.stringify(moves));
          console.log('chaos: waiting', wrong.length, JSON.stringify(last?.runs.map((r) => ({ at: new Date(r.startedAt).toISOString(), outcome: r.outcome, pushes: r.pushes, errors: r.errorDetails })) ?? []));
        }
        return wrong.length === 0 && history.pendingPushes === 0 ? 'converged' : `${wrong.length} drifting (${wrong.slice(0, 3).join('; ')}), ${history.pendingPushes} pushes pending`;
      },
      // Amazon's last orders are readable up to 2 + 3 minutes after buying stops; a unit the shelf guard
      // held back for a sale it could not place (lib/sync/shelf-guard.ts) is released within 8 minutes.
      { timeout: 11 * 60_000, intervals: [5_000] },
    )
    .toBe('converged');

  clearInterval(sampler);
  const accepted = sim.ctx.truth.log;
  console.log(`chaos: ${accepted.length} orders accepted (${accepted.filter((o) => o.cancelledAt).length} cancelled), ${injected.length} faults injected, ${kills} worker kills`);
  expect(accepted.length).toBeGreaterThanOrEqual(300);
  expect(kills).toBeGreaterThanOrEqual(5);
  // Order searches answered again with orders already read, per mall (the ledger must count each once).
  const duplicates = sim.ctx.faults.fired.filter((f) => f.kind === 'duplicate');
  console.log(`chaos: ${duplicates.length} order searches repeated earlier orders (${orderMalls.map((m) => `${m} ${duplicates.filter((d) => d.mall === m).length}`).join(', ')})`);
  expect(duplicates.length).toBeGreaterThanOrEqual(5);

  // Every accepted order is in the catalog exactly once (orders are keyed by mall and number).
  const status = await ask<{ counts: { orders: number } }>(page, 'getCatalogStatus');
  expect(status.counts.orders).toBe(accepted.length);

  // Oversells a sync within the bound would have prevented: the most a sync within the bound could
  // have left on the selling listing's shelf — its own sales and returns at once; any other listing's
  // sales (another mall's, or a set and its components on the same mall, whose shelves move only when
  // a sync moves them) once older than their mall's bound; their returns as soon as they happened (a
  // sync may pass a cancellation on at once; one that did is not to blame) — was less than the order took.
  const demoShop = buildDemoShop();
  const truthStart = new Map(demoShop.skus.map((s) => [s.code, s.stock]));
  const components = new Map(demoShop.skus.filter((s) => s.components.length > 0).map((s) => [s.code, s.components]));
  /** The units of `sku` each listing of an order took: the SKU's own line, and each set holding it. */
  const unitsByListing = (order: (typeof accepted)[number], sku: string) =>
    order.listed.flatMap((l) => {
      if (l.skuCode === sku) return [{ listing: l.skuCode, units: l.quantity }];
      const part = components.get(l.skuCode)?.find((c) => c.skuCode === sku);
      return part ? [{ listing: l.skuCode, units: l.quantity * part.quantity }] : [];
    });
  const preventable = sim.ctx.truth.oversells.filter((o) => {
    const order = accepted.find((a) => a.mall === o.mall && a.orderId === o.orderId);
    if (!order) return false;
    const sellingListings = new Set(unitsByListing(order, o.skuCode).map((u) => u.listing));
    let known = truthStart.get(o.skuCode) ?? 0;
    for (const a of accepted) {
      if (a === order) break;
      for (const { listing, units } of unitsByListing(a, o.skuCode)) {
        const seen = (a.mall === o.mall && sellingListings.has(listing)) || a.at <= order.at - BOUND_MS[a.mall];
        if (!seen) continue;
        known -= units;
        if (a.cancelledAt !== undefined && a.cancelledAt < order.at) known += units;
      }
    }
    const wanted = order.lines.find((l) => l.skuCode === o.skuCode)?.quantity ?? 0;
    return known < wanted;
  });
  // When the extension recorded each order's movements (read straight from its IndexedDB).
  const recorded = new Map<string, number>();
  let runs: { startedAt: number; finishedAt?: number; outcome: string; pushes: number; errorDetails?: { mall: string; kind: string; message: string }[] }[] = [];
  const pushWindows = new Map<string, [number, number][]>();
  if (preventable.length > 0) {
    // The spans in which Ichigen's pushes overwrote each oversold listing's shelf (read → landing), as it recorded them.
    const oversold = await catalogRows<{ id: string; shelf?: { lostWindows?: [number, number][] } }>(context, 'listings', { keys: preventable.map((o) => `${o.mall}:${o.skuCode}`) });
    for (const row of oversold) if (row) pushWindows.set(row.id, row.shelf?.lostWindows ?? []);
    runs = (await catalogRows<(typeof runs)[number]>(context, 'syncRuns')).filter((r) => r !== undefined);
    const movements = await catalogRows<{ orderId?: string; kind: string; recordedAt?: number }>(context, 'stockMovements');
    const rows = movements.filter((m) => m?.kind === 'order').map((m) => [m!.orderId ?? '', m!.recordedAt ?? 0] as const);
    for (const [id, at] of rows) if (!recorded.has(id) || at < recorded.get(id)!) recorded.set(id, at);
  }
  const explain = preventable.map((o) => {
    const order = accepted.find((a) => a.mall === o.mall && a.orderId === o.orderId)!;
    const earlier = accepted
      .filter((a) => a.at < order.at && a.lines.some((l) => l.skuCode === o.skuCode))
      .map((a) => {
        const seen = recorded.get(`${a.mall}:${a.orderId}`);
        const cancel = a.cancelledAt !== undefined && a.cancelledAt < order.at ? ` cancelled@-${Math.round((order.at - a.cancelledAt) / 1000)}s` : '';
        const parts = unitsByListing(a, o.skuCode);
        const units = parts.map((p) => (p.listing === o.skuCode ? `${p.units}` : `${p.units} in ${p.listing}`)).join('+');
        return `${a.mall}×${units}@-${Math.round((order.at - a.at) / 1000)}s(read ${seen ? `+${Math.round((seen - a.at) / 1000)}s` : 'never'}${cancel})`;
      });
    const shelf = (shownLog.get(`${o.mall}:${o.skuCode}`) ?? []).filter((p) => p.at >= o.at - 240_000 && p.at <= o.at + 1_000).map((p) => `${p.v}@${((p.at - o.at) / 1000).toFixed(1)}s`);
    // What the selling mall's API and the worker went through in the two minutes before: faults, kills, cycles.
    const from = o.at - 120_000;
    const rel = (t: number) => `${Math.round((t - o.at) / 1000)}s`;
    const faults = sim.ctx.faults.fired.filter((f) => f.mall === o.mall && f.at >= from && f.at <= o.at).map((f) => `${f.kind} ${f.path.split('?')[0]}@${rel(f.at)}`);
    const killed = killedAt.filter((t) => t >= from && t <= o.at).map(rel);
    const cycles = runs
      .filter((r) => r.startedAt >= from && r.startedAt <= o.at)
      .map((r) => `${rel(r.startedAt)}${r.finishedAt ? `–${rel(r.finishedAt)}` : ''} ${r.outcome} ${r.pushes}${(r.errorDetails ?? []).filter((e) => e.mall === o.mall).map((e) => ` [${e.kind}: ${e.message.slice(0, 60)}]`).join('')}`);
    const pushed = (pushWindows.get(`${o.mall}:${o.skuCode}`) ?? []).filter(([, to]) => to >= o.at - 240_000).map(([f, t]) => `${rel(f)}…${rel(t)}${t - f > 1_500 ? ` (${((t - f) / 1000).toFixed(1)} s)` : ''}`);
    return `${o.mall} ${o.skuCode} ×${o.units} after ${earlier.join(', ')}; its shelf: ${shelf.join(' ')}\n  our pushes to it (read…landing): ${pushed.join(', ') || 'none'}\n  ${o.mall} faults: ${faults.join(', ') || 'none'}\n  worker kills: ${killed.join(', ') || 'none'}\n  cycles: ${cycles.join(' | ')}`;
  });
  const history = await ask<{ runs: { latencyP95Ms?: number; durationMs?: number; errors: number }[] }>(page, 'getSyncHistory', { limit: 2000 });
  const p95s = history.runs.map((r) => r.latencyP95Ms).filter((v): v is number => v !== undefined).sort((a, b) => a - b);
  const durations = history.runs.map((r) => r.durationMs ?? 0).sort((a, b) => a - b);
  console.log(`chaos: ${history.runs.length} cycles, cycle p95 latency median ${p95s[Math.floor(p95s.length / 2)]} ms max ${p95s.at(-1)} ms, cycle duration median ${durations[Math.floor(durations.length / 2)]} ms max ${durations.at(-1)} ms`);
  console.log(`chaos: ${sim.ctx.truth.oversells.length} oversells in all, ${preventable.length} preventable`, explain);
  expect(preventable).toEqual([]);
});
