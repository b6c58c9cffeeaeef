// A harness image built by the project's script (scripts/harness-image.sh), for tests that run a
// harness in a box: the script caches by the hash of the harness's inputs, so a second run only
// checks the tag.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** The tag of harness `name`'s image (`airlock-harness-<name>:<16 hex>`), built if missing. */
export async function buildHarnessImage(name: string): Promise<string> {
  const built = await promisify(execFile)('bash', ['scripts/harness-image.sh', name], {
    timeout: 600_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const image = built.stdout.trim().split('\n').at(-1) ?? '';
  assert.match(image, new RegExp(`^airlock-harness-${name}:[0-9a-f]{16}$`));
  return image;
}
