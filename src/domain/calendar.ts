import { LocalClock, parseDay, weekday } from './time';

export type CalendarDayKind = 'off' | 'workday';

export interface CalendarEntry {
  date: string;
  kind: CalendarDayKind;
  name: string;
  status?: string;
}

/**
 * Vietnamese working days: Monday to Friday, minus the days off of the official
 * calendar, plus the Saturdays worked in exchange (làm bù). Deadlines follow the
 * Civil Code (art. 147): the day of the event is not counted.
 */
export class WorkingCalendar {
  private readonly daysOff = new Set<number>();
  private readonly extraWorkdays = new Set<number>();
  private readonly names = new Map<number, string>();

  constructor(entries: readonly CalendarEntry[], readonly clock: LocalClock) {
    for (const entry of entries) {
      const day = parseDay(entry.date);
      if (day === undefined) throw new Error(`invalid calendar date ${entry.date}`);
      (entry.kind === 'off' ? this.daysOff : this.extraWorkdays).add(day);
      this.names.set(day, entry.name);
    }
  }

  isWorkingDay(day: number): boolean {
    if (this.daysOff.has(day)) return false;
    if (this.extraWorkdays.has(day)) return true;
    const wd = weekday(day);
    return wd !== 0 && wd !== 6;
  }

  /** Name of the holiday or make-up day, if the calendar lists one. */
  dayName(day: number): string | undefined {
    return this.names.get(day);
  }

  /** The day of the n-th working day strictly after `day`. */
  addWorkingDays(day: number, n: number): number {
    let d = day;
    let counted = 0;
    while (counted < n) {
      d += 1;
      if (this.isWorkingDay(d)) counted += 1;
    }
    return d;
  }

  /** End (23:59:59.999 local) of the n-th working day after the day of `instant`. */
  deadline(instant: number, workingDays: number): number {
    return this.clock.endOfDay(this.addWorkingDays(this.clock.dayOf(instant), workingDays));
  }

  /** Moves a deadline (an end of day) by n working days. */
  extendDeadline(deadline: number, workingDays: number): number {
    return this.deadline(deadline, workingDays);
  }

  /** Working days in (day of `from`, day of `to`]: how many working days `to` is past `from`. */
  workingDaysBetween(from: number, to: number): number {
    const first = this.clock.dayOf(from);
    const last = this.clock.dayOf(to);
    let count = 0;
    for (let d = first + 1; d <= last; d += 1) if (this.isWorkingDay(d)) count += 1;
    return count;
  }
}
