/**
 * RMS speaks three JST timestamp dialects (spec §3, §2): ItemAPI / InventoryAPI use a colon offset
 * (`+09:00`), RakutenPayOrderAPI none (`+0900`), the license API no designator at all (JST implied).
 * Everything here is plain arithmetic on a fixed +9 h offset: Japan has no daylight saving time, and the
 * service worker must not depend on the computer's own time zone.
 */

export const DAY_MS = 86_400_000;
const JST_OFFSET_MS = 9 * 3_600_000;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function jstFields(ms: number): { y: string; mo: string; d: string; h: string; mi: string; s: string } {
  const t = new Date(ms + JST_OFFSET_MS);
  return {
    y: pad(t.getUTCFullYear(), 4),
    mo: pad(t.getUTCMonth() + 1),
    d: pad(t.getUTCDate()),
    h: pad(t.getUTCHours()),
    mi: pad(t.getUTCMinutes()),
    s: pad(t.getUTCSeconds()),
  };
}

/** `2017-10-14T00:00:00+0900`, the order API's form (spec §6.2); seconds are truncated. */
export function formatOrderDatetime(ms: number): string {
  const p = jstFields(ms);
  return `${p.y}-${p.mo}-${p.d}T${p.h}:${p.mi}:${p.s}+0900`;
}

/** `YYYY-MM-DD` in JST (shippingDate, spec §6.5). */
export function formatJstDate(ms: number): string {
  const p = jstFields(ms);
  return `${p.y}-${p.mo}-${p.d}`;
}

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Any of the three dialects; a missing designator means JST (spec §2: the license expiry date
 * `2026-11-28T23:59:59` has none). Null when the text is not a real date-time.
 */
export function parseRmsDatetime(value: string): number | null {
  const m = DATETIME.exec(value);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  const wallAsUtc = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(wallAsUtc);
  if (check.getUTCDate() !== d || check.getUTCMonth() !== mo - 1) return null;
  const zone = m[7];
  let offsetMs = JST_OFFSET_MS;
  if (zone === 'Z') offsetMs = 0;
  else if (zone) {
    const digits = zone.replace(':', '');
    const sign = digits.startsWith('-') ? -1 : 1;
    offsetMs = sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5))) * 60_000;
  }
  return wallAsUtc - offsetMs;
}

/** `YYYY-MM-DD` as midnight JST. */
export function parseJstDate(value: string): number | null {
  return parseRmsDatetime(`${value}T00:00:00`);
}
