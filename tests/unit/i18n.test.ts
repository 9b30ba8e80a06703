import { describe, expect, it } from 'vitest';
import { formatJst, formatYen, pickLanguage, t } from '@/lib/i18n';
import { en, ja } from '@/lib/i18n/messages';

describe('i18n', () => {
  it('has an English text for every Japanese key, with the same placeholders', () => {
    for (const key of Object.keys(ja) as (keyof typeof ja)[]) {
      expect(en[key], key).toBeTruthy();
      const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(placeholders(en[key]), key).toEqual(placeholders(ja[key]));
    }
  });
  it('prefers Japanese, and English only when the browser ranks it above Japanese', () => {
    expect(pickLanguage([])).toBe('ja');
    expect(pickLanguage(['fr-FR'])).toBe('ja');
    expect(pickLanguage(['ja-JP', 'en-US'])).toBe('ja');
    expect(pickLanguage(['en-US', 'ja'])).toBe('en');
  });
  it('fills placeholders', () => {
    expect(t('panel.noMatchItem', { id: 'abc' }, 'ja')).toBe('この商品（abc）は一元のカタログにありません。');
  });
  it('shows times in JST whatever the machine zone, and whole yen', () => {
    expect(formatJst(Date.UTC(2026, 11, 1, 15, 30, 0), 'ja')).toBe('2026/12/02 00:30:00');
    expect(formatYen(1980, 'ja')).toMatch(/^[¥￥]1,980$/);
  });
});
