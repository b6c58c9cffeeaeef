// Broken inputs to `policy analyze|suggest` get clear errors with exit 1: a corrupt line (with its
// line number), a chain with a record missing, an edited record under --verify, a window that is
// not a time, an empty window, and no log at all.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { bufferIo } from '../../../../src/cli/io.ts';
import { main } from '../../../../src/cli/main.ts';

const fixture = 'test/fixtures/analysis/audit.jsonl';
const policy = 'test/fixtures/analysis/policy.yaml';
const env = { AIRLOCK_DATA_DIR: '/nonexistent/airlock', AIRLOCK_POLICY_DIR: policy };
let tmp = '';
let lines: string[] = [];
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'airlock-analyze-bad-'));
  lines = (await readFile(fixture, 'utf8')).split('\n').filter(Boolean).slice(0, 400);
});
after(() => rm(tmp, { recursive: true, force: true }));

async function run(command: string, log: string, extra: string[] = []) {
  const io = bufferIo();
  const code = await main(
    ['policy', command, '--audit', log, '--since', '2026-10-01', '--until', '2026-11-02', ...extra],
    io,
    env,
  );
  return { code, out: io.out, err: io.err };
}

async function logOf(name: string, content: string[]): Promise<string> {
  const path = join(tmp, name);
  await writeFile(path, `${content.join('\n')}\n`);
  return path;
}

test('a good slice of the log is analysed (the baseline for the broken ones)', async () => {
  const r = await run('analyze', await logOf('good.jsonl', lines));
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /400 records/);
});

test('a corrupt line is reported with its line number, for analyze and suggest', async () => {
  const cut = [...lines];
  cut[41] = (cut[41] ?? '').slice(0, 50);
  const log = await logOf('corrupt.jsonl', cut);
  for (const command of ['analyze', 'suggest']) {
    const r = await run(command, log);
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      new RegExp(`airlock policy ${command}: .*corrupt\\.jsonl:42 is not a JSON audit record`),
    );
    assert.equal(r.out, '');
  }
});

test('a missing record breaks the chain and is named', async () => {
  const gap = lines.filter((_, i) => i !== 99);
  const r = await run('analyze', await logOf('gap.jsonl', gap));
  assert.equal(r.code, 1);
  assert.match(r.err, /the audit chain is broken at .*gap\.jsonl: record 101 follows record 99/);
});

test('an edited record passes the link check but not --verify', async () => {
  const edited = [...lines];
  edited[9] = (edited[9] ?? '').replace('"type":"', '"type":"x');
  const log = await logOf('edited.jsonl', edited);
  assert.equal((await run('analyze', log)).code, 0);
  const r = await run('analyze', log, ['--verify']);
  assert.equal(r.code, 1);
  assert.match(r.err, /record 10 was modified/);
});

test('a window that is not a time, an empty window and a missing log are refused clearly', async () => {
  const good = await logOf('good2.jsonl', lines);
  let io = bufferIo();
  assert.equal(
    await main(['policy', 'analyze', '--audit', good, '--since', 'last tuesday'], io, env),
    1,
  );
  assert.match(
    io.err,
    /--since "last tuesday" is neither an ISO date-time .* nor a duration back from now \(30d, 12h, 90m\)/,
  );
  io = bufferIo();
  assert.equal(
    await main(
      ['policy', 'analyze', '--audit', good, '--since', '2026-11-01', '--until', '2026-10-01'],
      io,
      env,
    ),
    1,
  );
  assert.match(
    io.err,
    /the window is empty: --since 2026-11-01T00:00:00.000Z is not before --until 2026-10-01/,
  );
  const r = await run('analyze', join(tmp, 'nothing-here.jsonl'));
  assert.equal(r.code, 1);
  assert.match(r.err, /no audit log at .*nothing-here\.jsonl/);
});

test('without --audit the configured log is read, and office hours follow the configured policy', async () => {
  const io = bufferIo();
  const code = await main(
    ['policy', 'analyze', '--since', '2026-10-01', '--until', '2026-11-02'],
    io,
    { ...env, AIRLOCK_AUDIT_FILE: await logOf('configured.jsonl', lines) },
  );
  assert.equal(code, 0, io.err);
  assert.match(io.out, /400 records/);
  assert.match(io.out, /office hours 7:00–20:00 Europe\/Berlin/);
});

test('signed records (a signature beside each hash) pass --verify: the signature is not hashed', async () => {
  const signed = lines.map((l) => JSON.stringify({ ...JSON.parse(l), mac: 'ab'.repeat(32) }));
  const r = await run('analyze', await logOf('signed.jsonl', signed), ['--verify']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /400 records/);
});
