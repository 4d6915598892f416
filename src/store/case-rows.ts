import type { CaseRecord } from '../domain/cases';
import type { CaseEndReason, CaseState } from '../domain/lifecycle';

/** A row of the `cases` table (all columns). */
export interface CaseRow {
  q: string;
  idx: number;
  agency: string;
  start_ms: number;
  accept_due_ms: number;
  base_answer_due_ms: number;
  answer_due_ms: number;
  accepted_ms: number | null;
  extension_ms: number | null;
  extension_days: number | null;
  extension_applied: number | null;
  answered_ms: number | null;
  authorized: number | null;
  ended_ms: number | null;
  end_reason: string | null;
}

export function caseFromRow(r: CaseRow): CaseRecord {
  const c: CaseRecord = {
    q: r.q,
    agency: r.agency,
    start: r.start_ms,
    acceptDue: r.accept_due_ms,
    baseAnswerDue: r.base_answer_due_ms,
    answerDue: r.answer_due_ms,
  };
  if (r.accepted_ms !== null) c.accepted = r.accepted_ms;
  if (r.extension_ms !== null) c.extension = { at: r.extension_ms, days: r.extension_days ?? 0, appliedDays: r.extension_applied ?? 0 };
  if (r.answered_ms !== null) c.answered = r.answered_ms;
  if (r.authorized !== null) c.authorized = r.authorized === 1;
  if (r.ended_ms !== null) c.ended = r.ended_ms;
  if (r.end_reason !== null) c.endReason = r.end_reason as CaseEndReason;
  return c;
}

export function caseRow(q: string, idx: number, c: CaseState): CaseRow {
  return {
    q,
    idx,
    agency: c.agency,
    start_ms: c.start,
    accept_due_ms: c.acceptDue,
    base_answer_due_ms: c.baseAnswerDue,
    answer_due_ms: c.answerDue,
    accepted_ms: c.accepted ?? null,
    extension_ms: c.extension?.at ?? null,
    extension_days: c.extension?.days ?? null,
    extension_applied: c.extension?.appliedDays ?? null,
    answered_ms: c.answered ?? null,
    authorized: c.authorized === undefined ? null : c.authorized ? 1 : 0,
    ended_ms: c.ended ?? null,
    end_reason: c.endReason ?? null,
  };
}
