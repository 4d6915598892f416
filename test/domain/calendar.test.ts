import { formatDay } from '../../src/domain/time';
import { day, instant, local, province } from '../helpers/province';

const { calendar, clock } = province();

/** The local day (YYYY-MM-DD) of the deadline N working days after an event. */
function deadlineDay(eventIso: string, n: number): string {
  const due = calendar.deadline(instant(eventIso), n);
  expect(local(due).slice(10)).toBe('T23:59:59.999+07:00');
  return formatDay(clock.dayOf(due));
}

describe('working days', () => {
  test('weekdays work, weekends rest', () => {
    expect(calendar.isWorkingDay(day('2023-05-26'))).toBe(true); // Friday
    expect(calendar.isWorkingDay(day('2023-05-27'))).toBe(false); // Saturday
    expect(calendar.isWorkingDay(day('2023-05-28'))).toBe(false); // Sunday
  });

  test.each([
    ['2024-02-08'], ['2024-02-09'], ['2024-02-12'], ['2024-02-13'], ['2024-02-14'],
    ['2025-01-27'], ['2025-01-31'],
    ['2026-02-16'], ['2026-02-20'],
    ['2023-09-01'], ['2023-09-04'],
  ])('%s is a day off', (d) => {
    expect(calendar.isWorkingDay(day(d))).toBe(false);
  });

  test.each([['2024-05-04'], ['2025-04-26'], ['2026-01-10'], ['2026-08-22']])('Saturday %s is worked in exchange (làm bù)', (d) => {
    expect(calendar.isWorkingDay(day(d))).toBe(true);
    expect(calendar.dayName(day(d))).toMatch(/Làm bù/);
  });
});

describe('deadlines: the day of the event is not counted', () => {
  test('2 working days from a Wednesday end on Friday at 23:59:59.999', () => {
    expect(deadlineDay('2023-05-24T09:12:00+07:00', 2)).toBe('2023-05-26');
  });

  test('Tết 2024: a question of Wednesday 7/2 is due for acceptance on 16/2', () => {
    expect(deadlineDay('2024-02-07T10:00:00+07:00', 1)).toBe('2024-02-15');
    expect(deadlineDay('2024-02-07T10:00:00+07:00', 2)).toBe('2024-02-16');
  });

  test('Tết 2025: a question of Friday 24/1 counts from Monday 3/2', () => {
    expect(deadlineDay('2025-01-24T16:00:00+07:00', 1)).toBe('2025-02-03');
    expect(deadlineDay('2025-01-24T16:00:00+07:00', 10)).toBe('2025-02-14');
  });

  test('Tết 2026: a question of Friday 13/2 counts from Monday 23/2', () => {
    expect(deadlineDay('2026-02-13T08:00:00+07:00', 2)).toBe('2026-02-24');
  });

  test('make-up Saturdays count as working days', () => {
    expect(deadlineDay('2024-05-03T09:00:00+07:00', 1)).toBe('2024-05-04');
    expect(deadlineDay('2024-04-26T09:00:00+07:00', 2)).toBe('2024-05-03'); // 29/4–1/5 off, 2/5 and 3/5 count
    expect(deadlineDay('2025-04-25T09:00:00+07:00', 1)).toBe('2025-04-26');
    expect(deadlineDay('2025-04-25T09:00:00+07:00', 2)).toBe('2025-04-28');
    expect(deadlineDay('2026-01-09T09:00:00+07:00', 1)).toBe('2026-01-10');
    expect(deadlineDay('2025-12-31T09:00:00+07:00', 1)).toBe('2026-01-05'); // 1/1 and 2/1/2026 off
    expect(deadlineDay('2026-08-21T09:00:00+07:00', 1)).toBe('2026-08-22');
    expect(deadlineDay('2026-08-28T09:00:00+07:00', 1)).toBe('2026-09-03'); // 31/8–2/9 off
  });

  test('an event on a weekend or a holiday counts from the next working day as day 1', () => {
    expect(deadlineDay('2023-05-27T21:00:00+07:00', 1)).toBe('2023-05-29');
    expect(deadlineDay('2023-05-28T07:00:00+07:00', 2)).toBe('2023-05-30');
    expect(deadlineDay('2023-09-01T10:00:00+07:00', 1)).toBe('2023-09-05');
    expect(deadlineDay('2023-09-02T10:00:00+07:00', 2)).toBe('2023-09-06');
  });

  test('the local day decides, not the UTC day: 23:30 local on Friday is still Friday', () => {
    // 2023-05-26T23:30+07:00 is 16:30Z on Friday; 2023-05-26T18:00Z is already Saturday in Vietnam.
    expect(deadlineDay('2023-05-26T23:30:00+07:00', 1)).toBe('2023-05-29');
    expect(deadlineDay('2023-05-26T18:00:00Z', 1)).toBe('2023-05-29');
    expect(deadlineDay('2023-05-25T16:59:00Z', 1)).toBe('2023-05-26'); // 23:59 Thursday local
  });

  test('working days overdue count the working days after the deadline day', () => {
    const due = calendar.deadline(instant('2023-09-14T09:00:00+07:00'), 2); // Monday 18/9
    expect(calendar.workingDaysBetween(due, instant('2023-09-18T23:00:00+07:00'))).toBe(0);
    expect(calendar.workingDaysBetween(due, instant('2023-09-19T00:01:00+07:00'))).toBe(1);
    expect(calendar.workingDaysBetween(due, instant('2023-09-25T17:00:00+07:00'))).toBe(5);
  });
});
