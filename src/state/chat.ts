// Which state the Chat SDK keeps its dedupe keys, caches and locks in: PostgreSQL when
// AIRLOCK_CHAT_STATE_URL is set (shared by every webhook replica, see chat-pg.ts), else bounded
// memory (one webhook process; entries expire and the store has a size cap, see chat-memory.ts).
import type { Logger as ChatLogger, StateAdapter } from 'chat';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { BoundedMemoryState } from './chat-memory.ts';
import { SweptPostgresState } from './chat-pg.ts';

/** The Chat SDK state adapter the configuration selects. */
export function createChatState(
  config: Config,
  logger: Logger,
  chatLogger: ChatLogger,
): StateAdapter {
  if (config.AIRLOCK_CHAT_STATE_URL) {
    return new SweptPostgresState({
      url: config.AIRLOCK_CHAT_STATE_URL,
      maxKeys: config.AIRLOCK_CHAT_STATE_MAX_KEYS,
      sweepEveryMs: config.AIRLOCK_CHAT_STATE_SWEEP_MS,
      logger,
      chatLogger,
    });
  }
  return new BoundedMemoryState(config.AIRLOCK_CHAT_STATE_MAX_KEYS);
}
