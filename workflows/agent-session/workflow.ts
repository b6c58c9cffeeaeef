// agentSessionWorkflow: one agent in one conversation. Messages queue here (signal, accepted while
// every worker is down); each turn is an activity that runs the agent in its sandbox and returns
// what it said. A turn never waits on a human: a sensitive action the agent asks for becomes a
// child sensitiveActionWorkflow at once (agentAction update), and an outcome that is not ready
// within a short hold arrives as input of a later turn. The sandbox is stopped when idle (a
// durable timer) and started again when there is work.
import {
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { exchangeAnswerSignal } from '../agent-exchange/messages.ts';
import { turnRan } from '../metrics.ts';
import { runAction } from './actions.ts';
import { runAsk } from './asks.ts';
import { hostGone, onHost } from './hosts.ts';
import { turnOrigin } from './origin.ts';
import {
  agentActionUpdate,
  agentAskUpdate,
  agentLookupSignal,
  closeSessionSignal,
  sessionMessageSignal,
  sessionStatusQuery,
  type SessionMessage,
  type SessionReply,
  type SessionState as State,
} from './messages.ts';
import { AgentLastActivity, SessionState } from './search.ts';
import type { SessionInput, SessionRef, TurnItem, TurnOrigin, TurnResult } from './types.ts';

/** Replies kept for the status query (the CLI reads them). */
const keptReplies = 20;
/** Longest reply kept in history; a longer one is truncated there (the chat gets the poster's cut). */
const keptReplyChars = 40_000;
/** Message ids remembered to drop duplicate deliveries. */
const keptMessageIds = 500;
/** Items handed to one turn; the rest wait for the next. */
const maxTurnItems = 50;
/** Idle time before the sandbox stops, until the first turn reports the agent's own setting. */
const defaultIdleMs = 15 * 60_000;

/** Run an agent session until it is closed. */
export async function agentSessionWorkflow(input: SessionInput): Promise<void> {
  const { agentId, conversationKey, conversation } = input;
  const { workflowId } = workflowInfo();
  const ref: SessionRef = {
    workflowId,
    agentId,
    sessionId: `${agentId}:${conversationKey}`,
    ...(input.talker ? { talker: input.talker } : {}),
  };
  const carried = input.carried;
  let turn = carried?.turn ?? 0;
  const queue: TurnItem[] = [...(carried?.queue ?? [])];
  const seen = new Set(carried?.seenMessageIds ?? []);
  let tokensUsed = carried?.tokensUsed ?? 0;
  const replies: SessionReply[] = [...(carried?.replies ?? [])];
  let lastActivityAt = carried?.lastActivityAt ?? new Date().toISOString();
  let boxRunning = carried?.boxRunning ?? false;
  let lastSender: SessionMessage['from'] | null = carried?.lastSender ?? null;
  // What started the running (or last) turn: it rides on each request the turn makes.
  let origin: TurnOrigin | null = carried?.origin ?? null;
  // The Docker host the sandbox lives on; its turns and idle stop go to that host's queue.
  let host: string | null = carried?.host ?? null;
  let lastMessage: string | null = null;
  let idleMs = defaultIdleMs;
  let state: State = 'waiting';
  let closed = false;
  // The turn running now; the gateway may ask for actions only during it.
  let currentTurn: number | null = null;

  const context = {
    ref,
    conversation,
    currentTurn: () => currentTurn,
    requester: () => lastSender,
    origin: () => origin,
    message: () => lastMessage,
    onLateOutcome: (item: TurnItem) => void queue.push(item),
  };
  const actions = runAction(context);
  const asks = runAsk(context);
  const waitingOn = () => [...actions.pending.entries(), ...asks.pending.entries()];

  const setState = (next: State): void => {
    state = next;
    upsertSearchAttributes([
      { key: SessionState, value: next },
      { key: AgentLastActivity, value: new Date(lastActivityAt) },
    ]);
    const waitingOn = actions.pending.size
      ? `, ${actions.pending.size} action(s) awaiting approval`
      : '';
    setCurrentDetails(
      `**${next}** after ${turn} turn(s)${waitingOn}. Last activity ${lastActivityAt}.`,
    );
  };

  setHandler(sessionMessageSignal, (message) => {
    if (closed || seen.has(message.messageId)) return;
    seen.add(message.messageId);
    if (seen.size > keptMessageIds) seen.delete(seen.values().next().value as string);
    queue.push({ kind: 'message', message });
  });
  setHandler(closeSessionSignal, () => void (closed = true));
  setHandler(agentActionUpdate, actions.handle, { validator: actions.validate });
  setHandler(agentAskUpdate, asks.handle, { validator: asks.validate });
  setHandler(agentLookupSignal, actions.looked);
  setHandler(sessionStatusQuery, () => ({
    agentId,
    sessionId: ref.sessionId,
    conversation,
    state,
    turn,
    queued: queue.length,
    pendingActions: waitingOn().map(([id, p]) => ({ id, ...p })),
    lastActivityAt,
    tokensUsed,
    replies,
    host,
  }));

  setState('waiting');
  for (;;) {
    const ready = () => queue.length > 0 || closed;
    const work = boxRunning ? await condition(ready, idleMs) : (await condition(ready), true);
    if (closed) break;
    if (!work) {
      // A host that is gone took its sandbox with it: nothing to stop there.
      await onHost(host)
        .chores.stopAgentSandbox(ref)
        .catch((err: unknown) => {
          if (!hostGone(err)) throw err;
          host = null;
        });
      boxRunning = false;
      setState('idle');
      continue;
    }
    // History stays small: hand over between turns, never with a child still awaited here.
    if (workflowInfo().continueAsNewSuggested && waitingOn().length === 0) {
      await condition(() => actions.idle() && asks.idle());
      return continueAsNew<typeof agentSessionWorkflow>({
        ...input,
        carried: {
          turn,
          queue,
          seenMessageIds: [...seen],
          tokensUsed,
          replies,
          lastActivityAt,
          boxRunning,
          lastSender,
          origin,
          host,
        },
      });
    }
    // A question from another agent is a turn of its own: its reply is the answer.
    const questionAt = queue.findIndex((i) => i.kind === 'message' && i.message.exchange);
    const items = queue.splice(
      0,
      questionAt === 0 ? 1 : questionAt > 0 ? questionAt : maxTurnItems,
    );
    const question =
      items.length === 1 && items[0]?.kind === 'message' ? items[0].message.exchange : undefined;
    const messages = items.filter((i) => i.kind === 'message').map((i) => i.message);
    const latest = messages.at(-1);
    if (latest) {
      lastSender = latest.from;
      lastMessage = latest.text.slice(0, 1000);
    }
    origin = turnOrigin(items, origin, lastSender);
    turn += 1;
    currentTurn = turn;
    lastActivityAt = new Date().toISOString();
    setState('working');
    let result: TurnResult | null = null;
    // Who asks in this turn: the activity's fast path builds its requests as the update does.
    const asker = { from: lastSender, origin, message: lastMessage };
    const turnInput = {
      ...ref,
      turn,
      items,
      conversation,
      tokensUsed,
      postReply: !question,
      asker,
    };
    try {
      result = await onHost(host).turns.runAgentTurn(turnInput);
    } catch (err) {
      // The sandbox's host is gone: any host runs the turn, and the session moves there.
      if (host && hostGone(err)) {
        host = null;
        result = await onHost(null)
          .turns.runAgentTurn(turnInput)
          .catch(() => null);
      }
      // Otherwise retries are spent: tell the person rather than go quiet (items not run again).
    }
    if (result?.host !== undefined) host = result.host;
    currentTurn = null;
    turnRan(agentId, result !== null);
    boxRunning = true;
    if (result) {
      tokensUsed = result.tokensUsed;
      idleMs = result.idleTimeoutMs;
    }
    const reply = result
      ? result.reply.trim()
      : `${agentId} could not finish this turn (its sandbox or model failed repeatedly). Operators can see why in the Temporal UI (${workflowId}).`;
    if (question) {
      // Sent back to the exchange, which sanitizes it and asks for approval; never posted here.
      await getExternalWorkflowHandle(question.workflowId)
        .signal(exchangeAnswerSignal, { text: reply, sessionWorkflowId: workflowId, turn })
        .catch(() => undefined); // the exchange ended meanwhile (time limit): nothing to answer
    } else if (reply && !result?.posted) {
      await onHost(null).chores.postSessionReply({
        conversation,
        key: `${workflowId}:${turn}`,
        text: reply,
      });
    }
    if (reply) {
      replies.push({ turn, text: reply.slice(0, keptReplyChars), at: new Date().toISOString() });
      if (replies.length > keptReplies) replies.splice(0, replies.length - keptReplies);
    }
    lastActivityAt = new Date().toISOString();
    setState('waiting');
  }
  setState('closed');
  await onHost(host)
    .chores.removeAgentSandbox(ref)
    .catch((err: unknown) => {
      if (!hostGone(err)) throw err;
    });
}
