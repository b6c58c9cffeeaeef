// The agent runner inside the sandbox (bundled into /app/runner.js by scripts/sandbox-image.sh, the
// box's command): it gets its settings from the gateway, then loops: take the next turn from the
// gateway inbox, run the model (the Vercel AI SDK's tool loop, over the gateway socket) with the
// box's own tools and those the gateway's MCP endpoint lists, save the conversation with the turn's
// id and reply, and report the turn done with the reply (the session posts it). A turn delivered
// again after it was done is answered from the saved reply without calling the model; a turn whose
// gateway went away is let go unsaved (the retried turn activity delivers it again).
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, isStepCount } from 'ai';
import { conversationPath, parseAgent, runnerEnv } from './config.js';
import { loadConversation, saveConversation, turnMessage } from './conversation.js';
import { connectGateway, GATEWAY_URL, isGatewayLost } from './gateway.js';
import { log } from './log.js';
import { gatewayTools } from './mcp.js';
import { createTools } from './tools.js';

/** The key the runner sends; the gateway replaces it with the real one, which never enters the box. */
const PLACEHOLDER_KEY = 'airlock-placeholder';
/** The longest reply the gateway takes in a turn report. */
const MAX_REPLY = 200_000;

async function main() {
  const env = runnerEnv();
  const gateway = connectGateway(env.socketPath);
  const { agent, tools: toolNames } = await gateway.agentSettings(parseAgent);
  const path = conversationPath(env.workspace, agent.sessionId);
  const provider = createOpenAICompatible({
    name: 'airlock',
    baseURL: `${GATEWAY_URL}/v1`,
    apiKey: PLACEHOLDER_KEY,
    fetch: gateway.fetch,
  });
  const model = provider.chatModel(agent.model);
  const local = createTools({ names: toolNames, workspace: env.workspace });
  const boundary = gatewayTools(gateway);
  const { messages } = await loadConversation(path);
  log('info', 'runner ready', { agent: agent.id, tools: toolNames, history: messages.length });

  /** Run one turn: the model's reply and the conversation after it, or undefined when abandoned. */
  async function run(turn, items, history) {
    const input = [...history, turnMessage(items)];
    const lost = new AbortController();
    const unwatch = gateway.watch((err) => lost.abort(err));
    try {
      // The box's own tools first, then the gateway's, in the order it lists them.
      const tools = { ...local, ...(await boundary.list()) };
      const result = await generateText({
        model,
        instructions: agent.instructions || undefined,
        messages: input,
        tools,
        stopWhen: isStepCount(agent.maxSteps),
        // A small model may answer in prose where it should act: the policy can require a tool
        // call in the first step of each turn (later steps choose freely, so the turn can end).
        prepareStep: ({ stepNumber }) =>
          stepNumber === 0 && agent.firstStepToolChoice === 'required'
            ? { toolChoice: 'required' }
            : undefined,
        abortSignal: lost.signal,
      });
      // A tool that found no gateway in the last step: the turn's report has nowhere to go.
      if (lost.signal.aborted) throw lost.signal.reason;
      log('info', 'turn finished', {
        turn,
        steps: result.steps.length,
        finishReason: result.finishReason,
      });
      return { messages: [...input, ...result.responseMessages], reply: result.text ?? '' };
    } catch (err) {
      if (lost.signal.aborted || isGatewayLost(err)) {
        log('warn', 'turn abandoned: the gateway went away', { turn, err });
        return undefined;
      }
      // An answer from the gateway (budget spent, model refused…): the turn ends saying so. The
      // input stays in the history, so the agent knows what was asked when it is asked again.
      log('error', 'turn failed', { turn, err });
      return { messages: input, reply: `I could not finish this: ${err.message}` };
    } finally {
      unwatch();
    }
  }

  for (;;) {
    const batch = await gateway.nextBatch(env.inboxWaitMs);
    if (!batch) continue;
    const { turn, items } = batch;
    const saved = await loadConversation(path);
    if (saved.lastTurn?.id === turn) {
      log('info', 'turn already done; reporting its saved reply', { turn });
      await gateway.reportDone(turn, saved.lastTurn.reply);
      continue;
    }
    log('info', 'turn started', { turn, items: items.length });
    const done = await run(turn, items, saved.messages);
    if (!done) continue;
    const reply = done.reply.slice(0, MAX_REPLY);
    // Saved before the report: a container lost in between answers the retried turn from here.
    await saveConversation(path, { messages: done.messages, lastTurn: { id: turn, reply } });
    if (!(await gateway.reportDone(turn, reply)))
      log('warn', 'turn report not taken; it is answered again when redelivered', { turn });
  }
}

// PID 1 in a container gets no default signal handling: stop at once when Docker asks.
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));

main().catch((err) => {
  log('error', 'runner stopped', { err });
  process.exit(1);
});
