import { ActionTypes, MessageFactory, type Activity, type Attachment, type CardAction } from 'botbuilder';
import { fill, STAFF_TEXTS } from '../bot/texts';

/** The admin's answers in chat (data/texts/vi.json, staff.admin). */
const A = STAFF_TEXTS.admin;
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
import { escapeMarkdown } from './format';
import { loadAdminPhrases, type AdminIntent, type AdminPhrases, type AdminQuery, type PendingStatus, type Qualifiers } from './query';

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
  return fill(A.period, { from: formatDayVi(period.fromDay), to: formatDayVi(period.toDay) });
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
  return fill(A.overdue.line, {
    index,
    q: o.q,
    start: clock.formatDateVi(o.case.start),
    status: accepted ? A.overdue.accepted : A.overdue.notAccepted,
    what: STAFF_TEXTS.deadline[o.overdue.deadline],
    days: o.overdue.workingDaysOverdue,
    due: clock.formatDateVi(o.overdue.due),
    text: citizenExcerpt(o.text),
  });
}

/** Whether a case was received in the period (local days, inclusive); every case when there is none. */
function receivedIn(start: number, received: Period | null | undefined, clock: LocalClock): boolean {
  if (!received) return true;
  const d = clock.dayOf(start);
  return d >= received.fromDay && d <= received.toDay;
}

/** "lúc 25/09/2023 17:00", or ", nhận từ 01/07/2023 đến 30/09/2023" after it when only questions received in a period count. */
function whenText(at: number, clock: LocalClock, received?: Period | null): string {
  return fill(A.when.at, { at: clock.formatDateTimeVi(at), received: received ? fill(A.when.received, { period: periodVi(received) }) : '' });
}

/**
 * An agency's overdue questions at `at`, through overdueQuestions (the same query as
 * the CLI's `overdue`), optionally only those received in a period.
 */
export async function answerOverdue(store: LedgerStore, data: ProvinceData, agency: Agency, at: number, limit = OVERDUE_LIST_LIMIT, received: Period | null = null): Promise<OverdueAnswer> {
  const { clock } = data;
  const questions = (await overdueQuestions(store, data, agency, at)).filter((o) => receivedIn(o.case.start, received, clock));
  const when = whenText(at, clock, received);
  if (questions.length === 0) return { agency, at, questions, text: fill(A.overdue.none, { agency: agency.name, when }) };
  const lines = [fill(A.overdue.heading, { agency: agency.name, count: questions.length, when })];
  questions.slice(0, limit).forEach((o, i) => lines.push(overdueLine(o, at, clock, i + 1)));
  if (questions.length > limit) lines.push(fill(A.overdue.more, { count: questions.length - limit }));
  return { agency, at, questions, text: lines.join('\n') };
}

/** Agencies with overdue questions at `at`, the most first (for "câu hỏi quá hạn" with no agency named). */
export async function overdueByAgency(store: LedgerStore, data: ProvinceData, at: number, received: Period | null = null): Promise<Array<{ agency: Agency; count: number }>> {
  const out: Array<{ agency: Agency; count: number }> = [];
  for (const agency of data.agencies.inReportOrder()) {
    const count = (await overdueQuestions(store, data, agency, at)).filter((o) => receivedIn(o.case.start, received, data.clock)).length;
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

/** The agency's open cases at `at` (received in `received` if given), judged the way Phụ biểu 02 and the overdue list judge them. */
export async function pendingCounts(store: LedgerStore, data: ProvinceData, agency: Agency, at: number, received: Period | null = null): Promise<PendingCounts> {
  return (await pendingByAgency(store, data, at, received, [agency]))[0];
}

/** Open cases per agency at `at`, in one pass over the store; the agencies in report order unless given. */
export async function pendingByAgency(store: LedgerStore, data: ProvinceData, at: number, received: Period | null = null, agencies = data.agencies.inReportOrder()): Promise<PendingCounts[]> {
  const byCode = new Map(agencies.map((agency) => [agency.code, { agency, at, awaitingAcceptance: 0, awaitingAnswer: 0, awaitingAcceptanceOverdue: 0, awaitingAnswerOverdue: 0 } as PendingCounts]));
  for (const c of await store.casesStartingBetween(0, at)) {
    const counts = byCode.get(c.agency);
    if (!counts || !receivedIn(c.start, received, data.clock)) continue;
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
  return [...byCode.values()];
}

// The same words as every other staff view (data/texts/vi.json): awaiting acceptance is an assigned question, awaiting an answer an accepted one.
const STATUS_VI: Record<PendingStatus, string> = { awaiting_acceptance: STAFF_TEXTS.questionStatus.assigned, awaiting_answer: STAFF_TEXTS.questionStatus.accepted };

/** The counts in Vietnamese; with a status, only the questions of that kind. `name` is who they are of (an agency, or every agency). */
export function pendingText(counts: Omit<PendingCounts, 'agency'> & { agency: Agency | null }, clock: LocalClock, status: PendingStatus | null = null, received: Period | null = null): string {
  const when = whenText(counts.at, clock, received);
  const who = counts.agency ? `**${counts.agency.name}**` : A.pending.everyone;
  const overdue = (n: number) => (n > 0 ? fill(A.pending.ofWhichOverdue, { count: n }) : '');
  if (status !== null) {
    const [n, late] = status === 'awaiting_acceptance' ? [counts.awaitingAcceptance, counts.awaitingAcceptanceOverdue] : [counts.awaitingAnswer, counts.awaitingAnswerOverdue];
    return n === 0 ? fill(A.pending.noneOfStatus, { who, status: STATUS_VI[status], when }) : fill(A.pending.ofStatus, { who, count: n, status: STATUS_VI[status], overdue: overdue(late), when });
  }
  const total = counts.awaitingAcceptance + counts.awaitingAnswer;
  if (total === 0) return fill(A.pending.none, { who, when });
  return [
    fill(A.pending.heading, { who, count: total, when }),
    `- ${STATUS_VI.awaiting_acceptance}: ${counts.awaitingAcceptance}${overdue(counts.awaitingAcceptanceOverdue)};`,
    `- ${STATUS_VI.awaiting_answer}: ${counts.awaitingAnswer}${overdue(counts.awaitingAnswerOverdue)}.`,
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
    fill(A.scores.title, { period: periodVi(period) }),
    '',
    `| ${A.scores.columns.agency} | ${A.scores.columns.total} | ${A.scores.columns.answered} | ${A.scores.columns.score} |`,
    '| --- | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${tableCell(data.agencies.get(r.agency)?.shortName ?? r.name)} | ${r.total} | ${r.answered} | ${r.score} |`),
    `| **${A.scores.totals}** | **${totals.total}** | **${totals.answered}** | |`,
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
  const text = fill(A.export.text, { period: periodVi(period), total: totals.total, answered: totals.answered, deleted: totals.deleted });
  return { report, attachment, text };
}

// ---- Help and the chat answer to a parsed query ------------------------------

function fillDate(template: string, now: number, clock: LocalClock): string {
  const today = formatDay(clock.dayOf(now));
  const month = Number(today.slice(5, 7));
  return template.replace(/\{year\}/g, today.slice(0, 4)).replace(/\{quarter\}/g, String(Math.ceil(month / 3))).replace(/\{month\}/g, String(month));
}

/** The example queries (with this year and quarter), as they appear on the help buttons. */
export function adminExamples(deps: Pick<AdminDeps, 'data' | 'now' | 'phrases'>): Array<{ title: string; text: string }> {
  const phrases = deps.phrases ?? loadAdminPhrases();
  const now = deps.now();
  return phrases.examples.map((e) => ({ title: fillDate(e.title, now, deps.data.clock), text: fillDate(e.text, now, deps.data.clock) }));
}

export const HELP_TEXT = A.help.text;

export function helpActivity(deps: Pick<AdminDeps, 'data' | 'now' | 'phrases'>, lead: string = A.help.notUnderstood): Partial<Activity> {
  return message(`${lead}\n${HELP_TEXT}`, adminExamples(deps).map((e) => button(e.title, e.text)));
}

const MAX_CHOICES = 8;

/**
 * A message that asks for `intent` with these qualifiers, which the parser reads back
 * the same (for the buttons: choosing an agency keeps the date, period and status asked).
 */
export function requestText(intent: AdminIntent, q: Pick<Qualifiers, 'agency' | 'period' | 'atDay' | 'status'>): string {
  const Q = A.request;
  const of = q.agency ? fill(Q.ofAgency, { agency: q.agency.name }) : Q.ofAll;
  const at = q.atDay !== null ? fill(Q.at, { day: formatDayVi(q.atDay) }) : '';
  const received = q.period ? fill(Q.received, { period: periodVi(q.period) }) : '';
  const period = q.period ? ` ${periodVi(q.period)}` : '';
  switch (intent) {
    case 'overdue':
      return fill(Q.overdue, { of, at, received });
    case 'pending':
      return fill(Q.pending, { status: q.status ? STATUS_VI[q.status].replace(',', '') : Q.unanswered, of, at, received });
    case 'scores':
      return fill(Q.scores, { of, period });
    case 'export':
      return fill(Q.export, { period });
  }
}

/** What the parser understood, in Vietnamese: "câu hỏi quá hạn của UBND huyện Bảo Thắng, tính đến hết ngày 25/09/2023". */
export function understoodText(query: AdminQuery, now: number, clock: LocalClock): string {
  if (query.kind === 'exit' || query.kind === 'unknown') return '';
  const intent = query.kind === 'ambiguous' || query.kind === 'incomplete' ? query.intent : query.kind;
  const parts: string[] = [];
  const U = A.understood;
  const what = U.what[intent];
  const status = intent === 'pending' && query.status ? fill(U.onlyStatus, { status: STATUS_VI[query.status] }) : '';
  const who =
    query.kind === 'ambiguous' ? fill(U.oneOf, { agencies: query.candidates.map((a) => a.name).join('; ') }) : query.agency ? fill(U.ofAgency, { agency: query.agency.name }) : U.ofEveryone;
  parts.push(`${what}${status}${intent === 'export' && !query.agency ? '' : who}`);
  if (intent === 'overdue' || intent === 'pending') {
    const today = clock.dayOf(now);
    if (query.atDay === null || query.atDay === today) parts.push(fill(U.now, { now: clock.formatDateTimeVi(now) }));
    // A day still to come cannot be judged yet: said, rather than a list of questions not yet overdue.
    else if (query.atDay > today) parts.push(fill(U.dayToCome, { day: formatDayVi(query.atDay), now: clock.formatDateTimeVi(now) }));
    else parts.push(fill(U.endOfDay, { day: formatDayVi(query.atDay) }));
    if (query.period) parts.push(fill(U.received, { period: periodVi(query.period) }));
  } else parts.push(query.period ? fill(U.period, { period: periodVi(query.period) }) : U.noPeriod);
  if (query.requester) parts.push(fill(U.notRequester, { agency: query.requester.name }));
  return parts.join(', ');
}

/** The first line of a reply: what was understood, and before it anything that was not ("Tôi chưa hiểu '...'; đang hiểu là ..."). */
export function understoodLine(query: AdminQuery, now: number, clock: LocalClock): string {
  const understood = understoodText(query, now, clock);
  if (query.kind === 'exit' || query.kind === 'unknown' || !understood) return '';
  if (query.notUnderstood.length === 0) return fill(A.understood.line, { understood });
  return fill(A.understood.lineWithUnknown, { words: query.notUnderstood.map((w) => `'${escapeMarkdown(w)}'`).join(', '), understood });
}

/** The instant a query is judged at: the end of its as-of day, never later than now (a day to come is judged now). */
function judgedAt(q: Qualifiers, now: number, clock: LocalClock): number {
  return q.atDay === null ? now : Math.min(clock.endOfDay(q.atDay), now);
}

/** The reply to a parsed query: one or more messages, in order; the first starts with what was understood. */
export async function answerQuery(query: AdminQuery, deps: AdminDeps): Promise<Array<Partial<Activity>>> {
  const now = deps.now();
  const replies = await answerBody(query, deps, now);
  const line = understoodLine(query, now, deps.data.clock);
  if (line && replies.length > 0) replies[0] = { ...replies[0], text: `${line}\n${replies[0].text ?? ''}` };
  return replies;
}

async function answerBody(query: AdminQuery, deps: AdminDeps, now: number): Promise<Array<Partial<Activity>>> {
  const { data, store } = deps;
  const { clock } = data;
  switch (query.kind) {
    case 'overdue': {
      const at = judgedAt(query, now, clock);
      if (query.agency) return [message((await answerOverdue(store, data, query.agency, at, OVERDUE_LIST_LIMIT, query.period)).text)];
      const late = await overdueByAgency(store, data, at, query.period);
      const when = whenText(at, clock, query.period);
      if (late.length === 0) return [message(fill(A.overdue.noneAnywhere, { when }))];
      const total = late.reduce((n, l) => n + l.count, 0);
      return [
        message(
          fill(A.overdue.byAgency, { count: total, agencies: late.length, when, list: late.map((l) => `${l.agency.name} (${l.count})`).join('; ') }),
          late.slice(0, MAX_CHOICES).map((l) => button(l.agency.shortName, requestText('overdue', { ...query, agency: l.agency }))),
        ),
      ];
    }
    case 'pending': {
      const at = judgedAt(query, now, clock);
      if (query.agency) {
        const counts = await pendingCounts(store, data, query.agency, at, query.period);
        const overdue = counts.awaitingAcceptanceOverdue + counts.awaitingAnswerOverdue;
        const actions = overdue > 0 ? [button(A.buttons.seeOverdue, requestText('overdue', query))] : undefined;
        return [message(pendingText(counts, clock, query.status, query.period), actions)];
      }
      const all = await pendingByAgency(store, data, at, query.period);
      const sum = (f: (c: PendingCounts) => number) => all.reduce((n, c) => n + f(c), 0);
      const totals = {
        agency: null,
        at,
        awaitingAcceptance: sum((c) => c.awaitingAcceptance),
        awaitingAnswer: sum((c) => c.awaitingAnswer),
        awaitingAcceptanceOverdue: sum((c) => c.awaitingAcceptanceOverdue),
        awaitingAnswerOverdue: sum((c) => c.awaitingAnswerOverdue),
      };
      const of = (c: PendingCounts) => (query.status === 'awaiting_acceptance' ? c.awaitingAcceptance : query.status === 'awaiting_answer' ? c.awaitingAnswer : c.awaitingAcceptance + c.awaitingAnswer);
      const most = all.filter((c) => of(c) > 0).sort((a, b) => of(b) - of(a));
      const lines = [pendingText(totals, clock, query.status, query.period)];
      if (most.length > 0) lines.push(fill(A.pending.byAgency, { list: most.map((c) => `${c.agency.name} (${of(c)})`).join('; ') }));
      return [message(lines.join('\n'), most.slice(0, MAX_CHOICES).map((c) => button(c.agency.shortName, requestText('pending', { ...query, agency: c.agency }))))];
    }
    case 'scores': {
      const answer = await answerScores(store, data, query.period);
      const exportButton = button(A.buttons.export, requestText('export', { ...query, agency: null }));
      if (query.agency) return [message(agencyScoreText(answer.report, query.agency, query.period), [exportButton, button(A.buttons.allScores, requestText('scores', { ...query, agency: null }))])];
      return [message(answer.table), message(answer.summary, [exportButton])];
    }
    case 'export': {
      const { report, attachment, text } = await appendix02Attachment(store, data, query.period);
      const row = query.agency ? report.table.rows.find((r) => r.agency === query.agency?.code) : undefined;
      const note = query.agency ? `\n${row ? fill(A.export.row, { agency: query.agency.name, row: row.row }) : fill(A.export.notInReport, { agency: query.agency.name })}` : '';
      return [{ ...message(text + note), attachments: [attachment] }];
    }
    case 'ambiguous': {
      const shown = query.candidates.slice(0, MAX_CHOICES);
      const more = query.candidates.length - shown.length;
      const text =
        fill(A.ambiguous.text, { agencies: shown.map((a) => a.name).join('; ') }) + (more > 0 ? fill(A.ambiguous.more, { count: more }) : A.ambiguous.choose);
      return [message(text, shown.map((a) => button(a.shortName, requestText(query.intent, { ...query, agency: a }))))];
    }
    case 'incomplete': {
      const phrases = deps.phrases ?? loadAdminPhrases();
      const periods = phrases.periodExamples.map((p) => fillDate(p, now, clock));
      const Q = A.request;
      const verb = query.intent === 'export' ? fill(Q.export, { period: '' }) : fill(Q.scores, { of: query.agency ? fill(Q.ofAgency, { agency: query.agency.name }) : '', period: '' });
      const today = clock.dayOf(now);
      const sinceNewYear = fill(A.period, { from: `01/01/${formatDay(today).slice(0, 4)}`, to: formatDayVi(today) });
      return [message(fill(A.incomplete, { examples: [...periods, sinceNewYear].join('; ') }), periods.map((p) => button(p, `${verb} ${p}`)))];
    }
    case 'exit':
      return [message(A.exit)];
    case 'unknown':
      // Asked to do something ("nhắc nhở Sở Y tế"), the bot says it cannot rather than answer a query nobody asked.
      if (query.unsupported.length > 0) return [helpActivity(deps, fill(A.unsupported, { words: query.unsupported.map((w) => `'${escapeMarkdown(w)}'`).join(', ') }))];
      return [helpActivity(deps)];
  }
}

/** One agency's line of Phụ biểu 02, with its rank among the scored agencies. */
function agencyScoreText(report: Appendix02Report, agency: Agency, period: Period): string {
  const { rows } = report.table;
  const row = rows.find((r) => r.agency === agency.code);
  const S = A.agencyScore;
  const title = fill(S.title, { agency: agency.name, period: periodVi(period) });
  if (!row) return `${title}\n${fill(S.notScored, { agency: agency.name })}`;
  const rank = 1 + rows.filter((r) => r.score > row.score).length;
  return [
    title,
    fill(S.score, { score: row.score, rank, of: rows.length }),
    fill(S.counts, { total: row.total, answered: row.answered, awaitingAcceptance: row.awaitingAcceptance, awaitingAnswer: row.awaitingAnswer, deleted: row.deleted }),
  ].join('\n');
}
