// Warnings for a research agent's web.allowHosts: a wildcard port reaches every service a host runs,
// an entry aimed at loopback or private addresses without an exact host:port reaches nothing
// (the gateway refuses inside addresses unless an entry names the exact host and port), and an IP
// written in another notation (2130706433) matches no URL. Legal either way (the gateway enforces
// the rule); the warnings say what an entry really allows.
import { globMatch } from '../glob.ts';
import type { Origin } from './collected.ts';

/** One address of each inside range, and the names that resolve there on any machine. */
const insideSamples = [
  '127.0.0.1',
  '10.0.0.1',
  '172.16.0.1',
  '192.168.0.1',
  '100.64.0.1',
  '169.254.169.254',
  '0.0.0.0',
  'localhost',
];
/** Hosts on the web: an entry that matches these too is a web glob, not an inside one. */
const webSamples = ['example.com', 'www.example.com', '93.184.216.34'];

/** Warn (through `warn`) about the allowHosts entries at `at` that say more or less than they seem. */
export function checkWebHosts(
  at: Origin,
  allowHosts: string[],
  warn: (at: Origin, sub: (string | number)[], message: string) => void,
): void {
  allowHosts.forEach((entry, i) => {
    const colon = entry.indexOf(':');
    const host = (colon < 0 ? entry : entry.slice(0, colon)).toLowerCase();
    const port = colon < 0 ? undefined : entry.slice(colon + 1);
    const sub = ['web', 'allowHosts', i];
    if (port !== undefined && /[*?]/.test(port)) {
      warn(
        at,
        sub,
        `"${entry}" has a wildcard port: it allows every service on ${host} that answers without a key; name the exact port`,
      );
    }
    // URLs are compared by their parsed host (2130706433 and 0x7f.1 are 127.0.0.1): so are entries.
    const parsed = /[*?]/.test(host) ? host : URL.parse(`http://${host}/`)?.hostname;
    if (parsed !== undefined && parsed !== host) {
      warn(
        at,
        sub,
        `"${entry}" never matches: a URL's host ${host} is read as ${parsed}; write "${parsed}${port === undefined ? '' : `:${port}`}"`,
      );
    }
    const inside = insideSamples.filter((s) => globMatch(host, s));
    const web = webSamples.some((s) => globMatch(host, s));
    const exact = port !== undefined && !/[*?]/.test(entry);
    if (inside.length > 0 && !web && !exact) {
      warn(
        at,
        sub,
        `"${entry}" names loopback or private addresses (${inside.join(', ')}) without an exact port: the gateway refuses those; to reach one local service, name its exact host and port (e.g. "${inside[0]}:8080")`,
      );
    }
  });
}
