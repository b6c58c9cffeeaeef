// Teardown for tests: every step runs, in order, even when an earlier one fails, so one stuck
// resource does not leave the others (a database cluster, a server) running.
/** Run each step in order; a step that fails is written to stderr and the next still runs. */
export async function runCleanups(steps: (() => unknown)[]): Promise<void> {
  for (const step of steps) {
    await Promise.resolve()
      .then(step)
      .catch((err: unknown) => process.stderr.write(`cleanup failed: ${String(err)}\n`));
  }
}
