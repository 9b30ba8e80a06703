import { randomUUID } from 'node:crypto';
import type { ShopTruth } from '../core/truth';
import { familyOf, randomPerson } from './buyers';
import type { ResolvedOptions } from './config';
import { msg, type MessageModel, type Reply } from './errors';
import { MAX_QUANTITY } from './inventory';
import { isPlainObject, slotKey, type ChangeReason, type OrderLine, type OrderRecord, type Person, type RakutenStore, type ShippingRecord } from './store';
import { compactJst, DAY_MS, dateJst, orderJst, parseJstDate, parseOrderDatetime } from './time';

/**
 * RakutenPayOrderAPI (spec §6). Message codes marked "sim" below are numbers this simulator assigned
 * inside the documented `ORDER_EXT_API_<FUNCTION>_<TYPE>_<NNN>` family because no source names them;
 * clients should key on HTTP status and `messageType`, not on those numbers.
 */

export const ORDER_PROGRESS = [100, 200, 300, 400, 500, 600, 700, 800, 900] as const;
const SEARCH_WINDOW_MS = 63 * DAY_MS;
const LOOKBACK_MS = 730 * DAY_MS;
const SEARCH_HIT_CAP = 15_000;
const MAX_ORDERS_PER_CALL = 100;
const MAX_SHIPPING_PER_BASKET = 20;
const ASYNC_RETENTION_MS = 30 * DAY_MS;

export const DELIVERY_COMPANIES: Record<string, string> = {
  '1000': 'その他', '1001': 'ヤマト運輸', '1002': '佐川急便', '1003': '日本郵便', '1004': '西濃運輸', '1005': 'セイノースーパーエクスプレス',
  '1006': '福山通運', '1007': '名鉄運輸', '1008': 'トナミ運輸', '1009': '第一貨物', '1010': '新潟運輸', '1011': '中越運送',
  '1012': '岡山県貨物運送', '1013': '久留米運送', '1014': '山陽自動車運送', '1015': 'NXトランスポート', '1016': 'エコ配', '1017': 'EMS',
  '1018': 'DHL', '1019': 'FedEx', '1020': 'UPS', '1021': '日本通運', '1022': 'TNT', '1023': 'OCS', '1024': 'USPS',
  '1025': 'SFエクスプレス', '1026': 'Aramex', '1027': 'SGHグローバル・ジャパン', '1028': 'Rakuten EXPRESS',
  '1029': '日本郵便 楽天倉庫出荷', '1030': 'ヤマト運輸 クロネコゆうパケット', '1031': '名鉄NX運輸',
};
const SETTLEMENTS: { code: number; name: string; weight: number }[] = [
  { code: 1, name: 'クレジットカード', weight: 0.72 },
  { code: 2, name: '代金引換', weight: 0.1 },
  { code: 12, name: 'Apple Pay', weight: 0.08 },
  { code: 9, name: '銀行振込', weight: 0.1 },
];
const CANCEL_REASONS = [1, 2, 3, 4, 5, 6, 8, 10, 13, 14, 15];

export interface OrderDeps {
  store: RakutenStore;
  now(): number;
  options: ResolvedOptions;
  truth: ShopTruth;
  rand: () => number;
  shopId: string;
}

// ---------------------------------------------------------------------------------------------- state

function isShipped(o: OrderRecord): boolean {
  // Spec §6.1 (UNCERTAIN): 300 → 500 once every basket has a ShippingModel with a shippingDate.
  return o.packages.every((p) => p.shipping.some((s) => !!s.shippingDate));
}

function addChange(d: OrderDeps, o: OrderRecord, at: number, changeType: number, changeReason: number | null): void {
  const change: ChangeReason = {
    changeId: d.store.seq.change++,
    changeType,
    changeTypeDetail: null,
    changeReason,
    changeReasonDetail: null,
    changeApply: null,
    changeApplyDetail: null,
    deviceType: 0,
    changeRegisterDatetime: at,
    changeApplyDatetime: at,
  };
  o.changes.push(change);
}

/** 900 キャンセル確定: shown stock comes back and the shop's truth forgets the order. */
export function cancelOrderRecord(d: OrderDeps, o: OrderRecord, at: number, reason: number): void {
  o.progress = 900;
  o.cancelDatetime = at;
  addChange(d, o, at, 1, reason);
  for (const p of o.packages) {
    for (const line of p.lines) {
      if (!line.takenFromInventory) continue;
      const row = d.store.inventory.get(slotKey(line.manageNumber, line.variantId));
      if (row) {
        row.quantity = Math.min(MAX_QUANTITY, row.quantity + line.units);
        row.updated = Math.max(row.updated, at);
      }
      line.takenFromInventory = false;
    }
  }
  d.truth.recordCancel('rakuten', o.orderNumber);
}

/** Time-driven transitions, evaluated lazily against mall time whenever anyone looks. */
export function advanceOrders(d: OrderDeps): void {
  const now = d.now();
  advanceStates(d, now);
  let ran = false;
  for (const job of d.store.asyncJobs.values()) {
    if (job.results === null && now >= job.dueAt) {
      job.results = job.entries.map((entry) => ({
        orderNumber: typeof entry.orderNumber === 'string' ? entry.orderNumber : '',
        MessageModelList: applyShipping(d, entry, job.dueAt, 'UPDATE_ORDERSHIPPING').messages,
      }));
      ran = true;
    }
    if (now > job.acceptedAt + ASYNC_RETENTION_MS) d.store.asyncJobs.delete(job.requestId);
  }
  if (ran) advanceStates(d, now);
}

function advanceStates(d: OrderDeps, now: number): void {
  const opt = d.options;
  for (const o of d.store.orders.values()) {
    if (o.progress === 100 && now >= o.orderDatetime + opt.autoCancelAfterMs) {
      // Spec §6.1: not confirmed within 14 days of ordering → cancelled by Rakuten (reason その他(店舗)).
      cancelOrderRecord(d, o, o.orderDatetime + opt.autoCancelAfterMs, 10);
    }
    if (o.progress === 200 && o.shopOrderCfmDatetime !== null && now >= o.shopOrderCfmDatetime + opt.rakutenProcessingMs) {
      const t = o.shopOrderCfmDatetime + opt.rakutenProcessingMs;
      o.progress = 300;
      o.orderFixDatetime = t;
      o.shippingInstDatetime = t;
    }
    if (o.progress === 300 && isShipped(o)) {
      o.progress = 500;
      o.shippingCmplRptDatetime = Math.max(o.orderFixDatetime ?? 0, o.shippingUpdatedAt ?? 0);
    }
    const shippedAt = o.shippingCmplRptDatetime;
    if (o.progress === 500 && shippedAt !== null && now >= shippedAt + opt.settlementStartMs) o.progress = 600;
    if (o.progress === 600 && shippedAt !== null && now >= shippedAt + opt.settlementDoneMs) {
      o.progress = 700;
      o.settlementDatetime = shippedAt + opt.settlementDoneMs;
    }
  }
}

export interface NewOrderLine {
  skuCode: string;
  manageNumber: string;
  variantId: string;
  units: number;
  price: number;
  itemName: string;
  itemNumber: string | null;
  merchantDefinedSkuId: string | null;
  skuInfo: string;
  inventoryType: number;
}

function pickSettlement(rand: () => number): { code: number; name: string } {
  let r = rand();
  for (const s of SETTLEMENTS) {
    if (r < s.weight) return s;
    r -= s.weight;
  }
  return SETTLEMENTS[0]!;
}

/** A buyer's RakutenPay order in 100 注文確認待ち; the caller has already taken the shown stock. */
export function createOrder(d: OrderDeps, lines: NewOrderLine[]): OrderRecord {
  const now = d.now();
  const { rand } = d;
  d.store.seq.order += 1;
  // Spec §6: `{shopId}-{YYYYMMDD}-{8–10 digits}`, e.g. 375055-20200821-00002833.
  const orderNumber = `${d.shopId}-${compactJst(now)}-${String(d.store.seq.order).padStart(d.options.orderNumberDigits, '0')}`;
  const orderer = randomPerson(rand);
  const r = rand();
  // Most buyers ship to themselves; some send a gift to family or someone else (SenderModel = ship-to).
  const sender: Person = r < 0.8 ? { ...orderer } : randomPerson(rand, r < 0.9 ? familyOf(orderer) : undefined);
  const goods = lines.reduce((n, l) => n + l.price * l.units, 0);
  const settlement = pickSettlement(rand);
  const usedPoint = rand() < 0.3 ? Math.min(goods, Math.floor(rand() * goods * 0.1)) : 0;
  const deliveryDay = now + (3 + Math.floor(rand() * 5)) * DAY_MS;
  const remarks =
    rand() < 0.35
      ? `[配送日時指定:]\n${dateJst(deliveryDay)}(${'日月火水木金土'[new Date(deliveryDay + 9 * 3_600_000).getUTCDay()]}) ${['午前中', '14:00～16:00', '18:00～20:00', '19:00～21:00'][Math.floor(rand() * 4)]}`
      : '';
  const orderLines: OrderLine[] = lines.map((l) => ({
    skuCode: l.skuCode,
    manageNumber: l.manageNumber,
    variantId: l.variantId,
    merchantDefinedSkuId: l.merchantDefinedSkuId,
    skuInfo: l.skuInfo,
    itemDetailId: ++d.store.seq.itemDetail,
    itemId: d.store.itemIdFor(l.manageNumber),
    itemName: l.itemName,
    itemNumber: l.itemNumber,
    price: l.price,
    units: l.units,
    inventoryType: l.inventoryType,
    takenFromInventory: true,
  }));
  const order: OrderRecord = {
    orderNumber,
    progress: 100,
    orderDatetime: now,
    shopOrderCfmDatetime: null,
    orderFixDatetime: null,
    shippingInstDatetime: null,
    shippingCmplRptDatetime: null,
    settlementDatetime: null,
    cancelDatetime: null,
    shippingUpdatedAt: null,
    orderer,
    packages: [{ basketId: ++d.store.seq.basket, sender, lines: orderLines, shipping: [] }],
    settlementMethodCode: settlement.code,
    cardBrand: settlement.code === 1 ? (['VISA', 'MasterCard', 'JCB', 'AMEX'][Math.floor(rand() * 4)] ?? 'VISA') : null,
    remarks,
    usedPoint,
    postagePrice: goods >= 3980 ? 0 : 550,
    deliveryName: '宅配便',
    carrierCode: rand() < 0.7 ? 1 : 0,
    deviceType: 0,
    memo: null,
    changes: [],
  };
  d.store.orders.set(orderNumber, order);
  return order;
}

// ------------------------------------------------------------------------------------------ rendering

const fmt = (ms: number | null): string | null => (ms === null ? null : orderJst(ms));

function personModel(p: Person, withIsland: boolean): Record<string, unknown> {
  const { isolatedIslandFlag, ...rest } = p;
  if (!withIsland) return rest;
  const { emailAddress: _e, sex: _s, birthYear: _y, birthMonth: _m, birthDay: _d, ...address } = rest;
  return { ...address, isolatedIslandFlag };
}

/** OrderModel as getOrder version 10 returns it (spec §6.3): PascalCase containers, camelCase scalars. */
export function orderModel(o: OrderRecord): Record<string, unknown> {
  const goods = o.packages.reduce((n, p) => n + p.lines.reduce((m, l) => m + l.price * l.units, 0), 0);
  const deliveryPrice = o.settlementMethodCode === 2 ? 330 : 0;
  const total = goods + o.postagePrice + deliveryPrice;
  const request = total - o.usedPoint;
  const taxOf = (gross: number) => Math.floor((gross * 10) / 110);
  const pkg = o.packages[0];
  const equalSender = pkg ? JSON.stringify(personModel(pkg.sender, true)) === JSON.stringify(personModel(o.orderer, true)) : true;
  return {
    orderNumber: o.orderNumber,
    orderProgress: o.progress,
    subStatusId: null,
    subStatusName: null,
    orderDatetime: orderJst(o.orderDatetime),
    shopOrderCfmDatetime: fmt(o.shopOrderCfmDatetime),
    orderFixDatetime: fmt(o.orderFixDatetime),
    shippingInstDatetime: fmt(o.shippingInstDatetime),
    shippingCmplRptDatetime: fmt(o.shippingCmplRptDatetime),
    cancelDueDate: null,
    deliveryDate: null,
    shippingTerm: 0,
    remarks: o.remarks,
    giftCheckFlag: equalSender ? 0 : 1,
    severalSenderFlag: o.packages.length > 1 ? 1 : 0,
    equalSenderFlag: equalSender ? 1 : 0,
    isolatedIslandFlag: o.packages.some((p) => p.sender.isolatedIslandFlag === 1) ? 1 : 0,
    rakutenMemberFlag: 1,
    carrierCode: o.carrierCode,
    emailCarrierCode: 0,
    orderType: 1,
    reserveNumber: null,
    reserveDeliveryCount: null,
    cautionDisplayType: 0,
    cautionDisplayDetailType: null,
    rakutenConfirmFlag: 0,
    goodsPrice: goods,
    postagePrice: o.postagePrice,
    deliveryPrice,
    paymentCharge: 0,
    paymentChargeTaxRate: 0.1,
    totalPrice: total,
    requestPrice: request,
    couponAllTotalPrice: 0,
    couponShopPrice: 0,
    couponOtherPrice: 0,
    additionalFeeOccurAmountToUser: 0,
    additionalFeeOccurAmountToShop: 0,
    asurakuFlag: 0,
    drugFlag: 0,
    dealFlag: 0,
    membershipType: 0,
    memo: o.memo,
    operator: null,
    mailPlugSentence: null,
    modifyFlag: 0,
    receiptIssueCount: 0,
    receiptIssueHistoryList: [],
    deliveryCertPrgFlag: 0,
    oneDayOperationFlag: 0,
    socialGiftFlag: 0,
    OrdererModel: personModel(o.orderer, false),
    SettlementModel: {
      settlementMethodCode: o.settlementMethodCode,
      settlementMethod: SETTLEMENTS.find((s) => s.code === o.settlementMethodCode)?.name ?? 'クレジットカード',
      rpaySettlementFlag: 1,
      cardName: o.cardBrand,
      cardNumber: o.cardBrand ? 'XXXX-XXXX-XXXX-' + String(o.orderDatetime % 10_000).padStart(4, '0') : null,
      cardOwner: null,
      cardYm: null,
      cardPayType: o.cardBrand ? 0 : null,
      cardInstallmentDesc: null,
    },
    DeliveryModel: { deliveryName: o.deliveryName, deliveryClass: 0 },
    PointModel: { usedPoint: o.usedPoint },
    WrappingModel1: null,
    WrappingModel2: null,
    PackageModelList: o.packages.map((p) => {
      const pGoods = p.lines.reduce((n, l) => n + l.price * l.units, 0);
      return {
        basketId: p.basketId,
        postagePrice: o.postagePrice,
        postageTaxRate: 0.1,
        deliveryPrice,
        deliveryTaxRate: 0.1,
        goodsTax: -9999,
        goodsPrice: pGoods,
        totalPrice: pGoods + o.postagePrice + deliveryPrice,
        noshi: null,
        packageDeleteFlag: 0,
        SenderModel: personModel(p.sender, true),
        ItemModelList: p.lines.map((l) => ({
          itemDetailId: l.itemDetailId,
          itemName: l.itemName,
          itemId: l.itemId,
          itemNumber: l.itemNumber,
          manageNumber: l.manageNumber,
          price: l.price,
          units: l.units,
          includePostageFlag: 0,
          includeTaxFlag: 1,
          includeCashOnDeliveryPostageFlag: 0,
          selectedChoice: null,
          pointRate: 1,
          pointType: 0,
          inventoryType: l.inventoryType,
          delvdateInfo: '1～3日以内に発送予定（店舗休業日を除く）',
          restoreInventoryFlag: 1,
          dealFlag: 0,
          drugFlag: 0,
          deleteItemFlag: 0,
          taxRate: 0.1,
          priceTaxIncl: l.price,
          isSingleItemShipping: 0,
          SkuModelList: [{ variantId: l.variantId, merchantDefinedSkuId: l.merchantDefinedSkuId, skuInfo: l.skuInfo }],
        })),
        ShippingModelList: p.shipping.map(shippingModel),
        DeliveryCvsModel: null,
        defaultDeliveryCompanyCode: '1001',
        dropOffFlag: 0,
        dropOffLocation: null,
        SocialGiftModel: null,
      };
    }),
    CouponModelList: null,
    ChangeReasonModelList: o.changes.map((c) => ({ ...c, changeRegisterDatetime: orderJst(c.changeRegisterDatetime), changeApplyDatetime: fmt(c.changeApplyDatetime) })),
    TaxSummaryModelList: [
      { taxRate: 0.1, reqPrice: request, reqPriceTax: taxOf(request), totalPrice: total, totalPriceTax: taxOf(total), paymentCharge: 0, couponPrice: 0, point: o.usedPoint },
    ],
    DueDateModelList: null,
  };
}

function shippingModel(s: ShippingRecord): Record<string, unknown> {
  return {
    shippingDetailId: s.shippingDetailId,
    shippingNumber: s.shippingNumber,
    deliveryCompany: s.deliveryCompany,
    deliveryCompanyName: s.deliveryCompany ? (DELIVERY_COMPANIES[s.deliveryCompany] ?? null) : null,
    shippingDate: s.shippingDate,
  };
}

// ------------------------------------------------------------------------------------------- handlers

function orderErrorReply(status: number, messages: MessageModel[], extra: Record<string, unknown> = {}): Reply {
  return { status, body: { ...extra, MessageModelList: messages } };
}

function orderNumberList(body: unknown, fn: string): string[] | Reply {
  if (!isPlainObject(body)) return orderErrorReply(400, [msg('ERROR', `ORDER_EXT_API_${fn}_ERROR_001`, 'リクエストの形式が不正です。')]);
  const list = body.orderNumberList;
  if (!Array.isArray(list) || list.length === 0 || list.some((n) => typeof n !== 'string' || n.length === 0)) {
    return orderErrorReply(400, [msg('ERROR', `ORDER_EXT_API_${fn}_ERROR_002`, 'orderNumberListを指定してください。')]); // sim
  }
  if (list.length > MAX_ORDERS_PER_CALL) {
    return orderErrorReply(400, [msg('ERROR', `ORDER_EXT_API_${fn}_ERROR_003`, `orderNumberListは${MAX_ORDERS_PER_CALL}件以内で指定してください。`)]); // sim
  }
  return list as string[];
}

const DATE_OF: Record<number, (o: OrderRecord) => number | null> = {
  1: (o) => o.orderDatetime,
  2: (o) => o.shopOrderCfmDatetime,
  3: (o) => o.orderFixDatetime,
  4: (o) => {
    const dates = o.packages.flatMap((p) => p.shipping.map((s) => parseJstDate(s.shippingDate)).filter((t): t is number => t !== null));
    return dates.length > 0 ? Math.min(...dates) : null;
  },
  5: (o) => o.shippingCmplRptDatetime,
  6: (o) => o.settlementDatetime,
};

/** searchOrder (spec §6.2). */
export function searchOrder(d: OrderDeps, body: unknown): Reply {
  const fail = (code: string, message: string) =>
    orderErrorReply(400, [msg('ERROR', `ORDER_EXT_API_SEARCH_ORDER_ERROR_${code}`, message)], { orderNumberList: null, PaginationResponseModel: null });
  if (!isPlainObject(body)) return fail('001', 'リクエストの形式が不正です。'); // sim
  const dateType = body.dateType;
  if (dateType === undefined || dateType === null) return fail('009', '期間検索種別（dateType）を指定してください。');
  if (typeof dateType !== 'number' || !(dateType in DATE_OF)) return fail('009', '期間検索種別（dateType）の値が不正です。');
  const start = parseOrderDatetime(body.startDatetime);
  const end = parseOrderDatetime(body.endDatetime);
  if (start === null || end === null) return fail('011', '期間検索開始日時・終了日時の形式が不正です。（yyyy-MM-ddTHH:mm:ss+0900）');
  const now = d.now();
  if (end < start) return fail('012', '期間検索終了日時は開始日時以降を指定してください。'); // sim
  if (end - start > SEARCH_WINDOW_MS) return fail('013', '期間検索の範囲は63日以内で指定してください。'); // sim
  if (start < now - LOOKBACK_MS) return fail('014', '期間検索開始日時は過去730日以内で指定してください。'); // sim
  let progressFilter: Set<number> | null = null;
  if (body.orderProgressList !== undefined && body.orderProgressList !== null) {
    const l = body.orderProgressList;
    if (!Array.isArray(l) || l.some((p) => !ORDER_PROGRESS.includes(p as (typeof ORDER_PROGRESS)[number]))) return fail('015', 'orderProgressListの値が不正です。'); // sim
    progressFilter = new Set(l as number[]);
  }
  let orderTypes: Set<number> | null = null;
  if (Array.isArray(body.orderTypeList)) orderTypes = new Set(body.orderTypeList as number[]);
  // PaginationRequestModel: "required, default 30" (spec §6.2) — an absent model means 30 / page 1,
  // a present one must carry valid values.
  let size = 30;
  let page = 1;
  let direction = 1;
  const pr = body.PaginationRequestModel;
  if (pr !== undefined && pr !== null) {
    if (!isPlainObject(pr)) return fail('016', 'PaginationRequestModelの形式が不正です。'); // sim
    const amount = pr.requestRecordsAmount;
    const req = pr.requestPage;
    if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 1 || amount > 1000) return fail('016', 'requestRecordsAmountは1～1000で指定してください。'); // sim
    if (typeof req !== 'number' || !Number.isInteger(req) || req < 1) return fail('016', 'requestPageは1以上で指定してください。'); // sim
    size = amount;
    page = req;
    if (pr.SortModelList !== undefined && pr.SortModelList !== null) {
      const sorts = pr.SortModelList;
      if (!Array.isArray(sorts) || sorts.some((s) => !isPlainObject(s) || s.sortColumn !== 1 || (s.sortDirection !== 1 && s.sortDirection !== 2))) {
        return fail('016', 'SortModelListの値が不正です。'); // sim
      }
      const first = sorts[0] as Record<string, unknown> | undefined;
      if (first) direction = first.sortDirection === 2 ? -1 : 1;
    }
  }
  const keywordType = body.searchKeywordType;
  const keyword = typeof body.searchKeyword === 'string' && body.searchKeyword.length > 0 ? body.searchKeyword : null;

  const dateOf = DATE_OF[dateType]!;
  const hits = [...d.store.orders.values()].filter((o) => {
    const t = dateOf(o);
    if (t === null || t < start || t > end) return false;
    if (progressFilter && !progressFilter.has(o.progress)) return false;
    if (orderTypes && !orderTypes.has(1)) return false;
    if (typeof body.ordererMailAddress === 'string' && o.orderer.emailAddress !== body.ordererMailAddress) return false;
    if (keyword !== null) {
      const lines = o.packages.flatMap((p) => p.lines);
      const people = [o.orderer, ...o.packages.map((p) => p.sender)];
      const has = (s: string | null) => s !== null && s.includes(keyword);
      const ok =
        keywordType === 0 ? lines.some((l) => has(l.itemName))
        : keywordType === 1 ? lines.some((l) => has(l.itemNumber))
        : keywordType === 3 ? has(o.orderer.familyName + o.orderer.firstName)
        : keywordType === 4 ? has(o.orderer.familyNameKana + o.orderer.firstNameKana)
        : keywordType === 5 ? people.slice(1).some((p) => has(p.familyName + p.firstName))
        : keywordType === 6 ? lines.some((l) => has(l.variantId))
        : keywordType === 7 ? lines.some((l) => has(l.merchantDefinedSkuId))
        : keywordType === 8 ? lines.some((l) => has(l.skuInfo))
        : true;
      if (!ok) return false;
    }
    return true;
  });
  hits.sort((a, b) => (a.orderDatetime - b.orderDatetime || (a.orderNumber < b.orderNumber ? -1 : 1)) * direction);
  if (hits.length === 0) {
    // Zero hits: 200, empty list, INFO_102 and every pagination field null (spec §6.2).
    return {
      status: 200,
      body: {
        orderNumberList: [],
        MessageModelList: [msg('INFO', 'ORDER_EXT_API_SEARCH_ORDER_INFO_102', '注文検索結果が0件です。')],
        PaginationResponseModel: { totalRecordsAmount: null, totalPages: null, requestPage: null },
      },
    };
  }
  // Only the first 15,000 hits are reachable (spec §6.2); the total still reports every hit.
  const reachable = hits.slice(0, SEARCH_HIT_CAP);
  const totalPages = Math.ceil(reachable.length / size);
  return {
    status: 200,
    body: {
      orderNumberList: reachable.slice((page - 1) * size, page * size).map((o) => o.orderNumber),
      MessageModelList: [msg('INFO', 'ORDER_EXT_API_SEARCH_ORDER_INFO_101', '注文検索に成功しました。')],
      PaginationResponseModel: { totalRecordsAmount: hits.length, totalPages, requestPage: page },
    },
  };
}

/** getOrder (spec §6.3). */
export function getOrder(d: OrderDeps, body: unknown): Reply {
  const list = orderNumberList(body, 'GET_ORDER');
  if (!Array.isArray(list)) return list;
  const version = (body as Record<string, unknown>).version;
  if (version === undefined || version === null) {
    return orderErrorReply(400, [msg('ERROR', 'ORDER_EXT_API_GET_ORDER_ERROR_004', 'versionを指定してください。')]); // sim
  }
  if (typeof version !== 'number' || !d.options.acceptedOrderVersions.includes(version)) {
    return orderErrorReply(400, [msg('ERROR', 'ORDER_EXT_API_GET_ORDER_ERROR_005', `versionの値が不正です。（${d.options.acceptedOrderVersions.join(', ')}）`)]); // sim
  }
  const now = d.now();
  const models: Record<string, unknown>[] = [];
  const problems: MessageModel[] = [];
  for (const n of list) {
    const o = d.store.orders.get(n);
    if (!o || o.orderDatetime < now - LOOKBACK_MS) {
      problems.push(msg('ERROR', 'ORDER_EXT_API_GET_ORDER_ERROR_101', '指定された注文番号は存在しません。', { orderNumber: n })); // sim
      continue;
    }
    models.push(orderModel(o));
  }
  return {
    status: 200,
    body: {
      MessageModelList: [msg('INFO', 'ORDER_EXT_API_GET_ORDER_INFO_101', `受注情報取得に成功しました。(取得件数${models.length}件)`), ...problems],
      OrderModelList: models,
      version,
    },
  };
}

/** confirmOrder (spec §6.4): 100 → 200, one message per order. */
export function confirmOrder(d: OrderDeps, body: unknown): Reply {
  const list = orderNumberList(body, 'CONFIRM_ORDER');
  if (!Array.isArray(list)) return list;
  const now = d.now();
  const messages = list.map((n) => {
    const o = d.store.orders.get(n);
    if (!o) return msg('ERROR', 'ORDER_EXT_API_CONFIRM_ORDER_ERROR_101', '指定された注文番号は存在しません。', { orderNumber: n }); // sim
    if (o.progress === 800 || o.progress === 900) return msg('ERROR', 'ORDER_EXT_API_CONFIRM_ORDER_ERROR_102', 'キャンセル済みの注文です。', { orderNumber: n });
    if (o.progress !== 100) return msg('ERROR', 'ORDER_EXT_API_CONFIRM_ORDER_ERROR_103', '注文確認待ち以外のステータスの注文です。', { orderNumber: n });
    o.progress = 200;
    o.shopOrderCfmDatetime = now;
    addChange(d, o, now, 8, null);
    return msg('INFO', 'ORDER_EXT_API_CONFIRM_ORDER_INFO_101', '注文確認に成功しました。', { orderNumber: n });
  });
  advanceOrders(d);
  return { status: messages.some((m) => m.messageType === 'INFO') ? 200 : 400, body: { MessageModelList: messages } };
}

const PLATFORM_DEPENDENT = /[\u2150-\u218f\u2460-\u24ff\u2776-\u2793\u3200-\u33ff\ufa0e-\ufa2d]/;

interface ShippingResult {
  ok: boolean;
  /** Format problems answer 400 on the sync path and ASYNC_ERROR_011 at submit on the async path. */
  formatError: boolean;
  messages: MessageModel[];
}

function validateShippingFormat(entry: unknown, codeBase: string): MessageModel[] {
  const errors: MessageModel[] = [];
  const e = (message: string, extra: Partial<MessageModel> = {}) => errors.push(msg('ERROR', `ORDER_EXT_API_${codeBase}_ERROR_011`, message, extra));
  if (!isPlainObject(entry)) {
    e('リクエストの形式が不正です。');
    return errors;
  }
  const orderNumber = typeof entry.orderNumber === 'string' ? entry.orderNumber : undefined;
  if (!orderNumber) e('orderNumberを指定してください。');
  const baskets = entry.BasketidModelList;
  if (!Array.isArray(baskets) || baskets.length === 0) {
    e('BasketidModelListを指定してください。', orderNumber ? { orderNumber } : {});
    return errors;
  }
  let dataNumber = 0;
  for (const b of baskets) {
    if (!isPlainObject(b) || typeof b.basketId !== 'number') {
      e('basketIdを指定してください。', orderNumber ? { orderNumber } : {});
      continue;
    }
    const models = b.ShippingModelList;
    if (!Array.isArray(models) || models.length === 0 || models.length > MAX_SHIPPING_PER_BASKET) {
      e(`ShippingModelListは1～${MAX_SHIPPING_PER_BASKET}件で指定してください。`, orderNumber ? { orderNumber } : {});
      continue;
    }
    for (const s of models) {
      dataNumber += 1;
      const at = { ...(orderNumber ? { orderNumber } : {}), dataNumber };
      if (!isPlainObject(s)) {
        e('ShippingModelの形式が不正です。', at);
        continue;
      }
      if (s.shippingDetailId !== undefined && s.shippingDetailId !== null && (typeof s.shippingDetailId !== 'number' || !Number.isInteger(s.shippingDetailId))) e('shippingDetailIdの値が不正です。', at);
      if (s.deliveryCompany !== undefined && s.deliveryCompany !== null && s.deliveryCompany !== '' && (typeof s.deliveryCompany !== 'string' || !(s.deliveryCompany in DELIVERY_COMPANIES))) {
        e('配送会社（deliveryCompany）はコードで指定してください。', at);
      }
      if (s.shippingNumber !== undefined && s.shippingNumber !== null) {
        if (typeof s.shippingNumber !== 'string' || s.shippingNumber.length > 120) e('お荷物伝票番号（shippingNumber）は120文字以内で指定してください。', at);
        else if (PLATFORM_DEPENDENT.test(s.shippingNumber)) e('お荷物伝票番号（shippingNumber）に機種依存文字が含まれています。', at);
      }
      if (s.shippingDate !== undefined && s.shippingDate !== null && s.shippingDate !== '' && parseJstDate(s.shippingDate) === null) e('発送日（shippingDate）の形式が不正です。（yyyy-MM-dd）', at);
      if (s.shippingDeleteFlag !== undefined && s.shippingDeleteFlag !== null && s.shippingDeleteFlag !== 0 && s.shippingDeleteFlag !== 1) e('shippingDeleteFlagの値が不正です。', at);
      if (s.shippingDeleteFlag === 1 && (s.shippingDetailId === undefined || s.shippingDetailId === null)) e('削除にはshippingDetailIdが必要です。', at);
    }
  }
  return errors;
}

/**
 * One order's shipping update (spec §6.5): no id → add, id → update, `shippingDeleteFlag:1` → delete;
 * omitted field unchanged, empty string clears. All-or-nothing per order.
 */
function applyShipping(d: OrderDeps, entry: Record<string, unknown>, at: number, codeBase: string): ShippingResult {
  const format = validateShippingFormat(entry, codeBase);
  if (format.length > 0) return { ok: false, formatError: true, messages: format };
  const orderNumber = entry.orderNumber as string;
  const fail = (code: string, message: string): ShippingResult => ({
    ok: false,
    formatError: false,
    messages: [msg('ERROR', `ORDER_EXT_API_${codeBase}_ERROR_${code}`, message, { orderNumber })],
  });
  const o = d.store.orders.get(orderNumber);
  if (!o) return fail('101', '指定された注文番号は存在しません。'); // sim
  if (o.progress === 800 || o.progress === 900) return fail('102', 'キャンセル済みの注文です。');
  if (o.progress === 100) return fail('103', '注文確認前の注文には発送情報を登録できません。'); // sim
  const baskets = entry.BasketidModelList as Record<string, unknown>[];
  // Work on copies so a late error leaves the order untouched.
  const copies = new Map(o.packages.map((p) => [p.basketId, p.shipping.map((s) => ({ ...s }))]));
  const messages: MessageModel[] = [];
  let dataNumber = 0;
  for (const b of baskets) {
    const shipping = copies.get(b.basketId as number);
    if (!shipping) return fail('104', `basketIdが注文に存在しません。（${String(b.basketId)}）`); // sim
    for (const s of b.ShippingModelList as Record<string, unknown>[]) {
      dataNumber += 1;
      const clean = (v: unknown) => (v === '' ? null : (v as string | null));
      if (s.shippingDetailId === undefined || s.shippingDetailId === null) {
        const rec: ShippingRecord = {
          shippingDetailId: ++d.store.seq.shipping,
          shippingNumber: clean(s.shippingNumber ?? null),
          deliveryCompany: clean(s.deliveryCompany ?? null),
          shippingDate: clean(s.shippingDate ?? null),
        };
        shipping.push(rec);
        messages.push(msg('INFO', `ORDER_EXT_API_${codeBase}_INFO_101`, '発送情報を登録しました。', { orderNumber, dataNumber, shippingDetailId: rec.shippingDetailId }));
        continue;
      }
      const idx = shipping.findIndex((r) => r.shippingDetailId === s.shippingDetailId);
      if (idx < 0) return fail('105', `shippingDetailIdが存在しません。（${String(s.shippingDetailId)}）`); // sim
      const rec = shipping[idx]!;
      if (s.shippingDeleteFlag === 1) {
        shipping.splice(idx, 1);
        messages.push(msg('INFO', `ORDER_EXT_API_${codeBase}_INFO_103`, '発送情報を削除しました。', { orderNumber, dataNumber, shippingDetailId: rec.shippingDetailId }));
        continue;
      }
      if (s.shippingNumber !== undefined) rec.shippingNumber = clean(s.shippingNumber);
      if (s.deliveryCompany !== undefined) rec.deliveryCompany = clean(s.deliveryCompany);
      if (s.shippingDate !== undefined) rec.shippingDate = clean(s.shippingDate);
      messages.push(msg('INFO', `ORDER_EXT_API_${codeBase}_INFO_102`, '発送情報を更新しました。', { orderNumber, dataNumber, shippingDetailId: rec.shippingDetailId }));
    }
  }
  for (const [basketId, shipping] of copies) {
    if (shipping.length > MAX_SHIPPING_PER_BASKET) return fail('106', `1配送先あたりの発送情報は${MAX_SHIPPING_PER_BASKET}件までです。（${basketId}）`); // sim
  }
  for (const p of o.packages) p.shipping = copies.get(p.basketId) ?? p.shipping;
  o.shippingUpdatedAt = at;
  return { ok: true, formatError: false, messages };
}

/** updateOrderShipping (sync, one order). */
export function updateOrderShipping(d: OrderDeps, body: unknown): Reply {
  const result = applyShipping(d, isPlainObject(body) ? body : {}, d.now(), 'UPDATE_ORDERSHIPPING');
  if (!result.ok) return orderErrorReply(400, result.messages);
  advanceOrders(d);
  return { status: 200, body: { MessageModelList: result.messages } };
}

/** updateOrderShippingAsync (≤100 orders): format errors at once (200 + ERROR), the rest when the job runs. */
export function updateOrderShippingAsync(d: OrderDeps, body: unknown): Reply {
  const code = 'UPDATE_ORDERSHIPPING_ASYNC';
  const list = isPlainObject(body) ? body.OrderShippingModelList : undefined;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_ORDERS_PER_CALL) {
    return orderErrorReply(400, [msg('ERROR', `ORDER_EXT_API_${code}_ERROR_011`, `OrderShippingModelListは1～${MAX_ORDERS_PER_CALL}件で指定してください。`)]);
  }
  const errors: MessageModel[] = [];
  const seen = new Set<string>();
  for (const entry of list) {
    errors.push(...validateShippingFormat(entry, code));
    const n = isPlainObject(entry) ? entry.orderNumber : undefined;
    if (typeof n === 'string') {
      if (seen.has(n)) errors.push(msg('ERROR', `ORDER_EXT_API_${code}_ERROR_011`, '注文番号が重複しています。', { orderNumber: n }));
      seen.add(n);
    }
  }
  // Spec §6.5: async validation errors come back with HTTP 200.
  if (errors.length > 0) return { status: 200, body: { MessageModelList: errors } };
  const now = d.now();
  const requestId = `${randomUUID()}_${compactJst(now, true)}`;
  d.store.asyncJobs.set(requestId, { requestId, acceptedAt: now, dueAt: now + d.options.asyncShippingDelayMs, entries: list as Record<string, unknown>[], results: null });
  return { status: 200, body: { MessageModelList: [msg('INFO', `ORDER_EXT_API_${code}_INFO_101`, '発送情報の更新を受け付けました。', { requestId })] } };
}

/** getResultUpdateOrderShippingAsync: not ready, unknown and expired all look the same (spec §6.5). */
export function getResultUpdateOrderShippingAsync(d: OrderDeps, body: unknown): Reply {
  const requestId = isPlainObject(body) ? body.requestId : undefined;
  if (typeof requestId !== 'string' || requestId.length === 0) {
    return orderErrorReply(400, [msg('ERROR', 'ORDER_EXT_API_GET_RESULT_UPDATEORDERSHIPPING_ASYNC_ERROR_001', 'requestIdを指定してください。')]); // sim
  }
  const job = d.store.asyncJobs.get(requestId);
  if (!job || job.results === null) {
    return {
      status: 200,
      body: {
        MessageModelList: [msg('INFO', 'ORDER_EXT_API_GET_RESULT_UPDATEORDERSHIPPING_ASYNC_INFO_101', '処理結果が存在しません。', { requestId })],
        ResultShippingModelList: null,
      },
    };
  }
  return { status: 200, body: { MessageModelList: [], ResultShippingModelList: job.results } };
}

/** cancelOrder (spec §6.6): only in 100/200/300; shown stock is given back. */
export function cancelOrder(d: OrderDeps, body: unknown): Reply {
  const code = 'CANCEL_ORDER';
  if (!isPlainObject(body) || typeof body.orderNumber !== 'string') {
    return orderErrorReply(400, [msg('ERROR', `ORDER_EXT_API_${code}_ERROR_001`, 'orderNumberを指定してください。')]); // sim
  }
  const orderNumber = body.orderNumber;
  const reason = body.changeReasonDetailApply;
  if (typeof reason !== 'number' || !CANCEL_REASONS.includes(reason)) {
    return orderErrorReply(400, [msg('ERROR', `ORDER_EXT_API_${code}_ERROR_002`, 'changeReasonDetailApplyの値が不正です。', { orderNumber })]); // sim
  }
  if (body.inventoryRestoreType !== undefined && ![0, 1, 2].includes(body.inventoryRestoreType as number)) {
    return orderErrorReply(400, [msg('ERROR', `ORDER_EXT_API_${code}_ERROR_003`, 'inventoryRestoreTypeの値が不正です。', { orderNumber })]); // sim
  }
  const o = d.store.orders.get(orderNumber);
  if (!o) return orderErrorReply(400, [msg('ERROR', `ORDER_EXT_API_${code}_ERROR_101`, '指定された注文番号は存在しません。', { orderNumber })]); // sim
  if (![100, 200, 300].includes(o.progress)) {
    return orderErrorReply(400, [msg('ERROR', `ORDER_EXT_API_${code}_ERROR_102`, 'このステータスの注文はキャンセルできません。', { orderNumber })]); // sim
  }
  cancelOrderRecord(d, o, d.now(), reason);
  return { status: 200, body: { MessageModelList: [msg('INFO', `ORDER_EXT_API_${code}_INFO_101`, '注文キャンセルに成功しました。', { orderNumber })] } };
}
