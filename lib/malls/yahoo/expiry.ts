/**
 * Yahoo credentials that run out: the refresh token (4 weeks after consent, §1.2) and the public key
 * (1 year after issue, §1.3 — Yahoo mails a reminder 1–2 months before).
 */

export const PUBLIC_KEY_LIFETIME_MS = 365 * 24 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;

export type YahooCredentialExpiry = { what: 'refresh-token' | 'public-key'; expiresAt: number };

export function yahooExpiries(input: { refreshTokenExpiresAt?: number; publicKeyIssuedAt?: number }): YahooCredentialExpiry[] {
  const out: YahooCredentialExpiry[] = [];
  if (input.refreshTokenExpiresAt !== undefined) out.push({ what: 'refresh-token', expiresAt: input.refreshTokenExpiresAt });
  if (input.publicKeyIssuedAt !== undefined) out.push({ what: 'public-key', expiresAt: input.publicKeyIssuedAt + PUBLIC_KEY_LIFETIME_MS });
  return out;
}

export interface YahooExpiryWarning extends YahooCredentialExpiry {
  /** Whole days left, 0 on the last day; negative once expired. */
  daysLeft: number;
  expired: boolean;
}

/**
 * The expiries worth telling the shop about now. Defaults: the refresh token a week ahead (re-consent
 * takes a minute), the public key 60 days ahead (issuing one needs a person with ツール管理権限, §1.3).
 */
export function yahooExpiryWarnings(input: {
  refreshTokenExpiresAt?: number;
  publicKeyIssuedAt?: number;
  now?: number;
  warnBeforeMs?: Partial<Record<YahooCredentialExpiry['what'], number>>;
}): YahooExpiryWarning[] {
  const now = input.now ?? Date.now();
  const before = { 'refresh-token': 7 * DAY_MS, 'public-key': 60 * DAY_MS, ...input.warnBeforeMs };
  return yahooExpiries(input)
    .filter((e) => e.expiresAt - now <= before[e.what])
    .map((e) => ({ ...e, daysLeft: Math.floor((e.expiresAt - now) / DAY_MS), expired: e.expiresAt <= now }));
}
