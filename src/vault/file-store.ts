// The file-backed CredentialStore: one JSON file of encrypted records, sealed with an HMAC, replaced
// atomically (temp file + fsync + rename + directory fsync, mode 0600) under a lock file, so a
// reader sees the old file or the new one, never half of either, and a failed check or a crash
// leaves the previous bytes untouched. Rollback to an older complete file is not detected.
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { AirlockError } from '../errors.ts';
import { syncDir, writeDurably } from '../durable-file.ts';
import { withFileLock } from '../file-lock.ts';
import type { VaultKeys } from './keys.ts';
import { storeMac, verifyStoreMac, type SealedRecord } from './record-crypto.ts';
import { SealedCredentialStore, sealedRecordSchema, type Change } from './sealed-store.ts';

const fileSchema = z.strictObject({
  format: z.literal('airlock-vault'),
  version: z.literal(1),
  keyId: z.string(),
  mac: z.string(),
  records: z.array(sealedRecordSchema),
});
type StoreFile = z.infer<typeof fileSchema>;

/** Options for the file store. */
export interface FileStoreOptions {
  /** The store file, e.g. `<AIRLOCK_DATA_DIR>/vault.json`. */
  path: string;
  keys: VaultKeys;
  now?: () => Date;
  /** Test seam: runs after the temp file is written and synced, just before the rename. */
  beforeRename?: () => Promise<void>;
}

function tampered(path: string, why: string): AirlockError {
  return new AirlockError(
    'vault_tampered',
    `The vault store ${path} ${why}; it was modified outside Airlock or damaged. It was left unchanged; restore it from a backup.`,
  );
}

/** A CredentialStore in one encrypted JSON file. */
export class FileCredentialStore extends SealedCredentialStore {
  private readonly path: string;
  private readonly beforeRename: (() => Promise<void>) | undefined;
  /** Parsed and verified records, valid while the file's inode, size and mtime are unchanged. */
  private cache: { stamp: string; records: SealedRecord[] } | undefined;

  constructor(options: FileStoreOptions) {
    super(options.keys, options.now);
    this.path = options.path;
    this.beforeRename = options.beforeRename;
  }

  /** Read, parse and verify the whole store; a missing file is an empty store. */
  protected async load(): Promise<SealedRecord[]> {
    let stamp: string;
    let bytes: Buffer;
    try {
      // Synchronous on purpose: a stat takes microseconds, a thread-pool round trip far longer, and
      // this runs on every vault request (see bench/RESULTS.md, vault section).
      const s = statSync(this.path, { bigint: true });
      stamp = `${s.ino}:${s.size}:${s.mtimeNs}`;
      if (this.cache?.stamp === stamp) return this.cache.records;
      bytes = await readFile(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new AirlockError(
        'vault_io',
        `Cannot read the vault store ${this.path}: ${(err as Error).message}`,
      );
    }
    const records = this.verify(bytes);
    this.cache = { stamp, records };
    return records;
  }

  private verify(bytes: Buffer): SealedRecord[] {
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw tampered(this.path, 'is not valid JSON (truncated?)');
    }
    const parsed = fileSchema.safeParse(json);
    if (!parsed.success) throw tampered(this.path, 'does not have the vault store format');
    const file: StoreFile = parsed.data;
    const key = this.keyring.get(file.keyId);
    if (!key) {
      throw new AirlockError(
        'vault_key_mismatch',
        `The vault store ${this.path} was written with key id ${file.keyId}, but the configured keys ` +
          `have ids ${this.keyring.ids().join(', ')}: wrong AIRLOCK_VAULT_KEY? To rotate, set the new ` +
          'key as AIRLOCK_VAULT_KEY and the old one in AIRLOCK_VAULT_PREVIOUS_KEYS.',
      );
    }
    if (!verifyStoreMac(file.records, file.mac, key))
      throw tampered(this.path, 'failed its integrity check');
    return file.records;
  }

  /** Serialize read-modify-write: in this process by a promise chain, across processes by a lock file. */
  private queue: Promise<unknown> = Promise.resolve();

  protected mutate<T>(change: Change<T>): Promise<T> {
    const run = async (): Promise<T> => {
      await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
      return withFileLock(
        `${this.path}.lock`,
        async () => {
          this.cache = undefined;
          const { records, result } = change(await this.load());
          const file: StoreFile = {
            format: 'airlock-vault',
            version: 1,
            keyId: this.keyring.active.id,
            mac: storeMac(records, this.keyring.active),
            records,
          };
          await this.writeAtomic(`${JSON.stringify(file, null, 2)}\n`);
          return result;
        },
        5000,
        'vault_busy',
      );
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async writeAtomic(text: string): Promise<void> {
    const dir = dirname(this.path);
    const tmp = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeDurably(tmp, text, 'wx');
      await this.beforeRename?.();
      await rename(tmp, this.path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    // The rename is only durable once the directory entry itself is on disk.
    await syncDir(dir);
  }
}
