import type { AgencyDirectory } from './agencies';
import type { WorkingCalendar } from './calendar';
import { agenciesNamed, type Channel, type DeleteReason, type LedgerEvent } from './events';
import type { RuleBook, Rules } from './policy';

/**
 * A question's life as a state machine over ledger events. Each (question, agency)
 * assignment is a case with its own deadlines; forwarding ends the case at the
 * sending agency and starts one at the receiving agency.
 */

export type CaseEndReason = DeleteReason | 'forwarded';

export interface CaseState {
  agency: string;
  /** The `assigned` or `forwarded` instant that started the case. */
  start: number;
  acceptDue: number;
  /** Answer deadline before any extension. */
  baseAnswerDue: number;
  /** Answer deadline with the extension, if one was granted in time. */
  answerDue: number;
  accepted?: number;
  extension?: { at: number; days: number; appliedDays: number };
  answered?: number;
  authorized?: boolean;
  /** When the case ended without an answer (deleted, or forwarded away). */
  ended?: number;
  endReason?: CaseEndReason;
}

export type QuestionStatus = 'submitted' | 'assigned' | 'accepted' | 'answered' | 'deleted';

export interface QuestionState {
  id: string;
  submittedAt: number;
  channel: Channel;
  status: QuestionStatus;
  /** The agency whose case is open, or that answered or deleted it last. */
  agency?: string;
  cases: CaseState[];
  rating?: number;
  lastEventAt: number;
  eventCount: number;
}

export interface LifecycleContext {
  calendar: WorkingCalendar;
  /**
   * The rules in force at an instant (data/policy.json and its dated versions). A case's
   * deadlines and its extension cap are those in force when the case starts, whenever
   * its events are recorded or imported.
   */
  rulesAt(instant: number): Rules;
  isKnownAgency(code: string): boolean;
  /** Why no case may start at this agency at this instant (it did not exist then); undefined when one may. */
  cannotStartCaseAt?(code: string, instant: number): string | undefined;
}

/** The context of the province's data: the rules over time, the agencies over time. */
export function lifecycleContext(calendar: WorkingCalendar, rules: RuleBook, agencies: AgencyDirectory): LifecycleContext {
  return {
    calendar,
    rulesAt: (instant) => rules.at(instant),
    isKnownAgency: (code) => agencies.has(code),
    cannotStartCaseAt: (code, instant) => agencies.cannotStartCaseOn(code, calendar.clock.dayOf(instant)),
  };
}

export type ApplyResult = { ok: true; state: QuestionState } | { ok: false; reason: string };

export function openCase(state: QuestionState): CaseState | undefined {
  const last = state.cases[state.cases.length - 1];
  return last && last.answered === undefined && last.ended === undefined ? last : undefined;
}

export function isClosed(state: QuestionState): boolean {
  return state.status === 'answered' || state.status === 'deleted';
}

function fail(reason: string): ApplyResult {
  return { ok: false, reason };
}

function newCase(agency: string, start: number, ctx: LifecycleContext): CaseState {
  const { deadlines } = ctx.rulesAt(start);
  const answerDue = ctx.calendar.deadline(start, deadlines.answerWorkingDays);
  return {
    agency,
    start,
    acceptDue: ctx.calendar.deadline(start, deadlines.acceptWorkingDays),
    baseAnswerDue: answerDue,
    answerDue,
  };
}

/** Applies one event (already shape-checked) at instant `at`; returns the new state or why the event is out of order. */
export function applyEvent(state: QuestionState | undefined, event: LedgerEvent, at: number, ctx: LifecycleContext): ApplyResult {
  for (const code of agenciesNamed(event)) if (!ctx.isKnownAgency(code)) return fail(`unknown agency code "${code}"`);

  if (state === undefined) {
    if (event.type !== 'submitted') return fail(`the first event of question ${event.q} must be "submitted", not "${event.type}"`);
    return {
      ok: true,
      state: { id: event.q, submittedAt: at, channel: event.channel, status: 'submitted', cases: [], lastEventAt: at, eventCount: 1 },
    };
  }

  if (at < state.lastEventAt)
    return fail(`"${event.type}" at ${event.at} is earlier than the question's previous event: events must be in time order`);
  if (event.type === 'submitted') return fail(`question ${event.q} was already submitted`);
  if (isClosed(state) && event.type !== 'rated')
    return fail(`question ${event.q} is already ${state.status}: only "rated" may follow`);

  const cases = state.cases.map((c) => ({ ...c }));
  const next: QuestionState = { ...state, cases, lastEventAt: at, eventCount: state.eventCount + 1 };
  const current = cases.length > 0 && openCase(next) ? cases[cases.length - 1] : undefined;

  switch (event.type) {
    case 'assigned': {
      if (state.cases.length > 0) return fail('"assigned" comes once; later moves are "forwarded"');
      const closed = ctx.cannotStartCaseAt?.(event.agency, at);
      if (closed) return fail(`"assigned" to ${closed}`);
      cases.push(newCase(event.agency, at, ctx));
      next.status = 'assigned';
      next.agency = event.agency;
      return { ok: true, state: next };
    }
    case 'forwarded': {
      if (!current) return fail('"forwarded" needs a current agency: the question has not been assigned');
      if (event.from !== current.agency) return fail(`"forwarded" from "${event.from}" but the question is at "${current.agency}"`);
      if (event.agency === event.from) return fail(`"forwarded" to the agency it is already at ("${event.from}")`);
      const closed = ctx.cannotStartCaseAt?.(event.agency, at);
      if (closed) return fail(`"forwarded" to ${closed}`);
      current.ended = at;
      current.endReason = 'forwarded';
      cases.push(newCase(event.agency, at, ctx));
      next.status = 'assigned';
      next.agency = event.agency;
      return { ok: true, state: next };
    }
    case 'accepted':
    case 'extended':
    case 'answered':
    case 'deleted': {
      if (!current) return fail(`"${event.type}" needs a current agency: the question has not been assigned`);
      if (event.agency !== current.agency) return fail(`"${event.type}" names "${event.agency}" but the question is at "${current.agency}"`);
      if (event.type === 'accepted') {
        if (current.accepted !== undefined) return fail(`"accepted" comes at most once per case; ${current.agency} already accepted it`);
        current.accepted = at;
        next.status = 'accepted';
      } else if (event.type === 'extended') {
        if (current.extension !== undefined) return fail(`"extended" comes at most once per case; ${current.agency} already extended it`);
        // An extension recorded after the deadline has passed moves nothing; the cap is the one in force when the case started.
        const cap = ctx.rulesAt(current.start).deadlines.extension.maxWorkingDays;
        const appliedDays = at <= current.baseAnswerDue ? Math.min(event.days, cap) : 0;
        current.extension = { at, days: event.days, appliedDays };
        if (appliedDays > 0) current.answerDue = ctx.calendar.extendDeadline(current.baseAnswerDue, appliedDays);
      } else if (event.type === 'answered') {
        current.answered = at;
        current.authorized = event.authorized;
        next.status = 'answered';
      } else {
        current.ended = at;
        current.endReason = event.reason;
        next.status = 'deleted';
      }
      return { ok: true, state: next };
    }
    case 'rated': {
      if (state.status !== 'answered') return fail('"rated" needs an answer: the question has not been answered');
      next.rating = event.rating;
      return { ok: true, state: next };
    }
  }
}
