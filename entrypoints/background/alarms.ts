import { reconcileNow, runSyncWakeExclusive } from './sync';
import { ALARM_SPECS, ensureAlarms } from '@/lib/background/alarms';

export function setupAlarms(): void {
  const handlers: Record<string, () => Promise<void>> = {
    [ALARM_SPECS.sync.name]: () => runSyncWakeExclusive().then(() => undefined),
    [ALARM_SPECS.reconcile.name]: () => reconcileNow().then(() => undefined),
  };
  browser.alarms.onAlarm.addListener((alarm) => {
    void handlers[alarm.name]?.();
  });
  // Alarms may vanish on browser restart (before Chrome 150) or on update: assert them at every start.
  void ensureAlarms(browser.alarms, import.meta.env.MODE);
}
