import type { Listing, Product, Sku } from '../catalog/schemas';

/**
 * The demo shop: a small Japanese apparel-and-goods shop listed on all three malls, deterministic so
 * the simulator, the e2e tests and the demo tour agree on every code. A few listings deliberately use a
 * different code on one mall (as real shops have), and a few SKUs are sets of others.
 */

export interface DemoSku {
  code: string;
  productId: string;
  productName: string;
  name: string;
  color?: string;
  size?: string;
  price: number;
  stock: number;
  components: { skuCode: string; quantity: number }[];
  rakuten?: { manageNumber: string; variantId: string };
  yahoo?: { itemCode: string; subCode?: string };
  amazon?: { sellerSku: string; asin: string };
}

export interface DemoShop {
  products: Product[];
  skus: DemoSku[];
}

const PRODUCT_BASES = [
  ['綿100% 無地Tシャツ', 1980],
  ['リネン混 オープンカラーシャツ', 4980],
  ['ストレッチ テーパードパンツ', 5980],
  ['撥水 マウンテンパーカー', 12800],
  ['今治タオル フェイスタオル', 1320],
  ['ステンレス 真空断熱タンブラー', 2480],
  ['有田焼 小皿', 1650],
  ['帆布 トートバッグ', 3850],
  ['メリノウール ソックス', 1480],
  ['抗菌 まな板', 2200],
] as const;
const COLORS = ['ホワイト', 'ブラック', 'ネイビー', 'ベージュ', 'グリーン'] as const;
const COLOR_CODES = ['wh', 'bk', 'nv', 'be', 'gr'] as const;
const SIZES = ['S', 'M', 'L', 'XL'] as const;
const SERIES = ['ベーシック', 'プレミアム', 'ライト', 'クラシック', 'アーバン'] as const;

/** Small deterministic PRNG (mulberry32) so every run builds the same shop. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function asinFor(n: number): string {
  return `B0${n.toString(36).toUpperCase().padStart(8, '0')}`;
}

/**
 * `skuCount` 200 gives the demo shop (about 50 products, 4 variants each, plus sets); larger counts
 * are for performance tests of the catalog table.
 */
export function buildDemoShop(skuCount = 200, seed = 20261201): DemoShop {
  const rand = random(seed);
  const products: Product[] = [];
  const skus: DemoSku[] = [];
  const createdAt = Date.UTC(2026, 0, 5);
  const setCount = Math.max(2, Math.round(skuCount * 0.02));
  const plainCount = skuCount - setCount;
  let p = 0;
  while (skus.length < plainCount) {
    const base = PRODUCT_BASES[p % PRODUCT_BASES.length]!;
    const series = SERIES[Math.floor(p / PRODUCT_BASES.length) % SERIES.length]!;
    const generation = Math.floor(p / (PRODUCT_BASES.length * SERIES.length));
    const productId = `ich${String(p + 1).padStart(5, '0')}`;
    const productName = `${series} ${base[0]}${generation > 0 ? ` ${generation + 1}` : ''}`;
    products.push({ id: productId, name: productName, createdAt, updatedAt: createdAt });
    const colorCount = 1 + (p % 2);
    for (let c = 0; c < colorCount && skus.length < plainCount; c++) {
      for (const size of SIZES.slice(0, 2 + (p % 3))) {
        if (skus.length >= plainCount) break;
        const ci = (p + c) % COLORS.length;
        const code = `${productId}-${COLOR_CODES[ci]}-${size.toLowerCase()}`;
        const n = skus.length + 1;
        skus.push({
          code,
          productId,
          productName,
          name: `${productName} ${COLORS[ci]} ${size}`,
          color: COLORS[ci],
          size,
          price: base[1] + Math.floor(rand() * 5) * 100,
          stock: Math.floor(rand() * 40),
          components: [],
          rakuten: { manageNumber: productId, variantId: `r-sku${String(n).padStart(8, '0')}` },
          // Every 23rd SKU was registered on Yahoo by hand with an upper-case code: a deliberate mismatch.
          yahoo: { itemCode: n % 23 === 0 ? productId.toUpperCase() : productId, subCode: n % 23 === 0 ? code.toUpperCase() : code },
          // Every 31st SKU is not on Amazon at all.
          ...(n % 31 === 0 ? {} : { amazon: { sellerSku: code, asin: asinFor(n) } }),
        });
      }
    }
    p += 1;
  }
  for (let s = 0; s < setCount; s++) {
    const a = skus[(s * 7) % plainCount]!;
    const b = skus[(s * 7 + 3) % plainCount]!;
    const productId = `set${String(s + 1).padStart(4, '0')}`;
    const productName = `お得なセット ${s + 1}`;
    products.push({ id: productId, name: productName, createdAt, updatedAt: createdAt });
    skus.push({
      code: `${productId}-pack`,
      productId,
      productName,
      name: `${productName}（${a.name} ＋ ${b.name}×2）`,
      price: a.price + b.price * 2 - 500,
      stock: 0,
      components: [
        { skuCode: a.code, quantity: 1 },
        { skuCode: b.code, quantity: 2 },
      ],
      rakuten: { manageNumber: productId, variantId: 'r-sku00000001' },
      yahoo: { itemCode: productId },
      amazon: { sellerSku: `${productId}-pack`, asin: asinFor(100_000 + s) },
    });
  }
  return { products, skus };
}

export interface DemoCatalogRows {
  products: Product[];
  skus: Sku[];
  listings: Listing[];
}

/** The demo shop as catalog rows: the SKUs, their listings per mall, and their opening stock. */
export function demoCatalogRows(shop: DemoShop, now = Date.now()): DemoCatalogRows {
  const skus: Sku[] = shop.skus.map((s) => ({
    code: s.code,
    productId: s.productId,
    name: s.name,
    variant: { ...(s.color ? { color: s.color } : {}), ...(s.size ? { size: s.size } : {}) },
    price: s.price,
    components: s.components,
    componentCodes: s.components.map((c) => c.skuCode),
    stock: s.stock,
    lowStockThreshold: 3,
    updatedAt: now,
  }));
  const listings: Listing[] = [];
  for (const s of shop.skus) {
    if (s.rakuten) {
      listings.push({ id: `rakuten:${s.code}`, mall: 'rakuten', skuCode: s.code, externalItemId: s.rakuten.manageNumber, rakuten: s.rakuten, safetyBuffer: 0, active: true });
    }
    if (s.yahoo) {
      listings.push({ id: `yahoo:${s.code}`, mall: 'yahoo', skuCode: s.code, externalItemId: s.yahoo.itemCode, yahoo: s.yahoo, safetyBuffer: 0, active: true });
    }
    if (s.amazon) {
      listings.push({ id: `amazon:${s.code}`, mall: 'amazon', skuCode: s.code, externalItemId: s.amazon.sellerSku, amazon: s.amazon, safetyBuffer: 0, active: true });
    }
  }
  return { products: shop.products, skus, listings };
}
