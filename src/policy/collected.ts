// What the loader collects from the files of a policy set before the cross-file checks (check.ts,
// check-agents.ts): every valid item with where it was written, and every item as written.
import type { SourceFile } from './locate.ts';
import type {
  Agent,
  Capability,
  Group,
  Link,
  McpServer,
  Rule,
  sections,
  Settings,
  User,
} from './schema.ts';

/** A top-level section of a policy file. */
export type Section = (typeof sections)[number];

/** Where an item sits: its file and its JSON path there. */
export interface Origin {
  src: SourceFile;
  path: (string | number)[];
}

/** A valid item with its origin. */
export interface Entry<T> {
  value: T;
  at: Origin;
}

/** Everything collected from the files of a set, before the cross-file checks. */
export interface Collected {
  settings: Settings;
  settingOrigins: Map<string, SourceFile>;
  users: Entry<User>[];
  groups: Entry<Group>[];
  agents: Entry<Agent>[];
  capabilities: Entry<Capability>[];
  mcpServers: Entry<McpServer>[];
  rules: Entry<Rule>[];
  links: Entry<Link>[];
  /** Every item as written, valid or not: ids declared by invalid items still count as declared. */
  raw: { section: Section; item: unknown; at: Origin }[];
}
