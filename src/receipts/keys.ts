// The Ed25519 keys that sign approval decisions: the webhook holds the private key (PKCS#8 DER,
// base64), everyone who checks a decision holds the public keys (SPKI DER, base64). A key's id is
// the first 16 hex characters of sha256(SPKI DER), so a signature names the key that made it.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { AirlockError } from '../errors.ts';

/** One public key that decisions may be signed with. */
export interface DecisionPublicKey {
  keyId: string;
  key: KeyObject;
}

/** The id of the key whose SPKI DER encoding is `spki`. */
export function keyIdOf(spki: Buffer): string {
  return createHash('sha256').update(spki).digest('hex').slice(0, 16);
}

/** Parse one base64 SPKI DER Ed25519 public key; throws `decision_key_invalid`. */
export function parsePublicKey(base64: string): DecisionPublicKey {
  const der = Buffer.from(base64.trim(), 'base64');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch (err) {
    throw new AirlockError('decision_key_invalid', 'not a base64 SPKI DER public key', {
      cause: err,
    });
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new AirlockError('decision_key_invalid', 'the public key is not an Ed25519 key');
  return { keyId: keyIdOf(key.export({ format: 'der', type: 'spki' })), key };
}

/** Parse a comma-separated list of base64 SPKI DER public keys (blank entries are skipped). */
export function parsePublicKeys(list: string | undefined): DecisionPublicKey[] {
  return (list ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(parsePublicKey);
}

/** Parse a base64 PKCS#8 DER Ed25519 private key; throws `decision_key_invalid`. */
export function parsePrivateKey(base64: string): { keyId: string; key: KeyObject } {
  let key: KeyObject;
  try {
    key = createPrivateKey({
      key: Buffer.from(base64.trim(), 'base64'),
      format: 'der',
      type: 'pkcs8',
    });
  } catch (err) {
    throw new AirlockError('decision_key_invalid', 'not a base64 PKCS#8 DER private key', {
      cause: err,
    });
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new AirlockError('decision_key_invalid', 'the private key is not an Ed25519 key');
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return { keyId: keyIdOf(spki), key };
}

/** A new key pair, both halves base64 DER (private PKCS#8, public SPKI), and its key id. */
export function generateDecisionKeyPair(): {
  privateKey: string;
  publicKey: string;
  keyId: string;
} {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return {
    privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    publicKey: spki.toString('base64'),
    keyId: keyIdOf(spki),
  };
}
