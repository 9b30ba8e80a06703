import { createRoot, type Root } from 'react-dom/client';
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import { createShadowRootUi, type ShadowRootContentScriptUi } from 'wxt/utils/content-script-ui/shadow-root';
import { t } from '@/lib/i18n';
import type { PageContext } from '@/lib/messaging/protocol';
import type { PageAdapter } from '@/lib/pages/types';
import { PanelFrame } from './PanelFrame';
import { panelFeatures } from './registry';

/**
 * Mounts Ichigen's panels on a mall admin page and keeps them right as the page navigates: admin
 * consoles are single-page apps, so on every location change the panels are torn down and mounted
 * again for the new page context.
 *
 * Isolation: a shadow root keeps the page's CSS out and `isolateEvents` keeps its key handlers from
 * seeing what staff type. The panels show catalog data only; nothing secret ever reaches this script.
 */
export function mountMallPanels(ctx: ContentScriptContext, adapter: PageAdapter): void {
  let current: ShadowRootContentScriptUi<Root> | undefined;
  let generation = 0;

  const mount = async (url: URL) => {
    const mine = ++generation;
    current?.remove();
    current = undefined;
    const context: PageContext = adapter.readContext(url, document);
    const features = panelFeatures.filter((f) => f.appliesTo(context));
    if (features.length === 0) return;
    const anchor = adapter.findAnchor(document);
    const ui = await createShadowRootUi<Root>(ctx, {
      name: 'ichigen-panel',
      position: anchor ? 'inline' : 'overlay',
      anchor: anchor ?? 'body',
      append: anchor ? 'after' : 'last',
      isolateEvents: true,
      onMount(container) {
        const wrapper = document.createElement('div');
        wrapper.dataset.ichigenMall = adapter.mall;
        wrapper.dataset.ichigenContext = context.kind;
        container.append(wrapper);
        const root = createRoot(wrapper);
        root.render(<PanelFrame title={t('panel.title')}>{features.map((f) => <section key={f.id}>{f.render(context)}</section>)}</PanelFrame>);
        return root;
      },
      onRemove(root) {
        root?.unmount();
      },
    });
    // A newer navigation may have started while the CSS loaded.
    if (mine !== generation || !ctx.isValid) return;
    ui.mount();
    current = ui;
  };

  void mount(new URL(location.href));
  // The event comes from the Navigation API before `location` changes: read the new URL from it.
  ctx.addEventListener(window, 'wxt:locationchange', (event) => void mount(event.newUrl));
  ctx.onInvalidated(() => current?.remove());
}
