import type { ProvinceData } from '../config/data';
import type { Agency } from '../domain/agencies';
import { overdueAt, type CaseRecord, type Overdue } from '../domain/cases';
import { submittedFields } from '../domain/question-text';
import type { LedgerStore } from '../store/types';

export interface OverdueQuestion {
  q: string;
  agency: string;
  case: CaseRecord;
  overdue: Overdue;
  /** The question as the citizen sent it. */
  text: string;
  submittedAt: string;
}

/** An agency's questions past a deadline at `at`, the most overdue first. */
export async function overdueQuestions(store: LedgerStore, data: ProvinceData, agency: Agency, at: number): Promise<OverdueQuestion[]> {
  const candidates = await store.overdueCandidates(agency.code, at);
  const found: OverdueQuestion[] = [];
  for (const c of candidates) {
    const overdue = overdueAt(c, at, data.calendar);
    if (!overdue) continue;
    const submitted = submittedFields(await store.questionEvents(c.q));
    found.push({ q: c.q, agency: agency.code, case: c, overdue, text: typeof submitted.text === 'string' ? submitted.text : '', submittedAt: typeof submitted.at === 'string' ? submitted.at : '' });
  }
  return found.sort((a, b) => a.overdue.due - b.overdue.due || a.q.localeCompare(b.q));
}
