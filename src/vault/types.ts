// The shapes of the credential vault: what a credential is, where it may be used, and the storage
// interface a backend implements. The file store is one backend; HashiCorp Vault or Azure Key Vault
// can implement the same `CredentialStore` later, because callers only ever see metadata + secret.

/** How a secret is put into an outgoing request. */
export type CredentialKind = 'bearer' | 'header' | 'basic' | 'query';

/** The kinds, for validation and usage text. */
export const credentialKinds: readonly CredentialKind[] = ['bearer', 'header', 'basic', 'query'];

/** Where a credential may be used; every list must match for a request to be in scope. */
export interface CredentialScope {
  /** Host globs, matched against the hostname (or `host:port` when the glob has a colon). */
  hosts: string[];
  /** Upper-case HTTP methods. */
  methods: string[];
  /** Path globs matched against the URL path (`*` stays within a segment, `**` crosses). */
  paths: string[];
  /** Agent id globs; an empty list means no agent may use the credential. */
  agents: string[];
}

/** Everything about a credential except its secret; safe to show and log. */
export interface CredentialInfo {
  name: string;
  kind: CredentialKind;
  /** Header name, for kind `header`. */
  headerName?: string;
  /** Query parameter name, for kind `query`. */
  paramName?: string;
  scope: CredentialScope;
  /** ISO-8601 timestamps. */
  createdAt: string;
  updatedAt: string;
  /** Id of the key that encrypts the secret (file store), for rotation. */
  keyId?: string;
}

/** A credential to store: its metadata (timestamps are set by the store) and the secret value. */
export interface CredentialInput {
  name: string;
  kind: CredentialKind;
  headerName?: string;
  paramName?: string;
  scope: CredentialScope;
  /** The secret; for kind `basic` it is `user:password`. */
  secret: string;
}

/** A storage backend for credentials; secrets leave it only through `resolve`. */
export interface CredentialStore {
  /** Metadata of every credential, sorted by name. */
  list(): Promise<CredentialInfo[]>;
  /** Metadata and decrypted secret of one credential, or undefined when there is none. */
  resolve(name: string): Promise<{ info: CredentialInfo; secret: string } | undefined>;
  /** Create or replace a credential; returns its stored metadata. */
  put(input: CredentialInput): Promise<CredentialInfo>;
  /** Remove a credential; false when it did not exist. */
  remove(name: string): Promise<boolean>;
}
