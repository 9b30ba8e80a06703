import { z } from 'zod';

/** What staff do to the chosen SKUs: set the counted stock, or receive / write off some units. */
export const stockEditOperationSchema = z.object({
  kind: z.enum(['set', 'add', 'subtract']),
  value: z.number().int().min(0).max(99_999),
});
export type StockEditOperation = z.infer<typeof stockEditOperationSchema>;

/**
 * SKUs one bulk edit may touch (one transaction). Sets take their stock from their components, so an
 * edit applies to single SKUs only.
 */
export const MAX_STOCK_EDIT_SKUS = 5_000;
