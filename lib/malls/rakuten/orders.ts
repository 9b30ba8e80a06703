import { itemFailure, MallError, unexpectedResponse, type ItemResult } from '../errors';
import type { CarrierId, MallOrder, MallOrderLine, ShipmentConfirmation, UnifiedOrderStatus } from '../types';
import { getOrderSchema, messagesSchema, type MessageModel, type OrderModel, type PersonModel } from './schemas';
import { DAY_MS, formatJstDate, parseRmsDatetime } from './time';
import { parseBody, rakutenError, type RakutenTransport } from './transport';

/** getOrder / confirmOrder take ≤100 order numbers (spec §6.3, §6.4). */
export const ORDERS_PER_CALL = 100;
/** Always the newest getOrder version; older ones are being retired (spec §6.3). */
export const GET_ORDER_VERSION = 10;
/** Spec §6.1: an order left in 100 is cancelled by Rakuten 14 days after it was placed. */
export const CONFIRM_WITHIN_MS = 14 * DAY_MS;

const ORDER_PATH = (fn: string) => `/es/2.0/order/${fn}/`;

export function chunk<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

// ------------------------------------------------------------------------------------ normalisation

/**
 * orderProgress (spec §6.1) → unified status. 200 楽天処理中 is after the shop's confirmation, so it is
 * `confirmed` (Rakuten's payment check, not the shop, holds it); 300 発送待ち with a tracking number
 * already registered on some basket is `shipping`; 400 変更確定待ち waits on a change nobody may ship
 * around, so `pending`; 500–700 differ only in settlement; 800 キャンセル確定待ち is a decided
 * cancellation awaiting Rakuten's fixation.
 */
export function unifiedStatus(model: Pick<OrderModel, 'orderProgress' | 'PackageModelList'>): UnifiedOrderStatus {
  switch (model.orderProgress) {
    case 100:
      return 'new';
    case 200:
      return 'confirmed';
    case 300:
      return model.PackageModelList.some((p) => (p.ShippingModelList ?? []).some((s) => !!s.shippingNumber)) ? 'shipping' : 'confirmed';
    case 400:
      return 'pending';
    case 500:
    case 600:
    case 700:
      return 'shipped';
    case 800:
    case 900:
      return 'cancelled';
    default:
      throw unexpectedResponse('rakuten', 'getOrder', [{ path: ['orderProgress'], message: `unknown orderProgress ${model.orderProgress}` }]);
  }
}

const joinName = (...parts: (string | null | undefined)[]) => parts.filter((p): p is string => !!p && p.trim() !== '').join(' ');
const phoneOf = (p: PersonModel) => [p.phoneNumber1, p.phoneNumber2, p.phoneNumber3].filter((s): s is string => !!s).join('-');

function ms(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  return parseRmsDatetime(value) ?? undefined;
}

export function toMallOrder(model: OrderModel): MallOrder {
  const orderedAt = ms(model.orderDatetime)!;
  const moments = [
    orderedAt,
    ms(model.shopOrderCfmDatetime),
    ms(model.orderFixDatetime),
    ms(model.shippingInstDatetime),
    ms(model.shippingCmplRptDatetime),
    ...(model.ChangeReasonModelList ?? []).flatMap((c) => [ms(c.changeRegisterDatetime), ms(c.changeApplyDatetime)]),
  ].filter((t): t is number => t !== undefined);
  const lines: MallOrderLine[] = model.PackageModelList.flatMap((p) => p.ItemModelList).map((item, i) => {
    const variantId = item.SkuModelList?.find((s) => !!s.variantId)?.variantId;
    // Shops price tax-included; priceTaxIncl exists from v3 on and -9999 means "not determined".
    const unit = item.priceTaxIncl !== undefined && item.priceTaxIncl !== null && item.priceTaxIncl >= 0 ? item.priceTaxIncl : Math.max(0, item.price);
    return {
      lineNo: i + 1,
      listingRef: { externalItemId: item.manageNumber, ...(variantId ? { variantRef: variantId } : {}) },
      name: item.itemName,
      quantity: item.units,
      unitPriceYen: unit,
    };
  });
  const status = unifiedStatus(model);
  const buyer = model.OrdererModel;
  const firstPackage = model.PackageModelList[0];
  const order: MallOrder = {
    mall: 'rakuten',
    orderNumber: model.orderNumber,
    status,
    mallStatus: String(model.orderProgress),
    orderedAt,
    updatedAt: Math.max(...moments),
    // -9999 until Rakuten fixes the amount (spec §6.3): the lines are the best figure meanwhile.
    totalYen: model.totalPrice >= 0 ? model.totalPrice : lines.reduce((n, l) => n + l.unitPriceYen * l.quantity, 0),
    buyer: {
      name: joinName(buyer.familyName, buyer.firstName),
      ...(joinName(buyer.familyNameKana, buyer.firstNameKana) ? { nameKana: joinName(buyer.familyNameKana, buyer.firstNameKana) } : {}),
      ...(buyer.emailAddress ? { email: buyer.emailAddress } : {}),
      ...(phoneOf(buyer) ? { phone: phoneOf(buyer) } : {}),
    },
    lines,
    ...(model.orderProgress === 100 ? { confirmDeadline: orderedAt + CONFIRM_WITHIN_MS } : {}),
  };
  if (firstPackage) {
    // SenderModel is the ship-to address (spec §6.3). MallOrder carries one destination; orders with
    // several baskets (severalSenderFlag) show the first.
    const s = firstPackage.SenderModel;
    order.shipTo = {
      name: joinName(s.familyName, s.firstName),
      postalCode: s.zipCode1 && s.zipCode2 ? `${s.zipCode1}-${s.zipCode2}` : `${s.zipCode1 ?? ''}${s.zipCode2 ?? ''}`,
      prefecture: s.prefecture ?? '',
      address: `${s.city ?? ''}${s.subAddress ?? ''}`,
      ...(phoneOf(s) ? { phone: phoneOf(s) } : {}),
    };
  }
  return order;
}

// ---------------------------------------------------------------------------------------- getOrder

export async function fetchOrderModels(t: RakutenTransport, orderNumbers: string[]): Promise<OrderModel[]> {
  const models: OrderModel[] = [];
  for (const batch of chunk([...new Set(orderNumbers)], ORDERS_PER_CALL)) {
    const res = await t.send({
      endpoint: 'getOrder',
      bucket: 'rpay.order',
      method: 'POST',
      path: ORDER_PATH('getOrder'),
      body: { orderNumberList: batch, version: GET_ORDER_VERSION },
    });
    if (res.status !== 200) throw rakutenError('getOrder', res.status, res.json);
    // Unknown or too old (>730 days) numbers come back as ERROR messages, not as models.
    models.push(...parseBody('getOrder', res, getOrderSchema).OrderModelList);
  }
  return models;
}

export async function getOrders(t: RakutenTransport, orderNumbers: string[]): Promise<MallOrder[]> {
  return (await fetchOrderModels(t, orderNumbers)).map(toMallOrder);
}

// ------------------------------------------------------------------------------------ confirmOrder

function messageError(endpoint: string, status: number, m: MessageModel): MallError {
  return new MallError({
    mall: 'rakuten',
    endpoint,
    // Order errors are answers about this order (cancelled, wrong state, bad format): a person or the
    // data must change, retrying the same call will not help.
    kind: 'invalid-request',
    status,
    code: m.messageCode,
    message: m.message ?? m.messageCode,
  });
}

function shouldAbort(e: MallError): boolean {
  return e.retryable || e.kind === 'auth' || e.kind === 'permission';
}

export async function confirmOrders(t: RakutenTransport, orderNumbers: string[]): Promise<ItemResult[]> {
  const results = new Map<string, ItemResult>();
  let abort: MallError | undefined;
  for (const batch of chunk([...new Set(orderNumbers)], ORDERS_PER_CALL)) {
    if (abort) {
      for (const n of batch) results.set(n, itemFailure(n, abort));
      continue;
    }
    try {
      const res = await t.send({ endpoint: 'confirmOrder', bucket: 'rpay.order', method: 'POST', path: ORDER_PATH('confirmOrder'), body: { orderNumberList: batch } });
      // One message per order, on 200 and on 400 alike (spec §6.4).
      const parsed = messagesSchema.safeParse(res.json);
      if (!parsed.success || (res.status !== 200 && res.status !== 400)) {
        if (res.status === 200) throw unexpectedResponse('rakuten', 'confirmOrder', parsed.success ? [] : parsed.error.issues, res.status);
        throw rakutenError('confirmOrder', res.status, res.json);
      }
      const messages = parsed.data.MessageModelList;
      const general = messages.find((m) => m.messageType === 'ERROR' && !m.orderNumber);
      for (const n of batch) {
        const m = messages.find((x) => x.orderNumber === n && x.messageType === 'ERROR') ?? messages.find((x) => x.orderNumber === n);
        if (m && m.messageType !== 'ERROR') results.set(n, { key: n, ok: true });
        // _ERROR_103 = "no longer waiting for confirmation" (spec §6.4): the confirmation a replayed job
        // wanted has happened, so it counts as done. A cancelled order (_ERROR_102) does not.
        else if (m && m.messageCode.endsWith('_ERROR_103')) results.set(n, { key: n, ok: true });
        else if (m) results.set(n, itemFailure(n, messageError('confirmOrder', res.status, m)));
        else if (general) results.set(n, itemFailure(n, messageError('confirmOrder', res.status, general)));
        else results.set(n, itemFailure(n, unexpectedResponse('rakuten', 'confirmOrder', [{ path: ['MessageModelList'], message: `no message for order ${n}` }], res.status)));
      }
    } catch (caught) {
      if (!(caught instanceof MallError)) throw caught;
      for (const n of batch) results.set(n, itemFailure(n, caught));
      if (shouldAbort(caught)) abort = caught;
    }
  }
  return orderNumbers.map((n) => results.get(n)!);
}

// ----------------------------------------------------------------------------- updateOrderShipping

/**
 * deliveryCompany codes (spec §6.5; shipping-and-documents §4.1). The three carriers Ichigen names map
 * directly; an `other` carrier is matched by its Japanese name against the rest of the list, else 1000 その他.
 */
export const DELIVERY_COMPANY_CODES: Record<Exclude<CarrierId, 'other'>, string> = { yamato: '1001', sagawa: '1002', japanpost: '1003' };
const OTHER_COMPANIES: Record<string, string> = {
  西濃運輸: '1004', セイノースーパーエクスプレス: '1005', 福山通運: '1006', 名鉄運輸: '1007', トナミ運輸: '1008', 第一貨物: '1009',
  新潟運輸: '1010', 中越運送: '1011', 岡山県貨物運送: '1012', 久留米運送: '1013', 山陽自動車運送: '1014', NXトランスポート: '1015',
  エコ配: '1016', EMS: '1017', DHL: '1018', FedEx: '1019', UPS: '1020', 日本通運: '1021', TNT: '1022', OCS: '1023', USPS: '1024',
  SFエクスプレス: '1025', Aramex: '1026', 'SGHグローバル・ジャパン': '1027', 'Rakuten EXPRESS': '1028', '日本郵便 楽天倉庫出荷': '1029',
  'ヤマト運輸 クロネコゆうパケット': '1030', 名鉄NX運輸: '1031',
};
export const OTHER_DELIVERY_COMPANY = '1000';

export function deliveryCompanyCode(carrier: CarrierId, carrierName?: string): string {
  if (carrier !== 'other') return DELIVERY_COMPANY_CODES[carrier];
  return (carrierName && OTHER_COMPANIES[carrierName.trim()]) || OTHER_DELIVERY_COMPANY;
}

const sameTracking = (a: string | null | undefined, b: string) => !!a && a.replace(/[\s-]/g, '') === b.replace(/[\s-]/g, '');

/**
 * Builds one order's BasketidModelList. Every basket gets the parcel (ShipmentConfirmation names no
 * basket; Rakuten counts an order shipped only when every basket has a shipping date, spec §6.1). A
 * parcel already registered with the same tracking number is updated in place or left alone, so a
 * replayed confirmation never adds a second ShippingModel.
 */
function basketUpdates(model: OrderModel, shipments: ShipmentConfirmation[]) {
  const baskets: { basketId: number; ShippingModelList: Record<string, unknown>[] }[] = [];
  for (const p of model.PackageModelList) {
    const list: Record<string, unknown>[] = [];
    for (const s of shipments) {
      const company = deliveryCompanyCode(s.carrier, s.carrierName);
      const date = formatJstDate(s.shippedAt);
      const tracking = s.trackingNumber.trim();
      const existing = (p.ShippingModelList ?? []).find((x) => sameTracking(x.shippingNumber, tracking));
      if (existing && existing.deliveryCompany === company && existing.shippingDate === date) continue;
      list.push({
        ...(existing ? { shippingDetailId: existing.shippingDetailId } : {}),
        deliveryCompany: company,
        shippingNumber: tracking,
        shippingDate: date,
      });
    }
    if (list.length > 0) baskets.push({ basketId: p.basketId, ShippingModelList: list });
  }
  return baskets;
}

export async function confirmShipments(t: RakutenTransport, shipments: ShipmentConfirmation[]): Promise<ItemResult[]> {
  const byOrder = new Map<string, ShipmentConfirmation[]>();
  for (const s of shipments) byOrder.set(s.orderNumber, [...(byOrder.get(s.orderNumber) ?? []), s]);
  const results = new Map<string, ItemResult>();
  let abort: MallError | undefined;
  let models = new Map<string, OrderModel>();
  try {
    models = new Map((await fetchOrderModels(t, [...byOrder.keys()])).map((m) => [m.orderNumber, m]));
  } catch (caught) {
    if (!(caught instanceof MallError)) throw caught;
    abort = caught;
  }
  for (const [orderNumber, list] of byOrder) {
    if (abort) {
      results.set(orderNumber, itemFailure(orderNumber, abort));
      continue;
    }
    const model = models.get(orderNumber);
    if (!model) {
      results.set(orderNumber, itemFailure(orderNumber, { mall: 'rakuten', endpoint: 'getOrder', kind: 'not-found', message: `order ${orderNumber} not found` }));
      continue;
    }
    const baskets = basketUpdates(model, list);
    if (baskets.length === 0) {
      results.set(orderNumber, { key: orderNumber, ok: true });
      continue;
    }
    try {
      const res = await t.send({
        endpoint: 'updateOrderShipping',
        bucket: 'rpay.order',
        method: 'POST',
        path: ORDER_PATH('updateOrderShipping'),
        // The odd casing `BasketidModelList` is the API's (spec §6.5).
        body: { orderNumber, BasketidModelList: baskets },
      });
      if (res.status === 200) {
        const messages = parseBody('updateOrderShipping', res, messagesSchema).MessageModelList;
        const error = messages.find((m) => m.messageType === 'ERROR');
        results.set(orderNumber, error ? itemFailure(orderNumber, messageError('updateOrderShipping', res.status, error)) : { key: orderNumber, ok: true });
      } else {
        const parsed = messagesSchema.safeParse(res.json);
        const error = parsed.success ? parsed.data.MessageModelList.find((m) => m.messageType === 'ERROR') : undefined;
        results.set(orderNumber, itemFailure(orderNumber, res.status === 400 && error ? messageError('updateOrderShipping', res.status, error) : rakutenError('updateOrderShipping', res.status, res.json)));
      }
    } catch (caught) {
      if (!(caught instanceof MallError)) throw caught;
      results.set(orderNumber, itemFailure(orderNumber, caught));
      if (shouldAbort(caught)) abort = caught;
    }
  }
  return shipments.map((s) => results.get(s.orderNumber)!);
}
