// A second harness for Airlock's box: the OpenAI Agents SDK (@openai/agents), bundled into
// /app/harness.js by scripts/harness-image.sh, the image's command. It follows the runner contract
// (docs/harnesses.md) over the base image's loopback forwarder: settings from `GET /v1/agent`, then
// a loop of inbox long-poll, one `run()` of the agent with the model behind the gateway's
// chat-completions proxy (OPENAI_BASE_URL, a placeholder key the gateway replaces) and every tool
// from the gateway's MCP endpoint (`/mcp`, listed afresh each turn), the history saved in the
// workspace with the turn's id and reply, and the turn reported done. A turn delivered again after
// it was done is answered from the saved reply, without the model.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Agent,
  MCPServerStreamableHttp,
  OpenAIChatCompletionsModel,
  run,
  setOpenAIAPI,
  setTracingDisabled,
} from '@openai/agents';
import OpenAI from 'openai';
import { turnMessage } from '../../../sandbox/src/conversation.js';
import { connectGateway, isGatewayLost } from './gateway.js';
import { log } from './log.js';

/** The longest reply the gateway takes in a turn report. */
const MAX_REPLY = 200_000;
/** How long one MCP request may take: an action may be held a while before it answers pending. */
const MCP_TIMEOUT_MS = 300_000;

function harnessEnv(env = process.env) {
  const port = Number(env.AIRLOCK_FORWARD_PORT);
  if (!Number.isInteger(port) || port < 1) throw new Error('AIRLOCK_FORWARD_PORT is not set');
  const gatewayUrl = `http://127.0.0.1:${port}`;
  return {
    gatewayUrl,
    modelUrl: env.OPENAI_BASE_URL || `${gatewayUrl}/v1`,
    // A placeholder: the gateway injects the real key, which never enters the box.
    apiKey: env.OPENAI_API_KEY || 'airlock-placeholder',
    workspace: env.AIRLOCK_WORKSPACE || '/workspace',
    inboxWaitMs: Number(env.AIRLOCK_INBOX_WAIT_MS || 55_000),
  };
}

/** The session's saved history (its own file beside what Airlock's runner would keep). */
function historyPath(workspace, sessionId) {
  let name = sessionId.replace(/[^A-Za-z0-9_.-]/g, '_');
  if (/^\.*$/.test(name)) name = name.replace(/\./g, '_') || '_';
  return join(workspace, '.airlock', 'sessions', name, 'openai-agents.json');
}

async function load(path) {
  try {
    const saved = JSON.parse(await readFile(path, 'utf8'));
    return { history: saved.history ?? [], lastTurn: saved.lastTurn };
  } catch (err) {
    if (err.code === 'ENOENT') return { history: [], lastTurn: undefined };
    throw err;
  }
}

// Written atomically: a container killed mid-write leaves the previous version.
async function save(path, saved) {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(`${path}.tmp`, JSON.stringify(saved));
  await rename(`${path}.tmp`, path);
}

/**
 * The history without the SDK's `providerData` (the raw chat-completions message each item came
 * from): sent back, it lands in the next request as fields the gateway's allow-list refuses
 * (`role`, `refusal` inside a content part). Everything the model needs is in the items themselves.
 */
function withoutProviderData(items) {
  return JSON.parse(JSON.stringify(items, (k, v) => (k === 'providerData' ? undefined : v)));
}

/** Connect the MCP client to the gateway, retrying with backoff (it may be restarting). */
async function connectTools(server) {
  for (let delay = 250; ; delay = Math.min(delay * 2, 5_000)) {
    try {
      await server.connect();
      return;
    } catch (err) {
      log('warn', 'gateway MCP endpoint unreachable', { err });
    }
    await sleep(delay);
  }
}

async function main() {
  const env = harnessEnv();
  // Nothing leaves the box but the gateway: no traces to OpenAI, chat completions for the model.
  setTracingDisabled(true);
  setOpenAIAPI('chat_completions');
  const gateway = connectGateway(env.gatewayUrl);
  const settings = await gateway.agentSettings();
  const client = new OpenAI({ baseURL: env.modelUrl, apiKey: env.apiKey, fetch: gateway.fetch });
  // Airlock's tools and the agent's granted MCP tools, one list, from the gateway (stateless:
  // a gateway restarted with its worker answers the next request as if nothing happened).
  const tools = new MCPServerStreamableHttp({
    url: `${env.gatewayUrl}/mcp`,
    name: 'airlock',
    cacheToolsList: false,
    timeout: MCP_TIMEOUT_MS,
    fetch: gateway.fetch,
  });
  await connectTools(tools);
  const agent = new Agent({
    name: settings.id,
    instructions: settings.instructions || undefined,
    model: new OpenAIChatCompletionsModel(client, settings.model),
    mcpServers: [tools],
    // A small model may answer in prose where it should act: the policy can require a tool call in
    // the first model call of a turn (the SDK resets the choice to auto after a tool is used).
    ...(settings.firstStepToolChoice === 'required' && {
      modelSettings: { toolChoice: 'required' },
      resetToolChoice: true,
    }),
  });
  const path = historyPath(env.workspace, settings.sessionId);
  const listed = await tools.listTools();
  log('info', 'harness ready', { agent: settings.id, mcpTools: listed.map((t) => t.name) });

  /** One turn: the reply and the history after it, or undefined when the gateway went away. */
  async function turn(id, items, history) {
    const input = [...history, turnMessage(items)];
    const lost = new AbortController();
    const unwatch = gateway.watch((err) => lost.abort(err));
    try {
      const result = await run(agent, input, {
        maxTurns: settings.maxSteps ?? 20,
        signal: lost.signal,
      });
      if (lost.signal.aborted) throw lost.signal.reason;
      return {
        history: withoutProviderData(result.history),
        reply: String(result.finalOutput ?? ''),
      };
    } catch (err) {
      if (lost.signal.aborted || isGatewayLost(err)) {
        log('warn', 'turn abandoned: the gateway went away', { turn: id, err });
        return undefined;
      }
      log('error', 'turn failed', { turn: id, err });
      return { history: input, reply: `I could not finish this: ${err.message}` };
    } finally {
      unwatch();
    }
  }

  for (;;) {
    const batch = await gateway.nextBatch(env.inboxWaitMs);
    if (!batch) continue;
    const saved = await load(path);
    if (saved.lastTurn?.id === batch.turn) {
      await gateway.reportDone(batch.turn, saved.lastTurn.reply);
      continue;
    }
    log('info', 'turn started', { turn: batch.turn, items: batch.items.length });
    const done = await turn(batch.turn, batch.items, saved.history);
    if (!done) continue;
    const reply = done.reply.slice(0, MAX_REPLY);
    // Saved before the report: a container lost in between answers the redelivered turn from here.
    await save(path, { history: done.history, lastTurn: { id: batch.turn, reply } });
    if (!(await gateway.reportDone(batch.turn, reply)))
      log('warn', 'turn report not taken; it is answered again when redelivered', {
        turn: batch.turn,
      });
  }
}

for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));

main().catch((err) => {
  log('error', 'harness stopped', { err });
  process.exit(1);
});
