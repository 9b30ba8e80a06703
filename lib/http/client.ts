import type { MallId } from '../catalog/schemas';
import { MallError, type MallErrorKind } from '../malls/errors';
import { RateLimitWaitTooLong, type RateLimiter, type RateSpec } from './rate-limiter';

/** Error code of a request not sent because its rate-limit slot is too far away. */
export const LOCAL_RATE_LIMIT = 'local-rate-limit';

export interface HttpRequest {
  mall: MallId;
  /** Our endpoint name, for errors and for the limiter key. */
  endpoint: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** The limit of this endpoint; `key` defaults to `${mall}:${endpoint}`. */
  rate?: RateSpec & { key?: string };
  timeoutMs?: number;
  /** Attempts for this request (default: the client's); a caller with its own fallback asks for fewer. */
  maxAttempts?: number;
  /**
   * Whether a failure after the request may have reached the mall can be retried. Reads and absolute
   * writes are idempotent; a RELATIVE stock change or a createFeed is not.
   */
  idempotent?: boolean;
  /** Longest wait for a rate-limit slot before giving up with a `throttled` error (default: the client's). */
  maxQueueMs?: number;
  /**
   * Headers computed per attempt (a fresh access token, a signature with the current time).
   * Called before every attempt, after the rate-limit wait.
   */
  prepare?: () => Promise<Record<string, string>>;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Attempts it took (1 = first try). */
  attempts: number;
}

/**
 * How a mall answers "too many requests" or "try later". Each mall's folder passes its own: Rakuten may
 * answer 403 QPSLimit, Yahoo answers 403 "Forbidden" for both throttling and quota.
 */
export type ResponseClassifier = (status: number, text: string, headers: Headers) => { kind: MallErrorKind; code?: string; retryAfterMs?: number } | undefined;

/**
 * How long a caller will wait for one call, overriding the client's defaults: the shelf read in front of
 * a stock push gives up sooner than a write, because every push behind it waits, and the push has a
 * fallback (lib/sync/outbox.ts).
 */
export type CallPatience = Pick<HttpRequest, 'timeoutMs' | 'maxAttempts'>;

/** The request fields a patience sets (only those given). */
export function patienceFields(patience: CallPatience | undefined, fallbackTimeoutMs?: number): Pick<HttpRequest, 'timeoutMs' | 'maxAttempts'> {
  const timeoutMs = patience?.timeoutMs ?? fallbackTimeoutMs;
  return {
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(patience?.maxAttempts !== undefined ? { maxAttempts: patience.maxAttempts } : {}),
  };
}

export interface HttpClientOptions {
  fetch?: typeof fetch;
  limiter: RateLimiter;
  /** Attempts per request, including the first. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  defaultTimeoutMs?: number;
  /**
   * Longest wait for a rate-limit slot. Past it the request is not sent and fails at once as
   * `throttled` (code `local-rate-limit`): a caller such as the sync cycle must not sit for minutes
   * behind an order API that refills once every three minutes while every other mall waits.
   */
  maxQueueMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Called on each retry, for logs and the sync history. */
  onRetry?: (info: { mall: MallId; endpoint: string; attempt: number; error: MallError; delayMs: number }) => void;
}

/**
 * The worker's retry budget. The sync retries on its own every few seconds, with a fresh reading and the
 * latest number; a call retried here for a minute (six attempts, 15 s timeouts, 30 s waits) held its
 * mall's lane, and with it every push to that mall, all that time (the chaos run saw two minutes).
 */
export const WORKER_HTTP_RETRIES = { maxAttempts: 3, maxDelayMs: 5_000, defaultTimeoutMs: 10_000 } as const satisfies Partial<HttpClientOptions>;

export const defaultClassifier: ResponseClassifier = (status, _text, headers) => {
  const retryAfter = headers.get('retry-after');
  const retryAfterMs = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : undefined;
  if (status === 429) return { kind: 'throttled', ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  if (status >= 500) return { kind: 'server', ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  return undefined;
};

/**
 * The one way Ichigen calls a mall: waits for the endpoint's rate limit, sends, and retries what can be
 * retried (throttling, 5xx, timeouts, dropped connections) with exponential backoff and full jitter.
 * Anything else comes back as a response for the mall's code to parse.
 */
export class HttpClient {
  private readonly fetchImpl: typeof fetch;
  private readonly options: Required<Omit<HttpClientOptions, 'fetch' | 'onRetry'>> & Pick<HttpClientOptions, 'onRetry'>;

  constructor(options: HttpClientOptions) {
    this.fetchImpl = options.fetch ?? ((...args) => globalThis.fetch(...args));
    this.options = {
      limiter: options.limiter,
      maxAttempts: options.maxAttempts ?? 6,
      baseDelayMs: options.baseDelayMs ?? 500,
      maxDelayMs: options.maxDelayMs ?? 30_000,
      // Mall API calls answer in a second or two; a hung one must not hold a sync lane for long (a sale
      // has 45 s to reach the other malls). Large bodies (feed documents) set their own.
      defaultTimeoutMs: options.defaultTimeoutMs ?? 15_000,
      maxQueueMs: options.maxQueueMs ?? 30_000,
      sleep: options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
      random: options.random ?? Math.random,
      onRetry: options.onRetry,
    };
  }

  async request(req: HttpRequest, classify: ResponseClassifier = defaultClassifier): Promise<HttpResponse> {
    const maxAttempts = req.maxAttempts ?? this.options.maxAttempts;
    for (let attempt = 1; ; attempt++) {
      const limiterKey = req.rate ? (req.rate.key ?? `${req.mall}:${req.endpoint}`) : undefined;
      if (req.rate && limiterKey) {
        try {
          await this.options.limiter.acquire(limiterKey, req.rate, req.maxQueueMs ?? this.options.maxQueueMs);
        } catch (caught) {
          if (!(caught instanceof RateLimitWaitTooLong)) throw caught;
          throw new MallError({ mall: req.mall, endpoint: req.endpoint, kind: 'throttled', code: LOCAL_RATE_LIMIT, retryAfterMs: caught.waitMs, message: caught.message });
        }
      }
      let error: MallError;
      let sent = false;
      try {
        const extra = req.prepare ? await req.prepare() : {};
        sent = true;
        const response = await this.send(req, { ...(req.headers ?? {}), ...extra });
        const verdict = classify(response.status, response.text, response.headers);
        if (!verdict) return { ...response, attempts: attempt };
        error = new MallError({
          mall: req.mall,
          endpoint: req.endpoint,
          kind: verdict.kind,
          status: response.status,
          message: `HTTP ${response.status}${verdict.code ? ` ${verdict.code}` : ''}`,
          ...(verdict.code ? { code: verdict.code } : {}),
          ...(verdict.retryAfterMs !== undefined ? { retryAfterMs: verdict.retryAfterMs } : {}),
        });
        if (!error.retryable) return { ...response, attempts: attempt };
        if (error.kind === 'throttled' && req.rate && limiterKey) {
          await this.options.limiter.penalise(limiterKey, error.retryAfterMs ?? 1000 / req.rate.rate, req.rate);
        }
      } catch (caught) {
        if (caught instanceof MallError) error = caught;
        else if (!sent) throw caught;
        else error = this.transportError(req, caught);
      }
      // A request that may have reached the mall is retried only when doing it twice is harmless.
      const mayRetry = error.retryable && (req.idempotent !== false || error.kind === 'throttled' || error.status !== undefined);
      if (!mayRetry || attempt >= maxAttempts) throw error;
      const backoff = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (attempt - 1));
      const delayMs = Math.max(error.retryAfterMs ?? 0, Math.round(this.options.random() * backoff));
      this.options.onRetry?.({ mall: req.mall, endpoint: req.endpoint, attempt, error, delayMs });
      await this.options.sleep(delayMs);
    }
  }

  private async send(req: HttpRequest, headers: Record<string, string>): Promise<Omit<HttpResponse, 'attempts'>> {
    const controller = new AbortController();
    const timeoutMs = req.timeoutMs ?? this.options.defaultTimeoutMs;
    const timer = setTimeout(() => controller.abort(new MallError({ mall: req.mall, endpoint: req.endpoint, kind: 'timeout', message: `no answer within ${timeoutMs} ms` })), timeoutMs);
    try {
      const response = await this.fetchImpl(req.url, {
        method: req.method,
        headers,
        ...(req.body !== undefined ? { body: req.body as BodyInit } : {}),
        signal: controller.signal,
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, text };
    } catch (caught) {
      if (controller.signal.aborted && controller.signal.reason instanceof MallError) throw controller.signal.reason;
      throw this.transportError(req, caught);
    } finally {
      clearTimeout(timer);
    }
  }

  private transportError(req: HttpRequest, caught: unknown): MallError {
    return new MallError({
      mall: req.mall,
      endpoint: req.endpoint,
      kind: 'network',
      message: caught instanceof Error ? caught.message : String(caught),
      cause: caught,
    });
  }
}
