// HTML character references: numeric (`&#60;`, `&#x3c;`, semicolon optional as browsers allow)
// and a table of common named ones. Bounded look-ahead (≤ 34 characters) from each `&`.

const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  copy: '©',
  reg: '®',
  trade: '™',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  sbquo: '‚',
  bdquo: '„',
  bull: '•',
  middot: '·',
  laquo: '«',
  raquo: '»',
  euro: '€',
  pound: '£',
  yen: '¥',
  cent: '¢',
  sect: '§',
  para: '¶',
  deg: '°',
  plusmn: '±',
  times: '×',
  divide: '÷',
  frac12: '½',
  frac14: '¼',
  frac34: '¾',
  sup2: '²',
  sup3: '³',
  micro: 'µ',
  shy: '\u00ad',
  zwj: '\u200d',
  zwnj: '\u200c',
  lrm: '\u200e',
  rlm: '\u200f',
  ensp: '\u2002',
  emsp: '\u2003',
  thinsp: '\u2009',
  colon: ':',
  sol: '/',
  bsol: '\\',
  lpar: '(',
  rpar: ')',
  lsqb: '[',
  rsqb: ']',
  lbrack: '[',
  rbrack: ']',
  lcub: '{',
  rcub: '}',
  lbrace: '{',
  rbrace: '}',
  verbar: '|',
  vert: '|',
  grave: '`',
  equals: '=',
  num: '#',
  percnt: '%',
  excl: '!',
  quest: '?',
  commat: '@',
  dollar: '$',
  ast: '*',
  midast: '*',
  plus: '+',
  comma: ',',
  period: '.',
  semi: ';',
  lowbar: '_',
  Hat: '^',
  Tab: '\t',
  NewLine: '\n',
  iexcl: '¡',
  iquest: '¿',
  hyphen: '‐',
  dash: '‐',
  tilde: '˜',
};

/** The decoded entity starting at text[i] (which is `&`) and its length, or undefined. */
export function decodeEntityAt(
  text: string,
  i: number,
): { value: string; length: number } | undefined {
  if (text.charCodeAt(i + 1) === 0x23) {
    const hex = (text.charCodeAt(i + 2) | 0x20) === 0x78;
    let j = i + (hex ? 3 : 2);
    const start = j;
    let cp = 0;
    while (j - start < 8) {
      const c = text.charCodeAt(j);
      const d =
        c >= 0x30 && c <= 0x39
          ? c - 0x30
          : hex && (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66
            ? (c | 0x20) - 0x57
            : -1;
      if (d < 0) break;
      cp = cp * (hex ? 16 : 10) + d;
      j++;
    }
    if (j === start) return undefined;
    if (text.charCodeAt(j) === 0x3b) j++;
    // Surrogates and noncharacters become U+FFFD (removed next pass): a decoded noncharacter could
    // otherwise pass for the marker stage's sentence boundary (scan.ts BOUNDARY).
    const nonchar = (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) === 0xfffe;
    const valid = cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) && !nonchar;
    return { value: valid ? String.fromCodePoint(cp) : '\ufffd', length: j - i };
  }
  let j = i + 1;
  while (j - i <= 32) {
    const c = text.charCodeAt(j);
    const alnum = (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);
    if (!alnum) break;
    j++;
  }
  if (j === i + 1 || text.charCodeAt(j) !== 0x3b) return undefined;
  const name = text.slice(i + 1, j);
  const value = NAMED[name] ?? NAMED[name.toLowerCase()];
  return value === undefined ? undefined : { value, length: j + 1 - i };
}
