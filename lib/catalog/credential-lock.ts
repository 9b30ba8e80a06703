import type { SessionArea } from '../background/session-stores';
import type { CatalogDb } from './db';
import { credentialsSchema, MALL_IDS, type Credentials, type MallId } from './schemas';

/**
 * Optional passphrase lock for the mall credentials. When it is on, credentials are stored only
 * encrypted (AES-GCM, key from the passphrase by PBKDF2-SHA-256) and the decrypted copies live in
 * session storage: in memory, for extension contexts only, gone when the browser closes. After a
 * browser restart sync waits until someone unlocks in the dashboard.
 */

const META_KEY = 'credentials.lock';
const SEALED_PREFIX = 'credentials.sealed.';
const SESSION_KEY = 'credentials.unlocked';
const SESSION_AES = 'credentials.key';
const ITERATIONS = 310_000; // OWASP 2023 guidance for PBKDF2-HMAC-SHA256
const CHECK_TEXT = 'ichigen-credentials-v1';

interface Sealed {
  iv: string;
  data: string;
}
interface LockMeta {
  salt: string;
  iterations: number;
  check: Sealed;
}

const b64 = (bytes: ArrayBuffer | Uint8Array) => btoa(String.fromCharCode(...new Uint8Array(bytes)));
const unb64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

async function deriveKey(passphrase: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(passphrase), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations }, material, { name: 'AES-GCM', length: 256 }, true, [
    'encrypt',
    'decrypt',
  ]);
}

async function seal(key: CryptoKey, text: string): Promise<Sealed> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, new TextEncoder().encode(text));
  return { iv: b64(iv), data: b64(data) };
}

async function open(key: CryptoKey, sealed: Sealed): Promise<string> {
  const data = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: unb64(sealed.iv) as BufferSource }, key, unb64(sealed.data) as BufferSource);
  return new TextDecoder().decode(data);
}

export class WrongPassphraseError extends Error {
  constructor() {
    super('wrong passphrase');
  }
}

export async function lockEnabled(db: CatalogDb): Promise<boolean> {
  return (await db.settings.get(META_KEY)) !== undefined;
}

async function sessionKey(session: SessionArea): Promise<CryptoKey | undefined> {
  const jwk = (await session.get(SESSION_AES))[SESSION_AES] as JsonWebKey | undefined;
  return jwk ? crypto.subtle.importKey('jwk', jwk, { name: 'AES-GCM' }, true, ['encrypt', 'decrypt']) : undefined;
}

async function keepUnlocked(session: SessionArea, key: CryptoKey, rows: Credentials[]): Promise<void> {
  await session.set({ [SESSION_AES]: await crypto.subtle.exportKey('jwk', key), [SESSION_KEY]: rows });
}

/** Turns the lock on: every stored credential is encrypted and the plain rows are deleted. */
export async function enableCredentialLock(db: CatalogDb, session: SessionArea, passphrase: string): Promise<void> {
  if (passphrase.length < 8) throw new Error('passphrase-too-short');
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const key = await deriveKey(passphrase, salt, ITERATIONS);
  const rows = (await db.credentials.toArray()).map((r) => credentialsSchema.parse(r));
  const sealed = await Promise.all(rows.map(async (r) => ({ key: `${SEALED_PREFIX}${r.mall}`, value: await seal(key, JSON.stringify(r)) })));
  const meta: LockMeta = { salt: b64(salt), iterations: ITERATIONS, check: await seal(key, CHECK_TEXT) };
  await db.transaction('rw', db.settings, db.credentials, async () => {
    await db.settings.bulkPut([...sealed, { key: META_KEY, value: meta }]);
    await db.credentials.clear();
  });
  await keepUnlocked(session, key, rows);
}

/** Decrypts the credentials into session storage; throws WrongPassphraseError. */
export async function unlockCredentials(db: CatalogDb, session: SessionArea, passphrase: string): Promise<void> {
  const meta = (await db.settings.get(META_KEY))?.value as LockMeta | undefined;
  if (!meta) return;
  const key = await deriveKey(passphrase, unb64(meta.salt), meta.iterations);
  try {
    if ((await open(key, meta.check)) !== CHECK_TEXT) throw new WrongPassphraseError();
  } catch {
    throw new WrongPassphraseError();
  }
  const rows: Credentials[] = [];
  for (const mall of MALL_IDS) {
    const sealed = (await db.settings.get(`${SEALED_PREFIX}${mall}`))?.value as Sealed | undefined;
    if (sealed) rows.push(credentialsSchema.parse(JSON.parse(await open(key, sealed))));
  }
  await keepUnlocked(session, key, rows);
}

export async function lockCredentialsNow(session: SessionArea): Promise<void> {
  await session.remove(SESSION_KEY);
  await session.remove(SESSION_AES);
}

export async function isUnlocked(session: SessionArea): Promise<boolean> {
  return (await sessionKey(session)) !== undefined;
}

/** Turns the lock off: the credentials go back to plain rows in the extension's database. */
export async function disableCredentialLock(db: CatalogDb, session: SessionArea, passphrase: string): Promise<void> {
  await unlockCredentials(db, session, passphrase);
  const rows = ((await session.get(SESSION_KEY))[SESSION_KEY] as Credentials[] | undefined) ?? [];
  await db.transaction('rw', db.settings, db.credentials, async () => {
    await db.credentials.bulkPut(rows);
    await db.settings.bulkDelete([META_KEY, ...MALL_IDS.map((m) => `${SEALED_PREFIX}${m}`)]);
  });
  await lockCredentialsNow(session);
}

/** A mall's credentials: plain rows when the lock is off, the unlocked session copy when it is on. */
export async function readCredentials(db: CatalogDb, session: SessionArea | undefined, mall: MallId): Promise<Credentials | undefined> {
  if (session && (await lockEnabled(db))) {
    const rows = ((await session.get(SESSION_KEY))[SESSION_KEY] as Credentials[] | undefined) ?? [];
    return rows.find((r) => r.mall === mall);
  }
  const row = await db.credentials.get(mall);
  return row ? credentialsSchema.parse(row) : undefined;
}

/** Stores a credential row, sealed when the lock is on (it must be unlocked then). */
export async function writeCredentials(db: CatalogDb, session: SessionArea | undefined, row: Credentials): Promise<void> {
  if (!session || !(await lockEnabled(db))) {
    await db.credentials.put(row);
    return;
  }
  const key = await sessionKey(session);
  if (!key) throw new Error('credentials-locked');
  const rows = (((await session.get(SESSION_KEY))[SESSION_KEY] as Credentials[] | undefined) ?? []).filter((r) => r.mall !== row.mall);
  await db.settings.put({ key: `${SEALED_PREFIX}${row.mall}`, value: await seal(key, JSON.stringify(row)) });
  await keepUnlocked(session, key, [...rows, row]);
}
