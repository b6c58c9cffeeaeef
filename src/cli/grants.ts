// `airlock grants list|revoke`: see which standing approvals are active, and end one now.
import { parseArgs } from 'node:util';
import { processEnv } from '../config.ts';
import { temporalGrants } from '../grants/grants.ts';
import { withClient } from './client.ts';
import type { CliIo } from './io.ts';

type Env = Record<string, string | undefined>;

/** Usage of `airlock grants`. */
export const usage = `usage:
  airlock grants list [--json]
  airlock grants revoke <grant-id> [--by NAME]
`;

/** Run `airlock grants …`. */
export async function run(args: string[], io: CliIo, env: Env = processEnv()): Promise<number> {
  const [command, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, by: { type: 'string' } },
  });
  if (command !== 'list' && !(command === 'revoke' && positionals[0])) {
    io.stderr(usage);
    return 2;
  }
  return withClient(env, async (client, config) => {
    const grants = temporalGrants(client, config.TEMPORAL_TASK_QUEUE);
    if (command === 'list') {
      const active = await grants.list();
      if (values.json)
        io.stdout(
          `${JSON.stringify(
            active.map((g) => g.grant),
            null,
            2,
          )}\n`,
        );
      else if (active.length === 0) io.stdout('no active grants\n');
      else
        for (const { grant: g } of active)
          io.stdout(
            `${g.id}  ${g.kind} ${g.agent} ${g.method} ${g.capability} rule=${g.rule} ${JSON.stringify(g.fields)} by ${g.grantedBy} until ${g.until}\n`,
          );
      return 0;
    }
    const id = positionals[0] as string;
    if (!(await grants.revoke(id, values.by ?? 'airlock CLI'))) {
      io.stderr(`airlock grants: no active grant ${id}\n`);
      return 1;
    }
    io.stdout(`revoked ${id}\n`);
    return 0;
  });
}
