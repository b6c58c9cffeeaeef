// The facts a benign AgentDojo text holds, for bench/injections.ts: links, email addresses, IBANs
// and numbers (amounts, dates, times, ids) found in the text, plus the facts a user task's checks
// name (rendered by bench/agentdojo-render.py) wherever they occur in it. Compared whitespace-
// collapsed and un-defanged: a fact survives when the sanitized text, refanged, still holds it.
import { defang, findUrls, refang } from '../src/sanitize/links.ts';

const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
const IBAN = /\b[A-Z]{2}\d{2}[A-Z0-9]{10,30}\b/g;
const NUMBER = /\d+(?:[.,:/-]\d+)*/g;

/** Whitespace runs as one space, trimmed. */
export function squash(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** The facts in `text`: links, emails, IBANs, numbers, and those of `taskFacts` it contains. */
export function factsOf(text: string, taskFacts: readonly string[]): string[] {
  const out = new Set<string>();
  for (const u of findUrls(text)) out.add(u.url);
  for (const re of [EMAIL, IBAN, NUMBER]) for (const m of text.matchAll(re)) out.add(m[0]);
  const flat = squash(text);
  for (const f of taskFacts) if (flat.includes(squash(f))) out.add(squash(f));
  return [...out];
}

/** The facts of `facts` that `sanitized` (refanged, whitespace-collapsed) no longer holds. */
export function lostFacts(facts: readonly string[], sanitized: string): string[] {
  const flat = squash(refang(sanitized));
  return facts.filter((f) => !flat.includes(squash(f)));
}

/** `text` with every URL in it defanged as the standard level writes it. */
export function defangText(text: string): string {
  let out = '';
  let last = 0;
  for (const u of findUrls(text)) {
    out += text.slice(last, u.start) + defang(u.url);
    last = u.end;
  }
  return out + text.slice(last);
}
