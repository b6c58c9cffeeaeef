// A local stand-in for the Slack Web API (Slack itself is unreachable here): speaks its wire
// protocol for chat.postMessage, chat.update, conversations.open, users.info and auth.test
// (form-encoded or JSON in, `{ ok }` JSON out) and records every call, so tests and demos can read
// back what the bot posted.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One recorded Web API call. */
export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
}

/** A running stand-in; `apiUrl` goes into AIRLOCK_SLACK_API_URL. */
export interface SlackApiStandin {
  apiUrl: string;
  calls: SlackCall[];
  close(): Promise<void>;
}

/** A workspace member users.info knows (the Slack adapter looks up each sender's name). */
export interface SlackStandinUser {
  /** The handle (`name`), e.g. "riley". */
  name: string;
  /** The full name (`real_name`), e.g. "Riley Requester". */
  realName: string;
  email?: string;
}

/** Options of the stand-in. */
export interface SlackApiStandinOptions {
  /** Members by Slack user id; users.info answers `user_not_found` for anyone else. */
  users?: Record<string, SlackStandinUser>;
  /** Who the bot token belongs to (auth.test); default U0AIRLOCK / B0AIRLOCK / airlock. */
  bot?: { userId: string; botId: string; name: string };
}

/** Start the stand-in on 127.0.0.1 (random port). */
export async function startSlackApiStandin(
  options: SlackApiStandinOptions = {},
): Promise<SlackApiStandin> {
  const users = options.users ?? {};
  const bot = options.bot ?? { userId: 'U0AIRLOCK', botId: 'B0AIRLOCK', name: 'airlock' };
  const calls: SlackCall[] = [];
  let seq = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
      const args = parseArgs(body, req.headers['content-type'] ?? '');
      calls.push({ method, args });
      const reply = (o: object): void => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(o));
      };
      if (method === 'auth.test')
        return reply({ ok: true, user_id: bot.userId, user: bot.name, bot_id: bot.botId });
      if (method === 'chat.postMessage') {
        seq += 1;
        const ts = `1700000000.${String(seq).padStart(6, '0')}`;
        return reply({
          ok: true,
          channel: args['channel'],
          ts,
          message: { ts, text: args['text'] },
        });
      }
      if (method === 'conversations.open') {
        const user = typeof args['users'] === 'string' ? args['users'] : '';
        if (!/^[UW][A-Z0-9]+$/.test(user)) return reply({ ok: false, error: 'user_not_found' });
        return reply({ ok: true, channel: { id: `D${user.slice(1)}` } });
      }
      if (method === 'users.info') {
        const id = typeof args['user'] === 'string' ? args['user'] : '';
        const u = Object.hasOwn(users, id) ? users[id] : undefined;
        if (!u) return reply({ ok: false, error: 'user_not_found' });
        const profile = { display_name: u.name, real_name: u.realName, email: u.email };
        return reply({ ok: true, user: { id, name: u.name, real_name: u.realName, profile } });
      }
      if (method === 'chat.update')
        return reply({ ok: true, channel: args['channel'], ts: args['ts'] });
      reply({ ok: false, error: 'unknown_method' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    calls,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

function parseArgs(body: string, contentType: string): Record<string, unknown> {
  if (contentType.includes('json')) return JSON.parse(body || '{}') as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    // The Web API client JSON-encodes structured arguments (blocks, attachments).
    args[k] = k === 'blocks' || k === 'attachments' ? (JSON.parse(v) as unknown) : v;
  }
  return args;
}
