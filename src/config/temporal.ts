// Settings of Temporal and its workers: the frontend and its mutual TLS (a certificate pair per
// role), the payload key, the workflow bundle and cache, the codec server the Temporal UI decrypts
// through, and where a worker serves metrics and health.
import { z } from 'zod';
import { base64Key } from './formats.ts';

/** Temporal, workers and the codec server. */
export const temporalSettings = {
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^:\s]+:\d{1,5}$/, 'must be host:port')
    .default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('airlock'),
  TEMPORAL_UI_URL: z.string().url().default('http://127.0.0.1:8233'),
  /** mTLS to the Temporal frontend (production profile): the CA that signed the server's certificate. */
  TEMPORAL_TLS_CA_FILE: z.string().min(1).optional(),
  /**
   * This process's client certificate and key (PEM), presented to the frontend: the worker's, and
   * any role's without a pair of its own below. The certificate's subject is the role the server
   * grants (deploy/temporal/server/roles.go).
   */
  TEMPORAL_TLS_CERT_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_FILE: z.string().min(1).optional(),
  /** The webhook's own pair (it may only signal decisions and send messages to sessions). */
  TEMPORAL_TLS_WEBHOOK_CERT_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_WEBHOOK_KEY_FILE: z.string().min(1).optional(),
  /** The A2A server's own pair (it may only start and read its exchanges). */
  TEMPORAL_TLS_A2A_CERT_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_A2A_KEY_FILE: z.string().min(1).optional(),
  /** The airlock CLI's own pair, an operator's (it may read and cancel). */
  TEMPORAL_TLS_CLI_CERT_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_CLI_KEY_FILE: z.string().min(1).optional(),
  /** The name the frontend's certificate is issued to, when it differs from the address's host. */
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  /** Key for encrypting workflow payloads (AES-256-GCM); unset means payloads are stored in clear. */
  AIRLOCK_PAYLOAD_KEY: base64Key.optional(),
  AIRLOCK_PAYLOAD_KEY_ID: z.string().min(1).default('k1'),
  /** Where the codec server the Temporal UI decrypts payloads through listens (0: a free port). */
  AIRLOCK_CODEC_HOST: z.string().default('127.0.0.1'),
  AIRLOCK_CODEC_PORT: z.coerce.number().int().min(0).max(65535).default(8234),
  /**
   * The shared secret the codec server requires (bearer token or the `airlock_codec` cookie);
   * scripts/up.sh generates one into .data/env. The codec server refuses to start without it.
   */
  AIRLOCK_CODEC_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  AIRLOCK_WORKFLOW_BUNDLE: z.string().optional(),
  /**
   * Most workflows the worker keeps in memory between their tasks. A pending approval waits idle
   * for days: it need not stay cached, a click on an evicted one replays its short history.
   */
  AIRLOCK_WORKER_CACHED_WORKFLOWS: z.coerce.number().int().min(2).max(1_000_000).default(1000),
  /**
   * Where a worker serves Prometheus metrics (`host:port`, route `/metrics`): the Temporal SDK's
   * own and Airlock's (`airlock_*`). Unset: no metrics endpoint.
   */
  AIRLOCK_METRICS_BIND: z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, 'host:port, e.g. 127.0.0.1:9464')
    .optional(),
  /**
   * How often (seconds) a worker with AIRLOCK_METRICS_BIND refreshes its gauges: pending
   * approvals, sessions and sandboxes running (src/temporal/gauges.ts). 0: no gauges.
   */
  AIRLOCK_GAUGES_EVERY_SEC: z.coerce.number().min(0).max(3600).default(30),
  /**
   * This worker's Docker host, named in its host task queue (`<queue>@<host>`): an agent session's
   * turns go to the host its sandbox lives on. Unset: the machine's host name.
   */
  AIRLOCK_HOST_ID: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,60}$/, '1–60 of A-Z a-z 0-9 _ . -')
    .optional(),
  /** Where a worker serves `/healthz` (liveness) and `/readyz` (readiness); unset: nowhere. */
  AIRLOCK_HEALTH_BIND: z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, 'host:port, e.g. 127.0.0.1:9465')
    .optional(),
};
