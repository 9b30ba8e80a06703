import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { ALARM_SPECS, ensureAlarms } from '@/lib/background/alarms';
import { resetCatalogDbForTests } from '@/lib/catalog/db';
import { runSyncCycle } from '@/lib/sync/cycle';

beforeEach(() => fakeBrowser.reset());

describe('alarms', () => {
  it('creates the sync alarm at start, and again when it has vanished', async () => {
    expect(await ensureAlarms(fakeBrowser.alarms, 'production')).toEqual([ALARM_SPECS.sync.name, ALARM_SPECS.reconcile.name]);
    expect((await fakeBrowser.alarms.get(ALARM_SPECS.sync.name))?.periodInMinutes).toBe(0.5);
    expect((await fakeBrowser.alarms.get(ALARM_SPECS.reconcile.name))?.periodInMinutes).toBe(60);
    expect(await ensureAlarms(fakeBrowser.alarms, 'production')).toEqual([]);
    await fakeBrowser.alarms.clear(ALARM_SPECS.sync.name);
    expect(await ensureAlarms(fakeBrowser.alarms, 'production')).toEqual([ALARM_SPECS.sync.name]);
  });

  it('runs fast only in unpacked test builds', async () => {
    await ensureAlarms(fakeBrowser.alarms, 'e2e');
    expect((await fakeBrowser.alarms.get(ALARM_SPECS.sync.name))?.periodInMinutes).toBe(0.05);
  });

  it('background start registers the alarm and a tick records why nothing synced', async () => {
    const db = await resetCatalogDbForTests();
    const background = (await import('@/entrypoints/background/index')).default;
    background.main();
    await new Promise((r) => setTimeout(r, 50));
    expect(await fakeBrowser.alarms.get(ALARM_SPECS.sync.name)).toBeDefined();
    await runSyncCycle({ db, adapters: async () => ({}), now: () => 1000 });
    await runSyncCycle({ db, adapters: async () => ({}), now: () => 2000 });
    const runs = await db.syncRuns.toArray();
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ outcome: 'skipped', reason: 'no-connected-malls', startedAt: 1000, finishedAt: 2000 });
  });
});
