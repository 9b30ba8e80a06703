import type { MallId } from '../catalog/schemas';

export interface MallEndpoints {
  rakuten: { api: string };
  yahoo: { api: string; auth: string };
  amazon: { api: string; lwa: string };
}

/** The malls' real hosts (specs/*-api.md §1). */
export const REAL_ENDPOINTS: MallEndpoints = {
  rakuten: { api: 'https://api.rms.rakuten.co.jp' },
  yahoo: { api: 'https://circus.shopping.yahooapis.jp', auth: 'https://auth.login.yahoo.co.jp' },
  // LWA: api.amazon.com (amazon-sp-api.md §1.3; whether api.amazon.co.jp takes SP-API refresh tokens is uncertain, §2.1).
  amazon: { api: 'https://sellingpartnerapi-fe.amazon.com', lwa: 'https://api.amazon.com' },
};

/** Fixed simulator ports, so demo and e2e builds know where to look without configuration. */
export const SIMULATOR_PORTS: Record<MallId | 'control', number> = { control: 4100, rakuten: 4101, yahoo: 4102, amazon: 4103 };

export function simulatorEndpoints(host = '127.0.0.1'): MallEndpoints {
  const base = (mall: MallId) => `http://${host}:${SIMULATOR_PORTS[mall]}`;
  return {
    rakuten: { api: base('rakuten') },
    yahoo: { api: base('yahoo'), auth: base('yahoo') },
    amazon: { api: base('amazon'), lwa: base('amazon') },
  };
}

/** Production builds never point at the simulator: only `demo` and `e2e` builds do. */
export function endpointsForMode(mode: string): MallEndpoints {
  return mode === 'demo' || mode === 'e2e' ? simulatorEndpoints() : REAL_ENDPOINTS;
}
