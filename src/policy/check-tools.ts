// Checks for typed tools: each capability tool is one request its capability allows (a method in
// `methods`, a path matching `paths`), tool names are unique among the tools an agent is offered,
// and an agent's `tools` list names only tools it can have.
import { globMatch } from '../glob.ts';
import { builtinTools } from './capability-tools.ts';
import type { Collected } from './collected.ts';
import type { Reporter } from './check-agents.ts';

/** Check the capabilities' tools and the agents' `tools` lists of `c`, reporting through `r`. */
export function checkTools(c: Collected, r: Reporter): void {
  for (const { value: cap, at } of c.capabilities) {
    cap.tools.forEach((t, i) => {
      if (!cap.methods.includes(t.method))
        r.add(at, ['tools', i, 'method'], `capability "${cap.id}" does not allow ${t.method}`);
      if (!cap.paths.some((p) => globMatch(p, t.path)))
        r.add(at, ['tools', i, 'path'], `${t.path} matches none of capability "${cap.id}"'s paths`);
    });
  }
  for (const { value: a, at } of c.agents) {
    const typed = a.capabilities.flatMap(
      (id) => c.capabilities.find((e) => e.value.id === id)?.value.tools.map((t) => t.name) ?? [],
    );
    const twice = typed.filter((n, i) => typed.indexOf(n) !== i);
    if (twice.length > 0)
      r.add(
        at,
        ['capabilities'],
        `two of this agent's capabilities offer a tool named ${twice[0]}`,
      );
    const known = new Set<string>([...builtinTools, ...typed]);
    a.tools?.forEach((name, i) => {
      if (!known.has(name))
        r.add(
          at,
          ['tools', i],
          `"${name}" is neither a built-in tool nor a tool of this agent's capabilities`,
        );
    });
  }
}
