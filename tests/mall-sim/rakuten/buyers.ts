import type { Person } from './store';

/** Plausible Japanese buyers and addresses for generated orders (fictional people, real place names). */

const FAMILY: [string, string][] = [
  ['佐藤', 'サトウ'], ['鈴木', 'スズキ'], ['高橋', 'タカハシ'], ['田中', 'タナカ'], ['伊藤', 'イトウ'], ['渡辺', 'ワタナベ'],
  ['山本', 'ヤマモト'], ['中村', 'ナカムラ'], ['小林', 'コバヤシ'], ['加藤', 'カトウ'], ['吉田', 'ヨシダ'], ['山田', 'ヤマダ'],
  ['松本', 'マツモト'], ['井上', 'イノウエ'], ['木村', 'キムラ'], ['斎藤', 'サイトウ'],
];
const GIVEN: [string, string, '男' | '女'][] = [
  ['太郎', 'タロウ', '男'], ['花子', 'ハナコ', '女'], ['翔太', 'ショウタ', '男'], ['美咲', 'ミサキ', '女'], ['健一', 'ケンイチ', '男'],
  ['由美', 'ユミ', '女'], ['大輔', 'ダイスケ', '男'], ['陽菜', 'ヒナ', '女'], ['拓也', 'タクヤ', '男'], ['さくら', 'サクラ', '女'],
  ['直樹', 'ナオキ', '男'], ['恵子', 'ケイコ', '女'],
];
const PLACES: { zip: string; prefecture: string; city: string; street: string; island?: boolean }[] = [
  { zip: '1500002', prefecture: '東京都', city: '渋谷区', street: '渋谷' },
  { zip: '1600022', prefecture: '東京都', city: '新宿区', street: '新宿' },
  { zip: '2310023', prefecture: '神奈川県', city: '横浜市中区', street: '山下町' },
  { zip: '5300001', prefecture: '大阪府', city: '大阪市北区', street: '梅田' },
  { zip: '4600008', prefecture: '愛知県', city: '名古屋市中区', street: '栄' },
  { zip: '8100001', prefecture: '福岡県', city: '福岡市中央区', street: '天神' },
  { zip: '0600001', prefecture: '北海道', city: '札幌市中央区', street: '北一条西' },
  { zip: '9800021', prefecture: '宮城県', city: '仙台市青葉区', street: '中央' },
  { zip: '6008216', prefecture: '京都府', city: '京都市下京区', street: '東塩小路町' },
  { zip: '7300011', prefecture: '広島県', city: '広島市中区', street: '基町' },
  { zip: '9000014', prefecture: '沖縄県', city: '那覇市', street: '松尾' },
  { zip: '1000101', prefecture: '東京都', city: '大島町', street: '元町', island: true },
];
const BUILDINGS = ['', '', ' メゾン桜101', ' グランドハイツ302', ' サンシャインコーポ205'];

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)]!;
}

export function randomPerson(rand: () => number, familyOverride?: [string, string]): Person {
  const family = familyOverride ?? pick(rand, FAMILY);
  const [given, givenKana, sex] = pick(rand, GIVEN);
  const place = pick(rand, PLACES);
  const block = `${1 + Math.floor(rand() * 5)}-${1 + Math.floor(rand() * 20)}-${1 + Math.floor(rand() * 15)}`;
  const mobile = rand() < 0.7;
  const digits = (n: number) => String(Math.floor(rand() * 10 ** n)).padStart(n, '0');
  const local = Math.floor(rand() * 0xffffffffff).toString(16).padStart(10, '0');
  return {
    zipCode1: place.zip.slice(0, 3),
    zipCode2: place.zip.slice(3),
    prefecture: place.prefecture,
    city: place.city,
    subAddress: `${place.street}${block}${pick(rand, BUILDINGS)}`,
    familyName: family[0],
    firstName: given,
    familyNameKana: family[1],
    firstNameKana: givenKana,
    phoneNumber1: mobile ? pick(rand, ['090', '080', '070']) : '03',
    phoneNumber2: mobile ? digits(4) : digits(4),
    phoneNumber3: digits(4),
    // Rakuten relays buyer mail through a masked address (spec §6.3 OrdererModel).
    emailAddress: `${local}s1@pc.fw.rakuten.ne.jp`,
    sex,
    birthYear: 1955 + Math.floor(rand() * 50),
    birthMonth: 1 + Math.floor(rand() * 12),
    birthDay: 1 + Math.floor(rand() * 28),
    isolatedIslandFlag: place.island ? 1 : 0,
  };
}

export function familyOf(p: Person): [string, string] {
  return [p.familyName, p.familyNameKana];
}
