import { setupAlarms } from './alarms';
import { setupMessages } from './messages';
import { workerLanes } from '@/lib/sync/lanes';

// Listeners must be registered synchronously here: a cold start delivers the waking event only to
// listeners that exist when this function returns.
export default defineBackground(() => {
  setupMessages();
  setupAlarms();
  // e2e runs read where a stalled sync stands (worker.evaluate); never in a production build.
  if (import.meta.env.MODE === 'e2e') Object.assign(globalThis, { __ichigenLanes: workerLanes });
});
