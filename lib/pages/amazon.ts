import type { PageAdapter } from './types';
import { firstMatch } from './types';

// URL shapes from specs/amazon-sp-api.md §8 (unofficial, UI-driven: Amazon changes them without notice).
const ORDER_DETAIL = /^\/orders-v3\/order\/(\d{3}-\d{7}-\d{7})/;

export const amazonPageAdapter: PageAdapter = {
  mall: 'amazon',
  readContext(url) {
    const orderNumber = ORDER_DETAIL.exec(url.pathname)?.[1];
    if (orderNumber) return { kind: 'order', mall: 'amazon', orderNumber };
    if (url.pathname.startsWith('/abis/listing/edit')) {
      const itemId = url.searchParams.get('sku');
      if (itemId) return { kind: 'item', mall: 'amazon', itemId };
    }
    return { kind: 'other', mall: 'amazon' };
  },
  findAnchor: (doc) => firstMatch(doc, ['[data-test-id="order-details-header"]', '#MYO-app', '#sc-content-container', 'main']),
};
