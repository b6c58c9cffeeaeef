// Posting and refreshing a request's approval cards: plan where they go, post one card per target
// (a target that still fails after a few tries is skipped and audited; the others still go), and
// edit them all in place when the waiting state changes.
import { patched, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Audit } from './run.ts';
import type {
  CardInput,
  CardRef,
  CardTarget,
  CardView,
  SensitiveActionActivities,
} from './types.ts';

const acts = proxyActivities<SensitiveActionActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
// A card that cannot be posted after a few tries is skipped (and audited): the others still go.
const posting = proxyActivities<SensitiveActionActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 4 },
});
// Planning where the cards go reads the policy's targets (and may open a direct message): short,
// so it runs as a local activity in the workflow task that decided to ask, retried like `acts`.
// That saves a workflow task and an activity round trip on every request that asks.
const planning = proxyLocalActivities<SensitiveActionActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
// Runs that started while planning was an activity keep planning with activities.
const planLocally = 'cards-planned-in-a-local-activity';

/** A card input, for the first level or an escalation level. */
export type PostInput = CardInput & { escalationLevel?: number };

/** Posts a request's cards. */
export interface CardPoster {
  /** Plan the targets of `input` and post one card to each; the cards that were posted. */
  post: (input: PostInput) => Promise<CardRef[]>;
  /** Post one card to `target`; null when it could not be posted (already audited). */
  postTo: (input: PostInput, target: CardTarget) => Promise<CardRef | null>;
  /** Edit every card in place to show `view`. */
  update: (input: CardInput & { cards: CardRef[]; view: CardView }) => Promise<void>;
}

/**
 * The poster of one run's cards. It asks the planning patch, so make it once, as the wait starts
 * (the patch marker then lands in that workflow task).
 */
export function cardPoster(audit: Audit): CardPoster {
  const plan = patched(planLocally) ? planning.planApprovalCards : acts.planApprovalCards;
  const postTo = async (input: PostInput, target: CardTarget): Promise<CardRef | null> => {
    try {
      return await posting.postApprovalCard({ ...input, target });
    } catch (err) {
      await audit('card-failed', {
        detail: { audience: target.audience, error: String((err as Error).cause ?? err) },
      });
      return null;
    }
  };
  return {
    postTo,
    async post(input) {
      const refs: CardRef[] = [];
      for (const target of await plan(input)) {
        const ref = await postTo(input, target);
        if (ref) refs.push(ref);
      }
      return refs;
    },
    update: (input) => acts.updateApprovalCards(input),
  };
}
