import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SIMULATOR_PORTS } from '../../lib/malls/endpoints';
import type { BuyerEvent, BuyerTrafficOptions } from './core/buyers';
import { demoCredentials, startMallSim, type MallSimOptions, type RunningMallSim } from './core/server';
import type { DemoCredentials, MallId } from './core/types';
import { MALL_IDS } from './core/types';
import { seedDemoShop, type DemoSeedResult } from './demo-seed';

/**
 * The simulator as `npm run sim` and `npm start` run it: fixed ports (lib/malls/endpoints.ts), the demo
 * shop with its order history, stable demo credentials, optional buyer traffic.
 */

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DEMO_OUTPUT = path.join(REPO_ROOT, 'demo-output');

/**
 * Demo credentials with a Yahoo key pair that survives restarts (kept under demo-output/, which git
 * ignores), so a public key saved in the extension keeps working the next time the simulator starts.
 */
export function stableDemoCredentials(dir = DEMO_OUTPUT): DemoCredentials {
  const base = demoCredentials();
  const keyFile = path.join(dir, 'sim-yahoo-key.json');
  let keys: { publicKeyPem: string; privateKeyPem: string } | undefined;
  try {
    if (existsSync(keyFile)) keys = JSON.parse(readFileSync(keyFile, 'utf8')) as typeof keys;
  } catch {
    keys = undefined;
  }
  if (!keys?.publicKeyPem || !keys.privateKeyPem) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    keys = {
      publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
    mkdirSync(dir, { recursive: true });
    writeFileSync(keyFile, JSON.stringify(keys, null, 2));
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'yahoo-public-key.pem'), keys.publicKeyPem);
  return { ...base, yahoo: { ...base.yahoo, ...keys } };
}

export interface DemoSimOptions extends Omit<MallSimOptions, 'ports'> {
  /** Default: the fixed SIMULATOR_PORTS. */
  ports?: MallSimOptions['ports'];
  /** Start buyer traffic after seeding. */
  buyers?: BuyerTrafficOptions;
  /** Replay the demo order history (default true). */
  orders?: boolean;
  onBuyerEvent?: (event: BuyerEvent) => void;
}

export interface DemoSim {
  sim: RunningMallSim;
  seed: DemoSeedResult;
}

export async function startDemoSim(options: DemoSimOptions = {}): Promise<DemoSim> {
  const { buyers, orders, onBuyerEvent, ...simOptions } = options;
  const sim = await startMallSim({ ...simOptions, ports: options.ports ?? SIMULATOR_PORTS, credentials: options.credentials ?? stableDemoCredentials() });
  try {
    const seed = await seedDemoShop(sim, { orders: orders ?? true });
    sim.buyers.onEvent = onBuyerEvent;
    if (buyers) sim.buyers.start(buyers);
    return { sim, seed };
  } catch (error) {
    await sim.close();
    throw error;
  }
}

const MALL_LABEL: Record<MallId, string> = { rakuten: '楽天市場 Rakuten (RMS)', yahoo: 'Yahoo!ショッピング (Store API)', amazon: 'Amazon.co.jp (SP-API + LWA)' };

/** What `npm run sim` prints: ports, demo credentials, where the admin pages are. */
export function describeDemoSim({ sim, seed }: DemoSim): string {
  const c = sim.ctx.credentials;
  const byState = new Map<string, number>();
  for (const o of seed.orders) byState.set(o.state, (byState.get(o.state) ?? 0) + 1);
  const lines = [
    `Ichigen mall simulator — デモショップ読み込み済み / demo shop loaded: ${seed.skus} SKUs (${seed.sets} sets), ${seed.orders.length} demo orders (${[...byState].map(([s, n]) => `${s} ${n}`).join(', ')})`,
    '',
    `  control  ${sim.urls.control}   GET /__control/state · POST /__control/buyers/start|stop · GET /__admin`,
    ...MALL_IDS.map((m) => `  ${m.padEnd(7)}  ${sim.urls[m]}   ${MALL_LABEL[m]}`),
    '',
    'デモ用認証情報 / demo credentials',
    `  楽天 Rakuten   serviceSecret=${c.rakuten.serviceSecret}  licenseKey=${c.rakuten.licenseKey}  (shopId ${c.rakuten.shopId})`,
    `  Yahoo!        sellerId=${c.yahoo.sellerId}  clientId=${c.yahoo.clientId}  clientSecret=${c.yahoo.clientSecret}`,
    `                public key (keyVersion ${c.yahoo.keyVersion}): ${path.relative(process.cwd(), path.join(DEMO_OUTPUT, 'yahoo-public-key.pem')) || 'demo-output/yahoo-public-key.pem'}`,
    `  Amazon        sellerId=${c.amazon.sellerId}  marketplaceId=${c.amazon.marketplaceId}`,
    `                clientId=${c.amazon.clientId}  clientSecret=${c.amazon.clientSecret}`,
    `                refreshToken=${c.amazon.refreshToken}`,
    '',
    `管理画面 / admin pages: ${sim.urls.control}/__admin`,
  ];
  return lines.join('\n');
}

export function formatBuyerEvent(e: BuyerEvent): string {
  const t = new Date(e.at + 9 * 3_600_000).toISOString().slice(11, 19);
  const lines = e.lines?.map((l) => `${l.skuCode}×${l.quantity}`).join(' ') ?? '';
  return `[buyers ${t}] ${e.mall.padEnd(7)} ${e.kind.padEnd(14)} ${e.orderId ?? ''} ${lines}`.trimEnd();
}
