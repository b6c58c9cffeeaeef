// How a PostgreSQL URL is named in messages and logs: its place without its credentials. Every
// store in PostgreSQL (the state database's audit log and vault, the Chat SDK's state) names it so.

/** `host:port/database` of a postgres:// URL: where the state lives, without any credentials. */
export function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}
