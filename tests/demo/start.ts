/**
 * `npm start` — the whole demo on one machine, nothing downloaded:
 * 1. the mall simulator at its fixed ports with the demo shop, its order history and buyer traffic;
 * 2. Ichigen built in the demo configuration (`wxt build --mode demo` → .output/chrome-mv3-demo), which
 *    talks to the simulator (lib/malls/endpoints.ts);
 * 3. Chromium with the extension loaded, the malls' real admin hostnames routed to the simulator's
 *    admin pages (GET /__admin?url=…), and a short tour with a screenshot per stop in demo-output/.
 *
 * Headed when a display exists ($DISPLAY), then it stays open until Ctrl+C; headless otherwise, and it
 * exits after the tour. Flags: --headless, --headed, --skip-build, --no-buyers, --buyers=N (orders/min),
 * --out=DIR.
 */
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SIMULATOR_PORTS } from '../../lib/malls/endpoints';
import { ADMIN_ROUTE_PATTERNS } from '../mall-sim/admin/pages';
import { describeDemoSim, REPO_ROOT, startDemoSim, type DemoSim } from '../mall-sim/demo-sim';
import { extensionChromiumArgs } from '../e2e/chromium-flags';

function flag(name: string): string | boolean | undefined {
  for (const arg of process.argv.slice(2)) {
    if (arg === `--${name}`) return true;
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return undefined;
}

const EXTENSION_DIR = path.join(REPO_ROOT, '.output/chrome-mv3-demo');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = path.resolve(REPO_ROOT, typeof flag('out') === 'string' ? String(flag('out')) : 'demo-output');
const headless = flag('headless') === true ? true : flag('headed') === true ? false : !process.env.DISPLAY;

const log = (msg: string) => console.log(`[demo] ${msg}`);

function build(): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    log('building Ichigen (npx wxt build --mode demo) …');
    const child = spawn('npx', ['wxt', 'build', '--mode', 'demo'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) {
        log(`built ${path.relative(REPO_ROOT, EXTENSION_DIR)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        resolve();
      } else {
        console.error(output);
        reject(new Error(`wxt build --mode demo exited with ${code}`));
      }
    });
  });
}

async function launch(controlUrl: string): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(mkdtempSync(path.join(tmpdir(), 'ichigen-demo-')), {
    executablePath: CHROMIUM,
    headless,
    locale: 'ja-JP',
    viewport: { width: 1280, height: 860 },
    args: extensionChromiumArgs(EXTENSION_DIR),
  });
  // The malls' real back-office URLs, answered by the simulator, so the content scripts' `matches` apply.
  for (const pattern of ADMIN_ROUTE_PATTERNS) {
    await context.route(pattern, async (route) => {
      try {
        const res = await fetch(`${controlUrl}/__admin?url=${encodeURIComponent(route.request().url())}`);
        await route.fulfill({ status: res.status, contentType: 'text/html; charset=utf-8', body: await res.text() });
      } catch {
        await route.fulfill({ status: 502, contentType: 'text/plain; charset=utf-8', body: 'mall simulator not reachable' });
      }
    });
  }
  return context;
}

interface Stop {
  file: string;
  what: string;
  note?: string;
}

async function tour(context: BrowserContext, demo: DemoSim): Promise<Stop[]> {
  const stops: Stop[] = [];
  let n = 0;
  const shot = async (page: Page, name: string, what: string, note?: string) => {
    n += 1;
    const file = path.join(OUT, `${String(n).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    stops.push({ file, what, ...(note ? { note } : {}) });
    log(`${String(n).padStart(2, '0')} ${what}${note ? ` — ${note}` : ''}`);
  };
  /** Waits for Ichigen's panel; a missing panel is reported, not fatal, so the tour still shows the page. */
  const panel = async (page: Page, inside?: string): Promise<string | undefined> => {
    try {
      const p = page.getByTestId('ichigen-panel');
      await p.waitFor({ state: 'visible', timeout: 20_000 });
      if (inside) await p.locator(inside).first().waitFor({ state: 'visible', timeout: 20_000 });
      await page.waitForTimeout(300);
      return undefined;
    } catch (error) {
      return `panel not shown (${String(error).split('\n')[0]})`;
    }
  };

  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 30_000 }));
  const extensionId = new URL(worker.url()).host;
  log(`extension loaded: ${extensionId}`);

  // 1. Dashboard, then the demo catalog.
  const dashboard = await context.newPage();
  await dashboard.goto(`chrome-extension://${extensionId}/dashboard.html`);
  await dashboard.getByRole('button', { name: 'デモデータを読み込む' }).waitFor({ timeout: 20_000 });
  await shot(dashboard, 'dashboard', 'dashboard (empty catalog)');
  await dashboard.getByRole('button', { name: 'デモデータを読み込む' }).click();
  let note: string | undefined;
  try {
    await dashboard.getByRole('status').filter({ hasText: 'SKU 200件' }).waitFor({ timeout: 60_000 });
    await dashboard.waitForTimeout(500);
  } catch (error) {
    note = `demo data not confirmed (${String(error).split('\n')[0]})`;
  }
  await shot(dashboard, 'dashboard-demo-data', 'dashboard after 「デモデータを読み込む」 (200 SKUs)', note);

  // 2. Each mall: an item page, the order list, and an order opened from the list.
  const shopId = demo.sim.ctx.credentials.rakuten.shopId;
  const store = demo.sim.ctx.credentials.yahoo.sellerId;
  const marketplace = demo.sim.ctx.credentials.amazon.marketplaceId;
  const malls = [
    {
      mall: 'rakuten',
      label: '楽天 RMS',
      item: `https://item.rms.rakuten.co.jp/rms-sku/shops/${shopId}/item/edit/ich00001`,
      list: 'https://order-rp.rms.rakuten.co.jp/order-rb/order-list-sc/init?&SEARCH_MODE=1',
    },
    {
      mall: 'yahoo',
      label: 'Yahoo! ストアクリエイターPro',
      item: `https://editor.store.yahoo.co.jp/RT/${store}/PageEdit/index?page_key=ich00001&page_mode=Edit`,
      list: `https://pro.store.yahoo.co.jp/pro.${store}/order/manage/index`,
    },
    {
      mall: 'amazon',
      label: 'Amazon セラーセントラル',
      item: `https://sellercentral.amazon.co.jp/abis/listing/edit/offer?marketplaceID=${marketplace}&sku=ich00001-wh-s&asin=B000000001`,
      list: 'https://sellercentral.amazon.co.jp/orders-v3/mfn/unshipped?page=1',
    },
  ] as const;
  for (const m of malls) {
    const page = await context.newPage();
    await page.goto(m.item);
    await shot(page, `${m.mall}-item`, `${m.label}: item page`, await panel(page, 'tr[data-sku="ich00001-wh-s"]'));
    await page.goto(m.list);
    await page.locator('a.sim-order-link').first().waitFor({ timeout: 10_000 });
    await shot(page, `${m.mall}-orders`, `${m.label}: order list`);
    // Prefer the demo order that holds the SKU of the item page (story new-2), else the newest order.
    const featured = demo.seed.orders.find((o) => o.mall === m.mall && o.lines.some((l) => l.skuCode === 'ich00001-wh-s'));
    const featuredLink = featured ? page.locator('a.sim-order-link', { hasText: featured.orderId }) : undefined;
    const link = featuredLink && (await featuredLink.count()) > 0 ? featuredLink.first() : page.locator('a.sim-order-link').first();
    const orderId = (await link.innerText()).trim();
    await link.click();
    await page.waitForLoadState('domcontentloaded');
    await shot(page, `${m.mall}-order`, `${m.label}: order ${orderId}`, await panel(page));
  }
  return stops;
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    console.error(`Chromium not found at ${CHROMIUM}. Install it (apt-get install chromium) or set CHROMIUM_PATH.`);
    process.exit(1);
  }
  const fonts = spawnSync('fc-list', [':lang=ja', 'family'], { encoding: 'utf8' });
  if (fonts.status === 0 && fonts.stdout.trim() === '') {
    log('note: no Japanese font is installed, so Japanese text in the screenshots shows as boxes (apt-get install fonts-noto-cjk fixes that).');
  }
  mkdirSync(OUT, { recursive: true });
  for (const f of readdirSync(OUT)) if (/^\d\d-.*\.png$/.test(f)) rmSync(path.join(OUT, f));

  const buyersFlag = flag('buyers');
  const ordersPerMinute = flag('no-buyers') === true ? 0 : typeof buyersFlag === 'string' ? Number(buyersFlag) : 6;
  log(`starting the mall simulator on ports ${Object.values(SIMULATOR_PORTS).join(', ')} …`);
  let demo: DemoSim;
  try {
    demo = await startDemoSim(ordersPerMinute > 0 ? { buyers: { ordersPerMinute, cancelRatio: 0.1, seed: 1 } } : {});
  } catch (error) {
    if ((error as { code?: string }).code === 'EADDRINUSE') {
      console.error(`[demo] port ${(error as { port?: number }).port} is in use: stop \`npm run sim\` (or another \`npm start\`) first.`);
      process.exit(1);
    }
    throw error;
  }
  console.log(describeDemoSim(demo));
  log(ordersPerMinute > 0 ? `buyers: ${ordersPerMinute} orders/min on all three malls, 10 % cancelled` : 'buyers: off');

  let context: BrowserContext | undefined;
  let closing = false;
  const shutdown = async (code: number) => {
    if (closing) return;
    closing = true;
    const t = demo.sim.ctx.truth;
    log(`stopping (orders accepted ${t.acceptedOrders}, cancelled ${t.cancelledOrders}, oversells ${t.oversells.length})`);
    await context?.close().catch(() => undefined);
    await demo.sim.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    if (flag('skip-build') !== true || !existsSync(path.join(EXTENSION_DIR, 'manifest.json'))) await build();
    log(`opening Chromium ${headless ? 'headless' : 'with a window'} with the extension …`);
    context = await launch(demo.sim.urls.control);
    const stops = await tour(context, demo);
    console.log('');
    log(`tour done: ${stops.length} screenshots in ${path.relative(process.cwd(), OUT) || OUT}/`);
    for (const s of stops) console.log(`  ${path.relative(process.cwd(), s.file)}  ${s.what}${s.note ? `  (${s.note})` : ''}`);
    console.log(`  admin pages without the extension: ${demo.sim.urls.control}/__admin`);
  } catch (error) {
    console.error('[demo] failed:', error);
    await shutdown(1);
    return;
  }
  if (headless) {
    await shutdown(0);
    return;
  }
  log('the browser stays open with the simulator running — Ctrl+C で終了 / Ctrl+C to quit.');
  context.on('close', () => void shutdown(0));
}

void main();
