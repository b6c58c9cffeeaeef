// AES-256-GCM payload codec: workflow inputs, results, signals and activity payloads are stored
// encrypted in Temporal's history. Search attributes are not payloads and stay in clear. With a key
// configured, a payload without our encryption is refused: whoever can reach Temporal but lacks
// the key cannot slip a plain-JSON signal (an approval) past the worker.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
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

/** Encrypts every payload with one active key; decrypts with any known key id (rotation). */
export class EncryptionCodec implements PayloadCodec {
  private readonly keys: Map<string, Buffer>;
  private readonly activeKeyId: string;

  constructor(keys: Record<string, Buffer>, activeKeyId: string) {
    this.keys = new Map(Object.entries(keys));
    this.activeKeyId = activeKeyId;
    const active = this.keys.get(activeKeyId);
    if (active?.length !== 32) {
      throw new AirlockError('codec_key', `payload key ${activeKeyId} must be 32 bytes`);
    }
  }

  // async so that a failure is a rejected promise, never a synchronous throw
  async encode(payloads: Payload[]): Promise<Payload[]> {
    await Promise.resolve();
    const key = this.keys.get(this.activeKeyId) as Buffer;
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
        throw new AirlockError(
          'codec_unencrypted',
          `refusing an unencrypted payload (encoding ${encoding}): a payload key is set, so every payload must be encrypted with it; was it sent by a client without the key?`,
        );
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
