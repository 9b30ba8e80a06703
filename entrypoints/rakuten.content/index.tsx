import '@/components/panels/panel.css';
import { mountMallPanels } from '@/components/panels/mount';
import { MALL_ADMIN_MATCHES } from '@/lib/pages/hosts';
import { rakutenPageAdapter } from '@/lib/pages/rakuten';

export default defineContentScript({
  matches: MALL_ADMIN_MATCHES.rakuten,
  cssInjectionMode: 'ui',
  main(ctx) {
    mountMallPanels(ctx, rakutenPageAdapter);
  },
});
