// Links to external A2A agents (`to: a2a:<name>`): the link gives the agent's card (https, plain
// http only to loopback) and, optionally, the vault entry whose token is sent there; the pinned
// link carries both (the credential's name, never its secret). An agent lists such a target in
// mayAsk, and only a link with a card makes it one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveLink } from '../../../src/policy/links.ts';
import { base, policyOf, problemsOf, theProblem } from './helpers.ts';

const agents = (mayAsk: string, links: string) => `
agents:
  - { id: desk-bot, sensitivity: action, mayAsk: [${mayAsk}] }
links:
${links}`;

const carrier = (extra = '') => `
  - from: desk-bot
    to: a2a:carrier
    card: https://agents.carrier.example/.well-known/agent-card.json
    approval: { approvers: { groups: [leads] } }
${extra}`;

test('a link to an external A2A agent pins its card and credential name', () => {
  const p = policyOf(base, agents('a2a:carrier', carrier('    credential: carrier-token')));
  const link = resolveLink(p, 'desk-bot', 'a2a:carrier');
  assert.deepEqual(link?.external, {
    cardUrl: 'https://agents.carrier.example/.well-known/agent-card.json',
    credential: 'carrier-token',
  });
  assert.equal(link?.to, 'a2a:carrier');
  const without = policyOf(base, agents('a2a:carrier', carrier()));
  assert.deepEqual(resolveLink(without, 'desk-bot', 'a2a:carrier')?.external, {
    cardUrl: 'https://agents.carrier.example/.well-known/agent-card.json',
    credential: null,
  });
  // An ordinary link pins no external agent.
  assert.equal(
    resolveLink(
      policyOf(
        base,
        `agents:\n  - { id: a-bot, sensitivity: research, mayAsk: [b-bot] }\n  - { id: b-bot, sensitivity: research }\nlinks:\n  - { from: a-bot, to: b-bot, approveQuestion: false, approveAnswer: false }`,
      ),
      'a-bot',
      'b-bot',
    )?.external,
    undefined,
  );
});

test('mayAsk names an a2a: target only through a link with its card', () => {
  const problem = theProblem(problemsOf(base, agents('a2a:carrier', '  []')), /a2a:carrier/);
  assert.equal(problem.path, '$.agents[0].mayAsk[0]');
  assert.match(problem.message, /no link desk-bot -> a2a:carrier gives the external agent's card/);
  // The link without the mayAsk entry: the agent may not ask.
  const notListed = theProblem(problemsOf(base, agents('', carrier())), /may not ask/);
  assert.equal(notListed.path, '$.links[0].to');
  assert.equal(
    resolveLink(policyOf(base, agents('a2a:carrier', carrier())), 'desk-bot', 'a2a:other'),
    null,
  );
});

test('card: https, plain http only to loopback, no credentials or fragment; only for a2a: targets', () => {
  const refused = (card: string, pattern: RegExp) =>
    assert.equal(
      theProblem(
        problemsOf(base, agents('a2a:carrier', carrier().replace(/card: \S+/, `card: "${card}"`))),
        pattern,
      ).path,
      '$.links[0].card',
    );
  refused('http://agents.carrier.example/card.json', /plain http only to loopback/);
  refused('ftp://agents.carrier.example/card.json', /https/);
  refused('https://user:pw@agents.carrier.example/card.json', /credentials/);
  refused('https://agents.carrier.example/card.json#x', /fragment/);
  refused('not a url', /card is a URL/);
  const loopback = carrier().replace(/card: \S+/, 'card: http://127.0.0.1:8080/card.json');
  assert.equal(
    resolveLink(policyOf(base, agents('a2a:carrier', loopback)), 'desk-bot', 'a2a:carrier')
      ?.external?.cardUrl,
    'http://127.0.0.1:8080/card.json',
  );
  const noCard = carrier().replace(/ {4}card: \S+\n/, '');
  assert.equal(
    theProblem(problemsOf(base, agents('a2a:carrier', noCard)), /needs its card/).path,
    '$.links[0].card',
  );
  const cardOnAgent = `agents:\n  - { id: a-bot, sensitivity: research, mayAsk: [b-bot] }\n  - { id: b-bot, sensitivity: research }\nlinks:\n  - { from: a-bot, to: b-bot, card: "https://x.example/card.json", approveQuestion: false, approveAnswer: false }`;
  assert.equal(theProblem(problemsOf(base, cardOnAgent), /needs its card/).path, '$.links[0].card');
  const credentialAlone = `agents:\n  - { id: a-bot, sensitivity: research, mayAsk: [b-bot] }\n  - { id: b-bot, sensitivity: research }\nlinks:\n  - { from: a-bot, to: b-bot, credential: tok, approveQuestion: false, approveAnswer: false }`;
  assert.equal(
    theProblem(problemsOf(base, credentialAlone), /credential goes with card/).path,
    '$.links[0].credential',
  );
  const relay = `agents:\n  - { id: a-bot, sensitivity: research }\nlinks:\n  - { from: a2a:partner, to: a2a:carrier, card: "https://x.example/card.json", approveQuestion: false, approveAnswer: false }`;
  assert.equal(theProblem(problemsOf(base, relay), /relays no questions/).path, '$.links[0].to');
});
