// AES-256-GCM payload codec: workflow inputs, results, signals and activity payloads are stored
// encrypted in Temporal's history. Search attributes are not payloads and stay in clear. With a key
// configured, a payload without our encryption is refused: its content never reaches workflow code,
// which sees `refusedPayload` instead. Refusing by replacing rather than by throwing matters: a
// throw fails the workflow task on every retry, so one plain signal from someone without the key
// would jam a pending approval for good; the replacement is judged like any malformed message
// (an approval decision that says nothing is refused and audited) and the run goes on.
import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { AirlockError } from '../errors.ts';
import { payloadFromJson, payloadToJson, type JsonPayload } from './payload-json.ts';

const ENCODING = 'binary/encrypted';
const enc = new TextEncoder();
const dec = new TextDecoder();

/** Whether `p` carries this codec's encryption (the codec server shows other payloads as they are). */
export function isEncrypted(p: Payload): boolean {
  return dec.decode(p.metadata?.encoding ?? new Uint8Array()) === ENCODING;
}

/** What workflow code sees in place of a payload that was not encrypted with our key. */
export interface RefusedPayload {
  airlockRefused: string;
}

function refused(encoding: string): Payload {
  const value: RefusedPayload = {
    airlockRefused: `unencrypted payload (encoding ${encoding}) from a client without the payload key`,
  };
  return {
    metadata: { encoding: enc.encode('json/plain') },
    data: enc.encode(JSON.stringify(value)),
  };
}

/** Encrypts every payload with one active key; decrypts with any known key id (rotation). */
export class EncryptionCodec implements PayloadCodec {
  // Imported once: a raw key given to createCipheriv is imported again on every payload, which
  // was a tenth of the worker's main-thread time when creating many requests.
  private readonly keys: Map<string, KeyObject>;
  private readonly activeKeyId: string;

  constructor(keys: Record<string, Buffer>, activeKeyId: string) {
    if (keys[activeKeyId]?.length !== 32) {
      throw new AirlockError('codec_key', `payload key ${activeKeyId} must be 32 bytes`);
    }
    this.keys = new Map(Object.entries(keys).map(([id, key]) => [id, createSecretKey(key)]));
    this.activeKeyId = activeKeyId;
  }

  // async so that a failure is a rejected promise, never a synchronous throw
  async encode(payloads: Payload[]): Promise<Payload[]> {
    await Promise.resolve();
    const key = this.keys.get(this.activeKeyId) as KeyObject;
    return payloads.map((p) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const plain = Buffer.from(JSON.stringify(payloadToJson(p)));
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          encoding: enc.encode(ENCODING),
          'encryption-key-id': enc.encode(this.activeKeyId),
        },
        data: sealed,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    await Promise.resolve();
    return payloads.map((p) => {
      if (!isEncrypted(p)) {
        const encoding = dec.decode(p.metadata?.encoding ?? new Uint8Array()) || 'none';
        return refused(encoding);
      }
      const keyId = dec.decode(p.metadata?.['encryption-key-id'] ?? new Uint8Array());
      const key = this.keys.get(keyId);
      if (!key) throw new AirlockError('codec_unknown_key', `no payload key with id "${keyId}"`);
      const data = Buffer.from(p.data ?? new Uint8Array());
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(data.length - 16));
      let plain: Buffer;
      try {
        plain = Buffer.concat([
          decipher.update(data.subarray(12, data.length - 16)),
          decipher.final(),
        ]);
      } catch (err) {
        throw new AirlockError(
          'codec_decrypt_failed',
          `payload failed authentication with key "${keyId}"`,
          { cause: err },
        );
      }
      return payloadFromJson(JSON.parse(plain.toString('utf8')) as JsonPayload);
    });
  }
}
