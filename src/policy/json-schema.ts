// The JSON Schema of a policy file, generated from the zod schema so editors (the YAML language
// server) can complete and check policies as they are typed. Committed as policies/schema.json
// by scripts/gen-policy-schema.ts; a test keeps the committed file up to date.
import { z } from 'zod';
import { policyFileSchema } from './schema.ts';

/** The JSON Schema (draft-07, input side: defaults optional, durations as strings). */
export function policyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(policyFileSchema, { io: 'input', target: 'draft-7' });
  return {
    ...schema,
    $id: 'https://airlock.invalid/policy.schema.json',
    title: 'Airlock policy file',
    description:
      'Agents, capabilities, MCP servers, rules, links, users, groups and settings. A policy set merges every *.yaml/*.yml file of a directory.',
  };
}
