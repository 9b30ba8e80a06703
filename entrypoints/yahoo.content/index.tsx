import '@/components/panels/panel.css';
import { mountMallPanels } from '@/components/panels/mount';
import { MALL_ADMIN_MATCHES } from '@/lib/pages/hosts';
import { yahooPageAdapter } from '@/lib/pages/yahoo';

export default defineContentScript({
  matches: MALL_ADMIN_MATCHES.yahoo,
  cssInjectionMode: 'ui',
  main(ctx) {
    mountMallPanels(ctx, yahooPageAdapter);
  },
});
