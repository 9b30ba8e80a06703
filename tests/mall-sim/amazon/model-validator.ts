/**
 * Validates SP-API traffic against Amazon's official OpenAPI 2 models and the JSON_LISTINGS_FEED
 * JSON schemas kept unchanged in `../shared/spapi-models/` (see SOURCES.txt there).
 *
 * Used three ways: the Amazon simulator checks request bodies and query strings with it, its contract
 * tests check every response body with it, and the extension's client tests can check the requests
 * they build (`validateSpApiRequest`) against the same source of truth.
 *
 * "Closed" mode (the default here) treats every model object that lists `properties` but says nothing
 * about `additionalProperties` as closed, so a misspelt field (`Quantity` for `quantity`) fails instead
 * of slipping through the open-by-default Swagger objects.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

export const SPAPI_MODEL_FILES = [
  'listingsItems_2021-08-01.json',
  'feeds_2021-06-30.json',
  'ordersV0.json',
  'orders_2026-01-01.json',
  'tokens_2021-03-01.json',
] as const;
export type SpApiModelFile = (typeof SPAPI_MODEL_FILES)[number];

export interface ValidationResult {
  valid: boolean;
  /** `"<json pointer> <message>"` lines, empty when valid. */
  errors: string[];
}

export interface ValidateOptions {
  /** Treat objects without `additionalProperties` as closed (default true). */
  closed?: boolean;
}

type JsonSchema = Record<string, unknown>;

interface SwaggerParameter {
  name: string;
  in: 'query' | 'path' | 'body' | 'header' | 'formData';
  required?: boolean;
  type?: string;
  format?: string;
  enum?: unknown[];
  items?: { type?: string; enum?: unknown[] };
  collectionFormat?: string;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  schema?: JsonSchema;
}

interface SwaggerOperation {
  operationId: string;
  description?: string;
  parameters?: SwaggerParameter[];
  responses: Record<string, { schema?: JsonSchema }>;
}

interface SwaggerModel {
  paths: Record<string, Record<string, unknown>>;
  definitions: Record<string, JsonSchema>;
}

export interface FoundOperation {
  method: string;
  path: string;
  operation: SwaggerOperation;
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

/** Where the models live: `SPAPI_MODELS_DIR`, else `../shared/spapi-models` beside the project root. */
export function spApiModelsDir(): string {
  return process.env.SPAPI_MODELS_DIR ?? fileURLToPath(new URL('../../../../shared/spapi-models/', import.meta.url));
}

const jsonCache = new Map<string, unknown>();
function loadJson(file: string): unknown {
  let doc = jsonCache.get(file);
  if (doc === undefined) {
    doc = JSON.parse(readFileSync(path.join(spApiModelsDir(), file), 'utf8')) as unknown;
    jsonCache.set(file, doc);
  }
  return doc;
}

export function loadSpApiModel(file: SpApiModelFile): SwaggerModel {
  return loadJson(file) as SwaggerModel;
}

export function findSpApiOperation(file: SpApiModelFile, operationId: string): FoundOperation {
  const model = loadSpApiModel(file);
  for (const [p, item] of Object.entries(model.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!HTTP_METHODS.has(method)) continue;
      const operation = op as SwaggerOperation;
      if (operation.operationId === operationId) return { method: method.toUpperCase(), path: p, operation };
    }
  }
  throw new Error(`${file} has no operation ${operationId}`);
}

/** The default usage plan printed in the operation's description table (`| 0.0167 | 20 |`). */
export function spApiRateLimit(file: SpApiModelFile, operationId: string): { rate: number; burst: number } {
  const { operation } = findSpApiOperation(file, operationId);
  const m = /Rate \(requests per second\)\s*\|\s*Burst\s*\|\s*\n\s*\|[-\s|]+\|\s*\n\s*\|\s*([\d.]+)\s*\|\s*(\d+)\s*\|/.exec(
    operation.description ?? '',
  );
  if (!m) throw new Error(`${file} ${operationId}: no usage plan table in the description`);
  return { rate: Number(m[1]), burst: Number(m[2]) };
}

// ---------------------------------------------------------------------------------------------
// ajv set-up

const MODEL_BASE = 'https://spapi-models.local/';

function isObject(v: unknown): v is JsonSchema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Structural walk (not a blind key walk: a property may itself be called "properties" or "type"). */
function closeSchema(schema: unknown): unknown {
  if (!isObject(schema)) return schema;
  const out: JsonSchema = { ...schema };
  if (isObject(out.properties)) {
    out.properties = Object.fromEntries(Object.entries(out.properties).map(([k, v]) => [k, closeSchema(v)]));
    if (!('additionalProperties' in out)) out.additionalProperties = false;
  }
  if (Array.isArray(out.items)) out.items = out.items.map(closeSchema);
  else if (out.items !== undefined) out.items = closeSchema(out.items);
  if (isObject(out.additionalProperties)) out.additionalProperties = closeSchema(out.additionalProperties);
  return out;
}

function rewriteRefs(schema: unknown, file: string): unknown {
  if (Array.isArray(schema)) return schema.map((s) => rewriteRefs(s, file));
  if (!isObject(schema)) return schema;
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `${MODEL_BASE}${file}${v}` : rewriteRefs(v, file);
  }
  return out;
}

function newAjv(): Ajv {
  // strict: false because the Swagger models carry vendor keywords (x-docgen-…, example) ajv does not know.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  return ajv;
}

const modelAjv = new Map<boolean, Ajv>();
function ajvFor(closed: boolean): Ajv {
  let ajv = modelAjv.get(closed);
  if (!ajv) {
    ajv = newAjv();
    for (const file of SPAPI_MODEL_FILES) {
      const defs = loadSpApiModel(file).definitions;
      const definitions = closed ? Object.fromEntries(Object.entries(defs).map(([k, v]) => [k, closeSchema(v)])) : defs;
      ajv.addSchema({ $id: `${MODEL_BASE}${file}`, definitions });
    }
    modelAjv.set(closed, ajv);
  }
  return ajv;
}

const compiled = new Map<string, ValidateFunction>();
function compileModelSchema(file: SpApiModelFile, key: string, schema: JsonSchema, closed: boolean): ValidateFunction {
  const cacheKey = `${closed}|${file}|${key}`;
  let fn = compiled.get(cacheKey);
  if (!fn) {
    const prepared = rewriteRefs(closed ? closeSchema(schema) : schema, file) as JsonSchema;
    fn = ajvFor(closed).compile(prepared);
    compiled.set(cacheKey, fn);
  }
  return fn;
}

export function formatAjvErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const where = e.instancePath || '/';
    const extra =
      e.keyword === 'additionalProperties'
        ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})`
        : e.keyword === 'enum'
          ? ` (${JSON.stringify((e.params as { allowedValues?: unknown }).allowedValues)})`
          : '';
    return `${where} ${e.message ?? e.keyword}${extra}`;
  });
}

function run(fn: ValidateFunction, value: unknown): ValidationResult {
  const valid = fn(value) as boolean;
  return { valid, errors: valid ? [] : formatAjvErrors(fn.errors) };
}

// ---------------------------------------------------------------------------------------------
// public API

/** Validates a request body against the operation's `in: body` parameter schema. */
export function validateSpApiRequest(
  file: SpApiModelFile,
  operationId: string,
  body: unknown,
  options: ValidateOptions = {},
): ValidationResult {
  const { operation } = findSpApiOperation(file, operationId);
  const param = operation.parameters?.find((p) => p.in === 'body');
  if (!param?.schema) {
    return body === undefined ? { valid: true, errors: [] } : { valid: false, errors: [`/ ${operationId} takes no body`] };
  }
  if (body === undefined) {
    return param.required ? { valid: false, errors: [`/ ${operationId} requires a body`] } : { valid: true, errors: [] };
  }
  return run(compileModelSchema(file, `${operationId}:request`, param.schema, options.closed ?? true), body);
}

/**
 * Validates a response body against the schema the model gives for that status. An undocumented status
 * is invalid; a status without a schema (204, cancelFeed's 200) must have no body (undefined or '').
 */
export function validateSpApiResponse(
  file: SpApiModelFile,
  operationId: string,
  status: number,
  body: unknown,
  options: ValidateOptions = {},
): ValidationResult {
  const { operation } = findSpApiOperation(file, operationId);
  const response = operation.responses[String(status)] ?? operation.responses.default;
  if (!response) return { valid: false, errors: [`/ status ${status} is not documented for ${operationId}`] };
  if (!response.schema) {
    return body === undefined || body === ''
      ? { valid: true, errors: [] }
      : { valid: false, errors: [`/ status ${status} of ${operationId} has no body in the model`] };
  }
  return run(compileModelSchema(file, `${operationId}:${status}`, response.schema, options.closed ?? true), body);
}

function checkScalar(p: SwaggerParameter, raw: string, type: string | undefined, enumValues: unknown[] | undefined): string | undefined {
  if (type === 'integer') {
    if (!/^-?\d+$/.test(raw)) return `${p.name} must be an integer`;
    const n = Number(raw);
    if (p.minimum !== undefined && n < p.minimum) return `${p.name} must be >= ${p.minimum}`;
    if (p.maximum !== undefined && n > p.maximum) return `${p.name} must be <= ${p.maximum}`;
  } else if (type === 'number') {
    if (Number.isNaN(Number(raw))) return `${p.name} must be a number`;
  } else if (type === 'boolean') {
    if (raw !== 'true' && raw !== 'false') return `${p.name} must be true or false`;
  }
  if (p.format === 'date-time' && Number.isNaN(Date.parse(raw))) return `${p.name} must be an ISO 8601 date-time`;
  if (enumValues && !enumValues.includes(raw)) return `${p.name} has an invalid value '${raw}' (allowed: ${enumValues.join(', ')})`;
  return undefined;
}

/**
 * Checks a query string against the operation's query parameters: required ones present, integers in
 * range, enum members, csv list sizes. Unknown parameters are ignored, as API Gateway does.
 */
export function validateSpApiQuery(
  file: SpApiModelFile,
  operationId: string,
  query: URLSearchParams,
  options: { skipRequired?: boolean } = {},
): ValidationResult {
  const { operation } = findSpApiOperation(file, operationId);
  const errors: string[] = [];
  for (const p of operation.parameters ?? []) {
    if (p.in !== 'query') continue;
    const values = query.getAll(p.name);
    if (values.length === 0 || values.every((v) => v === '')) {
      if (p.required && !options.skipRequired) errors.push(`${p.name} is required`);
      continue;
    }
    if (p.type === 'array') {
      // Swagger 2 arrays default to csv; repeated parameters are joined the same way.
      const items = values.flatMap((v) => v.split(',')).filter((v) => v !== '');
      if (p.maxItems !== undefined && items.length > p.maxItems) errors.push(`${p.name} accepts at most ${p.maxItems} values`);
      if (p.minItems !== undefined && items.length < p.minItems) errors.push(`${p.name} needs at least ${p.minItems} values`);
      for (const item of items) {
        const e = checkScalar(p, item, p.items?.type, p.items?.enum);
        if (e) errors.push(e);
      }
    } else {
      if (values.length > 1) errors.push(`${p.name} must be given once`);
      const e = checkScalar(p, values[0] ?? '', p.type, p.enum);
      if (e) errors.push(e);
    }
  }
  return { valid: errors.length === 0, errors };
}

// ---------------------------------------------------------------------------------------------
// JSON_LISTINGS_FEED schemas (JSON Schema draft-07, as their $schema declares)

const feedAjv = newAjv();
const feedValidators = new Map<string, ValidateFunction>();
function feedValidator(name: 'feed' | 'message' | 'report'): ValidateFunction {
  let fn = feedValidators.get(name);
  if (!fn) {
    if (name === 'report') {
      fn = feedAjv.compile(loadJson('listings-feed-processing-report-schema-v2.json') as JsonSchema);
    } else {
      const feed = loadJson('listings-feed-schema-v2.json') as JsonSchema & { properties: { messages: { items: JsonSchema } } };
      // The message rules are taken from the feed schema itself so per-message checks agree with the whole-document check.
      fn = feedAjv.compile(name === 'feed' ? feed : feed.properties.messages.items);
    }
    feedValidators.set(name, fn);
  }
  return fn;
}

/** A JSON_LISTINGS_FEED document against listings-feed-schema-v2.json. */
export function validateListingsFeed(doc: unknown): ValidationResult {
  return run(feedValidator('feed'), doc);
}

/** One message of a JSON_LISTINGS_FEED document (the feed schema's `messages.items`). */
export function validateListingsFeedMessage(message: unknown): ValidationResult {
  return run(feedValidator('message'), message);
}

/** A processing report against listings-feed-processing-report-schema-v2.json. */
export function validateListingsFeedProcessingReport(report: unknown): ValidationResult {
  return run(feedValidator('report'), report);
}
