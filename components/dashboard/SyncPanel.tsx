import { useState } from 'react';
import { SyncHistoryChart } from '@/components/charts/SyncHistoryChart';
import { AllocationSettings } from './AllocationSettings';
import { StockCsvImport } from './StockCsvImport';
import { BulkStockEdit } from './BulkStockEdit';
import { useBackground } from '@/components/common/use-background';
import { formatCount, formatJst, t } from '@/lib/i18n';
import { callBackground, type MessageResponse } from '@/lib/messaging/protocol';

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
      <BulkStockEdit />
      <StockCsvImport />
      <DriftCheck onResync={reload} />
      <AllocationSettings />
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

function DriftCheck({ onResync }: { onResync: () => void }) {
  const [state, setState] = useState<{ running: boolean; report?: MessageResponse<'reconcileNow'>; error?: string; queued?: number }>({ running: false });
  return (
    <section className="drift" data-testid="drift">
      <h3>{t('reconcile.title')}</h3>
      <button
        type="button"
        disabled={state.running}
        onClick={async () => {
          setState({ running: true });
          const result = await callBackground('reconcileNow', {});
          setState(result.ok ? { running: false, report: result.data } : { running: false, error: result.error.message });
        }}
      >
        {t('reconcile.check')}
      </button>{' '}
      <button
        type="button"
        onClick={async () => {
          const result = await callBackground('resyncAll', {});
          if (result.ok) setState((s) => ({ ...s, queued: result.data.queued }));
          onResync();
        }}
      >
        {t('reconcile.resyncAll')}
      </button>
      {state.running && <p className="muted">{t('reconcile.running')}</p>}
      {state.error && <p className="error">{state.error}</p>}
      {state.queued !== undefined && <p role="status">{t('reconcile.queued', { count: formatCount(state.queued) })}</p>}
      {state.report && (
        <>
          <p data-testid="drift-summary">{t('reconcile.summary', { drift: formatCount(state.report.drift.length), checked: formatCount(Object.values(state.report.checked).reduce((a, b) => a + b, 0)) })}</p>
          {state.report.errors.map((e) => (
            <p key={e.mall} className="error">
              {t(`mall.${e.mall}`)}：{e.message}
            </p>
          ))}
          {state.report.drift.length > 0 && (
            <table className="ich-table">
              <thead>
                <tr>
                  <th>{t('reconcile.col.mall')}</th>
                  <th>SKU</th>
                  <th className="num">{t('reconcile.col.expected')}</th>
                  <th className="num">{t('reconcile.col.shown')}</th>
                </tr>
              </thead>
              <tbody>
                {state.report.drift.slice(0, 200).map((d) => (
                  <tr key={d.listingId}>
                    <td>{t(`mall.${d.mall}`)}</td>
                    <td>{d.skuCode}</td>
                    <td className="num">{d.expected}</td>
                    <td className="num">{d.shown ?? t('reconcile.notListed')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
