import { en, ja, type MessageKey } from './messages';

export type Language = 'ja' | 'en';
export type { MessageKey };

const dictionaries: Record<Language, Record<MessageKey, string>> = { ja, en };

/** Japanese unless the browser prefers English over Japanese; staff browsers are mostly Japanese. */
export function pickLanguage(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'ja') return 'ja';
    if (base === 'en') return 'en';
  }
  return 'ja';
}

let current: Language | undefined;

export function currentLanguage(): Language {
  current ??= pickLanguage(typeof navigator === 'undefined' ? [] : navigator.languages ?? [navigator.language]);
  return current;
}

export function setLanguage(language: Language): void {
  current = language;
}

export function t(key: MessageKey, params: Record<string, string | number> = {}, language = currentLanguage()): string {
  const template = dictionaries[language][key] ?? ja[key];
  return template.replace(/\{(\w+)\}/g, (_m, name: string) => (name in params ? String(params[name]) : `{${name}}`));
}

const JST = 'Asia/Tokyo';

/** Dates are always shown in JST, whatever the computer's zone: the malls and their deadlines run on JST. */
export function formatJst(epochMs: number, language = currentLanguage()): string {
  return new Intl.DateTimeFormat(language === 'ja' ? 'ja-JP' : 'en-GB', {
    timeZone: JST,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).format(new Date(epochMs));
}

export function formatYen(amount: number, language = currentLanguage()): string {
  return new Intl.NumberFormat(language === 'ja' ? 'ja-JP' : 'en-US', { style: 'currency', currency: 'JPY' }).format(amount);
}

export function formatCount(n: number, language = currentLanguage()): string {
  return new Intl.NumberFormat(language === 'ja' ? 'ja-JP' : 'en-US').format(n);
}
