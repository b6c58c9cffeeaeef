// Maps a JSON path inside a parsed YAML document back to a line and column, so every problem
// points at the text the user wrote. Missing keys point at the nearest enclosing node.
import type { Document, LineCounter, Node } from 'yaml';
import { isMap, isPair, isScalar, isSeq } from 'yaml';

/** A parsed policy file: its name, YAML document and line counter. */
export interface SourceFile {
  file: string;
  doc: Document;
  lines: LineCounter;
}

/** Line and column (1-based) of the value at `path`, or of the key `key` inside it when given. */
export function locate(
  src: SourceFile,
  path: readonly PropertyKey[],
  key?: string,
): { line: number; column: number } {
  let node: unknown = src.doc.contents;
  let offset = rangeStart(node) ?? 0;
  const parts = key === undefined ? path : [...path, key];
  for (const [i, part] of parts.entries()) {
    // For an unknown key, point at the key itself rather than at its value.
    const wantKey = key !== undefined && i === parts.length - 1;
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(part));
      next = pair && isPair(pair) ? (wantKey ? pair.key : (pair.value ?? pair.key)) : undefined;
    } else if (isSeq(node) && typeof part === 'number') {
      next = node.items[part];
    }
    const start = rangeStart(next);
    if (start === undefined) break;
    node = next;
    offset = start;
  }
  const pos = src.lines.linePos(offset);
  return { line: pos.line, column: pos.col };
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | undefined)?.range?.[0];
}

/** Format a path as `$.rules[1].agent`. */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '$';
  for (const part of path) {
    out += typeof part === 'number' ? `[${part}]` : `.${String(part)}`;
  }
  return out;
}
