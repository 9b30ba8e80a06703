import { describe, expect, it } from 'vitest';
import { REAL_ENDPOINTS } from '@/lib/malls/endpoints';
import { hostPermissionsFor } from '@/lib/manifest-permissions';

describe('host permissions', () => {
  it('production may reach every mall API and auth host the clients call, and nothing local', () => {
    const { host_permissions } = hostPermissionsFor('production');
    for (const url of Object.values(REAL_ENDPOINTS).flatMap((e) => Object.values(e) as string[])) {
      expect(host_permissions).toContain(`${new URL(url).origin}/*`);
    }
    expect(host_permissions.some((p) => p.includes('127.0.0.1') || p.includes('localhost') || p.includes('*://*'))).toBe(false);
  });

  it('demo and e2e builds reach only the simulator; user-chosen alert hosts are optional everywhere', () => {
    expect(hostPermissionsFor('e2e').host_permissions).toEqual(['http://127.0.0.1/*']);
    expect(hostPermissionsFor('demo').host_permissions).toEqual(['http://127.0.0.1/*']);
    expect(hostPermissionsFor('production').optional_host_permissions).toEqual(['https://*/*']);
  });
});
