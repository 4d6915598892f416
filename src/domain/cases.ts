import type { WorkingCalendar } from './calendar';
import type { CaseState } from './lifecycle';

/** A case as stored: the case state with its question id. */
export interface CaseRecord extends CaseState {
  q: string;
}

export type CaseStatus = 'answered' | 'deleted' | 'awaiting_answer' | 'awaiting_acceptance';

export interface CaseAtCutoff {
  status: CaseStatus;
  eligible: boolean;
  acceptLate: boolean;
  answerLate: boolean;
  late: boolean;
  answerDue: number;
}

/**
 * A case judged at a cut-off instant: events after it are ignored
 * (shared/reference/scoring-policy.md, "The table for a period" and "Late cases").
 */
export function caseAtCutoff(c: CaseState, cutoff: number): CaseAtCutoff {
  const answered = c.answered !== undefined && c.answered <= cutoff ? c.answered : undefined;
  const ended = c.ended !== undefined && c.ended <= cutoff ? c.ended : undefined;
  // An answer with no acceptance counts as accepted at the moment of the answer.
  const acceptedRaw = c.accepted !== undefined && c.accepted <= cutoff ? c.accepted : undefined;
  const accepted = acceptedRaw ?? answered;
  const answerDue = c.extension && c.extension.at <= cutoff ? c.answerDue : c.baseAnswerDue;

  let status: CaseStatus;
  if (answered !== undefined) status = 'answered';
  else if (ended !== undefined) status = 'deleted';
  else if (accepted !== undefined) status = 'awaiting_answer';
  else status = 'awaiting_acceptance';

  const eligible = status !== 'deleted';
  const acceptLate = eligible && (accepted !== undefined ? accepted > c.acceptDue : c.acceptDue < cutoff);
  const answerLate = eligible && (answered !== undefined ? answered > answerDue : answerDue < cutoff);
  return { status, eligible, acceptLate, answerLate, late: acceptLate || answerLate, answerDue };
}

export interface Overdue {
  /** Which deadline has passed: the answer deadline when both have. */
  deadline: 'accept' | 'answer';
  due: number;
  workingDaysOverdue: number;
}

/** Whether an open case is past a deadline at instant `at`, and by how many working days. */
export function overdueAt(c: CaseState, at: number, calendar: WorkingCalendar): Overdue | undefined {
  if (c.start > at) return undefined;
  const judged = caseAtCutoff(c, at);
  if (judged.status === 'answered' || judged.status === 'deleted') return undefined;
  if (judged.answerDue < at) return { deadline: 'answer', due: judged.answerDue, workingDaysOverdue: calendar.workingDaysBetween(judged.answerDue, at) };
  if (judged.status === 'awaiting_acceptance' && c.acceptDue < at)
    return { deadline: 'accept', due: c.acceptDue, workingDaysOverdue: calendar.workingDaysBetween(c.acceptDue, at) };
  return undefined;
}
