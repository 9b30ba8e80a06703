import { REAL_ENDPOINTS } from './malls/endpoints';

/**
 * Host permissions of the extension (the service worker's fetch to a host needs one: the malls' APIs
 * send no CORS headers). Production reaches exactly the malls' API and auth hosts; demo and e2e builds
 * reach the simulator on 127.0.0.1 instead. Alert webhooks and the mail provider are user-chosen hosts,
 * asked for one at a time when the user saves them (optional_host_permissions).
 */
export function hostPermissionsFor(mode: string): { host_permissions: string[]; optional_host_permissions: string[] } {
  const local = mode === 'e2e' || mode === 'demo' || mode === 'development';
  const malls = Object.values(REAL_ENDPOINTS).flatMap((e) => Object.values(e) as string[]);
  const origins = [...new Set(malls.map((url) => `${new URL(url).origin}/*`))];
  return {
    host_permissions: local ? ['http://127.0.0.1/*'] : origins,
    optional_host_permissions: ['https://*/*'],
  };
}
