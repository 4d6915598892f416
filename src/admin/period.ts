import type { Period } from '../domain/report';
import { formatDay, parseDay } from '../domain/time';

/**
 * Report periods as administrators type them, with or without diacritics:
 * "quý 3 năm 2023", "quy III/2023", "9 tháng đầu năm 2023", "tháng 8/2023",
 * "năm 2023", "từ 01/01/2023 đến 25/09/2023", "từ 01/07/2023 đến nay".
 * `today` is the local day number of "now": a quarter, month or "N tháng đầu
 * năm" without a year is in the current year.
 */

/** Lower case, no diacritics, đ→d; keeps digits and the date separators / . - (which word folding would drop). */
export function foldForPeriods(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[–—]/g, ' - ')
    .replace(/[^a-z0-9/.-]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function yearOf(day: number): number {
  return Number(formatDay(day).slice(0, 4));
}

function monthOf(day: number): number {
  return Number(formatDay(day).slice(5, 7));
}

function dayOfDate(year: number, month: number, date: number): number | undefined {
  if (year < 1990 || year > 2200) return undefined;
  return parseDay(`${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(date).padStart(2, '0')}`);
}

/** First to last day of months `from`..`to` (1-based, inclusive) of a year. */
function months(year: number, from: number, to: number): Period | undefined {
  if (from < 1 || to > 12 || from > to) return undefined;
  const fromDay = dayOfDate(year, from, 1);
  const next = to === 12 ? dayOfDate(year + 1, 1, 1) : dayOfDate(year, to + 1, 1);
  if (fromDay === undefined || next === undefined) return undefined;
  return { fromDay, toDay: next - 1 };
}

/** "2023", "nay" (this year), "ngoai"/"truoc" (last year); undefined when absent. */
function yearWord(word: string | undefined, today: number): number | undefined {
  if (word === undefined) return undefined;
  if (/^\d{4}$/.test(word)) return Number(word);
  if (word === 'nay') return yearOf(today);
  if (word === 'ngoai' || word === 'truoc') return yearOf(today) - 1;
  return undefined;
}

const YEAR = '(\\d{4}|nay|ngoai|truoc)';
/** "/2023", "-2023", "năm 2023", "năm nay", " 2023": two groups, the first for the forms with a separator. */
const YEAR_SUFFIX = `(?:\\s*(?:/|-|\\.|\\bnam\\b)\\s*${YEAR}\\b|\\s+(\\d{4})\\b)?`;
const ROMAN: Record<string, number> = { i: 1, ii: 2, iii: 3, iv: 4 };

interface DateFound {
  /** Without a year when the text has none: filled in from the other end of a range, or the current year. */
  parts: { date: number; month: number; year?: number };
  index: number;
  end: number;
}

// A digit right after (or a separator and a digit) means this was "3/2023", a month and a year, not a date.
const DATE = /\b(?:(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}))?)(?!\d|[/.]\d)/g;

function datesIn(text: string): DateFound[] {
  const found: DateFound[] = [];
  for (const m of text.matchAll(DATE)) {
    const parts = m[1] ? { year: Number(m[1]), month: Number(m[2]), date: Number(m[3]) } : { date: Number(m[4]), month: Number(m[5]), ...(m[6] ? { year: Number(m[6]) } : {}) };
    const index = m.index ?? 0;
    found.push({ parts, index, end: index + m[0].length });
  }
  return found;
}

function resolveDate(d: DateFound, year: number): number | undefined {
  return dayOfDate(d.parts.year ?? year, d.parts.month, d.parts.date);
}

function range(fromDay: number | undefined, toDay: number | undefined): Period | undefined {
  return fromDay !== undefined && toDay !== undefined && fromDay <= toDay ? { fromDay, toDay } : undefined;
}

/** "này" / "trước" for a quarter or a month: the current one or the one before, across the new year. */
function relative(word: string, current: number, perYear: number, year: number): { n: number; year: number } {
  if (word === 'nay') return { n: current, year };
  return current === 1 ? { n: perYear, year: year - 1 } : { n: current - 1, year };
}

/** The period a message names, or undefined when it names none (or an impossible one, such as "tháng 13"). */
export function parsePeriod(input: string, today: number): Period | undefined {
  const text = foldForPeriods(input);
  const thisYear = yearOf(today);

  // Explicit dates: "từ 01/01/2023 đến 25/09/2023", "từ 01/07/2023 đến nay", "ngày 25/09/2023".
  const dates = datesIn(text);
  if (dates.length >= 2) {
    const [a, b] = dates;
    const between = text.slice(a.end, b.index).trim();
    if (/^(?:-|den|toi|->)?\s*(?:het\s+)?(?:ngay)?$/.test(between)) {
      const year = a.parts.year ?? b.parts.year ?? thisYear;
      return range(resolveDate(a, year), resolveDate(b, b.parts.year ?? year));
    }
  }
  if (dates.length === 1) {
    const [a] = dates;
    const from = resolveDate(a, thisYear);
    if (/^\s*(?:-|den|toi)\s*(?:nay|hom nay|bay gio)\b/.test(text.slice(a.end))) return range(from, today);
    if (/\btu\s+(?:ngay\s+)?$/.test(text.slice(0, a.index))) return range(from, today);
    return range(from, from);
  }

  // "từ đầu năm (2023) (đến nay)": to today, or to the end of that year when it is past.
  const sinceStart = /\btu dau nam(?:\s+(\d{4}))?/.exec(text);
  if (sinceStart) {
    const whole = months(sinceStart[1] ? Number(sinceStart[1]) : thisYear, 1, 12);
    return whole && range(whole.fromDay, Math.min(whole.toDay, today));
  }

  // "9 tháng đầu năm 2023", "6 tháng cuối năm", "9 tháng năm 2023" (the report's own wording), "nửa đầu năm".
  const firstMonths = new RegExp(`\\b(\\d{1,2}) thang (?:(dau|cuoi) )?nam\\b(?:\\s*${YEAR}\\b)?`).exec(text);
  const half = new RegExp(`\\bnua (dau|cuoi) nam\\b(?:\\s*${YEAR}\\b)?`).exec(text);
  if (firstMonths || half) {
    const n = firstMonths ? Number(firstMonths[1]) : 6;
    const last = (firstMonths ? firstMonths[2] : half?.[1]) === 'cuoi';
    const year = yearWord(firstMonths ? firstMonths[3] : half?.[2], today) ?? thisYear;
    if (n < 1 || n > 12) return undefined;
    return last ? months(year, 13 - n, 12) : months(year, 1, n);
  }

  // "quý 3 năm 2023", "quy 3/2023", "quý III", "quý này", "quý trước".
  const quarter = new RegExp(`\\bquy\\s*(iv|iii|ii|i|\\d{1,2}|nay|truoc)\\b${YEAR_SUFFIX}`).exec(text);
  if (quarter) {
    const year = yearWord(quarter[2] ?? quarter[3], today) ?? thisYear;
    const q = ROMAN[quarter[1]] ?? Number(quarter[1]);
    const { n, year: y } = Number.isNaN(q) ? relative(quarter[1], Math.ceil(monthOf(today) / 3), 4, year) : { n: q, year };
    return months(y, n * 3 - 2, n * 3);
  }

  // "tháng 8/2023", "tháng 8 năm 2023", "tháng 8", "T8/2023", "tháng này", "tháng trước".
  const month = new RegExp(`\\b(?:thang\\s*(\\d{1,2}|nay|truoc)|t(\\d{1,2}))\\b${YEAR_SUFFIX}`).exec(text);
  if (month) {
    const word = month[1] ?? month[2];
    const year = yearWord(month[3] ?? month[4], today) ?? thisYear;
    const { n, year: y } = /^\d+$/.test(word) ? { n: Number(word), year } : relative(word, monthOf(today), 12, year);
    return months(y, n, n);
  }

  // "năm 2023", "năm nay", "năm ngoái", or a bare year "2023".
  const year = new RegExp(`\\bnam\\s+${YEAR}\\b`).exec(text) ?? /\b(20\d{2})\b/.exec(text);
  if (year) {
    const y = yearWord(year[1], today);
    return y === undefined ? undefined : months(y, 1, 12);
  }
  return undefined;
}
