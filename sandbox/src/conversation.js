// The conversation kept as JSON in the workspace (`.airlock/conversation.json`), so a recreated
// container resumes with the whole history. Written atomically (temp file, then rename): a
// container killed mid-write leaves the previous version, never half a file.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Load the saved messages (AI SDK ModelMessage objects); none when the file does not exist. */
export async function loadConversation(path) {
  try {
    const saved = JSON.parse(await readFile(path, 'utf8'));
    return Array.isArray(saved.messages) ? saved.messages : [];
  } catch (err) {
    if (err.code === 'ENOENT') return [];
    throw err;
  }
}

/** Save the messages. */
export async function saveConversation(path, messages) {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify({ version: 1, savedAt: new Date().toISOString(), messages }));
  await rename(tmp, path);
}

/** One user message from a batch of turn input (what people said, outcomes of earlier actions). */
export function turnMessage(items) {
  const parts = items.map((item) => {
    if (typeof item.text === 'string') return item.from ? `${item.from}: ${item.text}` : item.text;
    return `Update: ${JSON.stringify(item)}`;
  });
  return { role: 'user', content: parts.join('\n\n') };
}
