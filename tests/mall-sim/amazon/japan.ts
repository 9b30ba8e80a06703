import { randomBytes, randomInt } from 'node:crypto';

/** Fictional Japanese buyers and delivery addresses for simulated orders. */

export interface JpAddress {
  name: string;
  postalCode: string;
  /** 都道府県 */
  stateOrRegion: string;
  /** 市区町村 */
  city: string;
  /** 町名・番地 */
  addressLine1: string;
  /** 建物名・部屋番号 */
  addressLine2?: string;
  phone: string;
}

export interface JpBuyer {
  name: string;
  email: string;
  address: JpAddress;
}

const FAMILY = ['佐藤', '鈴木', '高橋', '田中', '伊藤', '渡辺', '山本', '中村', '小林', '加藤', '吉田', '山田'];
const GIVEN = ['太郎', '花子', '翔太', '陽菜', '大輔', '美咲', '健一', '結衣', '直樹', '彩', '悠斗', 'さくら'];

const PLACES: Omit<JpAddress, 'name' | 'phone' | 'addressLine2'>[] = [
  { postalCode: '150-0041', stateOrRegion: '東京都', city: '渋谷区', addressLine1: '神南1-19-11' },
  { postalCode: '160-0022', stateOrRegion: '東京都', city: '新宿区', addressLine1: '新宿3-38-1' },
  { postalCode: '530-0001', stateOrRegion: '大阪府', city: '大阪市北区', addressLine1: '梅田3-1-1' },
  { postalCode: '460-0008', stateOrRegion: '愛知県', city: '名古屋市中区', addressLine1: '栄3-5-1' },
  { postalCode: '060-0005', stateOrRegion: '北海道', city: '札幌市中央区', addressLine1: '北5条西2-5' },
  { postalCode: '812-0012', stateOrRegion: '福岡県', city: '福岡市博多区', addressLine1: '博多駅中央街1-1' },
  { postalCode: '980-0021', stateOrRegion: '宮城県', city: '仙台市青葉区', addressLine1: '中央1-1-1' },
  { postalCode: '600-8216', stateOrRegion: '京都府', city: '京都市下京区', addressLine1: '烏丸通塩小路下ル東塩小路町721-1' },
  { postalCode: '231-0062', stateOrRegion: '神奈川県', city: '横浜市中区', addressLine1: '桜木町1-1' },
  { postalCode: '900-0015', stateOrRegion: '沖縄県', city: '那覇市', addressLine1: '久茂地1-1-1' },
];
const BUILDINGS = ['コーポ桜 201', 'メゾン青葉 305', 'グランドハイツ 1102', undefined, 'サンライズ北 4F', undefined];

const pick = <T>(list: readonly T[]): T => list[randomInt(list.length)] as T;

export function randomBuyer(): JpBuyer {
  const name = `${pick(FAMILY)} ${pick(GIVEN)}`;
  const place = pick(PLACES);
  const building = pick(BUILDINGS);
  const phone = `0${pick(['80', '90', '70'])}-${String(randomInt(10_000)).padStart(4, '0')}-${String(randomInt(10_000)).padStart(4, '0')}`;
  return {
    name,
    // Amazon hands sellers an anonymised relay address (Buyer.buyerEmail).
    email: `${randomBytes(8).toString('hex')}@marketplace.amazon.co.jp`,
    address: { ...place, name, phone, ...(building ? { addressLine2: building } : {}) },
  };
}
