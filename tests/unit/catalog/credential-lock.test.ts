import { beforeEach, describe, expect, it } from 'vitest';
import type { SessionArea } from '@/lib/background/session-stores';
import { disableCredentialLock, enableCredentialLock, lockCredentialsNow, unlockCredentials, WrongPassphraseError } from '@/lib/catalog/credential-lock';
import { credentialStatus, loadCredentials, saveCredentials } from '@/lib/catalog/credentials';
import { resetCatalogDbForTests, type CatalogDb } from '@/lib/catalog/db';

function memorySession(): SessionArea {
  const map = new Map<string, unknown>();
  return {
    get: async (k) => (map.has(k) ? { [k]: map.get(k) } : {}),
    set: async (items) => void Object.entries(items).forEach(([k, v]) => map.set(k, v)),
    remove: async (k) => void map.delete(k),
  };
}

let db: CatalogDb;
let session: SessionArea;
beforeEach(async () => {
  db = await resetCatalogDbForTests();
  session = memorySession();
  await saveCredentials(db, { mall: 'rakuten', serviceSecret: 'SP000001_secret', licenseKey: 'SL000001_license' }, 1, session);
});

describe('credential passphrase lock', () => {
  it('stores credentials only encrypted once on, and reads them while unlocked', async () => {
    await enableCredentialLock(db, session, 'correct horse');
    expect(await db.credentials.count()).toBe(0);
    const everything = JSON.stringify(await db.settings.toArray());
    expect(everything).not.toContain('SL000001_license');
    expect(await loadCredentials(db, 'rakuten', session)).toMatchObject({ licenseKey: 'SL000001_license' });

    await lockCredentialsNow(session);
    expect(await loadCredentials(db, 'rakuten', session)).toBeUndefined();
    expect((await credentialStatus(db, session)).rakuten.configured).toBe(true);
    await expect(unlockCredentials(db, session, 'wrong horse')).rejects.toBeInstanceOf(WrongPassphraseError);
    await unlockCredentials(db, session, 'correct horse');
    expect(await loadCredentials(db, 'rakuten', session)).toMatchObject({ serviceSecret: 'SP000001_secret' });
  });

  it('seals credentials saved while unlocked, refuses them while locked, and turns off cleanly', async () => {
    await enableCredentialLock(db, session, 'correct horse');
    await saveCredentials(db, { mall: 'amazon', clientId: 'c', clientSecret: 'amazon-secret', refreshToken: 'Atzr|x', sellerId: 'A1' }, 2, session);
    expect(JSON.stringify(await db.settings.toArray())).not.toContain('amazon-secret');
    await lockCredentialsNow(session);
    await expect(saveCredentials(db, { mall: 'amazon', clientId: 'c', clientSecret: 's', refreshToken: 'r', sellerId: 'A1' }, 3, session)).rejects.toThrow('credentials-locked');
    await disableCredentialLock(db, session, 'correct horse');
    expect(await db.credentials.get('amazon')).toMatchObject({ clientSecret: 'amazon-secret' });
    expect(await db.credentials.get('rakuten')).toMatchObject({ licenseKey: 'SL000001_license' });
  });
});
