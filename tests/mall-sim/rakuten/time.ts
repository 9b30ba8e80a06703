/**
 * JST formatting. RMS speaks three timestamp dialects (spec §3, §2): ItemAPI/InventoryAPI use a colon
 * offset (`+09:00`), RakutenPayOrderAPI uses none (`+0900`), the license API no designator at all.
 */

export const DAY_MS = 86_400_000;
const JST_OFFSET_MS = 9 * 3_600_000;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function jstParts(ms: number): { y: string; mo: string; d: string; h: string; mi: string; s: string } {
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

/** `2022-01-01T19:00:00+09:00` (ItemAPI / InventoryAPI). */
export function isoJst(ms: number): string {
  const p = jstParts(ms);
  return `${p.y}-${p.mo}-${p.d}T${p.h}:${p.mi}:${p.s}+09:00`;
}

/** `2017-10-14T00:00:00+0900` (RakutenPayOrderAPI). */
export function orderJst(ms: number): string {
  const p = jstParts(ms);
  return `${p.y}-${p.mo}-${p.d}T${p.h}:${p.mi}:${p.s}+0900`;
}

/** `2026-11-28T23:59:59` (license expiry: JST implied). */
export function localJst(ms: number): string {
  const p = jstParts(ms);
  return `${p.y}-${p.mo}-${p.d}T${p.h}:${p.mi}:${p.s}`;
}

export function dateJst(ms: number): string {
  const p = jstParts(ms);
  return `${p.y}-${p.mo}-${p.d}`;
}

export function compactJst(ms: number, withTime = false): string {
  const p = jstParts(ms);
  return withTime ? `${p.y}${p.mo}${p.d}${p.h}${p.mi}${p.s}` : `${p.y}${p.mo}${p.d}`;
}

/** Last second of the JST calendar day containing `ms` (license keys expire at 23:59:59). */
export function endOfJstDay(ms: number): number {
  const dayStart = Math.floor((ms + JST_OFFSET_MS) / DAY_MS) * DAY_MS - JST_OFFSET_MS;
  return dayStart + DAY_MS - 1000;
}

/** Strict order-API datetime: `YYYY-MM-DDTHH:mm:ss+HHMM` (no colon, spec §3/§6.2). */
export function parseOrderDatetime(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})([+-])(\d{2})(\d{2})$/.exec(value);
  if (!m) return null;
  const midnightJst = parseJstDate(m[1]);
  const [h, mi, s, oh, om] = [m[2], m[3], m[4], m[6], m[7]].map(Number) as [number, number, number, number, number];
  if (midnightJst === null || h > 23 || mi > 59 || s > 59 || oh > 23 || om > 59) return null;
  const wallClockUtc = midnightJst + JST_OFFSET_MS + ((h * 60 + mi) * 60 + s) * 1000;
  const offsetMs = (oh * 60 + om) * 60_000 * (m[5] === '-' ? -1 : 1);
  return wallClockUtc - offsetMs;
}

/** `YYYY-MM-DD` as midnight JST; null when malformed or not a real date. */
export function parseJstDate(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const utc = Date.UTC(y, mo - 1, d);
  const check = new Date(utc);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  return utc - JST_OFFSET_MS;
}
