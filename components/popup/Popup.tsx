import { useState } from 'react';
import { useBackground } from '@/components/common/use-background';
import { callBackground } from '@/lib/messaging/protocol';
import { MALL_IDS } from '@/lib/catalog/schemas';
import { formatCount, formatJst, t } from '@/lib/i18n';

function SyncNow() {
  const [message, setMessage] = useState<string>();
  return (
    <>
      <button
        type="button"
        onClick={async () => {
          const result = await callBackground('syncNow', {});
          setMessage(!result.ok ? result.error.message : result.data.started ? t('sync.done') : t('sync.busy'));
        }}
      >
        {t('sync.now')}
      </button>
      {message && <p role="status">{message}</p>}
    </>
  );
}

export function Popup() {
  const [status] = useBackground('getCatalogStatus', {}, 'status');
  const [credentials] = useBackground('getCredentialStatus', {}, 'credentials');
  return (
    <div className="popup">
      <h1>{t('appName')}</h1>
      {status.state === 'ready' && (
        <p data-testid="popup-counts">
          {t('panel.catalogCounts', { products: formatCount(status.data.counts.products), skus: formatCount(status.data.counts.skus), orders: formatCount(status.data.counts.orders) })}
          <br />
          {status.data.lastSync
            ? t('panel.lastSync', {
                when: formatJst(status.data.lastSync.finishedAt ?? status.data.lastSync.startedAt),
                outcome: status.data.lastSync.reason === 'no-connected-malls' ? t('sync.reason.no-connected-malls') : t(`sync.outcome.${status.data.lastSync.outcome}`),
              })
            : t('panel.neverSynced')}
        </p>
      )}
      {status.state === 'ready' && (
        <p data-testid="popup-alerts">
          <span className={status.data.lowStock > 0 ? 'error' : 'muted'}>{t('popup.lowStock', { count: status.data.lowStock })}</span>
          {status.data.failedPushes > 0 && <span className="error"> ／ {t('popup.failedPushes', { count: status.data.failedPushes })}</span>}
        </p>
      )}
      {status.state === 'ready' && status.data.errors.length > 0 && (
        <ul className="error" role="alert">
          {status.data.errors.map((e, i) => (
            <li key={i}>{e.message}</li>
          ))}
        </ul>
      )}
      {status.state === 'error' && <p className="error">{status.error.message}</p>}
      <dl>
        {MALL_IDS.map((mall) => (
          <div key={mall} style={{ display: 'contents' }}>
            <dt>{t(`mall.${mall}`)}</dt>
            <dd data-testid={`popup-mall-${mall}`}>
              {credentials.state === 'ready' && credentials.data[mall].configured ? t('popup.connected') : t('popup.notConnected')}
            </dd>
          </div>
        ))}
      </dl>
      <SyncNow />{' '}
      <button type="button" onClick={() => void browser.runtime.openOptionsPage()}>
        {t('popup.openDashboard')}
      </button>
    </div>
  );
}
