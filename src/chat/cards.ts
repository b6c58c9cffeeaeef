// The approval card, built once with the Chat SDK's card builders: Teams renders it as an
// Adaptive Card, Slack as Block Kit. Every field is capped so the card stays inside both
// platforms' limits (Slack: 3000 chars per text block, 10 fields per section; Teams: ~28 KB).
import {
  Actions,
  Button,
  Card,
  CardText,
  Divider,
  Field,
  Fields,
  type CardChild,
  type CardElement,
} from 'chat';
import {
  approveActionId,
  approveDurationActionId,
  approveSessionActionId,
  buttonLimits,
  encodeButtonValue,
  rejectActionId,
} from './card-buttons.ts';
import type { ExchangeView } from './card-exchange.ts';
import type { FindingsView } from './card-findings.ts';
import { lookupFindings, lookupLines, type LookupView } from './card-lookups.ts';
import { describeDeadline, plainText, shorten, type Escape } from './card-text.ts';

/** Where an approval card stands; everything but `pending` is final and has no buttons. */
export type CardState = 'pending' | 'approved' | 'rejected' | 'expired' | 'failed' | 'escalated';

/** What an approval card shows. `bodyPreview` arrives redacted; it is capped here again. */
export interface ApprovalCardModel {
  workflowId: string;
  agent: string;
  /** The action in words, e.g. "Create a GitHub issue". */
  action: string;
  method: string;
  host: string;
  path: string;
  keyFields: [label: string, value: string][];
  /**
   * What is unusual about the request next to the agent's history, one line each (e.g. "amount
   * 4,800 EUR — 12× this agent's median (400 EUR)"); absent when nothing is.
   */
  unusual?: string[];
  /** The body, when it is not shown as `keyFields` (nested, or too many fields). */
  bodyPreview?: string;
  rule: string;
  ruleReason: string;
  requestedBy: string;
  /** ISO time after which the request expires. */
  deadline: string;
  /** Short hash of the exact request; the click carries it back. */
  requestHash: string;
  /** Hash of the policy the request was decided under; the click carries it back. */
  policyHash?: string;
  /** The workflow run the card is for; the click carries it back (signed with the decision). */
  runId?: string;
  state: CardState;
  /** Final outcome line, e.g. "Approved by Alice Approver at 14:02 UTC". */
  outcomeText?: string;
  /** Progress notes on a pending card, e.g. "1 of 2 approvals: Alice", "Reminder 1: …". */
  notes?: string[];
  /** Names of body fields whose values were masked for the card (they look secret). */
  masked?: string[];
  /** True when the body preview was cut to fit the card. */
  bodyCut?: boolean;
  /** Grant buttons the policy offers, e.g. { kind: 'duration', label: 'Approve for 8 hours' }. */
  grants?: { kind: 'session' | 'duration'; label: string }[];
  /** Where an agent's request came from (absent for CLI requests): shown above the request. */
  context?: AskContext;
  /** What the agent looked up through MCP servers in the same turn (Airlock's record of it). */
  lookups?: LookupView[];
  /** Set for an exchange step: its text and the sanitizer's report instead of the request. */
  exchange?: ExchangeView;
  /** Set for an MCP tool call: the tool instead of method and path, and what it says it does. */
  mcp?: { name: string; description: string | null };
}

/** An agent's request in its conversation: who asked where, what they wrote, and why it asks. */
export interface AskContext {
  /** "Asked by Riley Requester in Teams chat with Riley Requester" (null without a conversation). */
  asked: string | null;
  /** The message that led to the request, as the person wrote it (untrusted). */
  message: string | null;
  /** "Agent's purpose: …" (null when the agent gave none). */
  purpose: string | null;
}

/** Size caps (characters). Chosen well under Slack's per-block limits. */
export const limits = {
  field: 200,
  keyFields: 8,
  /** Unusual-history lines shown (the comparison keeps at most five). */
  unusual: 5,
  bodyPreview: 1500,
  reason: 500,
  /** The quoted message that led to an agent's request. */
  message: 500,
  /** An exchange step's text, and the sanitizer's report on it. */
  exchangeText: 1500,
  removed: 700,
  /** One instruction finding's sentence (findings carry at most 240). */
  instruction: 240,
  title: 150,
  ...buttonLimits,
} as const;

const titles: Record<CardState, string> = {
  pending: 'Approval needed',
  approved: 'Approved',
  rejected: 'Rejected',
  expired: 'Expired',
  failed: 'Failed',
  escalated: 'Escalated',
};

/** Cut `text` to `max` characters at a word boundary, ending in "…". */
export function truncate(text: string, max: number): string {
  return shorten(text, max).text;
}

/** How a card is rendered: the platform's escaping, and the time the deadline is told from. */
export interface CardRendering {
  escape?: Escape;
  now?: Date;
}

/**
 * Build the card for `model`; pending cards get Approve and Reject buttons. Every string from the
 * request or the agent is escaped for the platform (`rendering.escape`); a card that had to leave
 * something out says what and where to see all of it.
 */
export function buildApprovalCard(
  model: ApprovalCardModel,
  rendering: CardRendering = {},
): CardElement {
  const esc = rendering.escape ?? plainText;
  let shortened = false;
  const f = (s: string, max: number = limits.field): string => {
    const cut = shorten(s, max);
    shortened ||= cut.cut;
    return esc(cut.text);
  };
  const facts = [
    Field({ label: 'Agent', value: f(model.agent) }),
    model.exchange
      ? Field({ label: 'Exchange', value: f(model.exchange.heading) })
      : model.mcp
        ? Field({ label: 'MCP tool', value: f(model.mcp.name) })
        : Field({ label: 'Request', value: f(`${model.method} ${model.host}${model.path}`) }),
    Field({ label: 'Requested by', value: f(model.requestedBy) }),
    Field({ label: 'Rule', value: f(model.rule) }),
    Field({ label: 'Deadline', value: esc(describeDeadline(model.deadline, rendering.now)) }),
    Field({ label: 'Request hash', value: f(model.requestHash) }),
  ];
  const children: CardChild[] = [
    // Before anything else: the sentences of outside text (an exchange's, what a tool gave back
    // this turn) that tell its reader to act.
    ...instructionLines(model.exchange?.instructions, f),
    ...lookupFindings(model.lookups).flatMap((found) => instructionLines(found, f)),
    ...askContext(model.context, f),
    ...lookupLines(model.lookups, f),
    Fields(facts),
    CardText(f(`Why: ${model.ruleReason}`, limits.reason)),
    ...exchangeLines(model.exchange, f),
    ...(model.mcp?.description
      ? [CardText(f(model.mcp.description, limits.reason), { style: 'muted' })]
      : []),
  ];
  const shown = model.keyFields.slice(0, limits.keyFields);
  if (shown.length > 0) {
    children.push(
      Fields(shown.map(([label, value]) => Field({ label: f(label), value: f(value) }))),
    );
  }
  // Right under the request's fields: how it compares with the agent's history under this rule.
  for (const line of (model.unusual ?? []).slice(0, limits.unusual))
    children.push(CardText(`⚠ Unusual: ${f(line)}`, { style: 'bold' }));
  if (model.bodyPreview)
    children.push(CardText(f(model.bodyPreview, limits.bodyPreview), { style: 'muted' }));
  for (const note of (model.notes ?? []).slice(0, 4))
    children.push(CardText(f(note), { style: 'bold' }));
  // The outcome line is shortened like any other text, so it is made before the flag line.
  const outcome = model.state === 'pending' ? null : f(model.outcomeText ?? titles[model.state]);
  const left = leftOut(model, shown.length, shortened);
  if (left) children.push(CardText(esc(left), { style: 'muted' }));
  children.push(Divider());
  if (model.state === 'pending') {
    const value = encodeButtonValue({
      workflowId: model.workflowId,
      requestHash: model.requestHash,
      ...(model.policyHash ? { policyHash: model.policyHash } : {}),
      ...(model.runId ? { runId: model.runId } : {}),
    });
    children.push(
      Actions([
        Button({ id: approveActionId, label: 'Approve', style: 'primary', value }),
        ...(model.grants ?? []).map((g) =>
          Button({
            id: g.kind === 'session' ? approveSessionActionId : approveDurationActionId,
            label: truncate(g.label, limits.field),
            value,
          }),
        ),
        Button({ id: rejectActionId, label: 'Reject', style: 'danger', value }),
      ]),
    );
  } else {
    children.push(CardText(outcome ?? '', { style: 'bold' }));
  }
  return Card({
    title: esc(cardTitle(model)),
    subtitle: f(`Workflow ${model.workflowId}`),
    children,
  });
}

/**
 * The lines above the request on an agent's card: who asked where, their message quoted on one
 * line (line breaks would start lists and quotes in the card's markdown), the agent's purpose.
 */
function askContext(ask: AskContext | undefined, f: (s: string, max?: number) => string) {
  if (!ask) return [];
  const lines: CardChild[] = [];
  if (ask.asked) lines.push(CardText(f(ask.asked, limits.reason)));
  const message = ask.message?.replace(/\s+/g, ' ').trim();
  if (message) lines.push(CardText(`“${f(message, limits.message)}”`, { style: 'muted' }));
  if (ask.purpose) lines.push(CardText(f(ask.purpose, limits.reason)));
  return lines;
}

/**
 * An exchange step's text, quoted on one line (line breaks would start lists and quotes in the
 * card's markdown; `approvals show` keeps them), then what the sanitizer removed and any cut.
 */
function exchangeLines(ex: ExchangeView | undefined, f: (s: string, max?: number) => string) {
  if (!ex) return [];
  const text = ex.text.replace(/\s+/g, ' ').trim();
  const lines: CardChild[] = [
    CardText(text ? `“${f(text, limits.exchangeText)}”` : '(no text)'),
    CardText(f(ex.removed, limits.removed), { style: 'muted' }),
  ];
  if (ex.truncated) lines.push(CardText(f(ex.truncated), { style: 'muted' }));
  return lines;
}

/**
 * Outside text's instruction findings (an exchange step's, a lookup's): the intro line, then each sentence quoted on one line
 * in bold with a warning sign (Teams colours these lines; see platform-cards.ts) and its reason.
 */
function instructionLines(found: FindingsView | undefined, f: (s: string, max?: number) => string) {
  if (!found) return [];
  return [
    CardText(f(found.intro), { style: 'bold' }),
    ...found.findings.map((x) =>
      CardText(`${INSTRUCTION_MARK}“${f(x.sentence, limits.instruction)}” (${f(x.reason)})`, {
        style: 'bold',
      }),
    ),
  ];
}

/** What starts a highlighted instruction line (a platform may colour the lines that start so). */
export const INSTRUCTION_MARK = '⚠ ';

/** The card's title, unescaped and capped: "Approval needed: POST /refunds on refunds". */
export function cardTitle(model: ApprovalCardModel): string {
  return truncate(`${titles[model.state]}: ${model.action}`, limits.title);
}

/** The flag line of a card that masked or left something out, naming where to see everything. */
function leftOut(model: ApprovalCardModel, shownFields: number, shortened: boolean): string | null {
  const parts: string[] = [];
  if (model.masked?.length) {
    const names = model.masked.slice(0, 5).join(', ');
    parts.push(`Masked on this card: ${names}${model.masked.length > 5 ? ', …' : ''}.`);
  }
  const hidden = model.keyFields.length - shownFields;
  if (hidden > 0) parts.push(`${hidden} more field${hidden === 1 ? '' : 's'} not shown.`);
  if (model.bodyCut || shortened) parts.push('Some text was shortened for this card.');
  if (parts.length === 0) return null;
  return `${parts.join(' ')} The whole request: airlock approvals show ${model.workflowId}`;
}
