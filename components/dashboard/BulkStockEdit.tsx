import { useState } from 'react';
import { catalogDb } from '@/lib/catalog/db';
import { matchesSearch, normaliseSearch } from '@/lib/catalog/search';
import { formatCount, t } from '@/lib/i18n';
import { callBackground } from '@/lib/messaging/protocol';
import { previewStockEdit, type StockEditPreviewRow } from '@/lib/sync/stock-edit';
import { MAX_STOCK_EDIT_SKUS, type StockEditOperation } from '@/lib/sync/stock-edit-schema';

/**
 * Bulk stock edit: pick SKUs by code or name, say what happened (counted N, received N, wrote off N),
 * see every SKU's stock and every mall's quantity after the change, then apply once.
 */
export function BulkStockEdit() {
  const [query, setQuery] = useState('');
  const [kind, setKind] = useState<StockEditOperation['kind']>('add');
  const [value, setValue] = useState('');
  const [preview, setPreview] = useState<{ rows: StockEditPreviewRow[]; operation: StockEditOperation; editId: string; more: boolean }>();
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const [busy, setBusy] = useState(false);

  const showPreview = async () => {
    setMessage(undefined);
    const n = Number(value.normalize('NFKC').trim());
    if (value.trim() === '' || !Number.isInteger(n) || n < 0 || n > 99_999) {
      setPreview(undefined);
      setMessage({ ok: false, text: t('stockEdit.badValue') });
      return;
    }
    const needle = normaliseSearch(query);
    if (!needle) {
      setMessage({ ok: false, text: t('stockEdit.needQuery') });
      return;
    }
    const db = catalogDb();
    const matched: string[] = [];
    let more = false;
    await db.skus.orderBy('code').each((s) => {
      if (s.components.length > 0 || !matchesSearch(s, needle)) return;
      if (matched.length < MAX_STOCK_EDIT_SKUS) matched.push(s.code);
      else more = true;
    });
    const operation = { kind, value: n };
    setPreview({ rows: await previewStockEdit(db, matched, operation), operation, editId: crypto.randomUUID(), more });
  };

  const apply = async () => {
    if (!preview) return;
    setBusy(true);
    const skuCodes = preview.rows.filter((r) => !r.problem).map((r) => r.skuCode);
    const result = await callBackground('applyStockEdit', { editId: preview.editId, skuCodes, operation: preview.operation });
    setBusy(false);
    if (!result.ok) {
      setMessage({ ok: false, text: result.error.message });
      return;
    }
    setMessage({ ok: true, text: t('stockEdit.applied', { count: formatCount(result.data.applied) }) + (result.data.refused.length ? ` ${t('stockEdit.refused', { count: formatCount(result.data.refused.length) })}` : '') });
    setPreview(undefined);
  };

  const problems = preview?.rows.filter((r) => r.problem).length ?? 0;
  return (
    <section className="bulk-stock" data-testid="bulk-stock">
      <h3>{t('stockEdit.title')}</h3>
      <div className="toolbar">
        <input type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder={t('stockEdit.query')} aria-label={t('stockEdit.query')} />
        <select value={kind} onChange={(e) => setKind(e.target.value as StockEditOperation['kind'])} aria-label={t('stockEdit.operation')}>
          <option value="set">{t('stockEdit.op.set')}</option>
          <option value="add">{t('stockEdit.op.add')}</option>
          <option value="subtract">{t('stockEdit.op.subtract')}</option>
        </select>
        <input inputMode="numeric" value={value} onChange={(e) => setValue(e.target.value)} aria-label={t('stockEdit.value')} placeholder={t('stockEdit.value')} size={6} />
        <button type="button" onClick={() => void showPreview()}>
          {t('stockEdit.preview')}
        </button>
      </div>
      {preview && (
        <>
          <p data-testid="stock-edit-summary">
            {t('stockEdit.summary', { count: formatCount(preview.rows.length), problems: formatCount(problems) })}
            {preview.more && ` ${t('stockEdit.more', { max: formatCount(MAX_STOCK_EDIT_SKUS) })}`}
          </p>
          <table className="ich-table" data-testid="stock-edit-preview">
            <thead>
              <tr>
                <th>SKU</th>
                <th>{t('dashboard.col.name')}</th>
                <th className="num">{t('csv.col.current')}</th>
                <th className="num">{t('csv.col.next')}</th>
                <th>{t('stockEdit.col.malls')}</th>
              </tr>
            </thead>
            <tbody>
              {preview.rows.slice(0, 300).map((r) => (
                <tr key={r.skuCode} className={r.problem ? 'error' : undefined}>
                  <td>{r.skuCode}</td>
                  <td>{r.name}</td>
                  <td className="num">{r.current}</td>
                  <td className="num">{r.problem ? t(r.problem) : r.next}</td>
                  <td>{r.problem ? '' : r.malls.map((m) => `${t(`mall.${m.mall}`)} ${m.quantity}`).join(' ／ ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <button type="button" onClick={() => void apply()} disabled={busy || preview.rows.length === problems}>
            {t('stockEdit.apply')}
          </button>
        </>
      )}
      {message && (
        <p className={message.ok ? 'ok' : 'error'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
    </section>
  );
}
