// The agent's tools for the Agents SDK, each one call to a gateway route through the forwarder
// (the routes Airlock's own runner uses; the gateway decides, the box holds no credentials):
// `request_action` and the capabilities' typed tools (POST /v1/actions: executed, pending approval
// or denied), `send_message` (progress to the user), `ask_agent` and, for research agents, `fetch`.
// JSON-schema parameters, not strict: arguments like an action's body are free-form.
import { tool } from '@openai/agents';

/** What an action request's answer means, in words the model can act on. */
function actionAnswer({ status, body }) {
  if (status === 200)
    return { ...body, note: 'The action was carried out; result is what the service answered.' };
  if (status === 202)
    return {
      ...body,
      note: `Waiting for human approval (id ${body?.id}); you will be told the outcome in a later turn. Tell the user.`,
    };
  if (status === 403)
    return {
      status: 'denied',
      reason: body?.reason ?? body?.error?.message,
      note: 'The action was refused; do not ask again as it is. Tell the user why.',
    };
  return {
    status: 'failed',
    httpStatus: status,
    error: body?.error ?? body,
    note: 'The action could not be requested. Tell the user; you may try again later.',
  };
}

/** Any other gateway answer: its JSON, or what the status means. */
function gatewayAnswer({ status, body }) {
  if (status >= 200 && status < 300) return body;
  return {
    status: status === 403 ? 'refused' : 'failed',
    httpStatus: status,
    error: body?.error ?? body,
  };
}

const object = (properties, required) => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});
const purpose = { type: 'string', description: 'Why, in one sentence an approver will read.' };

/** A capability's typed tool (from the agent's settings): one sensitive request. */
function capabilityTool(gateway, spec) {
  const properties = {};
  for (const [name, f] of Object.entries(spec.fields)) {
    properties[name] = {
      type: f.type,
      ...(f.description ? { description: f.description } : {}),
      ...(f.enum ? { enum: f.enum } : {}),
    };
  }
  const required = Object.entries(spec.fields)
    .filter(([, f]) => !f.optional)
    .map(([n]) => n);
  return tool({
    name: spec.name,
    description: `${spec.description} (${spec.method} ${spec.path} through ${spec.capability}; answers executed, pending approval, denied or failed)`,
    parameters: object({ ...properties, purpose }, [...required, 'purpose']),
    strict: false,
    execute: async ({ purpose: why, ...body }) =>
      actionAnswer(
        await gateway.call('POST', '/v1/actions', {
          capability: spec.capability,
          method: spec.method,
          path: spec.path,
          ...(Object.keys(spec.fields).length > 0 ? { body } : {}),
          purpose: why,
        }),
      ),
  });
}

/** The tools the agent's settings offer, bound to the gateway. */
export function createTools(gateway, agent) {
  const all = {
    request_action: tool({
      name: 'request_action',
      description:
        'Ask for a sensitive action outside the sandbox (an API call made with credentials you do not hold). ' +
        'Answers executed (with the result), pending (a person must approve; the outcome arrives in a later turn, so tell the user and do not wait), denied (with the reason), or failed.',
      parameters: object(
        {
          capability: { type: 'string' },
          method: { type: 'string', enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
          path: { type: 'string', pattern: '^/.*$' },
          body: { description: 'The JSON body, if any.' },
          purpose,
        },
        ['capability', 'method', 'path', 'purpose'],
      ),
      strict: false,
      execute: async (input) => actionAnswer(await gateway.call('POST', '/v1/actions', input)),
    }),
    send_message: tool({
      name: 'send_message',
      description: 'Send a progress message to the user now, before your final answer.',
      parameters: object({ text: { type: 'string' } }, ['text']),
      strict: false,
      execute: async (input) => gatewayAnswer(await gateway.call('POST', '/v1/messages', input)),
    }),
    ask_agent: tool({
      name: 'ask_agent',
      description: `Ask another agent a question; you may ask: ${agent.mayAsk.join(', ')}. The answer arrives in a later turn.`,
      parameters: object(
        { to: { type: 'string', enum: agent.mayAsk }, question: { type: 'string' } },
        ['to', 'question'],
      ),
      strict: false,
      execute: async (input) => gatewayAnswer(await gateway.call('POST', '/v1/ask', input)),
    }),
    fetch: tool({
      name: 'fetch',
      description:
        'Fetch a web page or API from an allow-listed host (GET or POST, no credentials).',
      parameters: object(
        {
          url: { type: 'string' },
          method: { type: 'string', enum: ['GET', 'POST'] },
          body: { type: 'string' },
        },
        ['url'],
      ),
      strict: false,
      execute: async (input) => gatewayAnswer(await gateway.call('POST', '/v1/fetch', input)),
    }),
  };
  // What the agent's kind allows (the gateway refuses the other kind's calls too).
  const offered = ['send_message'];
  if (agent.sensitivity === 'action') offered.push('request_action');
  if (agent.sensitivity === 'research') offered.push('fetch');
  if (agent.mayAsk.length > 0) offered.push('ask_agent');
  const tools = offered.map((n) => all[n]);
  if (agent.sensitivity === 'action')
    for (const spec of agent.capabilityTools) tools.push(capabilityTool(gateway, spec));
  return agent.tools ? tools.filter((t) => agent.tools.includes(t.name)) : tools;
}
