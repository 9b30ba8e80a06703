import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimClock } from '../core/clock';
import { FaultController } from '../core/faults';
import { sendJson } from '../core/http';
import { RateLimiter } from '../core/rate-limit';
import { ShopTruth } from '../core/truth';
import type { DemoCredentials, RouteRequest, SimContext } from '../core/types';
import { createYahooSim, type YahooSim, type YahooSimOptions } from './index';

/**
 * The Yahoo simulator alone on one port, wired the way core/server.ts wires all three malls (transport
 * faults included), so its contract tests do not depend on the other malls' simulators.
 */
export interface YahooTestServer {
  url: string;
  ctx: SimContext;
  sim: YahooSim;
  close(): Promise<void>;
}

export interface YahooTestServerOptions {
  options?: YahooSimOptions;
  timeScale?: number;
  rateLimits?: boolean;
  credentials?: DemoCredentials['yahoo'];
}

let cachedKeys: { publicKeyPem: string; privateKeyPem: string } | undefined;

export function yahooTestCredentials(): DemoCredentials['yahoo'] {
  cachedKeys ??= (() => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return {
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
  })();
  return { clientId: 'dj00testIchigenClientId', clientSecret: 'testYahooSecret', sellerId: 'ichigen-test', keyVersion: '1', ...cachedKeys };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startYahooTestServer(options: YahooTestServerOptions = {}): Promise<YahooTestServer> {
  const clock = new SimClock(options.timeScale ?? 1);
  const limiter = new RateLimiter(clock);
  limiter.enabled = options.rateLimits ?? true;
  const yahoo = options.credentials ?? yahooTestCredentials();
  const ctx: SimContext = {
    clock,
    limiter,
    faults: new FaultController(),
    truth: new ShopTruth(() => clock.now()),
    // Only the Yahoo part is read by this simulator; the others are placeholders for the type.
    credentials: {
      yahoo,
      rakuten: { serviceSecret: '', licenseKey: '', shopId: '' },
      amazon: { clientId: '', clientSecret: '', refreshToken: '', sellerId: '', marketplaceId: '' },
    },
  };
  const sim = createYahooSim(ctx, options.options);
  const server = createServer((req, res) => {
    void (async () => {
      const request: RouteRequest = {
        req,
        res,
        method: req.method ?? 'GET',
        url: new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`),
        body: await readBody(req),
      };
      try {
        const fault = ctx.faults.take('yahoo', request.url.pathname, ['slow', 'hang', 'drop']);
        if (fault?.kind === 'drop') return req.socket.destroy();
        if (fault?.kind === 'hang') return;
        if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault.delayMs ?? 5_000));
        await sim.handle(request);
      } catch (error) {
        if (!res.headersSent) sendJson(res, 500, { error: String(error) });
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    ctx,
    sim,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
