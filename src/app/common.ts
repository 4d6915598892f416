import { z } from 'zod';
import type { Agency } from '../domain/agencies';
import { questionText } from '../domain/question-text';
import { parseDay, parseInstant } from '../domain/time';
import { openCase, type CaseState, type QuestionState } from '../domain/lifecycle';
import { WorkflowError } from './errors';
import type { StaffActor } from './permissions';
import type { AppDeps, ChatMessage, StaffAccount } from './use-case-ports';

/** What the use cases share: loading a question, checking its state, recording an event, naming agencies. */

export const MAX_TEXT_LENGTH = 20_000;

/** A required text field whose errors say which field and what it must hold. */
export function requiredText(field: string, hint: string) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? `${field} is required (${hint})` : `${field} must be a string (${hint})`) })
    .trim()
    .min(1, `${field} must not be empty (${hint})`)
    .max(MAX_TEXT_LENGTH, `${field} is too long (at most ${MAX_TEXT_LENGTH} characters)`)
    .meta({ description: hint });
}

export const QuestionId = z.string({ error: 'a question id such as HD-2023-000123 is required' }).min(1, 'a question id such as HD-2023-000123 is required');

/** Zod's issues in one sentence an operator can act on. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      // A few names are enough to say what is wrong; a body of thousands of keys must not come back as a 50 kB error.
      if (issue.code === 'unrecognized_keys') return `unknown field(s): ${issue.keys.slice(0, 5).join(', ')}${issue.keys.length > 5 ? ` and ${issue.keys.length - 5} more` : ''}`;
      const where = issue.path.map(String).join('.');
      return where && !issue.message.startsWith(where) ? `${where}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

/** Validates a use case's input; an invalid one is refused whole (nothing is written). */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const given = value === undefined || value === null ? {} : value;
  if (typeof given !== 'object' || Array.isArray(given)) throw new WorkflowError('invalid_input', 'the body must be a JSON object');
  const result = schema.safeParse(given);
  if (!result.success) throw new WorkflowError('invalid_input', describeIssues(result.error));
  return result.data;
}

/**
 * Query parameters (what a URL carries: text, once each). An empty value counts as absent;
 * each field's errors name it and what it must hold, as the body's do. The OpenAPI document's
 * parameters are generated from these schemas.
 */
const absentIfEmpty = (value: unknown) => (value === '' ? undefined : value);

/** A text parameter. */
export function queryText(description: string) {
  return z.preprocess(absentIfEmpty, z.string().optional()).meta({ description });
}

/** A day written YYYY-MM-DD. */
export function queryDay(name: string, description: string) {
  return z
    .preprocess(absentIfEmpty, z.string().refine((v) => parseDay(v) !== undefined, { error: (issue) => `${name} must be a date written YYYY-MM-DD; got "${String(issue.input)}"` }).optional())
    .meta({ description, format: 'date' });
}

/** An instant: ISO 8601 with an offset. */
export function queryInstant(name: string, description: string) {
  return z
    .preprocess(
      absentIfEmpty,
      z.string().refine((v) => parseInstant(v) !== undefined, { error: (issue) => `${name} must be an ISO 8601 instant with an offset, e.g. 2023-09-25T17:00:00+07:00; got "${String(issue.input)}"` }).optional(),
    )
    .meta({ description, format: 'date-time' });
}

/** A whole number in [min, max], written in digits; `fallback` is what the route takes when it is absent (documented as the default). */
export function queryInt(name: string, min: number, max: number, description?: string, fallback?: number) {
  const error = (issue: { input?: unknown }) => `${name} must be a whole number from ${min} to ${max}; got "${String(issue.input)}"`;
  return z
    .preprocess((v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : absentIfEmpty(v)), z.number({ error }).int({ error }).min(min, { error }).max(max, { error }).optional())
    .meta({ ...(description ? { description } : {}), ...(fallback !== undefined ? { default: fallback } : {}) });
}

/** One of a few words. */
export function queryEnum<const T extends readonly [string, ...string[]]>(name: string, values: T, description?: string) {
  return z
    .preprocess(absentIfEmpty, z.enum(values, { error: () => `${name} must be one of ${values.join(', ')}` }).optional())
    .meta(description ? { description } : {});
}

/** Checks a query (express's `req.query`) against its schema: each parameter once, each as its schema says; 400 naming each problem. */
export function parseQuery<S extends z.ZodObject>(schema: S, query: Record<string, unknown>): z.infer<S> {
  for (const name of Object.keys(schema.shape)) if (query[name] !== undefined && typeof query[name] !== 'string') throw new WorkflowError('invalid_input', `query parameter ${name} must be given once`);
  const result = schema.safeParse(query);
  if (!result.success) throw new WorkflowError('invalid_input', describeIssues(result.error));
  return result.data;
}

export async function loadQuestion(deps: Pick<AppDeps, 'ledger'>, q: unknown): Promise<QuestionState> {
  if (typeof q !== 'string' || q === '') throw new WorkflowError('invalid_input', 'a question id such as HD-2023-000123 is required');
  const state = (await deps.ledger.loadQuestions([q])).get(q);
  if (!state) throw new WorkflowError('not_found', `no question ${q}`);
  return state;
}

export function requireOpen(state: QuestionState, verb: string): CaseState {
  if (state.status === 'answered' || state.status === 'deleted') throw new WorkflowError('invalid_state', `question ${state.id} is already ${state.status}; cannot ${verb} it`);
  const current = openCase(state);
  if (!current) throw new WorkflowError('invalid_state', `question ${state.id} has not been assigned to an agency yet; cannot ${verb} it`);
  return current;
}

export function agencyName(deps: Pick<AppDeps, 'facts'>, code: string): string {
  return deps.facts.agencies.get(code)?.name ?? code;
}

/** An agency from a code or a name typed with or without diacritics. */
export function resolveAgency(deps: Pick<AppDeps, 'facts'>, input: unknown, field = 'agency'): Agency {
  if (typeof input !== 'string' || input.trim() === '') throw new WorkflowError('invalid_input', `${field} must be an agency code such as so-yte or a name such as "Sở Y tế"`);
  const match = deps.facts.agencies.resolve(input);
  if (match.kind === 'found') return match.agency;
  if (match.kind === 'ambiguous')
    throw new WorkflowError('invalid_input', `${field} "${input}" may mean ${match.candidates.map((a) => `${a.code} (${a.name})`).join(', ')}; use a code`);
  throw new WorkflowError('invalid_input', `${field}: no agency is called "${input}"; use a code from data/agencies.json such as so-yte`);
}

export interface ActionResult {
  q: string;
  /** The ledger event as recorded. */
  event: Record<string, unknown>;
  state: QuestionState;
}

/** Records one event `by: "<role>:<accountId>"` through the ledger (and so the lifecycle), then runs the onRecorded hook. */
export async function recordEvent(deps: AppDeps, state: QuestionState, fields: Record<string, unknown>, actor: StaffActor, now = deps.now()): Promise<ActionResult> {
  const at = deps.facts.clock.format(now).replace(/\.000(?=[+-]|Z)/, '');
  const event: Record<string, unknown> = { q: state.id, type: fields.type, at, ...fields, by: `${actor.role}:${actor.id}` };
  let next: QuestionState;
  try {
    next = await deps.writer.record(event);
  } catch (err) {
    // The ledger's refusals, told apart by name: the use cases do not import the ledger adapter.
    const name = (err as Error | undefined)?.name;
    if (name === 'LedgerRejection') throw new WorkflowError('invalid_state', `question ${state.id}: ${(err as { reason?: string }).reason ?? (err as Error).message}`);
    if (name === 'ConflictError') throw new WorkflowError('invalid_state', `question ${state.id} changed meanwhile; reload it and try again`);
    throw err;
  }
  deps.log.info('back office action', { q: state.id, type: event.type, account: actor.id, role: actor.role, agency: next.agency });
  if (deps.onRecorded) {
    try {
      await deps.onRecorded(event, next);
    } catch (err) {
      deps.log.warn('onRecorded hook failed', { q: state.id, type: event.type, error: (err as Error).message });
    }
  }
  return { q: state.id, event, state: next };
}

/** The question as the citizen wrote it. */
export async function submittedText(deps: Pick<AppDeps, 'ledger'>, q: string): Promise<string> {
  return questionText(await deps.ledger.questionEvents(q));
}

/** Sends a chat message to an account; a failure is logged and counts as not reached. */
export async function tell(deps: AppDeps, account: StaffAccount, message: ChatMessage, q: string): Promise<number> {
  try {
    return await deps.notifier.toAccount(account, message);
  } catch (err) {
    deps.log.warn('notification not sent', { q, account: account.id, error: (err as Error).message });
    return 0;
  }
}

/** The name of whoever acts, for messages to colleagues. */
export async function actorName(deps: AppDeps, actor: StaffActor): Promise<string> {
  return actor.name ?? (await deps.backoffice.getAccount(actor.id))?.name ?? actor.id;
}

/** One excerpt helper for every message that shortens a question (cut at a word, never mid-letter). */
export { excerpt } from '../domain/text';
