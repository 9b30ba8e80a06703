import { MAX_STOCK_EDIT_SKUS, stockEditOperationSchema } from '../sync/stock-edit-schema';
import { defineExtensionMessaging } from '@webext-core/messaging';
import { allocationSettingsSchema } from '../sync/allocation';
import { z } from 'zod';
import { emailChannelSchema, webhookChannelSchema } from '../alerts/channels';
import {
  alertSchema,
  mallIdSchema,
  orderLineSchema,
  orderSchema,
  listingSchema,
  skuCodeSchema,
  skuSchema,
  syncRunSchema,
} from '../catalog/schemas';

/**
 * The one message contract between content scripts, extension pages and the service worker.
 *
 * Each message names who may send it and the zod schemas of its request and answer. The background
 * validates every request where it is received (TypeScript types do not cross contexts) and checks the
 * sender; a refused request gets a `MessageError` the UI can show as is.
 *
 * `content` messages may come from our content scripts on mall admin pages; they must never answer with
 * a credential. `extension-page` messages come only from the popup and dashboard.
 */

export const pageContextSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('item'), mall: mallIdSchema, itemId: z.string().min(1).max(100) }),
  z.object({ kind: z.literal('order'), mall: mallIdSchema, orderNumber: z.string().min(1).max(100) }),
  z.object({ kind: z.literal('other'), mall: mallIdSchema }),
]);
export type PageContext = z.infer<typeof pageContextSchema>;

const catalogCountsSchema = z.object({
  products: z.number(),
  skus: z.number(),
  listings: z.record(mallIdSchema, z.number()),
  orders: z.number(),
  pendingJobs: z.number(),
});

const panelDataSchema = z.object({
  context: pageContextSchema,
  skus: z.array(z.object({ sku: skuSchema, listings: z.array(listingSchema) })),
  order: z.object({ order: orderSchema, lines: z.array(orderLineSchema) }).optional(),
  counts: catalogCountsSchema,
  lastSync: syncRunSchema.optional(),
});
export type PanelData = z.infer<typeof panelDataSchema>;

export const credentialInputSchema = z.discriminatedUnion('mall', [
  z.object({ mall: z.literal('rakuten'), serviceSecret: z.string().trim().min(1).max(50), licenseKey: z.string().trim().min(1).max(50) }),
  z.object({
    mall: z.literal('yahoo'),
    clientId: z.string().trim().min(1).max(200),
    clientSecret: z.string().trim().min(1).max(200),
    sellerId: z.string().trim().min(1).max(100),
    /** 公開鍵認証: the store's public key (PEM) and its version, from ストアクリエイターPro. */
    publicKeyPem: z
      .string()
      .trim()
      .regex(/^-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----$/, { message: 'public-key-pem' })
      .optional(),
    keyVersion: z.string().trim().min(1).max(20).optional(),
  }),
  z.object({
    mall: z.literal('amazon'),
    clientId: z.string().trim().min(1).max(200),
    clientSecret: z.string().trim().min(1).max(200),
    refreshToken: z.string().trim().min(1).max(2000),
    sellerId: z.string().trim().min(1).max(50),
  }),
]);
export type CredentialInput = z.infer<typeof credentialInputSchema>;

/** What pages may know about credentials: whether they are set, never their values. */
const credentialStatusSchema = z.record(mallIdSchema, z.object({ configured: z.boolean(), updatedAt: z.number().optional() }));
export type CredentialStatus = z.infer<typeof credentialStatusSchema>;

const stockAdjustmentSchema = z.object({
  skuCode: skuCodeSchema,
  delta: z
    .number()
    .int()
    .refine((n) => n !== 0, { message: 'delta-zero' }),
  /** Made once per user action by the sender, so a resent message cannot adjust twice. */
  requestId: z.string().uuid(),
  note: z.string().max(200).optional(),
});

export const messageContract = {
  getPanelData: { from: 'content', request: pageContextSchema, response: panelDataSchema },
  getCatalogStatus: {
    from: 'content',
    request: z.object({}).strict(),
    response: z.object({
      counts: catalogCountsSchema,
      lastSync: syncRunSchema.optional(),
      lowStock: z.number(),
      failedPushes: z.number(),
      /** The latest cycle's errors in the user's language. */
      errors: z.array(z.object({ mall: mallIdSchema, message: z.string() })),
    }),
  },
  recordStockAdjustment: {
    from: 'content',
    request: stockAdjustmentSchema,
    response: z.object({ skuCode: skuCodeSchema, stock: z.number().int(), applied: z.boolean() }),
  },
  getCredentialStatus: { from: 'extension-page', request: z.object({}).strict(), response: credentialStatusSchema },
  getCredentialLock: { from: 'extension-page', request: z.object({}).strict(), response: z.object({ enabled: z.boolean(), unlocked: z.boolean() }) },
  setCredentialLock: {
    from: 'extension-page',
    request: z.object({ enable: z.boolean(), passphrase: z.string().min(8).max(200) }).strict(),
    response: z.object({ enabled: z.boolean(), unlocked: z.boolean() }),
  },
  unlockCredentials: {
    from: 'extension-page',
    request: z.object({ passphrase: z.string().min(1).max(200) }).strict(),
    response: z.object({ enabled: z.boolean(), unlocked: z.boolean() }),
  },
  saveCredentials: { from: 'extension-page', request: credentialInputSchema, response: credentialStatusSchema },
  authorizeYahoo: {
    from: 'extension-page',
    request: z.object({}).strict(),
    response: z.object({ refreshTokenExpiresAt: z.number() }),
  },
  reconcileNow: {
    from: 'extension-page',
    request: z.object({}).strict(),
    response: z.object({
      at: z.number(),
      checked: z.record(z.string(), z.number()),
      drift: z.array(z.object({ mall: mallIdSchema, listingId: z.string(), skuCode: z.string(), expected: z.number(), shown: z.number().optional() })),
      errors: z.array(z.object({ mall: mallIdSchema, message: z.string() })),
    }),
  },
  resyncAll: {
    from: 'extension-page',
    request: z.object({ mall: mallIdSchema.optional() }).strict(),
    response: z.object({ queued: z.number() }),
  },
  getAllocation: {
    from: 'extension-page',
    request: z.object({}).strict(),
    response: z.object({ settings: allocationSettingsSchema, cost: z.object({ skus: z.number(), hiddenFromBest: z.number(), unallocated: z.number() }) }),
  },
  saveAllocation: {
    from: 'extension-page',
    request: allocationSettingsSchema,
    response: z.object({ queued: z.number() }),
  },
  importStockCsv: {
    from: 'extension-page',
    request: z.object({
      importId: z.string().uuid(),
      rows: z
        .array(z.object({ line: z.number().int().positive(), skuCode: skuCodeSchema, mode: z.enum(['set', 'add']), value: z.number().int().min(-99_999).max(99_999) }))
        .max(200_000),
    }),
    response: z.object({ applied: z.number() }),
  },
  applyStockEdit: {
    from: 'extension-page',
    request: z.object({
      editId: z.string().uuid(),
      skuCodes: z.array(skuCodeSchema).min(1).max(MAX_STOCK_EDIT_SKUS),
      operation: stockEditOperationSchema,
    }),
    response: z.object({ applied: z.number(), refused: z.array(z.string()) }),
  },
  getAlertSettings: {
    from: 'extension-page',
    request: z.object({}).strict(),
    response: z.object({
      channels: z.object({
        webhook: z.object({ url: z.string(), format: z.string() }).optional(),
        email: z.object({ from: z.string(), to: z.array(z.string()), keyHint: z.string() }).optional(),
      }),
      alerts: z.array(alertSchema),
    }),
  },
  /** `null` removes a channel; an e-mail channel without `apiKey` keeps the stored key. */
  saveAlertChannels: {
    from: 'extension-page',
    request: z.object({
      webhook: webhookChannelSchema.nullable(),
      email: emailChannelSchema.extend({ apiKey: emailChannelSchema.shape.apiKey.optional() }).nullable(),
    }),
    response: z.object({ saved: z.literal(true) }),
  },
  sendTestAlert: {
    from: 'extension-page',
    request: z.object({}).strict(),
    response: z.object({ status: z.string(), error: z.string().optional() }),
  },
  syncNow: {
    from: 'content',
    request: z.object({}).strict(),
    response: z.object({ started: z.boolean(), run: syncRunSchema.optional() }),
  },
  getSyncHistory: {
    from: 'extension-page',
    request: z.object({ limit: z.number().int().positive().max(2000).optional() }).strict(),
    response: z.object({
      runs: z.array(syncRunSchema),
      pendingPushes: z.number(),
      failedPushes: z.array(z.object({ mall: mallIdSchema, key: z.string(), error: z.string() })),
    }),
  },
  testConnection: {
    from: 'extension-page',
    request: z.object({ mall: mallIdSchema }).strict(),
    response: z.object({
      mall: mallIdSchema,
      ok: z.boolean(),
      /** Each check with its outcome in the user's language. */
      checks: z.array(z.object({ name: z.string(), ok: z.boolean(), message: z.string().optional(), kind: z.string().optional() })),
      expiries: z.array(z.object({ what: z.enum(['license-key', 'refresh-token', 'public-key']), expiresAt: z.number(), daysLeft: z.number(), warn: z.boolean() })),
    }),
  },
  loadDemoCatalog: {
    from: 'extension-page',
    request: z.object({ skuCount: z.number().int().positive().max(200_000).optional(), withListings: z.boolean().optional() }).strict(),
    response: z.object({ skus: z.number() }),
  },
} as const satisfies Record<string, { from: 'content' | 'extension-page'; request: z.ZodType; response: z.ZodType }>;

export type MessageName = keyof typeof messageContract;
export type MessageRequest<N extends MessageName> = z.input<(typeof messageContract)[N]['request']>;
export type MessageResponse<N extends MessageName> = z.output<(typeof messageContract)[N]['response']>;

export const messageErrorSchema = z.object({
  code: z.enum(['invalid-payload', 'unknown-message', 'forbidden-sender', 'internal']),
  /** Already in the user's language. */
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type MessageError = z.infer<typeof messageErrorSchema>;

export type MessageResult<T> = { ok: true; data: T } | { ok: false; error: MessageError };

/** Payloads stay `unknown` on the wire: the receiver trusts nothing it has not parsed. */
type WireProtocol = { [N in MessageName]: (data: unknown) => MessageResult<MessageResponse<N>> };

export const messenger = defineExtensionMessaging<WireProtocol>();

/** Ask the background. Never throws for a refused request: the error comes back as a result. */
export async function callBackground<N extends MessageName>(name: N, data: MessageRequest<N>): Promise<MessageResult<MessageResponse<N>>> {
  const send = messenger.sendMessage as (name: MessageName, data: unknown) => Promise<unknown>;
  return (await send(name, data)) as MessageResult<MessageResponse<N>>;
}
