import { useVirtualizer } from '@tanstack/react-virtual';
import { useLiveQuery } from 'dexie-react-hooks';
import { useDeferredValue, useMemo, useRef, useState } from 'react';
import { MallBadges } from '@/components/common/mall-badges';
import { catalogDb } from '@/lib/catalog/db';
import type { MallId, Sku } from '@/lib/catalog/schemas';
import { formatCount, formatYen, t } from '@/lib/i18n';
import { matchesSearch, normaliseSearch } from '@/lib/catalog/search';

const ROW_HEIGHT = 34;

/**
 * The whole catalog in one scrolling table. Only the rows in view are in the DOM, so 100,000 SKUs
 * scroll and filter as smoothly as 100.
 */
export function CatalogTable() {
  const db = catalogDb();
  const skus = useLiveQuery(() => db.skus.orderBy('code').toArray(), [], [] as Sku[]);
  const mallsBySku = useLiveQuery(
    async () => {
      const map = new Map<string, MallId[]>();
      const keys = (await db.listings.orderBy('[mall+skuCode]').keys()) as unknown as [MallId, string][];
      for (const [mall, code] of keys) map.set(code, [...(map.get(code) ?? []), mall]);
      return map;
    },
    [],
    new Map<string, MallId[]>(),
  );
  const [query, setQuery] = useState('');
  const deferred = useDeferredValue(query);
  const rows = useMemo(() => {
    const needle = normaliseSearch(deferred);
    return needle ? skus.filter((s) => matchesSearch(s, needle)) : skus;
  }, [skus, deferred]);

  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 10 });

  return (
    <div className="catalog">
      <div className="catalog-toolbar">
        <input type="search" placeholder={t('dashboard.search')} aria-label={t('dashboard.search')} value={query} onChange={(e) => setQuery(e.target.value)} />
        <span data-testid="catalog-count">{t('dashboard.resultCount', { shown: formatCount(rows.length), total: formatCount(skus.length) })}</span>
      </div>
      <div className="catalog-head catalog-row">
        <span>{t('dashboard.col.code')}</span>
        <span>{t('dashboard.col.name')}</span>
        <span className="num">{t('dashboard.col.price')}</span>
        <span className="num">{t('dashboard.col.stock')}</span>
        <span>{t('dashboard.col.malls')}</span>
      </div>
      <div ref={scroller} className="catalog-scroller" data-testid="catalog-scroller">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const sku = rows[item.index]!;
            return (
              <div
                key={sku.code}
                className="catalog-row"
                data-testid="catalog-row"
                style={{ position: 'absolute', top: 0, transform: `translateY(${item.start}px)`, height: ROW_HEIGHT, width: '100%' }}
              >
                <span className="code">{sku.code}</span>
                <span className="name">{sku.name}</span>
                <span className="num">{formatYen(sku.price)}</span>
                <span className={`num ${sku.stock <= sku.lowStockThreshold ? 'low' : ''}`}>{formatCount(sku.stock)}</span>
                <span>
                  <MallBadges malls={mallsBySku.get(sku.code) ?? []} />
                </span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
