/**
 * Mall admin pages at their real URLs, close enough to RMS, Store Creator Pro and Seller Central that
 * Ichigen's page adapters read them as in production: the same URL shapes, the same anchors and labels
 * (specs/*-api.md, "Admin hostnames and DOM"). Tests and the demo route the real hostnames here.
 *
 * With only `itemName` the pages are the bare shapes the e2e tests use. With the simulator's data
 * (admin/data.ts, served at GET /__admin?url=…) they also show the mall's SKUs and stock, order lists
 * that link to real order-detail URLs, and order details (buyer, lines, shipping), so a tour can click
 * through. Anchors the page adapters read (lib/pages/*.ts) stay where they were:
 * - RMS: `a.rms-status-order-nr` only on the order detail page, `.rms-content-order-details-contact-info`,
 *   `.rms-content`, `input[name="manageNumber"]` only on the item edit page;
 * - Store Creator Pro: `#orderId`, `form > div > div > .ReceAdd`, `#itemEditForm`, `input[name="code"]`, `#main`;
 * - Seller Central: `#MYO-app [data-test-id="order-details-header"]`, `#sc-content-container`.
 */

type Mall = 'rakuten' | 'yahoo' | 'amazon';

export interface AdminPerson {
  name: string;
  kana?: string;
  zip: string;
  address: string;
  phone: string;
  email?: string;
}

export interface AdminOrderLine {
  skuCode: string;
  /** The mall's item id (manageNumber / item code / seller SKU). */
  itemId: string;
  name: string;
  /** Variant text as the mall shows it (カラー:ネイビー サイズ:M …). */
  variant?: string;
  quantity: number;
  price: number;
}

export interface AdminOrder {
  mall: Mall;
  id: string;
  orderedAt: number;
  /** Status as the mall's admin UI words it. */
  status: string;
  /** The mall's own status value (progress code, OrderStatus, OrderStatus string). */
  statusCode: string;
  buyer: AdminPerson;
  /** Ship-to, when it differs from the buyer. */
  shipTo?: AdminPerson;
  total: number;
  payment?: string;
  lines: AdminOrderLine[];
  shipments: { carrier: string; tracking: string; date: string }[];
}

export interface AdminItemRow {
  skuCode: string;
  /** The mall's code for this SKU (variantId / sub code / seller SKU). */
  code: string;
  variant: string;
  price: number;
  /** Stock this mall shows now. */
  stock: number;
}

export interface AdminItemSummary {
  /** manageNumber / item code / seller SKU. */
  itemId: string;
  name: string;
  skus: number;
  stock: number;
  /** Amazon: the ASIN for the listing-edit URL. */
  asin?: string;
}

export interface AdminPageData {
  /** Item name by mall item id (manageNumber / item code / seller SKU), for the page body. */
  itemName?: (mall: Mall, itemId: string) => string | undefined;
  /** SKUs of one mall item with the stock that mall shows. */
  itemRows?: (mall: Mall, itemId: string) => AdminItemRow[];
  /** Every item of a mall, for the item list pages. */
  items?: (mall: Mall) => AdminItemSummary[];
  /** A mall's orders, newest first, for the order list pages. */
  orders?: (mall: Mall) => AdminOrder[];
  order?: (mall: Mall, orderId: string) => AdminOrder | undefined;
  /** Shop ids used in list-page links. Defaults: RMS 000001, Yahoo ichigen-demo, Amazon JP marketplace. */
  shop?: { rakutenShopId?: string; yahooStore?: string; amazonMarketplaceId?: string };
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const yen = (n: number) => `${n.toLocaleString('ja-JP')}円`;

/** "2026/12/01 09:30" in JST, as all three back offices print dates. */
export function jst(ms: number): string {
  const d = new Date(ms + 9 * 3_600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}

function shell(title: string, header: string, body: string, css: string): string {
  return `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{margin:0;font-family:sans-serif;font-size:13px;background:#f5f5f5}header{padding:8px 16px;color:#fff}main,.rms-content,#main{padding:16px;background:#fff;margin:12px}${css}</style>
</head><body>${header}${body}</body></html>`;
}

const TABLE_CSS = '#MYO-app,#sc-content-container{padding:16px;background:#fff;margin:12px}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left}th{background:#fafafa}.num{text-align:right}nav.sim-nav a{margin-right:12px}';

function table(headers: string[], rows: string[][], attrs = ''): string {
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  // Cells are already HTML (escaped by the caller).
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('');
  return `<table ${attrs}><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function itemRowsTable(rows: AdminItemRow[], codeLabel: string): string {
  if (rows.length === 0) return '';
  return `<h2>SKU・在庫</h2>${table(
    ['SKU', codeLabel, 'バリエーション', '価格', '在庫数'],
    rows.map((r) => [escapeHtml(r.skuCode), escapeHtml(r.code), escapeHtml(r.variant), `<span class="num">${yen(r.price)}</span>`, `<span class="num" data-sku="${escapeHtml(r.skuCode)}">${r.stock}</span>`]),
    'class="sim-sku-table"',
  )}`;
}

function linesTable(order: AdminOrder): string {
  return table(
    ['商品', 'SKU', '数量', '単価', '小計'],
    order.lines.map((l) => [
      `${escapeHtml(l.name)}${l.variant ? `<br><small>${escapeHtml(l.variant)}</small>` : ''}`,
      escapeHtml(l.skuCode),
      String(l.quantity),
      yen(l.price),
      yen(l.price * l.quantity),
    ]),
  );
}

function shipmentsBlock(order: AdminOrder): string {
  if (order.shipments.length === 0) return '<p>発送情報：未登録</p>';
  return table(
    ['配送会社', 'お荷物伝票番号', '発送日'],
    order.shipments.map((s) => [escapeHtml(s.carrier), escapeHtml(s.tracking), escapeHtml(s.date)]),
  );
}

// ------------------------------------------------------------------------------------------- Rakuten

function rakutenPage(url: URL, data: AdminPageData): string {
  const header = `<header style="background:#bf0000">R-Backoffice ／ RMS</header>`;
  const css = TABLE_CSS;
  const shopId = data.shop?.rakutenShopId ?? '000001';
  const listUrl = 'https://order-rp.rms.rakuten.co.jp/order-rb/order-list-sc/init?&SEARCH_MODE=1';
  const itemsUrl = `https://item.rms.rakuten.co.jp/rms-sku/shops/${encodeURIComponent(shopId)}/items`;
  const nav = `<nav class="sim-nav"><a href="https://mainmenu.rms.rakuten.co.jp/">メインメニュー</a><a href="${escapeHtml(listUrl)}">受注一覧</a><a href="${escapeHtml(itemsUrl)}">商品一覧</a></nav>`;
  const item = /\/rms-(?:sku|item)\/shops\/([^/]+)\/item\/edit\/([^/?#]+)/.exec(url.pathname);
  if (url.hostname === 'item.rms.rakuten.co.jp' && item) {
    const manageNumber = decodeURIComponent(item[2]!);
    const name = data.itemName?.('rakuten', manageNumber.toLowerCase()) ?? '';
    const rows = data.itemRows?.('rakuten', manageNumber.toLowerCase()) ?? [];
    return shell(
      '商品編集 | RMS',
      header,
      `<div class="rms-content"><h1>商品編集</h1>
<label>商品管理番号（商品URL）</label> <input name="manageNumber" value="${escapeHtml(manageNumber)}" readonly>
<nav><a href="#tab-1">販売・価格</a></nav>
<p><label>商品名</label> <input name="itemName" size="60" value="${escapeHtml(name)}"></p>
<p><label>通常購入販売価格</label> <input name="price"> <label><input type="radio" name="tax" checked>税込</label><label><input type="radio" name="tax">税別</label></p>
<button class="rms-btn">更新する</button>${itemRowsTable(rows, 'SKU管理番号')}</div>`,
      css,
    );
  }
  if (url.hostname === 'item.rms.rakuten.co.jp' && /^\/rms-sku\/shops\/[^/]+\/items\/?$/.test(url.pathname)) {
    const keyword = url.searchParams.get('keyword') ?? '';
    const items = (data.items?.('rakuten') ?? []).filter((i) => !keyword || i.itemId.includes(keyword.toLowerCase()) || i.name.includes(keyword));
    const rows = items.map((i) => [
      escapeHtml(i.itemId),
      escapeHtml(i.name),
      String(i.skus),
      String(i.stock),
      `<a class="sim-item-link" href="https://item.rms.rakuten.co.jp/rms-sku/shops/${encodeURIComponent(shopId)}/item/edit/${encodeURIComponent(i.itemId)}">編集</a>`,
    ]);
    return shell(
      '商品一覧 | RMS',
      header,
      `<div class="rms-content">${nav}<h1>商品一覧</h1><form><input name="keyword" placeholder="キーワード" value="${escapeHtml(keyword)}"> <button class="rms-btn">検索</button></form>
<p>${items.length}件</p>${table(['商品管理番号', '商品名', 'SKU数', '在庫合計', ''], rows, 'id="searchResult"')}</div>`,
      css,
    );
  }
  if (url.hostname === 'order-rp.rms.rakuten.co.jp' && url.pathname.includes('individual-order-detail-sc')) {
    const orderNumber = url.searchParams.get('orderNumber') ?? '';
    const order = data.order?.('rakuten', orderNumber);
    const person = (p: AdminPerson | undefined, title: string) =>
      `<div class="rms-content-order-details-contact-info"><span class="fullname">${escapeHtml(title)}${p ? ` ${escapeHtml(p.name)}` : ''}</span>${
        p
          ? `<span class="furigana">${escapeHtml(p.kana ?? '')}</span><br><span class="address">〒${escapeHtml(p.zip)} ${escapeHtml(p.address)}</span><br><span class="phone">${escapeHtml(p.phone)}</span>`
          : ''
      }</div>`;
    const details = order
      ? `<table class="sim-order-summary"><tbody>
<tr><th>注文日時</th><td>${jst(order.orderedAt)}</td></tr>
<tr><th>ステータス</th><td class="rms-status" data-progress="${escapeHtml(order.statusCode)}">${escapeHtml(order.status)}</td></tr>
<tr><th>支払方法</th><td>${escapeHtml(order.payment ?? '')}</td></tr>
<tr><th>請求金額</th><td><span class="rms-price-tag">${yen(order.total)}</span></td></tr></tbody></table>
${order.shipTo ? `<h2>送付先</h2><div class="sim-sender">${escapeHtml(order.shipTo.name)} 〒${escapeHtml(order.shipTo.zip)} ${escapeHtml(order.shipTo.address)}</div>` : ''}
<h2>商品</h2><div class="rms-content-order-details-block-destination-overview-table">${linesTable(order)}</div>
<h2>発送情報</h2>${shipmentsBlock(order)}`
      : '';
    return shell(
      '受注詳細 | R-Backoffice',
      header,
      `<div class="rms-content"><h1>受注詳細</h1>
<p>注文番号 <a class="rms-status-order-nr" href="#">${escapeHtml(orderNumber)}</a></p>
${person(order?.buyer, '注文者')}${details}</div>`,
      css,
    );
  }
  if (url.hostname === 'order-rp.rms.rakuten.co.jp' && /\/order-rb\/(order-list-sc|search-order-sc)\//.test(url.pathname)) {
    const progress = url.searchParams.get('ORDER_PROGRESS');
    const all = data.orders?.('rakuten') ?? [];
    const orders = progress ? all.filter((o) => o.statusCode === progress) : all;
    const tabs = [
      ['', 'すべて'],
      ['100', '注文確認待ち'],
      ['200', '楽天処理中'],
      ['300', '発送待ち'],
      ['500', '発送済'],
      ['600', '支払手続き中'],
      ['700', '支払手続き済'],
      ['900', 'キャンセル確定'],
    ]
      .map(([code, label]) => {
        const n = code ? all.filter((o) => o.statusCode === code).length : all.length;
        return `<a href="${escapeHtml(listUrl + (code ? `&ORDER_PROGRESS=${code}` : ''))}"${(progress ?? '') === code ? ' class="current"' : ''}>${label}（${n}）</a>`;
      })
      .join(' ');
    const rows = orders.map((o) => [
      `<a class="sim-order-link" href="https://order-rp.rms.rakuten.co.jp/order-rb/individual-order-detail-sc/init?orderNumber=${encodeURIComponent(o.id)}">${escapeHtml(o.id)}</a>`,
      jst(o.orderedAt),
      escapeHtml(o.status),
      escapeHtml(o.buyer.name),
      escapeHtml(o.lines.map((l) => `${l.name}×${l.quantity}`).join('、')),
      yen(o.total),
    ]);
    return shell(
      '受注一覧 | R-Backoffice',
      header,
      `<div class="rms-content">${nav}<h1>受注一覧</h1><p class="sim-tabs">${tabs}</p>${table(['注文番号', '注文日時', 'ステータス', '注文者', '商品', '合計金額'], rows, 'class="rms-table-data"')}</div>`,
      css,
    );
  }
  return shell('RMS', header, `<div class="rms-content"><h1>RMS メインメニュー</h1>${data.orders ? nav : ''}</div>`, css);
}

// -------------------------------------------------------------------------------------------- Yahoo

function yahooPage(url: URL, data: AdminPageData): string {
  const header = `<header style="background:#ff0033">ストアクリエイターPro</header>`;
  const host = url.hostname.replace(/^test\./, '');
  const store = /^\/pro\.([^/]+)/.exec(url.pathname)?.[1] ?? /^\/RT\/([^/]+)/.exec(url.pathname)?.[1] ?? data.shop?.yahooStore ?? 'ichigen-demo';
  const proBase = `https://${url.hostname.startsWith('test.') ? 'test.' : ''}pro.store.yahoo.co.jp/pro.${encodeURIComponent(store)}`;
  const editorBase = `https://${url.hostname.startsWith('test.') ? 'test.' : ''}editor.store.yahoo.co.jp/RT/${encodeURIComponent(store)}`;
  const nav = `<nav class="sim-nav"><a href="${proBase}">トップ</a><a href="${proBase}/order/manage/index">注文管理</a><a href="${editorBase}/ItemMgr/index">商品・画像・在庫</a></nav>`;
  const css = TABLE_CSS;
  const order = /^\/pro\.([^/]+)\/order\/manage\/detail\/([^/]+)$/.exec(url.pathname);
  if (host === 'pro.store.yahoo.co.jp' && order) {
    const orderId = decodeURIComponent(order[2]!);
    const o = data.order?.('yahoo', orderId);
    const to = o ? (o.shipTo ?? o.buyer) : undefined;
    const cell = (v: string | undefined) => `<td>${escapeHtml(v ?? '')}</td>`;
    const extra = o
      ? `<table class="sim-order-summary"><tbody><tr><th>注文日時</th><td>${jst(o.orderedAt)}</td></tr>
<tr><th>注文ステータス</th><td data-status="${escapeHtml(o.statusCode)}">${escapeHtml(o.status)}</td></tr>
<tr><th>ご注文者</th><td>${escapeHtml(o.buyer.name)}（${escapeHtml(o.buyer.email ?? '')}）</td></tr>
<tr><th>お支払い方法</th><td>${escapeHtml(o.payment ?? '')}</td></tr>
<tr><th>合計金額</th><td>${yen(o.total)}</td></tr></tbody></table>
<h2>商品情報</h2>${linesTable(o)}<h2>配送情報</h2>${shipmentsBlock(o)}`
      : '';
    return shell(
      '注文詳細 - ストアクリエイターPro',
      header,
      `<div id="main">${data.orders ? nav : ''}<h1>注文詳細</h1><p>注文ID：<span id="orderId">${escapeHtml(orderId)}</span></p>
<form><div><div class="ReceAdd"><table><tbody><tr><th>氏名</th>${cell(to?.name)}</tr><tr><th>郵便番号</th>${cell(to?.zip)}</tr>${
        o ? `<tr><th>住所</th>${cell(to?.address)}</tr><tr><th>電話番号</th>${cell(to?.phone)}</tr>` : ''
      }</tbody></table></div></div></form>${extra}</div>`,
      o ? css : '',
    );
  }
  if (host === 'pro.store.yahoo.co.jp' && /^\/pro\.[^/]+\/order\/manage\/(index|new_order)\/?$/.test(url.pathname)) {
    const onlyNew = url.pathname.includes('new_order');
    const all = data.orders?.('yahoo') ?? [];
    const orders = onlyNew ? all.filter((o) => o.status.startsWith('新規')) : all;
    const rows = orders.map((o) => [
      `<a class="sim-order-link" href="${proBase}/order/manage/detail/${encodeURIComponent(o.id)}">${escapeHtml(o.id)}</a>`,
      jst(o.orderedAt),
      escapeHtml(o.status),
      escapeHtml(o.buyer.name),
      escapeHtml(o.lines.map((l) => `${l.name}×${l.quantity}`).join('、')),
      yen(o.total),
    ]);
    return shell(
      '注文管理 - ストアクリエイターPro',
      header,
      `<div id="main">${nav}<h1>注文管理</h1><p class="sim-tabs"><a href="${proBase}/order/manage/index">注文一覧（${all.length}）</a> <a href="${proBase}/order/manage/new_order">新規注文（${all.filter((o) => o.status.startsWith('新規')).length}）</a></p>${table(['注文ID', '注文日時', 'ステータス', '注文者', '商品', '合計金額'], rows, 'class="sim-order-list"')}</div>`,
      css,
    );
  }
  if (host === 'editor.store.yahoo.co.jp' && /^\/RT\/[^/]+\/PageEdit\/index$/.test(url.pathname)) {
    const code = url.searchParams.get('page_key') ?? '';
    const name = data.itemName?.('yahoo', code) ?? '';
    const rows = data.itemRows?.('yahoo', code) ?? [];
    return shell(
      '商品編集 - ストアクリエイターPro',
      header,
      `<div id="main"><h1>商品編集</h1><form id="itemEditForm"><p>商品コード <input name="code" value="${escapeHtml(code)}"></p><p>商品名 <input name="name" size="60" value="${escapeHtml(name)}"></p></form>${itemRowsTable(rows, '個別商品コード')}</div>`,
      rows.length ? css : '',
    );
  }
  if (host === 'editor.store.yahoo.co.jp' && /^\/RT\/[^/]+\/ItemMgr\/?(index)?$/.test(url.pathname)) {
    const items = data.items?.('yahoo') ?? [];
    const rows = items.map((i) => [
      escapeHtml(i.itemId),
      escapeHtml(i.name),
      String(i.skus),
      String(i.stock),
      `<a class="sim-item-link" href="${editorBase}/PageEdit/index?page_key=${encodeURIComponent(i.itemId)}&page_mode=Edit">編集</a>`,
    ]);
    return shell(
      '商品・画像・在庫 - ストアクリエイターPro',
      header,
      `<div id="main">${nav}<h1>商品管理</h1><p>${items.length}件</p>${table(['商品コード', '商品名', 'SKU数', '在庫合計', ''], rows)}</div>`,
      css,
    );
  }
  return shell('ストアクリエイターPro', header, `<div id="main"><h1>トップ</h1>${data.orders ? nav : ''}</div>`, data.orders ? css : '');
}

// ------------------------------------------------------------------------------------------- Amazon

const AMAZON_TABS: { path: string; label: string; statuses: string[] }[] = [
  { path: 'pending', label: '保留中', statuses: ['Pending'] },
  { path: 'unshipped', label: '未出荷', statuses: ['Unshipped', 'PartiallyShipped'] },
  { path: 'canceled', label: 'キャンセル済み', statuses: ['Canceled'] },
  { path: 'shipped', label: '出荷済み', statuses: ['Shipped', 'PartiallyShipped'] },
];

function amazonPage(url: URL, data: AdminPageData): string {
  const header = `<header style="background:#232f3e">seller central ジャパン</header>`;
  const base = `https://${url.hostname}`;
  const marketplace = data.shop?.amazonMarketplaceId ?? 'A1VC38T7YXB528';
  const nav = `<nav class="sim-nav"><a href="${base}/home">ホーム</a><a href="${base}/orders-v3/mfn/unshipped?page=1">注文管理</a><a href="${base}/myinventory/inventory?fulfilledBy=all&page=1">在庫管理</a></nav>`;
  const css = TABLE_CSS;
  const order = /^\/orders-v3\/order\/(\d{3}-\d{7}-\d{7})/.exec(url.pathname);
  if (order) {
    const o = data.order?.('amazon', order[1]!);
    const to = o ? (o.shipTo ?? o.buyer) : undefined;
    const extra = o
      ? `<section class="sim-order-summary"><table><tbody><tr><th>注文日</th><td>${jst(o.orderedAt)}</td></tr>
<tr><th>ステータス</th><td data-status="${escapeHtml(o.statusCode)}">${escapeHtml(o.status)}</td></tr>
<tr><th>購入者</th><td>${escapeHtml(o.buyer.name)}</td></tr>
<tr><th>お届け先</th><td>${escapeHtml(to!.name)}<br>〒${escapeHtml(to!.zip)} ${escapeHtml(to!.address)}<br>${escapeHtml(to!.phone)}</td></tr>
<tr><th>合計</th><td>${yen(o.total)}</td></tr></tbody></table></section>
<h2>注文内容</h2>${linesTable(o)}<h2>出荷情報</h2>${shipmentsBlock(o)}`
      : '';
    return shell(
      '注文の詳細 - セラーセントラル',
      header,
      `<div id="MYO-app"><div data-test-id="order-details-header"><h1>注文の詳細</h1><span>注文番号: # ${order[1]}</span></div>${extra}</div>`,
      o ? css : '',
    );
  }
  const tab = /^\/orders-v3\/mfn\/([a-z-]+)/.exec(url.pathname)?.[1];
  if (tab !== undefined || url.pathname.startsWith('/orders-v3/search')) {
    const all = data.orders?.('amazon') ?? [];
    const current = AMAZON_TABS.find((t) => t.path === tab);
    const q = url.searchParams.get('q') ?? '';
    const orders = all.filter((o) => (current ? current.statuses.includes(o.statusCode) : true) && (!q || o.id.includes(q) || o.lines.some((l) => l.itemId.includes(q))));
    const tabs = AMAZON_TABS.map(
      (t) => `<a href="${base}/orders-v3/mfn/${t.path}?page=1"${t === current ? ' class="current"' : ''}>${t.label}（${all.filter((o) => t.statuses.includes(o.statusCode)).length}）</a>`,
    ).join(' ');
    const rows = orders.map((o) => [
      jst(o.orderedAt),
      `<a class="sim-order-link" href="${base}/orders-v3/order/${encodeURIComponent(o.id)}">${escapeHtml(o.id)}</a><br><small>購入者: ${escapeHtml(o.buyer.name)}</small>`,
      escapeHtml(o.lines.map((l) => `${l.name}（SKU: ${l.itemId}）×${l.quantity}`).join('、')),
      escapeHtml(o.status),
      yen(o.total),
    ]);
    return shell(
      `注文管理 - セラーセントラル`,
      header,
      `<div id="sc-content-container">${nav}<h1>注文管理</h1><p class="sim-tabs">${tabs}</p>${table(['注文日', '注文の詳細', '商品名', '注文ステータス', '合計'], rows, 'class="sim-order-list"')}</div>`,
      css,
    );
  }
  if (url.pathname.startsWith('/abis/listing/edit')) {
    const sku = url.searchParams.get('sku') ?? '';
    const name = data.itemName?.('amazon', sku) ?? '';
    const rows = data.itemRows?.('amazon', sku) ?? [];
    return shell(
      '出品情報の編集 - セラーセントラル',
      header,
      `<div id="sc-content-container"><h1>出品情報の編集</h1><p>出品者SKU: <b>${escapeHtml(sku)}</b></p><p>${escapeHtml(name)}</p>${
        rows[0] ? `<p><label>価格 <input name="price" value="${rows[0].price}"></label> <label>在庫数 <input name="quantity" value="${rows[0].stock}"></label></p>` : ''
      }</div>`,
      rows[0] ? css : '',
    );
  }
  if (url.pathname.startsWith('/myinventory/inventory') || url.pathname.startsWith('/inventory')) {
    const items = data.items?.('amazon') ?? [];
    const rows = items.map((i) => [
      escapeHtml(i.itemId),
      escapeHtml(i.asin ?? ''),
      escapeHtml(i.name),
      String(i.stock),
      `<a class="sim-item-link" href="${base}/abis/listing/edit/offer?marketplaceID=${marketplace}&sku=${encodeURIComponent(i.itemId)}&asin=${encodeURIComponent(i.asin ?? '')}">編集</a>`,
    ]);
    return shell(
      '在庫管理 - セラーセントラル',
      header,
      `<div id="sc-content-container">${nav}<h1>全在庫の管理</h1><p>${items.length}件</p>${table(['出品者SKU', 'ASIN', '商品名', '在庫', ''], rows)}</div>`,
      css,
    );
  }
  return shell('セラーセントラル', header, `<div id="sc-content-container"><h1>ホーム</h1>${data.orders ? nav : ''}</div>`, data.orders ? css : '');
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
  'https://test.pro.store.yahoo.co.jp/**',
  'https://test.editor.store.yahoo.co.jp/**',
  'https://sellercentral.amazon.co.jp/**',
  'https://sellercentral-japan.amazon.com/**',
];

/** Entry points of each back office, for a tour or the simulator's /__admin index. */
export function adminEntryUrls(data: AdminPageData = {}): Record<Mall, { label: string; url: string }[]> {
  const shopId = data.shop?.rakutenShopId ?? '000001';
  const store = data.shop?.yahooStore ?? 'ichigen-demo';
  return {
    rakuten: [
      { label: '受注一覧 (R-Backoffice)', url: 'https://order-rp.rms.rakuten.co.jp/order-rb/order-list-sc/init?&SEARCH_MODE=1' },
      { label: '商品一覧 (RMS)', url: `https://item.rms.rakuten.co.jp/rms-sku/shops/${shopId}/items` },
    ],
    yahoo: [
      { label: '注文管理 (ストアクリエイターPro)', url: `https://pro.store.yahoo.co.jp/pro.${store}/order/manage/index` },
      { label: '商品・画像・在庫 (ストアクリエイターPro)', url: `https://editor.store.yahoo.co.jp/RT/${store}/ItemMgr/index` },
    ],
    amazon: [
      { label: '未出荷の注文 (セラーセントラル)', url: 'https://sellercentral.amazon.co.jp/orders-v3/mfn/unshipped?page=1' },
      { label: '全在庫の管理 (セラーセントラル)', url: 'https://sellercentral.amazon.co.jp/myinventory/inventory?fulfilledBy=all&page=1' },
    ],
  };
}
