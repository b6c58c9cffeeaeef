// What every credential store that keeps sealed records has in common (the file store, the
// PostgreSQL store): creating, replacing, removing and re-encrypting records (record-crypto.ts) as
// one read-modify-write of the whole record list, which each backend loads and writes its own way.
import { z } from 'zod';
import { Keyring, type VaultKeys } from './keys.ts';
import { openRecord, sealRecord, type SealedRecord } from './record-crypto.ts';
import type { CredentialInfo, CredentialInput, CredentialStore } from './types.ts';
import { validateCredential } from './validate.ts';

const list = z.array(z.string());

/** The stored shape of one sealed record. */
export const sealedRecordSchema = z.strictObject({
  name: z.string(),
  kind: z.enum(['bearer', 'header', 'basic', 'query']),
  headerName: z.string().optional(),
  paramName: z.string().optional(),
  scope: z.strictObject({ hosts: list, methods: list, paths: list, agents: list }),
  createdAt: z.string(),
  updatedAt: z.string(),
  keyId: z.string(),
  nonce: z.string(),
  ciphertext: z.string(),
});

/** A record's metadata, without nonce and ciphertext. */
export function info(r: SealedRecord): CredentialInfo {
  const { nonce: _n, ciphertext: _c, ...rest } = r;
  return rest;
}

/** A change to the record list: the new list and what the operation returns. */
export type Change<T> = (records: SealedRecord[]) => { records: SealedRecord[]; result: T };

/** A CredentialStore over a list of sealed records that a backend loads and replaces. */
export abstract class SealedCredentialStore implements CredentialStore {
  protected readonly keyring: Keyring;
  protected readonly now: () => Date;

  constructor(keys: VaultKeys, now: (() => Date) | undefined) {
    this.keyring = new Keyring(keys);
    this.now = now ?? (() => new Date());
  }

  /** Every record, verified. */
  protected abstract load(): Promise<SealedRecord[]>;

  /** Apply `change` to the records, serialized against every other change. */
  protected abstract mutate<T>(change: Change<T>): Promise<T>;

  /** The id of the key new records are encrypted with. */
  get activeKeyId(): string {
    return this.keyring.active.id;
  }

  async list(): Promise<CredentialInfo[]> {
    return (await this.load()).map(info);
  }

  async resolve(name: string): Promise<{ info: CredentialInfo; secret: string } | undefined> {
    const record = (await this.load()).find((r) => r.name === name);
    return record && { info: info(record), secret: openRecord(record, this.keyring) };
  }

  async put(input: CredentialInput): Promise<CredentialInfo> {
    const clean = validateCredential(input);
    return this.mutate((records) => {
      const at = this.now().toISOString();
      const old = records.find((r) => r.name === clean.name);
      const meta: CredentialInfo = {
        name: clean.name,
        kind: clean.kind,
        ...(clean.headerName !== undefined && { headerName: clean.headerName }),
        ...(clean.paramName !== undefined && { paramName: clean.paramName }),
        scope: clean.scope,
        createdAt: old?.createdAt ?? at,
        updatedAt: at,
      };
      const sealed = sealRecord(meta, clean.secret, this.keyring.active);
      const next = records.filter((r) => r.name !== clean.name).concat(sealed);
      return { records: next.sort((a, b) => a.name.localeCompare(b.name)), result: info(sealed) };
    });
  }

  async remove(name: string): Promise<boolean> {
    return this.mutate((records) => {
      const next = records.filter((r) => r.name !== name);
      return { records: next, result: next.length !== records.length };
    });
  }

  /** Re-encrypt every record under the active key; returns how many records changed key. */
  async rotate(): Promise<number> {
    return this.mutate((records) => {
      let changed = 0;
      const next = records.map((r) => {
        if (r.keyId === this.keyring.active.id) return r;
        changed++;
        return sealRecord(info(r), openRecord(r, this.keyring), this.keyring.active);
      });
      return { records: next, result: changed };
    });
  }
}
