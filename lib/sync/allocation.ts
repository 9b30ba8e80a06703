import { z } from 'zod';
import { mallIdSchema, type MallId } from '../catalog/schemas';

/**
 * Oversell-proof allocation: for when a sync cannot be guaranteed (the browser closed at night, a mall
 * API down). The quantities shown on the malls never add up to more than the real stock, so no two
 * malls can sell the same unit, however late the next sync is.
 */
export const allocationSettingsSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('off') }),
  /** Split by each mall's share of this SKU's sales in the last `days` days (equal split without sales). */
  z.object({ mode: z.literal('sales-share'), days: z.number().int().min(1).max(365).default(30) }),
  /** Fixed percentages per mall (summing to at most 100). */
  z.object({
    mode: z.literal('fixed'),
    percent: z.partialRecord(mallIdSchema, z.number().min(0).max(100)).refine((p) => Object.values(p).reduce((a, b) => a + b, 0) <= 100, { message: 'percent-over-100' }),
  }),
  /** Everything to the first mall in the list that carries the SKU. */
  z.object({ mode: z.literal('priority'), order: z.array(mallIdSchema).min(1) }),
]);
export type AllocationSettings = z.infer<typeof allocationSettingsSchema>;
export const ALLOCATION_SETTING_KEY = 'sync.allocation';

/**
 * Splits `stock` units among the malls that list the SKU. Largest-remainder rounding keeps the sum
 * exactly at the stock for share-based modes (fixed percentages below 100 % keep the rest back).
 */
export function allocate(stock: number, malls: MallId[], settings: AllocationSettings, salesByMall: Partial<Record<MallId, number>> = {}): Record<string, number> {
  const units = Math.max(0, stock);
  const out: Record<string, number> = {};
  if (malls.length === 0) return out;
  if (settings.mode === 'off') {
    for (const m of malls) out[m] = units;
    return out;
  }
  if (settings.mode === 'priority') {
    const first = settings.order.find((m) => malls.includes(m)) ?? malls[0]!;
    for (const m of malls) out[m] = m === first ? units : 0;
    return out;
  }
  let weights: number[];
  if (settings.mode === 'fixed') {
    weights = malls.map((m) => (settings.percent[m] ?? 0) / 100);
  } else {
    const sales = malls.map((m) => salesByMall[m] ?? 0);
    const total = sales.reduce((a, b) => a + b, 0);
    weights = total > 0 ? sales.map((s) => s / total) : malls.map(() => 1 / malls.length);
  }
  const budget = settings.mode === 'fixed' ? Math.floor(units * Math.min(1, weights.reduce((a, b) => a + b, 0)) + 1e-9) : units;
  const exact = weights.map((w) => units * w);
  const floors = exact.map((e) => Math.floor(e + 1e-9));
  let left = budget - floors.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, frac: e - floors[i]! })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    if (weights[i]! > 0) {
      floors[i]! += 1;
      left -= 1;
    }
  }
  malls.forEach((m, i) => (out[m] = floors[i]!));
  return out;
}

/**
 * What allocation costs for one SKU: units the best-selling mall cannot offer (with allocation off it
 * could offer them all), plus units no mall offers.
 */
export function allocationCost(stock: number, allocated: Record<string, number>): { hiddenFromBest: number; unallocated: number } {
  const values = Object.values(allocated);
  const sum = values.reduce((a, b) => a + b, 0);
  return { hiddenFromBest: Math.max(0, stock - Math.max(0, ...values)), unallocated: Math.max(0, stock - sum) };
}
