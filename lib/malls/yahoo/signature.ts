import forge from 'node-forge';
import { MallError } from '../errors';

/**
 * 公開鍵認証 (spec §1.3): `X-sws-signature` = Base64(RSA PKCS#1 v1.5 encryption of "seller_id:unixtime"
 * with the store's public key), `X-sws-signature-version` = the key's version. WebCrypto has no
 * PKCS#1 v1.5 encryption, hence node-forge (notes/toolchain.md, checked in the MV3 service worker).
 */
export interface PublicKeySigner {
  /** Headers for one attempt; the time inside is the clock's current second. */
  headers(): Record<string, string>;
}

export function createPublicKeySigner(options: { sellerId: string; publicKeyPem: string; keyVersion: string; now: () => number }): PublicKeySigner {
  let key: forge.pki.rsa.PublicKey | undefined;
  let last: { second: number; signature: string } | undefined;
  return {
    headers() {
      key ??= readKey(options.publicKeyPem);
      const second = Math.floor(options.now() / 1000);
      // The padding is random, so every encryption differs; within one second the plain text is the same,
      // so reusing that second's signature is equivalent and spares RSA work on both sides.
      if (last?.second !== second) {
        const encrypted = key.encrypt(`${options.sellerId}:${second}`, 'RSAES-PKCS1-V1_5');
        last = { second, signature: forge.util.encode64(encrypted) };
      }
      return { 'X-sws-signature': last.signature, 'X-sws-signature-version': options.keyVersion };
    },
  };
}

function readKey(pem: string): forge.pki.rsa.PublicKey {
  try {
    return forge.pki.publicKeyFromPem(pem.trim()) as forge.pki.rsa.PublicKey;
  } catch (cause) {
    throw new MallError({
      mall: 'yahoo',
      endpoint: 'public-key',
      kind: 'auth',
      message: 'the Yahoo public key cannot be read: paste the whole PEM including the BEGIN/END PUBLIC KEY lines',
      cause,
    });
  }
}
