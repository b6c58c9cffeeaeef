// The floors of the house hold. No import between rooms runs in a circle (a room is a folder of
// src/, a single file of src/, activities/, workers/ or workflows/), which lint alone cannot see
// inside one floor; and the lint rules of eslint.config.js refuse an import of a floor above the
// importing file's, type imports included, from any depth.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';
import { repoRoot } from './helpers/temporal.ts';

const trees = ['src', 'activities', 'workers', 'workflows'];

function sources(dir: string): string[] {
  return readdirSync(join(repoRoot, dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The room of a file: src/<folder>/ or the src/ file itself; the top folder elsewhere. */
function roomOf(path: string): string {
  const parts = path.split('/');
  if (parts[0] !== 'src') return `${parts[0]}/`;
  return parts.length > 2 ? `src/${parts[1]}/` : path;
}

// `import … from './x.ts'`, `export … from '../y.ts'`, `import '../z.ts'` (type imports too).
const importFrom =
  /(?:^|\n)\s*(?:import|export)\s+(?:[\w*{}\s,]+?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/g;

/** Room → room → the file imports that draw that arrow. */
function roomGraph(): Map<string, Map<string, string[]>> {
  const graph = new Map<string, Map<string, string[]>>();
  for (const file of trees.flatMap(sources)) {
    const text = readFileSync(join(repoRoot, file), 'utf8');
    for (const match of text.matchAll(importFrom)) {
      const target = relative(repoRoot, join(repoRoot, dirname(file), match[1] ?? ''));
      if (!existsSync(join(repoRoot, target)) || !trees.includes(target.split('/')[0] ?? ''))
        continue;
      const [from, to] = [roomOf(file), roomOf(target)];
      if (from === to) continue;
      const arrows = graph.get(from) ?? new Map<string, string[]>();
      graph.set(from, arrows.set(to, [...(arrows.get(to) ?? []), `${file} -> ${target}`]));
    }
  }
  return graph;
}

/** One circle of rooms, as the file imports that make it, or null. */
function findCircle(graph: Map<string, Map<string, string[]>>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (room: string): string[] | null => {
    state.set(room, 'open');
    path.push(room);
    for (const next of graph.get(room)?.keys() ?? []) {
      if (state.get(next) === 'open') {
        const loop = [...path.slice(path.indexOf(next)), next];
        return loop.slice(1).map((to, i) => graph.get(loop[i] ?? '')?.get(to)?.[0] ?? to);
      }
      const found = state.has(next) ? null : visit(next);
      if (found) return found;
    }
    path.pop();
    state.set(room, 'done');
    return null;
  };
  for (const room of graph.keys()) {
    const found = state.has(room) ? null : visit(room);
    if (found) return found;
  }
  return null;
}

test('no import between rooms runs in a circle', () => {
  const graph = roomGraph();
  assert.ok(
    graph.get('src/chat/')?.has('src/config.ts'),
    'the graph is read (chat imports config)',
  );
  assert.deepEqual(findCircle(graph), null);
});

test('the circle check finds a circle of rooms, and names the imports that make it', () => {
  const graph = new Map([
    ['src/a/', new Map([['src/b/', ['src/a/x.ts -> src/b/y.ts']]])],
    ['src/b/', new Map([['src/a/', ['src/b/y.ts -> src/a/z.ts']]])],
  ]);
  assert.deepEqual(findCircle(graph), ['src/a/x.ts -> src/b/y.ts', 'src/b/y.ts -> src/a/z.ts']);
});

test('lint refuses an import of a floor above, and allows one below', async () => {
  // Only the import rule, without type information: the floors need none, and it is fast.
  const eslint = new ESLint({
    cwd: repoRoot,
    ruleFilter: ({ ruleId }) => ruleId === '@typescript-eslint/no-restricted-imports',
    overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
  });
  const refused = async (filePath: string, source: string): Promise<boolean> => {
    const text = `import type { X } from '${source}';\nexport type Y = X;\n`;
    const [result] = await eslint.lintText(text, { filePath });
    return (result?.messages ?? []).some(
      (m) => m.ruleId === '@typescript-eslint/no-restricted-imports',
    );
  };
  const cases: [string, string, boolean][] = [
    ['src/vault/probe.ts', '../chat/cards.ts', true], // domain -> edges
    ['src/policy/analysis/probe.ts', '../../agents/sessions.ts', true], // domain -> agents
    ['src/temporal/probe.ts', '../../activities/index.ts', true], // domain -> activities
    ['src/log.ts', './state/url.ts', true], // ground -> domain, from src/ itself
    ['src/config/probe.ts', '../a2a/clients.ts', true], // ground -> agents
    ['activities/probe.ts', '../src/webhook/server.ts', true], // activities -> edges (planned)
    ['src/chat/probe.ts', '../deps.ts', true], // edges -> top
    ['src/agents/probe.ts', '../dev/model-standin.ts', true], // shipped code -> dev tools
    ['src/dev/probe.ts', '../policy/load.ts', true], // dev tools -> domain
    ['src/vault/probe.ts', '../state/url.ts', false], // within the domain floor
    ['src/chat/probe.ts', '../../activities/actions.ts', false], // edges -> activities, below
    ['src/a2a/probe.ts', '../config/a2a-tokens.ts', false], // agents -> ground
    ['src/cli/probe.ts', '../chat/card-model.ts', false], // the top imports anything
  ];
  for (const [file, source, expected] of cases)
    assert.equal(await refused(file, source), expected, `${file} importing ${source}`);
});
