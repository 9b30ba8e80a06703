import Encoding from 'encoding-japanese';

/**
 * Shop staff export CSVs from RMS, Store Creator Pro and Excel in Shift_JIS (CP932) as often as UTF-8.
 * A UTF-8 BOM or valid UTF-8 wins; otherwise the bytes are read as Shift_JIS.
 */
export function decodeJapaneseText(bytes: Uint8Array): { text: string; encoding: 'UTF8' | 'SJIS' } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), encoding: 'UTF8' };
  const detected = Encoding.detect(bytes);
  if (detected === 'UTF8' || detected === 'ASCII') return { text: new TextDecoder('utf-8').decode(bytes), encoding: 'UTF8' };
  return { text: Encoding.convert(bytes, { to: 'UNICODE', from: 'SJIS', type: 'string' }), encoding: 'SJIS' };
}

/** Text as Shift_JIS bytes (CP932), for files staff open in Excel or upload to a mall. */
export function encodeShiftJis(text: string): Uint8Array {
  return new Uint8Array(Encoding.convert(Encoding.stringToCode(text), { to: 'SJIS', from: 'UNICODE' }));
}
