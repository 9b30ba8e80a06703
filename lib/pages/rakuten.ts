import type { PageAdapter } from './types';
import { firstMatch, textOf } from './types';

// URL shapes from specs/rakuten-rms-api.md §9 (SKU-era item pages, legacy item pages, R-Backoffice orders).
const ITEM_EDIT_PATH = /\/rms-(?:sku|item)\/shops\/[^/]+\/item\/edit\/([A-Za-z0-9_-]+)/;
const ORDER_NUMBER = /^\d{6}-\d{8}-\d{7,10}$/;

export const rakutenPageAdapter: PageAdapter = {
  mall: 'rakuten',
  readContext(url, doc) {
    if (url.hostname === 'item.rms.rakuten.co.jp') {
      // Rakuten folds manageNumber to lower case (spec §3), so the catalog key is lower case too.
      const fromPath = ITEM_EDIT_PATH.exec(url.pathname)?.[1];
      const fromLegacy = url.searchParams.get('mng_number') ?? undefined;
      const fromForm = (doc.querySelector('input[name="manageNumber"], input[name="item_url"]') as HTMLInputElement | null)?.value;
      const itemId = fromPath ?? fromLegacy ?? fromForm;
      if (itemId) return { kind: 'item', mall: 'rakuten', itemId: itemId.toLowerCase() };
    }
    if (url.hostname === 'order-rp.rms.rakuten.co.jp') {
      const fromQuery = url.searchParams.get('orderNumber') ?? undefined;
      const fromLink = textOf(doc.querySelector('a.rms-status-order-nr'));
      const orderNumber = [fromQuery, fromLink].find((v) => v && ORDER_NUMBER.test(v));
      if (orderNumber) return { kind: 'order', mall: 'rakuten', orderNumber };
    }
    return { kind: 'other', mall: 'rakuten' };
  },
  findAnchor: (doc) => firstMatch(doc, ['.rms-content-order-details-contact-info', '.rms-content', '#rms-content', 'main']),
};
