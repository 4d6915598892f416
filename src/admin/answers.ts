import { ActionTypes, MessageFactory, type Activity, type Attachment, type CardAction } from 'botbuilder';
import type { ProvinceData } from '../config/data';
import type { Agency } from '../domain/agencies';
import { caseAtCutoff, overdueAt } from '../domain/cases';
import type { Period } from '../domain/report';
import { formatDay, formatDayVi, type LocalClock } from '../domain/time';
import { overdueQuestions, type OverdueQuestion } from '../queries/overdue';
import { appendix02Report, renderReport, type Appendix02Report } from '../reports/appendix02';
import type { Gazetteer } from '../routing/gazetteer';
import type { Normalizer } from '../routing/normalize';
import type { LedgerStore } from '../store/types';
import { citizenExcerpt, tableCell } from './format';
import { loadAdminPhrases, type AdminPhrases, type AdminQuery } from './query';

/** What the administrators' answers need: plain dependencies, no bot services. */
export interface AdminDeps {
  data: ProvinceData;
  store: LedgerStore;
  normalizer: Normalizer;
  gazetteer: Gazetteer;
  /** Epoch ms: the instant overdue and pending questions are judged at. */
  now: () => number;
  phrases?: AdminPhrases;
}

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** How many overdue questions one chat message lists. */
export const OVERDUE_LIST_LIMIT = 20;

function periodVi(period: Period): string {
  return `từ ${formatDayVi(period.fromDay)} đến ${formatDayVi(period.toDay)}`;
}

function message(text: string, actions?: CardAction[]): Partial<Activity> {
  const activity = actions && actions.length > 0 ? MessageFactory.suggestedActions(actions, text) : MessageFactory.text(text);
  activity.textFormat = 'markdown';
  return activity;
}

function button(title: string, value: string): CardAction {
  return { type: ActionTypes.ImBack, title, value };
}

// ---- Overdue questions -------------------------------------------------------

export interface OverdueAnswer {
  agency: Agency;
  at: number;
  /** Exactly what `hoidap overdue` lists: same questions, same order, same deadline facts. */
  questions: OverdueQuestion[];
  text: string;
}

/** One line per question: ticket, received, status, the deadline passed and by how many working days, the question's start (escaped). */
export function overdueLine(o: OverdueQuestion, at: number, clock: LocalClock, index: number): string {
  const accepted = o.case.accepted !== undefined && o.case.accepted <= at;
  const status = accepted ? 'đã tiếp nhận, chưa trả lời' : 'chưa tiếp nhận';
  const which = o.overdue.deadline === 'accept' ? 'tiếp nhận' : 'trả lời';
  return (
    `${index}. **${o.q}** · nhận ${clock.formatDateVi(o.case.start)} · ${status} · ` +
    `quá hạn ${which} ${o.overdue.workingDaysOverdue} ngày làm việc (hạn ${clock.formatDateVi(o.overdue.due)})\n` +
    `   “${citizenExcerpt(o.text)}”`
  );
}

/** An agency's overdue questions at `at`, through overdueQuestions (the same query as the CLI's `overdue`). */
export async function answerOverdue(store: LedgerStore, data: ProvinceData, agency: Agency, at: number, limit = OVERDUE_LIST_LIMIT): Promise<OverdueAnswer> {
  const questions = await overdueQuestions(store, data, agency, at);
  const { clock } = data;
  const when = clock.formatDateTimeVi(at);
  if (questions.length === 0) return { agency, at, questions, text: `**${agency.name}** không có câu hỏi nào quá hạn (lúc ${when}).` };
  const lines = [`**${agency.name}**: ${questions.length} câu hỏi quá hạn (lúc ${when}), xếp từ quá hạn lâu nhất:`];
  questions.slice(0, limit).forEach((o, i) => lines.push(overdueLine(o, at, clock, i + 1)));
  if (questions.length > limit) lines.push(`… và ${questions.length - limit} câu hỏi quá hạn khác.`);
  return { agency, at, questions, text: lines.join('\n') };
}

/** Agencies with overdue questions at `at`, the most first (for "câu hỏi quá hạn" with no agency named). */
export async function overdueByAgency(store: LedgerStore, data: ProvinceData, at: number): Promise<Array<{ agency: Agency; count: number }>> {
  const out: Array<{ agency: Agency; count: number }> = [];
  for (const agency of data.agencies.inReportOrder()) {
    const count = (await overdueQuestions(store, data, agency, at)).length;
    if (count > 0) out.push({ agency, count });
  }
  return out.sort((a, b) => b.count - a.count);
}

// ---- Pending counts ----------------------------------------------------------

export interface PendingCounts {
  agency: Agency;
  at: number;
  awaitingAcceptance: number;
  awaitingAnswer: number;
  /** Among those awaiting acceptance, the ones past a deadline (acceptance, or already the answer's). */
  awaitingAcceptanceOverdue: number;
  awaitingAnswerOverdue: number;
}

/** The agency's open cases at `at`, judged the way Phụ biểu 02 and the overdue list judge them. */
export async function pendingCounts(store: LedgerStore, data: ProvinceData, agency: Agency, at: number): Promise<PendingCounts> {
  const counts: PendingCounts = { agency, at, awaitingAcceptance: 0, awaitingAnswer: 0, awaitingAcceptanceOverdue: 0, awaitingAnswerOverdue: 0 };
  for (const c of await store.casesStartingBetween(0, at)) {
    if (c.agency !== agency.code) continue;
    const { status } = caseAtCutoff(c, at);
    const late = overdueAt(c, at, data.calendar) !== undefined;
    if (status === 'awaiting_acceptance') {
      counts.awaitingAcceptance += 1;
      if (late) counts.awaitingAcceptanceOverdue += 1;
    } else if (status === 'awaiting_answer') {
      counts.awaitingAnswer += 1;
      if (late) counts.awaitingAnswerOverdue += 1;
    }
  }
  return counts;
}

export function pendingText(counts: PendingCounts, clock: LocalClock): string {
  const when = clock.formatDateTimeVi(counts.at);
  const total = counts.awaitingAcceptance + counts.awaitingAnswer;
  if (total === 0) return `**${counts.agency.name}** không còn câu hỏi nào chờ tiếp nhận hay chờ trả lời (lúc ${when}).`;
  const overdue = (n: number) => (n > 0 ? `, trong đó ${n} câu quá hạn` : '');
  return [
    `**${counts.agency.name}** còn ${total} câu hỏi chưa trả lời (lúc ${when}):`,
    `- chờ tiếp nhận: ${counts.awaitingAcceptance}${overdue(counts.awaitingAcceptanceOverdue)};`,
    `- đã tiếp nhận, chờ trả lời: ${counts.awaitingAnswer}${overdue(counts.awaitingAnswerOverdue)}.`,
  ].join('\n');
}

// ---- Scores ------------------------------------------------------------------

export interface ScoresAnswer {
  report: Appendix02Report;
  /** A markdown table: agency short name, total, answered, score; the totals last. */
  table: string;
  summary: string;
}

export async function answerScores(store: LedgerStore, data: ProvinceData, period: Period): Promise<ScoresAnswer> {
  const report = await appendix02Report(store, data, period);
  const { rows, totals } = report.table;
  const lines = [
    `**Điểm Hỏi - Đáp ${periodVi(period)}**`,
    '',
    '| Cơ quan, đơn vị | Tổng | Đã trả lời | Điểm |',
    '| --- | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${tableCell(data.agencies.get(r.agency)?.shortName ?? r.name)} | ${r.total} | ${r.answered} | ${r.score} |`),
    `| **Tổng số** | **${totals.total}** | **${totals.answered}** | |`,
  ];
  return { report, table: lines.join('\n'), summary: report.summary };
}

// ---- Phụ biểu 02 as a file ---------------------------------------------------

export function appendix02FileName(period: Period): string {
  return `phu-bieu-02_${formatDay(period.fromDay)}_${formatDay(period.toDay)}.xlsx`;
}

/** The same workbook as `hoidap report --format xlsx`, inline as a data: URL (no file server needed). */
export async function appendix02Attachment(store: LedgerStore, data: ProvinceData, period: Period): Promise<{ report: Appendix02Report; attachment: Attachment; text: string }> {
  const report = await appendix02Report(store, data, period);
  const xlsx = (await renderReport(report, 'xlsx', data)) as Buffer;
  const attachment: Attachment = { contentType: XLSX_CONTENT_TYPE, contentUrl: `data:${XLSX_CONTENT_TYPE};base64,${xlsx.toString('base64')}`, name: appendix02FileName(period) };
  const { totals } = report.table;
  const text = `Phụ biểu 02 ${periodVi(period)}: ${totals.total} câu hỏi, ${totals.answered} đã trả lời, ${totals.deleted} đã xóa.`;
  return { report, attachment, text };
}

// ---- Help and the chat answer to a parsed query ------------------------------

function fill(template: string, now: number, clock: LocalClock): string {
  const today = formatDay(clock.dayOf(now));
  const month = Number(today.slice(5, 7));
  return template.replace(/\{year\}/g, today.slice(0, 4)).replace(/\{quarter\}/g, String(Math.ceil(month / 3))).replace(/\{month\}/g, String(month));
}

/** The example queries (with this year and quarter), as they appear on the help buttons. */
export function adminExamples(deps: Pick<AdminDeps, 'data' | 'now' | 'phrases'>): Array<{ title: string; text: string }> {
  const phrases = deps.phrases ?? loadAdminPhrases();
  const now = deps.now();
  return phrases.examples.map((e) => ({ title: fill(e.title, now, deps.data.clock), text: fill(e.text, now, deps.data.clock) }));
}

export const HELP_TEXT = [
  'Tôi trả lời được:',
  '- câu hỏi quá hạn của một cơ quan, đơn vị hay một huyện, thị xã, thành phố;',
  '- số câu hỏi còn chờ tiếp nhận, chờ trả lời;',
  '- bảng điểm Hỏi - Đáp theo tháng, quý, năm, hoặc từ ngày… đến ngày…;',
  '- xuất Phụ biểu 02 ra tệp Excel.',
  'Gõ có dấu hay không dấu đều được. Ví dụ:',
].join('\n');

export function helpActivity(deps: Pick<AdminDeps, 'data' | 'now' | 'phrases'>, lead = 'Tôi chưa hiểu yêu cầu này.'): Partial<Activity> {
  return message(`${lead}\n${HELP_TEXT}`, adminExamples(deps).map((e) => button(e.title, e.text)));
}

const MAX_CHOICES = 8;

function askFor(intent: 'overdue' | 'pending', agency: Agency): string {
  return intent === 'overdue' ? `Câu hỏi quá hạn của ${agency.name}` : `${agency.name} còn bao nhiêu câu chưa trả lời`;
}

/** The reply to a parsed query: one or more messages, in order. */
export async function answerQuery(query: AdminQuery, deps: AdminDeps): Promise<Array<Partial<Activity>>> {
  const { data, store } = deps;
  const at = deps.now();
  switch (query.kind) {
    case 'overdue': {
      const answer = await answerOverdue(store, data, query.agency, at);
      return [message(answer.text)];
    }
    case 'pending': {
      const counts = await pendingCounts(store, data, query.agency, at);
      const overdue = counts.awaitingAcceptanceOverdue + counts.awaitingAnswerOverdue;
      return [message(pendingText(counts, data.clock), overdue > 0 ? [button('Xem câu quá hạn', askFor('overdue', query.agency))] : undefined)];
    }
    case 'scores': {
      const answer = await answerScores(store, data, query.period);
      return [message(answer.table), message(answer.summary, [button('Xuất Excel', `Xuất phụ biểu 02 ${periodVi(query.period)}`)])];
    }
    case 'export': {
      const { attachment, text } = await appendix02Attachment(store, data, query.period);
      return [{ ...message(text), attachments: [attachment] }];
    }
    case 'ambiguous': {
      const shown = query.candidates.slice(0, MAX_CHOICES);
      const more = query.candidates.length - shown.length;
      const text =
        `Tên này khớp với nhiều cơ quan, đơn vị: ${shown.map((a) => a.name).join('; ')}` +
        (more > 0 ? ` và ${more} cơ quan, đơn vị khác; anh/chị gõ tên đầy đủ hơn.` : '. Anh/chị chọn một:');
      return [message(text, shown.map((a) => button(a.shortName, askFor(query.intent, a))))];
    }
    case 'incomplete': {
      if (query.missing === 'period') {
        const phrases = deps.phrases ?? loadAdminPhrases();
        const periods = phrases.periodExamples.map((p) => fill(p, at, data.clock));
        const verb = query.intent === 'export' ? 'Xuất phụ biểu 02' : 'Điểm hỏi đáp';
        const today = data.clock.dayOf(at);
        const sinceNewYear = `từ 01/01/${formatDay(today).slice(0, 4)} đến ${formatDayVi(today)}`;
        return [message(`Anh/chị cần kỳ nào? Ví dụ: ${[...periods, sinceNewYear].join('; ')}.`, periods.map((p) => button(p, `${verb} ${p}`)))];
      }
      if (query.intent === 'overdue') {
        const late = await overdueByAgency(store, data, at);
        if (late.length === 0) return [message(`Không cơ quan, đơn vị nào có câu hỏi quá hạn (lúc ${data.clock.formatDateTimeVi(at)}).`)];
        const shown = late.slice(0, MAX_CHOICES);
        return [
          message(
            `Các cơ quan, đơn vị có câu hỏi quá hạn (lúc ${data.clock.formatDateTimeVi(at)}): ${late.map((l) => `${l.agency.name} (${l.count})`).join('; ')}. Anh/chị chọn một để xem danh sách:`,
            shown.map((l) => button(l.agency.shortName, askFor('overdue', l.agency))),
          ),
        ];
      }
      const examples = ['so-yte', 'h-baothang'].map((c) => data.agencies.get(c)).filter((a): a is Agency => a !== undefined);
      return [message('Anh/chị muốn xem của cơ quan, đơn vị nào? Ví dụ: “Sở Y tế còn bao nhiêu câu chưa trả lời”.', examples.map((a) => button(a.shortName, askFor('pending', a))))];
    }
    case 'exit':
      return [message('Đã kết thúc tra cứu.')];
    case 'unknown':
      return [helpActivity(deps)];
  }
}
