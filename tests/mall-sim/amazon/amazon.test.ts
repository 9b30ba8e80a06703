import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SeedListing } from '../core/types';
import {
  spApiRateLimit,
  validateListingsFeed,
  validateListingsFeedProcessingReport,
  validateSpApiRequest,
  validateSpApiResponse,
  type SpApiModelFile,
} from './model-validator';
import { OPERATIONS } from './ops';
import { AMAZON_TEST_CREDENTIALS as CREDS, startAmazonTestServer, type AmazonTestServer } from './test-server';

const LISTINGS: SpApiModelFile = 'listingsItems_2021-08-01.json';
const FEEDS: SpApiModelFile = 'feeds_2021-06-30.json';
const ORDERS: SpApiModelFile = 'ordersV0.json';
const ORDERS26: SpApiModelFile = 'orders_2026-01-01.json';
const TOKENS: SpApiModelFile = 'tokens_2021-03-01.json';
const MP = CREDS.marketplaceId;
const MINUTE = 60_000;

const SEED: SeedListing[] = [
  { skuCode: 'TS-RED-M', productCode: 'TS', productName: '綿Tシャツ', variant: { color: '赤', size: 'M' }, price: 1980, stock: 5, amazon: { sellerSku: 'ICH-TS-RED-M', asin: 'B0ICHI0001' } },
  { skuCode: 'TS-BLU-L', productCode: 'TS', productName: '綿Tシャツ', variant: { color: '青', size: 'L' }, price: 1980, stock: 3, amazon: { sellerSku: 'ICH-TS-BLU-L', asin: 'B0ICHI0002' } },
  { skuCode: 'MUG-01', productCode: 'MUG', productName: '有田焼マグカップ', variant: {}, price: 3300, stock: 10, amazon: { sellerSku: 'ICH-MUG-01', asin: 'B0ICHI0003' } },
  { skuCode: 'RAKUTEN-ONLY', productCode: 'R', productName: '楽天限定', variant: {}, price: 500, stock: 4 },
];

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

let sim: AmazonTestServer;
let token: string;

async function http(
  method: string,
  path: string,
  init: { token?: string | null; query?: Record<string, string>; body?: unknown; contentType?: string; rawBody?: string } = {},
): Promise<Answer> {
  const url = new URL(path, sim.url);
  for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = { 'user-agent': 'IchigenTest/1.0 (Language=TypeScript)' };
  const t = init.token === undefined ? token : init.token;
  if (t) headers['x-amz-access-token'] = t;
  let body: string | undefined = init.rawBody;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] = init.contentType ?? 'application/json';
  } else if (init.contentType) headers['content-type'] = init.contentType;
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = undefined;
  if (text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** Every response body is checked against the official model for its operation and status. */
function expectModel(file: SpApiModelFile, operationId: string, a: Answer): void {
  const result = validateSpApiResponse(file, operationId, a.status, a.body);
  expect(result.errors, `${operationId} ${a.status}: ${a.text.slice(0, 300)}`).toEqual([]);
  expect(a.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
  if (a.status < 300) expect(a.headers.get('x-amzn-ratelimit-limit')).not.toBeNull();
  else expect(a.headers.get('x-amzn-ratelimit-limit')).toBeNull();
}

async function lwa(form: Record<string, string>, json = false): Promise<Answer> {
  const res = await fetch(new URL('/auth/o2/token', sim.url), {
    method: 'POST',
    headers: { 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded;charset=UTF-8' },
    body: json ? JSON.stringify(form) : new URLSearchParams(form).toString(),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: JSON.parse(text) as unknown, text };
}

const refreshForm = (): Record<string, string> => ({
  grant_type: 'refresh_token',
  refresh_token: CREDS.refreshToken,
  client_id: CREDS.clientId,
  client_secret: CREDS.clientSecret,
});

async function freshToken(): Promise<string> {
  const a = await lwa(refreshForm());
  return (a.body as { access_token: string }).access_token;
}

const itemPath = (sku: string, sellerId = CREDS.sellerId): string => `/listings/2021-08-01/items/${sellerId}/${encodeURIComponent(sku)}`;
const shown = (skuCode: string): number | undefined => sim.sim.shownStock().get(skuCode);

function qtyPatch(quantity: unknown, op = 'merge', extra: Record<string, unknown> = {}): unknown {
  return {
    productType: 'PRODUCT',
    patches: [{ op, path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity, ...extra }] }],
  };
}

beforeAll(async () => {
  // Frozen mall time: only clock.advance() moves it, so buckets and deadlines do not depend on machine speed.
  sim = await startAmazonTestServer({ timeScale: 0 });
});

afterAll(async () => {
  await sim.close();
});

beforeEach(async () => {
  sim.sim.reset();
  sim.ctx.limiter.reset();
  sim.ctx.faults.clear();
  sim.ctx.truth.reset();
  sim.seed(SEED);
  token = await freshToken();
});

describe('model tables', () => {
  it('uses the usage plans printed in the official models for every operation', () => {
    for (const op of OPERATIONS) {
      expect({ key: op.key, ...spApiRateLimit(op.model, op.operationId) }).toEqual({ key: op.key, rate: op.rate, burst: op.burst });
    }
  });
});

describe('Login with Amazon', () => {
  it('exchanges a refresh token (form or JSON) for an hour-long Atza| token', async () => {
    for (const json of [false, true]) {
      const a = await lwa(refreshForm(), json);
      expect(a.status).toBe(200);
      const body = a.body as Record<string, unknown>;
      expect(body.access_token).toMatch(/^Atza\|/);
      expect(body).toMatchObject({ token_type: 'bearer', expires_in: 3600, refresh_token: CREDS.refreshToken });
    }
  });

  it('answers invalid_client, invalid_grant, invalid_request and unsupported_grant_type', async () => {
    const badClient = await lwa({ ...refreshForm(), client_secret: 'nope' });
    expect(badClient.status).toBe(401);
    expect(badClient.body).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed' });

    const badGrant = await lwa({ ...refreshForm(), refresh_token: 'Atzr|revoked' });
    expect(badGrant.status).toBe(400);
    expect(badGrant.body).toMatchObject({ error: 'invalid_grant' });
    expect((badGrant.body as { error_description: string }).error_description).toContain('refresh_token');

    const { grant_type: _omit, ...noGrant } = refreshForm();
    expect((await lwa(noGrant)).body).toMatchObject({ error: 'invalid_request' });
    expect((await lwa({ ...refreshForm(), grant_type: 'password' })).body).toMatchObject({ error: 'unsupported_grant_type' });
  });

  it('answers server_error when the token endpoint is faulted', async () => {
    sim.ctx.faults.add({ kind: 'server-error', mall: 'amazon', path: '/auth/o2/token' });
    const a = await lwa(refreshForm());
    expect(a.status).toBe(500);
    expect(a.body).toMatchObject({ error: 'server_error' });
  });
});

describe('access tokens on SP-API calls', () => {
  const get = (t: string | null) => http('GET', itemPath('ICH-MUG-01'), { token: t, query: { marketplaceIds: MP } });

  it('refuses a missing or unknown token with 403 Unauthorized and AccessDeniedException', async () => {
    const missing = await get(null);
    expectModel(LISTINGS, 'getListingsItem', missing);
    expect(missing.status).toBe(403);
    expect(missing.headers.get('x-amzn-errortype')).toBe('AccessDeniedException');
    expect(missing.body).toEqual({ errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.', details: '' }] });

    const forged = await get('Atza|IwEBforged');
    expectModel(LISTINGS, 'getListingsItem', forged);
    expect((forged.body as { errors: { details: string }[] }).errors[0]?.details).toBe(
      'The access token you provided is revoked, malformed or invalid.',
    );
  });

  it('expires tokens after 3600 s of mall time', async () => {
    expect((await get(token)).status).toBe(200);
    sim.ctx.clock.advance(3_601_000);
    const expired = await get(token);
    expectModel(LISTINGS, 'getListingsItem', expired);
    expect(expired.status).toBe(403);
    expect((expired.body as { errors: { details: string }[] }).errors[0]?.details).toBe('The access token you provided has expired.');
    expect((await get(await freshToken())).status).toBe(200);
  });

  it('expire-auth fault expires the token in use for good; a refreshed token works', async () => {
    sim.ctx.faults.add({ kind: 'expire-auth', mall: 'amazon' });
    const first = await get(token);
    expect(first.status).toBe(403);
    expect((first.body as { errors: { details: string }[] }).errors[0]?.details).toContain('expired');
    expect((await get(token)).status).toBe(403);
    expect((await get(await freshToken())).status).toBe(200);
  });

  it('refuses another seller id in the path and answers 403 on unknown resources', async () => {
    const other = await http('GET', itemPath('ICH-MUG-01', 'A3OTHERSELLER'), { query: { marketplaceIds: MP } });
    expect(other.status).toBe(403);
    const unknown = await http('GET', '/catalog/2022-04-01/items');
    expect(unknown.status).toBe(403);
    expect(unknown.headers.get('x-amzn-requestid')).toBeTruthy();
  });
});

describe('Listings Items 2021-08-01', () => {
  it('gets a seeded listing with every includedData set, shown stock as fulfillmentAvailability', async () => {
    const a = await http('GET', itemPath('ICH-TS-RED-M'), {
      query: { marketplaceIds: MP, includedData: 'summaries,attributes,issues,offers,fulfillmentAvailability,procurement,relationships,productTypes' },
    });
    expectModel(LISTINGS, 'getListingsItem', a);
    expect(a.status).toBe(200);
    expect(a.headers.get('x-amzn-ratelimit-limit')).toBe('5.0');
    const item = a.body as Record<string, any>;
    expect(item.summaries[0]).toMatchObject({ marketplaceId: MP, asin: 'B0ICHI0001', status: ['BUYABLE', 'DISCOVERABLE'], conditionType: 'new_new' });
    expect(item.fulfillmentAvailability).toEqual([{ fulfillmentChannelCode: 'DEFAULT', quantity: 5 }]);
    expect(item.attributes.fulfillment_availability[0]).toMatchObject({ quantity: 5, lead_time_to_ship_max_days: 2 });
    expect(item.offers[0]).toMatchObject({ offerType: 'B2C', price: { currencyCode: 'JPY', amount: '1980' } });
    expect(item.issues).toEqual([]);
  });

  it('answers 404 for an unknown SKU and 400 for a missing or bad query parameter', async () => {
    const missing = await http('GET', itemPath('NOPE'), { query: { marketplaceIds: MP } });
    expectModel(LISTINGS, 'getListingsItem', missing);
    expect(missing.status).toBe(404);

    const noMarketplace = await http('GET', itemPath('ICH-MUG-01'));
    expectModel(LISTINGS, 'getListingsItem', noMarketplace);
    expect(noMarketplace.status).toBe(400);
    expect((noMarketplace.body as { errors: { code: string }[] }).errors[0]?.code).toBe('InvalidInput');

    const badIncluded = await http('GET', itemPath('ICH-MUG-01'), { query: { marketplaceIds: MP, includedData: 'summaries,stock' } });
    expect(badIncluded.status).toBe(400);
  });

  it('merge updates only the quantity; replace drops what it does not send', async () => {
    const merged = await http('PATCH', itemPath('ICH-TS-RED-M'), { query: { marketplaceIds: MP }, body: qtyPatch(2) });
    expectModel(LISTINGS, 'patchListingsItem', merged);
    expect(merged.body).toMatchObject({ sku: 'ICH-TS-RED-M', status: 'ACCEPTED', issues: [] });
    expect((merged.body as { submissionId: string }).submissionId).toMatch(/^[0-9a-f]{32}$/);
    expect(shown('TS-RED-M')).toBe(2);
    expect(sim.sim.listing('ICH-TS-RED-M')?.attributes.fulfillment_availability?.[0]).toMatchObject({ quantity: 2, lead_time_to_ship_max_days: 2 });

    const replaced = await http('PATCH', itemPath('ICH-TS-RED-M'), { query: { marketplaceIds: MP }, body: qtyPatch(7, 'replace') });
    expect(replaced.body).toMatchObject({ status: 'ACCEPTED' });
    expect(shown('TS-RED-M')).toBe(7);
    expect(sim.sim.listing('ICH-TS-RED-M')?.attributes.fulfillment_availability?.[0]).toEqual({ fulfillment_channel_code: 'DEFAULT', quantity: 7 });

    const lead = await http('PATCH', itemPath('ICH-TS-RED-M'), {
      query: { marketplaceIds: MP },
      body: {
        productType: 'SHIRT',
        patches: [
          { op: 'merge', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', lead_time_to_ship_max_days: 5 }] },
          {
            op: 'replace',
            path: '/attributes/purchasable_offer',
            value: [{ marketplace_id: MP, currency: 'JPY', audience: 'ALL', our_price: [{ schedule: [{ value_with_tax: 2480 }] }] }],
          },
        ],
      },
    });
    expect(lead.body).toMatchObject({ status: 'ACCEPTED' });
    const after = await http('GET', itemPath('ICH-TS-RED-M'), { query: { marketplaceIds: MP, includedData: 'offers,attributes' } });
    expectModel(LISTINGS, 'getListingsItem', after);
    const item = after.body as Record<string, any>;
    expect(item.attributes.fulfillment_availability[0]).toEqual({ fulfillment_channel_code: 'DEFAULT', quantity: 7, lead_time_to_ship_max_days: 5 });
    expect(item.offers[0].price).toEqual({ currencyCode: 'JPY', amount: '2480' });
  });

  it('VALIDATION_PREVIEW validates and answers VALID with identifiers but changes nothing', async () => {
    const a = await http('PATCH', itemPath('ICH-MUG-01'), {
      query: { marketplaceIds: MP, mode: 'VALIDATION_PREVIEW', includedData: 'identifiers,issues' },
      body: qtyPatch(0),
    });
    expectModel(LISTINGS, 'patchListingsItem', a);
    expect(a.body).toMatchObject({ status: 'VALID', identifiers: [{ marketplaceId: MP, asin: 'B0ICHI0003' }], issues: [] });
    expect(shown('MUG-01')).toBe(10);

    const invalidPreview = await http('PATCH', itemPath('ICH-MUG-01'), { query: { marketplaceIds: MP, mode: 'VALIDATION_PREVIEW' }, body: qtyPatch(-3) });
    expect(invalidPreview.body).toMatchObject({ status: 'INVALID' });

    const identifiersOutsidePreview = await http('PATCH', itemPath('ICH-MUG-01'), { query: { marketplaceIds: MP, includedData: 'identifiers' }, body: qtyPatch(1) });
    expectModel(LISTINGS, 'patchListingsItem', identifiersOutsidePreview);
    expect(identifiersOutsidePreview.status).toBe(400);
    expect(shown('MUG-01')).toBe(10);
  });

  it('answers INVALID with issues for a negative quantity, fractional yen or a missing selector, and keeps stock', async () => {
    const negative = await http('PATCH', itemPath('ICH-MUG-01'), { query: { marketplaceIds: MP }, body: qtyPatch(-1) });
    expectModel(LISTINGS, 'patchListingsItem', negative);
    const body = negative.body as { status: string; issues: { severity: string; attributeNames: string[]; categories: string[] }[] };
    expect(body.status).toBe('INVALID');
    expect(body.issues[0]).toMatchObject({ severity: 'ERROR', attributeNames: ['fulfillment_availability'], categories: ['INVALID_ATTRIBUTE'] });

    const fraction = await http('PATCH', itemPath('ICH-MUG-01'), { query: { marketplaceIds: MP }, body: qtyPatch(1.5) });
    expect(fraction.body).toMatchObject({ status: 'INVALID' });

    const price = await http('PATCH', itemPath('ICH-MUG-01'), {
      query: { marketplaceIds: MP },
      body: { productType: 'PRODUCT', patches: [{ op: 'replace', path: '/attributes/purchasable_offer', value: [{ currency: 'JPY', our_price: [{ schedule: [{ value_with_tax: 1980.5 }] }] }] }] },
    });
    expectModel(LISTINGS, 'patchListingsItem', price);
    expect((price.body as { issues: { categories: string[] }[] }).issues[0]?.categories).toEqual(['INVALID_PRICE']);

    const noSelector = await http('PATCH', itemPath('ICH-MUG-01'), {
      query: { marketplaceIds: MP },
      body: { productType: 'PRODUCT', patches: [{ op: 'merge', path: '/attributes/fulfillment_availability', value: [{ quantity: 1 }] }] },
    });
    expect((noSelector.body as { issues: { message: string }[] }).issues[0]?.message).toContain("'fulfillment_channel_code'");

    const nested = await http('PATCH', itemPath('ICH-MUG-01'), {
      query: { marketplaceIds: MP },
      body: { productType: 'PRODUCT', patches: [{ op: 'replace', path: '/attributes/fulfillment_availability/0/quantity', value: [{ value: 1 }] }] },
    });
    expect(nested.body).toMatchObject({ status: 'INVALID' });

    sim.ctx.clock.advance(1000); // five patches spent the bucket's burst
    const wrongType = await http('PATCH', itemPath('ICH-MUG-01'), { query: { marketplaceIds: MP }, body: { ...(qtyPatch(1) as object), productType: 'LUGGAGE' } });
    expect(wrongType.body).toMatchObject({ status: 'INVALID' });
    expect(shown('MUG-01')).toBe(10);
  });

  it('answers 400 for malformed patch bodies and 415 without application/json', async () => {
    const noValue = await http('PATCH', itemPath('ICH-MUG-01'), {
      query: { marketplaceIds: MP },
      body: { productType: 'PRODUCT', patches: [{ op: 'replace', path: '/attributes/fulfillment_availability' }] },
    });
    expectModel(LISTINGS, 'patchListingsItem', noValue);
    expect(noValue.body).toEqual({ errors: [{ code: 'InvalidInput', message: 'Value is missing for patch at index of 0.', details: '' }] });

    const badOp = await http('PATCH', itemPath('ICH-MUG-01'), {
      query: { marketplaceIds: MP },
      body: { productType: 'PRODUCT', patches: [{ op: 'upsert', path: '/attributes/fulfillment_availability', value: [] }] },
    });
    expectModel(LISTINGS, 'patchListingsItem', badOp);
    expect(badOp.status).toBe(400);

    const text = await http('PATCH', itemPath('ICH-MUG-01'), { query: { marketplaceIds: MP }, rawBody: JSON.stringify(qtyPatch(1)), contentType: 'text/plain' });
    expectModel(LISTINGS, 'patchListingsItem', text);
    expect(text.status).toBe(415);
    expect(shown('MUG-01')).toBe(10);
  });

  it('PUT replaces a listing and creates offer-only listings; DELETE removes one', async () => {
    const missingAsin = await http('PUT', itemPath('NEW-SKU-1'), {
      query: { marketplaceIds: MP },
      body: { productType: 'PRODUCT', requirements: 'LISTING_OFFER_ONLY', attributes: { condition_type: [{ value: 'new_new' }] } },
    });
    expectModel(LISTINGS, 'putListingsItem', missingAsin);
    expect(missingAsin.body).toMatchObject({ status: 'INVALID', issues: [{ code: '90220', attributeNames: ['merchant_suggested_asin'] }] });

    const created = await http('PUT', itemPath('NEW-SKU-1'), {
      query: { marketplaceIds: MP },
      body: {
        productType: 'PRODUCT',
        requirements: 'LISTING_OFFER_ONLY',
        attributes: {
          condition_type: [{ value: 'new_new' }],
          merchant_suggested_asin: [{ value: 'B0ICHI0099' }],
          fulfillment_availability: [{ fulfillment_channel_code: 'DEFAULT', quantity: 4 }],
          purchasable_offer: [{ currency: 'JPY', our_price: [{ schedule: [{ value_with_tax: 990 }] }] }],
        },
      },
    });
    expectModel(LISTINGS, 'putListingsItem', created);
    expect(created.body).toMatchObject({ status: 'ACCEPTED' });
    const got = await http('GET', itemPath('NEW-SKU-1'), { query: { marketplaceIds: MP, includedData: 'summaries,fulfillmentAvailability' } });
    expectModel(LISTINGS, 'getListingsItem', got);
    expect(got.body).toMatchObject({ summaries: [{ asin: 'B0ICHI0099', productType: 'PRODUCT' }], fulfillmentAvailability: [{ quantity: 4 }] });

    const twoMarketplaces = await http('PUT', itemPath('NEW-SKU-1'), {
      query: { marketplaceIds: `${MP},ATVPDKIKX0DER` },
      body: { productType: 'PRODUCT', attributes: { item_name: [{ value: 'x' }], condition_type: [{ value: 'new_new' }] } },
    });
    expect(twoMarketplaces.status).toBe(400);

    const deleted = await http('DELETE', itemPath('ICH-TS-BLU-L'), { query: { marketplaceIds: MP } });
    expectModel(LISTINGS, 'deleteListingsItem', deleted);
    expect(deleted.body).toMatchObject({ status: 'ACCEPTED' });
    expect((await http('GET', itemPath('ICH-TS-BLU-L'), { query: { marketplaceIds: MP } })).status).toBe(404);
    expect(sim.sim.shownStock().has('TS-BLU-L')).toBe(false);
  });

  it('searches listings with paging', async () => {
    const first = await http('GET', `/listings/2021-08-01/items/${CREDS.sellerId}`, { query: { marketplaceIds: MP, pageSize: '2', sortBy: 'sku', sortOrder: 'ASC' } });
    expectModel(LISTINGS, 'searchListingsItems', first);
    const body = first.body as { numberOfResults: number; items: { sku: string }[]; pagination: { nextToken: string } };
    expect(body.numberOfResults).toBe(3);
    expect(body.items.map((i) => i.sku)).toEqual(['ICH-MUG-01', 'ICH-TS-BLU-L']);
    const second = await http('GET', `/listings/2021-08-01/items/${CREDS.sellerId}`, {
      query: { marketplaceIds: MP, pageSize: '2', sortBy: 'sku', sortOrder: 'ASC', pageToken: body.pagination.nextToken },
    });
    expectModel(LISTINGS, 'searchListingsItems', second);
    expect((second.body as { items: { sku: string }[] }).items.map((i) => i.sku)).toEqual(['ICH-TS-RED-M']);
  });
});

describe('Feeds 2021-06-30 with JSON_LISTINGS_FEED', () => {
  const contentType = 'application/json; charset=UTF-8';

  async function uploadFeed(doc: unknown, type = contentType): Promise<string> {
    const created = await http('POST', '/feeds/2021-06-30/documents', { body: { contentType: type } });
    expectModel(FEEDS, 'createFeedDocument', created);
    expect(created.status).toBe(201);
    const { feedDocumentId, url } = created.body as { feedDocumentId: string; url: string };
    const put = await fetch(url, { method: 'PUT', headers: { 'content-type': type }, body: typeof doc === 'string' ? doc : JSON.stringify(doc) });
    expect(put.status).toBe(200);
    return feedDocumentId;
  }

  async function createFeed(inputFeedDocumentId: string): Promise<string> {
    const body = { feedType: 'JSON_LISTINGS_FEED', marketplaceIds: [MP], inputFeedDocumentId };
    expect(validateSpApiRequest(FEEDS, 'createFeed', body).errors).toEqual([]);
    const a = await http('POST', '/feeds/2021-06-30/feeds', { body });
    expectModel(FEEDS, 'createFeed', a);
    expect(a.status).toBe(202);
    return (a.body as { feedId: string }).feedId;
  }

  async function getFeed(feedId: string): Promise<Record<string, string>> {
    const a = await http('GET', `/feeds/2021-06-30/feeds/${feedId}`);
    expectModel(FEEDS, 'getFeed', a);
    return a.body as Record<string, string>;
  }

  async function downloadReport(documentId: string): Promise<Record<string, any>> {
    const a = await http('GET', `/feeds/2021-06-30/documents/${encodeURIComponent(documentId)}`);
    expectModel(FEEDS, 'getFeedDocument', a);
    const { url, compressionAlgorithm } = a.body as { url: string; compressionAlgorithm?: string };
    const res = await fetch(url);
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    const report = JSON.parse((compressionAlgorithm === 'GZIP' ? gunzipSync(bytes) : bytes).toString('utf8')) as Record<string, any>;
    expect(validateListingsFeedProcessingReport(report).errors).toEqual([]);
    return report;
  }

  it('runs a feed IN_QUEUE → IN_PROGRESS → DONE and reports per-message failures', async () => {
    const feed = {
      header: { sellerId: CREDS.sellerId, version: '2.0', issueLocale: 'ja_JP', report: { includedData: ['fulfillmentAvailability'], apiVersion: '2021-08-01' } },
      messages: [
        { messageId: 1, sku: 'ICH-TS-RED-M', operationType: 'PATCH', productType: 'PRODUCT', patches: [{ op: 'merge', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 1, lead_time_to_ship_max_days: 4 }] }] },
        { messageId: 2, sku: 'ICH-TS-BLU-L', operationType: 'PATCH', productType: 'PRODUCT', patches: [{ op: 'merge', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity: -2 }] }] },
        { messageId: 3, sku: 'ICH-MUG-01', operationType: 'PATCH', productType: 'PRODUCT', patches: [{ op: 'merge', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 0 }] }] },
        { messageId: 4, sku: 'ICH-TS-RED-M', operationType: 'PARTIAL_UPDATE', productType: 'PRODUCT', attributes: { purchasable_offer: [{ marketplace_id: MP, currency: 'JPY', audience: 'ALL', our_price: [{ schedule: [{ value_with_tax: 1780 }] }] }] } },
      ],
    };
    expect(validateListingsFeed(feed).errors).toEqual([]);
    sim.ctx.faults.add({ kind: 'partial', mall: 'amazon', items: ['ICH-MUG-01'] });
    const feedId = await createFeed(await uploadFeed(feed));

    const queued = await getFeed(feedId);
    expect(queued.processingStatus).toBe('IN_QUEUE');
    expect(queued.resultFeedDocumentId).toBeUndefined();
    sim.ctx.clock.advance(31_000);
    expect((await getFeed(feedId)).processingStatus).toBe('IN_PROGRESS');
    expect(shown('TS-RED-M')).toBe(5);
    sim.ctx.clock.advance(60_000);
    const done = await getFeed(feedId);
    expect(done.processingStatus).toBe('DONE');
    expect(done.processingEndTime).toBeTruthy();

    const report = await downloadReport(done.resultFeedDocumentId as string);
    expect(report.header).toMatchObject({ sellerId: CREDS.sellerId, version: '2.0', feedId });
    expect(report.summary).toMatchObject({ messagesProcessed: 4, messagesAccepted: 2, messagesInvalid: 2, errors: 2 });
    const failed = (report.issues as { messageId: number; sku: string; severity: string }[]).map((i) => [i.messageId, i.sku, i.severity]);
    expect(failed).toEqual([
      [2, 'ICH-TS-BLU-L', 'ERROR'],
      [3, 'ICH-MUG-01', 'ERROR'],
    ]);
    expect(report.items).toEqual([{ sku: 'ICH-TS-RED-M', fulfillmentAvailability: [{ fulfillmentChannelCode: 'DEFAULT', quantity: 1 }] }]);
    expect(shown('TS-RED-M')).toBe(1);
    expect(shown('TS-BLU-L')).toBe(3);
    expect(shown('MUG-01')).toBe(10);
    expect(sim.sim.listing('ICH-TS-RED-M')?.attributes.fulfillment_availability?.[0]).toMatchObject({ lead_time_to_ship_max_days: 4 });
  });

  it('reports schema-invalid messages per message and ends unreadable feeds FATAL', async () => {
    const feedId = await createFeed(
      await uploadFeed({
        header: { sellerId: CREDS.sellerId, version: '2.0' },
        messages: [
          { messageId: 1, sku: 'ICH-MUG-01', operationType: 'PATCH', productType: 'PRODUCT', patches: [{ op: 'merge', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 8 }] }] },
          { messageId: 2, sku: 'ICH-TS-RED-M', operationType: 'PATCH', productType: 'PRODUCT', attributes: { x: [{}] } },
        ],
      }),
    );
    sim.ctx.clock.advance(2 * MINUTE);
    const done = await getFeed(feedId);
    expect(done.processingStatus).toBe('DONE');
    const report = await downloadReport(done.resultFeedDocumentId as string);
    expect(report.summary).toMatchObject({ messagesAccepted: 1, messagesInvalid: 1 });
    expect(report.issues[0]).toMatchObject({ messageId: 2, code: 'BAD_REQUEST', severity: 'ERROR' });
    expect(shown('MUG-01')).toBe(8);

    const brokenId = await createFeed(await uploadFeed('{"header": {"sellerId": '));
    sim.ctx.clock.advance(2 * MINUTE);
    const broken = await getFeed(brokenId);
    expect(broken.processingStatus).toBe('FATAL');
    const fatalReport = await downloadReport(broken.resultFeedDocumentId as string);
    expect(fatalReport.summary).toMatchObject({ messagesProcessed: 0 });
    expect(fatalReport.issues[0].messageId).toBeUndefined();
  });

  it('signs uploads with the document content type and expires URLs after 5 minutes', async () => {
    const created = await http('POST', '/feeds/2021-06-30/documents', { body: { contentType } });
    const { url } = created.body as { url: string };
    const wrongType = await fetch(url, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: '{}' });
    expect(wrongType.status).toBe(403);
    expect(await wrongType.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    sim.ctx.clock.advance(5 * MINUTE + 1000);
    const late = await fetch(url, { method: 'PUT', headers: { 'content-type': contentType }, body: '{}' });
    expect(late.status).toBe(403);
    expect(await late.text()).toContain('Request has expired');
  });

  it('cancels queued feeds, pages getFeeds, and caps JSON_LISTINGS_FEED at 5 per 5 minutes', async () => {
    const docId = await uploadFeed({ header: { sellerId: CREDS.sellerId, version: '2.0' }, messages: [{ messageId: 1, sku: 'ICH-MUG-01', operationType: 'DELETE' }] });
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push(await createFeed(docId));
    const sixth = await http('POST', '/feeds/2021-06-30/feeds', { body: { feedType: 'JSON_LISTINGS_FEED', marketplaceIds: [MP], inputFeedDocumentId: docId } });
    expectModel(FEEDS, 'createFeed', sixth);
    expect(sixth.status).toBe(429);

    const cancelled = await http('DELETE', `/feeds/2021-06-30/feeds/${ids[0]}`);
    expectModel(FEEDS, 'cancelFeed', cancelled);
    expect(cancelled.status).toBe(200);
    expect((await getFeed(ids[0] as string)).processingStatus).toBe('CANCELLED');

    const page1 = await http('GET', '/feeds/2021-06-30/feeds', { query: { feedTypes: 'JSON_LISTINGS_FEED', pageSize: '3' } });
    expectModel(FEEDS, 'getFeeds', page1);
    const { feeds, nextToken } = page1.body as { feeds: unknown[]; nextToken: string };
    expect(feeds).toHaveLength(3);
    const mixed = await http('GET', '/feeds/2021-06-30/feeds', { query: { nextToken, pageSize: '3' } });
    expectModel(FEEDS, 'getFeeds', mixed);
    expect(mixed.status).toBe(400);
    const page2 = await http('GET', '/feeds/2021-06-30/feeds', { query: { nextToken } });
    expect((page2.body as { feeds: unknown[] }).feeds).toHaveLength(2);
  });
});

describe('orders', () => {
  const v0 = (query: Record<string, string>, t?: string) => http('GET', '/orders/v0/orders', { query, token: t });
  const since = () => new Date(sim.ctx.clock.now() - 10 * MINUTE).toISOString();

  it('buyer orders reduce shown stock and are refused beyond it; cancellation gives stock back', async () => {
    const a = sim.sim.placeBuyerOrder([{ skuCode: 'TS-RED-M', quantity: 2 }]);
    expect(a).toMatch(/^\d{3}-\d{7}-\d{7}$/);
    expect(shown('TS-RED-M')).toBe(3);
    expect(sim.sim.placeBuyerOrder([{ skuCode: 'TS-RED-M', quantity: 4 }])).toBeNull();
    expect(sim.sim.placeBuyerOrder([{ skuCode: 'RAKUTEN-ONLY', quantity: 1 }])).toBeNull();
    expect(sim.ctx.truth.get('TS-RED-M')).toBe(3);
    expect(sim.sim.cancelBuyerOrder(a as string)).toBe(true);
    expect(shown('TS-RED-M')).toBe(5);
    expect(sim.ctx.truth.get('TS-RED-M')).toBe(5);
    expect(sim.sim.cancelBuyerOrder(a as string)).toBe(false);
    expect(sim.sim.order(a as string)?.status).toBe('Canceled');
  });

  it('getOrders needs MarketplaceIds and a date, shows orders two minutes late, and pages by NextToken', async () => {
    const noMp = await v0({ CreatedAfter: since() });
    expectModel(ORDERS, 'getOrders', noMp);
    expect(noMp.status).toBe(400);
    const noDate = await v0({ MarketplaceIds: MP });
    expectModel(ORDERS, 'getOrders', noDate);
    expect(noDate.status).toBe(400);
    const mixed = await v0({ MarketplaceIds: MP, CreatedAfter: since(), LastUpdatedAfter: since() });
    expect(mixed.status).toBe(400);

    const placed = ['TS-RED-M', 'TS-BLU-L', 'MUG-01'].map((skuCode) => sim.sim.placeBuyerOrder([{ skuCode, quantity: 1 }]));
    const after = since();
    const tooEarly = await v0({ MarketplaceIds: MP, CreatedAfter: after });
    expectModel(ORDERS, 'getOrders', tooEarly);
    expect((tooEarly.body as { payload: { Orders: unknown[] } }).payload.Orders).toHaveLength(0);

    sim.ctx.clock.advance(3 * MINUTE);
    const first = await v0({ MarketplaceIds: MP, CreatedAfter: after, MaxResultsPerPage: '2' });
    expectModel(ORDERS, 'getOrders', first);
    const p1 = (first.body as { payload: { Orders: { AmazonOrderId: string }[]; NextToken: string; CreatedBefore: string } }).payload;
    expect(p1.Orders).toHaveLength(2);
    expect(p1.NextToken).toMatch(/[+/]/);
    expect(Date.parse(p1.CreatedBefore)).toBeLessThanOrEqual(sim.ctx.clock.now() - 2 * MINUTE);

    const unencoded = await fetch(`${sim.url}/orders/v0/orders?MarketplaceIds=${MP}&NextToken=${p1.NextToken}`, { headers: { 'x-amz-access-token': token } });
    expect(unencoded.status).toBe(400);
    expect(await unencoded.text()).toContain('NextToken');

    // NextToken alone; the unencoded call above repeated the filters, which is accepted too.
    const second = await v0({ NextToken: p1.NextToken });
    expectModel(ORDERS, 'getOrders', second);
    const p2 = (second.body as { payload: { Orders: { AmazonOrderId: string }[]; NextToken?: string } }).payload;
    expect(p2.NextToken).toBeUndefined();
    expect([...p1.Orders, ...p2.Orders].map((o) => o.AmazonOrderId).sort()).toEqual([...placed].sort());

    const filtered = await v0({ MarketplaceIds: MP, CreatedAfter: after, OrderStatuses: 'Shipped' });
    expect((filtered.body as { payload: { Orders: unknown[] } }).payload.Orders).toHaveLength(0);
  });

  it('hides restricted PII without a Restricted Data Token and shows it with one', async () => {
    const orderId = sim.sim.placeBuyerOrder([{ skuCode: 'MUG-01', quantity: 2 }]) as string;
    sim.ctx.clock.advance(3 * MINUTE);
    const query = { MarketplaceIds: MP, CreatedAfter: since().replace(/T.*/, 'T00:00:00Z') };
    const plain = await v0(query);
    expectModel(ORDERS, 'getOrders', plain);
    const order = (plain.body as { payload: { Orders: Record<string, any>[] } }).payload.Orders[0] as Record<string, any>;
    expect(order).toMatchObject({ AmazonOrderId: orderId, OrderStatus: 'Unshipped', FulfillmentChannel: 'MFN', OrderTotal: { CurrencyCode: 'JPY', Amount: '6600' } });
    expect(order.ShippingAddress.PostalCode).toMatch(/^\d{3}-\d{4}$/);
    expect(order.ShippingAddress.Name).toBeUndefined();
    expect(order.ShippingAddress.AddressLine1).toBeUndefined();
    expect(order.BuyerInfo.BuyerName).toBeUndefined();

    const rdtBody = { restrictedResources: [{ method: 'GET', path: '/orders/v0/orders', dataElements: ['buyerInfo', 'shippingAddress'] }] };
    expect(validateSpApiRequest(TOKENS, 'createRestrictedDataToken', rdtBody).errors).toEqual([]);
    const rdt = await http('POST', '/tokens/2021-03-01/restrictedDataToken', { body: rdtBody });
    expectModel(TOKENS, 'createRestrictedDataToken', rdt);
    const { restrictedDataToken, expiresIn } = rdt.body as { restrictedDataToken: string; expiresIn: number };
    expect(restrictedDataToken).toMatch(/^Atz\.sprdt\|/);
    expect(expiresIn).toBe(3600);

    const full = await v0(query, restrictedDataToken);
    expectModel(ORDERS, 'getOrders', full);
    const fullOrder = (full.body as { payload: { Orders: Record<string, any>[] } }).payload.Orders[0] as Record<string, any>;
    expect(fullOrder.ShippingAddress).toMatchObject({ CountryCode: 'JP', AddressType: 'Residential' });
    expect(fullOrder.ShippingAddress.Name).toMatch(/^\S+ \S+$/);
    expect(fullOrder.BuyerInfo.BuyerName).toBe(fullOrder.ShippingAddress.Name);

    const elsewhere = await http('GET', itemPath('ICH-MUG-01'), { token: restrictedDataToken, query: { marketplaceIds: MP } });
    expect(elsewhere.status).toBe(403);

    const badResource = await http('POST', '/tokens/2021-03-01/restrictedDataToken', {
      body: { restrictedResources: [{ method: 'GET', path: '/listings/2021-08-01/items', dataElements: ['buyerInfo'] }] },
    });
    expectModel(TOKENS, 'createRestrictedDataToken', badResource);
    expect(badResource.status).toBe(400);
  });

  it('getOrderItems prices the whole line; v2026 searchOrders and getOrder follow includedData', async () => {
    const orderId = sim.sim.placeBuyerOrder([
      { skuCode: 'TS-RED-M', quantity: 2 },
      { skuCode: 'MUG-01', quantity: 1 },
    ]) as string;
    sim.sim.placeBuyerOrder([{ skuCode: 'TS-BLU-L', quantity: 1 }]);
    const items = await http('GET', `/orders/v0/orders/${orderId}/orderItems`);
    expectModel(ORDERS, 'getOrderItems', items);
    const payload = (items.body as { payload: { AmazonOrderId: string; OrderItems: Record<string, any>[] } }).payload;
    expect(payload.AmazonOrderId).toBe(orderId);
    expect(payload.OrderItems.map((i) => [i.SellerSKU, i.ASIN, i.QuantityOrdered, i.ItemPrice.Amount])).toEqual([
      ['ICH-TS-RED-M', 'B0ICHI0001', 2, '3960'],
      ['ICH-MUG-01', 'B0ICHI0003', 1, '3300'],
    ]);

    sim.ctx.clock.advance(3 * MINUTE);
    const createdAfter = new Date(sim.ctx.clock.now() - 10 * MINUTE).toISOString();
    const noDate = await http('GET', '/orders/2026-01-01/orders', { query: { marketplaceIds: MP } });
    expectModel(ORDERS26, 'searchOrders', noDate);
    expect(noDate.status).toBe(400);

    const first = await http('GET', '/orders/2026-01-01/orders', {
      query: { createdAfter, marketplaceIds: MP, maxResultsPerPage: '1', includedData: 'BUYER,RECIPIENT,FULFILLMENT,PROCEEDS' },
    });
    expectModel(ORDERS26, 'searchOrders', first);
    const page = first.body as { orders: Record<string, any>[]; pagination: { nextToken: string }; createdBefore: string };
    expect(page.orders[0]).toMatchObject({
      orderId,
      salesChannel: { channelName: 'AMAZON', marketplaceId: MP, marketplaceName: 'Amazon.co.jp' },
      fulfillment: { fulfillmentStatus: 'UNSHIPPED', fulfilledBy: 'MERCHANT' },
      proceeds: { grandTotal: { amount: '7260', currencyCode: 'JPY' } },
      recipient: { deliveryAddress: { countryCode: 'JP' } },
    });
    expect(page.orders[0]?.recipient.deliveryAddress.stateOrRegion).toMatch(/[都道府県]$/);
    expect(page.orders[0]?.buyer.buyerEmail).toMatch(/@marketplace\.amazon\.co\.jp$/);
    expect(page.createdBefore).toBeTruthy();

    const second = await http('GET', '/orders/2026-01-01/orders', { query: { paginationToken: page.pagination.nextToken } });
    expectModel(ORDERS26, 'searchOrders', second);
    const rest = second.body as { orders: Record<string, any>[]; pagination?: unknown };
    expect(rest.orders).toHaveLength(1);
    expect(rest.pagination).toBeUndefined();
    expect(rest.orders[0]?.buyer).toBeDefined();

    const shippedOnly = await http('GET', '/orders/2026-01-01/orders', { query: { createdAfter, fulfillmentStatuses: 'SHIPPED' } });
    expect((shippedOnly.body as { orders: unknown[] }).orders).toHaveLength(0);

    const single = await http('GET', `/orders/2026-01-01/orders/${orderId}`);
    expectModel(ORDERS26, 'getOrder', single);
    const bare = (single.body as { order: Record<string, unknown> }).order;
    expect(bare.buyer).toBeUndefined();
    expect(bare.orderItems).toHaveLength(2);

    const unknown = await http('GET', '/orders/2026-01-01/orders/250-0000000-0000000');
    expectModel(ORDERS26, 'getOrder', unknown);
    expect(unknown.status).toBe(404);
  });

  it('confirmShipment ships packages (204) and rejects bad input with 400', async () => {
    const orderId = sim.sim.placeBuyerOrder([{ skuCode: 'TS-RED-M', quantity: 2 }]) as string;
    const itemId = sim.sim.order(orderId)?.lines[0]?.orderItemId as string;
    const confirm = (packageDetail: Record<string, unknown>, id = orderId) => {
      const body = { marketplaceId: MP, packageDetail };
      return http('POST', `/orders/v0/orders/${id}/shipmentConfirmation`, { body });
    };
    const pkg = (over: Record<string, unknown> = {}) => ({
      packageReferenceId: '1',
      carrierCode: 'YAMATO',
      trackingNumber: '123456789012',
      shipDate: new Date(sim.ctx.clock.now()).toISOString(),
      orderItems: [{ orderItemId: itemId, quantity: 1 }],
      ...over,
    });

    for (const [detail, fragment] of [
      [pkg({ carrierCode: 'Other' }), 'carrierName'],
      [pkg({ orderItems: [{ orderItemId: itemId, quantity: 3 }] }), 'exceeds'],
      [pkg({ orderItems: [{ orderItemId: '99999999999999', quantity: 1 }] }), 'does not belong'],
      [pkg({ shipDate: '02/21/2022' }), 'shipDate'],
      [pkg({ packageReferenceId: 'PKG-A' }), 'packageReferenceId'],
    ] as const) {
      const bad = await confirm(detail);
      expectModel(ORDERS, 'confirmShipment', bad);
      expect(bad.status).toBe(400);
      expect(bad.text).toContain(fragment);
    }
    expect(sim.sim.order(orderId)?.status).toBe('Unshipped');

    const firstParcel = pkg();
    expect(validateSpApiRequest(ORDERS, 'confirmShipment', { marketplaceId: MP, packageDetail: firstParcel }).errors).toEqual([]);
    const ok1 = await confirm(firstParcel);
    expectModel(ORDERS, 'confirmShipment', ok1);
    expect(ok1.status).toBe(204);
    expect(ok1.text).toBe('');
    expect(sim.sim.order(orderId)?.status).toBe('PartiallyShipped');

    const ok2 = await confirm(pkg({ packageReferenceId: '2', carrierCode: 'Other', carrierName: '日本郵便', trackingNumber: 'RR123456789JP' }));
    expect(ok2.status).toBe(204);
    const v0order = await http('GET', `/orders/v0/orders/${orderId}`);
    expectModel(ORDERS, 'getOrder', v0order);
    expect((v0order.body as { payload: Record<string, unknown> }).payload).toMatchObject({ OrderStatus: 'Shipped', NumberOfItemsShipped: 2, NumberOfItemsUnshipped: 0 });

    const packages = await http('GET', `/orders/2026-01-01/orders/${orderId}`, { query: { includedData: 'PACKAGES,FULFILLMENT' } });
    expectModel(ORDERS26, 'getOrder', packages);
    const order = (packages.body as { order: Record<string, any> }).order;
    expect(order.fulfillment.fulfillmentStatus).toBe('SHIPPED');
    expect(order.packages.map((p: { carrier: string; trackingNumber: string }) => [p.carrier, p.trackingNumber])).toEqual([
      ['YAMATO', '123456789012'],
      ['日本郵便', 'RR123456789JP'],
    ]);

    const more = await confirm(pkg({ packageReferenceId: '3' }));
    expect(more.status).toBe(400);
    const missing = await confirm(pkg(), '250-0000000-0000000');
    expectModel(ORDERS, 'confirmShipment', missing);
    expect(missing.status).toBe(404);

    const cancelled = sim.sim.placeBuyerOrder([{ skuCode: 'MUG-01', quantity: 1 }]) as string;
    sim.sim.cancelBuyerOrder(cancelled);
    const cancelledItem = sim.sim.order(cancelled)?.lines[0]?.orderItemId as string;
    const onCancelled = await confirm(pkg({ orderItems: [{ orderItemId: cancelledItem, quantity: 1 }] }), cancelled);
    expect(onCancelled.status).toBe(400);
    expect(onCancelled.text).toContain('canceled');
  });
});

describe('rate limits and faults', () => {
  it('empties the patch bucket after its burst of 5 and answers 429 QuotaExceeded', async () => {
    for (let i = 0; i < 5; i += 1) {
      const ok = await http('PATCH', itemPath('ICH-MUG-01'), { query: { marketplaceIds: MP }, body: qtyPatch(i) });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('x-amzn-ratelimit-limit')).toBe('5.0');
    }
    const limited = await http('PATCH', itemPath('ICH-MUG-01'), { query: { marketplaceIds: MP }, body: qtyPatch(9) });
    expectModel(LISTINGS, 'patchListingsItem', limited);
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ errors: [{ code: 'QuotaExceeded', message: 'You exceeded your quota for the requested resource.', details: '' }] });
    expect(shown('MUG-01')).toBe(4);
    expect(sim.ctx.limiter.throttled.get('amazon:patchListingsItem')).toBe(1);
    sim.ctx.clock.advance(1000);
    expect((await http('PATCH', itemPath('ICH-MUG-01'), { query: { marketplaceIds: MP }, body: qtyPatch(9) })).status).toBe(200);
  });

  it('getOrders allows a burst of 20 and then about one call a minute', async () => {
    const query = { MarketplaceIds: MP, CreatedAfter: new Date(sim.ctx.clock.now() - 3_600_000).toISOString() };
    for (let i = 0; i < 20; i += 1) expect((await http('GET', '/orders/v0/orders', { query })).status).toBe(200);
    const limited = await http('GET', '/orders/v0/orders', { query });
    expectModel(ORDERS, 'getOrders', limited);
    expect(limited.status).toBe(429);
    sim.ctx.clock.advance(60_000);
    const again = await http('GET', '/orders/v0/orders', { query });
    expect(again.status).toBe(200);
    expect(again.headers.get('x-amzn-ratelimit-limit')).toBe('0.0167');
  });

  it('throttle and server-error faults answer 429 and 500/503 with the SP-API error body', async () => {
    sim.ctx.faults.add({ kind: 'throttle', mall: 'amazon', path: '/orders/2026-01-01' });
    const throttled = await http('GET', '/orders/2026-01-01/orders', { query: { createdAfter: new Date(sim.ctx.clock.now() - MINUTE * 10).toISOString() } });
    expectModel(ORDERS26, 'searchOrders', throttled);
    expect(throttled.status).toBe(429);

    sim.ctx.faults.add({ kind: 'server-error', mall: 'amazon', path: '/listings/' });
    const failed = await http('GET', itemPath('ICH-MUG-01'), { query: { marketplaceIds: MP } });
    expectModel(LISTINGS, 'getListingsItem', failed);
    expect(failed.status).toBe(500);
    expect((failed.body as { errors: { code: string }[] }).errors[0]?.code).toBe('InternalFailure');

    sim.ctx.faults.add({ kind: 'server-error', mall: 'amazon', path: '/feeds/', status: 503 });
    const unavailable = await http('GET', '/feeds/2021-06-30/feeds/1');
    expectModel(FEEDS, 'getFeed', unavailable);
    expect(unavailable.status).toBe(503);
    expect((await http('GET', itemPath('ICH-MUG-01'), { query: { marketplaceIds: MP } })).status).toBe(200);
  });
});

describe('options', () => {
  it('serves GZIP reports and delays listing changes when asked to', async () => {
    const other = await startAmazonTestServer({ timeScale: 0, sim: { gzipFeedReports: true, listingsApplyDelayMs: 30_000, feedQueueMs: 0, feedProcessingMs: 1000 } });
    try {
      other.seed(SEED);
      const tok = ((await (await fetch(`${other.url}/auth/o2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(refreshForm()) })).json()) as { access_token: string }).access_token;
      const h = { 'x-amz-access-token': tok, 'content-type': 'application/json' };
      const patch = await fetch(`${other.url}${itemPath('ICH-MUG-01')}?marketplaceIds=${MP}`, { method: 'PATCH', headers: h, body: JSON.stringify(qtyPatch(1)) });
      expect(((await patch.json()) as { status: string }).status).toBe('ACCEPTED');
      expect(other.sim.shownStock().get('MUG-01')).toBe(10);
      other.ctx.clock.advance(30_000);
      expect(other.sim.shownStock().get('MUG-01')).toBe(1);

      const doc = (await (await fetch(`${other.url}/feeds/2021-06-30/documents`, { method: 'POST', headers: h, body: JSON.stringify({ contentType: 'application/json' }) })).json()) as { feedDocumentId: string; url: string };
      await fetch(doc.url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ header: { sellerId: CREDS.sellerId, version: '2.0' }, messages: [{ messageId: 1, sku: 'ICH-MUG-01', operationType: 'DELETE' }] }) });
      const created = (await (await fetch(`${other.url}/feeds/2021-06-30/feeds`, { method: 'POST', headers: h, body: JSON.stringify({ feedType: 'JSON_LISTINGS_FEED', marketplaceIds: [MP], inputFeedDocumentId: doc.feedDocumentId }) })).json()) as { feedId: string };
      other.ctx.clock.advance(2000);
      const feed = (await (await fetch(`${other.url}/feeds/2021-06-30/feeds/${created.feedId}`, { headers: h })).json()) as { processingStatus: string; resultFeedDocumentId: string };
      expect(feed.processingStatus).toBe('DONE');
      const resultRes = await fetch(`${other.url}/feeds/2021-06-30/documents/${encodeURIComponent(feed.resultFeedDocumentId)}`, { headers: h });
      const result = { status: resultRes.status, headers: resultRes.headers, body: (await resultRes.json()) as { url: string; compressionAlgorithm: string }, text: '' };
      expectModel(FEEDS, 'getFeedDocument', result);
      expect(result.body.compressionAlgorithm).toBe('GZIP');
      const report = JSON.parse(gunzipSync(Buffer.from(await (await fetch(result.body.url)).arrayBuffer())).toString('utf8')) as unknown;
      expect(validateListingsFeedProcessingReport(report).errors).toEqual([]);
      expect(report).toMatchObject({ summary: { messagesAccepted: 1 } });
    } finally {
      await other.close();
    }
  });
});
