import type { Agency, AgencyDirectory } from './agencies';
import { caseAtCutoff, type CaseRecord } from './cases';
import type { CaseEndReason } from './lifecycle';
import type { RuleBook, Rules } from './policy';
import { formatDay, formatDayVi, type LocalClock } from './time';

/** Phụ biểu 02: each agency's Q&A work over a period, and its score (shared/reference/scoring-policy.md). */

export interface Period {
  /** First and last local days, inclusive. */
  fromDay: number;
  toDay: number;
}

/** Which rule of the scoring policy gave an agency its score. */
export const SCORE_BASES = ['high_volume', 'on_time', 'no_eligible', 'all_late', 'other'] as const;
export type ScoreBasis = (typeof SCORE_BASES)[number];

export interface Appendix02Row {
  row: number;
  agency: string;
  name: string;
  total: number;
  answered: number;
  awaitingAnswer: number;
  awaitingAcceptance: number;
  deleted: number;
  eligible: number;
  late: number;
  unauthorizedAnswers: number;
  /** The most cases the agency answered in one calendar month of the period. */
  maxAnswersInAMonth: number;
  deletedByReason: Partial<Record<CaseEndReason, number>>;
  score: number;
  basis: ScoreBasis;
}

export interface Appendix02Totals {
  total: number;
  answered: number;
  awaitingAnswer: number;
  awaitingAcceptance: number;
  deleted: number;
  eligible: number;
}

export interface Appendix02 {
  from: string;
  to: string;
  rows: Appendix02Row[];
  totals: Appendix02Totals;
  /** The score rules the rows were scored with: those in force on the period's last day. */
  scoring: Rules['scoring'];
}

export function periodBounds(period: Period, clock: LocalClock): { start: number; cutoff: number } {
  return { start: clock.startOfDay(period.fromDay), cutoff: clock.endOfDay(period.toDay) };
}

interface Tally {
  total: number;
  answered: number;
  awaitingAnswer: number;
  awaitingAcceptance: number;
  deleted: number;
  late: number;
  unauthorizedAnswers: number;
  answersByMonth: Map<string, number>;
  deletedByReason: Partial<Record<CaseEndReason, number>>;
}

function emptyTally(): Tally {
  return { total: 0, answered: 0, awaitingAnswer: 0, awaitingAcceptance: 0, deleted: 0, late: 0, unauthorizedAnswers: 0, answersByMonth: new Map(), deletedByReason: {} };
}

export function scoreAgency(t: Omit<Appendix02Row, 'score' | 'basis' | 'row' | 'agency' | 'name'>, scoring: Rules['scoring']): { score: number; basis: ScoreBasis } {
  if (t.eligible === 0) return { score: scoring.noEligibleCases, basis: 'no_eligible' };
  if (t.late === t.eligible) return { score: scoring.allLate, basis: 'all_late' };
  if (t.late === 0 && t.answered > 0 && t.unauthorizedAnswers === 0) {
    if (t.maxAnswersInAMonth > scoring.highVolume.answersInAMonthMoreThan) return { score: scoring.highVolume.score, basis: 'high_volume' };
    return { score: scoring.onTimeAuthorized, basis: 'on_time' };
  }
  return { score: scoring.otherwise, basis: 'other' };
}

/**
 * Builds the table from the cases that start in the period, under the organisation and
 * rules of the period, whatever the data says about later days:
 * - rows: the agencies that existed during the period with a row of Phụ biểu 02 then,
 *   named as they were, plus any other agency that has a case in the period, so that no
 *   case is left out of the totals (AgencyDirectory.forReport);
 * - each case is judged late against its own deadlines, stored when it started and
 *   computed under the rules in force on that day (lifecycle.ts), extension cap included;
 * - each agency's score over the period (a judgement over all its cases, not a per-case
 *   one) uses the score rules in force on the period's last day.
 */
export function buildAppendix02(cases: Iterable<CaseRecord>, period: Period, agencies: AgencyDirectory, clock: LocalClock, rules: RuleBook): Appendix02 {
  const { scoring } = rules.onDay(period.toDay);
  const { start, cutoff } = periodBounds(period, clock);
  const tallies = new Map<string, Tally>();
  for (const c of cases) {
    if (c.start < start || c.start > cutoff) continue;
    let t = tallies.get(c.agency);
    if (!t) tallies.set(c.agency, (t = emptyTally()));
    const judged = caseAtCutoff(c, cutoff);
    t.total += 1;
    switch (judged.status) {
      case 'answered': {
        t.answered += 1;
        if (!c.authorized) t.unauthorizedAnswers += 1;
        const month = clock.monthOf(c.answered as number);
        t.answersByMonth.set(month, (t.answersByMonth.get(month) ?? 0) + 1);
        break;
      }
      case 'deleted': {
        t.deleted += 1;
        const reason = c.endReason as CaseEndReason;
        t.deletedByReason[reason] = (t.deletedByReason[reason] ?? 0) + 1;
        break;
      }
      case 'awaiting_answer':
        t.awaitingAnswer += 1;
        break;
      case 'awaiting_acceptance':
        t.awaitingAcceptance += 1;
        break;
    }
    if (judged.late) t.late += 1;
  }

  const listed: Agency[] = agencies.forReport(period.fromDay, period.toDay, new Set(tallies.keys()));
  const rows = listed.map((agency, index): Appendix02Row => {
    const t = tallies.get(agency.code) ?? emptyTally();
    const base = {
      total: t.total,
      answered: t.answered,
      awaitingAnswer: t.awaitingAnswer,
      awaitingAcceptance: t.awaitingAcceptance,
      deleted: t.deleted,
      eligible: t.total - t.deleted,
      late: t.late,
      unauthorizedAnswers: t.unauthorizedAnswers,
      maxAnswersInAMonth: Math.max(0, ...t.answersByMonth.values()),
      deletedByReason: t.deletedByReason,
    };
    return { row: index + 1, agency: agency.code, name: agency.name, ...base, ...scoreAgency(base, scoring) };
  });

  const totals: Appendix02Totals = { total: 0, answered: 0, awaitingAnswer: 0, awaitingAcceptance: 0, deleted: 0, eligible: 0 };
  for (const r of rows) {
    totals.total += r.total;
    totals.answered += r.answered;
    totals.awaitingAnswer += r.awaitingAnswer;
    totals.awaitingAcceptance += r.awaitingAcceptance;
    totals.deleted += r.deleted;
    totals.eligible += r.eligible;
  }
  return { from: formatDay(period.fromDay), to: formatDay(period.toDay), rows, totals, scoring };
}

const DELETE_REASON_VI: Record<CaseEndReason, string> = {
  violation: 'vi phạm quy chế',
  duplicate: 'có nội dung trùng nhau',
  invalid_identity: 'thông tin người hỏi không đúng',
  out_of_scope: 'không thuộc phạm vi trả lời',
  forwarded: 'một số câu hỏi xóa do đã được chuyển đến cơ quan, đơn vị chuyên trách trả lời',
};

function percent(part: number, whole: number): string {
  return whole === 0 ? '0%' : `${Math.round((part * 100) / whole)}%`;
}

/** "01", "09", "21": counts the way the report writes them. */
function count(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function periodLabel(period: Period): string {
  const from = formatDay(period.fromDay);
  const to = formatDay(period.toDay);
  const range = `từ ngày ${formatDayVi(period.fromDay)} đến ngày ${formatDayVi(period.toDay)}`;
  if (from.slice(5) === '01-01' && from.slice(0, 4) === to.slice(0, 4)) {
    const months = Number(to.slice(5, 7));
    const label = months === 12 ? `năm ${from.slice(0, 4)}` : `${months} tháng năm ${from.slice(0, 4)}`;
    return `Trong ${label} (${range})`;
  }
  return `Trong kỳ báo cáo (${range})`;
}

/** The agencies' names as they were in the period (the rows carry them). */
function names(rows: Appendix02Row[], withTotals: boolean): string {
  return rows.map((r) => (withTotals ? `${r.name} (${r.total} câu hỏi)` : r.name)).join(', ');
}

/** The summary paragraph, worded the way section II.1 of the 2023 report words it. */
export function summaryParagraph(table: Appendix02, period: Period): string {
  const { totals, rows } = table;
  const pending = totals.awaitingAnswer + totals.awaitingAcceptance;
  const reasons = new Set<CaseEndReason>();
  for (const r of rows) for (const reason of Object.keys(r.deletedByReason) as CaseEndReason[]) reasons.add(reason);
  const order: CaseEndReason[] = ['violation', 'duplicate', 'invalid_identity', 'out_of_scope', 'forwarded'];
  const why = order.filter((r) => reasons.has(r)).map((r) => DELETE_REASON_VI[r]);

  const parts: string[] = [];
  parts.push(
    `${periodLabel(period)}, chuyên mục Hỏi - Đáp đã nhận được ${totals.total} câu hỏi của các tổ chức, cá nhân gửi tới. ` +
      `Các cơ quan, đơn vị đã tiếp nhận và trả lời được ${totals.answered}/${totals.eligible} câu hỏi đủ điều kiện trả lời, ` +
      `đạt ${percent(totals.answered, totals.eligible)} tổng số câu hỏi đủ điều kiện trả lời; ` +
      `số câu hỏi chờ tiếp nhận, trả lời ${pending}/${totals.eligible} câu hỏi, chiếm ${percent(pending, totals.eligible)} tổng số câu hỏi đủ điều kiện trả lời; ` +
      `xóa ${totals.deleted} câu hỏi, chiếm ${percent(totals.deleted, totals.total)} tổng số câu hỏi người dân gửi đến` +
      (why.length > 0 ? ` (do ${why.join('; ')}).` : '.'),
  );

  const n = rows.length;
  const s = table.scoring;
  const by = (basis: ScoreBasis) => rows.filter((r) => r.basis === basis);
  const highVolume = by('high_volume');
  const onTime = [...highVolume, ...by('on_time')];
  const noEligible = by('no_eligible');
  const allLate = by('all_late');
  const other = by('other');
  const sentences: string[] = [`Tổng số có ${n} cơ quan, đơn vị tham gia thực hiện đánh giá chuyên mục Hỏi - Đáp.`];
  if (onTime.length > 0) {
    let text =
      `Có ${count(onTime.length)}/${n} cơ quan, đơn vị thực hiện tiếp nhận, trả lời câu hỏi đúng thời gian, người trả lời đúng thành phần theo quy định, ` +
      `đạt ${s.onTimeAuthorized} điểm trở lên`;
    if (highVolume.length > 0)
      text += `; trong đó có ${count(highVolume.length)} đơn vị tiếp nhận, trả lời trên ${s.highVolume.answersInAMonthMoreThan} câu hỏi/tháng, đạt ${s.highVolume.score} điểm: ${names(highVolume, true)}`;
    sentences.push(`${text}.`);
  }
  const middle = [...other, ...noEligible];
  if (middle.length > 0) {
    const scores = [...new Set(middle.map((r) => r.score))].sort((a, b) => b - a).join(' hoặc ');
    let text = `${count(middle.length)}/${n} cơ quan, đơn vị đạt ${scores} điểm`;
    const none = noEligible.filter((r) => r.total === 0).length;
    const allRemoved = noEligible.length - none;
    const notes: string[] = [];
    if (none > 0) notes.push(`${count(none)} cơ quan, đơn vị không nhận được câu hỏi nào`);
    if (allRemoved > 0) notes.push(`${count(allRemoved)} cơ quan, đơn vị có câu hỏi nhưng đều đã chuyển cơ quan khác hoặc xóa`);
    if (notes.length > 0) text += `; trong đó có ${notes.join(', ')}`;
    sentences.push(`${text}.`);
  }
  if (allLate.length > 0) {
    const detail = allLate.map((r) => `${r.name} (${r.late}/${r.eligible} câu hỏi tiếp nhận, trả lời chậm)`).join(', ');
    sentences.push(`${count(allLate.length)}/${n} cơ quan, đơn vị đạt ${s.allLate} điểm: ${detail}.`);
  }
  parts.push(sentences.join(' '));
  return parts.join('\n\n');
}
