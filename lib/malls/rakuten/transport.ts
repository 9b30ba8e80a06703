import type { z } from 'zod';
import { patienceFields, type CallPatience, type HttpClient, type ResponseClassifier } from '../../http/client';
import type { RateSpec } from '../../http/rate-limiter';
import { ArrivalEstimator, monotonicNow } from '../../http/arrival';
import { MallError, unexpectedResponse, type MallErrorKind } from '../errors';
import { esaAuthorization, readCredentials, type RakutenCredentialSource, type RakutenCredentials } from './auth';
import { rmsErrorBodySchema } from './schemas';

/**
 * Published limits (spec §7), the same numbers as the simulator's DEFAULT_RATE_LIMITS. InventoryAPI's are
 * official; items.get is transcribed; the other ItemAPI writes are UNCERTAIN ("assume 1–5") so they get
 * the cautious 1. RakutenPayOrderAPI has no official number: production clients treat it as ~1 req/s
 * per shop, so every order function spends from one bucket.
 */
export const RAKUTEN_RATE_LIMITS = {
  'license.expiryDate.get': { rate: 1, burst: 1 },
  'items.get': { rate: 5, burst: 5 },
  'items.upsert': { rate: 1, burst: 1 },
  'items.patch': { rate: 1, burst: 1 },
  'inventories.bulk.get': { rate: 5, burst: 5 },
  'inventories.bulk.upsert': { rate: 1, burst: 1 },
  'rpay.order': { rate: 1, burst: 1 },
} as const satisfies Record<string, RateSpec>;

export type RakutenRateBucket = keyof typeof RAKUTEN_RATE_LIMITS;

/** JSON media type: the form both the official order pages and recorded traffic use (spec §1). */
export const DEFAULT_CONTENT_TYPE = 'application/json; charset=utf-8';

function retryAfterMs(headers: Headers): number | undefined {
  const raw = headers.get('retry-after');
  if (!raw) return undefined;
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim()) * 1000;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function errorCodeOf(body: unknown): { code?: string; message?: string } {
  const parsed = rmsErrorBodySchema.safeParse(body);
  if (!parsed.success) return {};
  const b = parsed.data;
  if (b.Results) return { code: b.Results.errorCode, message: b.Results.message ?? undefined };
  const first = b.errors?.[0];
  if (first) return { code: first.code, message: first.message ?? undefined };
  const msg = b.MessageModelList?.find((m) => m.messageType === 'ERROR') ?? b.MessageModelList?.[0];
  if (msg) return { code: msg.messageCode, message: msg.message ?? undefined };
  return {};
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Which answers the HTTP client retries. Whether the JSON APIs throttle with 429 or with the legacy
 * 403 `QPSLimit` / `AccessLimit` is UNCERTAIN (spec §7, §13), so both count as throttling; any other
 * 403 is a refusal a person must look at.
 */
export const classifyRakutenResponse: ResponseClassifier = (status, text, headers) => {
  const wait = retryAfterMs(headers);
  const withWait = wait !== undefined ? { retryAfterMs: wait } : {};
  if (status === 429) return { kind: 'throttled', code: /QPSLimit|AccessLimit/.exec(text)?.[0] ?? 'HTTP429', ...withWait };
  if (status === 403) {
    const limit = /QPSLimit|AccessLimit/.exec(text)?.[0];
    if (limit) return { kind: 'throttled', code: limit, ...withWait };
    return undefined;
  }
  if (status >= 500) {
    const { code } = errorCodeOf(tryJson(text));
    return { kind: 'server', ...(code ? { code } : {}), ...withWait };
  }
  return undefined;
};

/** A non-success answer the classifier let through, as the one error model (spec §3, §7). */
export function rakutenError(endpoint: string, status: number, body: unknown): MallError {
  const { code, message } = errorCodeOf(body);
  let kind: MallErrorKind;
  let text = message ?? `HTTP ${status}`;
  if (status === 401) {
    // ES01-01 / GA0001: wrong pair, or the 90-day license key expired (spec §2). Key on the status only.
    kind = 'auth';
    text = `license key or service secret rejected (${code ?? 'HTTP 401'}); the license key expires every 90 days`;
  } else if (code === 'ES04-01') {
    // Spec §1 / §7: the function is not switched on for this key in 利用機能編集 (or the key is unknown).
    kind = 'permission';
    text = `function not enabled for this license key (RMS 利用機能編集): ${endpoint}`;
  } else if (status === 403) kind = 'permission';
  else if (status === 404) kind = code === 'GE0007' ? 'invalid-request' : 'not-found';
  else if (status === 409) kind = 'server'; // CE0001 conflict: "Please retry" (spec §5)
  else if (status >= 500) kind = 'server';
  else kind = 'invalid-request';
  return new MallError({ mall: 'rakuten', endpoint, kind, status, message: text, ...(code ? { code } : {}) });
}

export interface RakutenRequest {
  /** Our endpoint name (function name of spec §4–§6), for errors. */
  endpoint: string;
  bucket: RakutenRateBucket;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  path: string;
  query?: Record<string, string>;
  /** Query taken from the credentials of the attempt (license.expiryDate.get names the key it asks about). */
  credentialQuery?: (credentials: RakutenCredentials) => Record<string, string>;
  body?: unknown;
  /** False for calls a replay could double (none today: stock pushes are ABSOLUTE). */
  idempotent?: boolean;
  patience?: CallPatience;
}

export interface RakutenResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed body; undefined for an empty body. */
  json: unknown;
}

export interface RakutenTransportConfig {
  credentials: RakutenCredentialSource;
  api: string;
  http: HttpClient;
  rateScale: number;
  contentType: string;
}

export class RakutenTransport {
  /** Per bucket: resolves when the next request of that bucket may start (see send). */
  private readonly gates = new Map<RakutenRateBucket, Promise<void>>();
  /** Where each bucket's last request reached RMS, at the latest (see send). */
  private readonly arrivals = new ArrivalEstimator();

  constructor(private readonly config: RakutenTransportConfig) {}

  private rate(bucket: RakutenRateBucket): RateSpec & { key: string } {
    const spec = RAKUTEN_RATE_LIMITS[bucket];
    return { rate: spec.rate * this.config.rateScale, burst: spec.burst, key: `rakuten:${bucket}` };
  }

  /**
   * Sends one call, retried by the HTTP client on throttling, 5xx, timeouts and dropped connections.
   * A 401 is retried once more only when the credential source now holds a different key: RMS has no
   * token to refresh, the only "re-auth" is the merchant pasting a renewed license key (spec §2).
   */
  async send(req: RakutenRequest): Promise<RakutenResponse> {
    // The shared limiter spaces *reserved* slots, so a send that woke late (busy worker) followed by one
    // on time reaches RMS closer than the interval, and RMS meters arrivals. So on top of it, one request
    // per bucket is in flight and the next starts a full interval after the previous one reached RMS. That
    // moment is estimated from its answer (ArrivalEstimator): the answer less the shortest round trip seen
    // on the bucket, never before the send. A request as fast as usual thus spaces the next from its send,
    // and one that was slow anywhere (worker, network) pushes the next back by the excess. Charging the
    // whole round trip instead (the first request of a bucket still does) would cost RMS's processing
    // time on every interval: with 400-row bulk upserts, a large share of the 1 req/s.
    const previous = this.gates.get(req.bucket) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    this.gates.set(
      req.bucket,
      previous.then(() => mine),
    );
    await previous;
    const sent: { at?: number } = {};
    try {
      return await this.sendNow(req, sent);
    } finally {
      const answeredAt = monotonicNow();
      // Without a send (nothing left this process), a full interval from now, as before.
      const arrival = sent.at === undefined ? answeredAt : this.arrivals.arrival(req.bucket, sent.at, answeredAt);
      setTimeout(release, Math.max(0, arrival + this.spacingMs(req.bucket) - answeredAt));
    }
  }

  /** The interval of a bucket in real ms, 5 % wide like the shared limiter's, plus 2 ms for timers that fire early. */
  private spacingMs(bucket: RakutenRateBucket): number {
    const spec = RAKUTEN_RATE_LIMITS[bucket];
    return (1000 / (spec.rate * this.config.rateScale)) * 1.05 + 2;
  }

  /** `sent.at` is set to the moment each attempt leaves (the last one's stays). */
  private async sendNow(req: RakutenRequest, sent: { at?: number }): Promise<RakutenResponse> {
    const hasBody = req.body !== undefined;
    let used: RakutenCredentials | undefined;
    let attempts = 0;
    for (let renewed = false; ; renewed = true) {
      const url = new URL(req.path, this.config.api.endsWith('/') ? this.config.api : `${this.config.api}/`);
      const query = { ...req.query, ...(req.credentialQuery?.(await readCredentials(this.config.credentials)) ?? {}) };
      for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
      const response = await this.config.http.request(
        {
          mall: 'rakuten',
          endpoint: req.endpoint,
          method: req.method,
          url: url.toString(),
          headers: hasBody ? { 'content-type': this.config.contentType, accept: 'application/json' } : { accept: 'application/json' },
          ...(hasBody ? { body: JSON.stringify(req.body) } : {}),
          rate: this.rate(req.bucket),
          idempotent: req.idempotent ?? true,
          ...patienceFields(req.patience),
          prepare: async () => {
            // A retry (after 5xx, timeout, throttling) also waits a full interval after the failed
            // attempt, which RMS metered too; the client's own backoff alone may be shorter.
            if (attempts++ > 0) await new Promise((resolve) => setTimeout(resolve, this.spacingMs(req.bucket)));
            used = await readCredentials(this.config.credentials);
            const authorization = esaAuthorization(used);
            sent.at = monotonicNow();
            return { authorization };
          },
        },
        classifyRakutenResponse,
      );
      if (response.status === 401 && !renewed && typeof this.config.credentials === 'function' && used) {
        const fresh = await readCredentials(this.config.credentials);
        if (fresh.licenseKey !== used.licenseKey || fresh.serviceSecret !== used.serviceSecret) continue;
      }
      const json = response.text.trim() === '' ? undefined : tryJson(response.text);
      if (json === undefined && response.text.trim() !== '' && response.status < 300) {
        throw unexpectedResponse('rakuten', req.endpoint, [{ path: [], message: 'body is not JSON' }], response.status);
      }
      return { status: response.status, headers: response.headers, text: response.text, json };
    }
  }
}

/** Parses a success body with zod; a misfit names the mall, the endpoint and the field. */
export function parseBody<T extends z.ZodType>(endpoint: string, response: RakutenResponse, schema: T): z.output<T> {
  const parsed = schema.safeParse(response.json);
  if (!parsed.success) throw unexpectedResponse('rakuten', endpoint, parsed.error.issues, response.status);
  return parsed.data;
}
