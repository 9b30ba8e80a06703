import type { SessionArea } from '../background/session-stores';
import { lockEnabled, isUnlocked, readCredentials, writeCredentials } from './credential-lock';
import type { CatalogDb } from './db';
import { credentialsSchema, MALL_IDS, type Credentials, type MallId } from './schemas';

export type CredentialStatusMap = Record<MallId, { configured: boolean; updatedAt?: number }>;

/**
 * Credentials live in the extension's IndexedDB only (encrypted there when the passphrase lock is on).
 * Not in `storage.local`: content scripts can read that area, and a content script must never see a secret.
 */
/** A credentials row as a form gives it (each mall's shape, without the timestamp). */
export type CredentialFields = Credentials extends infer C ? (C extends unknown ? Omit<C, 'updatedAt'> : never) : never;

export async function saveCredentials(db: CatalogDb, input: CredentialFields, now = Date.now(), session?: SessionArea): Promise<void> {
  const row = credentialsSchema.parse({ ...input, updatedAt: now });
  const before = await readCredentials(db, session, row.mall);
  // Keep what only the OAuth flow sets (Yahoo refresh token, key data) when the form re-saves the app keys.
  await writeCredentials(db, session, before && before.mall === row.mall ? ({ ...before, ...row } as Credentials) : row);
  await db.auditLog.add({ at: now, actor: 'user', action: 'credentials.saved', detail: { mall: row.mall } });
}

export async function credentialStatus(db: CatalogDb, session?: SessionArea): Promise<CredentialStatusMap> {
  const status = {} as CredentialStatusMap;
  const sealed = session && (await lockEnabled(db)) ? await db.settings.where('key').startsWith('credentials.sealed.').primaryKeys() : [];
  for (const mall of MALL_IDS) {
    const row = await readCredentials(db, session, mall);
    status[mall] = row ? { configured: true, updatedAt: row.updatedAt } : { configured: sealed.includes(`credentials.sealed.${mall}`) };
  }
  return status;
}

export async function lockStatus(db: CatalogDb, session: SessionArea): Promise<{ enabled: boolean; unlocked: boolean }> {
  const enabled = await lockEnabled(db);
  return { enabled, unlocked: enabled ? await isUnlocked(session) : true };
}

export async function loadCredentials(db: CatalogDb, mall: MallId, session?: SessionArea): Promise<Credentials | undefined> {
  return readCredentials(db, session, mall);
}
