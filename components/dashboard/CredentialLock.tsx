import { useState } from 'react';
import { useBackground } from '@/components/common/use-background';
import { t } from '@/lib/i18n';
import { callBackground } from '@/lib/messaging/protocol';

/** The optional passphrase lock: on/off, and unlock after a browser start. */
export function CredentialLock({ onChange }: { onChange: () => void }) {
  const [lock, reload] = useBackground('getCredentialLock', {}, 'lock');
  const [passphrase, setPassphrase] = useState('');
  const [error, setError] = useState<string>();
  if (lock.state !== 'ready') return null;
  const { enabled, unlocked } = lock.data;
  const act = async (run: () => ReturnType<typeof callBackground<'unlockCredentials'>>) => {
    setError(undefined);
    const result = await run();
    if (!result.ok) return setError(result.error.message);
    setPassphrase('');
    reload();
    onChange();
  };
  return (
    <section className="credential-lock" data-testid="credential-lock">
      <h3>{t('lock.title')}</h3>
      <p className="muted">{t('lock.help')}</p>
      <p data-testid="lock-state" className={enabled && !unlocked ? 'error' : ''}>
        {!enabled ? t('lock.state.off') : unlocked ? t('lock.state.unlocked') : t('lock.state.locked')}
      </p>
      <label>
        {t('lock.passphrase')} <input type="password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} autoComplete="new-password" />
      </label>{' '}
      {!enabled && (
        <button type="button" onClick={() => void act(() => callBackground('setCredentialLock', { enable: true, passphrase }))}>
          {t('lock.enable')}
        </button>
      )}
      {enabled && !unlocked && (
        <button type="button" onClick={() => void act(() => callBackground('unlockCredentials', { passphrase }))}>
          {t('lock.unlock')}
        </button>
      )}
      {enabled && (
        <button type="button" onClick={() => void act(() => callBackground('setCredentialLock', { enable: false, passphrase }))}>
          {t('lock.disable')}
        </button>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
