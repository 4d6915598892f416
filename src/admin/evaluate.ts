import { z } from 'zod';

/**
 * Scoring the admin query parser against requests labelled by a separate writer
 * (the shape of /work/writers/admin-brief/BRIEF.md): each request's expected
 * structured query, compared field by field and as a whole.
 */

export const STRUCTURED_INTENTS = ['overdue', 'pending', 'scores', 'export', 'unknown'] as const;
export const STRUCTURED_STATUSES = ['awaiting_acceptance', 'awaiting_answer'] as const;
export const STRUCTURED_FIELDS = ['intent', 'agency', 'from', 'to', 'at', 'status'] as const;
export type StructuredField = (typeof STRUCTURED_FIELDS)[number];

const DAY = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day written YYYY-MM-DD');

export const StructuredQuerySchema = z
  .object({
    intent: z.enum(STRUCTURED_INTENTS),
    agency: z.string().min(1).nullable(),
    from: DAY.nullable(),
    to: DAY.nullable(),
    at: DAY.nullable(),
    status: z.enum(STRUCTURED_STATUSES).nullable(),
  })
  .strict();

/** What a request asks, with agencies as codes and days as YYYY-MM-DD; null means "every agency", "no period", "now", "any status". */
export type StructuredQuery = z.infer<typeof StructuredQuerySchema>;

export const LabelledRequestSchema = z.object({
  id: z.string().min(1),
  text: z.string(),
  expected: StructuredQuerySchema,
  style: z.string().min(1),
  note: z.string().optional(),
});

export type LabelledRequest = z.infer<typeof LabelledRequestSchema>;

/** JSON Lines of labelled requests; every bad line is reported as "FILE:LINE: reason" (nothing is scored on a bad file). */
export function readLabelledRequests(text: string, file: string, agencyExists: (code: string) => boolean): { requests: LabelledRequest[]; problems: string[] } {
  const requests: LabelledRequest[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      return void problems.push(`${file}:${i + 1}: not valid JSON`);
    }
    const parsed = LabelledRequestSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return void problems.push(`${file}:${i + 1}: ${issue.path.join('.') || '(line)'}: ${issue.message}`);
    }
    const { agency } = parsed.data.expected;
    if (agency !== null && !agencyExists(agency)) return void problems.push(`${file}:${i + 1}: expected.agency: unknown agency code "${agency}"`);
    requests.push(parsed.data);
  });
  return { requests, problems };
}

export interface Accuracy {
  n: number;
  correct: number;
  accuracy: number;
}

export interface AdminEvaluation {
  overall: Accuracy;
  perField: Record<StructuredField, Accuracy>;
  /** By the expected intent. */
  perIntent: Record<string, Accuracy>;
  perStyle: Record<string, Accuracy>;
  misses: Array<{ id: string; text: string; style: string; expected: StructuredQuery; got: StructuredQuery; fields: StructuredField[] }>;
}

function tally(map: Record<string, Accuracy>, key: string, ok: boolean): void {
  const a = (map[key] ??= { n: 0, correct: 0, accuracy: 0 });
  a.n += 1;
  if (ok) a.correct += 1;
  a.accuracy = a.correct / a.n;
}

/** Exact match of all six fields per request, and each field alone. Pure: `parse` is the parser under test. */
export function evaluateAdminParser(requests: readonly LabelledRequest[], parse: (text: string) => StructuredQuery): AdminEvaluation {
  const overall: Record<string, Accuracy> = {};
  const perField: Record<string, Accuracy> = {};
  const perIntent: Record<string, Accuracy> = {};
  const perStyle: Record<string, Accuracy> = {};
  const misses: AdminEvaluation['misses'] = [];
  for (const field of STRUCTURED_FIELDS) perField[field] = { n: 0, correct: 0, accuracy: 0 };
  for (const r of requests) {
    const got = parse(r.text);
    const fields = STRUCTURED_FIELDS.filter((f) => got[f] !== r.expected[f]);
    for (const f of STRUCTURED_FIELDS) tally(perField, f, !fields.includes(f));
    const ok = fields.length === 0;
    tally(overall, 'all', ok);
    tally(perIntent, r.expected.intent, ok);
    tally(perStyle, r.style, ok);
    if (!ok) misses.push({ id: r.id, text: r.text, style: r.style, expected: r.expected, got, fields });
  }
  return {
    overall: overall.all ?? { n: 0, correct: 0, accuracy: 0 },
    perField: perField as Record<StructuredField, Accuracy>,
    perIntent,
    perStyle,
    misses,
  };
}

function pct(a: Accuracy): string {
  return `${(a.accuracy * 100).toFixed(1)}%`.padStart(6) + `  (${a.correct}/${a.n})`;
}

function show(q: StructuredQuery): string {
  return STRUCTURED_FIELDS.map((f) => `${f}=${q[f] ?? '-'}`).join(' ');
}

/** The report `hoidap eval-admin` prints. */
export function formatAdminEvaluation(e: AdminEvaluation, source: string): string {
  const lines = [`${e.overall.n} requests from ${source}`, `exact match (all six fields)  ${pct(e.overall)}`, '', 'per field'];
  for (const f of STRUCTURED_FIELDS) lines.push(`  ${f.padEnd(10)}${pct(e.perField[f])}`);
  lines.push('', 'per intent (expected)');
  for (const [k, a] of Object.entries(e.perIntent)) lines.push(`  ${k.padEnd(10)}${pct(a)}`);
  lines.push('', 'per style');
  for (const [k, a] of Object.entries(e.perStyle)) lines.push(`  ${k.padEnd(11)}${pct(a)}`);
  lines.push('', `misses (${e.misses.length})`);
  for (const m of e.misses) {
    lines.push(`  ${m.id} [${m.style}] ${m.text}`);
    lines.push(`    expected ${show(m.expected)}`);
    lines.push(`    got      ${show(m.got)}   (wrong: ${m.fields.join(', ')})`);
  }
  return `${lines.join('\n')}\n`;
}
