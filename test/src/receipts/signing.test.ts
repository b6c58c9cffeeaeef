// Decision signatures and receipts without a server: what the webhook signs verifies with its
// public key (also among rotated keys), any changed field or another key fails, unsigned is named
// as such, the settings reject keys that are not Ed25519 DER, a production worker needs public
// keys, and scripts/gen-decision-keys.ts makes a usable pair once, its private half mode 0600.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../../src/config.ts';
import { generateDecisionKeyPair, parsePublicKeys } from '../../../src/receipts/keys.ts';
import { decisionChecker, workerDecisionChecker } from '../../../src/receipts/policy.ts';
import { checkReceipt, describeReceipt } from '../../../src/receipts/receipt.ts';
import { createDecisionSigner, decisionSigner } from '../../../src/receipts/signer.ts';
import { verifyDecision } from '../../../src/receipts/verify.ts';
import { click, people } from '../../helpers/actions.ts';
import { repoRoot } from '../../helpers/temporal.ts';

const pair = generateDecisionKeyPair();
const other = generateDecisionKeyPair();
const keys = parsePublicKeys(pair.publicKey);
const wf = 'action:req-1';
const decision = click(people.alice, 'approve', 'abc123abc123', {
  policyHash: 'f'.repeat(64),
  grant: { kind: 'duration' },
});

test('a signed decision verifies with the public key, also among rotated keys', () => {
  const s = decisionSigner(pair.privateKey).sign(wf, decision);
  assert.equal(s.signature?.alg, 'Ed25519');
  assert.equal(s.signature?.keyId, pair.keyId);
  assert.match(pair.keyId, /^[0-9a-f]{16}$/);
  assert.deepEqual(verifyDecision(wf, s, keys), { ok: true, keyId: pair.keyId });
  const rotated = parsePublicKeys(`${other.publicKey}, ${pair.publicKey}`);
  assert.deepEqual(verifyDecision(wf, s, rotated), { ok: true, keyId: pair.keyId });
  // What crossed Temporal (JSON) still verifies.
  assert.ok(verifyDecision(wf, JSON.parse(JSON.stringify(s)) as typeof s, keys).ok);
});

test('any changed field, another workflow, another key or no signature does not verify', () => {
  const s = decisionSigner(pair.privateKey).sign(wf, decision);
  const changed = [
    { ...s, choice: 'reject' as const },
    { ...s, approver: { ...s.approver, userId: 'mallory' } },
    { ...s, requestHash: 'abc123abc124' },
    { ...s, policyHash: 'e'.repeat(64) },
    { ...s, grant: { kind: 'session' as const } },
    { ...s, receivedAt: new Date(0).toISOString() },
  ];
  for (const d of changed)
    assert.deepEqual(verifyDecision(wf, d, keys), { ok: false, why: 'signature does not verify' });
  assert.deepEqual(verifyDecision('action:req-2', s, keys), {
    ok: false,
    why: 'signature does not verify',
  });
  const forged = decisionSigner(other.privateKey).sign(wf, decision);
  const check = verifyDecision(wf, forged, keys);
  assert.ok(!check.ok && check.why.startsWith('signature does not verify'));
  const swapped = { ...forged, signature: { ...forged.signature!, keyId: pair.keyId } };
  assert.deepEqual(verifyDecision(wf, swapped, keys), {
    ok: false,
    why: 'signature does not verify',
  });
  assert.deepEqual(verifyDecision(wf, decision, keys), {
    ok: false,
    why: 'decision not signed by the webhook',
  });
});

test('a receipt says who decided what, and fails when one field is changed', () => {
  const receipt = {
    v: 1,
    workflowId: wf,
    decision: decisionSigner(pair.privateKey).sign(wf, decision),
  };
  const checked = checkReceipt(receipt, keys);
  assert.ok(checked.ok);
  assert.equal(checked.facts.approver.userId, 'alice');
  assert.equal(checked.facts.approver.tenantId, people.alice.tenantId);
  assert.equal(checked.facts.requestHash, 'abc123abc123');
  assert.equal(checked.facts.policyHash, 'f'.repeat(64));
  assert.match(describeReceipt(checked.facts), /Alice Approver .* approved request abc123abc123/);
  const tampered = { ...receipt, decision: { ...receipt.decision, requestHash: 'ffffffffffff' } };
  assert.deepEqual(checkReceipt(tampered, keys), { ok: false, why: 'signature does not verify' });
  assert.equal(checkReceipt({ hello: 1 }, keys).ok, false);
});

test('settings: keys must be Ed25519 DER; no signing key means no signer', () => {
  const config = loadConfig({
    AIRLOCK_DECISION_SIGNING_KEY: pair.privateKey,
    AIRLOCK_DECISION_PUBLIC_KEYS: `${pair.publicKey},${other.publicKey}`,
  });
  assert.equal(createDecisionSigner(config)?.keyId, pair.keyId);
  assert.equal(createDecisionSigner(loadConfig({})), undefined);
  assert.throws(
    () => loadConfig({ AIRLOCK_DECISION_SIGNING_KEY: pair.publicKey }),
    /AIRLOCK_DECISION_SIGNING_KEY: must be a base64 PKCS#8 DER Ed25519 private key/,
  );
  assert.throws(
    () => loadConfig({ AIRLOCK_DECISION_PUBLIC_KEYS: `${pair.publicKey},bm9wZQ==` }),
    /AIRLOCK_DECISION_PUBLIC_KEYS: must be comma-separated/,
  );
});

test('a production worker needs public keys; development without any accepts with a warning', () => {
  assert.throws(
    () =>
      workerDecisionChecker({ NODE_ENV: 'production', AIRLOCK_DECISION_PUBLIC_KEYS: undefined }),
    (err: Error & { code?: string }) => err.code === 'decision_keys_missing',
  );
  const dev = workerDecisionChecker({ NODE_ENV: 'development', AIRLOCK_DECISION_PUBLIC_KEYS: '' });
  const verdict = dev(wf, decision);
  assert.ok(verdict.ok && verdict.keyId === null && /not checked/.test(verdict.warning));
  assert.equal(decisionChecker([], true)(wf, decision).ok, false);
  const prod = workerDecisionChecker({
    NODE_ENV: 'production',
    AIRLOCK_DECISION_PUBLIC_KEYS: pair.publicKey,
  });
  assert.equal(prod(wf, decision).ok, false);
  assert.ok(prod(wf, decisionSigner(pair.privateKey).sign(wf, decision)).ok);
});

test('scripts/gen-decision-keys.ts makes a working pair once, the private key mode 0600', () => {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-keys-'));
  try {
    const gen = () =>
      execFileSync(process.execPath, ['scripts/gen-decision-keys.ts', dir], {
        cwd: repoRoot,
        stdio: 'pipe',
      });
    gen();
    const privateKey = readFileSync(join(dir, 'decision-signing.key'), 'utf8').trim();
    const publicKey = readFileSync(join(dir, 'decision-public.key'), 'utf8').trim();
    assert.equal(statSync(join(dir, 'decision-signing.key')).mode & 0o777, 0o600);
    const s = decisionSigner(privateKey).sign(wf, decision);
    assert.ok(verifyDecision(wf, s, parsePublicKeys(publicKey)).ok);
    gen();
    assert.equal(readFileSync(join(dir, 'decision-signing.key'), 'utf8').trim(), privateKey);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a receipt names the run its decision was made for; moving it to another run breaks the signature', () => {
  const runId = '01a24fbd-5ffa-7015-83e3-888faca99808';
  const bound = decisionSigner(pair.privateKey).sign(wf, { ...decision, runId });
  const checked = checkReceipt({ v: 1, workflowId: wf, decision: bound }, keys);
  assert.ok(checked.ok);
  assert.equal(checked.facts.runId, runId);
  assert.match(describeReceipt(checked.facts), new RegExp(`of ${wf} \\(run ${runId}\\)`));
  const moved = { ...bound, runId: 'another-run' };
  assert.deepEqual(checkReceipt({ v: 1, workflowId: wf, decision: moved }, keys), {
    ok: false,
    why: 'signature does not verify',
  });
});
