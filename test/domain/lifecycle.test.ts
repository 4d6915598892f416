import { caseAtCutoff, overdueAt } from '../../src/domain/cases';
import { parseEvent, type LedgerEvent } from '../../src/domain/events';
import { applyEvent, lifecycleContext, type LifecycleContext, type QuestionState } from '../../src/domain/lifecycle';
import { buildAppendix02 } from '../../src/domain/report';
import { formatDay } from '../../src/domain/time';
import { day, instant, local, province } from '../helpers/province';

const data = province();
const ctx: LifecycleContext = lifecycleContext(data.calendar, data.rules, data.agencies);

function event(fields: Record<string, unknown>): LedgerEvent {
  const parsed = parseEvent({ q: 'HD-2024-000001', ...fields });
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.event;
}

/** Applies events in order; throws on the first rejection. */
function life(...events: Array<Record<string, unknown>>): QuestionState {
  let state: QuestionState | undefined;
  for (const fields of events) {
    const e = event(fields);
    const result = applyEvent(state, e, instant(e.at), ctx);
    if (!result.ok) throw new Error(result.reason);
    state = result.state;
  }
  return state as QuestionState;
}

function rejection(events: Array<Record<string, unknown>>, last: Record<string, unknown>): string {
  const state = life(...events);
  const e = event(last);
  const result = applyEvent(state, e, instant(e.at), ctx);
  if (result.ok) throw new Error('expected a rejection');
  return result.reason;
}

const submitted = { type: 'submitted', at: '2024-02-07T09:00:00+07:00', channel: 'zalo', text: 'Xin hỏi thủ tục cấp lại sổ đỏ' };
const assigned = { type: 'assigned', at: '2024-02-07T09:05:00+07:00', agency: 'h-baothang', by: 'bot' };
const dueDay = (ms: number) => formatDay(data.clock.dayOf(ms));

describe('the question lifecycle', () => {
  test('assignment starts the acceptance and answer deadlines, counted across Tết 2024', () => {
    const s = life(submitted, assigned);
    expect(s.status).toBe('assigned');
    expect(dueDay(s.cases[0].acceptDue)).toBe('2024-02-16');
    expect(dueDay(s.cases[0].answerDue)).toBe('2024-02-28');
  });

  test('an answer at 23:59 on the deadline day is on time; at 00:01 the next day it is late', () => {
    const base = life(submitted, assigned, { type: 'accepted', at: '2024-02-15T08:00:00+07:00', agency: 'h-baothang' });
    const answer = (at: string) => {
      const e = event({ type: 'answered', at, agency: 'h-baothang', authorized: true, text: 'Trả lời' });
      const r = applyEvent(base, e, instant(e.at), ctx);
      if (!r.ok) throw new Error(r.reason);
      return caseAtCutoff(r.state.cases[0], instant('2024-03-31T00:00:00+07:00'));
    };
    expect(answer('2024-02-28T23:59:00+07:00')).toMatchObject({ status: 'answered', late: false });
    expect(answer('2024-02-29T00:01:00+07:00')).toMatchObject({ status: 'answered', answerLate: true, late: true });
  });

  test('acceptance at 23:59 on its deadline day is on time, at 00:01 the day after it is late', () => {
    const accept = (at: string) =>
      caseAtCutoff(life(submitted, assigned, { type: 'accepted', at, agency: 'h-baothang' }).cases[0], instant('2024-02-20T12:00:00+07:00'));
    expect(accept('2024-02-16T23:59:00+07:00').acceptLate).toBe(false);
    expect(accept('2024-02-17T00:01:00+07:00').acceptLate).toBe(true);
  });

  test('an extension before the deadline moves it by its days, capped at 5 working days', () => {
    const s = life(submitted, assigned, { type: 'accepted', at: '2024-02-15T08:00:00+07:00', agency: 'h-baothang' }, {
      type: 'extended', at: '2024-02-27T10:00:00+07:00', agency: 'h-baothang', days: 8, reason: 'Cần xác minh thực địa',
    });
    expect(s.cases[0].extension).toMatchObject({ days: 8, appliedDays: 5 });
    expect(dueDay(s.cases[0].answerDue)).toBe('2024-03-06');
  });

  test('an extension recorded after the deadline has passed moves nothing', () => {
    const s = life(submitted, assigned, { type: 'extended', at: '2024-02-29T08:00:00+07:00', agency: 'h-baothang', days: 3, reason: 'Muộn' });
    expect(s.cases[0].extension).toMatchObject({ appliedDays: 0 });
    expect(dueDay(s.cases[0].answerDue)).toBe('2024-02-28');
  });

  test('a second extension of the same case is refused', () => {
    const first = { type: 'extended', at: '2024-02-20T10:00:00+07:00', agency: 'h-baothang', days: 2, reason: 'Xác minh' };
    expect(rejection([submitted, assigned, first], { ...first, at: '2024-02-21T10:00:00+07:00' })).toMatch(/at most once per case/);
  });

  test('forwarding ends the case at the sender as "forwarded" and starts a new case with fresh deadlines', () => {
    const s = life(submitted, assigned, {
      type: 'forwarded', at: '2024-02-20T15:00:00+07:00', from: 'h-baothang', agency: 'so-tnmt', reason: 'Thuộc thẩm quyền của Sở',
    }, { type: 'accepted', at: '2024-02-21T08:00:00+07:00', agency: 'so-tnmt' });
    expect(s.agency).toBe('so-tnmt');
    expect(s.cases).toHaveLength(2);
    expect(s.cases[0]).toMatchObject({ agency: 'h-baothang', endReason: 'forwarded' });
    expect(s.cases[1]).toMatchObject({ agency: 'so-tnmt', start: instant('2024-02-20T15:00:00+07:00') });
    expect(dueDay(s.cases[1].acceptDue)).toBe('2024-02-22');
    const table = buildAppendix02(s.cases.map((c) => ({ ...c, q: s.id })), { fromDay: day('2024-02-01'), toDay: day('2024-02-29') }, data.agencies, data.clock, data.rules);
    expect(table.rows.find((r) => r.agency === 'h-baothang')).toMatchObject({ total: 1, deleted: 1, score: 15, basis: 'no_eligible' });
    expect(table.rows.find((r) => r.agency === 'so-tnmt')).toMatchObject({ total: 1, awaitingAnswer: 1 });
  });

  test('the forwarder must be the current agency', () => {
    expect(rejection([submitted, assigned], { type: 'forwarded', at: '2024-02-20T15:00:00+07:00', from: 'so-yte', agency: 'so-tnmt' })).toMatch(
      /from "so-yte" but the question is at "h-baothang"/,
    );
  });

  test('a cut-off that falls before the answer sees the case as still waiting, and late when its deadline passed', () => {
    const s = life(submitted, assigned, { type: 'accepted', at: '2024-02-15T08:00:00+07:00', agency: 'h-baothang' }, {
      type: 'answered', at: '2024-03-04T10:00:00+07:00', agency: 'h-baothang', authorized: true, text: 'Trả lời',
    });
    expect(caseAtCutoff(s.cases[0], data.clock.endOfDay(day('2024-02-28')))).toMatchObject({ status: 'awaiting_answer', late: false });
    expect(caseAtCutoff(s.cases[0], data.clock.endOfDay(day('2024-02-29')))).toMatchObject({ status: 'awaiting_answer', late: true });
    expect(caseAtCutoff(s.cases[0], data.clock.endOfDay(day('2024-03-04')))).toMatchObject({ status: 'answered', late: true });
  });

  test('an answer with no acceptance counts as accepted when answered', () => {
    const s = life(submitted, assigned, { type: 'answered', at: '2024-02-16T10:00:00+07:00', agency: 'h-baothang', authorized: true, text: 'Trả lời' });
    expect(caseAtCutoff(s.cases[0], instant('2024-03-31T00:00:00+07:00'))).toMatchObject({ acceptLate: false, late: false });
  });

  test('overdue: past the acceptance deadline first, then the answer deadline, in working days', () => {
    const s = life(submitted, assigned);
    expect(overdueAt(s.cases[0], instant('2024-02-16T17:00:00+07:00'), data.calendar)).toBeUndefined();
    expect(overdueAt(s.cases[0], instant('2024-02-19T00:01:00+07:00'), data.calendar)).toMatchObject({ deadline: 'accept', workingDaysOverdue: 1 });
    const late = overdueAt(s.cases[0], instant('2024-03-05T09:00:00+07:00'), data.calendar);
    expect(late).toMatchObject({ deadline: 'answer', workingDaysOverdue: 4 });
    expect(local(late!.due)).toBe('2024-02-28T23:59:59.999+07:00');
  });

  test.each([
    [[], { type: 'accepted', at: '2024-02-07T10:00:00+07:00', agency: 'h-baothang' }, /needs a current agency/],
    [[assigned], { ...assigned, at: '2024-02-08T10:00:00+07:00' }, /"assigned" comes once/],
    [[assigned], { type: 'accepted', at: '2024-02-15T10:00:00+07:00', agency: 'so-yte' }, /names "so-yte" but the question is at "h-baothang"/],
    [[assigned], { type: 'rated', at: '2024-02-15T10:00:00+07:00', rating: 5 }, /needs an answer/],
    [[assigned], { type: 'accepted', at: '2024-02-07T09:01:00+07:00', agency: 'h-baothang' }, /earlier than the question's previous event/],
    [[assigned, { type: 'deleted', at: '2024-02-08T10:00:00+07:00', agency: 'h-baothang', reason: 'duplicate' }],
      { type: 'accepted', at: '2024-02-15T10:00:00+07:00', agency: 'h-baothang' }, /already deleted: only "rated" may follow/],
    [[assigned], { type: 'accepted', at: '2024-02-15T10:00:00+07:00', agency: 'so-khong-co' }, /unknown agency code "so-khong-co"/],
  ])('refuses events out of order (%#)', (before, last, reason) => {
    expect(rejection([submitted, ...(before as Array<Record<string, unknown>>)], last as Record<string, unknown>)).toMatch(reason as RegExp);
  });
});
