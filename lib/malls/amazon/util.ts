import { z } from 'zod';
import { MallError } from '../errors';

/** Runs `fn` over `items` with at most `concurrency` in flight; results keep the input order. */
export async function pool<T, R>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * SP-API times are ISO 8601, in practice UTC `Z`; one without an offset is read as JST, the mall's
 * own zone.
 */
export function parseAmazonTime(value: string): number {
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(value);
  return Date.parse(hasZone ? value : `${value}+09:00`);
}

export const amazonTime = z.string().refine((s) => !Number.isNaN(parseAmazonTime(s)), { message: 'not an ISO 8601 date-time' });

/** `2026-08-01T09:00:00+09:00`: shipDate as a JP seller writes it (spec §6.3 example). */
export function isoJst(ms: number): string {
  const d = new Date(ms + 9 * 3_600_000);
  return `${d.toISOString().slice(0, 19)}+09:00`;
}

/** Money amounts are decimal strings ("1980", "1980.00"); yen have no fraction. */
export const amountString = z.string().regex(/^-?\d+(\.\d+)?$/, { message: 'not a decimal amount' });

export function yen(amount: string): number {
  return Math.round(Number(amount));
}

export function toMallError(caught: unknown, endpoint: string): MallError {
  if (caught instanceof MallError) return caught;
  return new MallError({ mall: 'amazon', endpoint, kind: 'network', message: caught instanceof Error ? caught.message : String(caught), cause: caught });
}

/**
 * packageReferenceId must be a positive number unique within the order, and re-sending an id edits that
 * package (spec §6.3). Deriving it from the tracking number makes a retried confirmation edit the same
 * package instead of adding a second one, and gives a later parcel of the same order its own id.
 */
export function packageReferenceId(trackingNumber: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < trackingNumber.length; i++) {
    h ^= trackingNumber.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return String(((h >>> 0) % 2_000_000_000) + 1);
}
