// Names that mark chat roles and tool calls, shared by the marker scanner (which matches the folded,
// look-alike-proof view) and the HTML scanner (which classifies ordinary tags by name).

/** Tag names that impersonate a chat role or template boundary: `<system>`, `<start_of_turn>`. */
export const ROLE_TAGS = new Set([
  'system',
  'assistant',
  'user',
  'human',
  'developer',
  'ai',
  'bot',
  'model',
  'tool',
  'ipython',
  'sys',
  'context',
  'instructions',
  'instruction',
  'prompt',
  'system_prompt',
  'system-prompt',
  'im_start',
  'im_end',
  'im_sep',
  'start_of_turn',
  'end_of_turn',
  'bos',
  'eos',
  'endoftext',
  'system-reminder',
  'admin',
  'root',
  'operator',
  // Wrappers that frame an injected order as a notice (AgentDojo's `<INFORMATION>…</INFORMATION>`).
  'information',
  'important',
  'important_message',
  'system_message',
  'admin_message',
]);

/** Tag names whose whole block is a tool or function call: `<tool_call>{…}</tool_call>`. */
export const TOOL_TAGS = new Set([
  'tool_call',
  'tool_calls',
  'toolcall',
  'function_call',
  'function_calls',
  'functioncall',
  'tool_use',
  'tool_result',
  'tool_results',
  'tool_code',
  'tool_output',
  'invoke',
  'function',
  'execute',
  'command',
]);

/** Words that name a role right after a turn-start token (`<|im_start|>system`). */
export const ROLE_WORDS = new Set([
  'system',
  'user',
  'assistant',
  'tool',
  'developer',
  'ipython',
  'function',
  'model',
  'human',
]);

/** Special tokens that open a turn and are followed by a role word. */
export const TURN_START = new Set(['im_start', 'start_header_id', 'start_of_turn', 'start']);
