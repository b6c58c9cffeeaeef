// The runner's only way out: HTTP over the gateway's unix socket (the box has no network). One
// undici Agent dials the socket for every request; the model provider gets `gatewayFetch`, the
// loop and the boundary tools use the small JSON helpers. No key: the gateway injects it.
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, fetch } from 'undici';
import { log } from './log.js';

/** The base URL requests name; the host part is ignored, the socket decides where they go. */
export const GATEWAY_URL = 'http://gateway';

/** Connect to the gateway on `socketPath`. */
export function connectGateway(socketPath) {
  // Time limits belong to the gateway (it caps model calls and long-polls), not to the box.
  const dispatcher = new Agent({ connect: { socketPath }, headersTimeout: 0, bodyTimeout: 0 });
  const gatewayFetch = (input, init = {}) => fetch(input, { ...init, dispatcher });

  /** Send JSON, answer { status, body } (body parsed when it is JSON). */
  async function call(method, path, body) {
    const res = await gatewayFetch(GATEWAY_URL + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: keep the text.
    }
    return { status: res.status, body: parsed };
  }

  return {
    fetch: gatewayFetch,
    call,
    /** Long-poll the inbox until a batch arrives; a gateway that is down (restarting) is retried. */
    async nextBatch(waitMs) {
      for (let delay = 250; ; delay = Math.min(delay * 2, 5_000)) {
        try {
          const { status, body } = await call('GET', `/v1/inbox?wait=${waitMs}`);
          if (status === 200 && Array.isArray(body?.items) && body.items.length > 0)
            return body.items;
          if (status === 200 || status === 204) return undefined;
          log('warn', 'inbox poll refused', { status });
        } catch (err) {
          log('warn', 'gateway unreachable', { err });
        }
        await sleep(delay);
      }
    },
    /** Post a message to the user, retrying a few times (the reply must not be lost to a blip). */
    async sendMessage(text) {
      for (let attempt = 1; ; attempt++) {
        try {
          const { status, body } = await call('POST', '/v1/messages', { text });
          if (status === 200) return;
          if (status < 500 || attempt >= 5)
            throw new Error(`message refused (${status}): ${JSON.stringify(body)}`);
        } catch (err) {
          if (attempt >= 5) throw err;
        }
        await sleep(250 * attempt);
      }
    },
    close: () => dispatcher.close(),
  };
}
