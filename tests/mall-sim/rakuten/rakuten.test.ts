import { afterEach, describe, expect, it } from 'vitest';
import type { SeedListing } from '../core/types';
import { esaHeader, startRakutenTestServer, TEST_CREDENTIALS, type RakutenTestServer, type RakutenTestServerOptions } from './test-server';

const DAY = 86_400_000;
// 2026-03-02 10:00 JST, a fixed mall start so order numbers and dates are predictable.
const MALL_START = Date.UTC(2026, 2, 2, 1, 0, 0);

const SEED: SeedListing[] = [
  ...(['ホワイト', 'ブラック'] as const).flatMap((color, c) =>
    (['S', 'M'] as const).map((size, s) => ({
      skuCode: `ich00001-${c ? 'bk' : 'wh'}-${size.toLowerCase()}`,
      productCode: 'ich00001',
      productName: 'ベーシック 綿100% 無地Tシャツ',
      variant: { color, size },
      price: 1980,
      stock: 10,
      rakuten: { manageNumber: 'ich00001', variantId: `r-sku0000000${c * 2 + s + 1}` },
    })),
  ),
  {
    skuCode: 'ich00002-be-m',
    productCode: 'ich00002',
    productName: 'プレミアム 帆布 トートバッグ',
    variant: { color: 'ベージュ' },
    price: 3850,
    stock: 3,
    rakuten: { manageNumber: 'ich00002', variantId: 'r-sku00000005' },
  },
  { skuCode: 'yahoo-only', productCode: 'x', productName: 'x', variant: {}, price: 1, stock: 1, yahoo: { itemCode: 'x' } },
];

let srv: RakutenTestServer;
afterEach(async () => {
  await srv?.close();
});

async function start(options: RakutenTestServerOptions = {}): Promise<RakutenTestServer> {
  srv = await startRakutenTestServer({ mallStart: MALL_START, seed: SEED, rateLimits: false, ...options });
  return srv;
}

interface Answer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(srv.url + path, {
    method,
    headers: {
      authorization: srv.authorization,
      ...(body !== undefined ? { 'content-type': 'application/json; charset=utf-8' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

const orderDate = (ms: number) => {
  const t = new Date(ms + 9 * 3_600_000).toISOString().slice(0, 19);
  return `${t}+0900`;
};
const searchBody = (from: number, to: number, extra: Record<string, unknown> = {}) => ({
  dateType: 1,
  startDatetime: orderDate(from),
  endDatetime: orderDate(to),
  PaginationRequestModel: { requestRecordsAmount: 30, requestPage: 1, SortModelList: [{ sortColumn: 1, sortDirection: 1 }] },
  ...extra,
});

describe('ESA authentication and license keys', () => {
  it('accepts the demo credentials and answers with RMS headers', async () => {
    await start();
    const r = await call('GET', '/es/2.0/items/manage-numbers/ich00001');
    expect(r.status).toBe(200);
    expect(r.headers.get('requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.body.manageNumber).toBe('ich00001');
    expect(Object.keys(r.body.variants)).toEqual(['r-sku00000001', 'r-sku00000002', 'r-sku00000003', 'r-sku00000004']);
    expect(r.body.created).toMatch(/^2026-03-02T10:00:\d\d\+09:00$/);
  });

  it('answers 401 ES01-01 for a missing header, a wrong key and broken base64', async () => {
    await start();
    const bad: Record<string, string>[] = [
      {},
      { authorization: esaHeader(TEST_CREDENTIALS.rakuten.serviceSecret, 'SL000001_wrong') },
      { authorization: esaHeader('SP_wrong', TEST_CREDENTIALS.rakuten.licenseKey) },
      { authorization: srv.authorization.replace('ESA ', 'ESA  ') },
      { authorization: `Basic ${srv.authorization.slice(4)}` },
    ];
    for (const headers of bad) {
      const res = await fetch(`${srv.url}/es/2.0/items/manage-numbers/ich00001`, { headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ Results: { errorCode: 'ES01-01', message: 'Un-Authorised' } });
    }
  });

  it('reports the expiry date and rejects the key once mall time passes it', async () => {
    await start();
    const r = await call('GET', `/es/1.0/license-management/license-key/expiry-date?licenseKey=${TEST_CREDENTIALS.rakuten.licenseKey}`);
    expect(r.status).toBe(200);
    // 90 days after 2026-03-02 is 2026-05-31; keys expire at the end of that JST day.
    expect(r.body).toEqual({ expiryDate: '2026-05-31T23:59:59' });
    srv.ctx.clock.advance(89 * DAY);
    expect((await call('GET', '/es/2.0/items/manage-numbers/ich00001')).status).toBe(200);
    srv.ctx.clock.advance(2 * DAY);
    const expired = await call('GET', '/es/2.0/items/manage-numbers/ich00001');
    expect(expired.status).toBe(401);
    expect(expired.body.Results.errorCode).toBe('ES01-01');
    // A renewed key works while the old one does not.
    srv.sim.issueLicenseKey('SL000001_renewed');
    const renewed = await fetch(`${srv.url}/es/2.0/items/manage-numbers/ich00001`, { headers: { authorization: esaHeader(TEST_CREDENTIALS.rakuten.serviceSecret, 'SL000001_renewed') } });
    expect(renewed.status).toBe(200);
  });

  it('honours an explicit expiry and the expire-auth fault', async () => {
    await start();
    srv.sim.setLicenseExpiry(MALL_START - 1);
    expect((await call('GET', '/es/2.0/items/manage-numbers/ich00001')).status).toBe(401);
    srv.sim.setLicenseExpiry(MALL_START + DAY);
    srv.ctx.faults.add({ kind: 'expire-auth', mall: 'rakuten', path: '/order/' });
    expect((await call('GET', '/es/2.0/items/manage-numbers/ich00001')).status).toBe(200);
    const r = await call('POST', '/es/2.0/order/searchOrder/', searchBody(MALL_START - DAY, MALL_START + DAY));
    expect(r.status).toBe(401);
    expect((await call('POST', '/es/2.0/order/searchOrder/', searchBody(MALL_START - DAY, MALL_START + DAY))).status).toBe(200);
  });

  it('answers 400 ES04-01 for a function not enabled for the key', async () => {
    await start();
    srv.sim.setFunctionEnabled('rpay.order.getOrder', false);
    const r = await call('POST', '/es/2.0/order/getOrder/', { orderNumberList: ['000001-20260302-00000001'], version: 10 });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ Results: { errorCode: 'ES04-01', message: 'Bad Request' } });
    expect((await call('POST', '/es/2.0/order/searchOrder/', searchBody(MALL_START - DAY, MALL_START))).status).toBe(200);
    srv.sim.setFunctionEnabled('rpay.order.getOrder', true);
    expect((await call('POST', '/es/2.0/order/getOrder/', { orderNumberList: ['000001-20260302-00000001'], version: 10 })).status).toBe(200);
  });

  it('can use the errors[] gateway shape and 400 for unknown keys (spec §3/§7 uncertainty)', async () => {
    await start({ sim: { gatewayErrorStyle: 'errors', unknownKeyStatus: 400 } });
    const res = await fetch(`${srv.url}/es/2.0/items/manage-numbers/ich00001`, { headers: { authorization: esaHeader('a', 'b') } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ errors: [{ code: 'ES04-01', message: 'Bad Request' }] });
  });
});

describe('ItemAPI 2.0', () => {
  const body = (price = '1200') => ({
    title: '有田焼 小皿 藍',
    itemType: 'NORMAL',
    genreId: '215783',
    variants: { sku1: { standardPrice: price, articleNumber: { exemptionReason: 5 }, shipping: { okihaiSetting: 1 } } },
    features: { socialGiftFlag: true },
  });

  it('upserts (201 then 204), folds manageNumber to lower case, keeps sticky fields', async () => {
    await start();
    const created = await call('PUT', '/es/2.0/items/manage-numbers/ARITA-001', body());
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ manageNumber: 'arita-001' });
    const { features: _f, ...withoutFeatures } = body('1300');
    withoutFeatures.variants.sku1 = { standardPrice: '1300', articleNumber: { exemptionReason: 5 } } as never;
    expect((await call('PUT', '/es/2.0/items/manage-numbers/arita-001', withoutFeatures)).status).toBe(204);
    const got = await call('GET', '/es/2.0/items/manage-numbers/Arita-001');
    expect(got.body.variants.sku1.standardPrice).toBe('1300');
    expect(got.body.variants.sku1.shipping.okihaiSetting).toBe(1);
    expect(got.body.features.socialGiftFlag).toBe(true);
  });

  it('rejects invalid bodies with the errors[] family', async () => {
    await start();
    const r = await call('PUT', '/es/2.0/items/manage-numbers/bad1', {
      itemType: 'NORMAL',
      genreId: '12',
      foo: 1,
      variants: { a: { standardPrice: '1' }, b: { standardPrice: '1', articleNumber: { value: '4901234567894' } } },
    });
    expect(r.status).toBe(400);
    const codes = r.body.errors.map((e: { code: string }) => e.code).sort();
    expect(codes).toEqual(['IE0001', 'IE0002', 'IE0002', 'IE0229', 'IE0269'].sort());
    expect(r.body.errors.find((e: { code: string }) => e.code === 'IE0229').metadata.propertyPath).toBe('variants.a.articleNumber');
    expect((await call('PUT', '/es/2.0/items/manage-numbers/bad%21', body())).body.errors[0].code).toBe('IE0220');
    expect((await call('GET', '/es/2.0/items/manage-numbers/bad1')).status).toBe(404);
  });

  it('answers 415 GE0012 for a non-JSON content type and accepts charset variants', async () => {
    await start();
    const r = await call('PUT', '/es/2.0/items/manage-numbers/ct1', JSON.stringify(body()), { 'content-type': 'text/plain' });
    expect(r.status).toBe(415);
    expect(r.body.errors[0].code).toBe('GE0012');
    expect((await call('PUT', '/es/2.0/items/manage-numbers/ct1', body(), { 'content-type': 'application/json' })).status).toBe(201);
  });

  it('patches (objects merge, lists replace), rejects selector changes, deletes', async () => {
    await start();
    const patch = await call('PATCH', '/es/2.0/items/manage-numbers/ich00001', {
      tagline: '新色登場',
      variants: { 'r-sku00000001': { standardPrice: '1780' } },
    });
    expect(patch.status).toBe(204);
    const got = (await call('GET', '/es/2.0/items/manage-numbers/ich00001')).body;
    expect(got.tagline).toBe('新色登場');
    expect(got.variants['r-sku00000001'].standardPrice).toBe('1780');
    expect(got.variants['r-sku00000001'].merchantDefinedSkuId).toBe('ich00001-wh-s');
    const moved = await call('PATCH', '/es/2.0/items/manage-numbers/ich00001', { variants: { 'r-sku00000001': { selectorValues: { color: 'ブラック', size: 'M' } } } });
    expect(moved.status).toBe(400);
    expect(moved.body.errors[0].code).toBe('IE0416');
    expect((await call('DELETE', '/es/2.0/items/manage-numbers/ich00002')).status).toBe(204);
    const gone = await call('GET', '/es/2.0/items/manage-numbers/ich00002');
    expect(gone.status).toBe(404);
    expect(gone.body.errors[0]).toEqual({ code: 'GE0014', message: 'Not found for inputs; manageNumber=ich00002' });
    expect(srv.sim.shownStock().has('ich00002-be-m')).toBe(false);
  });

  it('bulk-gets up to 50 and rejects duplicates', async () => {
    await start();
    const ok = await call('POST', '/es/2.0/items/bulk-get', { manageNumbers: ['ICH00001', 'ich00002', 'nope'] });
    expect(ok.body.results.map((i: { manageNumber: string }) => i.manageNumber)).toEqual(['ich00001', 'ich00002']);
    expect((await call('POST', '/es/2.0/items/bulk-get', { manageNumbers: ['ich00001', 'ICH00001'] })).body.errors[0].code).toBe('IE1106');
    expect((await call('POST', '/es/2.0/items/bulk-get', { manageNumbers: Array.from({ length: 51 }, (_, i) => `m${i}`) })).status).toBe(400);
  });

  it('searches with offset paging and with cursorMark across pages', async () => {
    await start();
    for (let i = 0; i < 5; i++) {
      expect((await call('PUT', `/es/2.0/items/manage-numbers/page-${i}`, { ...body(), title: `ページ商品 ${i}` })).status).toBe(201);
    }
    const p1 = await call('GET', '/es/2.0/items/search?title=ページ商品&hits=2&offset=0&sortKey=manageNumber&sortOrder=asc');
    const p3 = await call('GET', '/es/2.0/items/search?title=ページ商品&hits=2&offset=4&sortKey=manageNumber&sortOrder=asc');
    expect(p1.body.numFound).toBe(5);
    expect(p1.body.results.map((r: { item: { manageNumber: string } }) => r.item.manageNumber)).toEqual(['page-0', 'page-1']);
    expect(p3.body.results.map((r: { item: { manageNumber: string } }) => r.item.manageNumber)).toEqual(['page-4']);
    const seen: string[] = [];
    let cursor = '*';
    for (let guard = 0; guard < 10; guard++) {
      const r = await call('GET', `/es/2.0/items/search?title=ページ商品&hits=2&cursorMark=${encodeURIComponent(cursor)}`);
      seen.push(...r.body.results.map((x: { item: { manageNumber: string } }) => x.item.manageNumber));
      if (r.body.nextCursorMark === cursor) break;
      cursor = r.body.nextCursorMark;
    }
    expect(seen).toEqual(['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
    expect((await call('GET', '/es/2.0/items/search?cursorMark=*&offset=0')).body.errors[0].code).toBe('IE1003');
    expect((await call('GET', '/es/2.0/items/search?hits=101')).body.errors[0].code).toBe('IE0003');
  });
});

describe('InventoryAPI 2.0', () => {
  const row = (variantId: string, mode: string, quantity: number, manageNumber = 'ich00001') => ({ manageNumber, variantId, mode, quantity });

  it('bulk-get: 1,000 keys pass, 1,001 are refused', async () => {
    await start();
    const keys = Array.from({ length: 1000 }, (_, i) => ({ manageNumber: 'ich00001', variantId: i < 4 ? `r-sku0000000${i + 1}` : `v${i}` }));
    const ok = await call('POST', '/es/2.0/inventories/bulk-get', { inventories: keys });
    expect(ok.status).toBe(200);
    expect(ok.body.inventories).toHaveLength(4);
    expect(ok.body.inventories[0]).toMatchObject({ manageNumber: 'ich00001', variantId: 'r-sku00000001', quantity: 10 });
    const tooMany = await call('POST', '/es/2.0/inventories/bulk-get', { inventories: [...keys, { manageNumber: 'x', variantId: 'y' }] });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors[0]).toMatchObject({ code: 'IE1101', metadata: { propertyPath: 'inventories' } });
  });

  it('bulk-upsert: 400 rows pass, 401 are refused', async () => {
    await start();
    const rows = Array.from({ length: 400 }, (_, i) => row(`v${i}`, 'ABSOLUTE', i, 'bulk-item'));
    expect((await call('POST', '/es/2.0/inventories/bulk-upsert', { inventories: rows })).status).toBe(204);
    expect(srv.sim.inventoryQuantity('bulk-item', 'v399')).toBe(399);
    const tooMany = await call('POST', '/es/2.0/inventories/bulk-upsert', { inventories: [...rows, row('v400', 'ABSOLUTE', 1, 'other')] });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors[0].code).toBe('IE1101');
  });

  it('checks quantity range, ABSOLUTE-first and result range, all-or-nothing', async () => {
    await start();
    const r = await call('POST', '/es/2.0/inventories/bulk-upsert', {
      inventories: [
        row('r-sku00000001', 'ABSOLUTE', 7),
        row('r-sku00000002', 'ABSOLUTE', 100000),
        row('r-sku00000003', 'ABSOLUTE', -1),
        row('new-variant', 'RELATIVE', 5),
        row('r-sku00000004', 'RELATIVE', -11),
        row('r-sku00000001', 'RELATIVE', 1, 'ICH00002'),
        { manageNumber: 'ich00001', variantId: 'x', mode: 'ABSOLUTE', quantity: 'a' },
      ],
    });
    expect(r.status).toBe(400);
    const byPath = Object.fromEntries(r.body.errors.map((e: { code: string; metadata: { propertyPath: string } }) => [e.metadata.propertyPath, e.code]));
    expect(byPath).toEqual({
      'inventories[1].quantity': 'IE0003',
      'inventories[2].quantity': 'IE0003',
      'inventories[3].mode': 'IE0500',
      'inventories[4].quantity': 'IE0117',
      'inventories[5].mode': 'IE0500',
      'inventories[6].quantity': 'IE0002',
    });
    expect(srv.sim.inventoryQuantity('ich00001', 'r-sku00000001')).toBe(10);
    const ok = await call('POST', '/es/2.0/inventories/bulk-upsert', { inventories: [row('r-sku00000001', 'RELATIVE', -3), row('fresh', 'ABSOLUTE', 99999)] });
    expect(ok.status).toBe(204);
    expect(srv.sim.shownStock().get('ich00001-wh-s')).toBe(7);
    expect((await call('POST', '/es/2.0/inventories/bulk-upsert', { inventories: [row('fresh', 'ABSOLUTE', 1), row('fresh', 'ABSOLUTE', 2)] })).body.errors[0].code).toBe('IE1102');
  });

  it('single variant get/upsert with the same rules', async () => {
    await start();
    const path = '/es/2.0/inventories/manage-numbers/ICH00002/variants/r-sku00000005';
    expect((await call('PUT', path, { mode: 'RELATIVE', quantity: 2 })).status).toBe(204);
    expect((await call('GET', path)).body).toMatchObject({ manageNumber: 'ich00002', variantId: 'r-sku00000005', quantity: 5 });
    expect((await call('PUT', '/es/2.0/inventories/manage-numbers/ich00002/variants/nope', { mode: 'RELATIVE', quantity: 2 })).body.errors[0].code).toBe('IE0500');
    expect((await call('GET', '/es/2.0/inventories/manage-numbers/ich00002/variants/R-SKU00000005')).status).toBe(404);
  });

  it('partial fault fails the listed SKUs with per-row CE0001 while the others are applied', async () => {
    await start();
    srv.ctx.faults.add({ kind: 'partial', mall: 'rakuten', path: '/inventories/bulk-upsert', items: ['ich00001-wh-m'] });
    const r = await call('POST', '/es/2.0/inventories/bulk-upsert', {
      inventories: [row('r-sku00000001', 'ABSOLUTE', 1), row('r-sku00000002', 'ABSOLUTE', 2), row('r-sku00000003', 'RELATIVE', 3)],
    });
    expect(r.status).toBe(409);
    expect(r.body.errors).toHaveLength(1);
    expect(r.body.errors[0]).toMatchObject({ code: 'CE0001', metadata: { propertyPath: 'inventories[1]' } });
    const shown = srv.sim.shownStock();
    expect([shown.get('ich00001-wh-s'), shown.get('ich00001-wh-m'), shown.get('ich00001-bk-s')]).toEqual([1, 10, 13]);
    // Without a list every other row (starting with the first) fails.
    srv.ctx.faults.add({ kind: 'partial', mall: 'rakuten' });
    const r2 = await call('POST', '/es/2.0/inventories/bulk-upsert', { inventories: [row('r-sku00000001', 'ABSOLUTE', 4), row('r-sku00000002', 'ABSOLUTE', 5)] });
    expect(r2.body.errors.map((e: { metadata: { propertyPath: string } }) => e.metadata.propertyPath)).toEqual(['inventories[0]']);
    expect(srv.sim.inventoryQuantity('ich00001', 'r-sku00000002')).toBe(5);
  });
});

describe('RakutenPayOrderAPI', () => {
  it('buyer orders lower shown stock and appear in searchOrder / getOrder', async () => {
    await start();
    expect(srv.sim.placeBuyerOrder([{ skuCode: 'ich00002-be-m', quantity: 4 }])).toBeNull();
    expect(srv.sim.placeBuyerOrder([{ skuCode: 'yahoo-only', quantity: 1 }])).toBeNull();
    const id = srv.sim.placeBuyerOrder([
      { skuCode: 'ich00002-be-m', quantity: 2 },
      { skuCode: 'ich00001-bk-m', quantity: 1 },
    ]);
    expect(id).toMatch(/^000001-20260302-\d{8}$/);
    expect(srv.sim.shownStock().get('ich00002-be-m')).toBe(1);
    expect(srv.sim.shownStock().get('ich00001-bk-m')).toBe(9);
    expect(srv.ctx.truth.get('ich00002-be-m')).toBe(1);

    const s = await call('POST', '/es/2.0/order/searchOrder/', searchBody(MALL_START - DAY, MALL_START + DAY, { orderProgressList: [100] }));
    expect(s.status).toBe(200);
    expect(s.body.orderNumberList).toEqual([id]);
    expect(s.body.MessageModelList[0].messageCode).toBe('ORDER_EXT_API_SEARCH_ORDER_INFO_101');
    expect(s.body.PaginationResponseModel).toEqual({ totalRecordsAmount: 1, totalPages: 1, requestPage: 1 });
    const none = await call('POST', '/es/2.0/order/searchOrder/', searchBody(MALL_START - DAY, MALL_START + DAY, { orderProgressList: [300] }));
    expect(none.body).toMatchObject({ orderNumberList: [], PaginationResponseModel: { totalRecordsAmount: null, totalPages: null, requestPage: null } });

    const g = await call('POST', '/es/2.0/order/getOrder/', { orderNumberList: [id], version: 10 });
    expect(g.status).toBe(200);
    const o = g.body.OrderModelList[0];
    expect(o.orderProgress).toBe(100);
    expect(o.orderDatetime).toMatch(/^2026-03-02T10:00:\d\d\+0900$/);
    expect(o.OrdererModel.emailAddress).toMatch(/@pc\.fw\.rakuten\.ne\.jp$/);
    expect(o.OrdererModel.familyName).toMatch(/^[\u4e00-\u9fff]+$/);
    const pkg = o.PackageModelList[0];
    expect(pkg.SenderModel.prefecture).toMatch(/[都道府県]$/);
    expect(pkg.ItemModelList.map((i: { manageNumber: string; units: number; price: number }) => [i.manageNumber, i.units, i.price])).toEqual([
      ['ich00002', 2, 3850],
      ['ich00001', 1, 1980],
    ]);
    expect(pkg.ItemModelList[1].SkuModelList[0]).toEqual({ variantId: 'r-sku00000004', merchantDefinedSkuId: 'ich00001-bk-m', skuInfo: 'カラー:ブラック\nサイズ:M' });
    expect(o.goodsPrice).toBe(3850 * 2 + 1980);
  });

  it('validates searchOrder: 63-day window, dateType, datetime format', async () => {
    await start();
    const end = MALL_START;
    expect((await call('POST', '/es/2.0/order/searchOrder/', searchBody(end - 63 * DAY, end))).status).toBe(200);
    const wide = await call('POST', '/es/2.0/order/searchOrder/', searchBody(end - 63 * DAY - 1000, end));
    expect(wide.status).toBe(400);
    expect(wide.body.orderNumberList).toBeNull();
    expect(wide.body.PaginationResponseModel).toBeNull();
    expect(wide.body.MessageModelList[0].messageType).toBe('ERROR');
    const { dateType: _d, ...noType } = searchBody(end - DAY, end);
    expect((await call('POST', '/es/2.0/order/searchOrder/', noType)).body.MessageModelList[0].messageCode).toBe('ORDER_EXT_API_SEARCH_ORDER_ERROR_009');
    const colon = { ...searchBody(end - DAY, end), startDatetime: '2026-03-01T00:00:00+09:00' };
    expect((await call('POST', '/es/2.0/order/searchOrder/', colon)).body.MessageModelList[0].messageCode).toBe('ORDER_EXT_API_SEARCH_ORDER_ERROR_011');
    const page = { ...searchBody(end - DAY, end), PaginationRequestModel: { requestRecordsAmount: 1001, requestPage: 1 } };
    expect((await call('POST', '/es/2.0/order/searchOrder/', page)).status).toBe(400);
  });

  it('pages searchOrder results with PaginationRequestModel', async () => {
    await start();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(srv.sim.placeBuyerOrder([{ skuCode: 'ich00001-wh-s', quantity: 1 }])!);
      srv.ctx.clock.advance(60_000);
    }
    const got: string[] = [];
    for (let page = 1; page <= 3; page++) {
      const r = await call('POST', '/es/2.0/order/searchOrder/', {
        ...searchBody(MALL_START - DAY, MALL_START + DAY),
        PaginationRequestModel: { requestRecordsAmount: 2, requestPage: page, SortModelList: [{ sortColumn: 1, sortDirection: 2 }] },
      });
      expect(r.body.PaginationResponseModel).toEqual({ totalRecordsAmount: 5, totalPages: 3, requestPage: page });
      got.push(...r.body.orderNumberList);
    }
    expect(got).toEqual([...ids].reverse());
  });

  it('getOrder requires version 10 and at most 100 order numbers', async () => {
    await start();
    const id = srv.sim.placeBuyerOrder([{ skuCode: 'ich00001-wh-s', quantity: 1 }])!;
    expect((await call('POST', '/es/2.0/order/getOrder/', { orderNumberList: [id] })).status).toBe(400);
    expect((await call('POST', '/es/2.0/order/getOrder/', { orderNumberList: [id], version: 9 })).status).toBe(400);
    const many = Array.from({ length: 101 }, (_, i) => `000001-20260302-${String(i).padStart(8, '0')}`);
    const r = await call('POST', '/es/2.0/order/getOrder/', { orderNumberList: many, version: 10 });
    expect(r.status).toBe(400);
    expect(r.body.MessageModelList[0].messageType).toBe('ERROR');
  });

  it('confirm → 300 → shipping report → 500, sync and async', async () => {
    await start();
    const a = srv.sim.placeBuyerOrder([{ skuCode: 'ich00001-wh-s', quantity: 1 }])!;
    const b = srv.sim.placeBuyerOrder([{ skuCode: 'ich00001-wh-m', quantity: 1 }])!;
    const c = await call('POST', '/es/2.0/order/confirmOrder/', { orderNumberList: [a, b] });
    expect(c.status).toBe(200);
    expect(c.body.MessageModelList.map((m: { messageCode: string }) => m.messageCode)).toEqual(['ORDER_EXT_API_CONFIRM_ORDER_INFO_101', 'ORDER_EXT_API_CONFIRM_ORDER_INFO_101']);
    const again = await call('POST', '/es/2.0/order/confirmOrder/', { orderNumberList: [a] });
    expect(again.body.MessageModelList[0].messageCode).toBe('ORDER_EXT_API_CONFIRM_ORDER_ERROR_103');
    expect(srv.sim.orderModel(a)!.orderProgress).toBe(200);
    srv.ctx.clock.advance(11 * 60_000);
    expect(srv.sim.orderModel(a)!.orderProgress).toBe(300);

    const basketId = (srv.sim.orderModel(a)!.PackageModelList as { basketId: number }[])[0]!.basketId;
    const byName = await call('POST', '/es/2.0/order/updateOrderShipping/', {
      orderNumber: a,
      BasketidModelList: [{ basketId, ShippingModelList: [{ deliveryCompany: 'ヤマト運輸', shippingNumber: '1234-5678-9012', shippingDate: '2026-03-02' }] }],
    });
    expect(byName.status).toBe(400);
    expect(byName.body.MessageModelList[0].messageCode).toBe('ORDER_EXT_API_UPDATE_ORDERSHIPPING_ERROR_011');
    const ship = await call('POST', '/es/2.0/order/updateOrderShipping/', {
      orderNumber: a,
      BasketidModelList: [{ basketId, ShippingModelList: [{ deliveryCompany: '1001', shippingNumber: '1234-5678-9012', shippingDate: '2026-03-02' }] }],
    });
    expect(ship.status).toBe(200);
    expect(ship.body.MessageModelList[0]).toMatchObject({ messageCode: 'ORDER_EXT_API_UPDATE_ORDERSHIPPING_INFO_101', dataNumber: 1 });
    const model = srv.sim.orderModel(a)!;
    expect(model.orderProgress).toBe(500);
    expect((model.PackageModelList as { ShippingModelList: unknown[] }[])[0]!.ShippingModelList[0]).toMatchObject({ deliveryCompanyName: 'ヤマト運輸', shippingDate: '2026-03-02' });

    const basketB = (srv.sim.orderModel(b)!.PackageModelList as { basketId: number }[])[0]!.basketId;
    const accepted = await call('POST', '/es/2.0/order/updateOrderShippingAsync/', {
      OrderShippingModelList: [{ orderNumber: b, BasketidModelList: [{ basketId: basketB, ShippingModelList: [{ deliveryCompany: '1002', shippingNumber: '4000-1111-2222', shippingDate: '2026-03-02' }] }] }],
    });
    expect(accepted.status).toBe(200);
    const requestId = accepted.body.MessageModelList[0].requestId;
    expect(requestId).toMatch(/^[0-9a-f-]{36}_\d{14}$/);
    const early = await call('POST', '/es/2.0/order/getResultUpdateOrderShippingAsync/', { requestId });
    expect(early.body.MessageModelList[0].messageCode).toBe('ORDER_EXT_API_GET_RESULT_UPDATEORDERSHIPPING_ASYNC_INFO_101');
    srv.ctx.clock.advance(10_000);
    const done = await call('POST', '/es/2.0/order/getResultUpdateOrderShippingAsync/', { requestId });
    expect(done.body.ResultShippingModelList[0].orderNumber).toBe(b);
    expect(done.body.ResultShippingModelList[0].MessageModelList[0].messageType).toBe('INFO');
    expect(srv.sim.orderModel(b)!.orderProgress).toBe(500);
    const invalid = await call('POST', '/es/2.0/order/updateOrderShippingAsync/', {
      OrderShippingModelList: [{ orderNumber: b, BasketidModelList: [{ basketId: basketB, ShippingModelList: [{ shippingDate: '2026/03/02' }] }] }],
    });
    expect(invalid.status).toBe(200);
    expect(invalid.body.MessageModelList[0].messageCode).toBe('ORDER_EXT_API_UPDATE_ORDERSHIPPING_ASYNC_ERROR_011');
  });

  it('cancels orders left unconfirmed for 14 days and gives the stock back', async () => {
    await start();
    const stale = srv.sim.placeBuyerOrder([{ skuCode: 'ich00002-be-m', quantity: 3 }])!;
    const kept = srv.sim.placeBuyerOrder([{ skuCode: 'ich00001-wh-s', quantity: 2 }])!;
    await call('POST', '/es/2.0/order/confirmOrder/', { orderNumberList: [kept] });
    expect(srv.sim.shownStock().get('ich00002-be-m')).toBe(0);
    expect(srv.ctx.truth.get('ich00002-be-m')).toBe(0);
    srv.ctx.clock.advance(14 * DAY - 60_000);
    expect(srv.sim.orderModel(stale)!.orderProgress).toBe(100);
    expect(srv.sim.shownStock().get('ich00002-be-m')).toBe(0);
    srv.ctx.clock.advance(120_000);
    const r = await call('POST', '/es/2.0/order/getOrder/', { orderNumberList: [stale, kept], version: 10 });
    const progress = r.body.OrderModelList.map((o: { orderProgress: number }) => o.orderProgress);
    expect(progress[0]).toBe(900);
    expect(progress[1]).toBeGreaterThanOrEqual(300);
    expect(srv.sim.shownStock().get('ich00002-be-m')).toBe(3);
    expect(srv.ctx.truth.get('ich00002-be-m')).toBe(3);
    expect(srv.ctx.truth.cancelledOrders).toBe(1);
    const cancelled = await call('POST', '/es/2.0/order/searchOrder/', searchBody(MALL_START - DAY, MALL_START + DAY, { orderProgressList: [900] }));
    expect(cancelled.body.orderNumberList).toEqual([stale]);
  });

  it('cancelBuyerOrder sets 900 and restores stock once', async () => {
    await start();
    const id = srv.sim.placeBuyerOrder([{ skuCode: 'ich00001-bk-s', quantity: 4 }])!;
    expect(srv.sim.shownStock().get('ich00001-bk-s')).toBe(6);
    expect(srv.sim.cancelBuyerOrder(id)).toBe(true);
    expect(srv.sim.cancelBuyerOrder(id)).toBe(false);
    expect(srv.sim.shownStock().get('ich00001-bk-s')).toBe(10);
    expect(srv.sim.orderModel(id)!.orderProgress).toBe(900);
    expect(srv.sim.orderIds()).toEqual([id]);
  });
});

describe('rate limits and faults', () => {
  it('throttles bursts beyond the bucket with 429 + Retry-After, and refills with mall time', async () => {
    // Mall time nearly frozen so only clock.advance refills the buckets, however slow the machine.
    await start({ rateLimits: true, timeScale: 0.001 });
    const body = { inventories: [{ manageNumber: 'ich00001', variantId: 'r-sku00000001', mode: 'RELATIVE', quantity: 1 }] };
    const answers = await Promise.all([1, 2, 3].map(() => call('POST', '/es/2.0/inventories/bulk-upsert', body)));
    expect(answers.map((a) => a.status).sort()).toEqual([204, 429, 429]);
    const refused = answers.find((a) => a.status === 429)!;
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.body).toEqual({ Results: { errorCode: 'QPSLimit', message: 'QPSLimit' } });
    expect(srv.sim.inventoryQuantity('ich00001', 'r-sku00000001')).toBe(11);
    expect(srv.ctx.limiter.throttled.get('rakuten:inventories.bulk.upsert')).toBe(2);
    srv.ctx.clock.advance(1000);
    expect((await call('POST', '/es/2.0/inventories/bulk-upsert', body)).status).toBe(204);
    // bulk-get has its own 5 rps bucket.
    const gets = await Promise.all(Array.from({ length: 7 }, () => call('POST', '/es/2.0/inventories/bulk-get', { inventories: [{ manageNumber: 'ich00001', variantId: 'r-sku00000001' }] })));
    expect(gets.filter((g) => g.status === 200)).toHaveLength(5);
  });

  it('shares one ~1 rps bucket across order functions and refills in real time with timeScale', async () => {
    // timeScale 5: one order-API token per 200 ms of real time.
    await start({ rateLimits: true, timeScale: 5, sim: { throttleStatus: 403 } });
    expect((await call('POST', '/es/2.0/order/searchOrder/', searchBody(MALL_START - DAY, MALL_START))).status).toBe(200);
    const r = await call('POST', '/es/2.0/order/getOrder/', { orderNumberList: ['000001-20260302-00000001'], version: 10 });
    expect(r.status).toBe(403);
    expect(r.body.Results.errorCode).toBe('QPSLimit');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await call('POST', '/es/2.0/order/getOrder/', { orderNumberList: ['000001-20260302-00000001'], version: 10 })).status).toBe(200);
  });

  it('throttle fault answers the throttle response without spending tokens', async () => {
    await start({ rateLimits: true, timeScale: 0.001 });
    srv.ctx.faults.add({ kind: 'throttle', mall: 'rakuten', path: '/items/' });
    expect((await call('GET', '/es/2.0/items/manage-numbers/ich00001')).status).toBe(429);
    expect((await call('GET', '/es/2.0/items/manage-numbers/ich00001')).status).toBe(200);
  });

  it('server-error fault answers 500 / 503 in each family', async () => {
    await start();
    srv.ctx.faults.add({ kind: 'server-error', mall: 'rakuten', path: '/inventories/' });
    srv.ctx.faults.add({ kind: 'server-error', mall: 'rakuten', path: '/order/', status: 503 });
    const inv = await call('POST', '/es/2.0/inventories/bulk-get', { inventories: [{ manageNumber: 'ich00001', variantId: 'r-sku00000001' }] });
    expect(inv.status).toBe(500);
    expect(inv.body.errors[0].code).toBe('GE0019');
    const ord = await call('POST', '/es/2.0/order/searchOrder/', searchBody(MALL_START - DAY, MALL_START));
    expect(ord.status).toBe(503);
    expect(ord.body.MessageModelList[0].messageType).toBe('ERROR');
    expect((await call('POST', '/es/2.0/order/searchOrder/', searchBody(MALL_START - DAY, MALL_START))).status).toBe(200);
  });

  it('answers 404 GE0007 for unknown paths', async () => {
    await start();
    const r = await call('GET', '/es/2.0/items/nothing-here/at-all');
    expect(r.status).toBe(404);
    expect(r.body.errors[0].code).toBe('GE0007');
  });
});

describe('inside the whole mall simulator (core/server.ts)', () => {
  it('serves /es paths on the rakuten port and follows control-endpoint orders and time', async () => {
    const { startMallSim } = await import('../core/server');
    const sim = await startMallSim({ timeScale: 1, rateLimits: false });
    try {
      sim.seed(SEED);
      const control = async (path: string, body?: unknown) =>
        (await fetch(sim.urls.control + path, { method: body === undefined ? 'GET' : 'POST', headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })).json();
      const { orderId } = await control('/__control/order', { mall: 'rakuten', lines: [{ skuCode: 'ich00002-be-m', quantity: 1 }] });
      expect(orderId).toMatch(/^000001-\d{8}-\d{8}$/);
      const state = await control('/__control/state');
      expect(state.shown.rakuten['ich00002-be-m']).toBe(2);
      expect(state.truth['ich00002-be-m']).toBe(2);
      const now = sim.ctx.clock.now();
      const res = await fetch(`${sim.urls.rakuten}/es/2.0/order/searchOrder/`, {
        method: 'POST',
        headers: { authorization: esaHeader(sim.ctx.credentials.rakuten.serviceSecret, sim.ctx.credentials.rakuten.licenseKey), 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(searchBody(now - DAY, now + DAY)),
      });
      expect((await res.json()).orderNumberList).toEqual([orderId]);
      await control('/__control/time', { advanceMs: 15 * DAY });
      expect((await control('/__control/state')).shown.rakuten['ich00002-be-m']).toBe(3);
    } finally {
      await sim.close();
    }
  });
});
