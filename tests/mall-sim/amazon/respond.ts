import { randomBytes, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sendJson } from '../core/http';

/** The error object shared by every SP-API model: `code` and `message` required, `details` optional. */
export interface SpApiError {
  code: string;
  message: string;
  details?: string;
}

/** Thrown by handlers to answer with an SP-API error list; the pipeline turns it into the response. */
export class SpApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly errors: SpApiError[],
  ) {
    super(errors.map((e) => `${e.code}: ${e.message}`).join('; '));
  }
}

export const invalidInput = (message: string, details = ''): SpApiFailure =>
  new SpApiFailure(400, [{ code: 'InvalidInput', message, details }]);

// Bodies seen in the field (spec §7 and the issues it cites).
export const QUOTA_EXCEEDED: SpApiError = {
  code: 'QuotaExceeded',
  message: 'You exceeded your quota for the requested resource.',
  details: '',
};
export const ACCESS_DENIED = 'Access to requested resource is denied.';
export const TOKEN_INVALID_DETAILS = 'The access token you provided is revoked, malformed or invalid.';
export const TOKEN_EXPIRED_DETAILS = 'The access token you provided has expired.';

/** `x-amzn-RateLimit-Limit` is a decimal string such as `0.0167` or `2.0` (spec §3). */
export function rateHeader(rate: number): string {
  return Number.isInteger(rate) ? rate.toFixed(1) : String(rate);
}

/**
 * One answer of the simulator. Every answer carries `x-amzn-RequestId`; success answers also carry
 * `x-amzn-RateLimit-Limit` (spec §3, §7), error answers never do.
 */
export class Reply {
  readonly requestId = randomUUID();
  sent = false;

  constructor(readonly res: ServerResponse) {}

  json(status: number, body: unknown, headers: Record<string, string> = {}): void {
    this.sent = true;
    sendJson(this.res, status, body, { 'x-amzn-RequestId': this.requestId, ...headers });
  }

  empty(status: number, headers: Record<string, string> = {}): void {
    this.sent = true;
    this.res.writeHead(status, { 'x-amzn-RequestId': this.requestId, 'content-length': '0', ...headers });
    this.res.end();
  }

  errors(status: number, errors: SpApiError[]): void {
    // AccessDeniedException is the only x-amzn-ErrorType the spec has seen on SP-API answers (§3).
    const headers: Record<string, string> = status === 403 ? { 'x-amzn-ErrorType': 'AccessDeniedException' } : {};
    this.json(status, { errors }, headers);
  }

  quotaExceeded(): void {
    this.errors(429, [QUOTA_EXCEEDED]);
  }

  /**
   * Injected 500/503. Spec §7 marks the codes UNCERTAIN; InternalFailure / ServiceUnavailable are the
   * API Gateway names, and clients should only look at the status.
   */
  serverError(status = 500): void {
    this.errors(status, [
      status === 503
        ? { code: 'ServiceUnavailable', message: 'Service temporarily unavailable. Please try again later.', details: '' }
        : { code: 'InternalFailure', message: 'We encountered an internal error. Please try again.', details: '' },
    ]);
  }
}

/** Amazon-looking opaque ids. */
export function hexId(bytes = 16): string {
  return randomBytes(bytes).toString('hex');
}

/**
 * Pagination tokens look like base64 with `+ / =` in them, so a client that forgets to URL-encode
 * NextToken breaks here as it does against Amazon (spec §3).
 */
export function opaqueToken(): string {
  for (;;) {
    const t = randomBytes(31).toString('base64');
    // '+' is the character that an unencoded query turns into a space.
    if (t.includes('+')) return t;
  }
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
