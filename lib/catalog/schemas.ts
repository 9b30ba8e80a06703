import { z } from 'zod';

/**
 * One zod schema per stored row type. Rows are parsed on the way in (writes from messages, CSV, API
 * answers) and on the way out where a row crosses a boundary, so a corrupt or outdated row is reported
 * with its table and field instead of breaking a panel.
 */

export const mallIdSchema = z.enum(['rakuten', 'yahoo', 'amazon']);
export type MallId = z.infer<typeof mallIdSchema>;
export const MALL_IDS = mallIdSchema.options;

/** Epoch milliseconds. Display code turns them into JST. */
const timestamp = z.number().int().nonnegative();
/** Yen are whole numbers; Japanese malls have no sub-yen prices. */
const yen = z.number().int().nonnegative();
/** Shop SKU codes follow the strictest mall (Rakuten variantId): ASCII letters, digits, - and _. */
export const skuCodeSchema = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[A-Za-z0-9_-]+$/, { message: 'sku-code-charset' });

export const productSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  brand: z.string().optional(),
  description: z.string().optional(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type Product = z.infer<typeof productSchema>;

export const setComponentSchema = z.object({
  skuCode: skuCodeSchema,
  quantity: z.number().int().positive(),
});
export type SetComponent = z.infer<typeof setComponentSchema>;

export const skuSchema = z
  .object({
    code: skuCodeSchema,
    productId: z.string().min(1),
    /** Full display name, product name plus variant, as staff search for it. */
    name: z.string().min(1),
    variant: z.object({ color: z.string().optional(), size: z.string().optional() }).default({}),
    price: yen,
    janCode: z.string().regex(/^\d{8}(\d{5})?$/).optional(),
    /** Set/bundle SKUs hold no stock of their own: they consume their components. */
    components: z.array(setComponentSchema).default([]),
    /** Denormalised from `components` so "every set that uses this SKU" is one indexed query. */
    componentCodes: z.array(skuCodeSchema).default([]),
    /** Cached sum of this SKU's ledger movements; the ledger stays the truth. */
    stock: z.number().int(),
    lowStockThreshold: z.number().int().nonnegative().default(0),
    updatedAt: timestamp,
  })
  .refine((s) => s.componentCodes.length === s.components.length, { message: 'component-codes-mismatch', path: ['componentCodes'] });
export type Sku = z.infer<typeof skuSchema>;

const listingBase = z.object({
  /** `${mall}:${skuCode}` — one listing per SKU per mall. */
  id: z.string().min(3),
  skuCode: skuCodeSchema,
  /** The mall's own item-level identifier, indexed for page adapters (item code on an admin page). */
  externalItemId: z.string().min(1),
  /** Units kept back from this mall (safety buffer). */
  safetyBuffer: z.number().int().nonnegative().default(0),
  lastPushedQuantity: z.number().int().nonnegative().optional(),
  lastPushedAt: timestamp.optional(),
  /**
   * Malls whose orders reach their API late (Amazon), see lib/sync/shelf-guard.ts: the shelf we last
   * set (never cleared), units the mall sold that no order read has shown yet (inferred from its shelf),
   * since when that number is positive, and since when this shelf is followed at all.
   */
  shelf: z
    .object({
      lastSet: z.number().int().nonnegative(),
      unseenSales: z.number().int(),
      unseenSince: timestamp.optional(),
      trackedSince: timestamp,
      /** A push of this number was on its way (killed worker, no answer): the shelf may hold it or `lastSet`. */
      inFlight: z.number().int().nonnegative().optional(),
      /** Since when that push may have been overwriting the shelf (the read just before it). */
      openSince: timestamp.optional(),
      /** Spans in which our pushes overwrote the shelf: sales and returns in them never showed on it. */
      lostWindows: z.array(z.tuple([timestamp, timestamp])).optional(),
      /** The last reading of the shelf: when it was asked for and when it answered. */
      lastRead: z.tuple([timestamp, timestamp]).optional(),
      /** The last reading that found the shelf moved by the mall itself (changed the count). */
      countedBy: z.tuple([timestamp, timestamp]).optional(),
      /** The latest reading whose count was released (shelf-guard.ts): orders it saw no longer explain anything. */
      released: z.tuple([timestamp, timestamp]).optional(),
      /**
       * Order reads of the mall's own sales (units < 0) and returns (> 0) not yet matched with a reading
       * that saw them; `key` is the movement's, so one is never counted twice.
       */
      explained: z.array(z.object({ key: z.string(), kind: z.enum(['sale', 'return']), at: timestamp, units: z.number().int() })).optional(),
    })
    .optional(),
  active: z.boolean().default(true),
});

export const listingSchema = z.discriminatedUnion('mall', [
  listingBase.extend({
    mall: z.literal('rakuten'),
    rakuten: z.object({ manageNumber: z.string().min(1).max(32), variantId: z.string().min(1).max(40) }),
  }),
  listingBase.extend({
    mall: z.literal('yahoo'),
    yahoo: z.object({ itemCode: z.string().min(1).max(99), subCode: z.string().max(99).optional() }),
  }),
  listingBase.extend({
    mall: z.literal('amazon'),
    amazon: z.object({ sellerSku: z.string().min(1).max(40), asin: z.string().regex(/^[A-Z0-9]{10}$/).optional() }),
  }),
]);
export type Listing = z.infer<typeof listingSchema>;

export const movementKindSchema = z.enum(['initial', 'order', 'cancel', 'manual', 'csv', 'set-consume', 'set-return']);

export const stockMovementSchema = z.object({
  /**
   * Unique per real-world event, e.g. `order:rakuten:<orderNumber>:<line>`; replaying the same order
   * produces the same key, which the table refuses, so a movement is never counted twice.
   */
  key: z.string().min(1),
  skuCode: skuCodeSchema,
  delta: z.number().int(),
  kind: movementKindSchema,
  mall: mallIdSchema.optional(),
  orderId: z.string().optional(),
  note: z.string().optional(),
  /** When it happened (an order's time). */
  at: timestamp,
  /** When Ichigen learned of it and wrote it (absent on rows written before this field existed). */
  recordedAt: timestamp.optional(),
});
export type StockMovement = z.infer<typeof stockMovementSchema>;

export const orderStatusSchema = z.enum(['new', 'confirmed', 'shipping', 'shipped', 'cancelled', 'pending']);

export const orderSchema = z.object({
  /** `${mall}:${orderNumber}` */
  id: z.string().min(3),
  mall: mallIdSchema,
  orderNumber: z.string().min(1),
  status: orderStatusSchema,
  /** The mall's own status code, kept for display and automation rules. */
  mallStatus: z.string(),
  orderedAt: timestamp,
  updatedAt: timestamp,
  customerId: z.string().optional(),
  totalYen: yen,
  /** Rakuten: orders must be confirmed within 14 days or the mall cancels them. */
  confirmDeadline: timestamp.optional(),
});
export type Order = z.infer<typeof orderSchema>;

export const orderLineSchema = z.object({
  /** `${orderId}:${lineNo}` */
  id: z.string().min(1),
  orderId: z.string().min(3),
  lineNo: z.number().int().nonnegative(),
  skuCode: z.string().min(1),
  name: z.string(),
  quantity: z.number().int().positive(),
  unitPriceYen: yen,
});
export type OrderLine = z.infer<typeof orderLineSchema>;

export const customerSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  nameKana: z.string().optional(),
  email: z.string().optional(),
  rank: z.string().default('normal'),
  orderCount: z.number().int().nonnegative().default(0),
  updatedAt: timestamp,
});
export type Customer = z.infer<typeof customerSchema>;

export const jobStatusSchema = z.enum(['pending', 'running', 'done', 'failed']);

/**
 * The persisted outbox: work for a mall (push stock, confirm an order …) is written here in the same
 * transaction as the change that caused it, and removed only after the mall acknowledged it, so a
 * killed service worker resumes where it stopped.
 */
export const jobSchema = z.object({
  id: z.number().int().positive().optional(),
  kind: z.string().min(1),
  mall: mallIdSchema,
  /** Same key = same work; a newer job replaces a pending one instead of queueing twice. */
  dedupeKey: z.string().min(1),
  payload: z.unknown(),
  status: jobStatusSchema,
  attempts: z.number().int().nonnegative(),
  nextAttemptAt: timestamp,
  lastError: z.string().optional(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type Job = z.infer<typeof jobSchema>;

export const syncCursorSchema = z.object({
  /** e.g. `rakuten:orders` */
  id: z.string().min(1),
  mall: mallIdSchema,
  /** Opaque to everything but the mall adapter (a timestamp, a NextToken …). */
  cursor: z.string(),
  updatedAt: timestamp,
  /** When the current run of pages that ends caught up began (undefined between runs). */
  passStartedAt: timestamp.optional(),
  /**
   * Every order placed before this moment has been read: the start of the last run of pages that ended
   * caught up, or for a mall that shows orders late the upper bound it stated for that run.
   */
  explainedThrough: timestamp.optional(),
});
export type SyncCursor = z.infer<typeof syncCursorSchema>;

export const syncRunSchema = z.object({
  id: z.number().int().positive().optional(),
  startedAt: timestamp,
  finishedAt: timestamp.optional(),
  outcome: z.enum(['running', 'ok', 'partial', 'failed', 'skipped']),
  /** Machine-readable reason; the UI translates it. */
  reason: z.string().optional(),
  ordersRead: z.number().int().nonnegative().default(0),
  pushes: z.number().int().nonnegative().default(0),
  errors: z.number().int().nonnegative().default(0),
  /** From an order's time to the malls confirming the new quantity. */
  latencyP50Ms: z.number().nonnegative().optional(),
  latencyP95Ms: z.number().nonnegative().optional(),
  durationMs: z.number().nonnegative().optional(),
  /** What went wrong, per mall, for the popup and the panels. */
  errorDetails: z.array(z.object({ mall: mallIdSchema, kind: z.string(), message: z.string() })).optional(),
});
export type SyncRun = z.infer<typeof syncRunSchema>;

/**
 * Something staff must hear about at once (issue 5 §4). One row per alert: shown as a browser
 * notification when raised, and delivered to the e-mail / webhook channels the user configured, with
 * retries, until every channel took it or gave up (status `failed`, shown in the dashboard).
 */
export const alertKindSchema = z.enum(['low-stock', 'sync-error', 'push-refused', 'repeated-failure', 'test']);
export const alertChannelIdSchema = z.enum(['webhook', 'email']);
export const alertSchema = z.object({
  id: z.number().int().positive().optional(),
  kind: alertKindSchema,
  /** What it is about (a SKU code, `mall:kind`), so the same condition is not raised twice in a row. */
  subject: z.string().min(1),
  mall: mallIdSchema.optional(),
  title: z.string().min(1),
  body: z.string(),
  createdAt: timestamp,
  /** `local`: no channel configured, the browser notification was the delivery. */
  status: z.enum(['pending', 'sent', 'failed', 'local']),
  attempts: z.number().int().nonnegative(),
  nextAttemptAt: timestamp,
  /** Channels that already took it (a retry goes only to the others). */
  deliveredTo: z.array(alertChannelIdSchema),
  lastError: z.string().optional(),
});
export type Alert = z.infer<typeof alertSchema>;

export const auditEntrySchema = z.object({
  id: z.number().int().positive().optional(),
  at: timestamp,
  actor: z.enum(['user', 'sync', 'system']),
  action: z.string().min(1),
  detail: z.record(z.string(), z.unknown()).default({}),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const settingSchema = z.object({ key: z.string().min(1), value: z.unknown() });
export type Setting = z.infer<typeof settingSchema>;

export const credentialsSchema = z.discriminatedUnion('mall', [
  z.object({
    mall: z.literal('rakuten'),
    serviceSecret: z.string().min(1).max(50),
    licenseKey: z.string().min(1).max(50),
    updatedAt: timestamp,
  }),
  z.object({
    mall: z.literal('yahoo'),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
    sellerId: z.string().min(1),
    publicKeyPem: z.string().optional(),
    keyVersion: z.string().optional(),
    refreshToken: z.string().optional(),
    refreshTokenExpiresAt: timestamp.optional(),
    publicKeyIssuedAt: timestamp.optional(),
    updatedAt: timestamp,
  }),
  z.object({
    mall: z.literal('amazon'),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
    refreshToken: z.string().min(1),
    sellerId: z.string().min(1),
    updatedAt: timestamp,
  }),
]);
export type Credentials = z.infer<typeof credentialsSchema>;

export const tableSchemas = {
  products: productSchema,
  skus: skuSchema,
  listings: listingSchema,
  stockMovements: stockMovementSchema,
  orders: orderSchema,
  orderLines: orderLineSchema,
  customers: customerSchema,
  jobs: jobSchema,
  syncCursors: syncCursorSchema,
  syncRuns: syncRunSchema,
  auditLog: auditEntrySchema,
  alerts: alertSchema,
  settings: settingSchema,
  credentials: credentialsSchema,
} as const;
export type TableName = keyof typeof tableSchemas;
