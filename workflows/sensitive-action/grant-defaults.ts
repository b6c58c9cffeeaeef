// How long a grant lasts when the policy sets no maximum: one home for the card, which shows the
// span on its "Approve for …" button, and the workflow, which gives the grant for that span.

/** A "for a duration" grant without the policy's maximum lasts 8 hours. */
export const DEFAULT_GRANT_MS = 8 * 3_600_000;

/** A "for this session" grant lasts 24 hours at most. */
export const DEFAULT_SESSION_GRANT_MS = 24 * 3_600_000;
