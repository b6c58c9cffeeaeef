// How every Airlock process reaches the Temporal frontend: the address and, in the production
// profile, mutual TLS (a CA to trust, this process's client certificate and key). One place, so the
// worker, the webhook, the CLI and the benches connect the same way.
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { Config } from '../config.ts';
import { AirlockError } from '../errors.ts';

/** The connection settings shared by Client and NativeConnection: address, and TLS when configured. */
export function connectionOptions(config: Config): { address: string; tls?: TLSConfig } {
  const {
    TEMPORAL_TLS_CA_FILE: ca,
    TEMPORAL_TLS_CERT_FILE: cert,
    TEMPORAL_TLS_KEY_FILE: key,
  } = config;
  if (!ca && !cert && !key) return { address: config.TEMPORAL_ADDRESS };
  return {
    address: config.TEMPORAL_ADDRESS,
    tls: {
      ...(config.TEMPORAL_TLS_SERVER_NAME
        ? { serverNameOverride: config.TEMPORAL_TLS_SERVER_NAME }
        : {}),
      ...(ca ? { serverRootCACertificate: readPem(ca, 'TEMPORAL_TLS_CA_FILE') } : {}),
      ...(cert && key
        ? {
            clientCertPair: {
              crt: readPem(cert, 'TEMPORAL_TLS_CERT_FILE'),
              key: readPem(key, 'TEMPORAL_TLS_KEY_FILE'),
            },
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
