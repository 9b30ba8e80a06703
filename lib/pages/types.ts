import type { MallId } from '../catalog/schemas';
import type { PageContext } from '../messaging/protocol';

/**
 * What a content script needs from one mall's admin pages. Each mall keeps its URL and DOM knowledge
 * in its own adapter; admin UIs change without notice, so every reader tries the URL first and a
 * visible label second, and says "other" rather than guess.
 */
export interface PageAdapter {
  mall: MallId;
  readContext(url: URL, doc: Document): PageContext;
  /** The element the panel is placed after; null = a floating panel. */
  findAnchor(doc: Document): Element | null;
}

export function firstMatch(doc: Document, selectors: string[]): Element | null {
  for (const selector of selectors) {
    const el = doc.querySelector(selector);
    if (el) return el;
  }
  return null;
}

export function textOf(el: Element | null | undefined): string | undefined {
  const text = el?.textContent?.trim();
  return text ? text : undefined;
}
