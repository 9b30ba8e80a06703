import type { ResponseClassifier } from '../../http/client';
import { MallError, type MallErrorKind } from '../errors';
import { errorBodySchema } from './schemas';
import { parseXml } from './xml';

/** The gateway's answer to both the per-API throttle and the daily quota (spec §4 [FAQ]). */
const FORBIDDEN = 'Your Request was Forbidden';

/** `<Error><Message/><Code/></Error>` of an answer, when it has that shape. */
export function errorBody(text: string): { message?: string; code?: string } | undefined {
  const doc = parseXml(text);
  const parsed = doc ? errorBodySchema.safeParse(doc) : undefined;
  if (!parsed?.success) return undefined;
  return {
    ...(parsed.data.Error.Message !== undefined ? { message: parsed.data.Error.Message } : {}),
    ...(parsed.data.Error.Code ? { code: parsed.data.Error.Code } : {}),
  };
}

/**
 * Which answers the HTTP client may retry. Yahoo throttles with a plain 403 "Your Request was Forbidden"
 * and no code (spec §4); the daily quota answers the same, so it is retried too and then surfaces as
 * `throttled`. A 403 carrying a code (px-04303, a wrong seller id) is a refusal, not throttling.
 */
export const yahooClassifier: ResponseClassifier = (status, text) => {
  if (status === 429) return { kind: 'throttled' };
  if (status >= 500) return { kind: 'server' };
  if (status === 403) {
    const body = errorBody(text);
    if (body && !body.code && body.message?.trim() === FORBIDDEN) return { kind: 'throttled' };
  }
  return undefined;
};

/** `error="invalid_token"` etc. from the Bearer challenge (spec §1.4: clients read the header, not the body). */
export function bearerError(headers: Headers): string | undefined {
  const challenge = headers.get('www-authenticate') ?? '';
  return /error="([^"]+)"/.exec(challenge)?.[1];
}

export interface ErrorContext {
  endpoint: string;
  /** Whether this request carried X-sws-signature. */
  signed: boolean;
  /** Our clock when the answer came, to compare with the server's Date header. */
  now: number;
  /** Beyond this difference to the server's Date the local clock is called wrong. */
  skewToleranceMs: number;
}

/**
 * Turns a non-success answer into the one error model. The kinds follow what a person has to do:
 * `auth` = connect again / fix the key, `permission` = apply for or enable something at Yahoo,
 * `clock-skew` = fix the computer's clock.
 */
export function yahooErrorFromResponse(status: number, text: string, headers: Headers, ctx: ErrorContext): MallError {
  const body = errorBody(text);
  const code = body?.code;
  const message = body?.message ?? text.slice(0, 200);
  const authDetail = headers.get('x-yahooj-autherror') ?? undefined;
  const make = (kind: MallErrorKind, explanation: string) =>
    new MallError({
      mall: 'yahoo',
      endpoint: ctx.endpoint,
      kind,
      status,
      message: `${explanation}${message ? ` (${message}${authDetail && !message.includes(authDetail) ? `; ${authDetail}` : ''})` : ''}`,
      ...(code ? { code } : {}),
    });

  if (code === 'px-04102') {
    // §1.2: the 12-hour consent of unsigned restricted calls has run out.
    return make('auth', 'the Yahoo consent has expired (12-hour limit without public-key auth): connect Yahoo again and set the public key');
  }
  if (code === 'px-04303') return make('permission', 'this application ID is not registered for the order API (ショッピングAPI利用申請)');
  if (code === 'px-14303') {
    if (!ctx.signed) return make('permission', 'Yahoo requires public-key authentication for this API: set the public key and its version');
    if (signatureTimeRejected(authDetail, message) || clockDiffers(headers, ctx)) {
      return make('clock-skew', "the signature's time was refused: the computer's clock is wrong");
    }
    return make('auth', 'the public key was refused (wrong, inactive or expired key, or wrong version)');
  }
  if (status === 401) {
    const bearer = bearerError(headers);
    if (bearer === 'insufficient_scope') return make('permission', 'the app lacks the store-operation scope (ストア向け操作関連の機能)');
    if (bearer) return make('auth', `the access token was refused (${bearer}): connect Yahoo again`);
    if (ctx.signed && (signatureTimeRejected(authDetail, message) || clockDiffers(headers, ctx))) {
      return make('clock-skew', "the signature's time was refused: the computer's clock is wrong");
    }
    return make('auth', 'Yahoo refused the credentials');
  }
  if (status === 403) {
    if (body && !code && message.trim() === FORBIDDEN) return make('throttled', 'Yahoo is refusing requests (rate limit or daily quota)');
    return make('permission', 'Yahoo refused this operation for this store');
  }
  if (status === 404 || code === 'it-05002' || /not found|存在しません/i.test(message)) return make('not-found', 'not found');
  if (status === 429) return make('throttled', 'too many requests');
  if (status >= 500) return make('server', 'Yahoo server error');
  return make('invalid-request', 'Yahoo refused the request');
}

function signatureTimeRejected(authDetail: string | undefined, message: string): boolean {
  // The exact wording is undocumented (§1.3 "Timestamp freshness window: not found"); these words are what
  // a time rejection has to mention.
  return /\b(time|timestamp|clock)\b/i.test(`${authDetail ?? ''} ${message}`) && !/key .*expired/i.test(authDetail ?? '');
}

function clockDiffers(headers: Headers, ctx: ErrorContext): boolean {
  const date = headers.get('date');
  const server = date ? Date.parse(date) : NaN;
  return Number.isFinite(server) && Math.abs(server - ctx.now) > ctx.skewToleranceMs;
}
