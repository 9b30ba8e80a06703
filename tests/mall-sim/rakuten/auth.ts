import type { RouteRequest } from '../core/types';
import { itemError, type Reply } from './errors';
import type { RakutenStore } from './store';
import { localJst } from './time';

export type AuthResult =
  | { ok: true; licenseKey: string }
  | { ok: false; reason: 'missing' | 'malformed' | 'unknown' | 'expired' };

/**
 * `Authorization: ESA base64(serviceSecret:licenseKey)` (spec §1, checklist §12 item 1). Decoding is
 * strict: stray whitespace or newlines inside the base64 (a classic client bug, spec §1) are rejected.
 */
export function authenticate(request: RouteRequest, store: RakutenStore, serviceSecret: string, now: number): AuthResult {
  const header = request.req.headers.authorization;
  if (!header) return { ok: false, reason: 'missing' };
  const m = /^ESA ([A-Za-z0-9+/]+={0,2})$/.exec(header);
  if (!m?.[1]) return { ok: false, reason: 'malformed' };
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  // Round-trip check: Node silently skips invalid base64, the gateway would not.
  if (Buffer.from(decoded, 'utf8').toString('base64').replace(/=+$/, '') !== m[1].replace(/=+$/, '')) {
    return { ok: false, reason: 'malformed' };
  }
  const colon = decoded.indexOf(':');
  if (colon < 0) return { ok: false, reason: 'malformed' };
  const secret = decoded.slice(0, colon);
  const licenseKey = decoded.slice(colon + 1);
  const expiresAt = store.licenseKeys.get(licenseKey);
  if (secret !== serviceSecret || expiresAt === undefined) return { ok: false, reason: 'unknown' };
  if (now > expiresAt) return { ok: false, reason: 'expired' };
  return { ok: true, licenseKey };
}

/** `GET /es/1.0/license-management/license-key/expiry-date?licenseKey=` (spec §2). */
export function licenseExpiryDate(url: URL, store: RakutenStore): Reply {
  const key = url.searchParams.get('licenseKey');
  // Spec §2 documents only the 200 answer; missing / unknown key answers are this simulator's choice.
  if (!key) return itemError(400, 'IE0001', 'licenseKey is required.', 'licenseKey');
  const expiresAt = store.licenseKeys.get(key);
  if (expiresAt === undefined) return itemError(404, 'GE0014', `Not found for inputs; licenseKey=${key}`, 'licenseKey');
  return { status: 200, body: { expiryDate: localJst(expiresAt) } };
}
