import type { PageAdapter } from './types';
import { firstMatch } from './types';

// URL shapes from specs/yahoo-store-api.md §5 (ストアクリエイターPro and the item editor).
const ORDER_DETAIL = /^\/pro\.[^/]+\/order\/manage\/detail\/([A-Za-z0-9_-]+)$/;
const ITEM_EDIT = /^\/RT\/[^/]+\/PageEdit\/index$/;

export const yahooPageAdapter: PageAdapter = {
  mall: 'yahoo',
  readContext(url, doc) {
    const host = url.hostname.replace(/^test\./, '');
    if (host === 'pro.store.yahoo.co.jp') {
      const orderNumber = ORDER_DETAIL.exec(url.pathname)?.[1];
      // `detail/mail_…` is the mail screen of an order list, not an order.
      if (orderNumber && !orderNumber.startsWith('mail_')) return { kind: 'order', mall: 'yahoo', orderNumber };
    }
    if (host === 'editor.store.yahoo.co.jp' && ITEM_EDIT.test(url.pathname)) {
      const itemId = url.searchParams.get('page_key') ?? (doc.querySelector('input[name="code"]') as HTMLInputElement | null)?.value;
      if (itemId) return { kind: 'item', mall: 'yahoo', itemId };
    }
    return { kind: 'other', mall: 'yahoo' };
  },
  findAnchor: (doc) => firstMatch(doc, ['.ReceAdd', '#itemEditForm', '#main', 'main']),
};
