import { XMLParser } from 'fast-xml-parser';
import forge from 'node-forge';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SeedListing } from '../core/types';
import { resolveOptions } from './options';
import { startYahooTestServer, type YahooTestServer } from './test-server';

let srv: YahooTestServer;
const REDIRECT = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';
const cred = () => srv.ctx.credentials.yahoo;
const nowSec = () => Math.floor(srv.ctx.clock.now() / 1000);

const LISTINGS: SeedListing[] = [
  ...(['赤', '青'] as const).flatMap((color, ci) =>
    (['M', 'L'] as const).map((size) => ({
      skuCode: `TS-${ci}-${size}`,
      productCode: 'TS',
      productName: 'オーガニックコットンTシャツ',
      variant: { color, size },
      price: 2980,
      stock: 5,
      yahoo: { itemCode: 'tshirt-01', subCode: `tshirt-01-${ci}-${size.toLowerCase()}` },
    })),
  ),
  { skuCode: 'MUG', productCode: 'MUG', productName: '波佐見焼マグカップ', variant: {}, price: 1200, stock: 10, yahoo: { itemCode: 'mug-01' } },
  { skuCode: 'RKT-ONLY', productCode: 'R', productName: '楽天専用', variant: {}, price: 100, stock: 3 },
];

const xmlParser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false });
const arr = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
type Doc = any;

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  doc: Doc;
}

async function call(path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(srv.url + path, { redirect: 'manual', ...init });
  const text = await res.text();
  let doc: Doc = undefined;
  if (/xml/.test(res.headers.get('content-type') ?? '')) doc = xmlParser.parse(text);
  else if (/json/.test(res.headers.get('content-type') ?? '')) doc = JSON.parse(text);
  return { status: res.status, headers: res.headers, text, doc };
}

// A client may reuse one signature within its second; doing so here keeps the suite fast, because the
// simulator then skips node-forge's slow pure-JS RSA decryption.
const signatures = new Map<string, string>();
function signature(sellerId = cred().sellerId, ts = nowSec(), pem = cred().publicKeyPem, version = cred().keyVersion): Record<string, string> {
  const key = `${sellerId}:${ts}:${pem}`;
  let sig = signatures.get(key);
  if (!sig) {
    sig = forge.util.encode64(forge.pki.publicKeyFromPem(pem).encrypt(`${sellerId}:${ts}`, 'RSAES-PKCS1-V1_5'));
    signatures.set(key, sig);
  }
  return { 'X-sws-signature': sig, 'X-sws-signature-version': version };
}

async function authorizeCode(extra: Record<string, string> = {}): Promise<string> {
  const q = new URLSearchParams({ response_type: 'code', client_id: cred().clientId, redirect_uri: REDIRECT, scope: 'openid profile', state: 'st-1', ...extra });
  const r = await call(`/yconnect/v2/authorization?${q}`);
  expect(r.status).toBe(302);
  return new URL(r.headers.get('location')!).searchParams.get('code')!;
}

function basic(id = cred().clientId, secret = cred().clientSecret): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

async function tokenCall(body: Record<string, string>, authorization: string | null = basic()): Promise<Answer> {
  return call('/yconnect/v2/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : {}) },
    body: new URLSearchParams(body).toString(),
  });
}

async function connect(): Promise<{ access: string; refresh: string }> {
  const code = await authorizeCode();
  const r = await tokenCall({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT });
  expect(r.status).toBe(200);
  return { access: r.doc.access_token, refresh: r.doc.refresh_token };
}

async function refresh(refreshToken: string): Promise<Answer> {
  return tokenCall({ grant_type: 'refresh_token', refresh_token: refreshToken });
}

let token = '';

async function form(api: string, params: Record<string, string> | string, opts: { method?: string; token?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const method = opts.method ?? 'POST';
  const body = typeof params === 'string' ? params : new URLSearchParams({ seller_id: cred().sellerId, ...params }).toString();
  const headers = { authorization: `Bearer ${opts.token ?? token}`, ...opts.headers };
  if (method === 'GET') return call(`/ShoppingWebService/V1/${api}?${body}`, { headers });
  return call(`/ShoppingWebService/V1/${api}`, { method, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
}

async function xml(api: string, body: string, opts: { token?: string; signed?: boolean; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${opts.token ?? token}`,
    'content-type': 'application/xml',
    ...(opts.signed === false ? {} : signature()),
    ...opts.headers,
  };
  return call(`/ShoppingWebService/V1/${api}`, { method: 'POST', headers, body });
}

const listReq = (search: string, seller = cred().sellerId) => `<?xml version="1.0" encoding="UTF-8"?><Req><Search>${search}</Search><SellerId>${seller}</SellerId></Req>`;
const since = () => {
  const d = new Date(srv.ctx.clock.now() - 86_400_000 + 9 * 3_600_000);
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
};
const target = (orderId: string, extra = '', pointFix = 'true') =>
  `<Target><OrderId>${orderId}</OrderId><IsPointFix>${pointFix}</IsPointFix><OperationUser>テスト担当</OperationUser></Target>${extra}`;
const changeReq = (orderId: string, order: string, pointFix = 'true') =>
  `<Req>${target(orderId, '', pointFix)}<Order>${order}</Order><SellerId>${cred().sellerId}</SellerId></Req>`;
const infoReq = (orderId: string, fields: string) =>
  `<Req><Target><OrderId>${orderId}</OrderId><Field>${fields}</Field></Target><SellerId>${cred().sellerId}</SellerId></Req>`;

const pastWindow = () => srv.ctx.clock.advance(11 * 60 * 1000);

beforeAll(async () => {
  // Mall time only moves when a test advances it, so rate-limit and window assertions do not depend on
  // how fast the machine runs the suite.
  srv = await startYahooTestServer({ timeScale: 0 });
});

afterAll(async () => {
  await srv.close();
});

beforeEach(async () => {
  Object.assign(srv.sim.options, resolveOptions());
  srv.sim.reset();
  srv.ctx.faults.clear();
  srv.ctx.limiter.reset();
  srv.ctx.limiter.enabled = false;
  srv.ctx.truth.reset();
  for (const l of LISTINGS) srv.ctx.truth.setStock(l.skuCode, l.stock);
  srv.sim.seed(LISTINGS);
  srv.sim.auth.setKeyExpiry(cred().keyVersion, srv.ctx.clock.now() + 365 * 86_400_000);
  token = (await connect()).access;
});

// -------------------------------------------------------------------------------------------------
describe('ID連携 (YConnect v2)', () => {
  it('authorize redirects to the redirect_uri with code and state', async () => {
    const q = new URLSearchParams({ response_type: 'code', client_id: cred().clientId, redirect_uri: REDIRECT, scope: 'openid', state: 'xyz' });
    const r = await call(`/yconnect/v2/authorization?${q}`);
    expect(r.status).toBe(302);
    const loc = new URL(r.headers.get('location')!);
    expect(loc.origin + loc.pathname).toBe(REDIRECT);
    expect(loc.searchParams.get('state')).toBe('xyz');
    expect(loc.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{40,}$/);
  });

  it('authorize refuses a bad client_id or missing redirect_uri without redirecting, and redirects other errors', async () => {
    const bad = await call(`/yconnect/v2/authorization?${new URLSearchParams({ response_type: 'code', client_id: 'nope', redirect_uri: REDIRECT, scope: 'openid' })}`);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('location')).toBeNull();
    const noRedirect = await call(`/yconnect/v2/authorization?${new URLSearchParams({ response_type: 'code', client_id: cred().clientId, scope: 'openid' })}`);
    expect(noRedirect.status).toBe(400);
    const implicit = await call(`/yconnect/v2/authorization?${new URLSearchParams({ response_type: 'token', client_id: cred().clientId, redirect_uri: REDIRECT, scope: 'openid', state: 's' })}`);
    expect(implicit.status).toBe(302);
    const loc = new URL(implicit.headers.get('location')!);
    expect(loc.searchParams.get('error')).toBe('unsupported_response_type');
    expect(loc.searchParams.get('code')).toBeNull();
  });

  it('exchanges a code once: access 3600 s, refresh token, id_token; replay is invalid_grant', async () => {
    const code = await authorizeCode();
    const r = await tokenCall({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT });
    expect(r.status).toBe(200);
    expect(r.doc).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect(r.doc.refresh_token).toBeTruthy();
    const idPayload = JSON.parse(Buffer.from(r.doc.id_token.split('.')[1], 'base64url').toString());
    expect(idPayload.aud).toContain(cred().clientId);
    const replay = await tokenCall({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT });
    expect(replay.status).toBe(400);
    expect(replay.doc).toMatchObject({ error: 'invalid_grant' });
    expect(replay.doc.error_description).toBeTruthy();
    expect(replay.doc.error_code).toBeTypeOf('number');
    // RFC 6749 §4.1.2: the replay revokes what the first exchange issued.
    expect((await form('getStock', { item_code: 'mug-01' }, { token: r.doc.access_token })).status).toBe(401);
  });

  it('authenticates the client by Basic header or body params and rejects a wrong secret', async () => {
    const wrong = await tokenCall({ grant_type: 'authorization_code', code: await authorizeCode(), redirect_uri: REDIRECT }, basic(cred().clientId, 'bad'));
    expect(wrong.status).toBe(401);
    expect(wrong.doc.error).toBe('invalid_client');
    const viaBody = await tokenCall(
      { grant_type: 'authorization_code', code: await authorizeCode(), redirect_uri: REDIRECT, client_id: cred().clientId, client_secret: cred().clientSecret },
      null,
    );
    expect(viaBody.status).toBe(200);
  });

  it('honours PKCE (S256) and a denied consent', async () => {
    const verifier = 'v'.repeat(50);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const code = await authorizeCode({ code_challenge: challenge, code_challenge_method: 'S256' });
    expect((await tokenCall({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT })).doc.error).toBe('invalid_grant');
    const code2 = await authorizeCode({ code_challenge: challenge, code_challenge_method: 'S256' });
    expect((await tokenCall({ grant_type: 'authorization_code', code: code2, redirect_uri: REDIRECT, code_verifier: verifier })).status).toBe(200);
    srv.sim.options.consent = 'deny';
    const q = new URLSearchParams({ response_type: 'code', client_id: cred().clientId, redirect_uri: REDIRECT, scope: 'openid', state: 's' });
    const denied = new URL((await call(`/yconnect/v2/authorization?${q}`)).headers.get('location')!);
    expect(denied.searchParams.get('error')).toBe('access_denied');
    expect(denied.searchParams.get('state')).toBe('s');
  });

  it('rejects an unknown, expired or redirect-mismatched code', async () => {
    expect((await tokenCall({ grant_type: 'authorization_code', code: 'x'.repeat(44), redirect_uri: REDIRECT })).doc.error).toBe('invalid_grant');
    const mismatch = await tokenCall({ grant_type: 'authorization_code', code: await authorizeCode(), redirect_uri: 'https://evil.example/' });
    expect(mismatch.doc.error).toBe('invalid_grant');
    const code = await authorizeCode();
    srv.ctx.clock.advance(601_000);
    const late = await tokenCall({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT });
    expect(late.status).toBe(400);
    expect(late.doc.error).toBe('invalid_grant');
  });

  it('expires the access token after 1 h of mall time with the documented 401; refresh issues a new one only', async () => {
    const { access, refresh: rt } = await connect();
    expect((await form('getStock', { item_code: 'mug-01' }, { token: access })).status).toBe(200);
    srv.ctx.clock.advance(3600_000 + 1000);
    const expired = await form('getStock', { item_code: 'mug-01' }, { token: access });
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toBe('Bearer realm="yahooapis.jp", error="invalid_token", error_description="expired token"');
    expect(expired.text).toContain(
      '<Error><Message>Please provide valid credentials. Bearer realm="yahooapis.jp", error="invalid_token", error_description="expired token"</Message></Error>',
    );
    const r = await refresh(rt);
    expect(r.status).toBe(200);
    expect(r.doc.refresh_token).toBeUndefined();
    expect(r.doc.expires_in).toBe(3600);
    expect((await form('getStock', { item_code: 'mug-01' }, { token: r.doc.access_token })).status).toBe(200);
  });

  it('refresh token lives 4 weeks', async () => {
    const { refresh: rt } = await connect();
    srv.ctx.clock.advance(27 * 86_400_000);
    expect((await refresh(rt)).status).toBe(200);
    srv.ctx.clock.advance(86_400_000 + 1000);
    const dead = await refresh(rt);
    expect(dead.status).toBe(400);
    expect(dead.doc.error).toBe('invalid_grant');
  });

  it('answers 401 for a missing or unknown bearer and for the expire-auth fault', async () => {
    const missing = await call('/ShoppingWebService/V1/getStock', { method: 'POST', body: `seller_id=${cred().sellerId}&item_code=mug-01` });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toContain('Bearer realm="yahooapis.jp"');
    expect((await form('getStock', { item_code: 'mug-01' }, { token: 'A'.repeat(44) })).status).toBe(401);
    srv.ctx.faults.add({ kind: 'expire-auth', mall: 'yahoo', path: '/getStock' });
    const faulted = await form('getStock', { item_code: 'mug-01' });
    expect(faulted.status).toBe(401);
    expect(faulted.headers.get('www-authenticate')).toContain('error_description="expired token"');
    // The token really is dead now, not just for one answer.
    expect((await form('getStock', { item_code: 'mug-01' })).status).toBe(401);
  });
});

// -------------------------------------------------------------------------------------------------
describe('公開鍵認証 (X-sws-signature)', () => {
  const list = () => listReq(`<Condition><OrderTimeFrom>${since()}</OrderTimeFrom></Condition><Field>OrderId</Field>`);

  it('accepts a fresh signature of "seller_id:unixtime"', async () => {
    const r = await xml('orderList', list());
    expect(r.status).toBe(200);
    expect(r.doc.Result.Status).toBe('OK');
  });

  it('rejects a wrong seller, a stale or future time, a missing version, garbage and a foreign key', async () => {
    const expectPx = (r: Answer) => {
      expect(r.status).toBe(401);
      expect(r.doc.Error.Code).toBe('px-14303');
    };
    expectPx(await xml('orderList', list(), { headers: signature('other-store') }));
    expectPx(await xml('orderList', list(), { headers: signature(undefined, nowSec() - 301) }));
    expectPx(await xml('orderList', list(), { headers: signature(undefined, nowSec() + 301) }));
    expect((await xml('orderList', list(), { headers: signature(undefined, nowSec() - 250) })).status).toBe(200);
    const noVersion = await xml('orderList', list(), { signed: false, headers: { 'X-sws-signature': signature()['X-sws-signature']! } });
    expectPx(noVersion);
    expect(noVersion.doc.Error.Message).toBe('Use of API is not permitted.');
    expectPx(await xml('orderList', list(), { signed: false, headers: { 'X-sws-signature': 'not*base64', 'X-sws-signature-version': '1' } }));
    const other = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const foreign = await xml('orderList', list(), { headers: signature(undefined, undefined, other) });
    expectPx(foreign);
    expect(foreign.headers.get('x-yahooj-autherror')).toContain('cannot be decrypted');
    expectPx(await xml('orderList', list(), { headers: signature(undefined, undefined, undefined, '9') }));
  });

  it('rejects signatures made with an expired key (1-year validity, settable)', async () => {
    srv.sim.auth.setKeyExpiry(cred().keyVersion, srv.ctx.clock.now() - 1);
    const r = await xml('orderList', list());
    expect(r.status).toBe(401);
    expect(r.headers.get('x-yahooj-autherror')).toContain('expired');
  });

  it('without a signature the consent is capped at 12 h (px-04102) and the refresh token dies with it', async () => {
    const { access, refresh: rt } = await connect();
    expect((await xml('orderList', list(), { token: access, signed: false })).status).toBe(200);
    srv.ctx.clock.advance(11.5 * 3600_000);
    const r = await refresh(rt);
    expect(r.status).toBe(200);
    srv.ctx.clock.advance(40 * 60_000);
    const late = await xml('orderList', list(), { token: r.doc.access_token, signed: false });
    expect(late.status).toBe(401);
    expect(late.doc.Error.Code).toBe('px-04102');
    expect(late.doc.Error.Message).toBe('AccessToken has been expired. This API session is shorter than another API.');
    expect((await refresh(rt)).doc.error).toBe('invalid_grant');
  });

  it('signed use keeps the 4-week consent', async () => {
    const { refresh: rt } = await connect();
    expect((await xml('orderList', list())).status).toBe(200);
    srv.ctx.clock.advance(13 * 3600_000);
    const r = await refresh(rt);
    expect(r.status).toBe(200);
    expect((await xml('orderList', list(), { token: r.doc.access_token })).status).toBe(200);
  });

  it("'reject' mode refuses unsigned restricted calls; item APIs need no signature but a bad one fails", async () => {
    srv.sim.options.missingSignature = 'reject';
    const r = await xml('orderList', list(), { signed: false });
    expect(r.status).toBe(401);
    expect(r.doc.Error.Code).toBe('px-14303');
    expect((await form('getStock', { item_code: 'mug-01' })).status).toBe(200);
    expect((await form('getStock', { item_code: 'mug-01' }, { headers: signature('someone-else') })).status).toBe(401);
  });
});

// -------------------------------------------------------------------------------------------------
describe('items and publishing', () => {
  const updateBody = (...items: Record<string, string>[]) => {
    const p = new URLSearchParams({ seller_id: cred().sellerId });
    items.forEach((it, i) => p.set(`item${i + 1}`, new URLSearchParams(it).toString()));
    return p.toString();
  };

  it('getItem shows seeded items published, with sub-codes and their stock', async () => {
    const r = await form('getItem', { item_code: 'tshirt-01' }, { method: 'GET' });
    expect(r.status).toBe(200);
    const item = r.doc.ResultSet.Result;
    expect(item.EditingFlag).toBe('0');
    const subs = arr(item.SubCodes.SubCode);
    expect(subs.map((s: Doc) => s['@_code']).sort()).toEqual(['tshirt-01-0-l', 'tshirt-01-0-m', 'tshirt-01-1-l', 'tshirt-01-1-m']);
    expect(subs.every((s: Doc) => s['@_quantity'] === '5')).toBe(true);
  });

  it('getItem of an unknown code is 400 it-05002', async () => {
    const r = await form('getItem', { item_code: 'nope' }, { method: 'GET' });
    expect(r.status).toBe(400);
    expect(r.doc.Error.Code).toBe('it-05002');
    expect(r.text).toContain('<Detail></Detail>');
  });

  it('updateItems edits stay unpublished until reservePublish', async () => {
    const up = await form('updateItems', updateBody({ item_code: 'mug-01', price: '1500', sale_price: '' }));
    expect(up.doc.ResultSet.Status).toBe('OK');
    const item = (await form('getItem', { item_code: 'mug-01' }, { method: 'GET' })).doc.ResultSet.Result;
    expect(item.Price).toBe('1500');
    expect(item.EditingFlag).toBe('1');

    const before = srv.sim.placeBuyerOrder([{ skuCode: 'MUG', quantity: 1 }])!;
    const info1 = await xml('orderInfo', infoReq(before, 'UnitPrice,ItemId'));
    expect(info1.doc.ResultSet.Result.OrderInfo.Item.UnitPrice).toBe('1200');

    const pub = await form('reservePublish', { mode: '1' });
    expect(pub.doc.ResultSet.Status).toBe('OK');
    expect(pub.doc.ResultSet.ReserveTime).toMatch(/\+09:00$/);
    expect((await form('getItem', { item_code: 'mug-01' }, { method: 'GET' })).doc.ResultSet.Result.EditingFlag).toBe('0');
    const after = srv.sim.placeBuyerOrder([{ skuCode: 'MUG', quantity: 1 }])!;
    expect((await xml('orderInfo', infoReq(after, 'UnitPrice'))).doc.ResultSet.Result.OrderInfo.Item.UnitPrice).toBe('1500');
  });

  it('hiding an item (display=0) only takes effect for buyers once published', async () => {
    expect((await form('updateItems', updateBody({ item_code: 'mug-01', display: '0' }))).doc.ResultSet.Status).toBe('OK');
    expect(srv.sim.placeBuyerOrder([{ skuCode: 'MUG', quantity: 1 }])).not.toBeNull();
    expect((await form('submitItem', { item_code: 'mug-01' })).status).toBe(200);
    expect(srv.sim.placeBuyerOrder([{ skuCode: 'MUG', quantity: 1 }])).toBeNull();
  });

  it('updateItems is all-or-nothing and enforces its format rules', async () => {
    const lone = await form('updateItems', updateBody({ item_code: 'mug-01', price: '1500' }));
    expect(lone.doc.ResultSet.Status).toBe('NG');
    const mixed = await form('updateItems', updateBody({ item_code: 'mug-01', name: '新しい名前' }, { item_code: 'tshirt-01', price: '0', sale_price: '' }));
    expect(mixed.doc.ResultSet.Status).toBe('NG');
    expect(arr(mixed.doc.ResultSet.Result)[0].Error.Code).toBe('it-02008');
    expect((await form('getItem', { item_code: 'mug-01' }, { method: 'GET' })).doc.ResultSet.Result.Name).toBe('波佐見焼マグカップ');
    // itemN encoded only once falls apart into top-level keys.
    const single = await form('updateItems', `seller_id=${cred().sellerId}&item1=item_code=mug-01&price=1500&sale_price=`);
    expect(single.doc.ResultSet.Status).toBe('NG');
    const many = updateBody(...Array.from({ length: 101 }, () => ({ item_code: 'mug-01', display: '1' })));
    const tooMany = await form('updateItems', many);
    expect(tooMany.doc.ResultSet.Status).toBe('NG');
    expect(tooMany.text).toContain('at most 100 items');
  });

  it('editItem overwrites in full, answers NG for business errors and checks sub-code combinations', async () => {
    const base = { item_code: 'cap-01', path: '帽子:キャップ', name: 'キャップ', product_category: '1', price: '2200' };
    const ok = await form('editItem', { ...base, options: 'カラー#黒,白', subcodes: 'カラー:黒=cap-01-bk|カラー:白=cap-01-wh' });
    expect(ok.doc.ResultSet.Result.Status).toBe('OK');
    const item = (await form('getItem', { item_code: 'cap-01' }, { method: 'GET' })).doc.ResultSet.Result;
    expect(item.EditingFlag).toBe('1');
    expect(item.Display).toBe('1'); // default restored by the full overwrite
    expect(arr(item.SubCodes.SubCode)).toHaveLength(2);

    const missing = await form('editItem', { ...base, name: '' });
    expect(missing.doc.ResultSet.Result.Status).toBe('NG');
    expect(arr(missing.doc.ResultSet.Result.Error)[0].Target).toBe('name');
    const ragged = await form('editItem', { ...base, options: 'カラー#黒,白|サイズ#S,M', subcodes: 'カラー:黒#サイズ:S=c1|カラー:白#サイズ:S=c2' });
    expect(ragged.doc.ResultSet.Result.Status).toBe('NG');
    const dup = await form('editItem', { ...base, item_code: 'cap-02', options: 'カラー#黒', subcodes: 'カラー:黒=cap-01-bk' });
    expect(dup.doc.ResultSet.Result.Status).toBe('NG');
    const deep = await form('editItem', { ...base, path: 'a:b:c:d:e:f:g:h:i' });
    expect(arr(deep.doc.ResultSet.Result.Error)[0].Code).toBe('it-01001');
  });
});

// -------------------------------------------------------------------------------------------------
describe('stock', () => {
  const codes = (n: number) => Array.from({ length: n }, (_, i) => `bulk-${i}`).join(',');

  it('getStock takes up to 1,000 codes', async () => {
    const ok = await form('getStock', { item_code: codes(1000) });
    expect(ok.status).toBe(200);
    expect(arr(ok.doc.ResultSet.Result)).toHaveLength(1000);
    expect(ok.headers.get('content-type')).toContain('text/xml');
    const tooMany = await form('getStock', { item_code: codes(1001) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.doc.Error.Message).toContain('1000');
  });

  it('setStock takes up to 1,000 codes and creates rows for unknown codes', async () => {
    const ok = await form('setStock', { item_code: codes(1000), quantity: Array(1000).fill('7').join(',') });
    expect(ok.status).toBe(200);
    expect(ok.doc.ResultSet['@_ok']).toBe('1000');
    const row = arr((await form('getStock', { item_code: 'bulk-999' })).doc.ResultSet.Result)[0];
    expect(row).toMatchObject({ Status: '1', Quantity: '7' });
    const tooMany = await form('setStock', { item_code: codes(1001), quantity: Array(1001).fill('7').join(',') });
    expect(tooMany.status).toBe(400);
  });

  it('absolute, +n and -n quantities change the shown stock', async () => {
    const r = await form('setStock', { item_code: 'mug-01,tshirt-01:tshirt-01-0-m,tshirt-01:tshirt-01-1-l', quantity: '3,+4,-2' });
    expect(r.status).toBe(200);
    expect(arr(r.doc.ResultSet.Result).map((x: Doc) => x.Quantity)).toEqual(['3', '9', '3']);
    const shown = srv.sim.shownStock();
    expect(shown.get('MUG')).toBe(3);
    expect(shown.get('TS-0-M')).toBe(9);
    expect(shown.get('TS-1-L')).toBe(3);
    expect(shown.has('RKT-ONLY')).toBe(false);
    const st = arr((await form('getStock', { item_code: 'tshirt-01:tshirt-01-0-m,tshirt-01' })).doc.ResultSet.Result);
    expect(st[0]).toMatchObject({ Status: '1', Quantity: '9', IsPublished: '1' });
    // An item with sub-codes has no item-level stock record (§2.3).
    expect(st[1].Status).toBe('0');
  });

  it('an unencoded "+" arrives as a space and fails that entry (207)', async () => {
    const r = await form('setStock', `seller_id=${cred().sellerId}&item_code=mug-01,tshirt-01:tshirt-01-0-m&quantity=+3,4`);
    expect(r.status).toBe(207);
    const [bad, good] = arr(r.doc.ResultSet.Result);
    expect(bad).toMatchObject({ ItemCode: 'mug-01', Quantity: '', ErrorCode: 'st-02104' });
    expect(good).toMatchObject({ Quantity: '4' });
    expect(srv.sim.shownStock().get('MUG')).toBe(10);
  });

  it('partial fault fails the listed codes with per-item results and applies the rest', async () => {
    srv.ctx.faults.add({ kind: 'partial', mall: 'yahoo', path: '/setStock', items: ['tshirt-01:tshirt-01-0-l'] });
    const r = await form('setStock', { item_code: 'mug-01,tshirt-01:tshirt-01-0-l,tshirt-01:tshirt-01-1-m', quantity: '1,1,1' });
    expect(r.status).toBe(207);
    expect(r.doc.ResultSet['@_ng']).toBe('1');
    const results = arr(r.doc.ResultSet.Result);
    expect(results[1]).toMatchObject({ SubCode: 'tshirt-01-0-l', Quantity: '' });
    expect(results[1].ErrorCode).toBeTruthy();
    const shown = srv.sim.shownStock();
    expect([shown.get('MUG'), shown.get('TS-0-L'), shown.get('TS-1-M')]).toEqual([1, 5, 1]);
  });

  it('partial fault without items fails every other entry; INI and bad codes fail per entry', async () => {
    srv.ctx.faults.add({ kind: 'partial', mall: 'yahoo', path: '/setStock' });
    const r = await form('setStock', { item_code: 'mug-01,tshirt-01:tshirt-01-0-l', quantity: '2,2' });
    expect(r.status).toBe(207);
    expect(arr(r.doc.ResultSet.Result).map((x: Doc) => x.ErrorCode ?? null)).toEqual([null, 'ed-10001']);
    const bad = await form('setStock', { item_code: 'mug-01,bad_code!', quantity: 'INI,1' });
    expect(arr(bad.doc.ResultSet.Result).map((x: Doc) => x.ErrorCode)).toEqual(['st-02104', 'st-02101']);
  });

  it('a relative update that leaves the range fails the whole request', async () => {
    const r = await form('setStock', { item_code: 'mug-01,tshirt-01:tshirt-01-0-l', quantity: '5,+999999999' });
    expect(r.status).toBe(400);
    expect(r.doc.Error.Code).toBe('st-02104');
    expect(srv.sim.shownStock().get('MUG')).toBe(10);
  });

  it('with stockNeedsPublish, setStock stays invisible to buyers until publish (IsPublished 0→1)', async () => {
    srv.sim.options.stockNeedsPublish = true;
    await form('setStock', { item_code: 'mug-01', quantity: '2' });
    expect(srv.sim.shownStock().get('MUG')).toBe(10);
    expect(arr((await form('getStock', { item_code: 'mug-01' })).doc.ResultSet.Result)[0].IsPublished).toBe('0');
    await form('reservePublish', { mode: '1' });
    expect(srv.sim.shownStock().get('MUG')).toBe(2);
    expect(arr((await form('getStock', { item_code: 'mug-01' })).doc.ResultSet.Result)[0].IsPublished).toBe('1');
  });
});

// -------------------------------------------------------------------------------------------------
describe('orders', () => {
  const fields = 'OrderId,OrderTime,OrderStatus,IsSeen,ShipStatus,PayMethod,TotalPrice';
  const search = (extra = '', paging = '') =>
    listReq(`${paging}<Sort>+order_time</Sort><Condition><OrderTimeFrom>${since()}</OrderTimeFrom>${extra}</Condition><Field>${fields}</Field>`);

  it('buyer orders reduce shown stock, are refused beyond it, and tell the shop truth', async () => {
    const id = srv.sim.placeBuyerOrder([{ skuCode: 'TS-0-M', quantity: 2 }, { skuCode: 'MUG', quantity: 1 }]);
    expect(id).toMatch(new RegExp(`^${cred().sellerId}-\\d{8}$`));
    expect(srv.sim.shownStock().get('TS-0-M')).toBe(3);
    expect(srv.sim.placeBuyerOrder([{ skuCode: 'TS-0-M', quantity: 4 }])).toBeNull();
    expect(srv.sim.placeBuyerOrder([{ skuCode: 'RKT-ONLY', quantity: 1 }])).toBeNull();
    expect(srv.ctx.truth.get('TS-0-M')).toBe(3);
    expect(srv.sim.cancelBuyerOrder(id!)).toBe(true);
    expect(srv.sim.shownStock().get('TS-0-M')).toBe(5);
    expect(srv.ctx.truth.cancelledOrders).toBe(1);
    expect(srv.sim.cancelBuyerOrder(id!)).toBe(false);
  });

  it('orderList hides orders inside the 10-minute window unless ReadOnlyMode says otherwise, and pages', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(srv.sim.placeBuyerOrder([{ skuCode: 'MUG', quantity: 1 }])!);
      srv.ctx.clock.advance(1000);
    }
    const fresh = await xml('orderList', search());
    expect(fresh.doc.Result.Search.TotalCount).toBe('0');
    expect(fresh.doc.Result.Search.OrderInfo).toBeUndefined();
    expect((await xml('orderList', search('<ReadOnlyMode>2</ReadOnlyMode>'))).doc.Result.Search.TotalCount).toBe('3');
    pastWindow();
    const page1 = await xml('orderList', search('', '<Result>2</Result><Start>1</Start>'));
    expect(page1.doc.Result.Status).toBe('OK');
    expect(page1.doc.Result.Search.TotalCount).toBe('3');
    const infos = arr(page1.doc.Result.Search.OrderInfo);
    expect(infos.map((o: Doc) => o.Index)).toEqual(['1', '2']);
    expect(infos.map((o: Doc) => o.OrderId)).toEqual(ids.slice(0, 2));
    expect(infos[0].OrderTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00$/);
    expect(infos[0].IsSeen).toBe('false');
    expect(infos[0]).not.toHaveProperty('BillPhoneNumber');
    const page2 = await xml('orderList', search('', '<Result>2</Result><Start>3</Start>'));
    expect(arr(page2.doc.Result.Search.OrderInfo).map((o: Doc) => o.OrderId)).toEqual([ids[2]]);
    const past = await xml('orderList', search('', '<Result>2</Result><Start>5</Start>'));
    expect(past.doc.Result.Search.TotalCount).toBe('3');
    expect(past.text).toContain('<OrderInfo></OrderInfo>');
  });

  it('orderList answers NG (200) for a missing Field, an address field, or no time/id condition', async () => {
    const noField = await xml('orderList', listReq(`<Condition><OrderTimeFrom>${since()}</OrderTimeFrom></Condition>`));
    expect(noField.status).toBe(200);
    expect(noField.doc.Result.Status).toBe('NG');
    const addr = await xml('orderList', listReq(`<Condition><OrderTimeFrom>${since()}</OrderTimeFrom></Condition><Field>OrderId,ShipZipCode</Field>`));
    expect(addr.doc.Result.Status).toBe('NG');
    const noCond = await xml('orderList', listReq('<Condition><IsSeen>false</IsSeen></Condition><Field>OrderId</Field>'));
    expect(noCond.doc.Result.Status).toBe('NG');
    expect(noCond.doc.Result.Error.Message).toContain('OrderTime');
  });

  it('orderInfo gives grouped details with Japanese buyer data and the sub-code lines', async () => {
    const id = srv.sim.placeBuyerOrder([{ skuCode: 'TS-1-L', quantity: 1 }])!;
    const r = await xml('orderInfo', infoReq(id, 'OrderId,OrderStatus,BillLastName,BillZipCode,ShipPrefecture,ShipPhoneNumber,ItemId,SubCode,Quantity,UnitPrice,TotalPrice,SellerId'));
    expect(r.doc.ResultSet.Result.Status).toBe('OK');
    const info = r.doc.ResultSet.Result.OrderInfo;
    expect(info.OrderStatus).toBe('2');
    expect(info.Pay.BillLastName).toMatch(/^[\u4e00-\u9fff]+$/);
    expect(info.Pay.BillZipCode).toMatch(/^\d{3}-\d{4}$/);
    expect(info.Ship.ShipPhoneNumber).toMatch(/^0[789]0-\d{4}-\d{4}$/);
    expect(info.Item).toMatchObject({ ItemId: 'tshirt-01', SubCode: 'tshirt-01-1-l', Quantity: '1', UnitPrice: '2980' });
    expect(Number(info.Detail.TotalPrice)).toBeGreaterThanOrEqual(2980);
    expect(info.Seller.SellerId).toBe(cred().sellerId);
    const missing = await xml('orderInfo', infoReq(`${cred().sellerId}-99999999`, 'OrderId'));
    expect(missing.status).toBe(400);
  });

  it('orderStatusChange follows the code table and transition rules', async () => {
    const a = srv.sim.placeBuyerOrder([{ skuCode: 'MUG', quantity: 2 }])!;
    const b = srv.sim.placeBuyerOrder([{ skuCode: 'MUG', quantity: 3 }])!;
    const readOnly = await xml('orderStatusChange', changeReq(a, '<OrderStatus>5</OrderStatus>'));
    expect(readOnly.status).toBe(400);
    pastWindow();
    const noPointFix = await xml('orderStatusChange', changeReq(a, '<OrderStatus>5</OrderStatus>', 'false'));
    expect(noPointFix.status).toBe(400);
    const done = await xml('orderStatusChange', changeReq(a, '<OrderStatus>5</OrderStatus>'));
    expect(done.status).toBe(200);
    expect(done.doc.ResultSet).toMatchObject({ '@_ok': '1', '@_ng': '0', Result: { Status: 'OK' } });

    expect(srv.sim.shownStock().get('MUG')).toBe(5);
    const cancel = await xml('orderStatusChange', changeReq(b, '<OrderStatus>4</OrderStatus><CancelReason>210</CancelReason>'));
    expect(cancel.doc.ResultSet.Result.Status).toBe('OK');
    expect(srv.sim.shownStock().get('MUG')).toBe(8);
    expect(srv.ctx.truth.cancelledOrders).toBe(1);
    const back = await xml('orderStatusChange', changeReq(b, '<OrderStatus>2</OrderStatus>'));
    expect(back.status).toBe(400);
    expect(back.doc.Error.Message).toContain('Cannot Be Operated : CancelOrder OrderStatus');
    const detailLess = await xml('orderStatusChange', changeReq(a, '<OrderStatus>4</OrderStatus><CancelReason>230</CancelReason>'));
    expect(detailLess.status).toBe(400);

    const list = await xml('orderList', search('<OrderStatus>4,5</OrderStatus>'));
    expect(arr(list.doc.Result.Search.OrderInfo).map((o: Doc) => [o.OrderId, o.OrderStatus])).toEqual([
      [a, '5'],
      [b, '4'],
    ]);
  });

  it('orderShipStatusChange records tracking number and carrier, and validates them', async () => {
    const id = srv.sim.placeBuyerOrder([{ skuCode: 'TS-0-L', quantity: 1 }])!;
    pastWindow();
    const ship = (inner: string) => xml('orderShipStatusChange', changeReq(id, `<Ship>${inner}</Ship>`));
    expect((await ship('<ShipStatus>3</ShipStatus><ShipCompanyCode>1001</ShipCompanyCode><ShipInvoiceNumber1>AB-1234</ShipInvoiceNumber1>')).status).toBe(400);
    expect((await ship('<ShipStatus>3</ShipStatus><ShipCompanyCode>4242</ShipCompanyCode><ShipInvoiceNumber1>1234</ShipInvoiceNumber1>')).status).toBe(400);
    expect((await ship('<ShipStatus>3</ShipStatus><ShipCompanyCode>1003</ShipCompanyCode><ShipInvoiceNumber1>1234-5678</ShipInvoiceNumber1>')).status).toBe(400);
    expect((await ship('<ShipStatus>9</ShipStatus>')).status).toBe(400);
    const ok = await ship('<ShipStatus>3</ShipStatus><ShipMethod>postage1</ShipMethod><ShipCompanyCode>1001</ShipCompanyCode><ShipInvoiceNumber1>1234-5678-9012</ShipInvoiceNumber1><ShipDate>20250301</ShipDate><ShipUrl><![CDATA[https://track.example/?a=1&b=2]]></ShipUrl>');
    expect(ok.status).toBe(200);
    expect(ok.doc.ResultSet.Result.Status).toBe('OK');
    const info = (await xml('orderInfo', infoReq(id, 'ShipStatus,ShipCompanyCode,ShipInvoiceNumber1,ShipDate,ShipUrl'))).doc.ResultSet.Result.OrderInfo;
    expect(info.Ship).toMatchObject({ ShipStatus: '3', ShipCompanyCode: '1001', ShipInvoiceNumber1: '1234-5678-9012', ShipDate: '2025-03-01', ShipUrl: 'https://track.example/?a=1&b=2' });
    const found = await xml('orderList', search('<ShipInvoiceNumber>1234-5678-9012</ShipInvoiceNumber>'));
    expect(found.doc.Result.Search.TotalCount).toBe('1');
  });

  it('orderChange marks an order seen, and IsSeen=false finds new orders', async () => {
    const a = srv.sim.placeBuyerOrder([{ skuCode: 'MUG', quantity: 1 }])!;
    srv.sim.placeBuyerOrder([{ skuCode: 'MUG', quantity: 1 }]);
    pastWindow();
    const seen = await xml('orderChange', changeReq(a, '<IsSeen>true</IsSeen>'));
    expect(seen.status).toBe(200);
    const fresh = await xml('orderList', search('<IsSeen>false</IsSeen><OrderStatus>2</OrderStatus>'));
    expect(fresh.doc.Result.Search.TotalCount).toBe('1');
    expect((await xml('orderChange', changeReq(a, '<IsSeen>false</IsSeen>'))).status).toBe(400);
  });
});

// -------------------------------------------------------------------------------------------------
describe('limits and faults', () => {
  it('throttles a second call to the same API within a second (1 req/s per URL), other APIs unaffected', async () => {
    srv.ctx.limiter.enabled = true;
    expect((await form('getStock', { item_code: 'mug-01' })).status).toBe(200);
    const second = await form('getStock', { item_code: 'mug-01' });
    expect(second.status).toBe(403);
    expect(second.doc.Error.Message).toBe('Your Request was Forbidden');
    expect(srv.ctx.limiter.throttled.get('yahoo:getStock')).toBe(1);
    expect((await form('setStock', { item_code: 'mug-01', quantity: '4' })).status).toBe(200);
    srv.ctx.clock.advance(1000);
    expect((await form('getStock', { item_code: 'mug-01' })).status).toBe(200);
  });

  it('a burst beyond the configured bucket is throttled', async () => {
    srv.ctx.limiter.enabled = true;
    srv.sim.options.rateByApi = { getStock: { rate: 1, burst: 3 } };
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await form('getStock', { item_code: 'mug-01' })).status);
    expect(statuses).toEqual([200, 200, 200, 403, 403]);
  });

  it('the daily quota per Client ID answers 403 and resets at 00:00 JST', async () => {
    srv.ctx.limiter.enabled = true;
    srv.sim.options.rate = { rate: 1000, burst: 1000 };
    srv.sim.options.dailyQuota = 3;
    // Move to 12:00 JST so a few calls cannot straddle midnight.
    const day = 86_400_000;
    const jstNow = srv.ctx.clock.now() + 9 * 3_600_000;
    const noon = Math.floor(jstNow / day) * day + 12 * 3_600_000;
    srv.ctx.clock.advance((noon > jstNow ? noon : noon + day) - jstNow);
    token = (await connect()).access;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await form('getStock', { item_code: 'mug-01' })).status);
    expect(statuses).toEqual([200, 200, 200, 403]);
    expect(srv.ctx.limiter.throttled.get('yahoo:daily-quota')).toBe(1);
    srv.ctx.clock.advance(13 * 3_600_000);
    token = (await connect()).access;
    expect((await form('getStock', { item_code: 'mug-01' })).status).toBe(200);
  });

  it('server-error and throttle faults answer once, then the API works again', async () => {
    srv.ctx.faults.add({ kind: 'server-error', mall: 'yahoo', path: '/setStock', status: 503 });
    const failed = await form('setStock', { item_code: 'mug-01', quantity: '4' });
    expect(failed.status).toBe(503);
    expect(srv.sim.shownStock().get('MUG')).toBe(10);
    srv.ctx.faults.add({ kind: 'throttle', mall: 'yahoo', path: '/setStock' });
    expect((await form('setStock', { item_code: 'mug-01', quantity: '4' })).status).toBe(403);
    expect((await form('setStock', { item_code: 'mug-01', quantity: '4' })).status).toBe(200);
    expect(srv.sim.shownStock().get('MUG')).toBe(4);
  });

  it('the drop fault closes the connection without an answer', async () => {
    srv.ctx.faults.add({ kind: 'drop', mall: 'yahoo', path: '/getStock' });
    await expect(form('getStock', { item_code: 'mug-01' })).rejects.toThrow();
  });

  it('another store id is refused, and the wrong method is 405', async () => {
    expect((await form('getStock', { seller_id: 'other-store', item_code: 'mug-01' })).status).toBe(403);
    expect((await form('getItem', { item_code: 'mug-01' })).status).toBe(405);
  });
});
