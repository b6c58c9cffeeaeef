// Chat-template and role markers and tool-call syntax, matched on the skeleton so look-alike
// letters and combining marks (Cyrillic "ѕystem", Cherokee "[ᎥNST]", "s̶y̶s̶t̶e̶m̶") cannot hide them:
// special tokens
// `<|…|>`, `[INST]`, `<<SYS>>`, role tags `<system>` and wrappers `<INFORMATION>`, `### System:`
// lines and `###(system_message)`, tool-call blocks
// (`<tool_call>…</tool_call>`, `<function=…>…</function>`) and JSON tool calls
// (`{"name":…,"arguments":…}`, `"function_call"`). Every look-ahead is bounded or goes through a
// cached finder; nested braces are matched once with a stack. A removed marker leaves a BOUNDARY
// for the rest of the pass, so the phrase stage never runs a sentence across it.
import { hashRoleEnd } from './hash-role.ts';
import { ROLE_TAGS, ROLE_WORDS, TOOL_TAGS, TURN_START } from './names.ts';
import type { Report } from './report.ts';
import { BOUNDARY, Editor, finder, isSpace } from './scan.ts';
import { fold, skeleton } from './skeleton.ts';
import type { Level } from './types.ts';

const BRACKET = new Set([
  'inst',
  '/inst',
  'sys',
  '/sys',
  'system',
  '/system',
  'assistant',
  '/assistant',
  'system_prompt',
  '/system_prompt',
  'tool_calls',
  '/tool_calls',
  'available_tools',
  '/available_tools',
  'tool_results',
  '/tool_results',
]);
const BRACKET_STRICT = new Set(['user', '/user', 'human', '/human', 'ai', '/ai']);
const HEADING_ROLES = new Set([
  'system',
  'user',
  'assistant',
  'human',
  'instruction',
  'instructions',
  'response',
  'input',
  'developer',
  'context',
  'bot',
  'ai',
  'model',
  'system prompt',
]);
const CALL_KEYS = new Set([
  'function_call',
  'tool_calls',
  'tool_call',
  'tool_use',
  'tool_uses',
  'functioncall',
  'toolcall',
]);
const ARG_KEYS = new Set(['arguments', 'parameters', 'args', 'input', 'tool_input']);

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

function isNameCode(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2d;
}

/** For each `{`, the index of its matching `}` (or -1), found with one stack pass. */
function matchBraces(f: string): Int32Array {
  const match = new Int32Array(f.length).fill(-1);
  const stack: number[] = [];
  for (let i = 0; i < f.length; i++) {
    const c = f.charCodeAt(i);
    if (c === 0x7b) stack.push(i);
    else if (c === 0x7d && stack.length > 0) match[stack.pop() ?? 0] = i;
  }
  return match;
}

/** True when the object source f[s..e] has tool-call keys (≤ 24 steps per quote: linear) ("name" + "arguments", "tool_calls"…). */
function isToolCall(f: string, s: number, e: number): boolean {
  let name = false;
  let args = false;
  for (let i = s; i < e; i++) {
    const q = f.charCodeAt(i);
    if (q !== 0x22 && q !== 0x27) continue;
    let k = i + 1;
    while (k < e && k - i <= 24 && f.charCodeAt(k) !== q) k++;
    if (f.charCodeAt(k) !== q || k - i > 24) continue;
    const key = f.slice(i + 1, k);
    let p = k + 1;
    while (p - k < 16 && isSpace(f.charCodeAt(p))) p++;
    // Not a key: its closing quote may open the next string, so look again from i + 1.
    if (f.charCodeAt(p) !== 0x3a) continue;
    if (CALL_KEYS.has(key)) return true;
    if (key === 'name') name = true;
    if (ARG_KEYS.has(key)) args = true;
    if (name && args) return true;
    i = k;
  }
  return false;
}

/** Skip at most 16 spaces from p. */
function skipSpaces(f: string, p: number): number {
  const from = p;
  while (p - from < 16 && isSpace(f.charCodeAt(p))) p++;
  return p;
}

/**
 * Where `"name": "…", "arguments":` (or another argument key) starting at i ends, with the
 * arguments object when it is closed; -1 when it is not that. At most ~200 characters are read.
 */
function namedArguments(f: string, i: number, braces: Int32Array | undefined): number {
  let p = skipSpaces(f, i + 6);
  if (f.charCodeAt(p) !== 0x3a) return -1;
  p = skipSpaces(f, p + 1);
  if (f.charCodeAt(p) !== 0x22) return -1;
  const valueEnd = p + 1;
  for (p = valueEnd; p - valueEnd < 128 && p < f.length && f.charCodeAt(p) !== 0x22; p++);
  if (f.charCodeAt(p) !== 0x22) return -1;
  p = skipSpaces(f, p + 1);
  if (f.charCodeAt(p) !== 0x2c) return -1;
  p = skipSpaces(f, p + 1);
  if (f.charCodeAt(p) !== 0x22) return -1;
  let k = p + 1;
  while (k - p < 16 && isNameCode(f.charCodeAt(k))) k++;
  if (f.charCodeAt(k) !== 0x22 || !ARG_KEYS.has(f.slice(p + 1, k))) return -1;
  p = skipSpaces(f, k + 1);
  if (f.charCodeAt(p) !== 0x3a) return -1;
  const value = skipSpaces(f, p + 1);
  const close = f.charCodeAt(value) === 0x7b && braces ? (braces[value] ?? -1) : -1;
  return close >= 0 ? close + 1 : p + 1;
}

/** Remove chat-template markers, role tags and tool calls from `text`, leaving a BOUNDARY each. */
export function removeMarkers(text: string, level: Level, report: Report): string {
  const sk = skeleton(text);
  const f = sk.folded ? sk.text : fold(text);
  const ed = new Editor(text);
  const boundary = String.fromCharCode(BOUNDARY);
  let cutUntil = 0;
  /** Skeleton end of the last marker, and whether its line had text before it. */
  let prevEnd = -1;
  let prevHadText = false;
  const nextGt = finder(f, '>');
  const nextLt = finder(f, '<');
  const closers = new Map<string, (from: number) => number>();
  const braces = f.includes('{') ? matchBraces(f) : undefined;
  let checkedUntil = -1;
  let lineStart = 0;

  /** Extend `end` over a role word that directly follows a turn-start token. */
  const roleWordAfter = (end: number): number => {
    let p = end;
    while (f.charCodeAt(p) === 0x20 || f.charCodeAt(p) === 0x09) p++;
    let q = p;
    while (q - p < 12 && isNameCode(f.charCodeAt(q))) q++;
    return ROLE_WORDS.has(f.slice(p, q)) && !isNameCode(f.charCodeAt(q)) ? q : end;
  };
  const closerOf = (name: string): ((from: number) => number) => {
    let find = closers.get(name);
    if (!find) closers.set(name, (find = finder(f, `</${name}`)));
    return find;
  };

  for (let i = 0; i < f.length; i++) {
    const c = f.charCodeAt(i);
    let end = -1;
    let kind: 'role-marker' | 'tool-call' = 'role-marker';
    if (c === 0x0a) {
      lineStart = i + 1;
    } else if (c === 0x3c && f.charCodeAt(i + 1) === 0x7c) {
      // <|special_token|>: bounded to 48 characters on one line.
      for (let k = i + 2; k < f.length && k - i < 50; k++) {
        const ck = f.charCodeAt(k);
        if (ck === 0x0a || ck === 0x3c) break;
        if (f.charCodeAt(k) === 0x7c && f.charCodeAt(k + 1) === 0x3e) {
          // A blank token (`<| |>`, or `<|̶|>` whose mark the skeleton drops) goes too: it is a
          // token's shape, with nothing to keep. Only `<||>`, with nothing inside, is no token.
          if (k === i + 2 && sk.start(k) - sk.start(i + 1) <= 1) break;
          const inner = f.slice(i + 2, k).trim();
          end = TURN_START.has(inner) ? roleWordAfter(k + 2) : k + 2;
          // Safe: an alternation of literals with no quantifier, on at most 48 characters.
          if (/tool|python|function|call/.test(inner)) kind = 'tool-call';
          break;
        }
      }
    } else if (c === 0x3c && f.charCodeAt(i + 1) === 0x3c) {
      const c2 = f.charCodeAt(i + 2);
      if (
        (c2 === 0x73 && f.startsWith('<<sys>>', i)) ||
        (c2 === 0x2f && f.startsWith('<</sys>>', i))
      ) {
        end = i + (f.charCodeAt(i + 2) === 0x2f ? 8 : 7);
      }
    } else if (
      c === 0x3c &&
      isNameCode(f.charCodeAt(i + 1 + (f.charCodeAt(i + 1) === 0x2f ? 1 : 0)))
    ) {
      const closing = f.charCodeAt(i + 1) === 0x2f;
      let j = i + (closing ? 2 : 1);
      const nameStart = j;
      while (j - nameStart < 40 && isNameCode(f.charCodeAt(j))) j++;
      const name = f.slice(nameStart, j);
      const term = f.charCodeAt(j);
      const isFunctionEq = !closing && name === 'function' && term === 0x3d;
      const known = ROLE_TAGS.has(name) || TOOL_TAGS.has(name);
      const gt =
        (known && (term === 0x3e || term === 0x2f || isSpace(term))) || isFunctionEq
          ? nextGt(j)
          : -1;
      const lt = gt >= 0 ? nextLt(i + 1) : -1;
      if (gt >= 0 && (lt < 0 || lt > gt)) {
        end = gt + 1;
        if (isFunctionEq || (TOOL_TAGS.has(name) && !ROLE_TAGS.has(name))) {
          kind = 'tool-call';
          if (!closing) {
            const close = closerOf(name)(end);
            const closeGt = close >= 0 ? nextGt(close) : -1;
            if (closeGt >= 0) end = closeGt + 1;
          }
        } else if (TURN_START.has(name)) {
          end = roleWordAfter(end);
        }
      }
    } else if (c === 0x5b) {
      for (let k = i + 1; k < f.length && k - i < 24; k++) {
        if (f.charCodeAt(k) !== 0x5d) continue;
        const inner = f.slice(i + 1, k).trim();
        if (BRACKET.has(inner) || (level === 'strict' && BRACKET_STRICT.has(inner))) {
          end = k + 1;
          if (inner.includes('tool')) kind = 'tool-call';
        }
        break;
      }
    } else if (c === 0x23 && hashRoleEnd(f, i) > 0) {
      end = hashRoleEnd(f, i); // ###(system_message), anywhere on a line
    } else if (c === 0x23 && i - lineStart <= 3 && f.slice(lineStart, i).trim() === '') {
      // ### System: / ### Instruction: lines (the colon is required; "# Context" is a heading).
      let k = i;
      while (f.charCodeAt(k) === 0x23 && k - i < 6) k++;
      while (f.charCodeAt(k) === 0x20) k++;
      let w = k;
      while (w - k < 16 && (isNameCode(f.charCodeAt(w)) || f.charCodeAt(w) === 0x20)) w++;
      if (f.charCodeAt(w) === 0x3a && HEADING_ROLES.has(f.slice(k, w).trim())) end = w + 1;
    } else if (c === 0x22 && f.startsWith('"name"', i)) {
      // "name": "…", "arguments": outside any object (its brace went with an earlier cut).
      end = namedArguments(f, i, braces);
      if (end >= 0) kind = 'tool-call';
    } else if (c === 0x7b && braces && i > checkedUntil) {
      // An unclosed object reaches to the end of the text, at most 4096 characters on.
      const matched = braces[i] ?? -1;
      const close = matched >= 0 ? matched : Math.min(f.length, i + 4096) - 1;
      // Keys of inner objects are a subset of the outer one's: check each region once.
      checkedUntil = close;
      if (isToolCall(f, i, close + 1)) {
        end = close + 1;
        kind = 'tool-call';
      }
    }
    if (end < 0) continue;
    // Cut the original characters behind the skeleton span (an expansion is cut whole).
    const from = Math.max(cutUntil, sk.start(i));
    const to = Math.max(from, sk.end(end));
    report.add(kind, text.slice(from, Math.min(to, from + 80)));
    // The boundary is needed only between text on one line (a line end already ends a sentence);
    // leaving none at a line's start or end keeps line-start markup visible to the next stages.
    let b = i;
    while (b > lineStart && b !== prevEnd && isBlank(f.charCodeAt(b - 1))) b--;
    const textBefore: boolean = b === prevEnd ? prevHadText : b > lineStart;
    let a = end;
    while (isBlank(f.charCodeAt(a))) a++;
    const textAfter = a < f.length && f.charCodeAt(a) !== 0x0a;
    if (textBefore && textAfter) ed.cut(from, to, boundary);
    else ed.cutSpaced(from, to);
    cutUntil = ed.cutEnd;
    prevEnd = end;
    prevHadText = textBefore;
    for (let k = i; k < end; k++) if (f.charCodeAt(k) === 0x0a) lineStart = k + 1;
    // A marker with nothing before it on its line leaves what follows at the line's start, as the
    // next pass would see it: `### System:### System:` goes whole in this pass.
    if (!textBefore) lineStart = Math.max(lineStart, a);
    i = end - 1;
  }
  return ed.done();
}
