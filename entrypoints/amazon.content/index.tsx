import '@/components/panels/panel.css';
import { mountMallPanels } from '@/components/panels/mount';
import { MALL_ADMIN_MATCHES } from '@/lib/pages/hosts';
import { amazonPageAdapter } from '@/lib/pages/amazon';

export default defineContentScript({
  matches: MALL_ADMIN_MATCHES.amazon,
  cssInjectionMode: 'ui',
  main(ctx) {
    mountMallPanels(ctx, amazonPageAdapter);
  },
});
