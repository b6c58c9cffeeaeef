// Generates a realistic audit history (deterministic, seeded) for `airlock policy analyze|suggest`:
// support, billing and deploy agents under test/fixtures/analysis/policy.yaml, office hours in
// Europe/Berlin, a rubber-stamping approver, a nightly release train approved in bulk, recurring
// payees, rejections and expiries. Every decision comes from the real policy evaluator, and the
// log is written in the real format (hash chain and head anchor), so `airlock audit verify` accepts
// it. Usage: node scripts/gen-audit-fixture.ts [--out FILE] [--scale N] [--seed N]
import { closeSync, openSync, writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { requestHash } from '../src/actions/request-hash.ts';
import { anchorPath, writeAnchor } from '../src/audit/anchor.ts';
import { chainRecord, GENESIS, type AuditEvent } from '../src/audit/chain.ts';
import { bodyFields } from '../src/policy/analysis/fields.ts';
import { localTime } from '../src/policy/conditions.ts';
import { evaluate } from '../src/policy/evaluate.ts';
import { loadPolicySet } from '../src/policy/load.ts';
import type { LoadedPolicy } from '../src/policy/types.ts';
import { createRng, type Rng } from './fixture-rng.ts';

/** What to generate: requests from `start` for `days` days, rates multiplied by `scale`. */
export interface FixtureOptions {
  seed: number;
  start: Date;
  days: number;
  scale: number;
}

/** The fixture's defaults: the 30 days before 2026-11-01 (UTC). */
export const fixtureDefaults: FixtureOptions = {
  seed: 13,
  start: new Date('2026-10-02T00:00:00Z'),
  days: 30,
  scale: 1.5,
};

const TZ = 'Europe/Berlin';
const HOUR = 3_600_000;
const people = {
  alice: { name: 'Alice Approver', aad: '00000000-0000-0000-0000-00000000a11c' },
  bob: { name: 'Bob Approver', aad: '00000000-0000-0000-0000-000000000b0b' },
  carol: { name: 'Carol Finance', aad: '00000000-0000-0000-0000-0000000ca401' },
  dave: { name: 'Dave Finance', aad: '00000000-0000-0000-0000-0000000da4e0' },
  erin: { name: 'Erin Ops', aad: '00000000-0000-0000-0000-00000000e401' },
  frank: { name: 'Frank Ops', aad: '00000000-0000-0000-0000-00000000f4a1' },
};
type Person = keyof typeof people;
const suppliers = [
  'DE02100100109307118603',
  'DE89370400440532013000',
  'FR7630006000011234567890189',
];
const services = ['checkout', 'search', 'accounts', 'notifications'];

/** A grant an approver gave: from when, until when, by whom. */
interface Grant {
  id: string;
  from: number;
  until: number;
  by: Person;
}

/** A request as the generator plans it, and what the humans will do with it. */
interface Planned {
  at: number;
  agent: string;
  capability: string;
  method: string;
  path: string;
  body: Record<string, unknown>;
  /** Who decides, how, and how fast (ms after the cards); null: nobody (it expires). */
  human: { who: Person; choice: 'approve' | 'reject'; afterMs: number; grant?: boolean } | null;
}

const local = (t: number) => localTime(new Date(t), TZ);
const weekday = (t: number) => !['sat', 'sun'].includes(local(t).day);
const hourOf = (t: number) => Math.floor(local(t).minutes / 60);

/** When `who` can next look at a card arriving at `t` (their working hours, Berlin time). */
function availableAt(who: Person, t: number): number {
  const hours: Record<Person, [number, number]> = {
    alice: [7, 23], // decides from her phone late into the evening
    bob: [9, 18],
    carol: [8, 17],
    dave: [9, 18],
    erin: [8, 19],
    frank: [10, 24], // on call for the nightly release train
  };
  const [from, to] = hours[who];
  for (let s = t, n = 0; n < 7 * 96; s += 900_000, n++) {
    const h = hourOf(s);
    if (weekday(s) && h >= from && h < to) return s === t ? t : s + 60_000;
  }
  return t + 7 * 86_400_000;
}

/** The requests of the UTC hour starting at `hour`, in no particular order. */
function plan(rng: Rng, hour: number, scale: number): Planned[] {
  const out: Planned[] = [];
  const h = hourOf(hour);
  const work = weekday(hour);
  const office = work && h >= 8 && h < 19;
  const at = () => hour + Math.floor(rng.next() * HOUR);
  // Refunds: busy in office hours, a trickle at night; amounts log-normal around 60 EUR.
  for (let n = rng.poisson((office ? 2.2 : h >= 7 && h < 22 ? 0.9 : 0.15) * scale); n > 0; n--) {
    const amount = Math.round(Math.exp(Math.log(60) + 0.9 * rng.normal()) * 100) / 100;
    const fast = rng.next() < 0.85;
    const who: Person = fast ? 'alice' : 'bob';
    const reject =
      amount >= 90 && rng.next() < (who === 'alice' ? 0.01 : amount > 200 ? 0.12 : 0.05);
    const nobody = amount > 150 && rng.next() < 0.015;
    const afterMs = 1000 * (fast ? rng.logNormal(5, 0.5) : rng.logNormal(75, 0.8));
    out.push({
      at: at(),
      agent: 'support-bot',
      capability: 'shop-api',
      method: 'POST',
      path: '/refunds',
      body: { order: `o-${rng.hex(6)}`, amount, currency: 'EUR' },
      human: nobody ? null : { who, choice: reject ? 'reject' : 'approve', afterMs },
    });
  }
  // Customer deletions: rare, deliberate, often refused.
  for (let n = rng.poisson((office ? 0.12 : 0) * scale); n > 0; n--) {
    const r = rng.next();
    out.push({
      at: at(),
      agent: 'support-bot',
      capability: 'shop-api',
      method: 'DELETE',
      path: `/customers/c-${rng.hex(5)}`,
      body: {},
      human:
        r < 0.05
          ? null
          : {
              who: rng.next() < 0.5 ? 'alice' : 'bob',
              choice: r < 0.3 ? 'reject' : 'approve',
              afterMs: 1000 * rng.logNormal(180, 0.7),
            },
    });
  }
  // Payments: weekday batches; most to three recurring suppliers, always approved.
  for (let n = rng.poisson((work && h >= 9 && h < 17 ? 1.4 : 0.05) * scale); n > 0; n--) {
    const recurring = rng.next() < 0.7;
    const iban = recurring ? rng.pick(suppliers) : `DE${rng.digits(20)}`;
    const country = !recurring && rng.next() < 0.04 ? rng.pick(['KP', 'IR']) : iban.slice(0, 2);
    const r = rng.next();
    out.push({
      at: at(),
      agent: 'billing-bot',
      capability: 'bank-api',
      method: 'POST',
      path: '/payments',
      body: {
        amount: Math.round(rng.logNormal(recurring ? 1800 : 2500, 0.7)),
        currency: 'EUR',
        beneficiary: { iban, country },
      },
      human:
        !recurring && r < 0.05
          ? null
          : {
              who: rng.next() < 0.55 ? 'carol' : 'dave',
              choice: !recurring && r < 0.2 ? 'reject' : 'approve',
              afterMs: 1000 * rng.logNormal(240, 0.9),
            },
    });
  }
  // Deploys: staging all day; production in the day (Erin, sometimes with a 2-hour grant).
  for (let n = rng.poisson((office ? 0.6 : 0.05) * scale); n > 0; n--)
    out.push(deploy(rng, at(), 'staging', null));
  for (let n = rng.poisson((office ? 0.35 : 0) * scale); n > 0; n--) {
    const r = rng.next();
    out.push(
      deploy(rng, at(), 'production', {
        who: rng.next() < 0.8 ? 'erin' : 'frank',
        choice: r < 0.06 ? 'reject' : 'approve',
        afterMs: 1000 * rng.logNormal(45, 0.8),
        grant: rng.next() < 0.3,
      }),
    );
  }
  // The nightly release train at 23:00 Berlin on weekdays: Frank approves it all in a few minutes.
  if (work && h === 23)
    for (let n = Math.round((5 + rng.next() * 4) * scale); n > 0; n--)
      out.push(
        deploy(rng, hour + Math.floor(rng.next() * 15 * 60_000), 'production', {
          who: 'frank',
          choice: 'approve',
          afterMs: 1000 * rng.logNormal(6, 0.4),
        }),
      );
  return out;
}

function deploy(rng: Rng, at: number, environment: string, human: Planned['human']): Planned {
  return {
    at,
    agent: 'deploy-bot',
    capability: 'deploy-api',
    method: 'POST',
    path: '/deploys',
    body: { service: rng.pick(services), environment, version: `1.${rng.int(40)}.${rng.int(10)}` },
    human,
  };
}

/** The audit events of a generated history, in time order (streamed: one day's worth at a time). */
export function* fixtureEvents(
  policy: LoadedPolicy,
  options: FixtureOptions,
): Generator<AuditEvent> {
  const rng = createRng(options.seed);
  const start = options.start.getTime();
  const end = start + options.days * 86_400_000;
  const grants = new Map<string, Grant>();
  let pending: AuditEvent[] = [];
  for (let day = start; day < end; day += 86_400_000) {
    const planned: Planned[] = [];
    for (let hour = day; hour < day + 86_400_000; hour += HOUR)
      planned.push(...plan(rng, hour, options.scale));
    planned.sort((a, b) => a.at - b.at);
    for (const p of planned) pending.push(...requestEvents(rng, policy, p, grants));
    // Events of later days' requests all come after this day: what is earlier is final.
    pending.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    const cut = new Date(day + 86_400_000).toISOString();
    const ready = pending.filter((e) => e.at < cut);
    pending = pending.filter((e) => e.at >= cut);
    yield* ready;
  }
  // What had not happened by the end of the window stays pending.
}

function requestEvents(
  rng: Rng,
  policy: LoadedPolicy,
  p: Planned,
  grants: Map<string, Grant>,
): AuditEvent[] {
  const workflowId = `action:${rng.hex(16)}`;
  const request = {
    agent: p.agent,
    capability: p.capability,
    method: p.method,
    path: p.path,
    body: p.body,
  };
  const d = evaluate(policy, request, new Date(p.at));
  const base = {
    workflowId,
    agent: p.agent,
    capability: p.capability,
    requestHash: requestHash(request),
    policyRule: d.rule,
    policyHash: policy.hash,
  };
  let seq = 0;
  const events: AuditEvent[] = [];
  const add = (type: string, at: number, extra: Partial<AuditEvent> = {}) =>
    events.push({
      id: `${workflowId}#${++seq}`,
      type,
      at: new Date(at).toISOString(),
      ...base,
      ...extra,
    });
  const key = `${d.rule}:${JSON.stringify(d.grantKeyFields.map((f) => bodyFields(p.body)[f]))}`;
  const grant = d.decision === 'approve' ? grants.get(key) : undefined;
  const covered = grant && grant.from <= p.at && grant.until > p.at ? grant : undefined;
  const decision = covered ? 'allow' : d.decision;
  const reason = covered
    ? `allowed by grant ${covered.id} (duration, given by ${people[covered.by].name} until ${new Date(covered.until).toISOString()}); rule ${d.rule} would ask for approval`
    : d.reason;
  const fields = bodyFields(p.body);
  add('requested', p.at, { detail: { method: p.method, path: p.path, decision, reason, fields } });
  if (decision === 'deny') {
    add('denied', p.at + 5, { detail: { reason } });
    return events;
  }
  if (decision === 'allow') {
    add('allowed', p.at + 5, { detail: { reason, ...(covered ? { grant: covered.id } : {}) } });
    add('executed', p.at + 200 + rng.int(400), { detail: { status: 200, truncated: false } });
    return events;
  }
  const cardsAt = p.at + 800 + rng.int(1500);
  add('cards-posted', cardsAt, { detail: { cards: ['teams:channel'] } });
  const h = p.human;
  const decideAt = h ? availableAt(h.who, cardsAt) + Math.round(h.afterMs) : Infinity;
  if (!h || decideAt - cardsAt >= d.expiry.afterMs) {
    add('expired', cardsAt + d.expiry.afterMs, { detail: { afterMs: d.expiry.afterMs } });
    return events;
  }
  const who = people[h.who];
  const approver = {
    platform: 'teams',
    tenantId: '00000000-0000-0000-0000-0000000000aa',
    userId: `29:${who.aad}`,
    aadObjectId: who.aad,
    displayName: who.name,
  };
  const withGrant =
    h.choice === 'approve' && h.grant && d.grants.some((g) => g.kind === 'duration');
  add('decision', decideAt, {
    approver,
    detail: {
      choice: h.choice,
      ...(h.choice === 'reject' ? { reason: 'not without a ticket' } : {}),
      decisionId: rng.hex(12),
      ...(withGrant ? { grant: { kind: 'duration' } } : {}),
    },
  });
  if (h.choice === 'reject') return events;
  if (withGrant) {
    const maxMs = d.grants.find((g) => g.kind === 'duration')?.maxMs ?? 8 * HOUR;
    const g = { id: `grant:${rng.hex(32)}`, from: decideAt, until: decideAt + maxMs, by: h.who };
    grants.set(key, g);
    add('granted', decideAt + 50, {
      approver,
      detail: { grantId: g.id, kind: 'duration', until: new Date(g.until).toISOString() },
    });
  }
  add('executed', decideAt + 300 + rng.int(500), { detail: { status: 200, truncated: false } });
  return events;
}

/** Write `events` as a hash-chained audit log at `path` with its (unsigned) head anchor. */
export async function writeAuditLog(path: string, events: Iterable<AuditEvent>): Promise<number> {
  const fd = openSync(path, 'w', 0o600);
  let head = { seq: 0, head: GENESIS };
  let buffer: string[] = [];
  try {
    for (const event of events) {
      const record = chainRecord(event, head);
      head = { seq: record.seq, head: record.hash };
      buffer.push(JSON.stringify(record));
      if (buffer.length >= 2000) {
        writeSync(fd, `${buffer.join('\n')}\n`);
        buffer = [];
      }
    }
    if (buffer.length > 0) writeSync(fd, `${buffer.join('\n')}\n`);
  } finally {
    closeSync(fd);
  }
  await writeAnchor(anchorPath(path), { seq: head.seq, hash: head.head }, undefined);
  return head.seq;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: 'test/fixtures/analysis/audit.jsonl' },
      policy: { type: 'string', default: 'test/fixtures/analysis/policy.yaml' },
      scale: { type: 'string', default: String(fixtureDefaults.scale) },
      seed: { type: 'string', default: String(fixtureDefaults.seed) },
    },
  });
  const policy = await loadPolicySet(values.policy);
  const options = { ...fixtureDefaults, scale: Number(values.scale), seed: Number(values.seed) };
  const count = await writeAuditLog(values.out, fixtureEvents(policy, options));
  process.stdout.write(`wrote ${count} records to ${values.out}\n`);
}
