import type { RouteRequest } from './types';
import type { ServerResponse } from 'node:http';

export type RouteHandler = (request: RouteRequest, params: Record<string, string>) => Promise<void> | void;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: RouteHandler;
}

/**
 * Minimal method + path router. Patterns use `:name` segments; a trailing slash is optional because
 * RMS documents order endpoints with one and accepts calls without it.
 */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, path: string, handler: RouteHandler): this {
    const keys: string[] = [];
    const source = path
      .replace(/\/$/, '')
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      .replace(/:(\w+)/g, (_m, key: string) => {
        keys.push(key);
        return '([^/]+)';
      });
    this.routes.push({ method, pattern: new RegExp(`^${source}/?$`), keys, handler });
    return this;
  }

  /** Returns false when no route matched (the caller answers 404). */
  async dispatch(request: RouteRequest): Promise<boolean> {
    for (const route of this.routes) {
      if (route.method !== request.method) continue;
      const m = route.pattern.exec(request.url.pathname);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1] ?? '')));
      await route.handler(request, params);
      return true;
    }
    return false;
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendXml(res: ServerResponse, status: number, xml: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/xml;charset=UTF-8', 'content-length': Buffer.byteLength(xml), ...headers });
  res.end(xml);
}

export function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/plain;charset=UTF-8'): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function parseJsonBody(request: RouteRequest): unknown {
  if (request.body.length === 0) return undefined;
  return JSON.parse(request.body.toString('utf8'));
}

export function parseFormBody(request: RouteRequest): URLSearchParams {
  return new URLSearchParams(request.body.toString('utf8'));
}
