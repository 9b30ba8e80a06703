import type { z } from 'zod';
import { patienceFields, type CallPatience, type HttpClient, type HttpResponse } from '../../http/client';
import { ArrivalEstimator, monotonicNow } from '../../http/arrival';
import { MallError, unexpectedResponse } from '../errors';
import type { YahooTokenManager } from './auth';
import { bearerError, yahooClassifier, yahooErrorFromResponse } from './errors';
import type { PublicKeySigner } from './signature';
import { parseXml } from './xml';

/** The store APIs this client calls (spec §2, §3), each its own rate-limit key. */
export type YahooApi =
  | 'getStock'
  | 'setStock'
  | 'getItem'
  | 'editItem'
  | 'updateItems'
  | 'reservePublish'
  | 'orderList'
  | 'orderInfo'
  | 'orderCount'
  | 'orderStatusChange'
  | 'orderShipStatusChange'
  | 'orderChange';

/**
 * APIs sent with X-sws-signature. §1.3 confirms orderList/orderInfo; third parties treat every order API
 * as restricted [MCP-NOTE], and signing one that does not need it is harmless, so all order APIs are signed.
 */
const SIGNED_APIS: ReadonlySet<YahooApi> = new Set(['orderList', 'orderInfo', 'orderCount', 'orderStatusChange', 'orderShipStatusChange', 'orderChange']);

/** §4: 1 query/second per URL [DOC stock]; the simulator's default follows it. */
export const YAHOO_RATE_PER_SECOND = 1;

export interface YahooCall {
  api: YahooApi;
  method: 'GET' | 'POST';
  /** Form parameters: the query for GET, an urlencoded body for POST. */
  form?: URLSearchParams | string;
  /** Raw `<Req>` body (order APIs, §0 encoding b). */
  xml?: string;
  patience?: CallPatience;
  /** False for a request whose repetition is not harmless. Default true. */
  idempotent?: boolean;
}

export interface YahooTransportOptions {
  http: HttpClient;
  apiBase: string;
  tokens: YahooTokenManager;
  signer?: PublicKeySigner;
  now: () => number;
  rateScale: number;
  /** Factor on the interval kept between two actual sends of one API (see `spaceSend`). */
  sendSpacingMargin: number;
  timeoutMs?: number;
  skewToleranceMs: number;
}

/**
 * One Yahoo call: rate limit per API, a fresh token and signature per attempt, one refresh-and-retry on an
 * expired token (§1.4), and errors mapped to the one error model.
 */
export class YahooTransport {
  /** Monotonic time before which the next request of each API must not leave (see `spaceSend`). */
  private readonly notBefore = new Map<YahooApi, number>();
  private readonly arrivals = new ArrivalEstimator();

  constructor(private readonly options: YahooTransportOptions) {}

  private intervalMs(): number {
    return (1000 / (YAHOO_RATE_PER_SECOND * this.options.rateScale)) * this.options.sendSpacingMargin;
  }

  /**
   * The shared limiter hands out slots one interval apart from the previous *slot*, so a request that
   * went out late (a busy or throttled service worker) is followed by one that goes out on time, closer
   * than the interval. Yahoo's limit has no burst (1 req/s), so the gap is also kept between actual sends,
   * with a margin for the network delivering two requests at different speeds; and once a request's answer
   * is in, between its estimated arrival and the next send (`answered`), so a request that was slow on
   * its way there pushes the next one back.
   */
  private async spaceSend(api: YahooApi): Promise<number> {
    const now = monotonicNow();
    const slot = Math.max(now, this.notBefore.get(api) ?? Number.NEGATIVE_INFINITY);
    this.notBefore.set(api, slot + this.intervalMs());
    if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now));
    return monotonicNow();
  }

  /** An answer came back: the next request keeps the interval from where this one reached Yahoo at the latest. */
  private answered(api: YahooApi, sentAt: number): void {
    const arrival = this.arrivals.arrival(api, sentAt, monotonicNow());
    this.notBefore.set(api, Math.max(this.notBefore.get(api) ?? Number.NEGATIVE_INFINITY, arrival + this.intervalMs()));
  }

  /** Sends and answers the response when its status is 2xx; throws a MallError otherwise. */
  async send(call: YahooCall): Promise<HttpResponse> {
    const first = await this.attempt(call);
    let response = first.response;
    if (response.status === 401 && bearerError(response.headers) === 'invalid_token') {
      // §1.4: expired or revoked access token. Refresh once; a second refusal is a real auth failure.
      await this.options.tokens.invalidate(first.token);
      response = (await this.attempt(call)).response;
    }
    if (response.status >= 200 && response.status < 300) return response;
    throw yahooErrorFromResponse(response.status, response.text, response.headers, {
      endpoint: call.api,
      signed: this.signs(call.api),
      now: this.options.now(),
      skewToleranceMs: this.options.skewToleranceMs,
    });
  }

  /** Sends, checks the status, parses the XML and validates it. */
  async sendParsed<S extends z.ZodType>(call: YahooCall, schema: S): Promise<{ data: z.infer<S>; response: HttpResponse }> {
    const response = await this.send(call);
    return { data: parseAnswer(call.api, response, schema), response };
  }

  signs(api: YahooApi): boolean {
    return this.options.signer !== undefined && SIGNED_APIS.has(api);
  }

  private async attempt(call: YahooCall): Promise<{ response: HttpResponse; token: string }> {
    const { apiBase, http, rateScale } = this.options;
    let url = `${apiBase.replace(/\/+$/, '')}/ShoppingWebService/V1/${call.api}`;
    const headers: Record<string, string> = {};
    let body: string | undefined;
    if (call.method === 'GET') {
      if (call.form) url += `?${call.form.toString()}`;
    } else if (call.xml !== undefined) {
      headers['content-type'] = 'application/xml; charset=UTF-8';
      body = call.xml;
    } else {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = (call.form ?? '').toString();
    }
    let token = '';
    let sentAt: number | undefined;
    const signer = this.signs(call.api) ? this.options.signer : undefined;
    const response = await http.request(
      {
        mall: 'yahoo',
        endpoint: call.api,
        method: call.method,
        url,
        headers,
        ...(body !== undefined ? { body } : {}),
        rate: { rate: YAHOO_RATE_PER_SECOND * rateScale, burst: 1, key: `yahoo:${call.api}` },
        ...patienceFields(call.patience, this.options.timeoutMs),
        idempotent: call.idempotent ?? true,
        prepare: async () => {
          token = await this.options.tokens.accessToken();
          // Signing is CPU work; done before the spacing wait so it cannot delay the send behind it.
          const signature = signer ? signer.headers() : {};
          sentAt = await this.spaceSend(call.api);
          return { authorization: `Bearer ${token}`, ...signature };
        },
      },
      yahooClassifier,
    );
    if (sentAt !== undefined) this.answered(call.api, sentAt);
    return { response, token };
  }
}

/** XML → zod, with a typed error naming the field when the shape is not the contract's. */
export function parseAnswer<S extends z.ZodType>(endpoint: string, response: HttpResponse, schema: S): z.infer<S> {
  const doc = parseXml(response.text);
  if (!doc) throw unexpectedResponse('yahoo', endpoint, [{ path: [], message: 'the answer is not well-formed XML' }], response.status);
  const parsed = schema.safeParse(doc);
  if (!parsed.success) throw unexpectedResponse('yahoo', endpoint, parsed.error.issues, response.status);
  return parsed.data;
}

/** A business error inside a 200 answer (Status=NG, §4). */
export function ngError(endpoint: string, code: string | undefined, message: string | undefined, field?: string): MallError {
  return new MallError({
    mall: 'yahoo',
    endpoint,
    kind: /not found|存在しません/i.test(message ?? '') ? 'not-found' : 'invalid-request',
    message: `Yahoo refused the request${field ? ` at ${field}` : ''}: ${message ?? 'Status NG'}`,
    ...(code ? { code } : {}),
  });
}
