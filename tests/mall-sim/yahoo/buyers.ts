import type { Address } from './state';

/** Plausible Japanese buyers, so label/invoice code in the extension meets kanji, kana and real zip shapes. */
const LAST: [kanji: string, kana: string, romaji: string][] = [
  ['佐藤', 'サトウ', 'sato'],
  ['鈴木', 'スズキ', 'suzuki'],
  ['高橋', 'タカハシ', 'takahashi'],
  ['田中', 'タナカ', 'tanaka'],
  ['伊藤', 'イトウ', 'ito'],
  ['渡辺', 'ワタナベ', 'watanabe'],
  ['山本', 'ヤマモト', 'yamamoto'],
  ['中村', 'ナカムラ', 'nakamura'],
  ['小林', 'コバヤシ', 'kobayashi'],
  ['加藤', 'カトウ', 'kato'],
  ['吉田', 'ヨシダ', 'yoshida'],
  ['山口', 'ヤマグチ', 'yamaguchi'],
  ['松本', 'マツモト', 'matsumoto'],
  ['井上', 'イノウエ', 'inoue'],
];

const FIRST: [kanji: string, kana: string][] = [
  ['太郎', 'タロウ'],
  ['花子', 'ハナコ'],
  ['翔太', 'ショウタ'],
  ['美咲', 'ミサキ'],
  ['健一', 'ケンイチ'],
  ['由美', 'ユミ'],
  ['大輔', 'ダイスケ'],
  ['陽菜', 'ヒナ'],
  ['誠', 'マコト'],
  ['さくら', 'サクラ'],
  ['拓也', 'タクヤ'],
  ['恵子', 'ケイコ'],
];

const PLACES: Omit<Address, 'lastName' | 'lastNameKana' | 'firstName' | 'firstNameKana' | 'phoneNumber' | 'address2' | 'address2Kana'>[] = [
  { zipCode: '160-0022', prefecture: '東京都', prefectureKana: 'トウキョウト', city: '新宿区', cityKana: 'シンジュクク', address1: '新宿3-1-1', address1Kana: 'シンジュク3-1-1' },
  { zipCode: '530-0001', prefecture: '大阪府', prefectureKana: 'オオサカフ', city: '大阪市北区', cityKana: 'オオサカシキタク', address1: '梅田2-4-9', address1Kana: 'ウメダ2-4-9' },
  { zipCode: '460-0008', prefecture: '愛知県', prefectureKana: 'アイチケン', city: '名古屋市中区', cityKana: 'ナゴヤシナカク', address1: '栄3-5-1', address1Kana: 'サカエ3-5-1' },
  { zipCode: '810-0001', prefecture: '福岡県', prefectureKana: 'フクオカケン', city: '福岡市中央区', cityKana: 'フクオカシチュウオウク', address1: '天神1-8-1', address1Kana: 'テンジン1-8-1' },
  { zipCode: '060-0001', prefecture: '北海道', prefectureKana: 'ホッカイドウ', city: '札幌市中央区', cityKana: 'サッポロシチュウオウク', address1: '北一条西2-1', address1Kana: 'キタイチジョウニシ2-1' },
  { zipCode: '980-0021', prefecture: '宮城県', prefectureKana: 'ミヤギケン', city: '仙台市青葉区', cityKana: 'センダイシアオバク', address1: '中央1-2-3', address1Kana: 'チュウオウ1-2-3' },
  { zipCode: '231-0023', prefecture: '神奈川県', prefectureKana: 'カナガワケン', city: '横浜市中区', cityKana: 'ヨコハマシナカク', address1: '山下町1-1', address1Kana: 'ヤマシタチョウ1-1' },
  { zipCode: '600-8216', prefecture: '京都府', prefectureKana: 'キョウトフ', city: '京都市下京区', cityKana: 'キョウトシシモギョウク', address1: '東塩小路町721-1', address1Kana: 'ヒガシシオコウジチョウ721-1' },
  { zipCode: '900-0015', prefecture: '沖縄県', prefectureKana: 'オキナワケン', city: '那覇市', cityKana: 'ナハシ', address1: '久茂地1-1-1', address1Kana: 'クモジ1-1-1' },
];

const BUILDINGS: [string, string][] = [
  ['', ''],
  ['', ''],
  ['コーポ桜 201', 'コーポサクラ 201'],
  ['メゾン青葉 305', 'メゾンアオバ 305'],
  ['グランドハイツ 1102', 'グランドハイツ 1102'],
];

/** §3.3 PayMethod and its PayType / PayKind / initial states. */
const PAYMENTS: {
  weight: number;
  method: string;
  name: string;
  payType: number;
  payKind: number;
  paid: boolean;
  settleStatus: string;
  payCharge: number;
}[] = [
  { weight: 45, method: 'payment_a1', name: 'クレジットカード決済', payType: 0, payKind: 0, paid: true, settleStatus: '3', payCharge: 0 },
  { weight: 35, method: 'payment_a17', name: 'PayPay残高等', payType: 0, payKind: 6, paid: true, settleStatus: '3', payCharge: 0 },
  { weight: 10, method: 'payment_d1', name: '商品代引', payType: 0, payKind: 4, paid: false, settleStatus: '', payCharge: 330 },
  { weight: 5, method: 'payment_b1', name: '銀行振込（三井住友銀行）', payType: 1, payKind: 3, paid: false, settleStatus: '4', payCharge: 0 },
  { weight: 5, method: 'payment_a7', name: 'コンビニ決済（その他）', payType: 1, payKind: 5, paid: false, settleStatus: '2', payCharge: 0 },
];

function pick<T>(rng: () => number, list: readonly T[]): T {
  return list[Math.floor(rng() * list.length)]!;
}

function address(rng: () => number): Address {
  const [lastName, lastNameKana] = pick(rng, LAST);
  const [firstName, firstNameKana] = pick(rng, FIRST);
  const place = pick(rng, PLACES);
  const [address2, address2Kana] = pick(rng, BUILDINGS);
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rng() * 10)).join('');
  return {
    ...place,
    lastName,
    lastNameKana,
    firstName,
    firstNameKana,
    address2,
    address2Kana,
    phoneNumber: `0${pick(rng, ['90', '80', '70'])}-${digits(4)}-${digits(4)}`,
  };
}

export interface BuyerProfile {
  bill: Address;
  ship: Address;
  mailAddress: string;
  payment: (typeof PAYMENTS)[number];
  deviceType: number;
  buyerComments: string;
  shipRequestDate: string;
  shipRequestTime: string;
  usePoint: number;
}

export function makeBuyer(rng: () => number, orderTime: number): BuyerProfile {
  const bill = address(rng);
  // One order in five is a gift to someone else (different ship-to).
  const ship = rng() < 0.2 ? address(rng) : { ...bill };
  const romaji = LAST.find((l) => l[0] === bill.lastName)?.[2] ?? 'buyer';
  const total = PAYMENTS.reduce((n, p) => n + p.weight, 0);
  let roll = rng() * total;
  const payment = PAYMENTS.find((p) => (roll -= p.weight) < 0) ?? PAYMENTS[0]!;
  const wantsDate = rng() < 0.15;
  return {
    bill,
    ship,
    mailAddress: `${romaji}${Math.floor(rng() * 9000 + 1000)}@example.ne.jp`,
    payment,
    deviceType: rng() < 0.75 ? 3 : 1,
    buyerComments: rng() < 0.1 ? '午前中の配達を希望します。' : '',
    shipRequestDate: wantsDate ? new Date(orderTime + (3 + Math.floor(rng() * 4)) * 86_400_000 + 9 * 3_600_000).toISOString().slice(0, 10) : '',
    shipRequestTime: wantsDate ? pick(rng, ['午前中', '14:00-16:00', '18:00-20:00', '19:00-21:00']) : '',
    usePoint: rng() < 0.2 ? Math.floor(rng() * 300) : 0,
  };
}

/** Shop's postage rule for the demo: free from ¥3,980 (a common Yahoo store threshold), else ¥660. */
export function shipCharge(subtotal: number): number {
  return subtotal >= 3980 ? 0 : 660;
}
