// The rule section of a policy file (what a rule matches and decides, and how an `approve` rule
// asks humans), and the field schemas the other sections share with it (methods, path patterns,
// approvers, card targets, expiry). A rule's capability may be `mcp:<server>`, with its tools.
import { z } from 'zod';
import { conditionSchema, fieldPath, timeWindowSchema } from './condition-schema.ts';
import { duration, id, requestOrigin } from './fields.ts';
import { heldCapability, mcpPrefix } from './mcp-schema.ts';

/** An MCP tool name a rule names; "*" matches any run of characters (e.g. "create_*"). */
const toolName = z
  .string()
  .regex(
    /^[A-Za-z0-9_.*-]{1,128}$/,
    'a tool is an MCP tool name: 1–128 letters, digits, "_", "-" or "." ("*" for any run)',
  );

/** A value or a non-empty list of values, always parsed to a list. */
export function oneOrMany<T extends z.ZodType>(item: T, what: string) {
  return z
    .union([item, z.array(item).min(1)], { error: `expected ${what} or a list of them` })
    .transform((v): z.output<T>[] => (Array.isArray(v) ? v : [v]));
}

export const method = z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
export const pathGlob = z
  .string()
  .regex(/^\/[^\s?#]*$/, 'a path pattern starts with "/" and has no spaces, "?" or "#"');
export const approverSelector = z
  .strictObject({ users: z.array(id).default([]), groups: z.array(id).default([]) })
  .refine((a) => a.users.length + a.groups.length > 0, 'name at least one user or group');

export type Cards = z.output<typeof cardsSchema>;
export const cardsSchema = z
  .strictObject({
    teams: z
      .strictObject({
        channel: z
          .strictObject({
            conversationId: z.string().min(1),
            serviceUrl: z.url().optional(),
            tenantId: z.string().min(1).optional(),
          })
          .optional(),
        directMessages: z.boolean().default(false),
      })
      .refine((t) => t.channel || t.directMessages, 'send Teams cards to a channel, DMs or both')
      .optional(),
    slack: z
      .strictObject({
        channel: z.string().min(1).optional(),
        directMessages: z.boolean().default(false),
      })
      .refine((s) => s.channel || s.directMessages, 'send Slack cards to a channel, DMs or both')
      .optional(),
  })
  .refine((c) => c.teams || c.slack, 'say where cards go: teams, slack or both');

export const expirySchema = z.strictObject({
  after: duration,
  outcome: z.literal('deny').default('deny'),
});

export type Approval = z.output<typeof approvalSchema>;
/** How an `approve` rule asks humans. */
export const approvalSchema = z
  .strictObject({
    approvers: approverSelector,
    quorum: z.int().min(1).default(1).meta({ description: 'Distinct approvals needed (M of N).' }),
    allowSelfApproval: z.boolean().default(false),
    rejectionsToDeny: z.int().min(1).default(1),
    remindEvery: duration.optional(),
    escalation: z
      .array(z.strictObject({ after: duration, approvers: approverSelector }))
      .default([])
      .meta({ description: 'Levels; each `after` counts from the request, increasing.' }),
    expiry: expirySchema.optional(),
    grants: z
      .array(z.enum(['once', 'session', 'duration']))
      .min(1)
      .default(['once']),
    grantMaxDuration: duration.optional(),
    grantKeyFields: z.array(fieldPath).default([]),
    cards: cardsSchema.optional(),
  })
  .refine((a) => a.grants.includes('duration') === (a.grantMaxDuration !== undefined), {
    message: 'grantMaxDuration is required with a "duration" grant, and only then',
    path: ['grantMaxDuration'],
  });

/** What a request or exchange step whose text holds instruction findings gets. */
export const onInstructions = z.enum(['hold', 'reject', 'allow']);

export type Rule = z.output<typeof ruleSchema>;
/** One rule: what it matches and what it decides. Rules are evaluated first-match in order. */
export const ruleSchema = z
  .strictObject({
    id,
    description: z.string().optional(),
    agent: oneOrMany(id, 'an agent id').optional(),
    capability: oneOrMany(heldCapability, 'a capability id').optional(),
    method: oneOrMany(method, 'an HTTP method').optional(),
    path: oneOrMany(pathGlob, 'a path pattern').optional(),
    tool: oneOrMany(toolName, 'an MCP tool name').optional().meta({
      description:
        'With capability mcp:<server>: the tools the rule matches (the same as path: /<tool>).',
    }),
    when: z.array(conditionSchema).default([]),
    during: oneOrMany(timeWindowSchema, 'a time window').optional(),
    origins: z.array(requestOrigin).min(1).optional().meta({
      description:
        "An allow rule passes requests whose turn was started only by these: person (a message from a person), agent (another agent's question or answer), a2a (an external A2A client). Default: [person]; another origin falls through to the next rule.",
    }),
    decision: z.enum(['allow', 'deny', 'approve']),
    approval: approvalSchema.optional(),
    onInstructions: onInstructions.optional().meta({
      description:
        'A request whose purpose or body text tells its reader to act (instruction findings): hold (approve rules: a card every time, no grant offered or honoured), reject (refused), or allow (the default for rules).',
    }),
  })
  .refine((r) => (r.decision === 'approve') === (r.approval !== undefined), {
    message: 'approval is required when decision is "approve", and only then',
    path: ['approval'],
  })
  .refine((r) => r.tool === undefined || r.path === undefined, {
    message: 'give tool or path, not both (tool: x is path: /x)',
    path: ['tool'],
  })
  .refine((r) => r.tool === undefined || r.capability?.every((c) => c.startsWith(mcpPrefix)), {
    message: 'tool is for rules whose every capability is an MCP server (capability: mcp:<id>)',
    path: ['tool'],
  })
  .refine((r) => r.onInstructions !== 'hold' || r.decision === 'approve', {
    message:
      'onInstructions: hold is for approve rules only (it needs approvers to show the card to); use reject',
    path: ['onInstructions'],
  })
  .refine((r) => r.onInstructions === undefined || r.decision !== 'deny', {
    message:
      'onInstructions is for allow and approve rules (a deny rule refuses everything it matches)',
    path: ['onInstructions'],
  })
  .refine((r) => r.origins === undefined || r.decision === 'allow', {
    message: 'origins is for allow rules only (deny and approve rules match whatever the origin)',
    path: ['origins'],
  });
