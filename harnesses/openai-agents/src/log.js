// The harness's log: one JSON line per event on stderr, which the driver collects with the
// container's output. Never log message contents at info: they may hold what users said.

/** Write one log line. */
export function log(level, msg, fields = {}) {
  const line = {
    time: new Date().toISOString(),
    level,
    component: 'openai-agents',
    msg,
    ...fields,
  };
  if (fields.err instanceof Error)
    line.err = { message: fields.err.message, code: fields.err.code ?? fields.err.cause?.code };
  process.stderr.write(JSON.stringify(line) + '\n');
}
