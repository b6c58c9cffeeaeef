// The runner contract's calls to the gateway, over whatever carries them: Airlock's runner dials the
// gateway's unix socket (gateway.js); a harness in an image built FROM the base goes through the
// loopback forwarder (harnesses/*). The settings, the inbox long-poll and the turn report, each
// retried while the gateway restarts. A request that finds no gateway (socket gone, connection
// refused or cut) tells the turn's watcher, so the turn in progress is let go at once: the gateway
// went with the worker that ran it.
import { setTimeout as sleep } from 'node:timers/promises';
import { log as runnerLog } from './log.js';

const LOST_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTCONN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

/** Whether `err` (or anything it wraps) says the gateway is not there: its socket is gone or it hung up. */
export function isGatewayLost(err, seen = new Set()) {
  if (!err || typeof err !== 'object' || seen.has(err)) return false;
  seen.add(err);
  if (LOST_CODES.has(err.code)) return true;
  if (err.code === 'ENOENT' && err.syscall === 'connect') return true;
  const inner = [err.cause, err.lastError, ...(Array.isArray(err.errors) ? err.errors : [])];
  return inner.some((e) => isGatewayLost(e, seen));
}

/**
 * The gateway at `baseUrl`, reached with `send` (a fetch): JSON calls and the turn endpoints; their
 * log lines go to `log` (a harness names itself in its own).
 */
export function gatewayCalls(baseUrl, send, log = runnerLog) {
  let onLost;
  const gatewayFetch = async (input, init = {}) => {
    try {
      return await send(input, init);
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
    /** The agent's settings, parsed by `parse`; waits (with backoff) until the gateway answers. */
    async agentSettings(parse = (body) => body) {
      for (let delay = 250; ; delay = Math.min(delay * 2, 5_000)) {
        try {
          const { status, body } = await call('GET', '/v1/agent');
          if (status === 200) return parse(body);
          log('warn', 'agent settings refused', { status });
        } catch (err) {
          log(isGatewayLost(err) ? 'info' : 'error', 'no agent settings yet', { err });
        }
        await sleep(delay);
      }
    },
    /** Long-poll the inbox for the next turn `{ turn, items }`; a gateway that is down (restarting) is retried. */
    async nextBatch(waitMs) {
      for (let delay = 250; ; delay = Math.min(delay * 2, 5_000)) {
        try {
          const { status, body } = await call('GET', `/v1/inbox?wait=${waitMs}`);
          if (status === 200 && typeof body?.turn === 'string' && Array.isArray(body.items))
            return { turn: body.turn, items: body.items };
          if (status === 204) return undefined;
          log('warn', 'inbox poll refused', { status });
        } catch (err) {
          log('warn', 'gateway unreachable', { err });
        }
        await sleep(delay);
      }
    },
    /**
     * Report turn `turn` done with its reply, retrying a gateway error or a lost connection a few
     * times; false when it was not taken (the turn is delivered again later, and answered from the
     * saved conversation).
     */
    async reportDone(turn, reply) {
      const path = `/v1/turns/${encodeURIComponent(turn)}/done`;
      for (let attempt = 1; ; attempt++) {
        try {
          const { status, body } = await call('POST', path, { reply });
          if (status === 200) return true;
          log('warn', 'turn report refused', { turn, status, error: body?.error?.code });
          if (status < 500) return false;
        } catch (err) {
          log('warn', 'turn report failed', { turn, err });
        }
        if (attempt >= 5) return false;
        await sleep(250 * 2 ** (attempt - 1));
      }
    },
  };
}
