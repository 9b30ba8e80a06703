import { z } from 'zod';
import type { CatalogDb } from '../catalog/db';
import type { Alert } from '../catalog/schemas';

/**
 * Where alerts go besides the browser: a webhook (Slack, Discord, Google Chat, Chatwork via a relay,
 * or any endpoint taking JSON) and e-mail through SendGrid's v3 mail-send API with the user's own key.
 *
 * Stored in the catalog's settings table (the extension's own IndexedDB): the webhook URL and the
 * SendGrid key are secrets, and content scripts and web pages cannot read that database.
 */
const isLocalSimulator = (url: URL) => url.protocol === 'http:' && url.hostname === '127.0.0.1';

export const webhookChannelSchema = z.object({
  url: z
    .string()
    .trim()
    .url()
    .refine((u) => {
      const url = new URL(u);
      return url.protocol === 'https:' || isLocalSimulator(url);
    }, 'https:// で始まるURLを入力してください'),
  format: z.enum(['slack', 'discord', 'json']),
});

export const emailChannelSchema = z.object({
  provider: z.literal('sendgrid'),
  apiKey: z.string().trim().min(20, 'SendGrid の API キーを入力してください'),
  from: z.string().trim().email('送信元のメールアドレスが正しくありません'),
  to: z.array(z.string().trim().email('宛先のメールアドレスが正しくありません')).min(1, '宛先を1件以上入力してください').max(10),
});

export const alertChannelsSchema = z.object({
  webhook: webhookChannelSchema.optional(),
  email: emailChannelSchema.optional(),
});
export type AlertChannels = z.infer<typeof alertChannelsSchema>;
export type AlertChannelId = keyof AlertChannels;

export const ALERT_CHANNELS_KEY = 'alerts.channels';

export async function loadAlertChannels(db: CatalogDb): Promise<AlertChannels> {
  const parsed = alertChannelsSchema.safeParse((await db.settings.get(ALERT_CHANNELS_KEY))?.value);
  return parsed.success ? parsed.data : {};
}

export async function saveAlertChannels(db: CatalogDb, channels: AlertChannels): Promise<void> {
  await db.settings.put({ key: ALERT_CHANNELS_KEY, value: alertChannelsSchema.parse(channels) });
}

/** What the dashboard shows of the stored channels: never the key itself. */
export function describeChannels(channels: AlertChannels): { webhook?: { url: string; format: string }; email?: { from: string; to: string[]; keyHint: string } } {
  return {
    ...(channels.webhook ? { webhook: { url: maskUrl(channels.webhook.url), format: channels.webhook.format } } : {}),
    ...(channels.email ? { email: { from: channels.email.from, to: channels.email.to, keyHint: `…${channels.email.apiKey.slice(-4)}` } } : {}),
  };
}

/** Webhook URLs carry their secret in the path: show the host and the first path segment only. */
function maskUrl(u: string): string {
  const url = new URL(u);
  const first = url.pathname.split('/').filter(Boolean)[0];
  return `${url.origin}/${first ? `${first}/` : ''}…`;
}

export const SENDGRID_MAIL_SEND = 'https://api.sendgrid.com/v3/mail/send';

/** Demo and e2e builds mail into the simulator's inbox instead of SendGrid (see tests/mall-sim). */
export function sendgridUrlForMode(mode: string): string {
  return mode === 'demo' || mode === 'e2e' ? 'http://127.0.0.1:4100/__control/inbox/v3/mail/send' : SENDGRID_MAIL_SEND;
}

export interface OutgoingRequest {
  url: string;
  init: { method: 'POST'; headers: Record<string, string>; body: string };
}

/** The request a channel gets for an alert (pure, so the payloads are tested without a network). */
export function requestFor(channel: AlertChannelId, channels: AlertChannels, alert: Pick<Alert, 'kind' | 'subject' | 'mall' | 'title' | 'body' | 'createdAt'>, sendgridUrl = SENDGRID_MAIL_SEND): OutgoingRequest | undefined {
  if (channel === 'webhook' && channels.webhook) {
    const { url, format } = channels.webhook;
    const text = `${alert.title}\n${alert.body}`.trim();
    const payload =
      format === 'slack'
        ? { text }
        : format === 'discord'
          ? { content: text.slice(0, 2000) }
          : { source: 'ichigen', kind: alert.kind, subject: alert.subject, ...(alert.mall ? { mall: alert.mall } : {}), title: alert.title, body: alert.body, createdAt: new Date(alert.createdAt).toISOString() };
    return { url, init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) } };
  }
  if (channel === 'email' && channels.email) {
    const { apiKey, from, to } = channels.email;
    const payload = {
      personalizations: [{ to: to.map((email) => ({ email })) }],
      from: { email: from, name: '一元 Ichigen' },
      subject: `[一元] ${alert.title}`,
      content: [{ type: 'text/plain', value: alert.body || alert.title }],
    };
    return { url: sendgridUrl, init: { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` }, body: JSON.stringify(payload) } };
  }
  return undefined;
}

export function configuredChannels(channels: AlertChannels): AlertChannelId[] {
  return (['webhook', 'email'] as const).filter((c) => channels[c] !== undefined);
}
