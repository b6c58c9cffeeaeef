// Loads a policy set: a single YAML file, or every *.yaml/*.yml file directly inside a directory
// (not subdirectories), merged in file-name order. Every problem in every file is collected
// (syntax, schema, cross-file references) and thrown together as one PolicyInvalidError.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { checkSet } from './check.ts';
import type { Collected, Origin } from './collected.ts';
import { contentHash } from './hash.ts';
import type { SourceFile } from './locate.ts';
import { PolicyInvalidError, problemAt } from './problems.ts';
import { policyFileSchema, sections, sectionSchemas, settingsSchema } from './schema.ts';
import type { Settings } from './schema.ts';
import type { LoadedPolicy, PolicyProblem, PolicySet } from './types.ts';

/** Load and validate the policy set at `path` (a directory or one file). */
export async function loadPolicySet(path: string): Promise<LoadedPolicy> {
  return parsePolicySet(await readSources(path));
}

/** Validate a policy set from file contents, in the order given (`file` names the source). */
export function parsePolicySet(sources: { file: string; text: string }[]): LoadedPolicy {
  const problems: PolicyProblem[] = [];
  const collected: Collected = {
    settings: {},
    settingOrigins: new Map(),
    users: [],
    groups: [],
    agents: [],
    capabilities: [],
    mcpServers: [],
    rules: [],
    links: [],
    raw: [],
  };
  for (const source of sources) collectFile(source, collected, problems);
  const checked = checkSet(collected);
  problems.push(...checked.problems);
  if (problems.length > 0) throw new PolicyInvalidError(sortProblems(problems, sources));
  const set: PolicySet = {
    settings: collected.settings,
    users: collected.users.map((e) => e.value),
    groups: collected.groups.map((e) => e.value),
    agents: collected.agents.map((e) => e.value),
    capabilities: collected.capabilities.map((e) => e.value),
    mcpServers: collected.mcpServers.map((e) => e.value),
    rules: collected.rules.map((e) => e.value),
    links: collected.links.map((e) => e.value),
  };
  const warnings = sortProblems(checked.warnings, sources);
  // A set without MCP servers hashes as before the section existed (pinned hashes stay valid).
  const hashed = set.mcpServers.length > 0 ? set : { ...set, mcpServers: undefined };
  return { set, hash: contentHash(hashed), files: sources.map((s) => s.file), warnings };
}

/** The policy files at `path` (a directory: its *.yaml/*.yml files in name order) and their text. */
export async function readSources(path: string): Promise<{ file: string; text: string }[]> {
  const fail = (message: string) =>
    new PolicyInvalidError([{ file: path, line: 0, column: 0, path: '$', message }]);
  const info = await stat(path).catch(() => null);
  if (!info) throw fail('no such file or directory');
  const files = info.isDirectory()
    ? (await readdir(path))
        .filter((name) => /\.ya?ml$/.test(name))
        .sort()
        .map((name) => join(path, name))
    : [path];
  if (files.length === 0) throw fail('the directory has no *.yaml or *.yml policy files');
  return Promise.all(files.map(async (file) => ({ file, text: await readFile(file, 'utf8') })));
}

function collectFile(
  source: { file: string; text: string },
  out: Collected,
  problems: PolicyProblem[],
): void {
  const lines = new LineCounter();
  const doc = parseDocument(source.text, { lineCounter: lines, prettyErrors: false });
  const src: SourceFile = { file: source.file, doc, lines };
  if (doc.errors.length > 0) {
    for (const err of doc.errors) {
      const pos = lines.linePos(err.pos[0]);
      const message = `YAML syntax error: ${err.message}`;
      problems.push({ file: src.file, line: pos.line, column: pos.col, path: '$', message });
    }
    return;
  }
  const data: unknown = doc.toJS() ?? {};
  if (!isRecord(data)) {
    problems.push(problemAt(src, [], 'a policy file is a mapping of sections: ' + allSections()));
    return;
  }
  const parsed = policyFileSchema.safeParse(data);
  if (!parsed.success) problems.push(...issueProblems(src, parsed.error.issues));
  const raw = data;

  // Keep every item that is valid on its own, so cross-file checks still run and report
  // everything at once; an invalid item's id still counts as declared (see check.ts).
  // Each settings key may be set in one file only (checked as written, valid or not).
  const rawSettings = isRecord(raw.settings) ? raw.settings : {};
  const fresh = Object.keys(rawSettings).filter((key) => {
    const first = out.settingOrigins.get(key);
    if (first) {
      const message = `settings.${key} is already set in ${first.file}`;
      problems.push(problemAt(src, ['settings', key], message, key));
      return false;
    }
    out.settingOrigins.set(key, src);
    return true;
  });
  const settings = settingsSchema.safeParse(rawSettings);
  if (settings.success) {
    for (const key of fresh)
      Object.assign(out.settings, { [key]: settings.data[key as keyof Settings] });
  }
  for (const section of sections) {
    const items = raw[section];
    if (!Array.isArray(items)) continue;
    const schema: z.ZodType = sectionSchemas[section];
    items.forEach((item: unknown, index) => {
      const at: Origin = { src, path: [section, index] };
      out.raw.push({ section, item, at });
      const value = parseOrSalvage(schema, item);
      if (value !== undefined)
        (out[section] as { value: unknown; at: Origin }[]).push({ value, at });
    });
  }
}

/**
 * The parsed item; or, when it is invalid only in optional or unknown fields, the item parsed
 * without them, so its references are still checked (its problems are already reported, and an
 * invalid set is never returned); or undefined. A field is dropped at the nearest key that is
 * present: a bad list element drops the list, a bad required field inside an optional object
 * (`model.endpoint`) drops the object on the next round. Each round drops a key or gives up.
 */
function parseOrSalvage(schema: z.ZodType, item: unknown): unknown {
  let copy: unknown = item;
  for (let round = 0; round < 8; round++) {
    const result = schema.safeParse(copy);
    if (result.success) return result.data;
    if (round === 0) copy = structuredClone(item);
    for (const issue of result.error.issues) {
      const dropped =
        issue.code === 'unrecognized_keys'
          ? issue.keys.every((key) => dropKey(copy, [...issue.path, key]))
          : dropKey(copy, issue.path);
      if (!dropped) return undefined;
    }
  }
  return undefined;
}

/** Delete the deepest object key along `path` that is present; false when there is none. */
function dropKey(root: unknown, path: readonly PropertyKey[]): boolean {
  for (let n = path.length; n > 0; n--) {
    const key = path[n - 1];
    let parent: unknown = root;
    for (const part of path.slice(0, n - 1)) {
      parent = isRecord(parent) || Array.isArray(parent) ? (parent as never)[part] : undefined;
    }
    if (typeof key === 'string' && isRecord(parent) && Object.hasOwn(parent, key)) {
      delete parent[key];
      return true;
    }
  }
  return false;
}

function issueProblems(src: SourceFile, issues: z.core.$ZodIssue[]): PolicyProblem[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => problemAt(src, issue.path, unknownField(issue.path, key), key))
      : [problemAt(src, issue.path, issue.message)],
  );
}

/** Problems in source order: by file as given, then line and column. */
function sortProblems(problems: PolicyProblem[], sources: { file: string }[]): PolicyProblem[] {
  const order = new Map(sources.map((s, i) => [s.file, i]));
  return problems.sort(
    (a, b) =>
      (order.get(a.file) ?? -1) - (order.get(b.file) ?? -1) ||
      a.line - b.line ||
      a.column - b.column,
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function allSections(): string {
  return ['settings', ...sections].join(', ');
}

function unknownField(path: readonly PropertyKey[], key: string): string {
  return path.length === 0
    ? `unknown section "${key}" (sections: ${allSections()})`
    : `unknown field "${key}"`;
}
