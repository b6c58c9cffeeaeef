// Long base64 and hex blobs (padding and concatenated chunks included): encoded payloads smuggled
// past a reader and past every other detector. One table-driven scan over maximal runs of
// base64/base64url characters; a run is a blob when it is long enough for the level and mixes
// character classes as encoded data does (plain words, paths and numbers do not). Hex needs a
// letter and either a digit or four different letters (`deadbeef…` is a blob, `aaaa…` is not).
import type { Report } from './report.ts';
import { Editor } from './scan.ts';
import type { Level } from './types.ts';

/** Minimum blob lengths per level: [hex, base64]. */
const MIN: Record<Level, [number, number]> = {
  lenient: [256, 256],
  standard: [128, 96],
  strict: [64, 48],
};

const UPPER = 1;
const LOWER = 2;
const DIGIT = 4;
const OTHER = 8;
const HEX = 16;

/** The class bits of each ASCII character of the base64/base64url alphabet; 0 outside it. */
const CLASS = new Uint8Array(128);
for (let c = 0x41; c <= 0x5a; c++) CLASS[c] = UPPER | (c <= 0x46 ? HEX : 0);
for (let c = 0x61; c <= 0x7a; c++) CLASS[c] = LOWER | (c <= 0x66 ? HEX : 0);
for (let c = 0x30; c <= 0x39; c++) CLASS[c] = DIGIT | HEX;
for (const ch of '+/-_=') CLASS[ch.charCodeAt(0)] = OTHER;

/** The number of bits set in v. */
function bits(v: number): number {
  let n = 0;
  for (; v; v &= v - 1) n++;
  return n;
}

/** Remove base64 and hex blobs at least as long as `level` allows. */
export function removeBlobs(text: string, level: Level, report: Report): string {
  const [minHex, minB64] = MIN[level];
  const ed = new Editor(text);
  for (let i = 0; i < text.length;) {
    const c0 = text.charCodeAt(i);
    if (c0 >= 128 || CLASS[c0] === 0) {
      i++;
      continue;
    }
    let e = i;
    let seen = 0;
    let all = HEX;
    let hexLetters = 0; // one bit per letter a-f, either case
    for (; e < text.length; e++) {
      const c = text.charCodeAt(e);
      const k = c < 128 ? (CLASS[c] ?? 0) : 0;
      if (k === 0) break;
      seen |= k;
      all &= k;
      if (k & HEX && !(k & DIGIT)) hexLetters |= 1 << ((c | 0x20) - 0x61);
    }
    const len = e - i;
    const letters = (seen & (UPPER | LOWER)) !== 0;
    const mixed = (seen & DIGIT) !== 0 || bits(hexLetters) >= 4;
    const isHex = all !== 0 && letters && mixed && len >= minHex;
    const isB64 = (seen & (UPPER | LOWER | DIGIT)) === (UPPER | LOWER | DIGIT) && len >= minB64;
    if (isHex || isB64) {
      report.add(
        'blob',
        `${isHex ? 'hex' : 'base64'} blob, ${len} chars: ${text.slice(i, i + 24)}`,
      );
      ed.cutSpaced(i, e);
    }
    i = e;
  }
  return ed.done();
}
