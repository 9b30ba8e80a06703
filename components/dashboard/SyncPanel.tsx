import { useState } from 'react';
import { SyncHistoryChart } from '@/components/charts/SyncHistoryChart';
import { useBackground } from '@/components/common/use-background';
import { formatCount, formatJst, t } from '@/lib/i18n';
import { callBackground } from '@/lib/messaging/protocol';

export function SyncPanel() {
  const [history, reload] = useBackground('getSyncHistory', { limit: 500 }, 'history');
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string>();
  const syncNow = async () => {
    setBusy(true);
    const result = await callBackground('syncNow', {});
    setBusy(false);
    setNotice(!result.ok ? result.error.message : result.data.started ? t('sync.done') : t('sync.busy'));
    reload();
  };
  const last = history.state === 'ready' ? history.data.runs.at(-1) : undefined;
  return (
    <div className="sync-panel">
      <div className="toolbar">
        <button type="button" onClick={() => void syncNow()} disabled={busy}>
          {t('sync.now')}
        </button>
        {notice && <span role="status">{notice}</span>}
      </div>
      {history.state === 'error' && <p className="error">{history.error.message}</p>}
      {history.state === 'ready' && (
        <>
          <p data-testid="sync-summary">
            {t('sync.summary', { pending: formatCount(history.data.pendingPushes), failed: formatCount(history.data.failedPushes.length) })}
            {last && ` ／ ${t('panel.lastSync', { when: formatJst(last.finishedAt ?? last.startedAt), outcome: t(`sync.outcome.${last.outcome}`) })}`}
          </p>
          <SyncHistoryChart runs={history.data.runs} />
          {history.data.failedPushes.length > 0 && (
            <ul className="error">
              {history.data.failedPushes.slice(0, 50).map((f) => (
                <li key={f.key}>
                  {t(`mall.${f.mall}`)}：{f.key.replace(/^stock\.push:/, '')} — {f.error}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}
