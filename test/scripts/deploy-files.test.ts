// docker-compose.yml, Dockerfile and .dockerignore, read as files (no registry here to pull the
// images they name): ports only on loopback, every Airlock setting they pass is one Airlock reads,
// the worker and the webhook each keep their data (audit, vault, click inbox) on a named volume
// the image's user can write, the webhook's chat state and the workers' audit log and vault live in
// databases of their own on the compose postgres, the build context leaves caches and data behind,
// and every Airlock process is health-checked on the /readyz of the port it serves.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { settingNames } from '../../src/config.ts';
import { repoRoot } from '../helpers/temporal.ts';

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  entrypoint?: string[];
  ports?: string[];
  environment?: Record<string, string | number>;
  volumes?: string[];
  networks?: string[];
  healthcheck?: { test?: string[] };
}
// Compose resolves YAML merge keys (`<<: *temporal-client`); so does this parse.
const compose = parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'), {
  merge: true,
}) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');
const service = (name: string): Service => compose.services[name] ?? {};
const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');

test('every published port binds to 127.0.0.1', () => {
  for (const [name, service] of Object.entries(compose.services))
    for (const port of service.ports ?? []) assert.match(port, /^127\.0\.0\.1:/, name);
});

test('the codec service shares no network with the webhook, and requires its token', () => {
  const codec = compose.services.codec;
  const webhook = compose.services.webhook;
  assert.ok(codec?.networks?.length, 'the codec service names its networks (not the default one)');
  assert.ok(webhook?.networks?.length, 'the webhook names its networks (not the default one)');
  const shared = codec.networks.filter((n) => webhook.networks?.includes(n));
  assert.deepEqual(shared, [], 'networks the codec service and the webhook share');
  for (const [name, service] of Object.entries(compose.services))
    assert.ok(service.networks?.length, `${name} is on a named network, not the shared default`);
  assert.match(String(codec.environment?.AIRLOCK_CODEC_TOKEN), /^\$\{AIRLOCK_CODEC_TOKEN:\?/);
});

test('the Airlock services pass only settings Airlock reads', () => {
  for (const name of ['worker', 'webhook', 'codec']) {
    const env = Object.keys(compose.services[name]?.environment ?? {});
    assert.ok(env.length > 0, name);
    for (const key of env.filter((k) => k !== 'DOCKER_HOST'))
      assert.ok(settingNames.includes(key), `${name} sets ${key}, which Airlock does not read`);
  }
});

test('the webhook keeps its chat state in the compose postgres, in a database of its own', () => {
  const webhook = compose.services.webhook as Service & { depends_on?: Record<string, unknown> };
  const url = String(webhook.environment?.AIRLOCK_CHAT_STATE_URL);
  assert.match(
    url,
    /^postgres:\/\/airlock_chat:\$\{AIRLOCK_CHAT_STATE_PASSWORD\}@postgres:5432\/airlock_chat$/,
  );
  // The role and database come from the one-shot chat-state-db service, before the webhook starts.
  assert.deepEqual(webhook.depends_on?.['chat-state-db'], {
    condition: 'service_completed_successfully',
  });
  const init = compose.services['chat-state-db'] as Service;
  assert.match(
    String(init.environment?.CHAT_STATE_PASSWORD),
    /^\$\{AIRLOCK_CHAT_STATE_PASSWORD:\?/,
  );
  assert.ok(
    init.volumes?.includes('./deploy/postgres/chat-state-db.sh:/airlock/chat-state-db.sh:ro'),
  );
  assert.deepEqual(init.command, ['sh', '/airlock/chat-state-db.sh']);
  assert.match(
    read('deploy/postgres/chat-state-db.sh'),
    /CREATE DATABASE airlock_chat OWNER airlock_chat/,
  );
  for (const name of ['postgres', 'webhook']) {
    assert.ok(compose.services[name]?.networks?.includes('backend'), `${name} is on backend`);
  }
});

test('the workers keep the audit log and the vault in the compose postgres, in a database of their own', () => {
  const worker = compose.services.worker as Service & { depends_on?: Record<string, unknown> };
  assert.match(
    String(worker.environment?.AIRLOCK_STATE_DB_URL),
    /^postgres:\/\/airlock_state:\$\{AIRLOCK_STATE_DB_PASSWORD\}@postgres:5432\/airlock_state$/,
  );
  // The role, database and tables come from the one-shot state-db service, before the worker.
  assert.deepEqual(worker.depends_on?.['state-db'], {
    condition: 'service_completed_successfully',
  });
  const init = compose.services['state-db'] as Service;
  assert.match(String(init.environment?.STATE_DB_PASSWORD), /^\$\{AIRLOCK_STATE_DB_PASSWORD:\?/);
  assert.ok(init.volumes?.includes('./src/state/schema.sql:/airlock/schema.sql:ro'));
  // The script scripts/production.sh runs too; Airlock's role may only add to and read the audit
  // log (test/src/audit/pg-log.test.ts runs it).
  assert.ok(init.volumes?.includes('./deploy/postgres/state-db.sh:/airlock/state-db.sh:ro'));
  assert.deepEqual(init.command, ['sh', '/airlock/state-db.sh']);
  assert.match(
    read('deploy/postgres/state-db.sh'),
    /GRANT SELECT, INSERT ON airlock_audit TO airlock_state;/,
  );
  assert.ok(init.networks?.includes('backend'));
});

test('Temporal runs as four services from the config, versions and scripts the production profile tests', () => {
  const script = read('scripts/production.sh');
  const serverVersion = /^SERVER_VERSION=(\S+)$/m.exec(script)?.[1];
  const uiVersion = /^UI_VERSION=(\S+)$/m.exec(script)?.[1];
  for (const role of ['history', 'matching', 'frontend', 'worker']) {
    const service = compose.services[`temporal-${role}`];
    // Airlock's build of the server (its authorizer), on the stock image of the same version.
    assert.equal(service?.image, `airlock-temporal-server:${serverVersion}`, role);
    assert.equal(service?.build, './deploy/temporal/server', role);
    assert.deepEqual(service?.command, [role]);
    assert.match(
      service?.entrypoint?.join(' ') ?? '',
      /--config-file \/etc\/temporal\/server\.yaml/,
    );
    for (const mount of [
      './deploy/temporal/server.yaml:/etc/temporal/server.yaml:ro',
      './deploy/temporal/dynamicconfig.yaml:/etc/temporal/dynamicconfig.yaml:ro',
      './certs/frontend.key:/etc/temporal/certs/frontend.key:ro',
      './certs/internode.key:/etc/temporal/certs/internode.key:ro',
      './certs/system-worker.key:/etc/temporal/certs/system-worker.key:ro',
    ])
      assert.ok(service?.volumes?.includes(mount), `${role} mounts ${mount}`);
  }
  assert.match(
    read('deploy/temporal/server/Dockerfile'),
    new RegExp(`^FROM temporalio/server:${serverVersion?.replaceAll('.', '\\.')}$`, 'm'),
  );
  assert.match(
    read('deploy/temporal/server/go.mod'),
    new RegExp(`go\\.temporal\\.io/server v${serverVersion?.replaceAll('.', '\\.')}\\n`),
  );
  // The production profile starts the same services, the same build, from the same file.
  assert.match(script, /AUTHZ_SRC="\$ROOT\/deploy\/temporal\/server"/);
  assert.match(script, /--config-file "\$ROOT\/deploy\/temporal\/server\.yaml"/);
  assert.match(script, /SERVICES=\(history matching frontend worker\)/);
  const schema = compose.services['temporal-schema'];
  assert.equal(schema?.image, `temporalio/admin-tools:${serverVersion}`);
  assert.ok(
    schema?.volumes?.includes('./deploy/temporal/setup-schema.sh:/airlock/setup-schema.sh:ro'),
  );
  assert.match(script, /deploy\/temporal\/setup-schema\.sh/);
  const ui = compose.services['temporal-ui'];
  assert.equal(ui?.image, `temporalio/ui:${uiVersion}`);
  assert.ok(ui?.volumes?.includes('./deploy/temporal/ui:/etc/temporal/ui:ro'));
  assert.match(read('deploy/temporal/ui/production.yaml'), /^disableWriteActions: true$/m);
  // Mutual TLS: the frontend demands a client certificate, and every Airlock process has one.
  assert.match(
    read('deploy/temporal/server.yaml'),
    /frontend:\n\s+server:\n\s+requireClientAuth: true/,
  );
});

test('each service mounts the CA certificate and its own certificate and key, nothing else of certs/', () => {
  // The files under ./certs each service may see; the CA's key is on no list.
  const server = ['frontend', 'internode', 'system-worker'].flatMap((n) => [
    `${n}.pem`,
    `${n}.key`,
  ]);
  const own: Record<string, string[]> = {
    'temporal-history': server,
    'temporal-matching': server,
    'temporal-frontend': server,
    'temporal-worker': server,
    'temporal-register': ['operator.pem', 'operator.key'],
    'temporal-ui': ['ui.pem', 'ui.key'],
    worker: ['worker.pem', 'worker.key'],
    webhook: ['webhook.pem', 'webhook.key'],
    a2a: ['a2a.pem', 'a2a.key'],
  };
  for (const [name, service] of Object.entries(compose.services)) {
    const mounted = (service.volumes ?? [])
      .map((v) => v.split(':')[0] as string)
      .filter((src) => src === './certs' || src.startsWith('./certs/'));
    assert.deepEqual(
      mounted.map((src) => src.slice('./certs/'.length)).sort(),
      own[name] ? ['ca.pem', ...own[name]].sort() : [],
      `${name} mounts ${mounted.join(', ') || 'no certificates'}`,
    );
  }
  // The Airlock services present their own certificate, from the file mounted for them alone.
  for (const name of ['worker', 'webhook', 'a2a']) {
    const env = compose.services[name]?.environment ?? {};
    assert.equal(env.TEMPORAL_ADDRESS, 'temporal-frontend:7233', name);
    assert.equal(env.TEMPORAL_TLS_CERT_FILE, `/certs/${name}.pem`, name);
    assert.equal(env.TEMPORAL_TLS_KEY_FILE, `/certs/${name}.key`, name);
    assert.ok(service(name).volumes?.includes(`./certs/${name}.key:/certs/${name}.key:ro`), name);
  }
  // The codec service needs no Temporal certificate at all.
  assert.equal(compose.services.codec?.environment?.TEMPORAL_TLS_CERT_FILE, undefined);
});

test('worker and webhook keep their data on named volumes the image user can write', () => {
  for (const name of ['worker', 'webhook']) {
    const data = (compose.services[name]?.volumes ?? []).find((v) => v.endsWith(':/app/.data'));
    assert.ok(data, `${name} mounts a volume at /app/.data`);
    assert.ok((data.split(':')[0] as string) in compose.volumes, `${data} is a named volume`);
  }
  const dataVolumes = ['worker', 'webhook'].map((n) =>
    compose.services[n]?.volumes?.find((v) => v.endsWith(':/app/.data')),
  );
  assert.notEqual(
    dataVolumes[0],
    dataVolumes[1],
    'the webhook inbox is not shared with the worker',
  );
  assert.match(dockerfile, /chown node:node \/app\/\.data/);
  assert.ok(
    dockerfile.indexOf('chown node:node /app/.data') < dockerfile.indexOf('USER node'),
    'the data directory is prepared before dropping to user node',
  );
});

test('the build context is an allow-list: sources in, secrets, caches, data and packages out', () => {
  const rules = readFileSync(join(repoRoot, '.dockerignore'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'));
  // Everything is left out first; only named sources come back (test/scripts/image-secrets.test.ts
  // builds the context and scans the image).
  assert.equal(rules[0], '*');
  for (const rule of rules.filter((r) => r.startsWith('!')))
    assert.doesNotMatch(rule, /\.env|\.data|certs|\.pem|\.key|node_modules|^!\.$/, rule);
  for (const path of [
    '**/.env*',
    '**/.data',
    '**/certs',
    '**/*.pem',
    '**/*.key',
    '**/node_modules',
  ])
    assert.ok(rules.includes(path), `${path} is left out inside the allowed folders too`);
});

test('every Airlock process is health-checked on its /readyz', () => {
  const port: Record<string, string | number | undefined> = {
    worker: compose.services.worker?.environment?.['AIRLOCK_HEALTH_BIND']?.toString().split(':')[1],
    webhook: compose.services.webhook?.environment?.['AIRLOCK_WEBHOOK_PORT'],
    a2a: compose.services.a2a?.environment?.['AIRLOCK_A2A_PORT'],
    codec: compose.services.codec?.environment?.['AIRLOCK_CODEC_PORT'],
  };
  for (const [name, p] of Object.entries(port)) {
    assert.ok(p, `${name} names its port`);
    const check = compose.services[name]?.healthcheck?.test?.join(' ') ?? '';
    assert.ok(check.includes(`http://127.0.0.1:${p}/readyz`), `${name}: ${check}`);
  }
});
