import { useState } from 'react';
import { catalogDb } from '@/lib/catalog/db';
import { parseStockCsv, type StockCsvParse } from '@/lib/csv/stock-csv';
import { formatCount, t } from '@/lib/i18n';
import { callBackground } from '@/lib/messaging/protocol';

/** Stock CSV: choose a file, see every row (and every error) before anything changes, then apply. */
export function StockCsvImport() {
  const [preview, setPreview] = useState<StockCsvParse & { current: Map<string, number> }>();
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const onFile = async (file: File) => {
    setMessage(undefined);
    const skus = await catalogDb().skus.toArray();
    const current = new Map(skus.filter((s) => s.components.length === 0).map((s) => [s.code, s.stock]));
    const parsed = parseStockCsv(new Uint8Array(await file.arrayBuffer()), (code) => current.has(code));
    setPreview({ ...parsed, current });
  };
  const apply = async () => {
    if (!preview) return;
    const result = await callBackground('importStockCsv', { importId: crypto.randomUUID(), rows: preview.rows });
    setMessage(result.ok ? { ok: true, text: t('csv.applied', { count: formatCount(result.data.applied) }) } : { ok: false, text: result.error.message });
    if (result.ok) setPreview(undefined);
  };
  return (
    <section className="csv-import" data-testid="stock-csv">
      <h3>{t('csv.title')}</h3>
      <input type="file" accept=".csv,text/csv" aria-label={t('csv.title')} onChange={(e) => e.target.files?.[0] && void onFile(e.target.files[0])} />
      {preview && (
        <>
          <p data-testid="csv-preview-summary">{t('csv.preview', { rows: formatCount(preview.rows.length), errors: formatCount(preview.errors.length) })}</p>
          {preview.errors.length > 0 && (
            <ul className="error" data-testid="csv-errors">
              {preview.errors.slice(0, 100).map((e) => (
                <li key={e.line}>
                  {t('csv.col.line')} {e.line}：{e.message}
                </li>
              ))}
            </ul>
          )}
          <table className="ich-table">
            <thead>
              <tr>
                <th>{t('csv.col.line')}</th>
                <th>SKU</th>
                <th className="num">{t('csv.col.current')}</th>
                <th className="num">{t('csv.col.next')}</th>
              </tr>
            </thead>
            <tbody>
              {preview.rows.slice(0, 200).map((r) => {
                const now = preview.current.get(r.skuCode) ?? 0;
                return (
                  <tr key={r.line}>
                    <td>{r.line}</td>
                    <td>{r.skuCode}</td>
                    <td className="num">{now}</td>
                    <td className="num">{r.mode === 'set' ? r.value : now + r.value}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <button type="button" onClick={() => void apply()} disabled={preview.rows.length === 0}>
            {t('csv.apply')}
          </button>
        </>
      )}
      {message && <p className={message.ok ? 'ok' : 'error'} role={message.ok ? 'status' : 'alert'}>{message.text}</p>}
    </section>
  );
}
