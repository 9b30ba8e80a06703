import { z } from 'zod';
import { t } from '../i18n';
import { mallOfAdminUrl } from '../pages/hosts';
import {
  messageContract,
  messenger,
  type MessageError,
  type MessageName,
  type MessageRequest,
  type MessageResponse,
  type MessageResult,
} from './protocol';

export type MessageHandlers = {
  [N in MessageName]: (data: z.output<(typeof messageContract)[N]['request']>) => Promise<MessageResponse<N>>;
};

export interface SenderInfo {
  id?: string;
  url?: string;
}

export interface ReceiverEnv {
  extensionId: string;
  /** `chrome-extension://<id>` */
  extensionOrigin: string;
}

function refuse(code: MessageError['code'], message: string, issues?: MessageError['issues']): MessageResult<never> {
  return { ok: false, error: { code, message, ...(issues ? { issues } : {}) } };
}

function isExtensionPage(sender: SenderInfo, env: ReceiverEnv): boolean {
  if (!sender.url) return false;
  try {
    // Not `URL.origin`: for non-web schemes such as chrome-extension: it is "null" in some runtimes.
    const url = new URL(sender.url);
    return `${url.protocol}//${url.host}` === env.extensionOrigin;
  } catch {
    return false;
  }
}

/**
 * Checks who sent a message and what it carries, then runs its handler. Pure apart from the handler,
 * so unit tests drive it without a browser.
 */
export async function dispatchMessage(
  name: string,
  data: unknown,
  sender: SenderInfo,
  handlers: MessageHandlers,
  env: ReceiverEnv,
): Promise<MessageResult<unknown>> {
  if (!Object.hasOwn(messageContract, name)) return refuse('unknown-message', t('error.unknown-message', { name }));
  const contract = messageContract[name as MessageName];

  // Another extension, or a web page through externally_connectable (not declared), is never served.
  if (sender.id !== env.extensionId) return refuse('forbidden-sender', t('error.forbidden-sender'));
  const fromPage = isExtensionPage(sender, env);
  const fromMallContentScript = mallOfAdminUrl(sender.url) !== undefined;
  if (contract.from === 'extension-page' ? !fromPage : !(fromPage || fromMallContentScript)) {
    return refuse('forbidden-sender', t('error.forbidden-sender'));
  }

  const parsed = contract.request.safeParse(data ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
    const details = issues.map((i) => t('error.field', { field: i.path, message: i.message })).join(' / ');
    return refuse('invalid-payload', t('error.invalid-payload', { details }), issues);
  }

  try {
    const handler = handlers[name as MessageName] as (d: unknown) => Promise<unknown>;
    const result = await handler(parsed.data);
    // The answer is checked too: a content script must never get more (or other) than the contract says.
    return { ok: true, data: contract.response.parse(result) };
  } catch (error) {
    return refuse('internal', t('error.internal', { details: error instanceof Error ? error.message : String(error) }));
  }
}

/** Registers one listener per message name; call synchronously at service-worker start. */
export function registerMessageHandlers(handlers: MessageHandlers, env: ReceiverEnv): () => void {
  const removers = (Object.keys(messageContract) as MessageName[]).map((name) =>
    messenger.onMessage(name, (message) =>
      dispatchMessage(name, message.data, { id: message.sender.id, url: message.sender.url }, handlers, env) as never,
    ),
  );
  return () => removers.forEach((remove) => remove());
}

export type { MessageRequest };
