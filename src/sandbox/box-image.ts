// The image an agent box runs: the base image (Airlock's runner) or one a policy names
// (`sandbox.image`, another harness built FROM the base). Checked before a box is created: the image
// must be on the Docker host (boxes never pull) and carry the runner contract's label, which the
// base image sets and images built FROM it inherit (docs/harnesses.md).
import type Docker from 'dockerode';
import { AirlockError } from '../errors.ts';
import { statusOf } from './driver.ts';

/** The label (and value) that says an image holds the runner contract. */
export const RUNNER_CONTRACT_LABEL = 'airlock.runner-contract';
export const RUNNER_CONTRACT_VERSION = '1';

/** The loopback port a harness image's forwarder listens on inside the box (127.0.0.1 only). */
export const BOX_FORWARD_PORT = 4141;

/**
 * Refuse an image that is not on the Docker host (`sandbox_image_missing`) or does not carry the
 * runner contract (`sandbox_image_no_contract`): a box made from it would never take a turn.
 */
export async function assertRunnerImage(docker: Docker, image: string): Promise<void> {
  let labels: Record<string, string> | null | undefined;
  try {
    labels = (await docker.getImage(image).inspect()).Config?.Labels;
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
    throw new AirlockError(
      'sandbox_image_missing',
      `sandbox image ${image} not found on the Docker host; build it first (the base image: 'make up'; a harness: its scripts/harness-image-*.sh)`,
      { cause: err },
    );
  }
  const version = labels?.[RUNNER_CONTRACT_LABEL];
  if (version !== RUNNER_CONTRACT_VERSION) {
    throw new AirlockError(
      'sandbox_image_no_contract',
      `sandbox image ${image} does not carry the runner contract (label ${RUNNER_CONTRACT_LABEL}=${RUNNER_CONTRACT_VERSION}, ${version === undefined ? 'absent' : `found "${version}"`}); build it FROM Airlock's base image (docs/harnesses.md)`,
    );
  }
}
