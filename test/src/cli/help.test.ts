// Every command and subcommand of `airlock` answers -h and --help with its usage on stdout and
// exit code 0. The commands are read from the top-level usage and each group's usage text, so a
// command added later is covered without editing this test.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { bufferIo } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import { repoRoot } from '../../helpers/temporal.ts';

// No Temporal and no data folder: answering help must not need either.
const env = { TEMPORAL_ADDRESS: '127.0.0.1:1', AIRLOCK_DATA_DIR: '/nonexistent/airlock' };

async function help(argv: string[]): Promise<string> {
  const io = bufferIo();
  const code = await main(argv, io, env);
  assert.equal(code, 0, `airlock ${argv.join(' ')} exits 0 (stderr: ${io.err})`);
  assert.equal(io.err, '', `airlock ${argv.join(' ')} writes nothing to stderr`);
  assert.match(io.out, /^usage:/, `airlock ${argv.join(' ')} prints usage on stdout`);
  return io.out;
}

test('every command and subcommand in the usage answers -h and --help', async () => {
  const top = await help(['--help']);
  assert.equal(await help(['-h']), top);
  assert.equal(await help(['help']), top);
  const groups = [...top.matchAll(/^ {2}airlock (\S+)/gm)].map((m) => m[1] as string);
  assert.ok(groups.length >= 7, `commands found in the usage: ${groups.join(', ')}`);
  let subcommands = 0;
  for (const group of groups) {
    const text = await help([group, '--help']);
    assert.equal(await help([group, '-h']), text);
    assert.match(text, new RegExp(`airlock ${group}\\b`));
    const subs = new Set(
      [...text.matchAll(new RegExp(`airlock ${group} ([a-z][a-z-]*)`, 'g'))].map((m) => m[1]),
    );
    for (const sub of subs) {
      subcommands++;
      for (const flag of ['--help', '-h']) {
        const out = await help([group, sub as string, flag]);
        assert.match(out, new RegExp(`airlock ${group} ${sub}\\b`));
      }
    }
  }
  assert.ok(subcommands >= 10, `subcommands found: ${subcommands}`);
});

test('the installed entry point exits 0 on help (grants used to exit 2)', () => {
  for (const args of [['grants', '--help'], ['grants', 'revoke', '-h'], ['-h']]) {
    const r = spawnSync(process.execPath, ['src/cli/main.ts', ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, /^usage:/);
  }
});
