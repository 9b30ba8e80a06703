import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimClock } from '../core/clock';
import { FaultController } from '../core/faults';
import { sendJson } from '../core/http';
import { RateLimiter } from '../core/rate-limit';
import { ShopTruth } from '../core/truth';
import type { DemoCredentials, RouteRequest, SeedListing, SimContext } from '../core/types';
import { createAmazonSim, type AmazonMallSim, type AmazonSimOptions } from './index';

/**
 * The Amazon simulator alone on one port, built from the shared core, for contract tests that should not
 * wait for the other malls (core/server.ts wires all three).
 */

export const AMAZON_TEST_CREDENTIALS: DemoCredentials['amazon'] = {
  clientId: 'amzn1.application-oa2-client.ichigendemo',
  clientSecret: 'amzn1.oa2-cs.v1.ichigendemosecret',
  refreshToken: 'Atzr|IwEBIichigen-demo-refresh-token',
  sellerId: 'A2ICHIGENDEMO',
  marketplaceId: 'A1VC38T7YXB528',
};

export interface AmazonTestServer {
  url: string;
  ctx: SimContext;
  sim: AmazonMallSim;
  seed(listings: SeedListing[]): void;
  close(): Promise<void>;
}

export async function startAmazonTestServer(
  options: { timeScale?: number; sim?: AmazonSimOptions; host?: string } = {},
): Promise<AmazonTestServer> {
  const host = options.host ?? '127.0.0.1';
  const clock = new SimClock(options.timeScale ?? 1);
  const ctx: SimContext = {
    clock,
    limiter: new RateLimiter(clock),
    faults: new FaultController(),
    truth: new ShopTruth(() => clock.now()),
    credentials: {
      rakuten: { serviceSecret: 'unused', licenseKey: 'unused', shopId: 'unused' },
      yahoo: { clientId: 'unused', clientSecret: 'unused', sellerId: 'unused', publicKeyPem: '', privateKeyPem: '', keyVersion: '1' },
      amazon: AMAZON_TEST_CREDENTIALS,
    },
  };
  const sim = createAmazonSim(ctx, options.sim);
  const server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const request: RouteRequest = {
        req,
        res,
        method: req.method ?? 'GET',
        url: new URL(req.url ?? '/', `http://${req.headers.host ?? host}`),
        body: Buffer.concat(chunks),
      };
      try {
        await sim.handle(request);
      } catch (error) {
        if (!res.headersSent) sendJson(res, 500, { error: String(error) });
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    ctx,
    sim,
    seed(listings) {
      for (const l of listings) ctx.truth.setStock(l.skuCode, l.stock);
      sim.seed(listings);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
