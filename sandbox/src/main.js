// The agent runner inside the sandbox (bundled into /app/runner.js by scripts/sandbox-image.sh):
// a long-lived loop that takes the next turn's input from the gateway inbox, runs the model with
// tools (the Vercel AI SDK's tool loop, its requests sent over the gateway socket) until it is done,
// saves the conversation in the workspace and posts the reply, then polls again.
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, isStepCount } from 'ai';
import { loadConfig } from './config.js';
import { loadConversation, saveConversation, turnMessage } from './conversation.js';
import { connectGateway, GATEWAY_URL } from './gateway.js';
import { log } from './log.js';
import { createTools } from './tools.js';

/** The key the runner sends; the gateway replaces it with the real one, which never enters the box. */
const PLACEHOLDER_KEY = 'airlock-placeholder';

async function main() {
  const config = await loadConfig();
  const gateway = connectGateway(config.socketPath);
  const provider = createOpenAICompatible({
    name: 'airlock',
    baseURL: `${GATEWAY_URL}/v1`,
    apiKey: PLACEHOLDER_KEY,
    fetch: gateway.fetch,
  });
  const model = provider.chatModel(config.agent.model);
  const tools = createTools({ names: config.tools, workspace: config.workspace, gateway });
  let messages = await loadConversation(config.conversationPath);
  log('info', 'runner ready', {
    agent: config.agent.id,
    tools: config.tools,
    history: messages.length,
  });

  for (;;) {
    const items = await gateway.nextBatch(config.inboxWaitMs);
    if (!items) continue;
    const input = [...messages, turnMessage(items)];
    log('info', 'turn started', { items: items.length });
    let reply;
    try {
      const result = await generateText({
        model,
        instructions: config.agent.instructions || undefined,
        messages: input,
        tools,
        stopWhen: isStepCount(config.agent.maxSteps),
      });
      messages = [...input, ...result.responseMessages];
      reply = result.text;
      log('info', 'turn finished', {
        steps: result.steps.length,
        finishReason: result.finishReason,
      });
    } catch (err) {
      // The input stays in the history, so the agent knows what was asked when it is asked again.
      messages = input;
      reply = `I could not finish this: ${err.message}`;
      log('error', 'turn failed', { err });
    }
    // Saved before the reply goes out: a container lost in between resumes with the whole turn.
    await saveConversation(config.conversationPath, messages);
    if (reply?.trim()) await gateway.sendMessage(reply);
  }
}

// PID 1 in a container gets no default signal handling: stop at once when Docker asks.
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));

main().catch((err) => {
  log('error', 'runner stopped', { err });
  process.exit(1);
});
