import { describe, expect, it } from 'vitest';
import { setLanguage } from '@/lib/i18n';
import { decodeJapaneseText, encodeShiftJis } from '@/lib/csv/encoding';
import { parseStockCsv } from '@/lib/csv/stock-csv';

const known = (code: string) => ['ich00001-wh-s', 'ich00001-wh-m', 'ich00002-bk-l'].includes(code);

describe('stock CSV', () => {
  setLanguage('ja');
  it('reads a Shift_JIS file with Japanese headers and reports each bad row with its line', () => {
    const csv = 'SKUコード,在庫数\r\nich00001-wh-s,12\r\nｉｃｈ００００１－ｗｈ－ｍ,"1,200"\r\nnope,3\r\nich00002-bk-l,たくさん\r\nich00001-wh-s,4\r\n';
    const bytes = encodeShiftJis(csv);
    expect(decodeJapaneseText(bytes).encoding).toBe('SJIS');
    const result = parseStockCsv(bytes, known);
    expect(result.encoding).toBe('SJIS');
    expect(result.rows).toEqual([
      { line: 2, skuCode: 'ich00001-wh-s', mode: 'set', value: 12 },
      { line: 3, skuCode: 'ich00001-wh-m', mode: 'set', value: 1200 },
    ]);
    expect(result.errors.map((e) => e.line)).toEqual([4, 5, 6]);
    expect(result.errors[0]!.message).toContain('カタログにありません');
    expect(result.errors[1]!.message).toContain('0〜99999');
    expect(result.errors[2]!.message).toContain('2回以上');
  });

  it('reads UTF-8 (with a BOM) with a change column', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('sku,増減\nich00001-wh-s,-3\n')]);
    expect(parseStockCsv(bytes, known)).toMatchObject({ encoding: 'UTF8', rows: [{ skuCode: 'ich00001-wh-s', mode: 'add', value: -3 }], errors: [] });
  });

  it('says which columns are missing', () => {
    expect(parseStockCsv(new TextEncoder().encode('商品名,価格\nA,100\n'), known).errors[0]).toMatchObject({ line: 1, message: expect.stringContaining('SKUコード') });
  });
});
