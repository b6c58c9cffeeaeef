// The pure parts of A2A interoperability: the version a request names (Major.Minor, 0.3 when it
// names none), the v0.3 shape of a card, and the reason an outside client reads when a person
// did not approve (no approver's name, the reason once).
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { AgentCard } from '@a2a-js/sdk';
import { agentCard, extendedAgentCard, rootCard } from '../../src/a2a/card.ts';
import { outsideReason } from '../../src/a2a/tasks.ts';
import { isLegacy, legacyCard, majorMinor, requestedVersion } from '../../src/a2a/versions.ts';
import type { Agent } from '../../src/policy/schema.ts';

const req = (url: string, headers: Record<string, string> = {}) =>
  ({ url, headers }) as unknown as IncomingMessage;

test('the version header counts Major.Minor only; none means 0.3', () => {
  assert.equal(majorMinor('1.0.0'), '1.0');
  assert.equal(majorMinor('1.0'), '1.0');
  assert.equal(majorMinor('1'), '1.0');
  assert.equal(majorMinor('0.3.0'), '0.3');
  assert.equal(majorMinor(''), '0.3');
  assert.equal(majorMinor('banana'), 'banana', 'refused later as unsupported');
  assert.equal(requestedVersion(req('/agents/x', { 'a2a-version': '1.0.0' })), '1.0');
  assert.equal(requestedVersion(req('/agents/x')), '0.3');
  assert.equal(requestedVersion(req('/agents/x', { 'a2a-version': ' ' })), '0.3');
  assert.equal(requestedVersion(req('/agents/x?A2A-Version=1.0.2')), '1.0', 'or as a parameter');
  assert.ok(isLegacy('0.3') && !isLegacy('1.0'));
});

const agent = {
  id: 'research',
  displayName: 'Research',
  description: 'Internal: reads the claims database.',
} as Agent;

test('the public card says nothing the policy says; the extended card does', () => {
  const card = agentCard(agent, 'http://h/agents/research');
  assert.doesNotMatch(JSON.stringify(AgentCard.toJSON(card)), /Internal|claims/);
  assert.deepEqual(
    card.supportedInterfaces.map((i) => i.protocolVersion),
    ['1.0', '0.3'],
  );
  assert.equal(card.capabilities?.extendedAgentCard, true);
  const link = { description: 'Partner questions.' } as Parameters<typeof extendedAgentCard>[2];
  const ext = extendedAgentCard(agent, 'http://h/agents/research', link);
  assert.match(ext.description, /Internal: reads the claims database\. Your link: Partner/);
});

test('a v0.3 card carries url, transport and bearer in v0.3 form, and the v1.0 interfaces', () => {
  const card = agentCard(agent, 'http://h/agents/research');
  const legacy = legacyCard(card, AgentCard.toJSON(card) as object) as Record<string, unknown>;
  assert.equal(legacy['url'], 'http://h/agents/research');
  assert.equal(legacy['preferredTransport'], 'JSONRPC');
  assert.equal(legacy['protocolVersion'], '0.3.0');
  assert.deepEqual(legacy['security'], [{ bearer: [] }]);
  assert.deepEqual((legacy['securitySchemes'] as Record<string, unknown>)['bearer'], {
    type: 'http',
    scheme: 'bearer',
    description: 'The token Airlock issued this client (AIRLOCK_A2A_TOKENS).',
  });
  assert.equal((legacy['supportedInterfaces'] as unknown[]).length, 2);
});

test('the root card names each agent and its card', () => {
  const other = { id: 'support' } as Agent;
  const root = rootCard([agent, other], 'http://h');
  assert.deepEqual(
    root.skills.map((s) => s.id),
    ['research', 'support'],
  );
  assert.match(
    root.skills[1]?.description ?? '',
    /http:\/\/h\/agents\/support\/\.well-known\/agent-card\.json/,
  );
  assert.equal(root.supportedInterfaces[0]?.url, 'http://h/agents/research');
});

test('a rejection reads "not approved", with the reason once and no approver', () => {
  assert.equal(
    outsideReason(
      'the question was not approved: Rejected by Alice Approver at 14:03 UTC: not now (not now)',
    ),
    'the question was not approved: not now',
  );
  assert.equal(
    outsideReason('the answer was not approved: Rejected by Bob at 09:03 UTC (no reason given)'),
    'the answer was not approved (no reason given)',
  );
  const noted = outsideReason(
    'the answer was not approved: Rejected by Bob at 09:03 UTC: x y (x y) [sanitized by Airlock: removed link]',
  );
  assert.equal(noted, 'the answer was not approved: x y [sanitized by Airlock: removed link]');
  assert.equal(
    outsideReason('no link a2a:stranger -> research'),
    'no link a2a:stranger -> research',
  );
});
