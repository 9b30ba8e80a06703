export interface AlarmSpec {
  name: string;
  periodInMinutes: number;
}

/** Chrome's floor for packed extensions is 30 s; unpacked test builds may go faster. */
export const ALARM_SPECS = {
  sync: { name: 'ichigen-sync', periodInMinutes: 0.5 },
  /** Hourly drift check: a full stock read costs each mall's read budget, so not every cycle. */
  reconcile: { name: 'ichigen-reconcile', periodInMinutes: 60 },
} as const satisfies Record<string, AlarmSpec>;

export function alarmPeriod(spec: AlarmSpec, mode: string): number {
  return mode === 'e2e' && spec.name === ALARM_SPECS.sync.name ? 0.05 : spec.periodInMinutes;
}

interface AlarmsApi {
  get(name: string): Promise<{ name: string; periodInMinutes?: number } | undefined>;
  create(name: string, info: { periodInMinutes: number; delayInMinutes?: number }): Promise<void> | void;
}

/** Creates each alarm that is missing or has the wrong period; leaves running ones alone. */
export async function ensureAlarms(alarms: AlarmsApi, mode: string): Promise<string[]> {
  const created: string[] = [];
  for (const spec of Object.values(ALARM_SPECS)) {
    const period = alarmPeriod(spec, mode);
    const existing = await alarms.get(spec.name);
    if (existing?.periodInMinutes === period) continue;
    await alarms.create(spec.name, { periodInMinutes: period, delayInMinutes: period });
    created.push(spec.name);
  }
  return created;
}
