// Master keys for the vault: one active key that encrypts, older keys that still decrypt (rotation).
// Each master key is split with HKDF into an encryption key, a MAC key and a public key id, so the
// id stored next to every record says which key to use without revealing anything about the key.
import { hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Config } from '../config.ts';
import { AirlockError } from '../errors.ts';

/** The `keys` option: the active master key and any previous ones still accepted for reading. */
export interface VaultKeys {
  active: Buffer;
  previous?: Buffer[];
}

/** One master key's derived material. */
export interface DerivedKey {
  id: string;
  enc: Buffer;
  mac: Buffer;
}

/** How to make a key, repeated in every missing/invalid-key message. */
export const keyHelp =
  'Set AIRLOCK_VAULT_KEY to 32 random bytes, base64-encoded, or AIRLOCK_VAULT_KEY_FILE to a file ' +
  'holding them. Generate one with: openssl rand -base64 32';

function derive(master: Buffer): DerivedKey {
  if (master.length !== 32) {
    throw new AirlockError('vault_key_invalid', `a vault key must be 32 bytes. ${keyHelp}`);
  }
  const part = (info: string, n: number) => Buffer.from(hkdfSync('sha256', master, '', info, n));
  return {
    id: part('airlock-vault key-id', 6).toString('hex'),
    enc: part('airlock-vault aes-256-gcm', 32),
    mac: part('airlock-vault hmac-sha256', 32),
  };
}

/** The derived keys by id; `active` encrypts and seals, every key decrypts. */
export class Keyring {
  readonly active: DerivedKey;
  private readonly byId = new Map<string, DerivedKey>();

  constructor(keys: VaultKeys) {
    this.active = derive(keys.active);
    for (const k of [keys.active, ...(keys.previous ?? [])]) {
      const d = derive(k);
      this.byId.set(d.id, d);
    }
  }

  /** The derived key with this id, if it is one of ours. */
  get(id: string): DerivedKey | undefined {
    return this.byId.get(id);
  }

  /** Every known key id, active first. */
  ids(): string[] {
    return [...this.byId.keys()];
  }
}

function decodeKey(text: string, source: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) {
    throw new AirlockError('vault_key_invalid', `${source} is not 32 bytes of base64. ${keyHelp}`);
  }
  return key;
}

/** Read the vault keys from config: AIRLOCK_VAULT_KEY or AIRLOCK_VAULT_KEY_FILE, plus previous keys. */
export function loadVaultKeys(
  config: Pick<
    Config,
    'AIRLOCK_VAULT_KEY' | 'AIRLOCK_VAULT_KEY_FILE' | 'AIRLOCK_VAULT_PREVIOUS_KEYS'
  >,
): VaultKeys {
  const { AIRLOCK_VAULT_KEY: inline, AIRLOCK_VAULT_KEY_FILE: file } = config;
  if (inline && file) {
    throw new AirlockError(
      'vault_key_invalid',
      'Both AIRLOCK_VAULT_KEY and AIRLOCK_VAULT_KEY_FILE are set; set only one.',
    );
  }
  let active: Buffer;
  if (inline) active = decodeKey(inline, 'AIRLOCK_VAULT_KEY');
  else if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new AirlockError(
        'vault_key_missing',
        `Cannot read AIRLOCK_VAULT_KEY_FILE ${file} (${code}). ${keyHelp}`,
      );
    }
    active = decodeKey(text, `AIRLOCK_VAULT_KEY_FILE ${file}`);
  } else {
    throw new AirlockError('vault_key_missing', `No vault master key is configured. ${keyHelp}`);
  }
  const previous = (config.AIRLOCK_VAULT_PREVIOUS_KEYS ?? '')
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((s, i) => decodeKey(s, `AIRLOCK_VAULT_PREVIOUS_KEYS entry ${i + 1}`));
  return { active, previous };
}
