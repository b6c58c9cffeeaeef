// Text on an approval card: agent-controlled strings escaped for each platform's markup (so
// `<!channel>` or `<https://evil|verified by Security>` shows as typed on Slack, and `[link](…)` or
// `**bold**` as typed on Teams), shortening that says so, and the deadline as a sentence.

/** How one platform's card text is escaped. */
export type Escape = (text: string) => string;

/** No escaping (the platform-neutral card, tests). */
export const plainText: Escape = (text) => text;

/**
 * Slack mrkdwn: `&`, `<` and `>` become entities, so no mention, channel ping or disguised link
 * survives; `*`, `_`, `~` and backticks get a zero-width joiner after them so they cannot open or
 * close formatting (Slack has no backslash escape), and so does the `@` of a typed `@channel`,
 * `@here` or `@everyone`, which Slack may otherwise parse as a ping.
 */
export const escapeSlack: Escape = (text) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([*_~`])/g, '$1\u200d')
    .replace(/@(?=(?:channel|here|everyone)\b)/gi, '@\u200d');

/**
 * Teams (Adaptive Card markdown): a backslash before each character that can start emphasis, a
 * link, code, a heading or a quote; list markers need a line start, which fields do not have.
 */
export const escapeTeams: Escape = (text) => text.replace(/([\\`*_[\]()#~<>])/g, '\\$1');

/** Cut `text` to at most `max` characters at a word boundary, ending in "…"; `cut` says if it did. */
export function shorten(text: string, max: number): { text: string; cut: boolean } {
  if (text.length <= max) return { text, cut: false };
  const head = text.slice(0, Math.max(0, max - 1));
  const space = head.lastIndexOf(' ');
  const at = space > max * 0.6 ? space : head.length;
  return { text: `${head.slice(0, at).trimEnd()}…`, cut: true };
}

const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "in 3 days, Mon 30 Nov 13:36 UTC" (or "2 hours ago, …" once passed); the input when not a date. */
export function describeDeadline(iso: string, now: Date = new Date()): string {
  const at = new Date(iso);
  if (!iso || Number.isNaN(at.getTime())) return iso || '—';
  const pad = (n: number) => String(n).padStart(2, '0');
  const when = `${weekdays[at.getUTCDay()]} ${at.getUTCDate()} ${months[at.getUTCMonth()]} ${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())} UTC`;
  const ms = at.getTime() - now.getTime();
  const span = describeGap(Math.abs(ms));
  return `${ms >= 0 ? `in ${span}` : `${span} ago`}, ${when}`;
}

function describeGap(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return 'less than a minute';
  if (minutes < 90) return plural(minutes, 'minute');
  const hours = Math.round(ms / 3_600_000);
  if (hours < 48) return plural(hours, 'hour');
  return plural(Math.round(ms / 86_400_000), 'day');
}

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
