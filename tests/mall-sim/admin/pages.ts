/**
 * Mall admin pages at their real URLs, close enough to RMS, Store Creator Pro and Seller Central that
 * Ichigen's page adapters read them as in production: the same URL shapes, the same anchors and labels
 * (specs/*-api.md, "Admin hostnames and DOM"). Tests and the demo route the real hostnames here.
 */

export interface AdminPageData {
  /** Item name by mall item id (manageNumber / item code / seller SKU), for the page body. */
  itemName?: (mall: 'rakuten' | 'yahoo' | 'amazon', itemId: string) => string | undefined;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function shell(title: string, header: string, body: string, css: string): string {
  return `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{margin:0;font-family:sans-serif;font-size:13px;background:#f5f5f5}header{padding:8px 16px;color:#fff}main,.rms-content,#main{padding:16px;background:#fff;margin:12px}${css}</style>
</head><body>${header}${body}</body></html>`;
}

function rakutenPage(url: URL, data: AdminPageData): string {
  const header = `<header style="background:#bf0000">R-Backoffice ／ RMS</header>`;
  const css = 'table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:4px 8px}';
  const item = /\/rms-(?:sku|item)\/shops\/([^/]+)\/item\/edit\/([^/?#]+)/.exec(url.pathname);
  if (url.hostname === 'item.rms.rakuten.co.jp' && item) {
    const manageNumber = decodeURIComponent(item[2]!);
    const name = data.itemName?.('rakuten', manageNumber.toLowerCase()) ?? '';
    return shell(
      '商品編集 | RMS',
      header,
      `<div class="rms-content"><h1>商品編集</h1>
<label>商品管理番号（商品URL）</label> <input name="manageNumber" value="${escapeHtml(manageNumber)}" readonly>
<nav><a href="#tab-1">販売・価格</a></nav>
<p><label>商品名</label> <input name="itemName" size="60" value="${escapeHtml(name)}"></p>
<p><label>通常購入販売価格</label> <input name="price"> <label><input type="radio" name="tax" checked>税込</label><label><input type="radio" name="tax">税別</label></p>
<button class="rms-btn">更新する</button></div>`,
      css,
    );
  }
  if (url.hostname === 'order-rp.rms.rakuten.co.jp' && url.pathname.includes('individual-order-detail-sc')) {
    const orderNumber = url.searchParams.get('orderNumber') ?? '';
    return shell(
      '受注詳細 | R-Backoffice',
      header,
      `<div class="rms-content"><h1>受注詳細</h1>
<p>注文番号 <a class="rms-status-order-nr" href="#">${escapeHtml(orderNumber)}</a></p>
<div class="rms-content-order-details-contact-info"><span class="fullname">注文者</span></div></div>`,
      css,
    );
  }
  return shell('RMS', header, `<div class="rms-content"><h1>RMS メインメニュー</h1></div>`, css);
}

function yahooPage(url: URL, data: AdminPageData): string {
  const header = `<header style="background:#ff0033">ストアクリエイターPro</header>`;
  const host = url.hostname.replace(/^test\./, '');
  const order = /^\/pro\.([^/]+)\/order\/manage\/detail\/([^/]+)$/.exec(url.pathname);
  if (host === 'pro.store.yahoo.co.jp' && order) {
    return shell(
      '注文詳細 - ストアクリエイターPro',
      header,
      `<div id="main"><h1>注文詳細</h1><p>注文ID：<span id="orderId">${escapeHtml(decodeURIComponent(order[2]!))}</span></p>
<form><div><div class="ReceAdd"><table><tbody><tr><th>氏名</th><td></td></tr><tr><th>郵便番号</th><td></td></tr></tbody></table></div></div></form></div>`,
      '',
    );
  }
  if (host === 'editor.store.yahoo.co.jp' && /^\/RT\/[^/]+\/PageEdit\/index$/.test(url.pathname)) {
    const code = url.searchParams.get('page_key') ?? '';
    const name = data.itemName?.('yahoo', code) ?? '';
    return shell(
      '商品編集 - ストアクリエイターPro',
      header,
      `<div id="main"><h1>商品編集</h1><form id="itemEditForm"><p>商品コード <input name="code" value="${escapeHtml(code)}"></p><p>商品名 <input name="name" size="60" value="${escapeHtml(name)}"></p></form></div>`,
      '',
    );
  }
  return shell('ストアクリエイターPro', header, `<div id="main"><h1>トップ</h1></div>`, '');
}

function amazonPage(url: URL, data: AdminPageData): string {
  const header = `<header style="background:#232f3e">seller central ジャパン</header>`;
  const order = /^\/orders-v3\/order\/(\d{3}-\d{7}-\d{7})/.exec(url.pathname);
  if (order) {
    return shell(
      '注文の詳細 - セラーセントラル',
      header,
      `<div id="MYO-app"><div data-test-id="order-details-header"><h1>注文の詳細</h1><span>注文番号: # ${order[1]}</span></div></div>`,
      '',
    );
  }
  if (url.pathname.startsWith('/abis/listing/edit')) {
    const sku = url.searchParams.get('sku') ?? '';
    const name = data.itemName?.('amazon', sku) ?? '';
    return shell(
      '出品情報の編集 - セラーセントラル',
      header,
      `<div id="sc-content-container"><h1>出品情報の編集</h1><p>出品者SKU: <b>${escapeHtml(sku)}</b></p><p>${escapeHtml(name)}</p></div>`,
      '',
    );
  }
  return shell('セラーセントラル', header, `<div id="sc-content-container"><h1>ホーム</h1></div>`, '');
}

/** The admin page for a real mall URL, or undefined when the host is not a mall back office. */
export function renderAdminPage(url: URL, data: AdminPageData = {}): string | undefined {
  if (url.hostname.endsWith('.rms.rakuten.co.jp')) return rakutenPage(url, data);
  if (/^(test\.)?(pro|editor)\.store\.yahoo\.co\.jp$/.test(url.hostname)) return yahooPage(url, data);
  if (url.hostname === 'sellercentral.amazon.co.jp' || url.hostname === 'sellercentral-japan.amazon.com') return amazonPage(url, data);
  return undefined;
}

/** Host patterns to route to `renderAdminPage` (Playwright `context.route`). */
export const ADMIN_ROUTE_PATTERNS = [
  'https://*.rms.rakuten.co.jp/**',
  'https://pro.store.yahoo.co.jp/**',
  'https://editor.store.yahoo.co.jp/**',
  'https://sellercentral.amazon.co.jp/**',
  'https://sellercentral-japan.amazon.com/**',
];
