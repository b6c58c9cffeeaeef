// What the runner needs to know. The agent's settings come from the gateway, `GET /v1/agent` (the
// session fills them from the policy; nothing in the box can change them):
//   { "id": "support",                 the agent id (logged; identity comes from the socket)
//     "instructions": "You are …",     the system instructions
//     "model": "gpt-4o-mini",          the model id sent to the gateway (which enforces its list)
//     "sensitivity": "action",         "research" gets `fetch`, "action" gets `request_action`
//     "tools": ["shell", …],           optional: the tools offered (default: all the kind allows)
//     "mayAsk": ["research"],          the agents it may ask (`ask_agent`, offered when not empty)
//     "maxSteps": 20,                  model calls per turn
//     "firstStepToolChoice": "auto",   "required": the turn's first model call must call a tool
//     "capabilityTools": [ … ],        typed tools of its capabilities, each one sensitive request
//     "sessionId": "support:t1" }      names the session's conversation file in the workspace
// Environment (optional): AIRLOCK_WORKSPACE (default /workspace), AIRLOCK_GATEWAY_SOCKET (default
// /gateway/gateway.sock), AIRLOCK_INBOX_WAIT_MS (default 55000). Nothing here holds a key.
import { join } from 'node:path';
import { z } from 'zod';
import { log } from './log.js';
import toolNames from './tools.json' with { type: 'json' };

/**
 * Every tool the runner knows; boundary tools go through the gateway. One list (tools.json), read
 * by the host's policy too: a capability's typed tool may not take one of these names.
 */
export const TOOL_NAMES = toolNames;

const agentSettings = z.object({
  id: z.string().min(1),
  instructions: z.string().default(''),
  model: z.string().min(1),
  sensitivity: z.enum(['research', 'action']).default('action'),
  tools: z.array(z.string()).optional(),
  maxSteps: z.number().int().min(1).max(200).default(20),
  firstStepToolChoice: z.enum(['auto', 'required']).default('auto'),
  capabilityTools: z
    .array(
      z.object({
        name: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/),
        description: z.string(),
        capability: z.string().min(1),
        method: z.string().min(1),
        path: z.string().startsWith('/'),
        fields: z.record(
          z.string(),
          z.object({
            type: z.enum(['string', 'number', 'integer', 'boolean']),
            description: z.string().optional(),
            enum: z.array(z.union([z.string(), z.number()])).optional(),
            optional: z.boolean().default(false),
          }),
        ),
      }),
    )
    .default([]),
  sessionId: z.string().min(1),
  mayAsk: z.array(z.string().min(1)).default([]),
});

/** Whether the agent's kind and links allow `tool` at all. */
function kindAllows(agent, tool) {
  // A research agent reaches the web and holds no credentials; an action agent the reverse (the
  // gateway refuses the other kind's calls too; not offering them keeps the model from trying).
  if (tool === 'fetch') return agent.sensitivity === 'research';
  if (tool === 'request_action') return agent.sensitivity === 'action';
  if (tool === 'ask_agent') return agent.mayAsk.length > 0;
  return true;
}

/** The runner's paths and timings from the environment. */
export function runnerEnv(env = process.env) {
  return {
    workspace: env.AIRLOCK_WORKSPACE || '/workspace',
    socketPath: env.AIRLOCK_GATEWAY_SOCKET || '/gateway/gateway.sock',
    inboxWaitMs: Number(env.AIRLOCK_INBOX_WAIT_MS || 55_000),
  };
}

/** Parse the gateway's `/v1/agent` answer into the agent and the tools it is offered. */
export function parseAgent(body) {
  const agent = agentSettings.parse(body);
  const typed = agent.sensitivity === 'action' ? agent.capabilityTools.map((t) => t.name) : [];
  const allowed = [...TOOL_NAMES.filter((t) => kindAllows(agent, t)), ...typed];
  const unknown = (agent.tools ?? []).filter((t) => !allowed.includes(t));
  if (unknown.length > 0) log('warn', 'unknown tools ignored', { tools: unknown });
  return {
    agent,
    tools: agent.tools ? allowed.filter((t) => agent.tools.includes(t)) : allowed,
  };
}

/**
 * The session's conversation file. The workspace volume is shared by all sessions of one agent,
 * so each session has its own folder, named by its id made safe for a file name.
 */
export function conversationPath(workspace, sessionId) {
  let name = sessionId.replace(/[^A-Za-z0-9_.-]/g, '_');
  if (/^\.*$/.test(name)) name = name.replace(/\./g, '_') || '_';
  return join(workspace, '.airlock', 'sessions', name, 'conversation.json');
}
