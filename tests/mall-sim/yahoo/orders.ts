import type { BuyerLine, RouteRequest } from '../core/types';
import { makeBuyer, shipCharge } from './buyers';
import { formParams, requireSeller } from './common';
import { CODES, SIM_CODES } from './errors';
import { buyerPrice, runDuePublish, subcodesOf } from './items';
import { type Address, type Order, type OrderLine, stockKey, type YahooState } from './state';
import {
  bool,
  cdata,
  jstDate,
  parseCompactJst,
  parseXmlBody,
  type ParsedXml,
  rfc3339,
  sendYahooError,
  sendYahooXml,
  xmlGet,
  xmlText,
  type XmlNodeValue,
  type XmlTree,
} from './xml';

// ---------------------------------------------------------------------------------------------
// Field catalogue (§3.1 Field keys, §3.2 grouping). Order matters: it is the element order in answers.

type Group = 'order' | 'pay' | 'ship' | 'detail' | 'seller' | 'buyer';
type Getter = (o: Order, s: YahooState) => XmlNodeValue;

const B = (f: (o: Order) => boolean): Getter => (o) => bool(f(o));
const S = (f: (o: Order) => string | number): Getter => (o) => String(f(o));
const C = (f: (o: Order) => string): Getter => (o) => cdata(f(o));
const EMPTY: Getter = () => '';
const FALSE: Getter = () => 'false';

function isReadOnly(o: Order, s: YahooState): boolean {
  return s.ctx.clock.now() < o.orderTime + s.opts.readOnlyWindowMs;
}

function addressFields(prefix: 'Bill' | 'Ship', pick: (o: Order) => Address): [string, Getter][] {
  return [
    [`${prefix}FirstName`, C((o) => pick(o).firstName)],
    [`${prefix}FirstNameKana`, C((o) => pick(o).firstNameKana)],
    [`${prefix}LastName`, C((o) => pick(o).lastName)],
    [`${prefix}LastNameKana`, C((o) => pick(o).lastNameKana)],
    [`${prefix}ZipCode`, C((o) => pick(o).zipCode)],
    [`${prefix}Prefecture`, C((o) => pick(o).prefecture)],
    [`${prefix}PrefectureKana`, C((o) => pick(o).prefectureKana)],
    [`${prefix}City`, C((o) => pick(o).city)],
    [`${prefix}CityKana`, C((o) => pick(o).cityKana)],
    [`${prefix}Address1`, C((o) => pick(o).address1)],
    [`${prefix}Address1Kana`, C((o) => pick(o).address1Kana)],
    [`${prefix}Address2`, C((o) => pick(o).address2)],
    [`${prefix}Address2Kana`, C((o) => pick(o).address2Kana)],
    [`${prefix}PhoneNumber`, C((o) => pick(o).phoneNumber)],
    [`${prefix}EmgPhoneNumber`, EMPTY],
  ];
}

const CATALOGUE: [group: Group, fields: [string, Getter][]][] = [
  [
    'order',
    [
      ['OrderId', S((o) => o.orderId)],
      ['Version', () => '1'],
      ['OriginalOrderId', S((o) => o.orderId)],
      ['ParentOrderId', EMPTY],
      ['ChildOrderId', EMPTY],
      ['DeviceType', S((o) => o.deviceType)],
      ['MobileCarrierName', EMPTY],
      ['IsSeen', B((o) => o.isSeen)],
      ['IsSplit', FALSE],
      ['IsRoyalty', () => 'true'],
      ['IsRoyaltyFix', FALSE],
      ['IsSeller', FALSE],
      ['IsAffiliate', FALSE],
      ['IsRatingB2s', FALSE],
      ['NeedSnl', FALSE],
      ['OrderTime', S((o) => rfc3339(o.orderTime))],
      ['LastUpdateTime', S((o) => rfc3339(o.lastUpdateTime))],
      ['Suspect', () => '0'],
      ['SuspectMessage', EMPTY],
      ['OrderStatus', S((o) => o.orderStatus)],
      ['CancelReason', S((o) => o.cancelReason)],
      ['CancelReasonDetail', C((o) => o.cancelReasonDetail)],
      ['StoreStatus', S((o) => o.storeStatus)],
      ['RoyaltyFixTime', EMPTY],
      ['SendConfirmTime', S((o) => rfc3339(o.orderTime))],
      ['SendPayTime', EMPTY],
      ['PrintSlipTime', EMPTY],
      ['PrintDeliveryTime', EMPTY],
      ['PrintBillTime', EMPTY],
      ['BuyerComments', C((o) => o.buyerComments)],
      ['SellerComments', EMPTY],
      ['Notes', C((o) => o.notes)],
      ['OperationUser', C((o) => o.operationUser)],
      ['Referer', EMPTY],
      ['EntryPoint', EMPTY],
      ['HistoryId', S((o) => o.historyId)],
      ['IsActive', () => 'true'],
      ['ExistMultiReleaseDate', FALSE],
      ['ReleaseDate', EMPTY],
      ['PrintSlipFlag', FALSE],
      ['PrintDeliveryFlag', FALSE],
      ['PrintBillFlag', FALSE],
      ['BuyerCommentsFlag', B((o) => o.buyerComments !== '')],
      ['SellerType', () => '1'],
      ['IsPayManagement', FALSE],
      ['IsReadOnly', (o, s) => (isReadOnly(o, s) ? '1' : '0')],
      ['PublicationTime', S((o) => rfc3339(o.publicationTime))],
      ['FraudHoldStatus', () => '0'],
      ['IsEazy', FALSE],
      ['SocialGiftType', () => '0'],
    ],
  ],
  [
    'pay',
    [
      ['PayStatus', S((o) => o.pay.payStatus)],
      ['SettleStatus', S((o) => o.pay.settleStatus)],
      ['PayType', S((o) => o.pay.payType)],
      ['PayKind', S((o) => o.pay.payKind)],
      ['PayMethod', S((o) => o.pay.payMethod)],
      ['PayMethodName', C((o) => o.pay.payMethodName)],
      ['PayActionTime', EMPTY],
      ['PayDate', S((o) => o.pay.payDate)],
      ['PayNotes', EMPTY],
      ['SettleId', S((o) => o.pay.settleId)],
      ['CardBrand', EMPTY],
      ['CardNumberLast4', EMPTY],
      ['UseWallet', FALSE],
      ['NeedBillSlip', FALSE],
      ['NeedDetailedSlip', FALSE],
      ['NeedReceipt', FALSE],
      ...addressFields('Bill', (o) => o.pay.bill),
      ['BillMailAddress', C((o) => o.pay.mailAddress)],
      ['PayNo', EMPTY],
      ['PayNoIssueDate', EMPTY],
      ['IsApplePay', FALSE],
    ],
  ],
  [
    'ship',
    [
      ['ShipStatus', S((o) => o.ship.shipStatus)],
      ['ShipMethod', S((o) => o.ship.shipMethod)],
      ['ShipMethodName', C((o) => o.ship.shipMethodName)],
      ['ShipRequestDate', S((o) => o.ship.shipRequestDate)],
      ['ShipRequestTime', C((o) => o.ship.shipRequestTime)],
      ['ShipNotes', C((o) => o.ship.shipNotes)],
      ['ShipInvoiceNumber1', S((o) => o.ship.invoice1)],
      ['ShipInvoiceNumber2', S((o) => o.ship.invoice2)],
      ['ShipInvoiceNumberEmptyReason', S((o) => o.ship.emptyReason)],
      ['ShipCompanyCode', S((o) => o.ship.companyCode)],
      ['ShipUrl', C((o) => o.ship.url)],
      ['ArriveType', S((o) => o.ship.arriveType)],
      ['ShipDate', S((o) => o.ship.shipDate)],
      ['ArrivalDate', S((o) => o.ship.arrivalDate)],
      ['NeedGiftWrap', FALSE],
      ['GiftWrapType', EMPTY],
      ['GiftWrapMessage', EMPTY],
      ['NeedGiftWrapMessage', FALSE],
      ['NeedGiftWrapPaper', FALSE],
      ['GiftWrapPaperType', EMPTY],
      ['GiftWrapName', EMPTY],
      ...addressFields('Ship', (o) => o.ship.address),
      ['ReceiveShopCode', EMPTY],
      ['EazyDeliveryCode', EMPTY],
      ['EazyDeliveryName', EMPTY],
    ],
  ],
  [
    'detail',
    [
      ['PayCharge', S((o) => o.detail.payCharge)],
      ['ShipCharge', S((o) => o.detail.shipCharge)],
      ['GiftWrapCharge', S((o) => o.detail.giftWrapCharge)],
      ['Discount', S((o) => o.detail.discount)],
      ['Adjustments', () => '0'],
      ['SettleAmount', S((o) => o.detail.settleAmount)],
      ['UsePoint', S((o) => o.detail.usePoint)],
      ['GiftCardDiscount', () => '0'],
      ['TotalPrice', S((o) => o.detail.totalPrice)],
      ['RefundTotalPrice', EMPTY],
      ['TotalMallCouponDiscount', () => '0'],
      ['IsGetPointFixAll', FALSE],
    ],
  ],
  ['seller', [['SellerId', (_o, s) => s.ctx.credentials.yahoo.sellerId]]],
  [
    'buyer',
    [
      ['IsLogin', B(() => true)],
      ['FspLicenseCode', EMPTY],
      ['FspLicenseName', EMPTY],
      ['GuestAuthId', EMPTY],
    ],
  ],
];

const FIELD_INDEX = new Map<string, { group: Group; get: Getter; rank: number }>();
{
  let rank = 0;
  for (const [group, fields] of CATALOGUE) for (const [name, get] of fields) FIELD_INDEX.set(name, { group, get, rank: rank++ });
}

type ItemGetter = (l: OrderLine) => XmlNodeValue;
const ITEM_FIELDS: [string, ItemGetter][] = [
  ['LineId', (l) => String(l.lineId)],
  ['ItemId', (l) => cdata(l.itemId)],
  ['Title', (l) => cdata(l.title)],
  ['SubCode', (l) => cdata(l.subCode)],
  ['SubCodeOption', (l) => cdata(l.subCodeOption)],
  ['ItemOption', (l) => (l.itemOptions.length ? l.itemOptions.map((o, i) => ({ Index: String(i + 1), Name: cdata(o.name), Value: cdata(o.value), Price: '0' })) : '')],
  ['Inscription', () => ''],
  ['IsUsed', () => 'false'],
  ['ImageId', () => ''],
  ['IsTaxable', () => 'true'],
  ['ItemTaxRatio', () => '10'],
  ['Jan', (l) => l.jan],
  ['ProductId', () => ''],
  ['CategoryId', (l) => l.productCategory],
  ['AffiliateRatio', () => ''],
  ['UnitPrice', (l) => String(l.unitPrice)],
  ['Quantity', (l) => String(l.quantity)],
  ['PointAvailQuantity', (l) => String(l.quantity)],
  ['ReleaseDate', () => ''],
  ['HaveReview', () => 'false'],
  ['PointFspCode', () => ''],
  ['PointRatioY', () => '0'],
  ['PointRatioSeller', () => '1'],
  ['UnitGetPoint', (l) => String(Math.floor(l.unitPrice / 100))],
  ['IsGetPointFix', () => 'false'],
  ['GetPointFixDate', () => ''],
  ['CouponDiscount', () => ''],
  ['CouponUseNum', () => ''],
  ['OriginalPrice', () => ''],
  ['OriginalNum', () => ''],
  ['LeadTimeText', () => ''],
  ['LeadTimeStart', () => ''],
  ['LeadTimeEnd', () => ''],
  ['PriceType', () => '0'],
];
const ITEM_INDEX = new Map(ITEM_FIELDS);

/**
 * orderList's documented Field keys (§3.1 [JSP], [ORK] table). Address lines, zip codes, phone numbers
 * and order lines are absent on purpose: a client has to call orderInfo for them.
 */
const ORDER_LIST_FIELDS = new Set(
  `OrderId Version OriginalOrderId ParentOrderId DeviceType IsSeen IsSplit IsRoyalty IsSeller IsAffiliate IsRatingB2s
  OrderTime ExistMultiReleaseDate ReleaseDate LastUpdateTime Suspect OrderStatus StoreStatus RoyaltyFixTime PrintSlipFlag
  PrintDeliveryFlag PrintBillFlag BuyerCommentsFlag PayStatus SettleStatus PayType PayMethod PayMethodName PayDate SettleId
  UseWallet NeedBillSlip NeedDetailedSlip NeedReceipt BillFirstName BillFirstNameKana BillLastName BillLastNameKana
  BillPrefecture ShipStatus ShipMethod ShipMethodName ShipRequestDate ShipRequestTime ShipNotes ShipCompanyCode
  ReceiveShopCode ShipInvoiceNumber1 ShipInvoiceNumber2 ShipInvoiceNumberEmptyReason ShipUrl ArriveType ShipDate
  NeedGiftWrap NeedGiftWrapMessage NeedGiftWrapPaper ShipFirstName ShipFirstNameKana ShipLastName ShipLastNameKana
  ShipPrefecture PayCharge ShipCharge GiftWrapCharge Discount GiftCardDiscount UsePoint TotalPrice RefundTotalPrice
  IsGetPointFixAll SellerId IsLogin PayNo PayNoIssueDate SellerType IsPayManagement ArrivalDate TotalMallCouponDiscount
  IsReadOnly IsApplePay IsFirstClassDrugIncludes IsFirstClassDrugAgreement IsWelcomeGiftIncludes ReceiveSatelliteType
  ShipInstructType ShipInstructStatus YamatoCoopStatus ReceiveShopType ReceiveShopName ExcellentDelivery IsEazy
  EazyDeliveryCode EazyDeliveryName FraudHoldStatus PublicationTime IsYahooAuctionOrder YahooAuctionMerchantId
  YahooAuctionId IsYahooAuctionDeferred YahooAuctionCategoryType YahooAuctionBidType YahooAuctionBundleType ItemYahooAucId
  ItemYahooAucMerchantId PayMethodChangeDeadline IsPayMethodChangePossible YourTimesaleDiscount GoodStoreStatus
  CurrentGoodStoreBenefitApply CurrentPromoPkgApply IsSubscription SubscriptionId SubscriptionContinueCount
  LineGiftOrderId IsLineGiftOrder IsLineGiftShippable ShippingDeadline LineGiftCharge TotalImmediateBonusAmount
  TotalImmediateBonusRatio SocialGiftType IsLineCommerceTabOrder XshoppingStoreType OptionPartnerType CombinedPayType
  CombinedPayMethod CombinedPayMethodName`.split(/\s+/),
);
/** §3.1: the only item-level Field keys of orderList, answered for line 1 only. */
const ORDER_LIST_ITEM_FIELDS = new Set(['ItemYahooAucId', 'ItemYahooAucMerchantId']);

// ---------------------------------------------------------------------------------------------
// Buyer side (MallSim hooks)

export function placeBuyerOrder(state: YahooState, orderId: string, lines: BuyerLine[]): boolean {
  runDuePublish(state);
  if (lines.length === 0) return false;
  const need = new Map<string, number>();
  const resolved: { line: BuyerLine; itemCode: string; subCode: string }[] = [];
  for (const line of lines) {
    if (!(line.quantity > 0) || !Number.isInteger(line.quantity)) return false;
    const code = state.skuToCode.get(line.skuCode);
    if (!code) return false;
    const live = state.items.get(code.itemCode)?.live;
    // Buyers only ever see the published page; a hidden or never-published item cannot be bought.
    if (!live || live.display !== '1') return false;
    const key = stockKey(code.itemCode, code.subCode);
    need.set(key, (need.get(key) ?? 0) + line.quantity);
    resolved.push({ line, ...code });
  }
  for (const [key, qty] of need) {
    const row = state.stock.get(key);
    if (!row || row.stockClose === 1) return false;
    if (row.liveQuantity !== null && row.liveQuantity < qty && row.allowOverdraft !== 1) return false;
  }
  for (const [key, qty] of need) {
    const row = state.stock.get(key)!;
    if (row.liveQuantity !== null) row.liveQuantity = Math.max(0, row.liveQuantity - qty);
    if (row.quantity !== null) row.quantity = Math.max(0, row.quantity - qty);
  }
  const now = state.ctx.clock.now();
  const orderLines: OrderLine[] = resolved.map(({ line, itemCode, subCode }, i) => {
    const live = state.items.get(itemCode)!.live!;
    const sub = subcodesOf(live).find((s) => s.subCode === subCode);
    return {
      lineId: i + 1,
      itemId: itemCode,
      subCode,
      title: live.name ?? itemCode,
      subCodeOption: sub ? sub.options.map((o) => `${o.name}:${o.value}`).join(';') : '',
      itemOptions: sub ? sub.options : [],
      unitPrice: buyerPrice(live, subCode),
      quantity: line.quantity,
      skuCode: line.skuCode,
      jan: live.jan ?? '',
      productCategory: live.product_category ?? '',
      keepStock: (live.keep_stock ?? '1') === '1',
    };
  });
  const buyer = makeBuyer(state.rng, now);
  const subtotal = orderLines.reduce((n, l) => n + l.unitPrice * l.quantity, 0);
  const postage = shipCharge(subtotal);
  const usePoint = Math.min(buyer.usePoint, subtotal);
  const total = subtotal + postage + buyer.payment.payCharge - usePoint;
  const order: Order = {
    orderId,
    orderTime: now,
    lastUpdateTime: now,
    publicationTime: now + state.opts.readOnlyWindowMs,
    deviceType: buyer.deviceType,
    isSeen: false,
    isLogin: true,
    orderStatus: 2, // §3.3: a new order is 処理中 + IsSeen=false
    cancelReason: '',
    cancelReasonDetail: '',
    storeStatus: '',
    buyerComments: buyer.buyerComments,
    notes: '',
    operationUser: '',
    historyId: 1,
    pay: {
      payStatus: buyer.payment.paid ? 1 : 0,
      settleStatus: buyer.payment.settleStatus,
      payType: buyer.payment.payType,
      payKind: buyer.payment.payKind,
      payMethod: buyer.payment.method,
      payMethodName: buyer.payment.name,
      payDate: buyer.payment.paid ? jstDate(now) : '',
      settleId: buyer.payment.paid ? `${Math.floor(state.rng() * 1e12)}`.padStart(12, '0') : '',
      mailAddress: buyer.mailAddress,
      bill: buyer.bill,
    },
    ship: {
      // §3.1 ShipStatus: decided at order time by the payment method (prepaid methods wait at 0).
      shipStatus: buyer.payment.payType === 1 ? 0 : 1,
      shipMethod: 'postage1',
      shipMethodName: 'ヤマト運輸（宅急便）',
      shipRequestDate: buyer.shipRequestDate,
      shipRequestTime: buyer.shipRequestTime,
      shipNotes: '',
      invoice1: '',
      invoice2: '',
      emptyReason: '',
      companyCode: '',
      url: '',
      arriveType: 0,
      shipDate: '',
      arrivalDate: '',
      address: buyer.ship,
    },
    detail: {
      payCharge: buyer.payment.payCharge,
      shipCharge: postage,
      giftWrapCharge: 0,
      discount: 0,
      usePoint,
      totalPrice: total,
      settleAmount: total,
    },
    lines: orderLines,
    stockReturned: false,
    inTruth: true,
  };
  state.orders.set(orderId, order);
  state.ctx.truth.recordOrder(
    'yahoo',
    orderId,
    orderLines.map((l) => ({ skuCode: l.skuCode, quantity: l.quantity })),
  );
  return true;
}

/** Cancel from either side: §2.1 keep_stock=1 gives the units back to the shown stock. */
export function cancelOrder(state: YahooState, order: Order, reason: string, detail = ''): void {
  order.orderStatus = 4;
  order.cancelReason = reason;
  order.cancelReasonDetail = detail;
  if (order.pay.settleStatus) order.pay.settleStatus = '6';
  order.lastUpdateTime = state.ctx.clock.now();
  if (!order.stockReturned) {
    order.stockReturned = true;
    for (const line of order.lines) {
      if (!line.keepStock) continue;
      const row = state.stock.get(stockKey(line.itemId, line.subCode));
      if (!row) continue;
      if (row.quantity !== null) row.quantity += line.quantity;
      if (row.liveQuantity !== null) row.liveQuantity += line.quantity;
    }
  }
  if (order.inTruth) {
    order.inTruth = false;
    state.ctx.truth.recordCancel('yahoo', order.orderId);
  }
}

// ---------------------------------------------------------------------------------------------
// orderList (§3.1)

function sendListNg(request: RouteRequest, code: string, message: string): void {
  // §3.1 / §4: orderList reports errors inside a 200 `<Result>` (status assumed, §8).
  sendYahooXml(request.res, 200, { Result: { Status: 'NG', Error: { Code: code, Message: message } } });
}

const TIME_KEYS = ['OrderTime', 'OrderTimeFrom', 'OrderTimeTo', 'PublicationTimeFrom', 'PublicationTimeTo', 'PayMethodChangeDeadlineFrom', 'PayMethodChangeDeadlineTo'];

type Filter = (o: Order, s: YahooState) => boolean;

function buildFilters(cond: Record<string, unknown>): Filter[] | string {
  const filters: Filter[] = [];
  const text = (k: string) => {
    const v = cond[k];
    if (v === undefined || v === null || typeof v === 'object') return undefined;
    const s = String(v);
    return s === '' ? undefined : s;
  };
  for (const k of TIME_KEYS) {
    const v = text(k);
    if (v !== undefined && parseCompactJst(v, [14]) === null) return `${k} must be YYYYMMDDHH24MISS.`;
  }
  const time = (k: string) => parseCompactJst(text(k) ?? '', [14]);
  const orderIds = text('OrderId')?.split(',');
  if (orderIds) filters.push((o) => orderIds.includes(o.orderId));
  const exact = time('OrderTime');
  if (exact !== null) filters.push((o) => Math.floor(o.orderTime / 1000) === Math.floor(exact / 1000));
  const from = time('OrderTimeFrom');
  if (from !== null) filters.push((o) => o.orderTime >= from);
  const to = time('OrderTimeTo');
  if (to !== null) filters.push((o) => o.orderTime < to + 1000);
  const pubFrom = time('PublicationTimeFrom');
  if (pubFrom !== null) filters.push((o) => o.publicationTime >= pubFrom);
  const pubTo = time('PublicationTimeTo');
  if (pubTo !== null) filters.push((o) => o.publicationTime < pubTo + 1000);
  // No simulated order ever has an authorisation error, so a pay-method-change deadline never matches.
  if (text('PayMethodChangeDeadlineFrom') || text('PayMethodChangeDeadlineTo')) filters.push(() => false);

  const multi = (k: string, get: (o: Order) => string | number) => {
    const v = text(k);
    if (v === undefined) return;
    const set = new Set(v.split(',').map((x) => x.trim()));
    filters.push((o) => set.has(String(get(o))));
  };
  multi('OrderStatus', (o) => o.orderStatus);
  multi('ShipStatus', (o) => o.ship.shipStatus);
  multi('PayStatus', (o) => o.pay.payStatus);
  multi('PayType', (o) => o.pay.payType);
  multi('PayMethod', (o) => o.pay.payMethod);
  multi('DeviceType', (o) => o.deviceType);
  multi('SettleStatus', (o) => o.pay.settleStatus);
  multi('ArriveType', (o) => o.ship.arriveType);
  multi('Suspect', () => 0);
  multi('StoreStatus', (o) => o.storeStatus);
  multi('ShipCompanyCode', (o) => o.ship.companyCode);
  multi('ShipInvoiceNumberEmptyReason', (o) => o.ship.emptyReason);
  multi('ShipMethod', (o) => o.ship.shipMethod);
  const flag = (k: string, get: (o: Order) => boolean) => {
    const v = text(k);
    if (v === undefined) return;
    filters.push((o) => String(get(o)) === v);
  };
  flag('IsSeen', (o) => o.isSeen);
  flag('IsLogin', (o) => o.isLogin);
  flag('IsActive', () => true);
  flag('IsSplit', () => false);
  const eq = (k: string, get: (o: Order) => string) => {
    const v = text(k);
    if (v !== undefined) filters.push((o) => get(o) === v);
  };
  for (const [prefix, pick] of [
    ['Bill', (o: Order) => o.pay.bill],
    ['Ship', (o: Order) => o.ship.address],
  ] as const) {
    eq(`${prefix}FirstName`, (o) => pick(o).firstName);
    eq(`${prefix}FirstNameKana`, (o) => pick(o).firstNameKana);
    eq(`${prefix}LastName`, (o) => pick(o).lastName);
    eq(`${prefix}LastNameKana`, (o) => pick(o).lastNameKana);
    eq(`${prefix}ZipCode`, (o) => pick(o).zipCode);
    eq(`${prefix}Prefecture`, (o) => pick(o).prefecture);
    eq(`${prefix}PhoneNumber`, (o) => pick(o).phoneNumber);
  }
  eq('BillMailAddress', (o) => o.pay.mailAddress);
  const inv = text('ShipInvoiceNumber');
  if (inv !== undefined) filters.push((o) => o.ship.invoice1 === inv || o.ship.invoice2 === inv);
  const itemId = text('ItemId');
  if (itemId !== undefined) filters.push((o) => o.lines.some((l) => l.itemId === itemId));
  const subCode = text('SubCode');
  if (subCode !== undefined) filters.push((o) => o.lines.some((l) => l.subCode === subCode));
  const title = text('Title');
  if (title !== undefined) filters.push((o) => o.lines.some((l) => l.title.includes(title)));
  const dateKey = (k: string) => {
    const v = text(k);
    return v === undefined ? undefined : parseCompactJst(v, [8]) === null ? null : `${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)}`;
  };
  for (const [k, cmp] of [
    ['ShipDate', (a: string, b: string) => a === b],
    ['ShipDateFrom', (a: string, b: string) => a !== '' && a >= b],
    ['ShipDateTo', (a: string, b: string) => a !== '' && a <= b],
  ] as const) {
    const d = dateKey(k);
    if (d === null) return `${k} must be YYYYMMDD.`;
    if (d !== undefined) filters.push((o) => cmp(o.ship.shipDate, d));
  }
  // §3.1 ReadOnlyMode: 0 (default) only orders past the 10-minute buyer-cancel window, 1 only inside, 2 both.
  const mode = text('ReadOnlyMode') ?? '0';
  if (!['0', '1', '2'].includes(mode)) return 'ReadOnlyMode must be 0, 1 or 2.';
  if (mode === '0') filters.push((o, s) => !isReadOnly(o, s));
  if (mode === '1') filters.push((o, s) => isReadOnly(o, s));
  // Other documented keys (LINE gift, auction, drug flags …) describe orders the simulator never has;
  // like Yahoo, unknown keys are ignored (the official sample itself sends `<Seen>`).
  return filters;
}

export function orderList(state: YahooState, request: RouteRequest): void {
  const doc = parseXmlBody(request.body);
  if (!doc) return sendListNg(request, SIM_CODES.orderParam, 'Request body is not well-formed XML.');
  if (!requireSeller(state, request, xmlText(doc, 'Req', 'SellerId'), 'SellerId')) return;
  const search = xmlGet(doc, 'Req', 'Search');
  if (!search || typeof search !== 'object') return sendListNg(request, SIM_CODES.orderParam, 'Req/Search is required.');
  const fieldText = xmlText(search, 'Field');
  if (!fieldText) return sendListNg(request, SIM_CODES.orderParam, 'Req/Search/Field is required.');
  const fields = fieldText.split(',').map((f) => f.trim()).filter(Boolean);
  const unknown = fields.find((f) => !ORDER_LIST_FIELDS.has(f));
  if (unknown) return sendListNg(request, SIM_CODES.orderParam, `Field ${unknown} is not available in orderList (orderInfo has order lines and addresses).`);
  const resultText = xmlText(search, 'Result') ?? '10';
  const startText = xmlText(search, 'Start') ?? '1';
  if (!/^\d+$/.test(resultText) || Number(resultText) > 2000) return sendListNg(request, SIM_CODES.orderParam, 'Result must be 0-2000.');
  if (!/^\d+$/.test(startText) || Number(startText) < 1) return sendListNg(request, SIM_CODES.orderParam, 'Start must be 1 or more.');
  const sort = xmlText(search, 'Sort') ?? '+order_time';
  if (sort !== '+order_time' && sort !== '-order_time') return sendListNg(request, SIM_CODES.orderParam, 'Sort must be +order_time or -order_time.');
  const condNode = xmlGet(search, 'Condition');
  const cond = condNode && typeof condNode === 'object' ? (condNode as Record<string, unknown>) : {};
  const hasKey = ['OrderId', ...TIME_KEYS].some((k) => cond[k] !== undefined && cond[k] !== '');
  if (!hasKey) return sendListNg(request, SIM_CODES.orderParam, 'Condition needs OrderId or one of OrderTime, OrderTimeFrom/To, PublicationTimeFrom/To, PayMethodChangeDeadlineFrom/To.');
  const filters = buildFilters(cond);
  if (typeof filters === 'string') return sendListNg(request, SIM_CODES.orderParam, filters);

  const matches = [...state.orders.values()]
    .filter((o) => filters.every((f) => f(o, state)))
    .sort((a, b) => (a.orderTime - b.orderTime || a.orderId.localeCompare(b.orderId)) * (sort === '-order_time' ? -1 : 1));
  const start = Number(startText);
  const page = matches.slice(start - 1, start - 1 + Number(resultText));
  const ordered = [...fields].sort((a, b) => (FIELD_INDEX.get(a)?.rank ?? 1e6) - (FIELD_INDEX.get(b)?.rank ?? 1e6));
  const searchTree: XmlTree = { TotalCount: String(matches.length) };
  if (page.length) {
    searchTree.OrderInfo = page.map((o, i) => {
      const info: XmlTree = { Index: String(i + 1) };
      const itemFields: XmlTree = {};
      for (const f of ordered) {
        if (ORDER_LIST_ITEM_FIELDS.has(f)) itemFields[f] = '';
        else info[f] = FIELD_INDEX.get(f)?.get(o, state) ?? '';
      }
      if (Object.keys(itemFields).length) info.Item = itemFields;
      return info;
    });
  } else if (matches.length) {
    // §3.1: matches exist but the page is past the end → an empty <OrderInfo/>.
    searchTree.OrderInfo = '';
  }
  sendYahooXml(request.res, 200, { Result: { Status: 'OK', Search: searchTree } });
}

// ---------------------------------------------------------------------------------------------
// orderInfo (§3.2)

export function orderInfo(state: YahooState, request: RouteRequest): void {
  const doc = parseXmlBody(request.body);
  if (!doc) return sendYahooError(request.res, 400, 'Request body is not well-formed XML.', SIM_CODES.orderParam);
  if (!requireSeller(state, request, xmlText(doc, 'Req', 'SellerId'), 'SellerId')) return;
  const orderId = xmlText(doc, 'Req', 'Target', 'OrderId');
  const fieldText = xmlText(doc, 'Req', 'Target', 'Field');
  if (!orderId) return sendYahooError(request.res, 400, 'Req/Target/OrderId is required.', SIM_CODES.orderParam);
  if (!fieldText) return sendYahooError(request.res, 400, 'Req/Target/Field is required.', SIM_CODES.orderParam);
  const fields = new Set(fieldText.split(',').map((f) => f.trim()).filter(Boolean));
  const malformed = [...fields].find((f) => !/^[A-Za-z][A-Za-z0-9]*$/.test(f));
  if (malformed) return sendYahooError(request.res, 400, `Field ${malformed} is invalid.`, SIM_CODES.orderParam);
  const order = state.orders.get(orderId);
  if (!order) return sendYahooError(request.res, 400, `OrderId ${orderId} is not found.`, SIM_CODES.orderNotFound);

  const info: XmlTree = { OrderId: order.orderId };
  const groups: Record<Exclude<Group, 'order'>, XmlTree> = { pay: {}, ship: {}, detail: {}, seller: {}, buyer: {} };
  for (const [group, list] of CATALOGUE) {
    for (const [name, get] of list) {
      if (!fields.has(name) || name === 'OrderId') continue;
      if (group === 'order') info[name] = get(order, state);
      else groups[group][name] = get(order, state);
    }
  }
  // The catalogue holds what the simulator models; the real one has ≈250 keys (§3.2), so an unmodelled
  // but well-formed key answers an empty element instead of failing a client that asks for it.
  for (const f of fields) {
    if (!FIELD_INDEX.has(f) && !ITEM_INDEX.has(f) && f !== 'OrderId') info[f] = '';
  }
  if (Object.keys(groups.pay).length) info.Pay = groups.pay;
  if (Object.keys(groups.ship).length) info.Ship = groups.ship;
  if (Object.keys(groups.detail).length) info.Detail = groups.detail;
  const itemNames = ITEM_FIELDS.filter(([n]) => fields.has(n));
  if (itemNames.length) {
    info.Item = order.lines.map((l) => Object.fromEntries(itemNames.map(([n, get]) => [n, get(l)])) as XmlTree);
  }
  if (Object.keys(groups.seller).length) info.Seller = groups.seller;
  if (Object.keys(groups.buyer).length) info.Buyer = groups.buyer;
  sendYahooXml(request.res, 200, {
    ResultSet: {
      '@_totalResultsAvailable': '1',
      '@_totalResultsReturned': '1',
      '@_firstResultPosition': '1',
      Result: { Status: 'OK', OrderInfo: info },
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Changes (§3.4, §3.5, §3.7)

interface ChangeTarget {
  doc: ParsedXml;
  order: Order;
  isPointFix: string | undefined;
  operationUser: string;
}

/** Shared front half of the change APIs. Errors are top-level `<Error>` (their ResultSet says ng is always 0). */
function readChangeTarget(state: YahooState, request: RouteRequest): ChangeTarget | null {
  const res = request.res;
  const doc = parseXmlBody(request.body);
  if (!doc) {
    sendYahooError(res, 400, 'Request body is not well-formed XML.', SIM_CODES.orderParam);
    return null;
  }
  if (!requireSeller(state, request, xmlText(doc, 'Req', 'SellerId'), 'SellerId')) return null;
  const orderId = xmlText(doc, 'Req', 'Target', 'OrderId');
  if (!orderId || !/^[a-zA-Z0-9-]{1,50}$/.test(orderId)) {
    sendYahooError(res, 400, 'Req/Target/OrderId is required (^[a-zA-Z0-9-]+$, ≤50).', SIM_CODES.orderParam);
    return null;
  }
  const order = state.orders.get(orderId);
  if (!order) {
    sendYahooError(res, 400, `OrderId ${orderId} is not found.`, SIM_CODES.orderNotFound);
    return null;
  }
  const operationUser = xmlText(doc, 'Req', 'Target', 'OperationUser') ?? '';
  if (operationUser.length > 120) {
    sendYahooError(res, 400, 'OperationUser must be 120 characters or fewer.', SIM_CODES.orderParam);
    return null;
  }
  // §3.3 IsReadOnly: within the buyer-cancel window the order cannot be changed.
  if (isReadOnly(order, state)) {
    sendYahooError(res, 400, `Cannot Be Operated : ReadOnly Order (${orderId} is within the 10-minute buyer-cancel window)`, SIM_CODES.orderReadOnly);
    return null;
  }
  return { doc, order, isPointFix: xmlText(doc, 'Req', 'Target', 'IsPointFix'), operationUser };
}

function sendChangeOk(request: RouteRequest, warning?: { code: string; message: string }): void {
  const result: XmlTree = { Status: 'OK' };
  if (warning) result.Warning = { Code: warning.code, Message: warning.message, Detail: '' };
  sendYahooXml(request.res, 200, {
    ResultSet: { '@_totalResultsAvailable': '1', '@_totalResultsReturned': '1', '@_ok': '1', '@_ng': '0', Result: result },
  });
}

function touch(state: YahooState, order: Order, operationUser: string): void {
  order.lastUpdateTime = state.ctx.clock.now();
  order.historyId += 1;
  if (operationUser) order.operationUser = operationUser;
}

const STORE_CANCEL_REASONS = new Set(['200', '210', '220', '230']);
const BUYER_CANCEL_REASONS = new Set(['100', '110', '120', '130', '140', '150', '160', '170', '180', '0', '400']);

export function orderStatusChange(state: YahooState, request: RouteRequest): void {
  const t = readChangeTarget(state, request);
  if (!t) return;
  const { doc, order } = t;
  const res = request.res;
  if (t.isPointFix !== 'true' && t.isPointFix !== 'false') {
    return sendYahooError(res, 400, 'Req/Target/IsPointFix (true|false) is required.', SIM_CODES.orderParam);
  }
  const status = xmlText(doc, 'Req', 'Order', 'OrderStatus');
  if (!status || !/^[1-5]$/.test(status)) return sendYahooError(res, 400, 'Req/Order/OrderStatus must be 1-5.', SIM_CODES.orderParam);
  const next = Number(status);
  // §3.4 [JSP OrderTest]: nothing leaves キャンセル.
  if (order.orderStatus === 4 && next !== 4) {
    return sendYahooError(res, 400, 'Cannot Be Operated : CancelOrder OrderStatus', SIM_CODES.orderTransition);
  }
  if (next === 5 && t.isPointFix !== 'true') {
    return sendYahooError(res, 400, 'IsPointFix must be true when OrderStatus is changed to 5.', SIM_CODES.orderParam);
  }
  const reason = xmlText(doc, 'Req', 'Order', 'CancelReason');
  const detail = xmlText(doc, 'Req', 'Order', 'CancelReasonDetail') ?? '';
  if (reason !== undefined && reason !== '' && next !== 4) {
    return sendYahooError(res, 400, 'CancelReason can only be given with OrderStatus 4.', SIM_CODES.orderParam);
  }
  if (next === 4 && reason && !STORE_CANCEL_REASONS.has(reason) && !BUYER_CANCEL_REASONS.has(reason) && !/^3[0-8]0$/.test(reason)) {
    return sendYahooError(res, 400, `CancelReason ${reason} is not a valid code.`, SIM_CODES.orderParam);
  }
  if (next === 4 && reason === '230' && (detail.length < 10 || detail.length > 200)) {
    return sendYahooError(res, 400, 'CancelReason 230 needs CancelReasonDetail of 10-200 characters.', SIM_CODES.orderParam);
  }
  if (order.orderStatus === next) return sendChangeOk(request, { code: CODES.statusUnchanged, message: 'OrderStatus is unchanged.' });
  touch(state, order, t.operationUser);
  if (next === 4) cancelOrder(state, order, reason || '210', detail);
  else order.orderStatus = next;
  sendChangeOk(request);
}

/** §3.3 ShipCompanyCode table, 4-digit codes plus the 3-digit legacy ones. */
const SHIP_COMPANIES = new Set([
  ...Array.from({ length: 30 }, (_, i) => String(1000 + i)),
  '5000',
  '5001',
  '999',
  '103',
  '104',
  '100',
]);

function invoiceError(company: string, number: string): string | null {
  if (!/^[A-Za-z0-9-]+$/.test(number)) return 'invoice numbers take half-width alphanumerics and "-" only';
  if (Buffer.byteLength(number) > 30) return 'invoice numbers are at most 30 bytes';
  if ((company === '1001' || company === '103') && (!/^[0-9-]+$/.test(number) || number.length > 14)) {
    return 'Yamato (1001) invoice numbers are digits and "-" only, at most 14 bytes';
  }
  if (company === '1003' || company === '100') {
    const len = number.replace(/-/g, '').length;
    if (len < 11 || len > 13) return 'Japan Post (1003) invoice numbers are 11-13 characters without hyphens';
  }
  return null;
}

export function orderShipStatusChange(state: YahooState, request: RouteRequest): void {
  const t = readChangeTarget(state, request);
  if (!t) return;
  const { doc, order } = t;
  const res = request.res;
  const bad = (message: string) => sendYahooError(res, 400, message, SIM_CODES.orderShipParam);
  if (t.isPointFix !== 'true' && t.isPointFix !== 'false') return bad('Req/Target/IsPointFix (true|false) is required.');
  if (state.opts.requirePointFixTrueForShip && t.isPointFix !== 'true') return bad('IsPointFix must be true when changing ship status.');
  if (order.orderStatus === 4) return sendYahooError(res, 400, 'Cannot Be Operated : CancelOrder ShipStatus', SIM_CODES.orderTransition);
  const ship = (k: string) => xmlText(doc, 'Req', 'Order', 'Ship', k);
  const status = ship('ShipStatus');
  if (!status || !/^[0-4]$/.test(status)) return bad('Req/Order/Ship/ShipStatus must be 0-4.');
  const method = ship('ShipMethod');
  if (method && !/^postage([1-9]|1[0-46-9]|2[0-2])$/.test(method)) return bad('ShipMethod must be postage1-22 (postage15 is unused).');
  const company = ship('ShipCompanyCode');
  if (company && !SHIP_COMPANIES.has(company)) return bad(`ShipCompanyCode ${company} is not in the carrier table.`);
  const effectiveCompany = company ?? order.ship.companyCode;
  for (const k of ['ShipInvoiceNumber1', 'ShipInvoiceNumber2']) {
    const v = ship(k);
    const e = v ? invoiceError(effectiveCompany, v) : null;
    if (e) return bad(`${k}: ${e}.`);
  }
  const emptyReason = ship('ShipInvoiceNumberEmptyReason');
  if (emptyReason && !/^10[1-5]$/.test(emptyReason)) return bad('ShipInvoiceNumberEmptyReason must be 101-105.');
  const notes = ship('ShipNotes');
  if (notes && Buffer.byteLength(notes) > 500) return bad('ShipNotes must be 500 bytes or fewer.');
  const url = ship('ShipUrl');
  if (url && url.length > 100) return bad('ShipUrl must be 100 characters or fewer.');
  const dates: Record<string, string> = {};
  for (const k of ['ShipDate', 'ArrivalDate']) {
    const v = ship(k);
    if (!v) continue;
    if (parseCompactJst(v, [8]) === null) return bad(`${k} must be YYYYMMDD.`);
    dates[k] = `${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)}`;
  }
  touch(state, order, t.operationUser);
  const s = order.ship;
  s.shipStatus = Number(status);
  if (method) s.shipMethod = method;
  if (company !== undefined) s.companyCode = company;
  if (ship('ShipInvoiceNumber1') !== undefined) s.invoice1 = ship('ShipInvoiceNumber1')!;
  if (ship('ShipInvoiceNumber2') !== undefined) s.invoice2 = ship('ShipInvoiceNumber2')!;
  if (emptyReason !== undefined) s.emptyReason = emptyReason;
  if (notes !== undefined) s.shipNotes = notes;
  if (url !== undefined) s.url = url;
  if (dates.ShipDate) s.shipDate = dates.ShipDate;
  if (dates.ArrivalDate) s.arrivalDate = dates.ArrivalDate;
  sendChangeOk(request);
}

export function orderPayStatusChange(state: YahooState, request: RouteRequest): void {
  const t = readChangeTarget(state, request);
  if (!t) return;
  const pay = (k: string) => xmlText(t.doc, 'Req', 'Order', 'Pay', k);
  const status = pay('PayStatus');
  if (status !== '0' && status !== '1') return sendYahooError(request.res, 400, 'Req/Order/Pay/PayStatus must be 0 or 1.', SIM_CODES.orderParam);
  const date = pay('PayDate');
  if (date && parseCompactJst(date, [8]) === null) return sendYahooError(request.res, 400, 'PayDate must be YYYYMMDD.', SIM_CODES.orderParam);
  touch(state, t.order, t.operationUser);
  t.order.pay.payStatus = Number(status);
  if (date) t.order.pay.payDate = `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`;
  sendChangeOk(request);
}

/** §3.7 orderChange, the parts a sync needs: IsSeen (false→true only), Notes, StoreStatus. */
export function orderChange(state: YahooState, request: RouteRequest): void {
  const t = readChangeTarget(state, request);
  if (!t) return;
  const get = (k: string) => xmlText(t.doc, 'Req', 'Order', k);
  const seen = get('IsSeen');
  if (seen !== undefined && seen !== 'true' && !(seen === 'false' && !t.order.isSeen)) {
    return sendYahooError(request.res, 400, 'IsSeen can only be changed from false to true.', SIM_CODES.orderParam);
  }
  const storeStatus = get('StoreStatus');
  if (storeStatus && !/^\d{1,2}$/.test(storeStatus)) return sendYahooError(request.res, 400, 'StoreStatus must be a number (2 digits max).', SIM_CODES.orderParam);
  touch(state, t.order, t.operationUser);
  const notes = get('Notes');
  if (notes !== undefined) t.order.notes = notes;
  if (storeStatus !== undefined) t.order.storeStatus = storeStatus;
  // §3.7: any update marks the order seen.
  t.order.isSeen = true;
  sendChangeOk(request);
}

/** §3.6 orderCount — note the camelCase sellerId. */
export function orderCount(state: YahooState, request: RouteRequest): void {
  const params = formParams(request);
  if (!requireSeller(state, request, params.get('sellerId'), 'sellerId')) return;
  const all = [...state.orders.values()].filter((o) => !isReadOnly(o, state));
  const count = (f: (o: Order) => boolean) => String(all.filter(f).length);
  const active = (o: Order) => o.orderStatus !== 4 && o.orderStatus !== 5;
  const tree: XmlTree = {
    NewOrder: count((o) => !o.isSeen && o.orderStatus === 2),
    NewReserve: count((o) => !o.isSeen && o.orderStatus === 1),
    WaitPayment: count((o) => active(o) && o.pay.payStatus === 0 && o.pay.payType === 1),
    WaitShipping: count((o) => active(o) && o.ship.shipStatus === 1),
    Shipping: count((o) => active(o) && o.ship.shipStatus === 2),
    Reserve: count((o) => o.orderStatus === 1),
    Holding: count((o) => o.orderStatus === 3),
    WaitDone: count((o) => o.orderStatus === 2 && o.ship.shipStatus >= 3),
    Suspect: '0',
    SettleError: '0',
    Refund: '0',
    AutoDone: '0',
    AutoWorking: '0',
    Release: '0',
    NoPayNumber: '0',
  };
  for (let i = 1; i <= 10; i++) tree[`StoreStatus${i}`] = count((o) => o.storeStatus === String(i));
  sendYahooXml(request.res, 200, {
    ResultSet: {
      '@_totalResultsAvailable': '1',
      '@_totalResultsReturned': '1',
      '@_firstResultPosition': '1',
      Result: { Status: 'OK', Count: tree },
    },
  });
}
