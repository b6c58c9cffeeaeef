// `policy check` on a research agent's web.allowHosts: wildcard ports and entries aimed at loopback
// or private addresses without an exact port are warned about (where they are written, and by the
// CLI); exact entries and web globs are not. The demo policy names the carrier's exact port.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { bufferIo } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import { demoCarrierPort } from '../../../src/dev/demo-model.ts';
import { resolveAgent } from '../../../src/policy/agents.ts';
import { loadPolicySet } from '../../../src/policy/load.ts';
import { base, policyOf } from './helpers.ts';

const researcher = (hosts: string[], extra = '') => `agents:
  - id: web-bot
    sensitivity: research
    model: { endpoint: 'http://127.0.0.1:4011/v1', model: standin, apiKeyCredential: model-key }
    web: { allowHosts: [${hosts.map((h) => `'${h}'`).join(', ')}]${extra} }
    talkers: { users: [dan] }
`;

const hosts = [
  '127.0.0.1:*',
  '10.*',
  'localhost',
  '192.168.*.*:8080',
  '127.0.0.1:4012',
  'localhost:4012',
  '*.example.com',
  '*',
  'docs.example.com:*',
  '2130706433:4012',
];

test('policy check warns about wildcard ports and loopback/private entries without an exact port', () => {
  const { warnings } = policyOf(base, researcher(hosts));
  assert.deepEqual(
    warnings.map((w) => [w.path, w.message]),
    [
      [
        '$.agents[0].web.allowHosts[0]',
        '"127.0.0.1:*" has a wildcard port: it allows every service on 127.0.0.1 that answers without a key; name the exact port',
      ],
      [
        '$.agents[0].web.allowHosts[0]',
        '"127.0.0.1:*" names loopback or private addresses (127.0.0.1) without an exact port: the gateway refuses those; to reach one local service, name its exact host and port (e.g. "127.0.0.1:8080")',
      ],
      [
        '$.agents[0].web.allowHosts[1]',
        '"10.*" names loopback or private addresses (10.0.0.1) without an exact port: the gateway refuses those; to reach one local service, name its exact host and port (e.g. "10.0.0.1:8080")',
      ],
      [
        '$.agents[0].web.allowHosts[2]',
        '"localhost" names loopback or private addresses (localhost) without an exact port: the gateway refuses those; to reach one local service, name its exact host and port (e.g. "localhost:8080")',
      ],
      [
        '$.agents[0].web.allowHosts[3]',
        '"192.168.*.*:8080" names loopback or private addresses (192.168.0.1) without an exact port: the gateway refuses those; to reach one local service, name its exact host and port (e.g. "192.168.0.1:8080")',
      ],
      [
        '$.agents[0].web.allowHosts[8]',
        '"docs.example.com:*" has a wildcard port: it allows every service on docs.example.com that answers without a key; name the exact port',
      ],
      [
        '$.agents[0].web.allowHosts[9]',
        '"2130706433:4012" never matches: a URL\'s host 2130706433 is read as 127.0.0.1; write "127.0.0.1:4012"',
      ],
    ],
  );
  const { set } = policyOf(base, researcher(['127.0.0.1:4012'], ', sanitizer: lenient'));
  assert.deepEqual(policyOf(base, researcher(['127.0.0.1:4012'])).warnings, []);
  assert.equal(resolveAgent(set, 'web-bot').webSanitizer, 'lenient');
});

test('airlock policy check prints the warnings and still passes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-web-hosts-'));
  try {
    await writeFile(join(dir, 'base.yaml'), base);
    await writeFile(join(dir, 'web.yaml'), researcher(['127.0.0.1:*']));
    const io = bufferIo('');
    const code = await main(['policy', 'check', dir], io);
    assert.equal(code, 0, io.err);
    assert.match(io.err, /web\.yaml:\d+:\d+.*warning.*"127\.0\.0\.1:\*" has a wildcard port/);
    assert.match(io.err, /"127\.0\.0\.1:\*" names loopback or private addresses/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the demo policy names the carrier website exactly, sanitizes strictly and warns about nothing', async () => {
  const { set, warnings } = await loadPolicySet('policies');
  assert.deepEqual(warnings, []);
  const research = resolveAgent(set, 'research-bot');
  assert.deepEqual(research.webAllowHosts, [`127.0.0.1:${demoCarrierPort}`]);
  assert.equal(research.webSanitizer, 'strict');
});
