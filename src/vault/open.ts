// Opening the configured vault, with the keys from the environment: the PostgreSQL store when
// AIRLOCK_STATE_DB_URL is set (workers on several hosts), else the file store at
// AIRLOCK_VAULT_FILE (default <AIRLOCK_DATA_DIR>/vault.json). Other backends plug in here.
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { FileCredentialStore } from './file-store.ts';
import { loadVaultKeys } from './keys.ts';
import { PgCredentialStore } from './pg-store.ts';
import type { SealedCredentialStore } from './sealed-store.ts';

/** The store file path the config selects. */
export function vaultFilePath(
  config: Pick<Config, 'AIRLOCK_VAULT_FILE' | 'AIRLOCK_DATA_DIR'>,
): string {
  return config.AIRLOCK_VAULT_FILE ?? join(config.AIRLOCK_DATA_DIR, 'vault.json');
}

/** The credential store the config selects; throws `vault_key_missing` without a master key. */
export function openVault(config: Config): SealedCredentialStore {
  const keys = loadVaultKeys(config);
  if (config.AIRLOCK_STATE_DB_URL)
    return new PgCredentialStore({ url: config.AIRLOCK_STATE_DB_URL, keys });
  return new FileCredentialStore({ path: vaultFilePath(config), keys });
}
