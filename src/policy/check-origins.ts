// The `policy check` warning about links that let one agent make another act with nobody
// approving: a link whose questions (or answers) cross without approval starts turns of an action
// agent, and an `allow` rule whose origins name `agent` (or `a2a`) passes what that agent then asks
// for. With the default origins (a person only) such requests fall through, and nothing is said.
// Also the warning about a link that holds instructions for a card but names nobody to show it to.
import type { Collected, Origin } from './collected.ts';
import { a2aPrefix } from './fields.ts';
import type { RequestOrigin } from './types.ts';

const startedBy: Record<RequestOrigin, string> = {
  person: 'a person',
  agent: 'another agent',
  a2a: 'an A2A client',
};

/** Warn, through `warn`, about every link that lets its other end make an action agent act. */
export function checkOrigins(
  c: Collected,
  warn: (at: Origin, sub: (string | number)[], message: string) => void,
): void {
  const acts = (id: string) =>
    c.agents.some((e) => e.value.id === id && e.value.sensitivity === 'action');
  for (const { value: l, at } of c.links) {
    const crossings = [
      { open: !l.approveQuestion, what: 'questions', sender: l.from, receiver: l.to },
      { open: !l.approveAnswer, what: 'answers', sender: l.to, receiver: l.from },
    ];
    for (const { open, what, sender, receiver } of crossings) {
      if (!open || !acts(receiver)) continue;
      const origin: RequestOrigin = sender.startsWith(a2aPrefix) ? 'a2a' : 'agent';
      const passing = c.rules
        .map((e) => e.value)
        .filter(
          (r) =>
            r.decision === 'allow' &&
            (!r.agent || r.agent.includes(receiver)) &&
            (r.origins ?? ['person']).includes(origin),
        )
        .map((r) => `"${r.id}"`);
      if (passing.length === 0) continue;
      const rules = `rule${passing.length > 1 ? 's' : ''} ${passing.join(', ')}`;
      warn(
        at,
        [],
        `${what} from ${sender} reach ${receiver} with nobody approving, and ${rules} allow${passing.length > 1 ? '' : 's'} ${receiver}'s requests ${startedBy[origin]} started: ${sender} can make ${receiver} act with no person asking or approving (approve the ${what}, or take ${origin} out of the rule's origins)`,
      );
    }
  }
}

/**
 * Warn about every link that holds text telling its reader to act (onInstructions: hold, the
 * default) while naming nobody to show it to: such a question or answer is refused.
 */
export function checkHeldWithoutApprovers(
  c: Collected,
  warn: (at: Origin, sub: (string | number)[], message: string) => void,
): void {
  for (const { value: l, at } of c.links) {
    if (l.onInstructions !== 'hold' || l.approval !== undefined) continue;
    warn(
      at,
      ['onInstructions'],
      `a question or answer between ${l.from} and ${l.to} that tells its reader to act is held for a card (onInstructions: hold, the default), but the link names no approval: such text is refused (name approval, or set onInstructions: reject or allow)`,
    );
  }
}
