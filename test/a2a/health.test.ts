// The A2A server's health endpoints, which need no client token: /healthz while it serves; /readyz
// only while Temporal answers and the policy loads, else 503 naming what is missing. Real A2A
// servers on free ports, the real dev server, and a Temporal address where nothing listens.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { startA2AServer, type A2AServer } from '../../src/a2a/server.ts';
import { createLogger } from '../../src/log.ts';
import { currentPolicy } from '../../src/policy/current.ts';
import { createClient } from '../../src/temporal/client.ts';
import { freePort, repoRoot, testConfig } from '../helpers/temporal.ts';

const config = testConfig({
  AIRLOCK_A2A_TOKENS: `partner=${randomBytes(24).toString('base64url')}`,
});
const logger = createLogger({ level: 'silent' });
const get = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

test('/healthz and /readyz answer without a token; ready with Temporal and the policy', async () => {
  const client = await createClient(config);
  let server: A2AServer | undefined;
  try {
    server = await startA2AServer(
      { config, client, policy: currentPolicy(join(repoRoot, 'policies')), logger },
      0,
    );
    assert.equal((await get(`${server.url}/healthz`)).status, 200);
    assert.deepEqual(await get(`${server.url}/readyz`), {
      status: 200,
      body: { status: 'ready', temporal: 'reachable', policy: 'loaded' },
    });
    assert.equal((await fetch(`${server.url}/agents/x`)).status, 401, 'the rest still needs one');
  } finally {
    await server?.close();
    await client.connection.close();
  }
});

test('/readyz is 503 while Temporal does not answer, or the policy does not load', async () => {
  // Nothing listens at this address: the lazy connection fails on the first call.
  const away = new Client({
    connection: Connection.lazy({ address: `127.0.0.1:${await freePort()}` }),
    namespace: config.TEMPORAL_NAMESPACE,
  });
  const client = await createClient(config);
  const servers: A2AServer[] = [];
  try {
    const policy = currentPolicy(join(repoRoot, 'policies'));
    const noTemporal = await startA2AServer({ config, client: away, policy, logger }, 0);
    servers.push(noTemporal);
    assert.equal((await get(`${noTemporal.url}/healthz`)).status, 200);
    assert.deepEqual(await get(`${noTemporal.url}/readyz`), {
      status: 503,
      body: { status: 'not ready', temporal: 'unreachable', policy: 'loaded' },
    });
    const empty = mkdtempSync(join(tmpdir(), 'airlock-a2a-nopolicy-'));
    const noPolicy = await startA2AServer(
      { config, client, policy: currentPolicy(join(empty, 'missing')), logger },
      0,
    );
    servers.push(noPolicy);
    assert.deepEqual(await get(`${noPolicy.url}/readyz`), {
      status: 503,
      body: { status: 'not ready', temporal: 'reachable', policy: 'not loadable' },
    });
  } finally {
    for (const s of servers) await s.close();
    await away.connection.close();
    await client.connection.close();
  }
});
