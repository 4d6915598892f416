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

function range(fromDay: number | undefined, toDay: number | undefined): Period | undefined {
  return fromDay !== undefined && toDay !== undefined && fromDay <= toDay ? { fromDay, toDay } : undefined;
}

/** "này"/"hiện tại" or "trước"/"vừa qua"/"vừa rồi" for a quarter or a month: the current one or the one before, across the new year. */
function relative(word: string, current: number, perYear: number, year: number): { n: number; year: number } {
  if (word === 'nay' || word === 'hien tai') return { n: current, year };
  return current === 1 ? { n: perYear, year: year - 1 } : { n: current - 1, year };
}

/** The period a message names, or undefined when it names none (or an impossible one, such as "tháng 13"). A lone date is a one-day period. */
export function parsePeriod(input: string, today: number): Period | undefined {
  const found = scanTime(foldForPeriods(input), today).findings.find((f) => f.kind === 'period' || f.kind === 'day' || f.kind === 'invalid');
  if (!found || found.kind === 'invalid') return undefined;
  return found.kind === 'period' ? found.period : { fromDay: found.day, toDay: found.day };
}

// ---- Scanning a message for every time expression ------------------------------

/**
 * One time expression of a message, with where it was found (offsets in the folded text):
 * - `period`: report period ("quý 3", "từ 1/7 đến 30/9", "9 tháng đầu năm");
 * - `at`: an "as of" day ("tính đến 25/9/2023", "cuối quý 2", "hôm qua");
 * - `now`: "as of now", said outright ("đến nay", "hiện nay");
 * - `day`: a lone date, as-of for overdue and pending, a one-day period for scores;
 * - `invalid`: written like a date or period but impossible ("tháng 13", "31/02").
 */
export type TimeFinding = { start: number; end: number } & (
  | { kind: 'period'; period: Period }
  | { kind: 'at'; day: number }
  | { kind: 'now' }
  | { kind: 'day'; day: number }
  | { kind: 'invalid' }
);

type Value = { kind: 'period'; period: Period } | { kind: 'at'; day: number } | { kind: 'now' } | { kind: 'day'; day: number } | { kind: 'invalid' };

/** A regular expression source where a space stands for a run of spaces (blanked matches leave several) and " ?" for an optional one. */
function re(source: string): RegExp {
  return new RegExp(source.replace(/ \?/g, '\\s*').replace(/ /g, '\\s+'), 'g');
}

/** A date as written: 2023-09-25, 25/9/2023, 25-09-2023, 25.9.2023, 25/9, "25 tháng 9 (năm 2023)". No groups: readDate takes it apart. */
const D_NUMERIC = '(?:\\d{4}-\\d{1,2}-\\d{1,2}|\\d{1,2}[/.-]\\d{1,2}(?:[/.-](?:\\d{4}|\\d{2}))?)(?![0-9]|[/.-][0-9])';
/** English: "30 Sep 2023", "30 September", "Sep 30, 2023" (not "phụ biểu 02 August 2023"). */
const MONTH_ABBREVIATIONS = 'jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec';
const D_ENGLISH = `(?:(?<!bieu |appendix )\\d{1,2}(?:st|nd|rd|th)? (?:${MONTH_ABBREVIATIONS})[a-z]*(?: \\d{4})?|(?:${MONTH_ABBREVIATIONS})[a-z]* \\d{1,2}(?:st|nd|rd|th)?(?: \\d{4})?)\\b`;
const D = `(?:${D_NUMERIC}|\\d{1,2} thang \\d{1,2}(?:(?: nam| ?/ ?| ) ?\\d{4})?(?![0-9]|[/.-][0-9])|${D_ENGLISH})`;

function readDate(written: string, defaultYear: number): number | undefined {
  const text = written.replace(/\s+/g, ' ').trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  if (iso) return dayOfDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const english = /^(?:(\d{1,2})(?:st|nd|rd|th)? ([a-z]+)|([a-z]+) (\d{1,2})(?:st|nd|rd|th)?)(?: (\d{4}))?$/.exec(text);
  if (english) {
    const month = MONTH_NAMES.findIndex((name) => name.startsWith((english[2] ?? english[3]).slice(0, 3))) + 1;
    return month === 0 ? undefined : dayOfDate(english[5] ? Number(english[5]) : defaultYear, month, Number(english[1] ?? english[4]));
  }
  const m = /^(\d{1,2})(?: thang |[/.-])(\d{1,2})(?:\D+(\d{4}|\d{2}))?$/.exec(text);
  if (!m) return undefined;
  // "30/9/23": a two-digit year is this century's.
  const year = m[3] === undefined ? defaultYear : m[3].length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
  return dayOfDate(year, Number(m[2]), Number(m[1]));
}

/** The year a written date carries, if any. */
function yearIn(written: string): number | undefined {
  const m = /^(\d{4})-/.exec(written.trim()) ?? /(\d{4})$/.exec(written.trim()) ?? /^\d{1,2}[/.-]\d{1,2}[/.-](\d{2})$/.exec(written.trim());
  return m ? (m[1].length === 2 ? 2000 + Number(m[1]) : Number(m[1])) : undefined;
}

/** "ba/sáu/chín tháng đầu năm": the counts reports write out. */
const MONTH_COUNT_WORDS: Record<string, number> = { ba: 3, sau: 6, chin: 9 };

const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
/** "this"/"last" after a quarter or a month. */
const RELATIVE = '(?:nay|hien tai|truoc|vua qua|vua roi)';
/** Quarters written out: "quý một"... "quý bốn"/"quý tư". */
const QUARTER_WORDS: Record<string, number> = { mot: 1, hai: 2, ba: 3, bon: 4, tu: 4 };
const QUARTER = `(?:quy ?(iv|iii|ii|i|\\d{1,2}|mot|hai|ba|bon|tu|${RELATIVE})|q ?(\\d)|quarter (\\d))`;
/** The words that say "as of" before a date or an end of quarter, month or year. */
const AS_OF = '(?:(?:(?:tinh|cho) )?(?:den|toi)(?: het)?|tinh(?: het)?|as of|by|until|up to|(?:tai )?thoi diem)';
/** "now" said outright; a bare "nay" only after "đến" ("năm nay", "quý này" are periods). */
const NOW = '(?:hien nay|hien tai|hom nay|bay gio|luc nay|now|today|right now)';

interface Pattern {
  regex: RegExp;
  read: (m: RegExpExecArray, today: number) => Value | undefined;
}

function dayValue(kind: 'at' | 'day', day: number | undefined): Value {
  return day === undefined ? { kind: 'invalid' } : { kind, day };
}

function periodValue(period: Period | undefined): Value {
  return period ? { kind: 'period', period } : { kind: 'invalid' };
}

function quarterOf(m: RegExpExecArray, first: number, today: number, year: number): Period | undefined {
  const word = m[first] ?? m[first + 1] ?? m[first + 2];
  const q = ROMAN[word] ?? QUARTER_WORDS[word] ?? Number(word);
  const { n, year: y } = Number.isNaN(q) ? relative(word, Math.ceil(monthOf(today) / 3), 4, year) : { n: q, year };
  return n >= 1 && n <= 4 ? months(y, n * 3 - 2, n * 3) : undefined;
}

/**
 * Tried in this order, each over what the ones before left: ranges before lone
 * dates, "6 tháng cuối năm" before "cuối năm", "cuối quý 2" (as of) before "quý 2" (a period).
 */
const PATTERNS: Pattern[] = [
  // "từ 01/01/2023 đến 25/09/2023", "1/7 - 30/9", "from 1/7/2023 to 30/9/2023": the first date takes the second's year when it has none.
  {
    regex: re(`\\b(?:(?:tu|from) (?:ngay )?)?(${D}) ?(?:-|->|~|den|toi|to|until) ?(?:het )?(?:ngay )?(${D})`),
    read: (m, today) => {
      const year = yearIn(m[1]) ?? yearIn(m[2]) ?? yearOf(today);
      return periodValue(range(readDate(m[1], year), readDate(m[2], yearIn(m[2]) ?? year)));
    },
  },
  // "từ 01/07/2023 (đến nay)", "01/07/2023 đến nay", "since 1/7/2023".
  {
    regex: re(`\\b(?:(?:tu|from|since) (?:ngay )?(${D})(?: (?:den|toi|-|to) (?:${NOW}|nay))?|(${D}) (?:den|toi|-|to) (?:${NOW}|nay))\\b`),
    read: (m, today) => periodValue(range(readDate(m[1] ?? m[2], yearOf(today)), today)),
  },
  // "từ đầu năm (2023) (đến nay)": to today, or to the end of that year when it is past.
  {
    regex: re(`\\btu dau nam(?: (\\d{4}))?(?: (?:den|toi) (?:${NOW}|nay))?\\b`),
    read: (m, today) => {
      const whole = months(m[1] ? Number(m[1]) : yearOf(today), 1, 12);
      return periodValue(whole && range(whole.fromDay, Math.min(whole.toDay, today)));
    },
  },
  // "9 tháng đầu năm 2023", "6 tháng cuối năm", "9 tháng năm 2023" (the reports' own wording), "9 tháng", "nửa đầu năm",
  // "first 9 months of 2023"; not "phụ biểu 02 tháng 8", "3 tháng trước", "3 tháng qua".
  {
    regex: re(
      `\\b(?<!bieu )(?:(\\d{1,2}|ba|sau|chin) thang (dau|cuoi)(?: nam)?(?: ${YEAR})?|(\\d{1,2}|ba|sau|chin) thang nam ${YEAR}|(\\d{1,2}|sau|chin) thang(?! ?[0-9])(?! (?:qua|gan|toi|sau|tuoi|truoc|nay|roi)\\b)|nua (dau|cuoi) nam(?: ${YEAR})?|first (\\d{1,2}) months(?: of)?(?: (\\d{4}))?)\\b`,
    ),
    read: (m, today) => {
      const written = m[1] ?? m[4] ?? m[6] ?? m[9] ?? '6';
      const n = MONTH_COUNT_WORDS[written] ?? Number(written);
      const last = (m[2] ?? m[7]) === 'cuoi';
      const year = yearWord(m[3] ?? m[5] ?? m[8] ?? m[10], today) ?? yearOf(today);
      if (n < 1 || n > 12) return { kind: 'invalid' };
      return periodValue(last ? months(year, 13 - n, 12) : months(year, 1, n));
    },
  },
  // "từ tháng 1 đến tháng 8/2023", "tháng 7 - tháng 9", "từ quý 1 đến quý 3 năm 2023": months or quarters in a row, in the year written last.
  {
    regex: re(`\\b(?:tu )?thang ?(\\d{1,2}) ?(?:-|den|toi) ?(?:het )?thang ?(\\d{1,2})\\b${YEAR_SUFFIX}`),
    read: (m, today) => periodValue(months(yearWord(m[3] ?? m[4], today) ?? yearOf(today), Number(m[1]), Number(m[2]))),
  },
  {
    regex: re(`\\b(?:tu )?quy ?(iv|iii|ii|i|\\d) ?(?:-|den|toi) ?(?:het )?quy ?(iv|iii|ii|i|\\d)\\b${YEAR_SUFFIX}`),
    read: (m, today) => {
      const [a, b] = [m[1], m[2]].map((w) => ROMAN[w] ?? Number(w));
      return a >= 1 && b <= 4 ? periodValue(months(yearWord(m[3] ?? m[4], today) ?? yearOf(today), a * 3 - 2, b * 3)) : { kind: 'invalid' };
    },
  },
  // As of the end of a quarter, a month, a year: "đến cuối quý 2", "tính tới hết quý 3/2023", "tính đến tháng 8", "cuối tháng 8", "end of Q2".
  {
    regex: re(`\\b(?:${AS_OF} (?:(?:cuoi|het) )?|(?:cuoi|het|(?:the )?end of) )${QUARTER}\\b${YEAR_SUFFIX}`),
    read: (m, today) => {
      const p = quarterOf(m, 1, today, yearWord(m[4] ?? m[5], today) ?? yearOf(today));
      return p ? { kind: 'at', day: p.toDay } : { kind: 'invalid' };
    },
  },
  {
    regex: re(`\\b(?:${AS_OF} (?:(?:cuoi|het) )?|(?:cuoi|het) )(?:thang ?(\\d{1,2}|${RELATIVE})|t(\\d{1,2}))\\b${YEAR_SUFFIX}`),
    read: (m, today) => {
      const word = m[1] ?? m[2];
      const year = yearWord(m[3] ?? m[4], today) ?? yearOf(today);
      const { n, year: y } = /^\d+$/.test(word) ? { n: Number(word), year } : relative(word, monthOf(today), 12, year);
      const p = months(y, n, n);
      return p ? { kind: 'at', day: p.toDay } : { kind: 'invalid' };
    },
  },
  {
    regex: re(`\\b(?:${AS_OF} )?(?:cuoi|het) nam(?: ${YEAR})?\\b`),
    read: (m, today) => ({ kind: 'at', day: months(yearWord(m[1], today) ?? yearOf(today), 12, 12)!.toDay }),
  },
  // "tính đến (hết) ngày 25/9/2023", "đến 30/6", "as of 31/8/2023".
  { regex: re(`\\b${AS_OF} (?:ngay |the )?(${D})`), read: (m, today) => dayValue('at', readDate(m[1], yearOf(today))) },
  // "(tính đến) hôm qua", "hôm kia", "yesterday".
  {
    regex: re(`\\b(?:${AS_OF} )?(?:ngay )?(hom qua|hom kia|yesterday)\\b`),
    read: (m, today) => ({ kind: 'at', day: today - (m[1] === 'hom kia' ? 2 : 1) }),
  },
  // A lone date (before months: "ngày 25 tháng 9" is not September): "ngày 25/9", "25-09-2023", "ngày 25 tháng 9".
  // Written out, only after "ngày": "phụ biểu 02 tháng 8" is not the 2nd of August.
  { regex: re(`\\b(?:(?:vao )?ngay (${D})|(?:on )?(${D_NUMERIC}|${D_ENGLISH}))`), read: (m, today) => dayValue('day', readDate(m[1] ?? m[2], yearOf(today))) },
  // "quý 3 năm 2023", "quy 3/2023", "quý III", "q3", "Q2 2023", "quý này", "quý trước", "last quarter".
  {
    regex: re(`\\b${QUARTER}\\b${YEAR_SUFFIX}|\\b(this|last) quarter\\b`),
    read: (m, today) => {
      if (m[6]) return periodValue(quarterOf([m[0], m[6] === 'this' ? 'nay' : 'truoc'] as unknown as RegExpExecArray, 1, today, yearOf(today)));
      return periodValue(quarterOf(m, 1, today, yearWord(m[4] ?? m[5], today) ?? yearOf(today)));
    },
  },
  // "tháng 8/2023", "tháng 8 năm 2023", "tháng 8", "T8/2023", "tháng này", "tháng trước", "August 2023", "last month".
  {
    regex: re(`\\b(?:thang ?(\\d{1,2}|${RELATIVE})|t(\\d{1,2}))\\b${YEAR_SUFFIX}|\\b(?:(?:in|for|of|during) )?(${MONTH_NAMES.join('|')}) ?(\\d{4})?\\b(?<=(?:in|for|of|during) \\S+|\\d{4})|\\b(this|last) month\\b`),
    read: (m, today) => {
      if (m[7]) return periodValue(((r) => months(r.year, r.n, r.n))(relative(m[7] === 'this' ? 'nay' : 'truoc', monthOf(today), 12, yearOf(today))));
      if (m[5]) return periodValue(months(m[6] ? Number(m[6]) : yearOf(today), MONTH_NAMES.indexOf(m[5]) + 1, MONTH_NAMES.indexOf(m[5]) + 1));
      const word = m[1] ?? m[2];
      const year = yearWord(m[3] ?? m[4], today) ?? yearOf(today);
      const { n, year: y } = /^\d+$/.test(word) ? { n: Number(word), year } : relative(word, monthOf(today), 12, year);
      return periodValue(months(y, n, n));
    },
  },
  // "năm 2023", "năm nay", "năm ngoái", "last year", "in 2023", a bare "2023".
  {
    regex: re(`\\b(?:nam ${YEAR}|(this|last) year|(?:in |for |year )?(20\\d{2}))\\b`),
    read: (m, today) => {
      const y = m[2] ? (m[2] === 'this' ? yearOf(today) : yearOf(today) - 1) : yearWord(m[1] ?? m[3], today);
      return y === undefined ? { kind: 'invalid' } : periodValue(months(y, 1, 12));
    },
  },
  // "đến nay", "hiện nay", "as of now": said, but no date (after the periods: "quý hiện tại" is one).
  { regex: re(`\\b(?:(?:${AS_OF}|tai) )?(?:thoi diem )?${NOW}\\b|\\b${AS_OF} nay\\b`), read: () => ({ kind: 'now' }) },
];

/**
 * Every time expression in a folded message (foldForPeriods), in the order they
 * appear, and the text with each one blanked out (same length: offsets still point
 * into the message), so that the words left can be read for the rest.
 */
export function scanTime(folded: string, today: number): { findings: TimeFinding[]; rest: string } {
  let rest = folded;
  const findings: TimeFinding[] = [];
  for (const pattern of PATTERNS) {
    pattern.regex.lastIndex = 0;
    for (let m = pattern.regex.exec(rest); m; m = pattern.regex.exec(rest)) {
      if (m[0].length === 0) {
        pattern.regex.lastIndex += 1;
        continue;
      }
      const value = pattern.read(m, today);
      if (!value) continue;
      findings.push({ ...value, start: m.index, end: m.index + m[0].length });
    }
    for (const f of findings) rest = rest.slice(0, f.start) + ' '.repeat(f.end - f.start) + rest.slice(f.end);
  }
  return { findings: findings.sort((a, b) => a.start - b.start), rest };
}
