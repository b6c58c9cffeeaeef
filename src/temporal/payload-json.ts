// Temporal payloads as proto3 JSON (base64 metadata values and data): how the codec keeps a
// payload inside its ciphertext, and what the codec server takes from and answers to the UI.
import type { Payload } from '@temporalio/common';

/** A payload as proto3 JSON; either field may be missing, as proto3 JSON allows. */
export interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

/** The proto3 JSON of a payload. */
export function payloadToJson(p: Payload): JsonPayload {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {}))
    metadata[k] = Buffer.from(v).toString('base64');
  return { metadata, data: Buffer.from(p.data ?? new Uint8Array()).toString('base64') };
}

/** The payload proto3 JSON describes; throws when it is not one. */
export function payloadFromJson(p: JsonPayload): Payload {
  if (typeof p !== 'object' || p === null) throw new Error('a payload is not an object');
  const metadata: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) {
    if (typeof v !== 'string') throw new Error(`metadata ${k} is not base64 text`);
    metadata[k] = Buffer.from(v, 'base64');
  }
  return { metadata, data: Buffer.from(typeof p.data === 'string' ? p.data : '', 'base64') };
}
