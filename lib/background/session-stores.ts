import type { RateStateStore } from '../http/rate-limiter';

/** The part of `browser.storage.session` these stores use; a fake in tests. */
export interface SessionArea {
  get(keys: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string): Promise<void>;
}

/**
 * Rate-limit state in session storage: it survives the service worker being stopped (the point), is
 * private to extension contexts (session storage is not exposed to content scripts by default), and
 * is dropped when the browser closes, by which time every mall's window has long refilled.
 */
export function sessionRateStore(area: SessionArea, prefix = 'rate:'): RateStateStore {
  return {
    async get(key) {
      const value = (await area.get(prefix + key))[prefix + key];
      return typeof value === 'number' ? value : undefined;
    },
    async set(key, tat) {
      await area.set({ [prefix + key]: tat });
    },
  };
}

/**
 * One JSON value per key in session storage, for short-lived access tokens: a restarted worker need not
 * fetch new ones, and content scripts cannot read session storage. Each mall's client parses what it gets.
 */
export function sessionValueStore<T>(area: SessionArea, key: string, isValid: (value: unknown) => value is T) {
  return {
    async get(): Promise<T | undefined> {
      const value = (await area.get(key))[key];
      return isValid(value) ? value : undefined;
    },
    async set(value: T | undefined): Promise<void> {
      if (value === undefined) await area.remove(key);
      else await area.set({ [key]: value });
    },
  };
}
