import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimClock } from './clock';
import { FaultController, type FaultRule } from './faults';
import { parseJsonBody, sendJson } from './http';
import { RateLimiter } from './rate-limit';
import { ShopTruth } from './truth';
import type { BuyerLine, DemoCredentials, MallId, RouteRequest, SeedListing, SimContext } from './types';
import { MALL_IDS } from './types';
import { BuyerTraffic, type BuyerTrafficOptions } from './buyers';
import { createRakutenSim, type RakutenSim } from '../rakuten';
import { createYahooSim, type YahooSim } from '../yahoo';
import { createAmazonSim, type AmazonMallSim } from '../amazon';
import { adminDataFrom } from '../admin/data';
import { adminEntryUrls, escapeHtml, renderAdminPage, type AdminPageData } from '../admin/pages';
import { seedDemoShop, type DemoSeedOptions } from '../demo-seed';

export interface MallSimOptions {
  /** Ports: 0 picks free ones (tests). */
  ports?: Partial<Record<MallId | 'control', number>>;
  host?: string;
  timeScale?: number;
  rateLimits?: boolean;
  credentials?: DemoCredentials;
}

/** The three mall simulators, each with its own test hooks beyond MallSim. */
export interface SimMalls {
  rakuten: RakutenSim;
  yahoo: YahooSim;
  amazon: AmazonMallSim;
}

/** A set SKU and what one of it takes from the shop's real stock (ShopTruth.defineSet). */
export interface SeedSet {
  setSku: string;
  components: BuyerLine[];
}

export interface RunningMallSim {
  ctx: SimContext;
  malls: SimMalls;
  /** Base URLs clients use in place of the real API hosts. */
  urls: Record<MallId | 'control', string>;
  /** Loads listings into every mall and the shop's truth; `sets` tells the truth what a set SKU takes. */
  seed(listings: SeedListing[], sets?: SeedSet[]): void;
  /** The listings of the last seed. */
  listings(): SeedListing[];
  /** Buyer traffic generator (also driven by POST /__control/buyers/start|stop). */
  buyers: BuyerTraffic;
  /** What the admin pages at /__admin show: each mall's own items, stock and orders. */
  adminData(): AdminPageData;
  /**
   * Requests POSTed to /__control/inbox/<path>: the stand-in for the user's alert webhook and for
   * SendGrid's mail-send API, so e2e tests see what the extension sent. GET /__control/inbox lists them.
   */
  inbox: { path: string; authorization?: string; body: unknown; at: number }[];
  close(): Promise<void>;
}

let cachedYahooKeys: { publicKeyPem: string; privateKeyPem: string } | undefined;

export function demoCredentials(): DemoCredentials {
  cachedYahooKeys ??= (() => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return {
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
  })();
  return {
    rakuten: { serviceSecret: 'SP000001_demoSecretIchigen', licenseKey: 'SL000001_demoLicenseIchigen', shopId: '000001' },
    yahoo: { clientId: 'dj00demoIchigenClientId', clientSecret: 'demoYahooSecret', sellerId: 'ichigen-demo', keyVersion: '1', ...cachedYahooKeys },
    amazon: {
      clientId: 'amzn1.application-oa2-client.ichigendemo',
      clientSecret: 'amzn1.oa2-cs.v1.ichigendemosecret',
      refreshToken: 'Atzr|IwEBIichigen-demo-refresh-token',
      sellerId: 'A2ICHIGENDEMO',
      marketplaceId: 'A1VC38T7YXB528',
    },
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Applies the transport-level faults every mall shares; mall-specific faults are the mall's job. */
async function applyTransportFault(ctx: SimContext, mall: MallId, request: RouteRequest): Promise<'handled' | 'continue'> {
  const fault = ctx.faults.take(mall, request.url.pathname, ['slow', 'hang', 'drop']);
  if (!fault) return 'continue';
  if (fault.kind === 'drop') {
    request.req.socket.destroy();
    return 'handled';
  }
  if (fault.kind === 'hang') {
    // Never answer; the socket stays open until the client gives up.
    return 'handled';
  }
  await new Promise((r) => setTimeout(r, fault.delayMs ?? 5_000));
  return 'continue';
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

export async function startMallSim(options: MallSimOptions = {}): Promise<RunningMallSim> {
  const host = options.host ?? '127.0.0.1';
  const clock = new SimClock(options.timeScale ?? 1);
  const limiter = new RateLimiter(clock);
  limiter.enabled = options.rateLimits ?? true;
  const ctx: SimContext = {
    clock,
    limiter,
    faults: new FaultController(),
    truth: new ShopTruth(() => clock.now()),
    credentials: options.credentials ?? demoCredentials(),
  };
  const malls: SimMalls = {
    rakuten: createRakutenSim(ctx),
    yahoo: createYahooSim(ctx),
    amazon: createAmazonSim(ctx),
  };
  const servers: Server[] = [];
  const urls = {} as Record<MallId | 'control', string>;

  let lastListings: SeedListing[] = [];
  const seed = (listings: SeedListing[], sets: SeedSet[] = []) => {
    for (const l of listings) ctx.truth.setStock(l.skuCode, l.stock);
    for (const set of sets) ctx.truth.defineSet(set.setSku, set.components);
    for (const mall of MALL_IDS) malls[mall].seed(listings);
    const seeded = new Set(listings.map((l) => l.skuCode));
    lastListings = [...lastListings.filter((l) => !seeded.has(l.skuCode)), ...listings];
  };
  const buyers = new BuyerTraffic(clock, malls);
  const adminData = () => adminDataFrom({ malls, listings: () => lastListings, credentials: ctx.credentials });

  for (const mall of MALL_IDS) {
    const server = createServer((req, res) => {
      void (async () => {
        const request: RouteRequest = {
          req,
          res,
          method: req.method ?? 'GET',
          url: new URL(req.url ?? '/', `http://${req.headers.host ?? host}`),
          body: await readBody(req),
        };
        try {
          if ((await applyTransportFault(ctx, mall, request)) === 'handled') return;
          await malls[mall].handle(request);
        } catch (error) {
          if (!res.headersSent) sendJson(res, 500, { error: String(error) });
        }
      })();
    });
    servers.push(server);
    const port = await listen(server, options.ports?.[mall] ?? 0, host);
    urls[mall] = `http://${host}:${port}`;
  }

  const control = createServer((req, res) => {
    void (async () => {
      const request: RouteRequest = {
        req,
        res,
        method: req.method ?? 'GET',
        url: new URL(req.url ?? '/', `http://${host}`),
        body: await readBody(req),
      };
      try {
        await handleControl(request, res);
      } catch (error) {
        sendJson(res, 400, { error: String(error) });
      }
    })();
  });

  const inbox: RunningMallSim['inbox'] = [];

  async function handleControl(request: RouteRequest, res: ServerResponse): Promise<void> {
    const { method } = request;
    const path = request.url.pathname;
    const body = parseJsonBody(request) as Record<string, unknown> | undefined;
    if (method === 'GET' && path === '/__control/state') {
      const shown: Record<string, Record<string, number>> = {};
      for (const m of MALL_IDS) shown[m] = Object.fromEntries(malls[m].shownStock());
      return sendJson(res, 200, {
        mallTime: clock.now(),
        truth: ctx.truth.snapshot(),
        shown,
        oversells: ctx.truth.oversells,
        acceptedOrders: ctx.truth.acceptedOrders,
        cancelledOrders: ctx.truth.cancelledOrders,
        throttled: Object.fromEntries(limiter.throttled),
        faultsFired: ctx.faults.fired.length,
        buyers: buyers.state(),
      });
    }
    if (method === 'POST' && path === '/__control/buyers/start') {
      return sendJson(res, 200, buyers.start(body as unknown as BuyerTrafficOptions));
    }
    if (method === 'POST' && path === '/__control/buyers/stop') {
      return sendJson(res, 200, buyers.stop());
    }
    if (method === 'GET' && path === '/__control/buyers') {
      return sendJson(res, 200, buyers.state());
    }
    if (method === 'POST' && path === '/__control/demo') {
      // Start over with the demo shop: reset everything, seed, and replay the demo orders.
      resetAll();
      const result = await seedDemoShop(running, (body ?? {}) as DemoSeedOptions);
      return sendJson(res, 200, result);
    }
    if (method === 'GET' && (path === '/__admin' || path === '/__admin/')) {
      return sendAdmin(request, res);
    }
    if (method === 'POST' && path === '/__control/faults') {
      const rules = (Array.isArray(body) ? body : [body]) as FaultRule[];
      for (const rule of rules) ctx.faults.add(rule);
      return sendJson(res, 200, { pending: ctx.faults.pending() });
    }
    if (method === 'DELETE' && path === '/__control/faults') {
      ctx.faults.clear();
      return sendJson(res, 200, { pending: [] });
    }
    if (method === 'POST' && path === '/__control/time') {
      clock.advance(Number(body?.advanceMs ?? 0));
      return sendJson(res, 200, { mallTime: clock.now() });
    }
    if (method === 'POST' && path === '/__control/rate-limits') {
      limiter.enabled = Boolean(body?.enabled);
      return sendJson(res, 200, { enabled: limiter.enabled });
    }
    if (method === 'POST' && path === '/__control/seed') {
      seed(body?.listings as SeedListing[], (body?.sets as SeedSet[] | undefined) ?? []);
      return sendJson(res, 200, { ok: true });
    }
    if (method === 'POST' && path === '/__control/order') {
      const mall = body?.mall as MallId;
      const orderId = malls[mall].placeBuyerOrder(body?.lines as { skuCode: string; quantity: number }[]);
      return sendJson(res, orderId ? 200 : 409, { orderId });
    }
    if (method === 'POST' && path === '/__control/cancel') {
      const mall = body?.mall as MallId;
      return sendJson(res, 200, { cancelled: malls[mall].cancelBuyerOrder(String(body?.orderId)) });
    }
    if (method === 'POST' && path.startsWith('/__control/inbox/')) {
      const authorization = request.req.headers.authorization;
      inbox.push({ path: path.slice('/__control/inbox'.length), ...(authorization ? { authorization } : {}), body: body ?? null, at: Date.now() });
      // SendGrid answers 202 Accepted; webhooks 200.
      return sendJson(res, path.includes('/mail/send') ? 202 : 200, { ok: true });
    }
    if (method === 'GET' && path === '/__control/inbox') return sendJson(res, 200, inbox);
    if (method === 'POST' && path === '/__control/reset') {
      resetAll();
      return sendJson(res, 200, { ok: true });
    }
    sendJson(res, 404, { error: `unknown control path ${method} ${path}` });
  }

  function resetAll(): void {
    buyers.reset();
    ctx.faults.clear();
    limiter.reset();
    ctx.truth.reset();
    for (const m of MALL_IDS) malls[m].reset();
    lastListings = [];
  }

  /**
   * GET /__admin?url=<real admin URL>: the mall's admin page for that URL (tests/mall-sim/admin/pages.ts)
   * with this simulator's data. `&local=1` rewrites links to the back offices into /__admin links, for a
   * plain browser without host routing; GET /__admin alone lists entry pages that way.
   */
  function sendAdmin(request: RouteRequest, res: ServerResponse): void {
    const raw = request.url.searchParams.get('url');
    const local = request.url.searchParams.get('local') === '1';
    const localHref = (u: string) => `/__admin?local=1&url=${encodeURIComponent(u)}`;
    const html = (status: number, text: string) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    if (!raw) {
      const entries = adminEntryUrls(adminData());
      const list = MALL_IDS.map((m) => `<li>${m}<ul>${entries[m].map((e) => `<li><a href="${escapeHtml(localHref(e.url))}">${escapeHtml(e.label)}</a></li>`).join('')}</ul></li>`).join('');
      return html(200, `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>Ichigen mall simulator</title></head><body><h1>モール管理画面（シミュレーター）</h1><ul>${list}</ul></body></html>`);
    }
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return html(400, 'url must be an absolute URL');
    }
    const page = renderAdminPage(url, adminData());
    if (page === undefined) return html(404, 'not a mall admin URL');
    if (!local) return html(200, page);
    html(
      200,
      page.replace(/href="(https:\/\/[^"]+)"/g, (whole, href: string) => {
        const target = new URL(href.replace(/&amp;/g, '&'), url);
        return renderAdminPage(target) === undefined ? whole : `href="${escapeHtml(localHref(target.href))}"`;
      }),
    );
  }

  servers.push(control);
  const controlPort = await listen(control, options.ports?.control ?? 0, host);
  urls.control = `http://${host}:${controlPort}`;

  const running: RunningMallSim = {
    ctx,
    malls,
    urls,
    seed,
    listings: () => lastListings,
    buyers,
    adminData,
    inbox,
    close: async () => {
      buyers.stop();
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.closeAllConnections();
              s.close(() => resolve());
            }),
        ),
      );
    },
  };
  return running;
}
