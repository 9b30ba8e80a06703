import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimClock } from '../core/clock';
import { FaultController } from '../core/faults';
import { sendJson } from '../core/http';
import { RateLimiter } from '../core/rate-limit';
import { ShopTruth } from '../core/truth';
import type { DemoCredentials, RouteRequest, SeedListing, SimContext } from '../core/types';
import { createRakutenSim, type RakutenSim, type RakutenSimOptions } from './index';

/**
 * The Rakuten simulator alone behind a real HTTP server, wired the way core/server.ts wires every
 * mall, for tests that must not depend on the other malls' simulators.
 */

export const TEST_CREDENTIALS: DemoCredentials = {
  rakuten: { serviceSecret: 'SP000001_demoSecretIchigen', licenseKey: 'SL000001_demoLicenseIchigen', shopId: '000001' },
  yahoo: { clientId: 'unused', clientSecret: 'unused', sellerId: 'unused', publicKeyPem: '', privateKeyPem: '', keyVersion: '1' },
  amazon: { clientId: 'unused', clientSecret: 'unused', refreshToken: 'unused', sellerId: 'unused', marketplaceId: 'unused' },
};

export interface RakutenTestServerOptions {
  timeScale?: number;
  /** Mall time at start (ms); default: real now. */
  mallStart?: number;
  rateLimits?: boolean;
  sim?: RakutenSimOptions;
  seed?: SeedListing[];
}

export interface RakutenTestServer {
  ctx: SimContext;
  sim: RakutenSim;
  url: string;
  /** `ESA base64(serviceSecret:licenseKey)` for the demo credentials. */
  authorization: string;
  close(): Promise<void>;
}

export function esaHeader(serviceSecret: string, licenseKey: string): string {
  return `ESA ${Buffer.from(`${serviceSecret}:${licenseKey}`, 'utf8').toString('base64')}`;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startRakutenTestServer(options: RakutenTestServerOptions = {}): Promise<RakutenTestServer> {
  const clock = new SimClock(options.timeScale ?? 1, options.mallStart ?? Date.now());
  const limiter = new RateLimiter(clock);
  limiter.enabled = options.rateLimits ?? true;
  const ctx: SimContext = { clock, limiter, faults: new FaultController(), truth: new ShopTruth(() => clock.now()), credentials: TEST_CREDENTIALS };
  const sim = createRakutenSim(ctx, options.sim);
  if (options.seed) {
    for (const l of options.seed) ctx.truth.setStock(l.skuCode, l.stock);
    sim.seed(options.seed);
  }
  const server = createServer((req, res) => {
    void (async () => {
      const request: RouteRequest = { req, res, method: req.method ?? 'GET', url: new URL(req.url ?? '/', 'http://127.0.0.1'), body: await readBody(req) };
      try {
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
    ctx,
    sim,
    url: `http://127.0.0.1:${port}`,
    authorization: esaHeader(TEST_CREDENTIALS.rakuten.serviceSecret, TEST_CREDENTIALS.rakuten.licenseKey),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
