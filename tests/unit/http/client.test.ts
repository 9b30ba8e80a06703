import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '@/lib/http/client';
import { memoryRateStore, RateLimiter } from '@/lib/http/rate-limiter';
import { MallError } from '@/lib/malls/errors';

/** A real HTTP server whose answers follow a script per path, to exercise each fault kind. */
let server: Server;
let base = '';
const scripts = new Map<string, string[]>();
const hits = new Map<string, number>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const step = scripts.get(path)?.shift() ?? 'ok';
    if (step === 'drop') return req.socket.destroy();
    if (step === 'hang') return;
    if (step === '429') {
      res.writeHead(429, { 'retry-after': '0' });
      return res.end('{}');
    }
    if (step === '503') {
      res.writeHead(503);
      return res.end('down');
    }
    if (step === '400') {
      res.writeHead(400);
      return res.end('bad');
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

function client(retries: { mall: string; delayMs: number; kind: string }[] = []) {
  return new HttpClient({
    limiter: new RateLimiter({ store: memoryRateStore() }),
    sleep: async () => undefined,
    random: () => 0.5,
    defaultTimeoutMs: 300,
    onRetry: ({ mall, delayMs, error }) => retries.push({ mall, delayMs, kind: error.kind }),
  });
}

describe('HttpClient', () => {
  it('retries throttling, 5xx, dropped connections and timeouts, then succeeds', async () => {
    scripts.set('/flaky', ['429', '503', 'drop', 'hang']);
    const retries: { mall: string; delayMs: number; kind: string }[] = [];
    const res = await client(retries).request({ mall: 'rakuten', endpoint: 'flaky', method: 'GET', url: `${base}/flaky` });
    expect(res.status).toBe(200);
    expect(res.attempts).toBe(5);
    expect(retries.map((r) => r.kind)).toEqual(['throttled', 'server', 'network', 'timeout']);
    // Exponential backoff with jitter: half of 500, 1000, 2000, 4000 with random() = 0.5.
    expect(retries.map((r) => r.delayMs)).toEqual([250, 500, 1000, 2000]);
  });

  it('hands a client error back to the caller at once', async () => {
    scripts.set('/bad', ['400']);
    const res = await client().request({ mall: 'yahoo', endpoint: 'bad', method: 'GET', url: `${base}/bad` });
    expect(res.status).toBe(400);
    expect(hits.get('/bad')).toBe(1);
  });

  it('gives up after maxAttempts with a typed, retryable error', async () => {
    scripts.set('/down', ['503', '503', '503', '503', '503', '503']);
    const error = await client()
      .request({ mall: 'amazon', endpoint: 'down', method: 'GET', url: `${base}/down` })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MallError);
    expect(error).toMatchObject({ mall: 'amazon', endpoint: 'down', kind: 'server', status: 503, retryable: true });
    expect(hits.get('/down')).toBe(6);
  });

  it("a request's own maxAttempts overrides the client's", async () => {
    scripts.set('/patient', ['503', '503', '503']);
    const error = await client()
      .request({ mall: 'amazon', endpoint: 'patient', method: 'GET', url: `${base}/patient`, maxAttempts: 2 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'server', status: 503 });
    expect(hits.get('/patient')).toBe(2);
  });

  it('does not resend a non-idempotent request after the connection dropped', async () => {
    scripts.set('/relative', ['drop']);
    const error = await client()
      .request({ mall: 'rakuten', endpoint: 'relative', method: 'POST', url: `${base}/relative`, body: '{}', idempotent: false })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'network' });
    expect(hits.get('/relative')).toBe(1);
  });

  it('asks for fresh headers on every attempt', async () => {
    scripts.set('/signed', ['503']);
    let calls = 0;
    await client().request({
      mall: 'yahoo',
      endpoint: 'signed',
      method: 'GET',
      url: `${base}/signed`,
      prepare: async () => ({ 'x-attempt': String(++calls) }),
    });
    expect(calls).toBe(2);
  });
});
