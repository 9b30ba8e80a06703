import { useState } from 'react';
import { useBackground } from '@/components/common/use-background';
import { formatJst, t, type MessageKey } from '@/lib/i18n';
import { callBackground } from '@/lib/messaging/protocol';
import { sendgridUrlForMode } from '@/lib/alerts/channels';

type Format = 'slack' | 'discord' | 'json';

/**
 * E-mail and webhook alerts: where low-stock and sync alerts go besides the browser notification, a
 * test button, and the last alerts with whether they were delivered.
 */
async function ensureHostPermission(origin: string): Promise<boolean> {
  const origins = [`${origin}/*`];
  if (await browser.permissions.contains({ origins }).catch(() => false)) return true;
  return browser.permissions.request({ origins }).catch(() => false);
}

export function AlertSettings() {
  const [settings, reload] = useBackground('getAlertSettings', {}, 'alert-settings');
  const [webhookUrl, setWebhookUrl] = useState('');
  const [format, setFormat] = useState<Format>('slack');
  const [apiKey, setApiKey] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();

  const current = settings.state === 'ready' ? settings.data.channels : undefined;

  const save = async () => {
    setMessage(undefined);
    const url = webhookUrl.trim();
    // The worker may only reach a host the user allowed: ask now, while the click counts as a gesture.
    const wantsEmail = apiKey.trim() !== '' || from.trim() !== '' || to.trim() !== '';
    const hosts = [url, wantsEmail ? sendgridUrlForMode(import.meta.env.MODE) : ''].filter(Boolean);
    for (const host of hosts) {
      let origin: string;
      try {
        origin = new URL(host).origin;
      } catch {
        continue; // the background's validation names what is wrong with it
      }
      if (!(await ensureHostPermission(origin))) {
        setMessage({ ok: false, text: t('alerts.channels.permissionDenied', { host: origin }) });
        return;
      }
    }
    const result = await callBackground('saveAlertChannels', {
      webhook: url ? { url, format } : null,
      email: wantsEmail
        ? {
            provider: 'sendgrid',
            ...(apiKey.trim() ? { apiKey: apiKey.trim() } : {}),
            from: from.trim(),
            to: to
              .split(/[,、\s]+/)
              .map((s) => s.trim())
              .filter(Boolean),
          }
        : null,
    });
    if (result.ok) {
      setMessage({ ok: true, text: t('alerts.channels.saved') });
      setApiKey('');
      reload();
    } else {
      setMessage({ ok: false, text: result.error.issues?.length ? result.error.issues.map((i) => i.message).join(' / ') : result.error.message });
    }
  };

  const sendTest = async () => {
    setMessage(undefined);
    const result = await callBackground('sendTestAlert', {});
    if (!result.ok) setMessage({ ok: false, text: result.error.message });
    else if (result.data.status === 'sent' || result.data.status === 'local') setMessage({ ok: true, text: t('alerts.channels.testSent') });
    else setMessage({ ok: false, text: `${t(`alerts.status.${result.data.status}` as MessageKey)}：${result.data.error ?? ''}` });
    reload();
  };

  const summary = current
    ? [current.webhook && `Webhook ${current.webhook.url}（${current.webhook.format}）`, current.email && `SendGrid ${current.email.keyHint} → ${current.email.to.join(', ')}`].filter(Boolean).join(' ／ ') ||
      t('alerts.channels.none')
    : '';

  return (
    <section className="alert-settings" data-testid="alert-settings">
      <h3>{t('alerts.channels.title')}</h3>
      <p className="muted">{t('alerts.channels.help')}</p>
      {current && <p data-testid="alert-channels-current">{t('alerts.channels.current', { summary })}</p>}
      <div className="form-grid">
        <label>
          {t('alerts.channels.webhookUrl')}
          <input name="webhookUrl" type="url" value={webhookUrl} onChange={(e) => setWebhookUrl(e.target.value)} placeholder="https://hooks.slack.com/services/…" />
        </label>
        <label>
          {t('alerts.channels.format')}
          <select name="format" value={format} onChange={(e) => setFormat(e.target.value as Format)}>
            {(['slack', 'discord', 'json'] as const).map((f) => (
              <option key={f} value={f}>
                {t(`alerts.channels.format.${f}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('alerts.channels.emailKey')}
          <input name="apiKey" type="password" autoComplete="off" value={apiKey} onChange={(e) => setApiKey(e.target.value)} placeholder={current?.email ? current.email.keyHint : 'SG.…'} />
        </label>
        <label>
          {t('alerts.channels.emailFrom')}
          <input name="from" type="email" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          {t('alerts.channels.emailTo')}
          <input name="to" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
      </div>
      <div className="toolbar">
        <button type="button" onClick={() => void save()}>
          {t('alerts.channels.save')}
        </button>
        <button type="button" onClick={() => void sendTest()}>
          {t('alerts.channels.test')}
        </button>
      </div>
      {message && (
        <p className={message.ok ? 'ok' : 'error'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
      {settings.state === 'ready' && settings.data.alerts.length > 0 && (
        <>
          <h4>{t('alerts.history')}</h4>
          <table className="ich-table" data-testid="alert-history">
            <tbody>
              {settings.data.alerts.map((a) => (
                <tr key={a.id}>
                  <td>{formatJst(a.createdAt)}</td>
                  <td>{a.title}</td>
                  <td className={a.status === 'failed' ? 'error' : undefined}>
                    {t(`alerts.status.${a.status}`)}
                    {a.status === 'failed' && a.lastError ? `：${a.lastError}` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
