// The live policy set for the worker: files are re-read on every decision (cheap), and parsed
// again only when their text changed, so an edit applies to the next request without a restart.
// Running approvals are unaffected: each pinned its decision in its own history.
import { createHash } from 'node:crypto';
import { parsePolicySet, readSources } from './load.ts';
import type { LoadedPolicy } from './types.ts';

/** A loader returning the current policy set at `path`; throws `policy_invalid` while broken. */
export function currentPolicy(path: string): () => Promise<LoadedPolicy> {
  let cached: { key: string; policy: LoadedPolicy } | undefined;
  return async () => {
    const sources = await readSources(path);
    const key = createHash('sha256').update(JSON.stringify(sources)).digest('hex');
    if (cached?.key !== key) cached = { key, policy: parsePolicySet(sources) };
    return cached.policy;
  };
}
