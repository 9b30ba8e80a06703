import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * XML in and out for the Yahoo store APIs (spec §0: answers are XML, order requests are raw `<Req>` XML).
 * Values stay strings: invoice numbers such as "0012" and dates such as "20240101" must not become
 * numbers, so the zod schemas decide what is a number.
 */
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // CDATA is merged into the element's text (spec §0: free text is often CDATA-wrapped).
});

/** Parses an answer body; null when it is not well-formed XML (an HTML error page, a JSON body …). */
export function parseXml(text: string): Record<string, unknown> | null {
  const body = text.replace(/^\uFEFF/, '').trim();
  if (!body.startsWith('<') || XMLValidator.validate(body) !== true) return null;
  const doc = parser.parse(body) as unknown;
  return doc && typeof doc === 'object' ? (doc as Record<string, unknown>) : null;
}

/** Escapes text for an element body. CDATA is not needed once `&` and `<` are escaped. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export type XmlValue = string | number | boolean | XmlElements | undefined;
export interface XmlElements {
  [name: string]: XmlValue;
}

/** Builds `<Req>…</Req>` from nested objects in insertion order; undefined values are left out. */
export function buildXml(root: string, children: XmlElements): string {
  const render = (name: string, value: XmlValue): string => {
    if (value === undefined) return '';
    if (typeof value === 'object') {
      return `<${name}>${Object.entries(value)
        .map(([k, v]) => render(k, v))
        .join('')}</${name}>`;
    }
    return `<${name}>${escapeXml(String(value))}</${name}>`;
  };
  return `<?xml version="1.0" encoding="UTF-8"?>${render(root, children)}`;
}

// --- time: Yahoo answers in JST with +09:00 (§0) and takes compact JST forms in requests ---

const JST_OFFSET_MS = 9 * 3600 * 1000;

function jstIso(ms: number): string {
  return new Date(ms + JST_OFFSET_MS).toISOString();
}

/** `YYYYMMDDHH24MISS` in JST (§0 request datetimes, orderList conditions). */
export function compactJstSeconds(ms: number): string {
  return jstIso(ms).slice(0, 19).replace(/[-:T]/g, '');
}

/** `YYYYMMDD` in JST (ShipDate). */
export function compactJstDate(ms: number): string {
  return jstIso(ms).slice(0, 10).replace(/-/g, '');
}

/**
 * Answer datetimes: RFC 3339 with `+09:00`; §3.2 notes the table shows them without an offset (?), so a
 * missing offset is read as JST. Also `YYYY-MM-DD`. Returns undefined for anything else.
 */
export function parseJstDateTime(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', zone] = m;
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(utc)) return undefined;
  if (!zone) return utc - JST_OFFSET_MS;
  if (zone === 'Z') return utc;
  const zm = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
  const offset = (Number(zm[2]) * 60 + Number(zm[3])) * 60_000 * (zm[1] === '-' ? -1 : 1);
  return utc - offset;
}
