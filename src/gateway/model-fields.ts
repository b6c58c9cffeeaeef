// The building blocks of the model endpoints' request allow-lists (model-request.ts for chat
// completions, model-responses-request.ts, model-anthropic-request.ts): strict objects that refuse
// an unknown key by name, discriminated unions that refuse an unknown kind by name with what is
// allowed, and the shapes the three protocols share (inline images only, opaque JSON Schemas).
import { z } from 'zod';

/** The error code of every refusal by an allow-list. */
export const NOT_ALLOWED = 'field_not_allowed';

// What the agent wrote, quoted for the refusal, cut short: a refusal is not an echo service.
const quote = (value: unknown): string => (JSON.stringify(value) ?? 'undefined').slice(0, 80);
// Strict objects name the first key they do not know; the edge reports it under NOT_ALLOWED.
const refusedKey = (iss: { code: string; keys?: string[] }): string | undefined =>
  iss.code === 'unrecognized_keys'
    ? `${(iss.keys ?? []).map(quote).join(', ')} is not forwarded to the model`
    : undefined;

/** A strict object whose unknown keys are refused by name. */
export const strict = <S extends z.ZodRawShape>(shape: S) =>
  z.strictObject(shape, { error: refusedKey });

/** A discriminated union whose unknown discriminator is refused by name, with what is allowed. */
export function oneOf<
  T extends readonly [z.core.$ZodTypeDiscriminable, ...z.core.$ZodTypeDiscriminable[]],
>(key: string, what: string, options: T, allowed: string) {
  return z.discriminatedUnion(key, options, {
    error: (iss) => {
      const input = iss.input as Record<string, unknown> | undefined;
      const value = input && typeof input === 'object' ? input[key] : undefined;
      return `${what} ${quote(value)} is not forwarded to the model; allowed: ${allowed}`;
    },
  });
}

/** An image only as inline data: a URL would be fetched by the provider, from anywhere. */
export const DATA_IMAGE = /^data:image\/[a-z0-9.+-]+(;[a-z0-9=.+-]+)*;base64,/;

/** A `data:image/…;base64,` URL; anything else is refused (`params.refused`) as a fetch. */
export const dataImageUrl = z.string().refine((u) => DATA_IMAGE.test(u), {
  message: 'images are forwarded only as data: URLs (data:image/…;base64,…), never fetched',
  params: { refused: true },
});

/** A tool's parameters or a response schema: JSON Schema for the model to follow, opaque here. */
export const jsonSchema = z.record(z.string(), z.unknown());

/** A model id as the agent asks for it (the gateway checks it against the agent's list). */
export const modelField = z.string().min(1).max(200);

/** A tool or call name, an id. */
export const shortText = z.string().max(256);
