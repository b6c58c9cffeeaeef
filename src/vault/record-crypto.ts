// Encryption of one credential record (AES-256-GCM, fresh 96-bit nonce each time) and the seal
// over the whole store. The record's metadata is the GCM additional authenticated data, so a
// ciphertext moved to another record, or any edited scope, fails to decrypt; the HMAC seal over
// all records also catches records deleted, duplicated or replayed from an older file.
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { AirlockError } from '../errors.ts';
import type { DerivedKey, Keyring } from './keys.ts';
import type { CredentialInfo } from './types.ts';

/** A record as written to the store: metadata plus key id, nonce and ciphertext (with GCM tag). */
export interface SealedRecord extends CredentialInfo {
  keyId: string;
  /** base64 */
  nonce: string;
  /** base64 of ciphertext followed by the 16-byte tag */
  ciphertext: string;
}

/** The exact bytes bound to a record's ciphertext: every metadata field, in a fixed order. */
export function recordAad(r: CredentialInfo & { keyId: string }): Buffer {
  const s = r.scope;
  const fields = [
    'airlock-vault-record/1',
    r.name,
    r.kind,
    r.headerName ?? null,
    r.paramName ?? null,
    s.hosts,
    s.methods,
    s.paths,
    s.agents,
    r.createdAt,
    r.updatedAt,
    r.keyId,
  ];
  return Buffer.from(JSON.stringify(fields));
}

/** Encrypt `secret` for `info` under `key`. */
export function sealRecord(info: CredentialInfo, secret: string, key: DerivedKey): SealedRecord {
  const nonce = randomBytes(12);
  const meta = { ...info, keyId: key.id };
  const cipher = createCipheriv('aes-256-gcm', key.enc, nonce);
  cipher.setAAD(recordAad(meta));
  const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return { ...meta, nonce: nonce.toString('base64'), ciphertext: body.toString('base64') };
}

/** Decrypt a record, or throw `vault_key_mismatch` (key unknown) / `vault_tampered` (auth fails). */
export function openRecord(record: SealedRecord, keys: Keyring): string {
  const key = keys.get(record.keyId);
  if (!key) {
    throw new AirlockError(
      'vault_key_mismatch',
      `Credential "${record.name}" is encrypted with key id ${record.keyId}, but the configured ` +
        `keys have ids ${keys.ids().join(', ')}. Set the key it was written with as ` +
        'AIRLOCK_VAULT_KEY, or add it to AIRLOCK_VAULT_PREVIOUS_KEYS.',
    );
  }
  const nonce = Buffer.from(record.nonce, 'base64');
  const body = Buffer.from(record.ciphertext, 'base64');
  try {
    if (nonce.length !== 12 || body.length < 16) throw new Error('bad lengths');
    const decipher = createDecipheriv('aes-256-gcm', key.enc, nonce);
    decipher.setAAD(recordAad(record));
    decipher.setAuthTag(body.subarray(body.length - 16));
    const plain = Buffer.concat([
      decipher.update(body.subarray(0, body.length - 16)),
      decipher.final(),
    ]);
    return plain.toString('utf8');
  } catch {
    throw new AirlockError(
      'vault_tampered',
      `Credential "${record.name}" failed its integrity check: the store was modified outside Airlock.`,
    );
  }
}

/** The HMAC over every record (metadata, nonce, ciphertext), in stored order. */
export function storeMac(records: SealedRecord[], key: DerivedKey): string {
  const h = createHmac('sha256', key.mac);
  h.update('airlock-vault-store/1');
  h.update(JSON.stringify(records.map((r) => [recordAad(r).toString(), r.nonce, r.ciphertext])));
  return h.digest('base64');
}

/** True when `mac` is the seal of `records` under `key` (constant-time compare). */
export function verifyStoreMac(records: SealedRecord[], mac: string, key: DerivedKey): boolean {
  const want = Buffer.from(storeMac(records, key), 'base64');
  const got = Buffer.from(mac, 'base64');
  return got.length === want.length && timingSafeEqual(got, want);
}
