// The parser of a request at the edge (`airlock policy explain`, the gateway): a strict zod schema
// whose output is exactly the workflow's ActionRequest, so the shape stays defined once (in
// workflows/sensitive-action/request.ts) and this file fails to compile if the two drift apart.
import { z } from 'zod';
import {
  maxInstructionFindings,
  type ActionRequest,
} from '../../workflows/sensitive-action/request.ts';
import { requestOrigin } from './fields.ts';

const requester = z.strictObject({
  platform: z.string().optional(),
  userId: z.string().optional(),
  aadObjectId: z.string().optional(),
  displayName: z.string().optional(),
  policyUserId: z.string().optional(),
});

/** Instruction findings on outside text (an exchange step's, a lookup's result). */
const findingsSchema = z
  .array(
    z.strictObject({
      kind: z.string(),
      start: z.number().int().min(0),
      end: z.number().int().min(0),
      sentence: z.string(),
      reason: z.string(),
    }),
  )
  .max(maxInstructionFindings)
  .optional();

/** A request to evaluate, as the gateway and `airlock policy explain` pass it. */
export const actionRequestSchema = z.strictObject({
  agent: z.string().min(1),
  capability: z.string().min(1),
  method: z.string().min(1),
  path: z.string().min(1),
  body: z.unknown().optional(),
  requester: requester.optional(),
  coRequesters: z.array(requester).optional(),
  origins: z.array(requestOrigin).min(1).optional(),
  sessionId: z.string().optional(),
  purpose: z.string().max(2000).optional(),
  context: z
    .strictObject({
      sessionWorkflowId: z.string().min(1),
      conversation: z.string(),
      message: z.string().nullable(),
      lookups: z
        .array(
          z.strictObject({
            server: z.string().min(1),
            tool: z.string().min(1),
            arguments: z.unknown(),
            result: z.string(),
            truncated: z.boolean(),
            instructions: findingsSchema,
          }),
        )
        .optional(),
    })
    .optional(),
  exchange: z
    .strictObject({
      workflowId: z.string().min(1),
      from: z.string().min(1),
      to: z.string().min(1),
      step: z.enum(['question', 'answer']),
      text: z.string(),
      removed: z.array(z.strictObject({ kind: z.string(), excerpt: z.string() })),
      truncated: z.boolean(),
      instructions: findingsSchema,
    })
    .optional(),
});

// The same type to the letter (optional fields included), or this line does not compile.
type Exactly<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const sameShape: Exactly<z.output<typeof actionRequestSchema>, ActionRequest> = true;
void sameShape;
