// Page functions passed to `page.evaluate` run in extension pages, where `chrome` exists.
import type { Browser } from 'wxt/browser';

declare global {
  const chrome: Browser;
}
