import type { MallId } from '../catalog/schemas';

/**
 * Admin hosts per mall, as in specs/*-api.md "Admin hostnames". Content-script `matches` and the
 * background's sender check both come from here, so they cannot drift apart.
 */
export const MALL_ADMIN_MATCHES: Record<MallId, string[]> = {
  rakuten: ['https://*.rms.rakuten.co.jp/*'],
  yahoo: [
    'https://pro.store.yahoo.co.jp/*',
    'https://editor.store.yahoo.co.jp/*',
    'https://test.pro.store.yahoo.co.jp/*',
    'https://test.editor.store.yahoo.co.jp/*',
  ],
  amazon: ['https://sellercentral.amazon.co.jp/*', 'https://sellercentral-japan.amazon.com/*'],
};

const HOST_RULES: { mall: MallId; test: (host: string) => boolean }[] = [
  { mall: 'rakuten', test: (h) => h.endsWith('.rms.rakuten.co.jp') },
  { mall: 'yahoo', test: (h) => ['pro.store.yahoo.co.jp', 'editor.store.yahoo.co.jp', 'test.pro.store.yahoo.co.jp', 'test.editor.store.yahoo.co.jp'].includes(h) },
  { mall: 'amazon', test: (h) => h === 'sellercentral.amazon.co.jp' || h === 'sellercentral-japan.amazon.com' },
];

/** The mall whose back office this URL belongs to, or undefined for any other page. */
export function mallOfAdminUrl(url: string | undefined): MallId | undefined {
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:') return undefined;
  return HOST_RULES.find((r) => r.test(parsed.hostname))?.mall;
}
