import { z } from 'zod';
import { catalogDb } from '@/lib/catalog/db';
import { currentLanguage } from '@/lib/i18n';
import { createMessageHandlers } from '@/lib/messaging/handlers';
import { registerMessageHandlers } from '@/lib/messaging/receiver';
import { adapterFor, authorizeYahoo } from './mall-adapters';
import { deliverAlerts, reconcileNow, runSyncExclusive } from './sync';

export function setupMessages(): void {
  // Validation messages in the user's language.
  z.config(currentLanguage() === 'ja' ? z.locales.ja() : z.locales.en());
  const extensionOrigin = browser.runtime.getURL('/').replace(/\/$/, '');
  registerMessageHandlers(createMessageHandlers(catalogDb(), { allowDemoData: import.meta.env.MODE !== 'production', adapterFor, authorizeYahoo, syncNow: runSyncExclusive, reconcileNow, session: browser.storage.session, deliverAlerts }), {
    extensionId: browser.runtime.id,
    extensionOrigin,
  });
}
