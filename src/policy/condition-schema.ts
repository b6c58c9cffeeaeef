// The policy file's tests on a request: conditions on body fields (every operator given must
// hold) and weekly time windows in a time zone. Part of the policy format (schema.ts).
import { z } from 'zod';

/** A dotted path into a request body (`customer.id`, `items.0.sku`). */
export const fieldPath = z
  .string()
  .regex(
    /^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/,
    'a field path is dot-separated names or indexes, e.g. "customer.id" or "items.0.sku"',
  );
/** An IANA time zone name. */
export const timeZone = z
  .string()
  .refine(isTimeZone, 'unknown IANA time zone (e.g. "Europe/Berlin")');
const clock = z
  .string()
  .regex(/^(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/, 'a time of day is "HH:MM", 00:00–24:00');

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const operators = ['equals', 'in', 'lt', 'lte', 'gt', 'gte', 'glob'] as const;

/** One declarative test on a body field; every operator given must hold. */
export const conditionSchema = z
  .strictObject({
    field: fieldPath.meta({ description: 'Dotted path into the request body.' }),
    equals: scalar.optional(),
    in: z.array(scalar).min(1).optional(),
    lt: z.number().optional(),
    lte: z.number().optional(),
    gt: z.number().optional(),
    gte: z.number().optional(),
    glob: z.string().optional(),
  })
  .refine((c) => operators.some((op) => Object.hasOwn(c, op)), {
    message: `a condition needs at least one of: ${operators.join(', ')}`,
  });

/** A weekly time window in a time zone; `from` is inclusive, `to` exclusive, wrapping midnight. */
export const timeWindowSchema = z
  .strictObject({
    days: z
      .array(z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']))
      .min(1)
      .optional(),
    from: clock.default('00:00'),
    to: clock.default('24:00'),
    timeZone: timeZone.optional().meta({ description: 'Defaults to settings.timeZone, then UTC.' }),
  })
  .refine((w) => w.from !== w.to, { message: 'from and to must differ', path: ['to'] });
