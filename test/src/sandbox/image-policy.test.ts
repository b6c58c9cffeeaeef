// The policy's `sandbox.image`: an agent may name the image its box runs (another harness), as a
// local tag or digest; obviously wrong values (not an image reference, a registry host) are refused
// with a policy problem saying what to write instead; the resolved agent carries the image, and an
// agent that names none resolves as before (the base image).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveAgent } from '../../../src/policy/agents.ts';
import { base, policyOf, problemAt, problemsOf } from '../policy/helpers.ts';

const agentWith = (image: string | undefined) => `agents:
  - id: harnessed
    sensitivity: action
    model: { endpoint: 'http://127.0.0.1:4011/v1', model: standin, apiKeyCredential: model-key }
    sandbox: { memoryMb: 512${image === undefined ? '' : `, image: '${image}'`} }
    talkers: { users: [alice] }
`;

test('an agent may name a local image by tag or digest; none means the base image', () => {
  for (const image of [
    'airlock-harness-openai-agents:latest',
    'airlock-harness-openai-agents:3f2a9c1d00aa11bb',
    'team/harness_x',
    `harness@sha256:${'a'.repeat(64)}`,
  ]) {
    const { set } = policyOf(base, agentWith(image));
    assert.equal(resolveAgent(set, 'harnessed').image, image);
  }
  const { set } = policyOf(base, agentWith(undefined));
  assert.equal('image' in resolveAgent(set, 'harnessed'), false);
});

test('an image that is not a reference, or names a registry host, is a policy problem', () => {
  const cases: [string, RegExp][] = [
    ['Airlock-Harness:latest', /is not a Docker image reference; name a local image tag/],
    ['harness:latest --privileged', /is not a Docker image reference/],
    ['-harness', /is not a Docker image reference/],
    ['harness:', /is not a Docker image reference/],
    ['harness@sha256:1234', /is not a Docker image reference/],
    ['ghcr.io/acme/harness:1', /names a registry host \(ghcr\.io\); boxes never pull images/],
    ['localhost/harness:1', /names a registry host \(localhost\)/],
    ['localhost:5000/harness:1', /is not a Docker image reference/],
  ];
  for (const [image, message] of cases) {
    const at = problemAt(problemsOf(base, agentWith(image)), message);
    assert.deepEqual(at.slice(0, 1), ['b.yaml'], image);
    assert.equal(at[3], '$.agents[0].sandbox.image', image);
  }
});
