// Every relative link in README.md and docs/*.md leads somewhere: the file (or folder) exists, and
// a #fragment names a heading of the target page (GitHub's anchors). Links inside code blocks and
// to other sites are not checked. A page with a broken link fails this test by name.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/temporal.ts';

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

const FENCED = /^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[^\n]*$/gm;

/** The page's text with fenced code blocks and inline code blanked out. */
function prose(text: string): string {
  return text.replace(FENCED, '').replace(/`[^`\n]*`/g, '');
}

/** The anchors of a page's headings (a repeated heading gets -1, -2, … as on GitHub). */
function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  const text = readFileSync(file, 'utf8').replace(FENCED, '');
  for (const m of text.matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const base = slug((m[1] ?? '').replace(/`/g, ''));
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** The relative links of one markdown file that lead nowhere, as "target (why)". */
function brokenLinks(file: string): string[] {
  const broken: string[] = [];
  const links = prose(readFileSync(file, 'utf8')).matchAll(
    /!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g,
  );
  for (const m of links) {
    const target = m[1] ?? '';
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
    const [path = '', fragment] = target.split('#');
    const dest = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
    if (!existsSync(dest)) broken.push(`${target} (no such file)`);
    else if (fragment && dest.endsWith('.md') && !anchors(dest).has(fragment))
      broken.push(`${target} (no heading #${fragment})`);
  }
  return broken;
}

const pages = [
  join(repoRoot, 'README.md'),
  ...readdirSync(join(repoRoot, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(repoRoot, 'docs', f)),
];

test('every relative link in README.md and docs/*.md resolves', () => {
  assert.ok(pages.length > 5, 'the manual is in docs/');
  const problems = pages.flatMap((page) =>
    brokenLinks(page).map((b) => `${relative(repoRoot, page)}: ${b}`),
  );
  assert.deepEqual(problems, []);
});

test('a broken link, a missing heading and a good link are told apart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-links-'));
  try {
    writeFileSync(join(dir, 'other.md'), '# Other page\n\n## The `gateway`: its way out\n');
    const page = join(dir, 'page.md');
    writeFileSync(
      page,
      [
        '# Page',
        '[fine](other.md) [fine too](other.md#the-gateway-its-way-out) [here](#page)',
        '[gone](missing.md) [no heading](other.md#nowhere) [web](https://example.com/x)',
        '```',
        '[in code](not-checked.md)',
        '```',
      ].join('\n'),
    );
    assert.deepEqual(brokenLinks(page), [
      'missing.md (no such file)',
      'other.md#nowhere (no heading #nowhere)',
    ]);
    assert.ok(anchors(join(dir, 'other.md')).has('other-page'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
