// The exact bytes a decision signature covers: canonical JSON of a version, the workflow the
// decision was sent to, and the decision without its signature. Binding the workflow id means a
// signed click for one request cannot be replayed into another; the decision's `runId` (the run
// its card was posted by) binds it to one run of that workflow.
import { canonicalJson } from '../canonical-json.ts';
import type { ApprovalDecision } from '../../workflows/sensitive-action/messages.ts';

/** The bytes signed for `decision` sent to `workflowId`. */
export function decisionSignedBytes(workflowId: string, decision: ApprovalDecision): Buffer {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the signature is not signed
  const { signature, ...unsigned } = decision;
  return Buffer.from(canonicalJson({ v: 1, workflowId, decision: unsigned }), 'utf8');
}
