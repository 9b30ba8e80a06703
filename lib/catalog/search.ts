import type { Sku } from './schemas';

/**
 * Staff type codes in full-width as often as half-width (ＡＢＣ－１２３), and product names in either
 * kana width: NFKC folds both, lower case folds the rest.
 */
export function normaliseSearch(text: string): string {
  return text.normalize('NFKC').toLowerCase().trim();
}

export function matchesSearch(sku: Pick<Sku, 'code' | 'name'>, normalisedNeedle: string): boolean {
  return sku.code.toLowerCase().includes(normalisedNeedle) || sku.name.normalize('NFKC').toLowerCase().includes(normalisedNeedle);
}
