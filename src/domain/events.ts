import { jsonShapeProblem } from './json-shape';
import { z } from 'zod';
import { hasOffset, parseInstant } from './time';

/** The ledger: every change to a question is one of these events (shared/reference/ledger-format.md). */

export const CHANNELS = ['portal', 'zalo', 'facebook', 'botframework', 'import'] as const;
export const DELETE_REASONS = ['duplicate', 'violation', 'invalid_identity', 'out_of_scope'] as const;
export const EVENT_TYPES = ['submitted', 'assigned', 'forwarded', 'accepted', 'extended', 'answered', 'deleted', 'rated'] as const;

export type Channel = (typeof CHANNELS)[number];
export type DeleteReason = (typeof DELETE_REASONS)[number];
export type EventType = (typeof EVENT_TYPES)[number];

const instant = z.string().superRefine((text, ctx) => {
  if (!hasOffset(text)) ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 instant with an offset, e.g. 2023-05-24T09:12:00+07:00' });
  else if (parseInstant(text) === undefined) ctx.addIssue({ code: 'custom', message: 'is not a valid ISO 8601 instant' });
});

const agencyCode = z.string().min(1);

const common = {
  q: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be a question id such as HD-2023-000123'),
  at: instant,
  by: z.string().min(1).optional(),
};

export const AskerSchema = z
  .object({
    name: z.string().optional(),
    contact: z.string().optional(),
    locality: z.string().optional(),
  })
  .loose();

const Submitted = z
  .object({
    ...common,
    type: z.literal('submitted'),
    channel: z.enum(CHANNELS),
    text: z.string().min(1),
    asker: AskerSchema.optional(),
    lang: z.string().optional(),
  })
  .loose();
const Assigned = z.object({ ...common, type: z.literal('assigned'), agency: agencyCode }).loose();
const Forwarded = z
  .object({ ...common, type: z.literal('forwarded'), from: agencyCode, agency: agencyCode, reason: z.string().optional() })
  .loose();
const Accepted = z.object({ ...common, type: z.literal('accepted'), agency: agencyCode }).loose();
const Extended = z
  .object({ ...common, type: z.literal('extended'), agency: agencyCode, days: z.number().int().positive(), reason: z.string().min(1) })
  .loose();
const Answered = z
  .object({ ...common, type: z.literal('answered'), agency: agencyCode, authorized: z.boolean(), text: z.string().min(1) })
  .loose();
const Deleted = z.object({ ...common, type: z.literal('deleted'), agency: agencyCode, reason: z.enum(DELETE_REASONS) }).loose();
const Rated = z.object({ ...common, type: z.literal('rated'), rating: z.number().int().min(1).max(5) }).loose();

export const LedgerEventSchema = z.discriminatedUnion('type', [Submitted, Assigned, Forwarded, Accepted, Extended, Answered, Deleted, Rated]);

export type LedgerEvent = z.infer<typeof LedgerEventSchema>;
export type SubmittedEvent = z.infer<typeof Submitted>;
export type EventOf<T extends EventType> = Extract<LedgerEvent, { type: T }>;

export type ParseResult = { ok: true; event: LedgerEvent } | { ok: false; reason: string };

/** Checks one event's shape (not its place in the question's life: see lifecycle.ts). */
export function parseEvent(value: unknown): ParseResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'not a JSON object' };
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') return { ok: false, reason: 'missing field "type"' };
  if (!(EVENT_TYPES as readonly string[]).includes(type)) return { ok: false, reason: `unknown event type "${type}"` };
  const result = LedgerEventSchema.safeParse(value);
  if (result.success) return { ok: true, event: result.data };
  const reasons = result.error.issues.map((issue) => {
    const field = issue.path.join('.');
    const present = issue.path.length > 0 && getPath(value, issue.path) !== undefined;
    if (!present && field) return `missing field "${field}" (required for ${type})`;
    return `field "${field}": ${issue.message}`;
  });
  return { ok: false, reason: [...new Set(reasons)].join('; ') };
}

/** Parses one JSON line of a ledger file. */
/** A ledger event is a few levels deep (the asker, the flags); anything deeper is not one. */
export const MAX_EVENT_DEPTH = 8;

export function parseLedgerLine(line: string): ParseResult {
  const shape = jsonShapeProblem(line, MAX_EVENT_DEPTH);
  if (shape) return { ok: false, reason: shape };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return { ok: false, reason: `not valid JSON (${(err as Error).message})` };
  }
  return parseEvent(value);
}

export function eventInstant(event: LedgerEvent): number {
  const ms = parseInstant(event.at);
  if (ms === undefined) throw new Error(`invalid instant ${event.at}`);
  return ms;
}

/** Agency codes an event names, to be checked against the agency list. */
export function agenciesNamed(event: LedgerEvent): string[] {
  switch (event.type) {
    case 'forwarded':
      return [event.from, event.agency];
    case 'assigned':
    case 'accepted':
    case 'extended':
    case 'answered':
    case 'deleted':
      return [event.agency];
    default:
      return [];
  }
}

function getPath(value: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
