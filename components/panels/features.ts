import type { ReactElement } from 'react';
import type { PageContext } from '@/lib/messaging/protocol';

/**
 * A panel feature: when it applies and what it renders. Each feature lives in its own folder; the
 * content script of every mall mounts the list below and tears it down on navigation.
 */
export interface PanelFeature {
  id: string;
  appliesTo(context: PageContext): boolean;
  render(context: PageContext): ReactElement;
}
