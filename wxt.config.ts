import { defineConfig } from 'wxt';
import { hostPermissionsFor } from './lib/manifest-permissions';

/**
 * Build modes:
 * - production (`wxt build`, `wxt zip`): talks to the real malls' API hosts only; no localhost permission.
 * - e2e / demo: also allowed to reach the local mall simulator on 127.0.0.1, and the sync alarm may run
 *   faster than Chrome's 30 s floor (unpacked extensions are not clamped).
 */
export default defineConfig({
  modules: ['@wxt-dev/module-react', '@wxt-dev/webextension-polyfill'],
  vite: () => ({
    ssr: { noExternal: ['@webext-core/messaging'] },
  }),
  manifest: ({ mode }) => {
    return {
      name: '__MSG_extName__',
      description: '__MSG_extDescription__',
      default_locale: 'ja',
      minimum_chrome_version: '120',
      // identity: Yahoo! ID連携 (OAuth) through launchWebAuthFlow; notifications: low stock and sync errors.
      permissions: ['storage', 'alarms', 'unlimitedStorage', 'identity', 'notifications'],
      // The malls' API hosts (production) or the simulator (demo, e2e); webhooks when the user adds one.
      ...hostPermissionsFor(mode),
      action: { default_title: '__MSG_extName__' },
      // The dashboard is the options page, opened in a full tab (settings, catalog, orders, history).
      options_ui: { page: 'dashboard.html', open_in_tab: true },
    };
  },
});
