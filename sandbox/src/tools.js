// The box's own tools, free inside it: a shell command in the workspace (timed out, output capped)
// and reading and writing files confined to the workspace. Every tool at the boundary comes from
// the gateway's MCP endpoint (mcp.js).
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { tool } from 'ai';
import { z } from 'zod';

const OUTPUT_CAP = 16_000;

function cap(text) {
  return text.length <= OUTPUT_CAP
    ? text
    : `${text.slice(0, OUTPUT_CAP)}\n[… ${text.length - OUTPUT_CAP} more characters cut]`;
}

/** Resolve `path` inside `workspace`, following symlinks; refuse anything that lands outside. */
async function inside(workspace, path) {
  const root = await realpath(workspace);
  const wanted = resolve(root, path);
  // The deepest part that exists decides where a symlink really points.
  let real;
  for (let probe = wanted; ; probe = dirname(probe)) {
    try {
      real = resolve(await realpath(probe), relative(probe, wanted));
      break;
    } catch (err) {
      if (err.code !== 'ENOENT' || probe === dirname(probe)) throw err;
    }
  }
  const rel = relative(root, real);
  if (rel.startsWith('..') || isAbsolute(rel)) throw new Error(`${path} is outside the workspace`);
  return real;
}

function runShell(command, cwd, timeoutMs) {
  return new Promise((done) => {
    let out = '';
    const child = spawn('/bin/sh', ['-c', command], { cwd, timeout: timeoutMs });
    const take = (chunk) => {
      if (out.length <= OUTPUT_CAP * 2) out += chunk.toString('utf8');
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', (err) => done({ exitCode: null, output: `could not run: ${err.message}` }));
    child.on('close', (code, signal) =>
      done({
        exitCode: code,
        ...(signal ? { killedBy: signal === 'SIGTERM' ? 'timeout' : signal } : {}),
        output: cap(out),
      }),
    );
  });
}

/** The box's own tools named in `names`, bound to the workspace. */
export function createTools({ names, workspace }) {
  const all = {
    shell: tool({
      description:
        'Run a shell command (/bin/sh -c) in the workspace. Returns its exit code and combined output (capped). There is no network.',
      inputSchema: z.object({
        command: z.string().min(1),
        timeoutSeconds: z.number().int().min(1).max(600).optional(),
      }),
      execute: ({ command, timeoutSeconds }) =>
        runShell(command, workspace, (timeoutSeconds ?? 60) * 1000),
    }),
    read_file: tool({
      description: 'Read a text file in the workspace (path relative to the workspace).',
      inputSchema: z.object({ path: z.string().min(1) }),
      execute: async ({ path }) => ({
        content: cap(await readFile(await inside(workspace, path), 'utf8')),
      }),
    }),
    write_file: tool({
      description: 'Write a text file in the workspace, creating folders as needed.',
      inputSchema: z.object({ path: z.string().min(1), content: z.string() }),
      execute: async ({ path, content }) => {
        const target = await inside(workspace, path);
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, content);
        return {
          written: relative(await realpath(workspace), target),
          bytes: Buffer.byteLength(content),
        };
      },
    }),
  };
  return Object.fromEntries(names.map((n) => [n, all[n]]));
}
