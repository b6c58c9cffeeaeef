// The loopback forwarder of the base image (copied to /app/forward.js by scripts/sandbox-image.sh,
// started by /app/entrypoint.sh when AIRLOCK_FORWARD_PORT is set): 127.0.0.1:<port> inside the box
// forwards every TCP connection, byte for byte, to the gateway's unix socket, so an unmodified HTTP
// client (OPENAI_BASE_URL=http://127.0.0.1:<port>/v1) reaches the gateway. It listens on loopback
// only and dials nothing but the socket: the box keeps no network. No dependencies, plain Node.
import { writeFileSync } from 'node:fs';
import net from 'node:net';

/** Where the forwarder listens and what it dials, from the environment the driver sets. */
function forwardEnv(env = process.env) {
  const port = Number(env.AIRLOCK_FORWARD_PORT);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(
      `AIRLOCK_FORWARD_PORT must be a port number, not "${env.AIRLOCK_FORWARD_PORT}"`,
    );
  return {
    port,
    socketPath: env.AIRLOCK_GATEWAY_SOCKET || '/gateway/gateway.sock',
    // The entrypoint waits for this file before it starts the harness.
    readyFile: env.AIRLOCK_FORWARD_READY || '/tmp/.airlock-forward-ready',
  };
}

/**
 * Listen on 127.0.0.1:`port` and pipe each connection to `socketPath`; resolves with the server once
 * it listens. A connection whose socket cannot be dialled (the gateway is restarting) is closed, so
 * the client sees a reset and retries, as it would against a server that went away.
 */
function startForwarder({ port, socketPath }) {
  const server = net.createServer({ noDelay: true }, (client) => {
    const upstream = net.connect({ path: socketPath });
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function fail(err) {
  const line = {
    level: 'error',
    component: 'forwarder',
    msg: 'forwarder failed',
    err: err.message,
  };
  process.stderr.write(`${JSON.stringify(line)}\n`);
  process.exit(1);
}

// PID 1 is Docker's init; this runs beside the harness and stops at once when asked.
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
try {
  const env = forwardEnv();
  startForwarder(env).then(() => writeFileSync(env.readyFile, `${process.pid}\n`), fail);
} catch (err) {
  fail(err);
}
