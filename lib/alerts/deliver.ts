import type { CatalogDb } from '../catalog/db';
import type { Alert } from '../catalog/schemas';
import { configuredChannels, loadAlertChannels, requestFor, SENDGRID_MAIL_SEND, type AlertChannelId, type AlertChannels } from './channels';

export interface DeliveryDeps {
  fetch: typeof fetch;
  now?: () => number;
  /** Tests point e-mail at a local server. */
  sendgridUrl?: string;
  timeoutMs?: number;
}

/** After this many tries an alert is marked failed (shown in the dashboard with the last error). */
export const MAX_ALERT_ATTEMPTS = 6;

/** 1, 2, 4, 8, 16 minutes: a webhook host that is down for a while still gets the alert. */
export const alertRetryDelayMs = (attempts: number) => Math.min(16, 2 ** Math.max(0, attempts - 1)) * 60_000;

export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

/** Sends one request; a 2xx is taken, 4xx other than 408/429 will not get better by retrying. */
export async function send(channel: AlertChannelId, channels: AlertChannels, alert: Alert, deps: DeliveryDeps): Promise<void> {
  const request = requestFor(channel, channels, alert, deps.sendgridUrl ?? SENDGRID_MAIL_SEND);
  if (!request) return;
  let response: Response;
  try {
    response = await deps.fetch(request.url, { ...request.init, signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000) });
  } catch (error) {
    throw new DeliveryError(`${channel}: ${error instanceof Error ? error.message : String(error)}`, false);
  }
  if (response.ok) return;
  const text = (await response.text().catch(() => '')).slice(0, 200);
  const permanent = response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429;
  throw new DeliveryError(`${channel}: HTTP ${response.status}${text ? ` ${text}` : ''}`, permanent);
}

/**
 * Delivers due alerts to every configured channel. A channel that took an alert is remembered, so a
 * retry goes only to the ones that did not; the row is written after each alert, so a killed worker
 * at worst sends one alert twice, never loses one.
 */
export async function deliverPendingAlerts(db: CatalogDb, deps: DeliveryDeps): Promise<{ sent: number; failed: number; retrying: number }> {
  const now = deps.now ?? Date.now;
  const channels = await loadAlertChannels(db);
  const wanted = configuredChannels(channels);
  const due = await db.alerts.where('[status+nextAttemptAt]').between(['pending', 0], ['pending', now()], true, true).limit(20).toArray();
  const report = { sent: 0, failed: 0, retrying: 0 };
  for (const alert of due) {
    if (alert.id === undefined) continue;
    if (wanted.length === 0) {
      await db.alerts.update(alert.id, { status: 'local' });
      continue;
    }
    const deliveredTo = [...alert.deliveredTo];
    const problems: DeliveryError[] = [];
    for (const channel of wanted) {
      if (deliveredTo.includes(channel)) continue;
      try {
        await send(channel, channels, alert, deps);
        deliveredTo.push(channel);
      } catch (error) {
        problems.push(error instanceof DeliveryError ? error : new DeliveryError(String(error), false));
      }
    }
    const attempts = alert.attempts + 1;
    if (problems.length === 0) {
      await db.alerts.update(alert.id, { status: 'sent', attempts, deliveredTo });
      report.sent += 1;
      continue;
    }
    const giveUp = attempts >= MAX_ALERT_ATTEMPTS || problems.every((p) => p.permanent);
    await db.alerts.update(alert.id, {
      status: giveUp ? 'failed' : 'pending',
      attempts,
      deliveredTo,
      nextAttemptAt: now() + alertRetryDelayMs(attempts),
      lastError: problems.map((p) => p.message).join(' / '),
    });
    if (giveUp) report.failed += 1;
    else report.retrying += 1;
  }
  return report;
}
