import { z } from 'zod';
import type { ResponseClassifier } from '../../http/client';
import { MallError, unexpectedResponse, type MallErrorKind } from '../errors';
import type { AmazonCachedToken, ResolvedAmazonConfig } from './config';

/**
 * Login with Amazon: the refresh-token grant that yields the hour-long access token every SP-API call
 * carries in `x-amz-access-token` (spec §2.1–2.2; no SigV4 since 2023-10-02).
 */

const ENDPOINT = 'lwa.token';

const tokenAnswer = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().int().positive(),
  refresh_token: z.string().optional(),
});

const lwaErrorAnswer = z.object({ error: z.string(), error_description: z.string().optional() });

/** Reuse a token only while it has this much life left (Amazon's Java helper keeps 60 s, spec §2.1). */
const EXPIRY_MARGIN_MS = 60_000;

/** LWA answers errors as OAuth 2 codes (spec §2.1); say in plain words what a person has to do. */
const LWA_ERRORS: Record<string, { kind: MallErrorKind; message: string }> = {
  invalid_client: {
    kind: 'auth',
    message: 'Amazon did not accept the LWA client ID or client secret. Client secrets must be rotated every 180 days; copy the current one from Seller Central (Develop Apps).',
  },
  invalid_grant: {
    kind: 'auth',
    message: 'Amazon did not accept the refresh token: it was revoked, expired or mistyped. Authorise the app again in Seller Central and paste the new refresh token.',
  },
  unauthorized_client: { kind: 'auth', message: 'This LWA client may not use refresh tokens. Check the app registration in Seller Central.' },
  access_denied: { kind: 'auth', message: 'The seller denied this app access. Authorise the app again in Seller Central.' },
  invalid_scope: { kind: 'permission', message: 'Amazon refused the requested scope.' },
  invalid_request: { kind: 'invalid-request', message: 'Login with Amazon refused the token request as malformed.' },
  unsupported_grant_type: { kind: 'invalid-request', message: 'Login with Amazon does not support this grant type.' },
  server_error: { kind: 'server', message: 'Login with Amazon had an internal error.' },
  temporarily_unavailable: { kind: 'server', message: 'Login with Amazon is temporarily unavailable.' },
};

const lwaClassifier: ResponseClassifier = (status, text) => {
  if (status === 429) return { kind: 'throttled' };
  if (status >= 500) {
    const code = safeJson(text, lwaErrorAnswer)?.error;
    return { kind: 'server', ...(code ? { code } : {}) };
  }
  return undefined;
};

export function safeJson<T>(text: string, schema: z.ZodType<T>): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Short, stable, non-secret label for a credential, so a cached token never outlives a changed key. */
export function fingerprint(value: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    h ^= value.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

export class LwaAuth {
  private inflight: Promise<string> | undefined;
  private readonly storeKey: string;

  constructor(private readonly cfg: ResolvedAmazonConfig) {
    const c = cfg.credentials;
    this.storeKey = `amazon:lwa:${fingerprint(`${c.clientId}\u0000${c.refreshToken}`)}`;
  }

  private usable(t: AmazonCachedToken | undefined): t is AmazonCachedToken {
    return t !== undefined && t.expiresAt - EXPIRY_MARGIN_MS / this.cfg.rateScale > this.cfg.now();
  }

  /** A cached access token while it has life left, else a fresh one (one request for concurrent callers). */
  async accessToken(): Promise<string> {
    const cached = await this.cfg.tokenStore.get(this.storeKey);
    if (this.usable(cached)) return cached.token;
    this.inflight ??= this.fetchToken().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Forget `token` after Amazon called it expired or invalid, unless another caller already replaced it. */
  async invalidate(token: string): Promise<void> {
    const cached = await this.cfg.tokenStore.get(this.storeKey);
    if (cached?.token === token) await this.cfg.tokenStore.set(this.storeKey, undefined);
  }

  private async fetchToken(): Promise<string> {
    const c = this.cfg.credentials;
    const body = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: c.refreshToken,
      client_id: c.clientId,
      client_secret: c.clientSecret,
    }).toString();
    const res = await this.cfg.http.request(
      {
        mall: 'amazon',
        endpoint: ENDPOINT,
        method: 'POST',
        url: `${this.cfg.endpoints.lwa}/auth/o2/token`,
        headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8', 'user-agent': this.cfg.userAgent },
        body,
        // Asking twice only yields two valid tokens.
        idempotent: true,
        ...(this.cfg.timeoutMs !== undefined ? { timeoutMs: this.cfg.timeoutMs } : {}),
      },
      lwaClassifier,
    );
    if (res.status !== 200) throw lwaError(res.status, res.text);
    let json: unknown;
    try {
      json = JSON.parse(res.text);
    } catch {
      throw unexpectedResponse('amazon', ENDPOINT, [{ path: [], message: 'the answer is not JSON' }], res.status);
    }
    const parsed = tokenAnswer.safeParse(json);
    if (!parsed.success) throw unexpectedResponse('amazon', ENDPOINT, parsed.error.issues, res.status);
    const token: AmazonCachedToken = {
      token: parsed.data.access_token,
      // expires_in counts mall seconds.
      expiresAt: this.cfg.now() + (parsed.data.expires_in * 1000) / this.cfg.rateScale,
    };
    await this.cfg.tokenStore.set(this.storeKey, token);
    return token.token;
  }
}

function lwaError(status: number, text: string): MallError {
  const answer = safeJson(text, lwaErrorAnswer);
  const known = answer ? LWA_ERRORS[answer.error] : undefined;
  const kind: MallErrorKind = known?.kind ?? (status === 401 || status === 403 ? 'auth' : status >= 500 ? 'server' : 'invalid-request');
  const detail = answer?.error_description ? ` (${answer.error_description})` : '';
  return new MallError({
    mall: 'amazon',
    endpoint: ENDPOINT,
    kind,
    status,
    ...(answer ? { code: answer.error } : {}),
    message: `${known?.message ?? `Login with Amazon answered HTTP ${status}.`}${detail}`,
  });
}
