// What the session tells the runner, read once at start from the workspace. The contract:
// `<workspace>/.airlock/agent.json` (written by the session before the container starts) is
//   { "id": "support",                 the agent id (logged; identity comes from the socket)
//     "instructions": "You are …",     the system instructions
//     "model": "gpt-4o-mini",          the model id sent to the gateway (which enforces its list)
//     "sensitivity": "action",         "research" also gets the `fetch` tool
//     "tools": ["shell", …],           optional: the tools offered (default: all the kind allows)
//     "maxSteps": 20 }                 optional: model calls per turn
// Environment (optional): AIRLOCK_WORKSPACE (default /workspace), AIRLOCK_GATEWAY_SOCKET (default
// /gateway/gateway.sock), AIRLOCK_INBOX_WAIT_MS (default 55000). Nothing here holds a key.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/** Every tool the runner knows; boundary tools go through the gateway. */
export const TOOL_NAMES = [
  'shell',
  'read_file',
  'write_file',
  'request_action',
  'send_message',
  'fetch',
];

const agentFile = z.object({
  id: z.string().min(1),
  instructions: z.string().default(''),
  model: z.string().min(1),
  sensitivity: z.enum(['research', 'action']).default('action'),
  tools: z.array(z.enum(TOOL_NAMES)).optional(),
  maxSteps: z.number().int().min(1).max(200).default(20),
});

/** Read the runner's settings: the agent file plus paths from the environment. */
export async function loadConfig(env = process.env) {
  const workspace = env.AIRLOCK_WORKSPACE || '/workspace';
  const stateDir = join(workspace, '.airlock');
  const file = join(stateDir, 'agent.json');
  const agent = agentFile.parse(JSON.parse(await readFile(file, 'utf8')));
  const allowed = TOOL_NAMES.filter((t) => t !== 'fetch' || agent.sensitivity === 'research');
  return {
    agent,
    tools: agent.tools ? allowed.filter((t) => agent.tools.includes(t)) : allowed,
    workspace,
    conversationPath: join(stateDir, 'conversation.json'),
    socketPath: env.AIRLOCK_GATEWAY_SOCKET || '/gateway/gateway.sock',
    inboxWaitMs: Number(env.AIRLOCK_INBOX_WAIT_MS || 55_000),
  };
}
