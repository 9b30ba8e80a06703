import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sendJson } from '../core/http';

/**
 * The three error-body families RMS uses (spec §3): ItemAPI/InventoryAPI `errors[]`, RakutenPayOrderAPI
 * `MessageModelList`, and the gateway (auth, function switch, throttling) in front of both.
 */

export interface RmsError {
  code: string;
  message: string;
  metadata?: { propertyPath?: string } & Record<string, unknown>;
}

export type MessageType = 'INFO' | 'WARNING' | 'ERROR';

export interface MessageModel {
  messageType: MessageType;
  messageCode: string;
  message: string;
  orderNumber?: string;
  dataNumber?: number;
  shippingDetailId?: number;
  requestId?: string;
}

/** What a handler answers; the gateway adds the headers every RMS response carries. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * Which body the gateway uses for its own errors. Spec §3 item 3 / §13: older reports show
 * `{"Results":{"errorCode":"ES01-01","message":"Un-Authorised"}}`, a 2026 report shows `GA0001` inside
 * `errors[]`; the shape is UNCERTAIN, so both are available.
 */
export type GatewayErrorStyle = 'results' | 'errors';

export function gatewayError(style: GatewayErrorStyle, status: number, code: string, message: string, headers?: Record<string, string>): Reply {
  const body = style === 'results' ? { Results: { errorCode: code, message } } : { errors: [{ code, message }] };
  return { status, body, ...(headers ? { headers } : {}) };
}

export function itemErrors(status: number, errors: RmsError[]): Reply {
  return { status, body: { errors } };
}

export function itemError(status: number, code: string, message: string, propertyPath?: string): Reply {
  return itemErrors(status, [{ code, message, ...(propertyPath !== undefined ? { metadata: { propertyPath } } : {}) }]);
}

export function msg(messageType: MessageType, messageCode: string, message: string, extra: Partial<MessageModel> = {}): MessageModel {
  return { messageType, messageCode, message, ...extra };
}

export function sendReply(res: ServerResponse, reply: Reply): void {
  // Headers seen on real responses (spec §1); RequestId lets a client log a Rakuten-side reference.
  const headers = { RequestId: randomUUID(), Server: 'openresty', 'Cache-Control': 'no-cache,no-store', ...reply.headers };
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  sendJson(res, reply.status, reply.body, headers);
}
