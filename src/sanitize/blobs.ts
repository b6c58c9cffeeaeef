// Long base64 and hex blobs (padding and concatenated chunks included): encoded payloads smuggled past a reader (and past every other
// detector). One scan over maximal runs of base64/base64url characters; a run is a blob when it
// is long enough for the level and mixes character classes as encoded data does (plain words,
// paths and numbers do not).
import type { Report } from './report.ts';
import { Editor } from './scan.ts';
import type { Level } from './types.ts';

/** Minimum blob lengths per level: [hex, base64]. */
const MIN: Record<Level, [number, number]> = {
  lenient: [256, 256],
  standard: [128, 96],
  strict: [64, 48],
};

function isB64(c: number): boolean {
  return (
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2b ||
    c === 0x2f ||
    c === 0x2d ||
    c === 0x5f ||
    c === 0x3d
  );
}

/** Remove base64 and hex blobs at least as long as `level` allows. */
export function removeBlobs(text: string, level: Level, report: Report): string {
  const [minHex, minB64] = MIN[level];
  const ed = new Editor(text);
  for (let i = 0; i < text.length;) {
    if (!isB64(text.charCodeAt(i))) {
      i++;
      continue;
    }
    let e = i;
    let upper = false;
    let lower = false;
    let digit = false;
    let hex = true;
    for (; e < text.length; e++) {
      const c = text.charCodeAt(e);
      if (!isB64(c)) break;
      if (c >= 0x41 && c <= 0x5a) upper = true;
      else if (c >= 0x61 && c <= 0x7a) lower = true;
      else if (c >= 0x30 && c <= 0x39) digit = true;
      const l = c | 0x20;
      if (!((c >= 0x30 && c <= 0x39) || (l >= 0x61 && l <= 0x66))) hex = false;
    }
    const end = e;
    const len = e - i;
    const isHex = hex && digit && (upper || lower) && len >= minHex;
    const isB64Blob = upper && lower && digit && len >= minB64;
    if (isHex || isB64Blob) {
      report.add(
        'blob',
        `${isHex ? 'hex' : 'base64'} blob, ${len} chars: ${text.slice(i, i + 24)}`,
      );
      ed.cutSpaced(i, end);
    }
    i = end;
  }
  return ed.done();
}
