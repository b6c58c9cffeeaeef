// A capability's tools: named, typed views of one request each (method, path, body fields) that an
// agent is offered beside the generic `request_action`. A model, a small one above all, calls
// `request_refund(order, amount, currency, reason)` far more reliably than it fills in a generic
// request; the call is still an ordinary sensitive request (same gateway route, rules, card).
import { z } from 'zod';
import runnerTools from '../../sandbox/src/tools.json' with { type: 'json' };

/** Names a tool may not take: the runner's own (its list, baked into the sandbox image). */
export const builtinTools: readonly string[] = runnerTools;

const toolName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,63}$/, 'a tool name is 1–64 lower-case letters, digits or "_"')
  .refine((n) => !builtinTools.includes(n), 'that name is a built-in tool');

const fieldSchema = z.strictObject({
  type: z.enum(['string', 'number', 'integer', 'boolean']),
  description: z.string().max(500).optional(),
  enum: z
    .array(z.union([z.string(), z.number()]))
    .min(1)
    .optional(),
  optional: z.boolean().default(false),
});

/** One tool of a capability. */
export const capabilityToolSchema = z.strictObject({
  name: toolName,
  description: z.string().min(1).max(1000),
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']),
  path: z.string().regex(/^\/[^\s?#*]*$/, 'a tool path is one concrete path, e.g. /refunds'),
  fields: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/), fieldSchema)
    .default({})
    .meta({
      description: 'The request body: one JSON field per entry (required unless optional).',
    }),
});

/** A capability tool as the runner gets it (plain JSON, the capability named). */
export interface RunnerTool {
  name: string;
  description: string;
  capability: string;
  method: string;
  path: string;
  fields: Record<
    string,
    {
      type: 'string' | 'number' | 'integer' | 'boolean';
      description?: string;
      enum?: (string | number)[];
      optional: boolean;
    }
  >;
}
