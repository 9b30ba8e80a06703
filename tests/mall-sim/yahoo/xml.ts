import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import type { ServerResponse } from 'node:http';

/** Object form fed to fast-xml-parser's builder: `@_x` attributes, `#cdata` CDATA text, arrays repeat. */
export type XmlTree = { [key: string]: XmlNodeValue };
export type XmlNodeValue = string | XmlTree | XmlNodeValue[];

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  cdataPropName: '#cdata',
  suppressEmptyNode: false,
  suppressBooleanAttributes: false,
  format: false,
});

const parser = new XMLParser({
  ignoreAttributes: true,
  // Values stay strings: "0001" invoice numbers and "20240101" dates must not turn into numbers.
  parseTagValue: false,
  trimValues: true,
});

/** Yahoo wraps free text in CDATA (§0 Response format); empty values stay empty elements (§6.8). */
export function cdata(text: string | undefined): XmlNodeValue {
  return text ? { '#cdata': text } : '';
}

export function bool(value: boolean): string {
  return value ? 'true' : 'false';
}

export function buildXml(tree: XmlTree): string {
  return `<?xml version="1.0" encoding="UTF-8" ?>${builder.build(tree) as string}`;
}

/** §0: item/publish answers are `application/xml`, stock answers `text/xml` [T4]. */
export function sendYahooXml(
  res: ServerResponse,
  status: number,
  tree: XmlTree,
  contentType = 'application/xml;charset=UTF-8',
  headers: Record<string, string> = {},
): void {
  const xml = buildXml(tree);
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(xml), ...headers });
  res.end(xml);
}

export interface ErrorShape {
  /** Include `<Detail></Detail>` and CDATA the message, as the real it-05002 answer does [T4]. */
  shopping?: boolean;
  headers?: Record<string, string>;
}

/**
 * §4 error body. Shopping errors carry `<Message><![CDATA[…]]></Message><Detail></Detail><Code/>` [T4];
 * gateway errors (auth, quota) are the plain `<Error><Message/>[<Code/>]</Error>` form [ERR-APPX], [QI-SUIN-EXP].
 */
export function sendYahooError(
  res: ServerResponse,
  status: number,
  message: string,
  code?: string,
  shape: ErrorShape = { shopping: true },
): void {
  // Written by hand: the builder would turn the quotes of `Bearer realm="yahooapis.jp"` into &quot;,
  // and clients compare that message text (§1.4).
  const text = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const body = shape.shopping
    ? `<Message><![CDATA[${message.replace(/]]>/g, ']]]]><![CDATA[>')}]]></Message><Detail></Detail>`
    : `<Message>${text(message)}</Message>`;
  const xml = `<?xml version="1.0" encoding="UTF-8" ?><Error>${body}${code ? `<Code>${text(code)}</Code>` : ''}</Error>`;
  res.writeHead(status, { 'content-type': 'application/xml;charset=UTF-8', 'content-length': Buffer.byteLength(xml), ...(shape.headers ?? {}) });
  res.end(xml);
}

export type ParsedXml = { [key: string]: unknown };

/** §0: "A fake should accept raw XML regardless of Content-Type." */
export function parseXmlBody(body: Buffer): ParsedXml | null {
  const text = body.toString('utf8').replace(/^\uFEFF/, '').trim();
  if (!text || XMLValidator.validate(text) !== true) return null;
  const doc = parser.parse(text) as unknown;
  return doc && typeof doc === 'object' ? (doc as ParsedXml) : null;
}

/** Path lookup in a parsed document; repeated elements yield their first occurrence. */
export function xmlGet(doc: unknown, ...path: string[]): unknown {
  let node: unknown = doc;
  for (const key of path) {
    if (Array.isArray(node)) node = node[0];
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return Array.isArray(node) ? node[0] : node;
}

/** Leaf text, or undefined when absent (an empty element gives ''). */
export function xmlText(doc: unknown, ...path: string[]): string | undefined {
  const v = xmlGet(doc, ...path);
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object') return undefined;
  return String(v);
}

// --- time: responses are JST with +09:00 (§0), requests use compact JST forms ---

const JST_MS = 9 * 3600 * 1000;

function jstParts(ms: number): string {
  return new Date(ms + JST_MS).toISOString();
}

/** `2017-05-11T22:23:00+09:00` (§0 Response datetimes). */
export function rfc3339(ms: number): string {
  return `${jstParts(ms).slice(0, 19)}+09:00`;
}

/** `YYYY-MM-DD` in JST. */
export function jstDate(ms: number): string {
  return jstParts(ms).slice(0, 10);
}

/** `YYYYMMDD` in JST — also the daily-quota bucket (reset at 00:00 JST). */
export function jstDayKey(ms: number): string {
  return jstDate(ms).replace(/-/g, '');
}

/**
 * Parses the compact request forms (§0): `YYYYMMDD`, `YYYYMMDDHH`, `YYYYMMDDHHmm`, `YYYYMMDDHHmmss` as
 * JST. Returns null for anything malformed or not a real calendar time.
 */
export function parseCompactJst(text: string, lengths: number[]): number | null {
  if (!/^\d+$/.test(text) || !lengths.includes(text.length)) return null;
  const n = (a: number, b: number) => Number(text.slice(a, b) || '0');
  const [y, mo, d, h, mi, s] = [n(0, 4), n(4, 6), n(6, 8), n(8, 10), n(10, 12), n(12, 14)];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    return null;
  }
  return ms - JST_MS;
}

/** Width in half-width units: Yahoo counts limits in 全角 characters, so ASCII and half-width kana are 1, the rest 2. */
export function zenkakuWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += /^[\x20-\x7e\uff61-\uff9f]$/.test(ch) ? 1 : 2;
  return w;
}
