// How every Airlock process reaches the Temporal frontend: the address and, in the production
// profile, mutual TLS (a CA to trust, this process's client certificate and key). One place, so the
// worker, the webhook, the A2A server, the CLI and the benches connect the same way. Each role
// presents its own certificate, and the server grants each only what that role needs
// (deploy/temporal/server/authorizer.go): a webhook's key cannot start or terminate a workflow.
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { Config } from '../config.ts';
import { AirlockError } from '../errors.ts';

/** Who connects: each role has a certificate setting of its own, the worker's is the default. */
export type TemporalRole = 'worker' | 'webhook' | 'a2a' | 'cli';

const pairSettings = {
  worker: ['TEMPORAL_TLS_CERT_FILE', 'TEMPORAL_TLS_KEY_FILE'],
  webhook: ['TEMPORAL_TLS_WEBHOOK_CERT_FILE', 'TEMPORAL_TLS_WEBHOOK_KEY_FILE'],
  a2a: ['TEMPORAL_TLS_A2A_CERT_FILE', 'TEMPORAL_TLS_A2A_KEY_FILE'],
  cli: ['TEMPORAL_TLS_CLI_CERT_FILE', 'TEMPORAL_TLS_CLI_KEY_FILE'],
} as const satisfies Record<TemporalRole, readonly [keyof Config, keyof Config]>;

/** The certificate and key settings `role` presents: its own pair, else TEMPORAL_TLS_CERT_FILE's. */
function clientPair(config: Config, role: TemporalRole): [string, string, string, string] | null {
  for (const [certSetting, keySetting] of [pairSettings[role], pairSettings.worker]) {
    const [cert, key] = [config[certSetting], config[keySetting]];
    if (cert && key) return [cert, key, certSetting, keySetting];
  }
  return null;
}

/** The connection settings shared by Client and NativeConnection: address, and TLS when configured. */
export function connectionOptions(
  config: Config,
  role: TemporalRole = 'worker',
): { address: string; tls?: TLSConfig } {
  const { TEMPORAL_TLS_CA_FILE: ca } = config;
  const pair = clientPair(config, role);
  if (!ca && !pair) return { address: config.TEMPORAL_ADDRESS };
  return {
    address: config.TEMPORAL_ADDRESS,
    tls: {
      ...(config.TEMPORAL_TLS_SERVER_NAME
        ? { serverNameOverride: config.TEMPORAL_TLS_SERVER_NAME }
        : {}),
      ...(ca ? { serverRootCACertificate: readPem(ca, 'TEMPORAL_TLS_CA_FILE') } : {}),
      ...(pair
        ? {
            clientCertPair: { crt: readPem(pair[0], pair[2]), key: readPem(pair[1], pair[3]) },
          }
        : {}),
    },
  };
}

function readPem(path: string, setting: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new AirlockError(
      'config_invalid',
      `${setting}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)}); point it at a PEM file this process can read`,
    );
  }
}
