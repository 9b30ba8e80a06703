import { DAY_MS } from './time';

export interface RakutenCredentials {
  serviceSecret: string;
  licenseKey: string;
}

/**
 * Where the adapter reads credentials. A function is read again before every attempt, so a license key
 * the merchant renewed in settings (spec §2) is picked up without rebuilding the adapter.
 */
export type RakutenCredentialSource = RakutenCredentials | (() => RakutenCredentials | Promise<RakutenCredentials>);

export async function readCredentials(source: RakutenCredentialSource): Promise<RakutenCredentials> {
  return typeof source === 'function' ? await source() : source;
}

/**
 * `ESA base64(serviceSecret:licenseKey)` (spec §1). Encoded from UTF-8 bytes with `btoa`, which exists
 * in the service worker and in Node, and never wraps lines: a newline inside the value is the classic
 * cause of "Un-Authorised" with correct keys (spec §1).
 */
export function esaAuthorization(credentials: RakutenCredentials): string {
  const bytes = new TextEncoder().encode(`${credentials.serviceSecret}:${credentials.licenseKey}`);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return `ESA ${btoa(binary)}`;
}

/** License keys live 90 days (spec §2). */
export const LICENSE_KEY_LIFETIME_DAYS = 90;
/**
 * Warn this many days before expiry. Rakuten's own reminder mail comes only about a week before (spec §2)
 * and is easily missed; a renewed key can be issued early while the old one keeps working until its own
 * expiry (spec §2), so warning two weeks ahead costs the merchant nothing and leaves two weekly admin
 * sessions to renew before every sync stops with 401.
 */
export const LICENSE_KEY_WARN_DAYS = 14;

export interface LicenseKeyWarning {
  /** Whole days left, rounded up (0 = expires within the day or already expired). */
  daysLeft: number;
  warn: boolean;
  expired: boolean;
}

export function licenseKeyWarning(expiresAt: number, now: number): LicenseKeyWarning {
  const remaining = expiresAt - now;
  const expired = remaining < 0;
  const daysLeft = expired ? 0 : Math.ceil(remaining / DAY_MS);
  return { daysLeft, warn: expired || remaining <= LICENSE_KEY_WARN_DAYS * DAY_MS, expired };
}
