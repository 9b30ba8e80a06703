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

export interface CachedToken {
  value: string;
  expiresAt: number;
}

export interface TokenStore {
  get(key: string): Promise<CachedToken | undefined>;
  set(key: string, token: CachedToken | undefined): Promise<void>;
}

/** Short-lived access tokens: kept in session storage so a restarted worker need not fetch new ones. */
export function sessionTokenStore(area: SessionArea, prefix = 'token:'): TokenStore {
  return {
    async get(key) {
      const value = (await area.get(prefix + key))[prefix + key] as CachedToken | undefined;
      return value && typeof value.value === 'string' && typeof value.expiresAt === 'number' ? value : undefined;
    },
    async set(key, token) {
      if (token) await area.set({ [prefix + key]: token });
      else await area.remove(prefix + key);
    },
  };
}
