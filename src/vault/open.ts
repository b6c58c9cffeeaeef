// Opening the configured vault: the file store at AIRLOCK_VAULT_FILE (default
// <AIRLOCK_DATA_DIR>/vault.json) with the keys from the environment. Other backends plug in here.
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { FileCredentialStore } from './file-store.ts';
import { loadVaultKeys } from './keys.ts';

/** The store file path the config selects. */
export function vaultFilePath(
  config: Pick<Config, 'AIRLOCK_VAULT_FILE' | 'AIRLOCK_DATA_DIR'>,
): string {
  return config.AIRLOCK_VAULT_FILE ?? join(config.AIRLOCK_DATA_DIR, 'vault.json');
}

/** The credential store the config selects; throws `vault_key_missing` without a master key. */
export function openVault(config: Config): FileCredentialStore {
  return new FileCredentialStore({ path: vaultFilePath(config), keys: loadVaultKeys(config) });
}
