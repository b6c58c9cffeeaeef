// Benchmark: policy decisions per second with 1,000 generated rules, against a single-rule
// baseline measured in the same run. Prints a markdown table. Run: node bench/policy.ts
import { stringify } from 'yaml';
import { evaluate } from '../src/policy/evaluate.ts';
import { parsePolicySet } from '../src/policy/load.ts';
import type { ActionRequest, LoadedPolicy } from '../src/policy/types.ts';

const people = {
  users: [
    { id: 'alice', displayName: 'Alice', tenantId: 't', aadObjectId: 'a' },
    { id: 'bob', displayName: 'Bob', tenantId: 't', aadObjectId: 'b' },
  ],
  groups: [{ id: 'approvers', members: ['alice', 'bob'] }],
};

function policySet(rules: unknown[], capabilities: number): LoadedPolicy {
  const caps = Array.from({ length: capabilities }, (_, i) => ({
    id: `api-${i}`,
    baseUrl: `https://api${i}.example.com`,
    methods: ['GET', 'POST'],
    paths: ['/**'],
    credential: `key-${i}`,
  }));
  const agents = ['bot-a', 'bot-b'].map((id) => ({
    id,
    sensitivity: 'action',
    capabilities: caps.map((c) => c.id),
    credentials: caps.map((c) => c.credential),
  }));
  const text = stringify({ ...people, agents, capabilities: caps, rules });
  return parsePolicySet([{ file: 'bench.yaml', text }]);
}

/** 1,000 rules: conditions on amount and a glob on the path, `capabilities` APIs round-robin. */
function manyRules(capabilities: number, withWindows: boolean, withPaths = true): unknown[] {
  return Array.from({ length: 1000 }, (_, i) => ({
    id: `rule-${i}`,
    agent: 'bot-a',
    capability: `api-${i % capabilities}`,
    method: 'POST',
    ...(withPaths ? { path: `/things/${i}/*` } : {}),
    when: [
      { field: 'amount', gte: i, lt: i + 1 },
      { field: 'customer.tier', in: ['gold', 'silver'] },
    ],
    ...(withWindows
      ? { during: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], timeZone: 'Europe/Berlin' } }
      : {}),
    decision: i % 2 === 0 ? 'allow' : 'approve',
    ...(i % 2 === 0 ? {} : { approval: { approvers: { groups: ['approvers'] }, quorum: 2 } }),
  }));
}

function request(capability: string, i: number): ActionRequest {
  return {
    agent: 'bot-a',
    capability,
    method: 'POST',
    path: `/things/${i}/x`,
    body: { amount: i + 0.5, customer: { tier: 'gold' } },
  };
}

function measure(policy: LoadedPolicy, req: ActionRequest, now: Date, expect: string | null) {
  const check = evaluate(policy, req, now);
  if (check.rule !== expect) throw new Error(`expected rule ${expect}, got ${check.rule}`);
  for (let i = 0; i < 2000; i++) evaluate(policy, req, now); // warm up
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < 1000) {
    for (let i = 0; i < 500; i++) evaluate(policy, req, now);
    n += 500;
    elapsed = performance.now() - start;
  }
  return n / (elapsed / 1000);
}

const now = new Date('2025-06-04T10:00:00Z');
const baseline = policySet(
  [{ id: 'only', agent: 'bot-a', capability: 'api-0', decision: 'allow' }],
  1,
);

const t = performance.now();
const oneCap = policySet(manyRules(1, false), 1);
const loadMs = performance.now() - t;
const spread = policySet(manyRules(20, false), 20);
const windows = policySet(manyRules(1, true), 1);
const bodyOnly = policySet(manyRules(1, false, false), 1);

const rows: [string, number][] = [
  ['baseline: 1 rule, allow', measure(baseline, request('api-0', 0), now, 'only')],
  ['1,000 rules on 1 API, first rule matches', measure(oneCap, request('api-0', 0), now, 'rule-0')],
  [
    '1,000 rules on 1 API, last rule matches (approve)',
    measure(oneCap, request('api-0', 999), now, 'rule-999'),
  ],
  [
    '1,000 rules on 1 API, nothing matches (deny)',
    measure(oneCap, request('api-0', 5000), now, null),
  ],
  [
    '1,000 rules on 20 APIs, last rule matches',
    measure(spread, request('api-19', 999), now, 'rule-999'),
  ],
  [
    '1,000 rules told apart by body conditions only',
    measure(bodyOnly, request('api-0', 999), now, 'rule-999'),
  ],
  [
    '1,000 rules with time windows, last matches',
    measure(windows, request('api-0', 999), now, 'rule-999'),
  ],
];

const base = rows[0]?.[1] ?? 1;
console.log('| scenario | decisions/s | µs/decision | vs baseline |');
console.log('|---|---:|---:|---:|');
for (const [name, rate] of rows) {
  const ratio = rate / base;
  console.log(
    `| ${name} | ${Math.round(rate).toLocaleString('en-US')} | ${(1e6 / rate).toFixed(2)} | ${ratio >= 0.995 ? '1.00×' : `${ratio.toFixed(3)}×`} |`,
  );
}
console.log(
  `\nLoading and validating the 1,000-rule set (YAML parse, zod, cross-checks, hash): ${loadMs.toFixed(0)} ms.`,
);
