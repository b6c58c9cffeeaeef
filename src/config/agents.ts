// Settings of the agents' side: the Docker sandboxes, each box's gateway (body, time and size
// caps), the A2A server and its clients' tokens, and the local model engine of the demo.
import { z } from 'zod';
import { A2A_TOKENS_FORMAT, parseA2ATokens } from './a2a-tokens.ts';
import { parses } from './formats.ts';

/** Sandboxes, gateways, A2A and the local model. */
export const agentSettings = {
  DOCKER_HOST: z.string().optional(),
  AIRLOCK_SANDBOX_IMAGE: z.string().min(1).default('airlock-sandbox:latest'),
  AIRLOCK_SANDBOX_MEMORY_MB: z.coerce.number().int().min(16).max(65536).default(256),
  AIRLOCK_SANDBOX_PIDS: z.coerce.number().int().min(8).max(32768).default(128),
  /** The local model engine's port on 127.0.0.1 (`make demo MODEL=local`). */
  AIRLOCK_LOCAL_MODEL_PORT: z.coerce.number().int().min(1).max(65535).default(4013),
  /** Which local model `make demo MODEL=local` runs: large (1.5B, default) or small (0.5B). */
  AIRLOCK_LOCAL_MODEL: z.enum(['small', 'large']).default('large'),
  /**
   * The A2A server (workers/a2a.ts): where external A2A clients reach the agents a policy link
   * `from: a2a:<client>` lets them ask (loopback by default; 0 picks a free port).
   */
  AIRLOCK_A2A_HOST: z.string().default('127.0.0.1'),
  AIRLOCK_A2A_PORT: z.coerce.number().int().min(0).max(65535).default(4100),
  /** The URL clients reach the A2A server at (Agent Cards name it); default http://host:port. */
  AIRLOCK_A2A_PUBLIC_URL: z.string().url().optional(),
  /**
   * The external A2A clients and their bearer tokens: `client=token,other=token2` (a client id is
   * a policy id; a token at least 24 characters). Without it the A2A server refuses to start.
   */
  AIRLOCK_A2A_TOKENS: z.string().refine(parses(parseA2ATokens), A2A_TOKENS_FORMAT).optional(),
  /** Largest request body an agent may send its gateway, in bytes (larger: 413). */
  AIRLOCK_GATEWAY_MAX_BODY: z.coerce.number().int().min(1024).max(67_108_864).default(4_194_304),
  /** Longest model call through the gateway, streaming included (ms). */
  AIRLOCK_GATEWAY_MODEL_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(3_600_000)
    .default(600_000),
  /** A research agent's web fetch: longest exchange (ms) and most response bytes kept. */
  AIRLOCK_GATEWAY_FETCH_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),
  AIRLOCK_GATEWAY_FETCH_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(67_108_864)
    .default(1_048_576),
  /** Requests one gateway serves at once (its box's model calls, tools, long-poll); more: 429. */
  AIRLOCK_GATEWAY_MAX_IN_FLIGHT: z.coerce.number().int().min(2).max(1024).default(16),
  /** Largest model answer a gateway passes on, in bytes (a JSON answer is held whole to scrub it). */
  AIRLOCK_GATEWAY_MAX_MODEL_RESPONSE: z.coerce
    .number()
    .int()
    .min(65_536)
    .max(268_435_456)
    .default(16_777_216),
  /** Longest an agent's inbox long-poll is held open (ms). */
  AIRLOCK_GATEWAY_INBOX_MAX_WAIT_MS: z.coerce.number().int().min(0).max(600_000).default(60_000),
};
