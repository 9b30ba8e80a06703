import { useState } from 'react';
import { MallBadges } from '@/components/common/mall-badges';
import { useBackground } from '@/components/common/use-background';
import { callBackground, type PageContext, type PanelData } from '@/lib/messaging/protocol';
import { formatCount, formatJst, formatYen, t } from '@/lib/i18n';

/**
 * The catalog panel on a mall admin page: the SKUs of the item (or the order) on this page as the
 * unified catalog knows them, the catalog size and the last sync. It reads through the background only.
 */
export function CatalogPanel({ context }: { context: PageContext }) {
  const key = JSON.stringify(context);
  const [data, reload] = useBackground('getPanelData', context, key);
  if (data.state === 'loading') return <p className="ich-muted">{t('panel.loading')}</p>;
  if (data.state === 'error') return <p className="ich-error" role="alert">{t('panel.error', { message: data.error.message })}</p>;
  return <PanelBody data={data.data} onChanged={reload} />;
}

function PanelBody({ data, onChanged }: { data: PanelData; onChanged: () => void }) {
  const { context, counts, lastSync } = data;
  return (
    <div>
      {context.kind === 'item' && data.skus.length === 0 && <p data-testid="ich-no-match">{t('panel.noMatchItem', { id: context.itemId })}</p>}
      {context.kind === 'item' && data.skus.length > 0 && (
        <table className="ich-table" data-testid="ich-sku-table">
          <thead>
            <tr>
              <th>{t('panel.sku')}</th>
              <th>{t('panel.price')}</th>
              <th>{t('panel.stock')}</th>
              <th>{t('panel.listedOn')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {data.skus.map(({ sku, listings }) => (
              <tr key={sku.code} data-sku={sku.code}>
                <td>
                  <div className="ich-code">{sku.code}</div>
                  <div className="ich-muted">{sku.name}</div>
                </td>
                <td>{formatYen(sku.price)}</td>
                <td className="ich-stock" data-testid="ich-stock">{formatCount(sku.stock)}</td>
                <td>
                  {listings.map((l) => (
                    <div key={l.id} className="ich-listing" data-testid={`ich-listing-${l.mall}`}>
                      <MallBadges malls={[l.mall]} /> {l.lastPushedQuantity !== undefined ? formatCount(l.lastPushedQuantity) : '—'}
                    </div>
                  ))}
                </td>
                <td>{sku.components.length === 0 && <StockAdjuster skuCode={sku.code} onDone={onChanged} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {context.kind === 'order' && !data.order && <p data-testid="ich-no-match">{t('panel.noMatchOrder', { id: context.orderNumber })}</p>}
      {context.kind === 'order' && data.order && (
        <div data-testid="ich-order">
          <div>
            {t('panel.order')}: <span className="ich-code">{data.order.order.orderNumber}</span>（{t(`order.status.${data.order.order.status}`)}）
            {formatYen(data.order.order.totalYen)}
          </div>
          <ul>
            {data.order.lines.map((l) => (
              <li key={l.id}>
                <span className="ich-code">{l.skuCode}</span> × {l.quantity} {l.name}
              </li>
            ))}
          </ul>
        </div>
      )}
      {context.kind === 'other' && <p className="ich-muted">{t('panel.noContext')}</p>}
      <p className="ich-muted" data-testid="ich-counts">
        {t('panel.catalogCounts', { products: formatCount(counts.products), skus: formatCount(counts.skus), orders: formatCount(counts.orders) })}
      </p>
      <SyncNowButton onDone={onChanged} />
      <p className="ich-muted" data-testid="ich-last-sync">
        {lastSync
          ? t('panel.lastSync', {
              when: formatJst(lastSync.finishedAt ?? lastSync.startedAt),
              outcome: lastSync.reason === 'no-connected-malls' ? t('sync.reason.no-connected-malls') : t(`sync.outcome.${lastSync.outcome}`),
            })
          : t('panel.neverSynced')}
      </p>
    </div>
  );
}

function SyncNowButton({ onDone }: { onDone: () => void }) {
  const [message, setMessage] = useState<string>();
  const [busy, setBusy] = useState(false);
  return (
    <p>
      <button
        type="button"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          const result = await callBackground('syncNow', {});
          setBusy(false);
          setMessage(!result.ok ? result.error.message : result.data.started ? t('sync.done') : t('sync.busy'));
          onDone();
        }}
      >
        {t('sync.now')}
      </button>{' '}
      {message && <span role="status">{message}</span>}
    </p>
  );
}

function StockAdjuster({ skuCode, onDone }: { skuCode: string; onDone: () => void }) {
  const [delta, setDelta] = useState('');
  const [error, setError] = useState<string>();
  const submit = async () => {
    setError(undefined);
    const result = await callBackground('recordStockAdjustment', { skuCode, delta: Number(delta), requestId: crypto.randomUUID() });
    if (!result.ok) return setError(result.error.message);
    setDelta('');
    onDone();
  };
  return (
    <form
      className="ich-adjust"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <input aria-label={`${skuCode} ±`} inputMode="numeric" size={4} value={delta} onChange={(e) => setDelta(e.target.value)} placeholder="±" />
      <button type="submit">{'±'}</button>
      {error && <span className="ich-error" role="alert">{error}</span>}
    </form>
  );
}
