// The session's conversation kept as JSON in the workspace (`.airlock/sessions/<id>/
// conversation.json`), so a recreated container resumes with the whole history, with the last
// finished turn's id and reply: a turn delivered again after the runner finished it is answered
// from here, never by running the model twice. Written atomically (temp file, then rename): a
// container killed mid-write leaves the previous version, never half a file.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Load the saved messages (AI SDK ModelMessage objects) and last turn; empty when there is no file. */
export async function loadConversation(path) {
  try {
    const saved = JSON.parse(await readFile(path, 'utf8'));
    const lastTurn =
      typeof saved.lastTurn?.id === 'string' && typeof saved.lastTurn?.reply === 'string'
        ? { id: saved.lastTurn.id, reply: saved.lastTurn.reply }
        : undefined;
    return { messages: Array.isArray(saved.messages) ? saved.messages : [], lastTurn };
  } catch (err) {
    if (err.code === 'ENOENT') return { messages: [], lastTurn: undefined };
    throw err;
  }
}

/** Save the messages and the turn that produced them. */
export async function saveConversation(path, { messages, lastTurn }) {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  const saved = { version: 2, savedAt: new Date().toISOString(), lastTurn, messages };
  await writeFile(tmp, JSON.stringify(saved));
  await rename(tmp, path);
}

function describe(item) {
  // What the session sends (workflows/agent-session/types.ts TurnItem).
  if (item.kind === 'message' && item.message && typeof item.message.text === 'string') {
    const exchange = item.message.exchange;
    if (exchange) {
      // A question from another agent, delivered by an approved exchange: the turn's reply is the
      // answer, which goes back to the asker only after sanitizing and approval.
      return (
        `Question from agent ${exchange.from} (exchange ${exchange.workflowId}). Answer it in your ` +
        `reply; your reply is sent back to ${exchange.from} after sanitizing and approval:\n` +
        item.message.text
      );
    }
    const who = item.message.from?.displayName;
    return who ? `${who}: ${item.message.text}` : item.message.text;
  }
  if (item.kind === 'action-outcome') {
    const update = `Update on action ${item.id}: ${item.message ?? item.outcome}`;
    return item.result === undefined ? update : `${update}\nResult: ${JSON.stringify(item.result)}`;
  }
  if (item.kind === 'exchange-result') {
    // Only a completed exchange carries an answer (sanitized and approved); otherwise why not.
    if (item.state === 'completed' && typeof item.answer === 'string')
      return `Answer from ${item.to} to your question (${item.id}):\n${item.answer}`;
    return `Your question to ${item.to} (${item.id}) got no answer: ${item.message}`;
  }
  // Older and hand-made shapes: `{ from, text }`.
  if (typeof item.text === 'string') {
    const who = typeof item.from === 'string' ? item.from : item.from?.displayName;
    return who ? `${who}: ${item.text}` : item.text;
  }
  return `Update: ${JSON.stringify(item)}`;
}

/** One user message from a turn's items (what people and other agents said, outcomes and answers). */
export function turnMessage(items) {
  return { role: 'user', content: items.map(describe).join('\n\n') };
}
