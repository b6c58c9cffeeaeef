// The agent's tools. Inside the box they are free: a shell command in the workspace (timed out,
// output capped) and reading and writing files confined to the workspace. At the boundary they
// call the gateway: `request_action` (a sensitive call: executed, pending approval, or denied),
// `send_message` (progress to the user), `ask_agent` (a question to another agent: on its way, or
// refused; the answer comes in a later turn) and, for research agents, `fetch`.
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

/** What an action request's answer means, in words the model can act on. */
function actionAnswer({ status, body }) {
  if (status === 200)
    return { ...body, note: 'The action was carried out; result is what the service answered.' };
  if (status === 202) {
    const note = `Waiting for human approval (id ${body?.id}); you will be told the outcome in a later turn. Tell the user.`;
    return { ...body, note };
  }
  if (status === 403) {
    const reason = body?.reason ?? body?.error?.message;
    return {
      status: 'denied',
      reason,
      note: 'The action was refused; do not ask again as it is. Tell the user why.',
    };
  }
  return {
    status: 'failed',
    httpStatus: status,
    error: body?.error ?? body,
    note: 'The action could not be requested. Tell the user; you may try again later.',
  };
}

/** What the gateway's answer to a question means, in words the model can act on. */
function askAnswer(to, { status, body }) {
  if (status === 202) {
    const note =
      `Your question to ${to} is on its way (id ${body?.id}). It needs approval and the other ` +
      `agent's answer; the answer arrives in a later turn. Tell the user you are waiting.`;
    return { status: 'pending', id: body?.id, note };
  }
  if (status === 403) {
    const reason = body?.reason ?? body?.error?.message;
    const note = `Your question to ${to} was refused: ${reason}. Do not ask again as it is; tell the user why.`;
    return { status: 'refused', reason, note };
  }
  return {
    status: 'failed',
    httpStatus: status,
    error: body?.error ?? body,
    note: 'The question could not be sent. Tell the user; you may try again later.',
  };
}

/** The answer a gateway call gives the model: the gateway's JSON, and what a status means. */
function gatewayAnswer({ status, body }) {
  if (status >= 200 && status < 300) return body;
  if (status === 403) return body?.status ? body : { status: 'denied', error: body?.error ?? body };
  return { status: 'failed', httpStatus: status, error: body?.error ?? body };
}

/** A capability's typed tool as a zod schema: its body fields, and the purpose an approver reads. */
function capabilityToolSchema(fields) {
  const shape = {};
  for (const [name, f] of Object.entries(fields)) {
    let s =
      f.enum && f.type === 'string'
        ? z.enum(f.enum.map(String))
        : f.type === 'string'
          ? z.string()
          : f.type === 'boolean'
            ? z.boolean()
            : f.type === 'integer'
              ? z.number().int()
              : z.number();
    if (f.description) s = s.describe(f.description);
    shape[name] = f.optional ? s.optional() : s;
  }
  shape.purpose = z.string().min(1).describe('Why, in one sentence an approver will read.');
  return z.object(shape);
}

/** A capability's typed tool: its call is an ordinary sensitive request through the gateway. */
function capabilityTool(gateway, spec) {
  return tool({
    description: `${spec.description} (${spec.method} ${spec.path} through ${spec.capability}; answers executed, pending approval, denied or failed, as request_action does)`,
    inputSchema: capabilityToolSchema(spec.fields),
    execute: async ({ purpose, ...body }) =>
      actionAnswer(
        await gateway.call('POST', '/v1/actions', {
          capability: spec.capability,
          method: spec.method,
          path: spec.path,
          ...(Object.keys(spec.fields).length > 0 ? { body } : {}),
          purpose,
        }),
      ),
  });
}

/** The tools named in `names`, bound to the workspace and the gateway; `mayAsk`: who `ask_agent` may ask. */
export function createTools({ names, workspace, gateway, mayAsk = [], capabilityTools = [] }) {
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
    request_action: tool({
      description:
        'Ask for a sensitive action outside the sandbox (an API call made with credentials you do not hold). ' +
        'Answers executed (with the result), pending (a person must approve; the outcome arrives in a later turn, so tell the user and do not wait), denied (with the reason), or failed.',
      inputSchema: z.object({
        capability: z.string().min(1),
        method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
        // Anchored at both ends: llama.cpp's JSON-schema grammar refuses a pattern that is not.
        path: z.string().regex(/^\/.*$/),
        body: z.unknown().optional(),
        purpose: z.string().min(1).describe('Why, in one sentence an approver will read.'),
      }),
      execute: async (input) => actionAnswer(await gateway.call('POST', '/v1/actions', input)),
    }),
    send_message: tool({
      description: 'Send a progress message to the user now, before your final answer.',
      inputSchema: z.object({ text: z.string().min(1) }),
      execute: async ({ text }) => {
        await gateway.sendMessage(text);
        return { status: 'sent' };
      },
    }),
    fetch: tool({
      description:
        'Fetch a web page or API from an allow-listed host (GET or POST, no credentials).',
      inputSchema: z.object({
        url: z.string().url(),
        method: z.enum(['GET', 'POST']).optional(),
        body: z.string().optional(),
      }),
      execute: async (input) => gatewayAnswer(await gateway.call('POST', '/v1/fetch', input)),
    }),
    ask_agent: tool({
      description:
        `Ask another agent a question; you may ask: ${mayAsk.join(', ')}. ` +
        'The question is sanitized and may need a person to approve it; the answer also. ' +
        'Answers pending (the answer arrives in a later turn, so tell the user and do not wait), refused (with the reason), or failed. ' +
        'Put everything the other agent needs in the question: it does not see this conversation.',
      inputSchema: z.object({
        to: z
          .string()
          .min(1)
          .describe(`The agent to ask: one of ${mayAsk.join(', ')}.`),
        question: z.string().min(1).max(20_000),
      }),
      execute: async (input) => askAnswer(input.to, await gateway.call('POST', '/v1/ask', input)),
    }),
  };
  for (const spec of capabilityTools) all[spec.name] = capabilityTool(gateway, spec);
  return Object.fromEntries(names.map((n) => [n, all[n]]));
}
