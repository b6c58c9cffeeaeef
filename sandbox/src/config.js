// What the runner needs to know. The agent's settings come from the gateway, `GET /v1/agent` (the
// session fills them from the policy; nothing in the box can change them):
//   { "id": "support",                 the agent id (logged; identity comes from the socket)
//     "instructions": "You are …",     the system instructions
//     "model": "gpt-4o-mini",          the model id sent to the gateway (which enforces its list)
//     "tools": ["shell", …],           optional: the tools offered (default: all)
//     "maxSteps": 20,                  model calls per turn
//     "firstStepToolChoice": "auto",   "required": the turn's first model call must call a tool
//     "sessionId": "support:t1" }      names the session's conversation file in the workspace
// (and more the runner leaves to the gateway: the boundary tools its `/mcp` lists follow from them).
// Environment (optional): AIRLOCK_WORKSPACE (default /workspace), AIRLOCK_GATEWAY_SOCKET (default
// /gateway/gateway.sock), AIRLOCK_INBOX_WAIT_MS (default 55000). Nothing here holds a key.
import { join } from 'node:path';
import { z } from 'zod';
import toolNames from './tools.json' with { type: 'json' };

/**
 * Every built-in tool name, one list (tools.json) read by the host's policy too: a capability's
 * typed tool may not take one of these names. The box runs the first three itself; the others are
 * the gateway's own, listed with the rest of the boundary tools by its MCP endpoint (mcp.js).
 */
export const TOOL_NAMES = toolNames;

/** The tools the box runs itself. */
export const LOCAL_TOOLS = ['shell', 'read_file', 'write_file'];

const agentSettings = z.object({
  id: z.string().min(1),
  instructions: z.string().default(''),
  model: z.string().min(1),
  tools: z.array(z.string()).optional(),
  maxSteps: z.number().int().min(1).max(200).default(20),
  firstStepToolChoice: z.enum(['auto', 'required']).default('auto'),
  sessionId: z.string().min(1),
});

/** The runner's paths and timings from the environment. */
export function runnerEnv(env = process.env) {
  return {
    workspace: env.AIRLOCK_WORKSPACE || '/workspace',
    socketPath: env.AIRLOCK_GATEWAY_SOCKET || '/gateway/gateway.sock',
    inboxWaitMs: Number(env.AIRLOCK_INBOX_WAIT_MS || 55_000),
  };
}

/** Parse the gateway's `/v1/agent` answer into the agent and the box's own tools it is offered. */
export function parseAgent(body) {
  const agent = agentSettings.parse(body);
  return {
    agent,
    tools: agent.tools ? LOCAL_TOOLS.filter((t) => agent.tools.includes(t)) : LOCAL_TOOLS,
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
