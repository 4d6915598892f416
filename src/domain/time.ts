/**
 * Instants are epoch milliseconds; a "day" is a local calendar day numbered from
 * 1970-01-01 (day 0) at the policy's fixed UTC offset. Vietnam has had no daylight
 * saving since 1975, so a fixed offset is exact for Asia/Ho_Chi_Minh.
 */
export const MS_PER_DAY = 86_400_000;

const ISO_WITH_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/;

/** Parses an ISO 8601 instant that carries an offset (or Z); returns undefined otherwise. */
export function parseInstant(text: string): number | undefined {
  const m = ISO_WITH_OFFSET.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = '0', frac = '0', zone] = m;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  let utc = Date.UTC(Number(y), month - 1, day, hour, minute, second, ms);
  // Reject dates such as 2023-02-30 that Date.UTC silently rolls over.
  if (new Date(utc).getUTCDate() !== day) return undefined;
  if (zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const offsetMinutes = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
    utc -= offsetMinutes * 60_000;
  }
  return utc;
}

export function hasOffset(text: string): boolean {
  return /(Z|[+-]\d{2}:\d{2})$/.test(text);
}

/** Parses YYYY-MM-DD into a day number, or undefined when it is not a real date. */
export function parseDay(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const utc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (new Date(utc).toISOString().slice(0, 10) !== text) return undefined;
  return utc / MS_PER_DAY;
}

export function formatDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** dd/mm/yyyy, the way Vietnamese documents write dates. */
export function formatDayVi(day: number): string {
  const [y, m, d] = formatDay(day).split('-');
  return `${d}/${m}/${y}`;
}

/** 0 = Sunday ... 6 = Saturday. */
export function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

export class LocalClock {
  private readonly offsetMs: number;

  constructor(readonly offsetMinutes: number) {
    this.offsetMs = offsetMinutes * 60_000;
  }

  dayOf(instant: number): number {
    return Math.floor((instant + this.offsetMs) / MS_PER_DAY);
  }

  startOfDay(day: number): number {
    return day * MS_PER_DAY - this.offsetMs;
  }

  /** The last millisecond of the local day (23:59:59.999). */
  endOfDay(day: number): number {
    return (day + 1) * MS_PER_DAY - this.offsetMs - 1;
  }

  /** ISO 8601 with the local offset, e.g. 2023-05-24T09:12:00.000+07:00. */
  format(instant: number): string {
    const local = new Date(instant + this.offsetMs).toISOString().slice(0, 23);
    return local + this.offsetSuffix();
  }

  /** dd/mm/yyyy of the instant's local day. */
  formatDateVi(instant: number): string {
    return formatDayVi(this.dayOf(instant));
  }

  /** dd/mm/yyyy HH:MM local. */
  formatDateTimeVi(instant: number): string {
    const local = new Date(instant + this.offsetMs).toISOString();
    return `${this.formatDateVi(instant)} ${local.slice(11, 16)}`;
  }

  /** Local calendar month key, e.g. "2023-08". */
  monthOf(instant: number): string {
    return formatDay(this.dayOf(instant)).slice(0, 7);
  }

  private offsetSuffix(): string {
    const sign = this.offsetMinutes < 0 ? '-' : '+';
    const abs = Math.abs(this.offsetMinutes);
    return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  }
}
