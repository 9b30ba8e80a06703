import type { HttpClient, HttpResponse } from '../../http/client';
import { REAL_ENDPOINTS } from '../endpoints';
import { MallError, unexpectedResponse } from '../errors';
import { yahooClassifier } from './errors';
import { tokenAnswerSchema, tokenErrorSchema } from './schemas';

/** Yahoo! ID連携 v2, authorization-code flow (spec §1.2). */

export const AUTHORIZE_PATH = '/yconnect/v2/authorization';
export const TOKEN_PATH = '/yconnect/v2/token';

/** §1.2 [YC-FAQ]: refresh tokens live 4 weeks from consent. */
export const REFRESH_TOKEN_LIFETIME_MS = 28 * 24 * 3600 * 1000;
/**
 * §1.2 "Shopping restriction": without public-key auth, a restricted (order) API caps the consent at 12 h.
 * This client signs every order call when a key is configured, so the cap only applies without one.
 */
export const UNSIGNED_CONSENT_LIFETIME_MS = 12 * 3600 * 1000;

export interface AuthorizeUrlParams {
  clientId: string;
  redirectUri: string;
  state: string;
  nonce: string;
  /** PKCE S256 challenge (base64url SHA-256 of the verifier). */
  codeChallenge?: string;
  /** Base of the login host; the real one by default (the simulator in demo/e2e builds). */
  authBase?: string;
  /** Space-separated; `openid` is required (§1.2). */
  scope?: string;
}

export function buildAuthorizeUrl(params: AuthorizeUrlParams): string {
  const url = new URL(AUTHORIZE_PATH, params.authBase ?? REAL_ENDPOINTS.yahoo.auth);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', params.clientId);
  url.searchParams.set('redirect_uri', params.redirectUri);
  url.searchParams.set('scope', params.scope ?? 'openid profile');
  url.searchParams.set('state', params.state);
  url.searchParams.set('nonce', params.nonce);
  // §1.2 [HELP-NEW]: bail=1 sends a "do not agree" back to us instead of leaving the user on Yahoo.
  url.searchParams.set('bail', '1');
  if (params.codeChallenge) {
    url.searchParams.set('code_challenge', params.codeChallenge);
    url.searchParams.set('code_challenge_method', 'S256');
  }
  return url.toString();
}

export interface TokenSet {
  accessToken: string;
  /** Epoch ms. */
  accessTokenExpiresAt: number;
  refreshToken: string;
  /** Epoch ms; §1.2 4 weeks from consent (12 h when order APIs are used unsigned). */
  refreshTokenExpiresAt: number;
}

export interface TokenEndpointOptions {
  http: HttpClient;
  authBase?: string;
  clientId: string;
  clientSecret: string;
  now?: () => number;
}

export async function exchangeAuthorizationCode(
  options: TokenEndpointOptions & { code: string; redirectUri: string; codeVerifier?: string; signedOrderCalls?: boolean },
): Promise<TokenSet> {
  const now = options.now ?? Date.now;
  const body = new URLSearchParams({ grant_type: 'authorization_code', code: options.code, redirect_uri: options.redirectUri });
  if (options.codeVerifier) body.set('code_verifier', options.codeVerifier);
  // A code works once and a replay revokes what it issued (RFC 6749 §4.1.2), so never resend it.
  const answer = await tokenRequest(options, body, 'token.authorization_code', false);
  if (!answer.refresh_token) {
    throw unexpectedResponse('yahoo', 'token.authorization_code', [{ path: ['refresh_token'], message: 'missing' }]);
  }
  const at = now();
  return {
    accessToken: answer.access_token,
    accessTokenExpiresAt: at + answer.expires_in * 1000,
    refreshToken: answer.refresh_token,
    refreshTokenExpiresAt: at + (options.signedOrderCalls === false ? UNSIGNED_CONSENT_LIFETIME_MS : REFRESH_TOKEN_LIFETIME_MS),
  };
}

export async function refreshAccessToken(
  options: TokenEndpointOptions & { refreshToken: string },
): Promise<{ accessToken: string; accessTokenExpiresAt: number; refreshToken?: string }> {
  const now = options.now ?? Date.now;
  const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: options.refreshToken });
  const answer = await tokenRequest(options, body, 'token.refresh_token', true);
  // §1.2: a refresh answers no new refresh token; keep the old one (take a new one if Yahoo ever sends it).
  return {
    accessToken: answer.access_token,
    accessTokenExpiresAt: now() + answer.expires_in * 1000,
    ...(answer.refresh_token ? { refreshToken: answer.refresh_token } : {}),
  };
}

async function tokenRequest(options: TokenEndpointOptions, body: URLSearchParams, endpoint: string, idempotent: boolean) {
  const url = new URL(TOKEN_PATH, options.authBase ?? REAL_ENDPOINTS.yahoo.auth).toString();
  // RFC 6749 §2.3.1: id and secret are form-encoded before Base64.
  const basic = btoa(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`);
  const response = await options.http.request(
    {
      mall: 'yahoo',
      endpoint,
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
      body: body.toString(),
      idempotent,
    },
    yahooClassifier,
  );
  if (response.status === 200) {
    const parsed = tokenAnswerSchema.safeParse(parseJson(response, endpoint));
    if (!parsed.success) throw unexpectedResponse('yahoo', endpoint, parsed.error.issues, response.status);
    return parsed.data;
  }
  throw tokenError(response, endpoint);
}

function parseJson(response: HttpResponse, endpoint: string): unknown {
  try {
    return JSON.parse(response.text) as unknown;
  } catch {
    throw unexpectedResponse('yahoo', endpoint, [{ path: [], message: 'the token endpoint did not answer JSON' }], response.status);
  }
}

function tokenError(response: HttpResponse, endpoint: string): MallError {
  let parsed: ReturnType<typeof tokenErrorSchema.safeParse> | undefined;
  try {
    parsed = tokenErrorSchema.safeParse(JSON.parse(response.text));
  } catch {
    parsed = undefined;
  }
  if (!parsed?.success) {
    if (response.status >= 500) return new MallError({ mall: 'yahoo', endpoint, kind: 'server', status: response.status, message: `HTTP ${response.status}` });
    return unexpectedResponse('yahoo', endpoint, parsed?.error.issues ?? [{ path: [], message: 'not JSON' }], response.status);
  }
  const { error, error_description: description } = parsed.data;
  const detail = `${error}${description ? `: ${description}` : ''}`;
  const base = { mall: 'yahoo' as const, endpoint, status: response.status, code: error };
  // §1.2 [FAQ]: invalid_grant means the consent is gone (expired, revoked, password changed).
  if (error === 'invalid_grant') {
    return new MallError({ ...base, kind: 'auth', message: `Yahoo re-authorisation (ID連携) is needed: the refresh token or code is no longer valid (${detail})` });
  }
  if (error === 'invalid_client' || error === 'unauthorized_client') {
    return new MallError({ ...base, kind: 'auth', message: `Yahoo refused the Client ID or secret (${detail})` });
  }
  if (error === 'server_error' || error === 'temporarily_unavailable' || response.status >= 500) {
    return new MallError({ ...base, kind: 'server', message: `Yahoo login server error (${detail})` });
  }
  return new MallError({ ...base, kind: 'invalid-request', message: `Yahoo token request refused (${detail})` });
}

// --- PKCE and random values (WebCrypto: present in the service worker and in Node 20) -------------

export function randomToken(bytes = 32): string {
  const data = new Uint8Array(bytes);
  crypto.getRandomValues(data);
  return base64Url(data);
}

export async function pkceChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

function base64Url(data: Uint8Array): string {
  let binary = '';
  for (const b of data) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

// --- access-token cache ------------------------------------------------------------------------

export interface CachedAccessToken {
  accessToken: string;
  expiresAt: number;
}

/**
 * Where the access token is kept between calls. The extension backs it with `storage.session` (gone when
 * the browser closes, never visible to content scripts); the refresh token goes to the catalog via
 * `onTokens`.
 */
export interface TokenStore {
  get(): Promise<CachedAccessToken | undefined>;
  set(token: CachedAccessToken | undefined): Promise<void>;
}

export function memoryTokenStore(): TokenStore {
  let value: CachedAccessToken | undefined;
  return {
    get: async () => value,
    set: async (token) => void (value = token),
  };
}

export interface TokenManagerOptions extends TokenEndpointOptions {
  store: TokenStore;
  refreshToken?: string;
  refreshTokenExpiresAt?: number;
  onTokens?: (tokens: TokenSet) => void | Promise<void>;
  /** Refresh this long before the access token's expiry, so a slow request does not carry a dying token. */
  earlyRefreshMs?: number;
}

/** Hands out a valid access token, refreshing at most once at a time. */
export class YahooTokenManager {
  private refreshToken: string | undefined;
  private refreshExpiresAt: number | undefined;
  private inflight: Promise<string> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: TokenManagerOptions) {
    this.refreshToken = options.refreshToken;
    this.refreshExpiresAt = options.refreshTokenExpiresAt;
    this.now = options.now ?? Date.now;
  }

  get refreshTokenExpiresAt(): number | undefined {
    return this.refreshExpiresAt;
  }

  get hasRefreshToken(): boolean {
    return this.refreshToken !== undefined;
  }

  async accessToken(): Promise<string> {
    const cached = await this.options.store.get();
    if (cached && cached.expiresAt - (this.options.earlyRefreshMs ?? 5 * 60_000) > this.now()) return cached.accessToken;
    return this.refresh();
  }

  /** Forgets `token` after Yahoo refused it, so the next call refreshes (unless another call already did). */
  async invalidate(token: string): Promise<void> {
    const cached = await this.options.store.get();
    if (cached?.accessToken === token) await this.options.store.set(undefined);
  }

  refresh(): Promise<string> {
    this.inflight ??= this.doRefresh().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async doRefresh(): Promise<string> {
    if (!this.refreshToken) {
      throw new MallError({ mall: 'yahoo', endpoint: 'token.refresh_token', kind: 'auth', message: 'Yahoo is not connected yet: authorise (ID連携) first' });
    }
    const answer = await refreshAccessToken({ ...this.options, refreshToken: this.refreshToken });
    await this.options.store.set({ accessToken: answer.accessToken, expiresAt: answer.accessTokenExpiresAt });
    if (answer.refreshToken && answer.refreshToken !== this.refreshToken) {
      this.refreshToken = answer.refreshToken;
      this.refreshExpiresAt = this.now() + REFRESH_TOKEN_LIFETIME_MS;
      await this.options.onTokens?.({ ...answer, refreshToken: answer.refreshToken, refreshTokenExpiresAt: this.refreshExpiresAt });
    }
    return answer.accessToken;
  }

  /** After a completed authorisation: the new grant replaces everything. */
  async adopt(tokens: TokenSet): Promise<void> {
    this.refreshToken = tokens.refreshToken;
    this.refreshExpiresAt = tokens.refreshTokenExpiresAt;
    await this.options.store.set({ accessToken: tokens.accessToken, expiresAt: tokens.accessTokenExpiresAt });
    await this.options.onTokens?.(tokens);
  }
}
