import type { MallId } from '../catalog/schemas';

/**
 * One error model for every mall, for the UI and the sync engine alike.
 *
 * `kind` says what went wrong in words the UI can translate; `retryable` says whether the same request
 * may succeed later without a person doing anything (throttling, 5xx, timeouts, dropped connections).
 */
export type MallErrorKind =
  | 'auth' // wrong or expired key / token: a person must act
  | 'permission' // the key works but this function is not enabled for it
  | 'clock-skew' // the signature's time is off: the computer clock is wrong
  | 'throttled'
  | 'server'
  | 'timeout'
  | 'network'
  | 'invalid-request' // the mall refused what we sent (a bug or bad data)
  | 'not-found'
  | 'unexpected-response'; // the answer did not have the shape the contract says

const RETRYABLE: ReadonlySet<MallErrorKind> = new Set(['throttled', 'server', 'timeout', 'network']);

export interface MallErrorInit {
  mall: MallId;
  /** Our name of the endpoint, e.g. `inventories.bulk.upsert`. */
  endpoint: string;
  kind: MallErrorKind;
  message: string;
  status?: number;
  /** The mall's own error code (ES01-01, px-04102, QuotaExceeded …). */
  code?: string;
  /** For `unexpected-response`: the path of the field that did not fit. */
  field?: string;
  retryAfterMs?: number;
  cause?: unknown;
}

export class MallError extends Error {
  readonly mall: MallId;
  readonly endpoint: string;
  readonly kind: MallErrorKind;
  readonly status?: number;
  readonly code?: string;
  readonly field?: string;
  readonly retryAfterMs?: number;

  constructor(init: MallErrorInit) {
    super(`[${init.mall} ${init.endpoint}] ${init.message}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'MallError';
    this.mall = init.mall;
    this.endpoint = init.endpoint;
    this.kind = init.kind;
    if (init.status !== undefined) this.status = init.status;
    if (init.code !== undefined) this.code = init.code;
    if (init.field !== undefined) this.field = init.field;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }

  toJSON(): SerializedMallError {
    return {
      mall: this.mall,
      endpoint: this.endpoint,
      kind: this.kind,
      message: this.message,
      retryable: this.retryable,
      ...(this.status !== undefined ? { status: this.status } : {}),
      ...(this.code !== undefined ? { code: this.code } : {}),
      ...(this.field !== undefined ? { field: this.field } : {}),
    };
  }
}

export interface SerializedMallError {
  mall: MallId;
  endpoint: string;
  kind: MallErrorKind;
  message: string;
  retryable: boolean;
  status?: number;
  code?: string;
  field?: string;
}

/**
 * The outcome of one item of a bulk call (a listing's stock, an order's confirmation), for APIs that
 * answer per item: Rakuten `errors[]`, Yahoo 207, Amazon's feed processing report.
 */
/** `at`: when the mall answered for this item, where an adapter sends items one by one (our clock). */
export type ItemResult = { key: string; ok: true; at?: number } | { key: string; ok: false; error: SerializedMallError };

export function itemFailure(key: string, error: MallError | MallErrorInit): ItemResult {
  const e = error instanceof MallError ? error : new MallError(error);
  return { key, ok: false, error: e.toJSON() };
}

/** Turns a zod failure on a mall's answer into a typed error that names the field. */
export function unexpectedResponse(mall: MallId, endpoint: string, issues: { path: PropertyKey[]; message: string }[], status?: number): MallError {
  const first = issues[0];
  const field = first ? first.path.map(String).join('.') || '(root)' : '(root)';
  return new MallError({
    mall,
    endpoint,
    kind: 'unexpected-response',
    field,
    message: `unexpected response shape at ${field}: ${first?.message ?? 'invalid'}`,
    ...(status !== undefined ? { status } : {}),
  });
}
