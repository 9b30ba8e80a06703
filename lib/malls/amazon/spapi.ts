import { z } from 'zod';
import { patienceFields, type CallPatience, type HttpRequest, type ResponseClassifier } from '../../http/client';
import { MallError, unexpectedResponse, type MallErrorKind } from '../errors';
import { fingerprint, LwaAuth, safeJson } from './auth';
import { OPERATION_LIMITS, type AmazonCachedToken, type AmazonOperation, type ResolvedAmazonConfig } from './config';

/**
 * One SP-API call: rate limit per operation, the access token (or a Restricted Data Token) per attempt,
 * Amazon's throttling and 5xx retried by the HttpClient, one re-login after a 403 for an expired or
 * invalid token, the answer parsed with zod and every error mapped to a MallError kind.
 */

const spApiErrorList = z.object({
  errors: z.array(z.object({ code: z.string(), message: z.string().nullish(), details: z.string().nullish() })),
});
type SpApiErrors = z.infer<typeof spApiErrorList>['errors'];

/** Amazon throttles with 429 QuotaExceeded everywhere (spec §7); 500/503 are worth retrying. */
export const spApiClassifier: ResponseClassifier = (status, text) => {
  if (status === 429) return { kind: 'throttled', code: safeJson(text, spApiErrorList)?.errors[0]?.code ?? 'QuotaExceeded' };
  if (status >= 500) {
    const code = safeJson(text, spApiErrorList)?.errors[0]?.code;
    return { kind: 'server', ...(code ? { code } : {}) };
  }
  return undefined;
};

export interface RestrictedResource {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  path: string;
  dataElements?: ('buyerInfo' | 'shippingAddress' | 'buyerTaxInformation')[];
}

export interface SpApiCall<T> {
  op: AmazonOperation;
  method: HttpRequest['method'];
  /** Path with every segment already URL-encoded. */
  path: string;
  /** Arrays are sent comma-separated (Swagger 2 csv, spec §2.2). */
  query?: Record<string, string | number | readonly string[] | undefined>;
  body?: unknown;
  schema: z.ZodType<T>;
  /** Statuses that carry the success answer; default 200. */
  success?: readonly number[];
  idempotent?: boolean;
  /** Send a Restricted Data Token for these resources instead of the LWA token (spec §2.3). */
  restricted?: RestrictedResource[];
  patience?: CallPatience;
}

export interface SpApiAnswer<T> {
  status: number;
  data: T;
}

export function encodeQuery(query: SpApiCall<unknown>['query']): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    const encoded = Array.isArray(value)
      ? (value as readonly string[]).map((v) => encodeURIComponent(v)).join(',')
      : // NextToken carries `+ / =`: encodeURIComponent turns `+` into %2B so it is not read as a space (spec §3).
        encodeURIComponent(String(value));
    parts.push(`${encodeURIComponent(name)}=${encoded}`);
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** 403s that mean "this token is no good" rather than "this app or seller may not do that" (spec §7). */
function isTokenProblem(errors: SpApiErrors | undefined): boolean {
  return (errors ?? []).some((e) => /token/i.test(`${e.message ?? ''} ${e.details ?? ''}`) && /expired|invalid|revoked|malformed/i.test(`${e.message ?? ''} ${e.details ?? ''}`));
}

const KIND_BY_STATUS: Record<number, MallErrorKind> = {
  400: 'invalid-request',
  401: 'auth',
  403: 'permission',
  404: 'not-found',
  413: 'invalid-request',
  415: 'invalid-request',
  429: 'throttled',
};

export function spApiError(op: string, status: number, text: string, tokenProblem = false): MallError {
  const errors = safeJson(text, spApiErrorList)?.errors;
  const first = errors?.[0];
  const kind: MallErrorKind = tokenProblem ? 'auth' : (KIND_BY_STATUS[status] ?? (status >= 500 ? 'server' : 'invalid-request'));
  const said = first ? [first.message, first.details].filter((s) => s).join(' — ') : text.slice(0, 200);
  const plain = tokenProblem
    ? 'Amazon refused the access token even after logging in again. Check the app authorisation in Seller Central.'
    : kind === 'auth'
      ? 'Amazon refused the authorisation of this request. Check the app authorisation in Seller Central.'
      : kind === 'permission'
        ? 'Amazon refused access: check the seller ID (merchant token) and that the app has the role this needs (Product Listing, Inventory and Order Tracking, Direct-to-Consumer Shipping).'
        : undefined;
  return new MallError({
    mall: 'amazon',
    endpoint: op,
    kind,
    status,
    ...(first ? { code: first.code } : {}),
    message: `${plain ? `${plain} ` : ''}HTTP ${status}${first ? ` ${first.code}` : ''}${said ? `: ${said}` : ''}`,
  });
}

/** Arrival jitter (ms) the limiter leaves room for; see `headroom` in SpApi.call. */
const ARRIVAL_JITTER_MS = 250;

const rdtAnswer = z.object({ restrictedDataToken: z.string().min(1), expiresIn: z.number().int().positive() });

export class SpApi {
  readonly auth: LwaAuth;
  private readonly rdtInflight = new Map<string, Promise<string>>();

  constructor(readonly cfg: ResolvedAmazonConfig) {
    this.auth = new LwaAuth(cfg);
  }

  get sellerPath(): string {
    return encodeURIComponent(this.cfg.credentials.sellerId);
  }

  async call<T>(c: SpApiCall<T>): Promise<SpApiAnswer<T>> {
    const limit = OPERATION_LIMITS[c.op];
    const rate = limit.rate * this.cfg.rateScale;
    // Amazon counts arrivals, not sends: when the network delay shrinks, requests sent on schedule arrive
    // closer together than they left. Leaving unused the tokens that refill during that much jitter (at
    // least one) keeps such arrivals inside the bucket; it costs a few requests of burst, not of rate.
    const headroom = Math.max(1, Math.ceil((rate * ARRIVAL_JITTER_MS) / 1000));
    const url = `${this.cfg.endpoints.api}${c.path}${encodeQuery(c.query)}`;
    const body = c.body === undefined ? undefined : JSON.stringify(c.body);
    for (let relogin = false; ; relogin = true) {
      let sentToken = '';
      // Log in before taking a rate-limit slot: requests that waited for a slow login inside prepare()
      // would all leave together afterwards and arrive above the burst.
      if (c.restricted) await this.restrictedToken(c.restricted);
      else await this.auth.accessToken();
      const res = await this.cfg.http.request(
        {
          mall: 'amazon',
          endpoint: c.op,
          method: c.method,
          url,
          headers: {
            'user-agent': this.cfg.userAgent,
            accept: 'application/json',
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          ...(body !== undefined ? { body } : {}),
          rate: { rate, burst: Math.max(1, limit.burst - headroom), key: `amazon:${c.op}` },
          idempotent: c.idempotent ?? true,
          ...patienceFields(c.patience, this.cfg.timeoutMs),
          prepare: async () => {
            sentToken = c.restricted ? await this.restrictedToken(c.restricted) : await this.auth.accessToken();
            return { 'x-amz-access-token': sentToken, 'x-amz-date': amzDate(this.cfg.now()) };
          },
        },
        spApiClassifier,
      );
      if ((c.success ?? [200]).includes(res.status)) return { status: res.status, data: this.parse(c, res.status, res.text) };
      const tokenProblem = res.status === 403 && isTokenProblem(safeJson(res.text, spApiErrorList)?.errors);
      if (tokenProblem && !relogin) {
        // Expired or revoked under us (spec §2.1): drop it, log in again, and try once more.
        if (c.restricted) await this.dropRestrictedToken(c.restricted, sentToken);
        else await this.auth.invalidate(sentToken);
        continue;
      }
      throw spApiError(c.op, res.status, res.text, tokenProblem);
    }
  }

  private parse<T>(c: SpApiCall<T>, status: number, text: string): T {
    let json: unknown = undefined;
    if (text.trim() !== '') {
      try {
        json = JSON.parse(text);
      } catch {
        throw unexpectedResponse('amazon', c.op, [{ path: [], message: 'the answer is not JSON' }], status);
      }
    }
    const parsed = c.schema.safeParse(json);
    if (!parsed.success) throw unexpectedResponse('amazon', c.op, parsed.error.issues, status);
    return parsed.data;
  }

  // -------------------------------------------------------------------------------------------
  // Restricted Data Tokens

  private rdtKey(resources: RestrictedResource[]): string {
    return `amazon:rdt:${fingerprint(`${this.cfg.credentials.refreshToken}\u0000${JSON.stringify(resources)}`)}`;
  }

  private async restrictedToken(resources: RestrictedResource[]): Promise<string> {
    const key = this.rdtKey(resources);
    const cached = await this.cfg.tokenStore.get(key);
    if (cached && cached.expiresAt - 60_000 / this.cfg.rateScale > this.cfg.now()) return cached.token;
    let pending = this.rdtInflight.get(key);
    if (!pending) {
      pending = this.createRestrictedToken(key, resources).finally(() => this.rdtInflight.delete(key));
      this.rdtInflight.set(key, pending);
    }
    return pending;
  }

  private async createRestrictedToken(key: string, resources: RestrictedResource[]): Promise<string> {
    const { data } = await this.call({
      op: 'createRestrictedDataToken',
      method: 'POST',
      path: '/tokens/2021-03-01/restrictedDataToken',
      body: { restrictedResources: resources },
      schema: rdtAnswer,
    });
    const token: AmazonCachedToken = { token: data.restrictedDataToken, expiresAt: this.cfg.now() + (data.expiresIn * 1000) / this.cfg.rateScale };
    await this.cfg.tokenStore.set(key, token);
    return token.token;
  }

  private async dropRestrictedToken(resources: RestrictedResource[], token: string): Promise<void> {
    const key = this.rdtKey(resources);
    const cached = await this.cfg.tokenStore.get(key);
    if (cached?.token === token) await this.cfg.tokenStore.set(key, undefined);
  }
}
