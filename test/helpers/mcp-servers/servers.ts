// Policy entries for the tests' MCP servers, parsed by the policy schema (so defaults apply as in
// a policy file), a vault holding their credentials in a temporary directory, and the check that
// a call was refused with a given code.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasCode } from '../../../src/errors.ts';
import { mcpServerSchema, type McpServer } from '../../../src/policy/mcp-schema.ts';
import { FileCredentialStore } from '../../../src/vault/file-store.ts';

/** The stdio test server (test-server.ts), run by this Node. */
export const testServerScript = fileURLToPath(new URL('./test-server.ts', import.meta.url));

/** A policy entry as written in a file (before defaults), parsed. */
export function mcpServer(written: Record<string, unknown>): McpServer {
  return mcpServerSchema.parse(written);
}

/** The test server as policy entry `id`, granting `tools`, with `extra` fields (env, pins, ...). */
export function testServer(
  id: string,
  tools: string[],
  extra: { env?: Record<string, string>; args?: string[]; [k: string]: unknown } = {},
): McpServer {
  const { env = {}, args = [], ...rest } = extra;
  return mcpServer({
    id,
    command: { command: process.execPath, args: [testServerScript, ...args], env },
    tools,
    ...rest,
  });
}

/** A file vault in a fresh temporary directory; `remove()` deletes it. */
export function tempVault(): { vault: FileCredentialStore; dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-mcp-'));
  const vault = new FileCredentialStore({
    path: join(dir, 'vault.json'),
    keys: { active: randomBytes(32) },
  });
  return { vault, dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A scope for credentials the hub hands to servers (it uses them on the host, for any agent). */
export const anyScope = { hosts: ['*'], methods: ['POST'], paths: ['/**'], agents: ['*'] };

/** The message of the AirlockError `p` rejects with; fails unless it rejects with `code`. */
export async function refusal(p: Promise<unknown>, code: string): Promise<string> {
  const err = await p.then(
    () => assert.fail(`expected ${code}`),
    (e: unknown) => e as Error,
  );
  assert.ok(hasCode(err, code), `expected ${code}, got ${String(err)}`);
  return err.message;
}
