import { randomBytes } from 'node:crypto';
import { parseFormBody } from '../core/http';
import type { RouteRequest, SimContext } from '../core/types';
import type { LwaErrorCode, ResolvedOptions } from './options';
import { pathMatchesTemplate, type OperationSpec } from './ops';
import {
  ACCESS_DENIED,
  invalidInput,
  SpApiFailure,
  TOKEN_EXPIRED_DETAILS,
  TOKEN_INVALID_DETAILS,
  type Reply,
} from './respond';

/** Login with Amazon (spec §2.1) and the tokens an SP-API call can carry (LWA access token or RDT, §2.2–2.3). */

export interface RdtResource {
  method: string;
  path: string;
  dataElements: string[];
}

export interface IssuedToken {
  kind: 'seller' | 'grantless' | 'rdt';
  expiresAt: number;
  scope?: string;
  resources?: RdtResource[];
}

const LWA_MESSAGES: Record<LwaErrorCode, string> = {
  invalid_request: 'The request is missing a required parameter',
  invalid_client: 'Client authentication failed',
  invalid_grant: 'The request has an invalid grant parameter : refresh_token',
  unsupported_grant_type: 'The authorization grant type is not supported by the authorization server',
  invalid_scope: 'The request has an invalid parameter : scope',
  server_error: 'The authorization server encountered an unexpected condition',
};

// Grantless scopes Amazon's helper code uses (spec §2.1).
const GRANTLESS_SCOPES = new Set([
  'sellingpartnerapi::notifications',
  'sellingpartnerapi::client_credential:rotation',
  'sellingpartnerapi::migration',
]);

/** Paths whose PII an RDT can unlock, concrete or with `{orderId}` (spec §2.3, tokens model). */
const RESTRICTED_PATHS = [
  '/orders/v0/orders',
  '/orders/v0/orders/{orderId}',
  '/orders/v0/orders/{orderId}/orderItems',
  '/orders/v0/orders/{orderId}/address',
  '/orders/v0/orders/{orderId}/buyerInfo',
  '/orders/v0/orders/{orderId}/orderItems/buyerInfo',
  '/orders/v0/orders/{orderId}/regulatedInfo',
];
const DATA_ELEMENTS = new Set(['buyerInfo', 'shippingAddress', 'buyerTaxInformation']);

function tokenString(prefix: string): string {
  return prefix + randomBytes(96).toString('base64url');
}

export class AmazonAuth {
  /** Issued tokens survive `reset()`: they are the client's session, not shop state. */
  private readonly tokens = new Map<string, IssuedToken>();

  constructor(
    private readonly ctx: SimContext,
    private readonly opts: ResolvedOptions,
  ) {}

  private lwaError(reply: Reply, code: LwaErrorCode, description = LWA_MESSAGES[code]): void {
    reply.json(this.opts.lwaErrorStatus[code], { error_description: description, error: code });
  }

  /** POST /auth/o2/token — form-encoded (Amazon's JS helper) or JSON (Amazon's Java LWAClient), spec §2.1. */
  handleTokenRequest(request: RouteRequest, reply: Reply): void {
    const fault = this.ctx.faults.take('amazon', request.url.pathname, ['server-error']);
    if (fault) return this.lwaError(reply, 'server_error');

    const type = String(request.req.headers['content-type'] ?? '').toLowerCase();
    let params: Record<string, string>;
    try {
      if (type.startsWith('application/json')) {
        const raw = JSON.parse(request.body.toString('utf8')) as unknown;
        if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('not an object');
        params = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)]));
      } else if (type.startsWith('application/x-www-form-urlencoded')) {
        params = Object.fromEntries(parseFormBody(request));
      } else {
        return this.lwaError(reply, 'invalid_request', 'The request has an invalid Content-Type');
      }
    } catch {
      return this.lwaError(reply, 'invalid_request', 'The request body could not be parsed');
    }

    const creds = this.ctx.credentials.amazon;
    const grantType = params.grant_type;
    if (!grantType) return this.lwaError(reply, 'invalid_request', `${LWA_MESSAGES.invalid_request} : grant_type`);
    if (!params.client_id || !params.client_secret) {
      return this.lwaError(reply, 'invalid_request', `${LWA_MESSAGES.invalid_request} : ${params.client_id ? 'client_secret' : 'client_id'}`);
    }
    if (params.client_id !== creds.clientId || params.client_secret !== creds.clientSecret) {
      return this.lwaError(reply, 'invalid_client');
    }
    const now = this.ctx.clock.now();
    const expiresIn = this.opts.accessTokenTtlSeconds;
    if (grantType === 'refresh_token') {
      if (!params.refresh_token) return this.lwaError(reply, 'invalid_request', `${LWA_MESSAGES.invalid_request} : refresh_token`);
      if (params.refresh_token !== creds.refreshToken) return this.lwaError(reply, 'invalid_grant');
      const accessToken = tokenString('Atza|IwEB');
      this.tokens.set(accessToken, { kind: 'seller', expiresAt: now + expiresIn * 1000 });
      return reply.json(200, { access_token: accessToken, refresh_token: creds.refreshToken, token_type: 'bearer', expires_in: expiresIn });
    }
    if (grantType === 'client_credentials') {
      const scope = params.scope;
      if (!scope) return this.lwaError(reply, 'invalid_request', `${LWA_MESSAGES.invalid_request} : scope`);
      if (!GRANTLESS_SCOPES.has(scope)) return this.lwaError(reply, 'invalid_scope');
      const accessToken = tokenString('Atc|MQEB');
      this.tokens.set(accessToken, { kind: 'grantless', scope, expiresAt: now + expiresIn * 1000 });
      return reply.json(200, { access_token: accessToken, scope, token_type: 'bearer', expires_in: expiresIn });
    }
    return this.lwaError(reply, 'unsupported_grant_type');
  }

  /**
   * The token an SP-API call carries, or a 403 Unauthorized (spec §7). `expire` comes from the
   * `expire-auth` fault: the token is marked expired for good, so the client has to refresh rather than
   * merely retry.
   */
  authenticate(request: RouteRequest, op: OperationSpec, expire: boolean): IssuedToken {
    const header = request.req.headers['x-amz-access-token'];
    const value = Array.isArray(header) ? header[0] : header;
    if (!value) throw new SpApiFailure(403, [{ code: 'Unauthorized', message: ACCESS_DENIED, details: '' }]);
    const token = this.tokens.get(value);
    if (!token) throw new SpApiFailure(403, [{ code: 'Unauthorized', message: ACCESS_DENIED, details: TOKEN_INVALID_DETAILS }]);
    const now = this.ctx.clock.now();
    if (expire) token.expiresAt = Math.min(token.expiresAt, now);
    if (now >= token.expiresAt) {
      throw new SpApiFailure(403, [{ code: 'Unauthorized', message: ACCESS_DENIED, details: TOKEN_EXPIRED_DETAILS }]);
    }
    if (token.kind === 'grantless') {
      // Grantless tokens only reach grantless operations (notifications, credential rotation), none served here.
      throw new SpApiFailure(403, [{ code: 'Unauthorized', message: ACCESS_DENIED, details: '' }]);
    }
    if (token.kind === 'rdt') {
      const allowed =
        op.restricted === true &&
        (token.resources ?? []).some((r) => r.method === request.method && pathMatchesTemplate(r.path, request.url.pathname));
      if (!allowed) {
        throw new SpApiFailure(403, [
          { code: 'Unauthorized', message: ACCESS_DENIED, details: 'The Restricted Data Token is not valid for this resource.' },
        ]);
      }
    }
    return token;
  }

  /** Restricted data elements the token unlocks for this request (empty for plain LWA tokens). */
  dataElements(token: IssuedToken, method: string, path: string): Set<string> {
    const out = new Set<string>();
    for (const r of token.resources ?? []) {
      if (r.method === method && pathMatchesTemplate(r.path, path)) for (const d of r.dataElements) out.add(d);
    }
    return out;
  }

  /** POST /tokens/2021-03-01/restrictedDataToken (body already checked against the tokens model). */
  createRestrictedDataToken(token: IssuedToken, body: { restrictedResources: { method: string; path: string; dataElements?: string[] }[] }): {
    restrictedDataToken: string;
    expiresIn: number;
  } {
    if (token.kind !== 'seller') {
      throw new SpApiFailure(403, [{ code: 'Unauthorized', message: ACCESS_DENIED, details: 'A Restricted Data Token cannot create another.' }]);
    }
    const resources = body.restrictedResources;
    if (resources.length === 0 || resources.length > 50) throw invalidInput('restrictedResources must hold 1 to 50 resources.');
    for (const r of resources) {
      const restricted = RESTRICTED_PATHS.some((t) => pathMatchesTemplate(t, r.path) || t === r.path);
      if (!restricted) throw invalidInput(`'${r.path}' is not a restricted resource.`);
      for (const d of r.dataElements ?? []) {
        if (!DATA_ELEMENTS.has(d)) throw invalidInput(`Invalid dataElements value '${d}'.`);
      }
    }
    const rdt = tokenString('Atz.sprdt|');
    const expiresIn = this.opts.rdtTtlSeconds;
    this.tokens.set(rdt, {
      kind: 'rdt',
      expiresAt: this.ctx.clock.now() + expiresIn * 1000,
      resources: resources.map((r) => ({ method: r.method, path: r.path, dataElements: r.dataElements ?? [] })),
    });
    return { restrictedDataToken: rdt, expiresIn };
  }
}
