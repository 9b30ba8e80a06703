import { AlertSettings } from './AlertSettings';
import { useState } from 'react';
import { useBackground } from '@/components/common/use-background';
import { MALL_IDS, type MallId } from '@/lib/catalog/schemas';
import { formatJst, t, type MessageKey } from '@/lib/i18n';
import { callBackground, type CredentialInput, type MessageResponse } from '@/lib/messaging/protocol';
import { CredentialLock } from './CredentialLock';

const FIELDS: Record<MallId, { name: string; label: MessageKey; secret: boolean; multiline?: boolean }[]> = {
  rakuten: [
    { name: 'serviceSecret', label: 'settings.rakuten.serviceSecret', secret: true },
    { name: 'licenseKey', label: 'settings.rakuten.licenseKey', secret: true },
  ],
  yahoo: [
    { name: 'sellerId', label: 'settings.yahoo.sellerId', secret: false },
    { name: 'clientId', label: 'settings.yahoo.clientId', secret: false },
    { name: 'clientSecret', label: 'settings.yahoo.clientSecret', secret: true },
    { name: 'publicKeyPem', label: 'settings.yahoo.publicKeyPem', secret: false, multiline: true },
    { name: 'keyVersion', label: 'settings.yahoo.keyVersion', secret: false },
  ],
  amazon: [
    { name: 'sellerId', label: 'settings.amazon.sellerId', secret: false },
    { name: 'clientId', label: 'settings.amazon.clientId', secret: false },
    { name: 'clientSecret', label: 'settings.amazon.clientSecret', secret: true },
    { name: 'refreshToken', label: 'settings.amazon.refreshToken', secret: true },
  ],
};

/** Credentials per mall. Saved values are never read back into the page, only whether they are set. */
export function CredentialsForm() {
  const [status, reload] = useBackground('getCredentialStatus', {}, 'status');
  return (
    <div className="settings">
      <h2>{t('settings.credentials')}</h2>
      <p className="muted">{t('settings.secretHidden')}</p>
      <CredentialLock onChange={reload} />
      {MALL_IDS.map((mall) => (
        <MallCredentials
          key={mall}
          mall={mall}
          configured={status.state === 'ready' ? status.data[mall] : undefined}
          onSaved={reload}
        />
      ))}
      <AlertSettings />
    </div>
  );
}

function MallCredentials({ mall, configured, onSaved }: { mall: MallId; configured?: { configured: boolean; updatedAt?: number }; onSaved: () => void }) {
  const [values, setValues] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string; issues?: { path: string; message: string }[] }>();
  const save = async () => {
    const result = await callBackground('saveCredentials', { mall, ...values } as CredentialInput);
    if (!result.ok) return setMessage({ kind: 'error', text: result.error.message, ...(result.error.issues ? { issues: result.error.issues } : {}) });
    setValues({});
    setMessage({ kind: 'ok', text: t('settings.saved') });
    onSaved();
  };
  return (
    <form
      className="mall-credentials"
      data-testid={`credentials-${mall}`}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h3>
        {t(`mall.${mall}`)}{' '}
        <small data-testid={`credentials-status-${mall}`}>
          {configured?.configured && configured.updatedAt ? t('settings.configured', { when: formatJst(configured.updatedAt) }) : t('settings.notConfigured')}
        </small>
      </h3>
      {FIELDS[mall].map((field) => (
        <label key={field.name}>
          <span>{t(field.label)}</span>
          {field.multiline ? (
            <textarea name={field.name} rows={4} value={values[field.name] ?? ''} onChange={(e) => setValues({ ...values, [field.name]: e.target.value })} />
          ) : (
            <input
              name={field.name}
              type={field.secret ? 'password' : 'text'}
              autoComplete="off"
              value={values[field.name] ?? ''}
              onChange={(e) => setValues({ ...values, [field.name]: e.target.value })}
            />
          )}
        </label>
      ))}
      <button type="submit">{t('settings.save')}</button> {mall === 'yahoo' && <YahooAuthorize />} <ConnectionTest mall={mall} />
      {message && (
        <div role={message.kind === 'error' ? 'alert' : 'status'} className={message.kind === 'error' ? 'error' : 'ok'}>
          {message.text}
        </div>
      )}
    </form>
  );
}

function ConnectionTest({ mall }: { mall: MallId }) {
  const [state, setState] = useState<{ running: boolean; report?: MessageResponse<'testConnection'>; error?: string }>({ running: false });
  const run = async () => {
    setState({ running: true });
    const result = await callBackground('testConnection', { mall });
    setState(result.ok ? { running: false, report: result.data } : { running: false, error: result.error.message });
  };
  return (
    <>
      <button type="button" onClick={() => void run()} disabled={state.running}>
        {t('connection.test')}
      </button>
      <div className="connection-report" data-testid={`connection-report-${mall}`} aria-live="polite">
        {state.running && <p className="muted">{t('connection.testing')}</p>}
        {state.error && <p className="error">{state.error}</p>}
        {state.report && (
          <>
            <p className={state.report.ok ? 'ok' : 'error'} data-testid={`connection-result-${mall}`}>
              {state.report.ok ? t('connection.ok') : t('connection.failed')}
            </p>
            <ul>
              {state.report.checks
                .filter((c) => !c.ok)
                .map((c) => (
                  <li key={c.name} className="error">
                    {c.message}
                  </li>
                ))}
              {state.report.expiries.map((e) => (
                <li key={e.what} className={e.warn ? 'error' : 'muted'}>
                  {t('connection.expires', { what: t(`connection.expiry.${e.what}`), when: formatJst(e.expiresAt), days: e.daysLeft })}
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
    </>
  );
}

function YahooAuthorize() {
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  return (
    <>
      <button
        type="button"
        onClick={async () => {
          const result = await callBackground('authorizeYahoo', {});
          setMessage(result.ok ? { ok: true, text: t('settings.yahoo.authorized', { when: formatJst(result.data.refreshTokenExpiresAt) }) } : { ok: false, text: result.error.message });
        }}
      >
        {t('settings.yahoo.authorize')}
      </button>
      {message && (
        <span role={message.ok ? 'status' : 'alert'} className={message.ok ? 'ok' : 'error'} data-testid="yahoo-authorize-result">
          {message.text}
        </span>
      )}
    </>
  );
}
