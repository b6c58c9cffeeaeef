// Checking a call's arguments against the tool's own input schema before the server sees them,
// with the ajv the SDK bundles. A validator is compiled once per description hash (the hash covers
// the schema), and the cache stays bounded even for a server whose schemas change at every list.
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { JsonSchemaValidator } from '@modelcontextprotocol/sdk/validation';
import { AirlockError } from '../errors.ts';
import type { ListedTool } from './tools.ts';

const maxCached = 1000;

/** A checker with its own cache; `check` throws `mcp_bad_arguments` or `mcp_bad_schema`. */
export function argumentChecker(): {
  check(server: string, tool: ListedTool, args: Record<string, unknown>): void;
} {
  let validators = new Map<string, JsonSchemaValidator<unknown>>();
  let ajv = new AjvJsonSchemaValidator();

  const validator = ({ raw, hash }: ListedTool): JsonSchemaValidator<unknown> => {
    let v = validators.get(hash);
    if (!v) {
      if (validators.size >= maxCached) {
        // ajv keeps every schema it compiled: a fresh instance lets the old ones go.
        validators = new Map();
        ajv = new AjvJsonSchemaValidator();
      }
      // A schema's own $id would be cached across servers by ajv: compile without it.
      const { $id: _, ...schema } = (raw.inputSchema ?? {}) as Record<string, unknown>;
      try {
        v = ajv.getValidator(schema);
      } catch (err) {
        throw new AirlockError(
          'mcp_bad_schema',
          `Tool "${raw.name}" lists an input schema that cannot be used: ${(err as Error).message}`,
        );
      }
      validators.set(hash, v);
    }
    return v;
  };

  return {
    check(server, tool, args) {
      const valid = validator(tool)(args);
      if (!valid.valid) {
        throw new AirlockError(
          'mcp_bad_arguments',
          `The arguments do not fit tool "${tool.raw.name}" of MCP server "${server}": ${valid.errorMessage}`,
        );
      }
    },
  };
}
