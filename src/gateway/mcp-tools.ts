// Airlock's own tools as the gateway's MCP endpoint lists them for one agent: `request_action`,
// `send_message`, `fetch` (research agents), `ask_agent` (agents that may ask someone) and the
// typed tools of the agent's capabilities, narrowed by the policy's `tools`. Each validates its
// arguments with the zod schema its HTTP route reads (the listed JSON Schema is made from it) and
// calls the route's own handler code, so a tool call and a route call cannot drift apart.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { RunnerTool } from '../policy/capability-tools.ts';
import { actionInput, requestActionFor, type ActionsDeps } from './actions.ts';
import { askAgentFor, askInput, type AskDeps } from './ask.ts';
import { GatewayError } from './edge.ts';
import { fetchFor, fetchInput, type FetchDeps } from './fetch.ts';
import { actionResult, askResult, failedResult, jsonResult } from './mcp-answers.ts';
import { messageInput, sendProgress, type ProgressDeps } from './messages.ts';
import type { RunnerSettings } from './types.ts';

/** A tool's JSON Schema for its arguments (always an object). */
export type InputSchema = { type: 'object' } & Record<string, unknown>;

/** One tool of the gateway's MCP endpoint. */
export interface GatewayTool {
  name: string;
  description: string;
  inputSchema: InputSchema;
  /**
   * Check `args` against the tool's schema and give back the call, not yet started; throws a 400
   * GatewayError (nothing started) when they do not fit. The call answers refusals and failures
   * as tool errors the model reads.
   */
  prepare(args: Record<string, unknown>): () => Promise<CallToolResult>;
}

/** What Airlock's own tools need: the routes' dependencies and the runner's settings. */
export interface OwnToolDeps extends ActionsDeps, AskDeps, FetchDeps, ProgressDeps {
  runner: RunnerSettings;
}

/** The JSON Schema of `schema`'s input, without the `$schema` line. */
function inputSchemaOf(schema: z.ZodType): InputSchema {
  const { $schema: _, ...json } = z.toJSONSchema(schema, { io: 'input' });
  return { ...json, type: 'object' };
}

/** `args` parsed by `schema`, or a 400 naming what does not fit. */
function parseArgs<S extends z.ZodType>(tool: string, schema: S, args: unknown): z.infer<S> {
  const parsed = schema.safeParse(args);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`)
    .join('; ');
  throw new GatewayError(400, 'invalid_tool_input', `Invalid arguments for ${tool}: ${problems}.`);
}

/** A tool whose arguments are `schema`'s and whose call is `run`, its gateway errors answered. */
function zodTool<S extends z.ZodType>(
  name: string,
  description: string,
  schema: S,
  what: string,
  run: (input: z.infer<S>) => Promise<CallToolResult>,
  inputSchema: InputSchema = inputSchemaOf(schema),
): GatewayTool {
  return {
    name,
    description,
    inputSchema,
    prepare(args) {
      const input = parseArgs(name, schema, args);
      return () =>
        run(input).catch((err: unknown) => {
          if (err instanceof GatewayError) return failedResult(err, what);
          throw err;
        });
    },
  };
}

/** A capability tool's arguments: its body fields, and the purpose an approver reads. */
function capabilitySchema(fields: RunnerTool['fields']) {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, f] of Object.entries(fields)) {
    let s: z.ZodType =
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
  shape['purpose'] = actionInput.shape.purpose;
  return z.strictObject(shape);
}

/** A capability's typed tool: its call is an ordinary action request, as request_action's. */
function capabilityTool(spec: RunnerTool, deps: OwnToolDeps): GatewayTool {
  const hasBody = Object.keys(spec.fields).length > 0;
  return zodTool(
    spec.name,
    `${spec.description} (${spec.method} ${spec.path} through ${spec.capability}; answers executed, pending approval, denied or failed, as request_action does)`,
    capabilitySchema(spec.fields),
    'The action',
    async ({ purpose, ...body }) => {
      const input = parseArgs(spec.name, actionInput, {
        capability: spec.capability,
        method: spec.method,
        path: spec.path,
        ...(hasBody ? { body } : {}),
        purpose,
      });
      return actionResult(await requestActionFor(input, deps));
    },
  );
}

/** Airlock's own tools for this agent, in the runner's order, then the capability tools. */
export function ownTools(deps: OwnToolDeps): GatewayTool[] {
  const { runner } = deps;
  const mayAsk = runner.mayAsk.join(', ');
  const askSchema = inputSchemaOf(askInput);
  (askSchema['properties'] as Record<string, unknown>)['to'] = {
    type: 'string',
    minLength: 1,
    maxLength: 100,
    description: `The agent to ask: one of ${mayAsk}.`,
  };
  const all: GatewayTool[] = [
    zodTool(
      'request_action',
      'Ask for a sensitive action outside the sandbox (an API call made with credentials you do not hold). ' +
        'Answers executed (with the result), pending (a person must approve; the outcome arrives in a later turn, so tell the user and do not wait), denied (with the reason), or failed.',
      actionInput,
      'The action',
      async (input) => actionResult(await requestActionFor(input, deps)),
    ),
    zodTool(
      'send_message',
      'Send a progress message to the user now, before your final answer.',
      messageInput,
      'The message',
      async ({ text }) => {
        await sendProgress(text, deps);
        return jsonResult({ status: 'sent' });
      },
    ),
    zodTool(
      'fetch',
      'Fetch a web page or API from an allow-listed host (GET or POST, no credentials).',
      fetchInput,
      'The fetch',
      async (input) => jsonResult(await fetchFor(input, deps)),
    ),
    zodTool(
      'ask_agent',
      `Ask another agent a question; you may ask: ${mayAsk}. ` +
        'The question is sanitized and may need a person to approve it; the answer also. ' +
        'Answers pending (the answer arrives in a later turn, so tell the user and do not wait), refused (with the reason), or failed. ' +
        'Put everything the other agent needs in the question: it does not see this conversation.',
      askInput,
      'The question',
      async (input) => askResult(input.to, await askAgentFor(input, deps)),
      askSchema,
    ),
  ];
  const action = deps.agent.sensitivity === 'action';
  // A research agent reaches the web and holds no credentials; an action agent the reverse (the
  // handlers refuse the other kind's calls too; not listing them keeps the model from trying).
  const kindAllows = (name: string): boolean =>
    name === 'fetch'
      ? !action
      : name === 'request_action'
        ? action
        : name !== 'ask_agent' || runner.mayAsk.length > 0;
  const typed = action ? runner.capabilityTools.map((spec) => capabilityTool(spec, deps)) : [];
  const offered = [...all.filter((t) => kindAllows(t.name)), ...typed];
  return runner.tools ? offered.filter((t) => runner.tools?.includes(t.name)) : offered;
}
