// Writes policies/schema.json from the zod policy schema, formatted like the rest of the repo.
// Run after changing src/policy/schema.ts: node scripts/gen-policy-schema.ts
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { policyJsonSchema } from '../src/policy/json-schema.ts';

const target = fileURLToPath(new URL('../policies/schema.json', import.meta.url));
const options = (await prettier.resolveConfig(target)) ?? {};
const text = await prettier.format(JSON.stringify(policyJsonSchema()), {
  ...options,
  parser: 'json',
});
writeFileSync(target, text);
console.log(`wrote ${target}`);
