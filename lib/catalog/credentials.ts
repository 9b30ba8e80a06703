import type { CatalogDb } from './db';
import { credentialsSchema, MALL_IDS, type Credentials, type MallId } from './schemas';

export type CredentialStatusMap = Record<MallId, { configured: boolean; updatedAt?: number }>;

/**
 * Credentials live in the extension's IndexedDB only. Not in `storage.local`: content scripts can read
 * that area, and a content script must never see a secret.
 */
export async function saveCredentials(db: CatalogDb, input: Omit<Credentials, 'updatedAt'>, now = Date.now()): Promise<void> {
  const row = credentialsSchema.parse({ ...input, updatedAt: now });
  await db.transaction('rw', db.credentials, db.auditLog, async () => {
    const before = await db.credentials.get(row.mall);
    // Keep what only the OAuth flow sets (Yahoo refresh token, key data) when the form re-saves the app keys.
    await db.credentials.put(before && before.mall === row.mall ? ({ ...before, ...row } as Credentials) : row);
    await db.auditLog.add({ at: now, actor: 'user', action: 'credentials.saved', detail: { mall: row.mall } });
  });
}

export async function credentialStatus(db: CatalogDb): Promise<CredentialStatusMap> {
  const rows = await db.credentials.bulkGet([...MALL_IDS]);
  const status = {} as CredentialStatusMap;
  MALL_IDS.forEach((mall, i) => {
    const row = rows[i];
    status[mall] = row ? { configured: true, updatedAt: row.updatedAt } : { configured: false };
  });
  return status;
}

export async function loadCredentials(db: CatalogDb, mall: MallId): Promise<Credentials | undefined> {
  const row = await db.credentials.get(mall);
  return row ? credentialsSchema.parse(row) : undefined;
}
