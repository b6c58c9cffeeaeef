// The harness's way out of the box: plain HTTP to the gateway through the base image's loopback
// forwarder (127.0.0.1:$AIRLOCK_FORWARD_PORT, which pipes to the gateway's unix socket). No key and
// no network: the gateway injects the model key and is the only thing the forwarder reaches. A
// request that finds no gateway (the forwarder resets the connection: the socket is gone) tells
// the turn's watcher, so the turn in progress is let go: the gateway went with its worker.
import { setTimeout as sleep } from 'node:timers/promises';
import { log } from './log.js';

const LOST_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

/** Whether `err` (or anything it wraps) says the gateway is not there. */
export function isGatewayLost(err, seen = new Set()) {
  if (!err || typeof err !== 'object' || seen.has(err)) return false;
  seen.add(err);
  if (LOST_CODES.has(err.code)) return true;
  return [err.cause, ...(Array.isArray(err.errors) ? err.errors : [])].some((e) =>
    isGatewayLost(e, seen),
  );
}

/** The gateway at `baseUrl` (http://127.0.0.1:<port>): JSON calls and the turn endpoints. */
export function connectGateway(baseUrl) {
  let onLost;
  const gatewayFetch = async (input, init) => {
    try {
      return await fetch(input, init);
    } catch (err) {
      if (onLost && isGatewayLost(err)) onLost(err);
      throw err;
    }
  };

  /** Send JSON, answer { status, body } (body parsed when it is JSON). */
  async function call(method, path, body) {
    const res = await gatewayFetch(baseUrl + path, {
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

  /** `f()` until it answers, with backoff; the gateway may be restarting. */
  async function retrying(what, f) {
    for (let delay = 250; ; delay = Math.min(delay * 2, 5_000)) {
      try {
        const answer = await f();
        if (answer !== undefined) return answer;
      } catch (err) {
        log(isGatewayLost(err) ? 'info' : 'warn', `${what}: gateway unreachable`, { err });
      }
      await sleep(delay);
    }
  }

  return {
    fetch: gatewayFetch,
    call,
    /** Call `lost(err)` when a request finds no gateway, until the returned function is called. */
    watch(lost) {
      onLost = lost;
      return () => {
        if (onLost === lost) onLost = undefined;
      };
    },
    /** The agent's settings (`GET /v1/agent`), once the gateway answers. */
    agentSettings: () =>
      retrying('agent settings', async () => {
        const { status, body } = await call('GET', '/v1/agent');
        if (status === 200) return body;
        log('warn', 'agent settings refused', { status });
      }),
    /** The next turn `{ turn, items }` from the inbox long-poll, or null when the poll ran out. */
    nextBatch: (waitMs) =>
      retrying('inbox', async () => {
        const { status, body } = await call('GET', `/v1/inbox?wait=${waitMs}`);
        if (status === 200 && typeof body?.turn === 'string' && Array.isArray(body.items))
          return { turn: body.turn, items: body.items };
        if (status === 204) return null;
        log('warn', 'inbox poll refused', { status });
      }),
    /** Report `turn` done with `reply`; false when it was not taken (it is delivered again). */
    async reportDone(turn, reply) {
      const path = `/v1/turns/${encodeURIComponent(turn)}/done`;
      for (let attempt = 1; attempt <= 5; attempt++) {
        try {
          const { status } = await call('POST', path, { reply });
          if (status === 200) return true;
          log('warn', 'turn report refused', { turn, status });
          if (status < 500) return false;
        } catch (err) {
          log('warn', 'turn report failed', { turn, err });
        }
        await sleep(250 * 2 ** (attempt - 1));
      }
      return false;
    },
  };
}
