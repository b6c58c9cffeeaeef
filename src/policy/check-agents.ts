// Cross-file checks for the agents section: the capabilities, users, groups and agents an agent
// names must exist, and its sensitivity must hold: a research agent reaches allow-listed web hosts
// but holds no capabilities or credentials (except its model's API key, which only the gateway
// uses); an action agent holds capabilities but reaches no web host. An agent with a model but
// nobody allowed to talk to it is legal (deny by default) but almost always a mistake: a warning.
import type { Collected, Origin } from './collected.ts';
import { checkWebHosts } from './check-web-hosts.ts';
import { a2aPrefix } from './fields.ts';
import { mcpPrefix } from './mcp-schema.ts';
import { memorySummary } from './memory.ts';

/** How check.ts reports: a problem or warning at a sub-path, and a reference to a declared id. */
export interface Reporter {
  add(at: Origin, sub: (string | number)[], message: string): void;
  warn(at: Origin, sub: (string | number)[], message: string): void;
  ref(
    at: Origin,
    field: string,
    i: number,
    section: 'users' | 'groups' | 'agents' | 'capabilities' | 'mcpServers' | 'links',
    name: string,
  ): void;
  has(section: 'agents' | 'links', name: string): boolean;
}

/** Check every agent of `c`, reporting through `r`. */
export function checkAgents(c: Collected, r: Reporter): void {
  const capability = (name: string) => c.capabilities.find((e) => e.value.id === name)?.value;
  for (const { value: a, at } of c.agents) {
    const research = a.sensitivity === 'research';
    a.capabilities.forEach((name, i) => {
      if (name.startsWith(mcpPrefix)) return; // check-mcp.ts
      r.ref(at, 'capabilities', i, 'capabilities', name);
      if (research) {
        r.add(
          at,
          ['capabilities', i],
          `a research agent holds no capabilities ("${name}"): make the agent sensitivity: action, or drop it`,
        );
        return;
      }
      const cap = capability(name);
      if (cap && !a.credentials.includes(cap.credential)) {
        r.add(
          at,
          ['capabilities', i],
          `capability "${name}" uses credential "${cap.credential}", which is not in this agent's credentials`,
        );
      }
    });
    if (research) {
      if (a.web) checkWebHosts(at, a.web.allowHosts, r.warn.bind(r));
      a.credentials.forEach((name, i) => {
        if (name === a.model?.apiKeyCredential) return;
        r.add(
          at,
          ['credentials', i],
          `a research agent holds no credentials ("${name}" is not its model's apiKeyCredential)`,
        );
      });
    } else if (a.web && a.web.allowHosts.length > 0) {
      r.add(
        at,
        ['web', 'allowHosts'],
        'an action agent reaches no web hosts: give browsing to a research agent',
      );
    }
    const talkers: Origin = { src: at.src, path: [...at.path, 'talkers'] };
    a.talkers.users.forEach((u, i) => r.ref(talkers, 'users', i, 'users', u));
    a.talkers.groups.forEach((g, i) => r.ref(talkers, 'groups', i, 'groups', g));
    if (a.model && a.talkers.users.length + a.talkers.groups.length === 0) {
      r.warn(
        at,
        ['talkers'],
        `nobody may talk to agent "${a.id}": name users or groups in talkers`,
      );
    }
    if (a.model && a.memory === 'agent') r.warn(at, ['memory'], memorySummary(a.memory));
    a.mayAsk.forEach((to, i) => {
      // An external A2A agent exists only through a link that gives its card.
      if (to.startsWith(a2aPrefix)) {
        if (!r.has('links', `${a.id} -> ${to}`))
          r.add(
            at,
            ['mayAsk', i],
            `no link ${a.id} -> ${to} gives the external agent's card; add one to links`,
          );
        return;
      }
      r.ref(at, 'mayAsk', i, 'agents', to);
      if (r.has('agents', to) && !r.has('links', `${a.id} -> ${to}`)) {
        r.add(
          at,
          ['mayAsk', i],
          `no link ${a.id} -> ${to} says how questions cross; add one to links`,
        );
      }
    });
  }
}
