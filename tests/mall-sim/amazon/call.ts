import type { RouteRequest } from '../core/types';
import type { IssuedToken } from './lwa';
import type { OperationSpec } from './ops';
import type { Reply } from './respond';

/** One authenticated, rate-limited, schema-checked SP-API call as a handler receives it. */
export interface Call {
  request: RouteRequest;
  op: OperationSpec;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body (already valid against the operation's body schema), or undefined. */
  body: unknown;
  token: IssuedToken;
  reply: Reply;
  /** Success answer with `x-amzn-RateLimit-Limit`; no body for 204 and cancelFeed's 200. */
  ok(status: number, body?: unknown): void;
}

export type Handler = (call: Call) => void;

/** csv query values (Swagger 2 default), repeated parameters joined. */
export function csv(query: URLSearchParams, name: string): string[] {
  return query
    .getAll(name)
    .flatMap((v) => v.split(','))
    .filter((v) => v !== '');
}
