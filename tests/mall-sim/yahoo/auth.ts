import forge from 'node-forge';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { sendJson } from '../core/http';
import type { RouteRequest, SimContext } from '../core/types';
import { CODES } from './errors';
import type { ResolvedYahooOptions } from './options';
import { sendYahooError } from './xml';

export interface Grant {
  id: number;
  clientId: string;
  scope: string;
  /** Consent time: the 12-hour and 4-week limits count from here (§1.2). */
  authorizedAt: number;
  refreshToken: string;
  refreshExpiresAt: number;
  /** Used unsigned on a restricted API: consent capped at 12 h (§1.2 Shopping restriction). */
  shortened: boolean;
  revoked: boolean;
  sub: string;
}

interface AccessToken {
  grantId: number;
  expiresAt: number;
}

interface AuthCode {
  clientId: string;
  redirectUri: string;
  scope: string;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  expiresAt: number;
  used: boolean;
  /** Set once exchanged, so a replay can revoke what the first exchange issued (RFC 6749 §4.1.2). */
  grantId?: number;
  authorizedAt: number;
}

export interface PublicKeyRecord {
  version: string;
  publicKeyPem: string;
  privateKey: forge.pki.rsa.PrivateKey;
  issuedAt: number;
  expiresAt: number;
  active: boolean;
}

export type SignatureCheck =
  | { kind: 'absent' }
  | { kind: 'valid'; version: string; timestamp: number }
  | { kind: 'invalid'; reason: string; status: number; code?: string; message: string; tera?: boolean };

/** Numeric `error_code` values are not documented (§1.2 lists the key only); these are the simulator's. */
const TOKEN_ERROR_CODES: Record<string, number> = {
  invalid_request: 1000,
  invalid_client: 1100,
  invalid_grant: 1200,
  unsupported_grant_type: 1300,
  server_error: 1500,
};

const TOKEN_RE = /^[A-Za-z0-9_-]{40,200}$/;

function token(prefix: string): string {
  return prefix + randomBytes(33).toString('base64url');
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * ID連携 (YConnect v2) and 公開鍵認証. Lives outside the catalogue state so `reset()` between benchmark
 * runs keeps the extension connected, as a real store's consent survives a catalogue change.
 */
export class YahooAuth {
  private readonly codes = new Map<string, AuthCode>();
  private readonly grants = new Map<number, Grant>();
  private readonly grantsByRefresh = new Map<string, Grant>();
  private readonly accessTokens = new Map<string, AccessToken>();
  private nextGrantId = 1;
  readonly keys = new Map<string, PublicKeyRecord>();
  private readonly decryptCache = new Map<string, string | null>();

  constructor(
    private readonly ctx: SimContext,
    private readonly opts: ResolvedYahooOptions,
  ) {
    const cred = ctx.credentials.yahoo;
    this.addKey(cred.keyVersion, cred.publicKeyPem, cred.privateKeyPem, opts.keyIssuedAt ?? ctx.clock.now());
  }

  private get clientId(): string {
    return this.ctx.credentials.yahoo.clientId;
  }

  // ---------------------------------------------------------------------------------------------
  // Keys (§1.3: 1-year validity, at most 2 active per store)

  addKey(version: string, publicKeyPem: string, privateKeyPem: string, issuedAt = this.ctx.clock.now()): PublicKeyRecord {
    const activeOthers = [...this.keys.values()].filter((k) => k.active && k.version !== version);
    if (activeOthers.length >= 2) throw new Error('Yahoo allows at most 2 active public keys per store (§1.3)');
    const record: PublicKeyRecord = {
      version,
      publicKeyPem,
      privateKey: forge.pki.privateKeyFromPem(privateKeyPem) as forge.pki.rsa.PrivateKey,
      issuedAt,
      expiresAt: issuedAt + this.opts.keyValidityMs,
      active: true,
    };
    this.keys.set(version, record);
    return record;
  }

  setKeyExpiry(version: string, expiresAt: number): void {
    const key = this.keys.get(version);
    if (!key) throw new Error(`no key version ${version}`);
    key.expiresAt = expiresAt;
  }

  setKeyActive(version: string, active: boolean): void {
    const key = this.keys.get(version);
    if (!key) throw new Error(`no key version ${version}`);
    key.active = active;
  }

  // ---------------------------------------------------------------------------------------------
  // Authorization endpoint (§1.2 [YC-AUTH])

  handleAuthorize(request: RouteRequest): void {
    const { res } = request;
    const params =
      request.method === 'POST' ? new URLSearchParams(request.body.toString('utf8')) : request.url.searchParams;
    const clientId = params.get('client_id');
    const redirectUri = params.get('redirect_uri');
    // RFC 6749 §4.1.2.1: a bad client or redirect URI is shown to the user, never redirected to.
    if (!clientId || clientId !== this.clientId) {
      return sendJson(res, 400, { error: 'invalid_request', error_description: 'invalid client_id' });
    }
    if (!redirectUri) {
      return sendJson(res, 400, { error: 'invalid_request', error_description: 'redirect_uri is required' });
    }
    if (!this.redirectAllowed(redirectUri)) {
      return sendJson(res, 400, { error: 'invalid_request', error_description: 'redirect_uri does not match a registered callback' });
    }
    const state = params.get('state');
    const redirect = (query: Record<string, string>) => {
      const url = new URL(redirectUri);
      for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
      if (state !== null) url.searchParams.set('state', state);
      res.writeHead(302, { location: url.toString(), 'content-length': 0, 'cache-control': 'no-store' });
      res.end();
    };
    const responseType = params.get('response_type');
    if (responseType !== 'code') {
      return redirect({ error: 'unsupported_response_type', error_description: 'response_type must be code' });
    }
    const scope = params.get('scope') ?? '';
    if (this.opts.requireOpenidScope && !scope.split(/[\s+]+/).includes('openid')) {
      return redirect({ error: 'invalid_scope', error_description: 'openid is required in scope' });
    }
    const codeChallenge = params.get('code_challenge') ?? undefined;
    const codeChallengeMethod = params.get('code_challenge_method') ?? (codeChallenge ? 'plain' : undefined);
    if (codeChallenge && codeChallengeMethod !== 'S256' && codeChallengeMethod !== 'plain') {
      return redirect({ error: 'invalid_request', error_description: 'unsupported code_challenge_method' });
    }
    if (this.opts.consent === 'deny') {
      return redirect({ error: 'access_denied', error_description: 'user denied' });
    }
    const code = token('');
    const now = this.ctx.clock.now();
    this.codes.set(code, {
      clientId,
      redirectUri,
      scope,
      nonce: params.get('nonce') ?? undefined,
      codeChallenge,
      codeChallengeMethod,
      expiresAt: now + this.opts.authCodeTtlSec * 1000,
      used: false,
      authorizedAt: now,
    });
    redirect({ code });
  }

  private redirectAllowed(uri: string): boolean {
    if (this.opts.redirectUris) return this.opts.redirectUris.includes(uri);
    try {
      const u = new URL(uri);
      return u.protocol === 'https:' || u.protocol === 'http:';
    } catch {
      return false;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Token endpoint (§1.2 [YC-TOKEN])

  handleToken(request: RouteRequest): void {
    const { res } = request;
    const fail = (status: number, error: string, description: string, headers: Record<string, string> = {}) =>
      sendJson(
        res,
        status,
        { error, error_description: description, error_code: TOKEN_ERROR_CODES[error] ?? 1000 },
        { 'cache-control': 'no-store', pragma: 'no-cache', ...headers },
      );
    if (request.method !== 'POST') return fail(400, 'invalid_request', 'POST is required');
    const params = new URLSearchParams(request.body.toString('utf8'));

    // Client authentication: Basic header or body params (§1.2).
    let id: string | null = null;
    let secret: string | null = null;
    let usedBasic = false;
    const authz = request.req.headers.authorization;
    if (authz && /^Basic\s+/i.test(authz)) {
      usedBasic = true;
      const decoded = Buffer.from(authz.replace(/^Basic\s+/i, ''), 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i > 0) {
        id = safeDecode(decoded.slice(0, i));
        secret = safeDecode(decoded.slice(i + 1));
      }
    } else {
      id = params.get('client_id');
      secret = params.get('client_secret');
    }
    const cred = this.ctx.credentials.yahoo;
    if (!id || !secret || id !== cred.clientId || secret !== cred.clientSecret) {
      return fail(401, 'invalid_client', 'client authentication failed', usedBasic ? { 'www-authenticate': 'Basic realm="yahoo.co.jp"' } : {});
    }

    if (this.opts.tokenEndpointSignature === 'verify-if-present') {
      const sig = this.verifySignature(request.req.headers);
      if (sig.kind === 'invalid') return fail(401, 'invalid_client', `public-key signature rejected: ${sig.reason}`);
    }

    const now = this.ctx.clock.now();
    const grantType = params.get('grant_type');
    if (!grantType) return fail(400, 'invalid_request', 'grant_type is required');

    if (grantType === 'authorization_code') {
      const codeValue = params.get('code');
      const redirectUri = params.get('redirect_uri');
      if (!codeValue || !redirectUri) return fail(400, 'invalid_request', 'code and redirect_uri are required');
      const code = this.codes.get(codeValue);
      if (!code || code.clientId !== id) return fail(400, 'invalid_grant', 'invalid authorization code');
      if (code.used) {
        const g = code.grantId === undefined ? undefined : this.grants.get(code.grantId);
        if (g) g.revoked = true;
        return fail(400, 'invalid_grant', 'authorization code already used');
      }
      if (now > code.expiresAt) return fail(400, 'invalid_grant', 'authorization code expired');
      if (code.redirectUri !== redirectUri) return fail(400, 'invalid_grant', 'redirect_uri mismatch');
      if (code.codeChallenge) {
        const verifier = params.get('code_verifier');
        if (!verifier) return fail(400, 'invalid_grant', 'code_verifier is required');
        const expected =
          code.codeChallengeMethod === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
        if (expected !== code.codeChallenge) return fail(400, 'invalid_grant', 'code_verifier mismatch');
      }
      code.used = true;
      const grant: Grant = {
        id: this.nextGrantId++,
        clientId: id,
        scope: code.scope,
        authorizedAt: code.authorizedAt,
        refreshToken: token(''),
        refreshExpiresAt: code.authorizedAt + this.opts.refreshTokenTtlSec * 1000,
        shortened: false,
        revoked: false,
        sub: createHash('sha256').update(`${cred.sellerId}:${id}`).digest('hex').slice(0, 26).toUpperCase(),
      };
      code.grantId = grant.id;
      this.grants.set(grant.id, grant);
      this.grantsByRefresh.set(grant.refreshToken, grant);
      const access = this.issueAccess(grant);
      return sendJson(
        res,
        200,
        {
          access_token: access,
          token_type: 'Bearer',
          expires_in: this.opts.accessTokenTtlSec,
          refresh_token: grant.refreshToken,
          id_token: this.idToken(grant, code.nonce, now),
        },
        { 'cache-control': 'no-store', pragma: 'no-cache' },
      );
    }

    if (grantType === 'refresh_token') {
      const refresh = params.get('refresh_token');
      if (!refresh) return fail(400, 'invalid_request', 'refresh_token is required');
      const grant = this.grantsByRefresh.get(refresh);
      if (!grant || grant.clientId !== id || grant.revoked) return fail(400, 'invalid_grant', 'invalid refresh token');
      if (this.ctx.faults.take('yahoo', request.url.pathname, ['expire-auth'])) {
        grant.refreshExpiresAt = Math.min(grant.refreshExpiresAt, now);
      }
      if (now >= this.refreshExpiry(grant)) return fail(400, 'invalid_grant', 'refresh token expired');
      // §1.2: refresh answers only a new access token; the client keeps its refresh token.
      return sendJson(
        res,
        200,
        { access_token: this.issueAccess(grant), token_type: 'Bearer', expires_in: this.opts.accessTokenTtlSec },
        { 'cache-control': 'no-store', pragma: 'no-cache' },
      );
    }
    return fail(400, 'unsupported_grant_type', `unsupported grant_type ${grantType}`);
  }

  refreshExpiry(grant: Grant): number {
    return grant.shortened
      ? Math.min(grant.refreshExpiresAt, grant.authorizedAt + this.opts.unsignedSessionSec * 1000)
      : grant.refreshExpiresAt;
  }

  private issueAccess(grant: Grant): string {
    const access = token('');
    this.accessTokens.set(access, { grantId: grant.id, expiresAt: this.ctx.clock.now() + this.opts.accessTokenTtlSec * 1000 });
    return access;
  }

  /** Yahoo signs RS256 with its own keys; clients here only read claims, so HS256 with the secret will do. */
  private idToken(grant: Grant, nonce: string | undefined, now: number): string {
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'HS256' }));
    const iat = Math.floor(now / 1000);
    const payload = b64url(
      JSON.stringify({
        iss: 'https://auth.login.yahoo.co.jp/yconnect/v2',
        sub: grant.sub,
        aud: [grant.clientId],
        exp: iat + 600,
        iat,
        auth_time: Math.floor(grant.authorizedAt / 1000),
        amr: ['pwd'],
        ...(nonce ? { nonce } : {}),
      }),
    );
    const sig = createHmac('sha256', this.ctx.credentials.yahoo.clientSecret).update(`${header}.${payload}`).digest('base64url');
    return `${header}.${payload}.${sig}`;
  }

  // ---------------------------------------------------------------------------------------------
  // Bearer check (§1.4)

  /** Returns the grant, or null after answering 401 the way §1.4 documents. */
  checkBearer(request: RouteRequest): Grant | null {
    const { res } = request;
    const deny = (error: string, description: string) => {
      const challenge = `Bearer realm="yahooapis.jp", error="${error}", error_description="${description}"`;
      sendYahooError(res, 401, `Please provide valid credentials. ${challenge}`, undefined, {
        shopping: false,
        headers: { 'www-authenticate': challenge },
      });
      return null;
    };
    const header = request.req.headers.authorization;
    // §0: a token in the POST body is no longer accepted (since 2022-09-01), so only the header counts.
    if (!header || !/^Bearer\s+/i.test(header)) return deny('invalid_request', 'access token is required');
    const value = header.replace(/^Bearer\s+/i, '').trim();
    if (!TOKEN_RE.test(value)) return deny('invalid_token', 'invalid token format');
    const access = this.accessTokens.get(value);
    const grant = access ? this.grants.get(access.grantId) : undefined;
    if (!access || !grant || grant.revoked) return deny('invalid_token', 'invalid token');
    const now = this.ctx.clock.now();
    if (this.ctx.faults.take('yahoo', request.url.pathname, ['expire-auth'])) access.expiresAt = now;
    if (now >= access.expiresAt) return deny('invalid_token', 'expired token');
    if (!this.opts.storeScopeGranted) return deny('insufficient_scope', 'insufficient scope');
    return grant;
  }

  // ---------------------------------------------------------------------------------------------
  // 公開鍵認証 (§1.3)

  verifySignature(headers: IncomingHttpHeaders): SignatureCheck {
    const sig = headerValue(headers['x-sws-signature']);
    const version = headerValue(headers['x-sws-signature-version']);
    const invalid = (reason: string, message = `Use of API is not permitted. (${reason})`): SignatureCheck => ({
      kind: 'invalid',
      reason,
      status: this.opts.signatureErrorStatus,
      code: CODES.apiNotPermitted,
      message,
    });
    if (!sig && !version) return { kind: 'absent' };
    if (!sig) {
      // [TERA]: the only recorded answer to incomplete auth material.
      return {
        kind: 'invalid',
        reason: 'Required authentication information is not found.',
        status: 401,
        message: 'Bad Request: Authentication parameters in your request incompleted.',
        tera: true,
      };
    }
    // [SOKU-REL]: key set without its version → px-14303 "Use of API is not permitted."
    if (!version) return invalid('X-sws-signature-version is missing', 'Use of API is not permitted.');
    const key = this.keys.get(version);
    if (!key || !key.active) return invalid(`no active public key with version ${version}`);
    const now = this.ctx.clock.now();
    if (now >= key.expiresAt) return invalid(`public key version ${version} has expired`);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(sig) || sig.length % 4 !== 0) return invalid('X-sws-signature is not base64');
    const plain = this.decrypt(key, sig);
    if (plain === null) return invalid(`X-sws-signature cannot be decrypted with key version ${version}`);
    const m = /^([a-z0-9_-]{1,128}):(\d{1,12})$/.exec(plain);
    if (!m) return invalid('signature text is not "seller_id:unixtime"');
    if (m[1] !== this.ctx.credentials.yahoo.sellerId) return invalid('seller_id in the signature does not match the store');
    const ts = Number(m[2]);
    if (Math.abs(now / 1000 - ts) > this.opts.signatureSkewSec) {
      return invalid(`signature time ${ts} is outside ±${this.opts.signatureSkewSec}s of server time`);
    }
    return { kind: 'valid', version, timestamp: ts };
  }

  private decrypt(key: PublicKeyRecord, sig: string): string | null {
    const cacheKey = `${key.version}:${sig}`;
    const hit = this.decryptCache.get(cacheKey);
    if (hit !== undefined) return hit;
    let plain: string | null;
    try {
      // Node 20 refuses PKCS#1 v1.5 decryption (CVE-2023-46809 fix), hence node-forge (toolchain.md).
      plain = key.privateKey.decrypt(forge.util.decode64(sig), 'RSAES-PKCS1-V1_5');
    } catch {
      plain = null;
    }
    if (this.decryptCache.size > 2000) this.decryptCache.clear();
    this.decryptCache.set(cacheKey, plain);
    return plain;
  }

  /**
   * §1.2/§1.3 for restricted APIs: signed calls pass; unsigned calls are either rejected or held to the
   * 12-hour consent. Answers and returns false when the call must stop here.
   */
  gateRestricted(request: RouteRequest, grant: Grant, sig: SignatureCheck): boolean {
    const { res } = request;
    if (sig.kind === 'valid') return true;
    if (sig.kind === 'invalid') {
      this.sendSignatureError(request, sig);
      return false;
    }
    if (this.opts.missingSignature === 'reject') {
      sendYahooError(res, this.opts.signatureErrorStatus, 'Use of API is not permitted.', CODES.apiNotPermitted, { shopping: false });
      return false;
    }
    const now = this.ctx.clock.now();
    if (now - grant.authorizedAt > this.opts.unsignedSessionSec * 1000) {
      // Verbatim from the orderList/orderInfo pages (§1.2).
      sendYahooError(
        res,
        this.opts.px04102Status,
        'AccessToken has been expired. This API session is shorter than another API.',
        CODES.sessionTooShort,
        { shopping: false },
      );
      return false;
    }
    if (this.opts.unsignedCallShortensConsent) grant.shortened = true;
    return true;
  }

  sendSignatureError(request: RouteRequest, sig: Extract<SignatureCheck, { kind: 'invalid' }>): void {
    sendYahooError(request.res, sig.status, sig.message, sig.code, {
      shopping: false,
      headers: { 'x-yahooj-autherror': sig.reason },
    });
  }

  /** For tests and the control surface: the grant behind a refresh token. */
  grantFor(refreshToken: string): Grant | undefined {
    return this.grantsByRefresh.get(refreshToken);
  }
}

function headerValue(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s.trim() === '' ? undefined : s.trim();
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
