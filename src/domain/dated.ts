import { z } from 'zod';
import { formatDay, parseDay } from './time';

/**
 * Dated data: one shape for every entry of data/ that changes over time (the rules of
 * policy.json, the agencies; places and routing rules the same way later).
 *
 * - `from` / `until`: the entry's lifetime in local days. `from` is the first day it is in
 *   force (absent: from the beginning of time); `until` is the first day it is NO LONGER
 *   in force (absent: still in force). A successor's `from` is its predecessor's `until`.
 * - `versions`: dated overrides, each `{ "from": "YYYY-MM-DD", ...fields }`, in date order.
 *   A version changes only the fields it gives; the others carry over from the version
 *   before it (the entry's own fields are the first version). A version that gives every
 *   field is a complete rule set.
 *
 * Days are compared as local day numbers (days since 1970-01-01 at the province's offset).
 */

export const DayTextSchema = z.string().refine((d) => parseDay(d) !== undefined, 'must be a real date written YYYY-MM-DD');

/** The lifetime fields, to spread into an entry's zod object. */
export const lifetimeFields = {
  from: DayTextSchema.optional(),
  until: DayTextSchema.optional(),
};

export interface Lifetime {
  from?: string;
  until?: string;
}

/** Day numbers of a lifetime: [fromDay, untilDay), -Infinity / +Infinity when open. */
export function lifetimeDays(l: Lifetime): { fromDay: number; untilDay: number } {
  return {
    fromDay: l.from === undefined ? Number.NEGATIVE_INFINITY : (parseDay(l.from) as number),
    untilDay: l.until === undefined ? Number.POSITIVE_INFINITY : (parseDay(l.until) as number),
  };
}

export function inForceOn(l: Lifetime, day: number): boolean {
  const { fromDay, untilDay } = lifetimeDays(l);
  return fromDay <= day && day < untilDay;
}

/** Whether the lifetime shares a day with the inclusive period [fromDay, toDay]. */
export function overlapsPeriod(l: Lifetime, fromDay: number, toDay: number): boolean {
  const life = lifetimeDays(l);
  return life.fromDay <= toDay && fromDay < life.untilDay;
}

/** "from 2025-03-01 until 2025-07-01", "from the beginning", for messages. */
export function describeLifetime(l: Lifetime): string {
  const from = l.from === undefined ? 'from the beginning' : `from ${l.from}`;
  return l.until === undefined ? from : `${from} until ${l.until}`;
}

/** Checks `from` < `until` and that versions are in strictly increasing date order inside the lifetime. */
export function checkDated(
  entry: Lifetime & { versions?: ReadonlyArray<{ from: string }> },
  ctx: z.RefinementCtx,
  path: PropertyKey[],
): void {
  const { fromDay, untilDay } = lifetimeDays(entry);
  if (fromDay >= untilDay) ctx.addIssue({ code: 'custom', path: [...path, 'until'], message: `must be after from (${entry.from})` });
  let previous = fromDay;
  entry.versions?.forEach((v, j) => {
    const day = parseDay(v.from);
    if (day === undefined) return; // reported by the field's own schema
    if (day <= previous)
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'versions', j, 'from'],
        message: `must be after ${formatDay(previous)} (the entry's from or the previous version's): versions are in date order`,
      });
    if (day >= untilDay) ctx.addIssue({ code: 'custom', path: [...path, 'versions', j, 'from'], message: `must be before the entry's until (${entry.until})` });
    previous = Math.max(previous, day);
  });
}

/** Index of the version in force on `day` (-1: the entry's own fields). Versions are in date order. */
export function versionIndexOn(versions: ReadonlyArray<{ from: string }> | undefined, day: number): number {
  if (!versions) return -1;
  for (let j = versions.length - 1; j >= 0; j -= 1) if ((parseDay(versions[j].from) as number) <= day) return j;
  return -1;
}

type Plain = Record<string, unknown>;

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep merge of an override onto a base: objects merged key by key, anything else (arrays included) replaced. */
export function mergeOverride<T>(base: T, override: unknown): T {
  if (!isPlain(base) || !isPlain(override)) return (override === undefined ? base : override) as T;
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === undefined) continue;
    out[key] = isPlain(out[key]) && isPlain(value) ? mergeOverride(out[key], value) : value;
  }
  return out as T;
}

/** The fields a dated entry's versions do not touch: lifetime and bookkeeping. */
export const DATED_KEYS = ['from', 'until', 'versions', 'document', 'note'] as const;
