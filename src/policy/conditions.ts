// Declarative rule conditions: tests on request-body fields (equals, in, numeric comparisons,
// glob) and weekly time windows in a time zone. No code is evaluated: a missing field or a value
// of the wrong type simply does not match, so a rule never matches by accident.
import { globMatch } from '../glob.ts';
import type { Condition, TimeWindow } from './schema.ts';

/** The value at a dotted path ("customer.id", "items.0.sku") in `body`, own properties only. */
export function fieldValue(body: unknown, segments: readonly string[]): { value: unknown } | null {
  let current: unknown = body;
  for (const segment of segments) {
    if (Array.isArray(current) && /^(0|[1-9][0-9]*)$/.test(segment)) {
      const index = Number(segment);
      if (index >= current.length) return null;
      current = current[index];
    } else if (
      typeof current === 'object' &&
      current !== null &&
      !Array.isArray(current) &&
      Object.hasOwn(current, segment)
    ) {
      current = (current as Record<string, unknown>)[segment];
    } else {
      return null;
    }
  }
  return { value: current };
}

/** True when every operator of `condition` holds for its field in `body`. */
export function conditionHolds(
  condition: Condition,
  segments: readonly string[],
  body: unknown,
): boolean {
  const found = fieldValue(body, segments);
  if (!found) return false;
  const v = found.value;
  const num = typeof v === 'number' && Number.isFinite(v) ? v : null;
  if (Object.hasOwn(condition, 'equals') && v !== condition.equals) return false;
  if (condition.in && !condition.in.some((x) => x === v)) return false;
  if (condition.lt !== undefined && !(num !== null && num < condition.lt)) return false;
  if (condition.lte !== undefined && !(num !== null && num <= condition.lte)) return false;
  if (condition.gt !== undefined && !(num !== null && num > condition.gt)) return false;
  if (condition.gte !== undefined && !(num !== null && num >= condition.gte)) return false;
  if (condition.glob !== undefined && !(typeof v === 'string' && globMatch(condition.glob, v))) {
    return false;
  }
  return true;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const dayNames = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** Weekday ("mon"…"sun") and minutes since midnight of `now` in `timeZone`. */
export function localTime(now: Date, timeZone: string): { day: string; minutes: number } {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, format);
  }
  let day = '';
  let minutes = 0;
  for (const part of format.formatToParts(now)) {
    if (part.type === 'weekday') day = part.value.slice(0, 3).toLowerCase();
    else if (part.type === 'hour') minutes += Number(part.value) * 60;
    else if (part.type === 'minute') minutes += Number(part.value);
  }
  if (!dayNames.includes(day)) throw new RangeError(`unexpected weekday "${day}"`);
  return { day, minutes };
}

function clockMinutes(text: string): number {
  return Number(text.slice(0, 2)) * 60 + Number(text.slice(3, 5));
}

/**
 * True when `now` falls in the window. `from` is inclusive and `to` exclusive; when `to` is
 * earlier than `from` the window wraps past midnight and belongs to the day it starts on (fri
 * 22:00–06:00 covers Friday 22:00 to Saturday 06:00).
 */
export function inWindow(window: TimeWindow, now: Date, defaultTimeZone: string): boolean {
  const { day, minutes } = localTime(now, window.timeZone ?? defaultTimeZone);
  const from = clockMinutes(window.from);
  const to = clockMinutes(window.to);
  let startDay = day;
  if (from < to) {
    if (minutes < from || minutes >= to) return false;
  } else if (minutes < to) {
    startDay = dayNames[(dayNames.indexOf(day) + 6) % 7] ?? day;
  } else if (minutes < from) {
    return false;
  }
  return !window.days || window.days.some((d) => d === startDay);
}
