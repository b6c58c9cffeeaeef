// Which state the Chat SDK keeps its dedupe keys, caches and locks in: bounded memory (one webhook
// process; entries expire and the store has a size cap, see bounded-state.ts).
import type { StateAdapter } from 'chat';
import type { Config } from '../config.ts';
import { BoundedMemoryState } from './bounded-state.ts';

/** The Chat SDK state adapter the configuration selects. */
export function createChatState(config: Config): StateAdapter {
  return new BoundedMemoryState(config.AIRLOCK_CHAT_STATE_MAX_KEYS);
}
