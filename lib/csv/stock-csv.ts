import Papa from 'papaparse';
import { z } from 'zod';
import { t } from '../i18n';
import { decodeJapaneseText } from './encoding';

/**
 * Stock CSV import: one row per SKU, either an absolute quantity (在庫数) or a change (増減). Headers
 * are matched loosely (Japanese or English, full- or half-width), every row is checked, and a bad row
 * is reported with its line number instead of stopping the file.
 */

const HEADER_ALIASES: Record<'sku' | 'set' | 'add', string[]> = {
  sku: ['skuコード', 'sku', 'skucode', 'sku code', '商品コード', 'code', 'seller-sku', 'sku管理番号'],
  set: ['在庫数', 'stock', 'quantity', '在庫', 'qty'],
  add: ['増減', 'delta', 'change', '在庫増減'],
};

const normaliseHeader = (h: string) => h.normalize('NFKC').trim().toLowerCase();

const quantitySchema = z.coerce.number().int().min(-99_999).max(99_999);

export interface StockCsvRow {
  line: number;
  skuCode: string;
  mode: 'set' | 'add';
  value: number;
}

export interface StockCsvParse {
  encoding: 'UTF8' | 'SJIS';
  rows: StockCsvRow[];
  errors: { line: number; message: string }[];
}

export function parseStockCsv(bytes: Uint8Array, knownSku: (code: string) => boolean): StockCsvParse {
  const { text, encoding } = decodeJapaneseText(bytes);
  const parsed = Papa.parse<string[]>(text.trim(), { skipEmptyLines: true });
  const [header, ...body] = parsed.data;
  const out: StockCsvParse = { encoding, rows: [], errors: [] };
  if (!header) return { ...out, errors: [{ line: 1, message: t('csv.empty') }] };
  const find = (key: keyof typeof HEADER_ALIASES) => header.findIndex((h) => HEADER_ALIASES[key].includes(normaliseHeader(h)));
  const skuCol = find('sku');
  const setCol = find('set');
  const addCol = find('add');
  if (skuCol < 0 || (setCol < 0 && addCol < 0)) return { ...out, errors: [{ line: 1, message: t('csv.missingColumns') }] };
  const seen = new Set<string>();
  body.forEach((cells, i) => {
    const line = i + 2;
    const skuCode = (cells[skuCol] ?? '').normalize('NFKC').trim();
    const raw = (setCol >= 0 ? cells[setCol] : cells[addCol]) ?? '';
    const mode = setCol >= 0 ? 'set' : 'add';
    if (!skuCode) return out.errors.push({ line, message: t('csv.noSku') });
    if (!knownSku(skuCode)) return out.errors.push({ line, message: t('csv.unknownSku', { sku: skuCode }) });
    if (seen.has(skuCode)) return out.errors.push({ line, message: t('csv.duplicateSku', { sku: skuCode }) });
    const value = quantitySchema.safeParse(raw.normalize('NFKC').replace(/,/g, '').trim());
    if (!value.success || raw.trim() === '' || (mode === 'set' && value.data < 0)) return out.errors.push({ line, message: t('csv.badQuantity', { value: raw }) });
    seen.add(skuCode);
    out.rows.push({ line, skuCode, mode, value: value.data });
  });
  return out;
}
