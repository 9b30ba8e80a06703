/**
 * `npm run sim` — the mall simulator alone, at the fixed ports of lib/malls/endpoints.ts, with the demo
 * shop and its order history loaded.
 *
 *   npm run sim                         demo shop, no buyer traffic
 *   npm run sim -- --buyers             plus buyers (6 orders/min of mall time, 10 % cancelled)
 *   npm run sim -- --buyers=30 --cancel-ratio=0.2 --seed=7 --malls=rakuten,amazon
 *   npm run sim -- --time-scale=10      mall time runs 10× faster
 *   npm run sim -- --no-orders          listings only, no order history
 *   npm run sim -- --no-rate-limits     never throttle
 *   npm run sim -- --quiet              do not print each buyer order
 */
import type { BuyerTrafficOptions } from './core/buyers';
import type { MallId } from './core/types';
import { describeDemoSim, formatBuyerEvent, startDemoSim } from './demo-sim';

function flag(name: string): string | boolean | undefined {
  for (const arg of process.argv.slice(2)) {
    if (arg === `--${name}`) return true;
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return undefined;
}

async function main(): Promise<void> {
  if (flag('help') || flag('h')) {
    console.log('usage: npm run sim -- [--buyers[=ordersPerMinute]] [--cancel-ratio=0.1] [--seed=N] [--malls=rakuten,yahoo,amazon] [--time-scale=N] [--no-orders] [--no-rate-limits] [--quiet]');
    return;
  }
  const buyersFlag = flag('buyers');
  const buyers: BuyerTrafficOptions | undefined = buyersFlag
    ? {
        ordersPerMinute: buyersFlag === true ? 6 : Number(buyersFlag),
        cancelRatio: Number(flag('cancel-ratio') ?? 0.1),
        seed: Number(flag('seed') ?? 1),
        ...(typeof flag('malls') === 'string' ? { malls: String(flag('malls')).split(',') as MallId[] } : {}),
      }
    : undefined;
  const quiet = flag('quiet') === true;
  let demo;
  try {
    demo = await startDemoSim({
      timeScale: Number(flag('time-scale') ?? 1),
      rateLimits: flag('no-rate-limits') !== true,
      orders: flag('no-orders') !== true,
      ...(buyers ? { buyers } : {}),
      ...(quiet ? {} : { onBuyerEvent: (e) => console.log(formatBuyerEvent(e)) }),
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE') {
      console.error(`A simulator port is already in use (${(error as { port?: number }).port}). Is another \`npm run sim\` or \`npm start\` running?`);
      process.exit(1);
    }
    throw error;
  }
  console.log(describeDemoSim(demo));
  console.log('');
  console.log(buyers ? `Buyers: ${buyers.ordersPerMinute} orders/min, cancel ratio ${buyers.cancelRatio}.` : 'Buyers: off (POST /__control/buyers/start {"ordersPerMinute":6} or --buyers).');
  console.log('Ctrl+C で終了 / Ctrl+C to stop.');
  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    const s = demo.sim.ctx.truth;
    console.log(`\nStopping. Orders accepted ${s.acceptedOrders}, cancelled ${s.cancelledOrders}, oversells ${s.oversells.length}.`);
    void demo.sim.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
