import type { RouteRequest } from '../core/types';
import { SIM_CODES } from './errors';
import type { YahooState } from './state';
import { sendYahooError } from './xml';

/** Form parameters: query string first, body on top (uploadItemFile even puts seller_id in the query, §2.7). */
export function formParams(request: RouteRequest): URLSearchParams {
  const params = new URLSearchParams(request.url.searchParams);
  if (request.method === 'POST') {
    for (const [k, v] of new URLSearchParams(request.body.toString('utf8'))) params.set(k, v);
  }
  return params;
}

/**
 * Every store API names the store (seller_id / sellerId / SellerId). The token belongs to one store's
 * employee, so another store id is refused. Status and wording are not documented; 403 is the gateway's
 * "forbidden" and the code is the simulator's.
 */
export function requireSeller(state: YahooState, request: RouteRequest, value: string | undefined | null, name: string): boolean {
  if (!value) {
    sendYahooError(request.res, 400, `${name} is required.`, SIM_CODES.badRequest);
    return false;
  }
  if (value !== state.ctx.credentials.yahoo.sellerId) {
    sendYahooError(request.res, 403, `Your Request was Forbidden: ${name}(${value}) is not a store this token may operate.`, SIM_CODES.sellerMismatch);
    return false;
  }
  return true;
}

export const CODE_RE = /^[A-Za-z0-9-]{1,99}$/;

export function isPrice(value: string): boolean {
  return /^\d{1,8}$/.test(value) && Number(value) >= 1 && Number(value) <= 99_999_999;
}
