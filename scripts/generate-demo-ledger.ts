/**
 * Builds data/demo/ledger-2023.jsonl: a ledger for 01/01–25/09/2023 whose Phụ biểu 02
 * under the default policy is the one published in report 410/BC-UBND
 * (test/fixtures/appendix02-2023.csv), with the cases the report describes.
 * Deterministic: the same inputs give the same file. Run: npx ts-node --transpile-only scripts/generate-demo-ledger.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadProvinceData, parseCsv } from '../src/config/data';
import { PROJECT_ROOT } from '../src/config/paths';
import { buildAppendix02 } from '../src/domain/report';
import { parseDay, parseInstant } from '../src/domain/time';
import { Ledger } from '../src/ledger/ledger';
import { SqliteLedgerStore } from '../src/store/sqlite';
import { seededRandom } from '../src/domain/random';

const data = loadProvinceData();
const { calendar, clock } = data;
const HOUR = 3_600_000;
const MINUTE = 60_000;

interface Expected {
  agency: string;
  total: number;
  answered: number;
  awaiting_answer: number;
  awaiting_acceptance: number;
  deleted: number;
  score: number;
}

function readExpected(): Expected[] {
  const rows = parseCsv(fs.readFileSync(path.join(PROJECT_ROOT, 'test/fixtures/appendix02-2023.csv'), 'utf8'));
  const header = rows.shift() as string[];
  return rows.map((cells) => {
    const rec = Object.fromEntries(header.map((h, i) => [h, cells[i]]));
    return {
      agency: rec.agency,
      total: Number(rec.total),
      answered: Number(rec.answered),
      awaiting_answer: Number(rec.awaiting_answer),
      awaiting_acceptance: Number(rec.awaiting_acceptance),
      deleted: Number(rec.deleted),
      score: Number(rec.score),
    };
  });
}

const random = seededRandom(20230925);
const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];

const day = (iso: string) => parseDay(iso) as number;
/** Instant at local hh:mm of a day. */
const at = (d: number, hour: number, minute = 0) => clock.startOfDay(d) + hour * HOUR + minute * MINUTE;
const iso = (ms: number) => clock.format(ms).replace('.000', '');
/** A time in office hours on the n-th working day after the day of `ms`. */
const officeTimeAfter = (ms: number, n: number) => at(calendar.addWorkingDays(clock.dayOf(ms), n), between(8, 16), between(0, 59));

const PERIOD_FIRST = day('2023-01-03');
const CUTOFF = clock.endOfDay(day('2023-09-25'));

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Vũ', 'Đỗ', 'Bùi', 'Lý', 'Giàng', 'Lò', 'Sùng', 'Vàng', 'Hà', 'Đặng', 'Lương'];
const MIDDLE = ['Văn', 'Thị', 'Minh', 'Đức', 'Thu', 'Ngọc', 'Quang', 'Hữu', 'Thanh', 'Seo', 'A'];
const GIVEN = ['An', 'Bình', 'Cường', 'Dung', 'Hà', 'Hải', 'Hạnh', 'Hùng', 'Lan', 'Linh', 'Mai', 'Nam', 'Phúc', 'Sinh', 'Tâm', 'Thắng', 'Trang', 'Tuấn', 'Vân', 'Xuân', 'Chứ', 'Páo'];
const DISTRICTS = ['tp-laocai', 'tx-sapa', 'h-batxat', 'h-muongkhuong', 'h-simacai', 'h-bacha', 'h-baothang', 'h-baoyen', 'h-vanban'];

function asker(agency: string) {
  const name = `${pick(FAMILY)} ${pick(MIDDLE)} ${pick(GIVEN)}`;
  // Demo contacts are made up: 09xx numbers with a reserved-looking pattern, or example.com addresses.
  const contact = random() < 0.8 ? `09${between(10, 99)}${String(between(0, 999999)).padStart(6, '0')}` : `nguoidan${between(100, 999)}@example.com`;
  const locality = agency.startsWith('h-') || agency.startsWith('tx-') || agency.startsWith('tp-') ? agency : pick(DISTRICTS);
  return { name, contact, locality };
}

type Outcome =
  | { kind: 'answered'; acceptAfter: number; answerAfter: number; authorized?: boolean; extend?: number }
  | { kind: 'answered_at'; accepted?: number; answered: number; authorized?: boolean }
  | { kind: 'awaiting_answer' }
  | { kind: 'awaiting_acceptance' }
  | { kind: 'deleted'; reason: 'duplicate' | 'violation' | 'invalid_identity' | 'out_of_scope'; acceptFirst: boolean };

interface Plan {
  agency: string;
  submitted: number;
  outcome: Outcome;
  text: string;
  answer: string;
  forwardTo?: { agency: string; outcome: Outcome; answer: string };
}

interface BankEntry {
  text: string;
  answer: string;
  forwardTo?: string;
}

const bank = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'data/demo/question-texts.json'), 'utf8')) as Record<string, BankEntry[]>;
const used = new Map<string, number>();
function takeText(agency: string): BankEntry {
  const list = bank[agency];
  if (!list || list.length === 0) throw new Error(`no demo texts for ${agency}`);
  const n = used.get(agency) ?? 0;
  used.set(agency, n + 1);
  if (n >= list.length) throw new Error(`not enough demo texts for ${agency}: need more than ${list.length}`);
  return list[n];
}

/** Spread n submissions evenly over [first, last] days, each at a random time of day. */
function spread(n: number, first: number, last: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const d = first + Math.floor(((i + random() * 0.8) * (last - first + 1)) / n);
    out.push(at(d, between(6, 21), between(0, 59)));
  }
  return out;
}

const onTime = (): Extract<Outcome, { kind: 'answered' }> => ({ kind: 'answered', acceptAfter: between(1, 2), answerAfter: between(3, 9) });
const deletedOutcome = (agency: string, i: number): Outcome => ({
  kind: 'deleted',
  reason: agency === 'cong-an' && i % 2 === 0 ? 'invalid_identity' : i % 4 === 3 ? 'violation' : 'duplicate',
  acceptFirst: i % 3 === 0,
});

const plans: Plan[] = [];
const expected = readExpected();
const forwardedIn = new Map<string, number>();

// The provincial office's eight questions: five passed on to the body in charge, three duplicates.
{
  const vp = expected.find((e) => e.agency === 'vp-ubnd') as Expected;
  const times = spread(vp.total, PERIOD_FIRST, day('2023-09-01'));
  times.forEach((submitted, i) => {
    const entry = takeText('vp-ubnd');
    if (entry.forwardTo) {
      forwardedIn.set(entry.forwardTo, (forwardedIn.get(entry.forwardTo) ?? 0) + 1);
      plans.push({ agency: 'vp-ubnd', submitted, outcome: onTime(), text: entry.text, answer: '', forwardTo: { agency: entry.forwardTo, outcome: onTime(), answer: entry.answer } });
    } else {
      plans.push({ agency: 'vp-ubnd', submitted, outcome: { kind: 'deleted', reason: 'duplicate', acceptFirst: false }, text: entry.text, answer: entry.answer });
    }
    void i;
  });
}

function add(agency: string, submitted: number, outcome: Outcome): void {
  const entry = takeText(agency);
  plans.push({ agency, submitted, outcome, text: entry.text, answer: entry.answer });
}

for (const e of expected) {
  const a = e.agency;
  if (a === 'vp-ubnd' || e.total === 0) continue;
  const ownAnswered = e.answered - (forwardedIn.get(a) ?? 0);
  const lastAnswerable = day('2023-09-08');

  if (a === 'h-baothang') {
    // Report: one question sent 24/5 answered 25/6; five never accepted (19/4, 22/7 ×2, 13/8, 18/8); three deleted.
    add(a, parseInstant('2023-05-24T09:12:00+07:00') as number, {
      kind: 'answered_at',
      accepted: parseInstant('2023-06-20T08:30:00+07:00') as number,
      answered: parseInstant('2023-06-25T15:00:00+07:00') as number,
    });
    for (const d of ['2023-04-19', '2023-07-22', '2023-07-22', '2023-08-13', '2023-08-18']) add(a, at(day(d), between(7, 20), between(0, 59)), { kind: 'awaiting_acceptance' });
    spread(e.deleted, day('2023-02-01'), day('2023-09-01')).forEach((t, i) => add(a, t, deletedOutcome(a, i)));
    continue;
  }

  if (a === 'h-vanban') {
    // Report: one answered 5/6 → 3/7 (the content had to be verified); two awaiting acceptance since 10/7 and 15/9.
    add(a, parseInstant('2023-06-05T08:40:00+07:00') as number, {
      kind: 'answered_at',
      accepted: parseInstant('2023-06-06T09:15:00+07:00') as number,
      answered: parseInstant('2023-07-03T16:00:00+07:00') as number,
    });
    add(a, parseInstant('2023-07-10T10:05:00+07:00') as number, { kind: 'awaiting_acceptance' });
    add(a, parseInstant('2023-09-15T14:20:00+07:00') as number, { kind: 'awaiting_acceptance' });
    spread(ownAnswered - 1, PERIOD_FIRST, lastAnswerable).forEach((t) => add(a, t, onTime()));
    spread(e.deleted, PERIOD_FIRST, day('2023-09-01')).forEach((t, i) => add(a, t, deletedOutcome(a, i)));
    continue;
  }

  if (a === 'tp-laocai') {
    // Report: slow in the first six months, on time in Q3; one question awaiting an answer at the cut-off.
    const firstHalf = spread(Math.ceil(ownAnswered / 2), PERIOD_FIRST, day('2023-06-20'));
    firstHalf.forEach((t, i) =>
      add(a, t, i % 3 === 1 ? { kind: 'answered', acceptAfter: between(3, 4), answerAfter: between(12, 15) } : onTime()),
    );
    spread(ownAnswered - firstHalf.length, day('2023-07-03'), lastAnswerable).forEach((t) => add(a, t, onTime()));
    add(a, parseInstant('2023-09-20T09:30:00+07:00') as number, { kind: 'awaiting_answer' });
    spread(e.deleted, PERIOD_FIRST, day('2023-09-01')).forEach((t, i) => add(a, t, deletedOutcome(a, i)));
    continue;
  }

  if (e.awaiting_answer !== 0 || e.awaiting_acceptance !== 0) throw new Error(`no plan for pending cases of ${a}`);
  // so-gddt answers more than ten a month at the start of the school year (the 18-point bonus).
  const times =
    a === 'so-gddt'
      ? [...spread(ownAnswered - 16, PERIOD_FIRST, day('2023-07-14')), ...spread(16, day('2023-07-31'), day('2023-08-18'))]
      : spread(ownAnswered, PERIOD_FIRST, lastAnswerable);
  times.forEach((t, i) => {
    let outcome = onTime();
    if (e.score === 15 && a === 'h-bacha' && i === 2) outcome = { kind: 'answered', acceptAfter: 1, answerAfter: 13 };
    else if (e.score === 15 && a === 'h-muongkhuong' && i === 1) outcome = { ...onTime(), authorized: false };
    else if (a === 'so-tnmt' && (i === 5 || i === 20)) outcome = { kind: 'answered', acceptAfter: 1, answerAfter: 13, extend: 5 };
    add(a, t, outcome);
  });
  spread(e.deleted, PERIOD_FIRST, day('2023-09-01')).forEach((t, i) => add(a, t, deletedOutcome(a, i)));
}

plans.sort((x, y) => x.submitted - y.submitted);

interface Line {
  at: number;
  order: number;
  json: Record<string, unknown>;
}
const lines: Line[] = [];
let order = 0;
const emit = (json: Record<string, unknown>) => lines.push({ at: parseInstant(json.at as string) as number, order: order++, json });
const officer = (agency: string) => `officer:${agency}-${String(between(1, 3)).padStart(2, '0')}`;

/** Emits one case's events from `start` (the case is already assigned or forwarded to `agency`). */
function emitCase(q: string, agency: string, start: number, outcome: Outcome, answer: string): void {
  switch (outcome.kind) {
    case 'answered': {
      const accepted = officeTimeAfter(start, outcome.acceptAfter);
      emit({ q, type: 'accepted', at: iso(accepted), agency, by: officer(agency) });
      let answered = officeTimeAfter(start, outcome.answerAfter);
      if (outcome.extend) {
        const extendedAt = officeTimeAfter(start, 8);
        emit({ q, type: 'extended', at: iso(extendedAt), agency, by: `officer:${agency}-lead`, days: outcome.extend, reason: 'Cần phối hợp với UBND cấp huyện xác minh hiện trạng thửa đất' });
        answered = Math.max(answered, extendedAt + HOUR);
      }
      if (answered <= accepted) answered = accepted + 2 * HOUR;
      emit({ q, type: 'answered', at: iso(answered), agency, by: outcome.authorized === false ? officer(agency) : `officer:${agency}-lead`, authorized: outcome.authorized ?? true, text: answer });
      if (random() < 0.55 && answered + 30 * HOUR < CUTOFF) emit({ q, type: 'rated', at: iso(answered + between(2, 30) * HOUR), by: 'citizen', rating: pick([3, 4, 4, 5, 5, 5]) });
      return;
    }
    case 'answered_at':
      if (outcome.accepted) emit({ q, type: 'accepted', at: iso(outcome.accepted), agency, by: officer(agency) });
      emit({ q, type: 'answered', at: iso(outcome.answered), agency, by: `officer:${agency}-lead`, authorized: outcome.authorized ?? true, text: answer });
      return;
    case 'awaiting_answer':
      emit({ q, type: 'accepted', at: iso(officeTimeAfter(start, 1)), agency, by: officer(agency) });
      return;
    case 'awaiting_acceptance':
      return;
    case 'deleted': {
      if (outcome.acceptFirst) emit({ q, type: 'accepted', at: iso(officeTimeAfter(start, 1)), agency, by: officer(agency) });
      emit({ q, type: 'deleted', at: iso(officeTimeAfter(start, 2)), agency, by: officer(agency), reason: outcome.reason });
      return;
    }
  }
}

plans.forEach((plan, index) => {
  const q = `HD-2023-${String(index + 1).padStart(6, '0')}`;
  const channel = random() < 0.85 ? 'portal' : random() < 0.7 ? 'zalo' : 'facebook';
  emit({ q, type: 'submitted', at: iso(plan.submitted), channel, text: plan.text, asker: asker(plan.agency) });
  const assigned = plan.submitted + between(5, 50) * MINUTE;
  emit({ q, type: 'assigned', at: iso(assigned), agency: plan.agency, by: plan.agency === 'vp-ubnd' ? 'editor:bbt-01' : 'bot' });
  if (plan.forwardTo) {
    const forwarded = officeTimeAfter(assigned, 1);
    emit({ q, type: 'forwarded', at: iso(forwarded), from: plan.agency, agency: plan.forwardTo.agency, by: officer(plan.agency), reason: 'Câu hỏi thuộc thẩm quyền trả lời của cơ quan chuyên môn' });
    emitCase(q, plan.forwardTo.agency, forwarded, plan.forwardTo.outcome, plan.forwardTo.answer);
  } else {
    emitCase(q, plan.agency, assigned, plan.outcome, plan.answer);
  }
});

lines.sort((x, y) => x.at - y.at || x.order - y.order);
for (const l of lines) if (l.at > CUTOFF) throw new Error(`event after the cut-off: ${JSON.stringify(l.json)}`);
const text = lines.map((l) => JSON.stringify(l.json)).join('\n') + '\n';

// Self-check: the generated ledger must give the published table under the default policy.
async function verify(): Promise<void> {
  const store = new SqliteLedgerStore(':memory:');
  const result = await new Ledger(store, data).importLines(text.split('\n'));
  if (result.errors.length > 0) throw new Error(`generated ledger is invalid: ${JSON.stringify(result.errors.slice(0, 3))}`);
  const cases = await store.casesStartingBetween(clock.startOfDay(day('2023-01-01')), CUTOFF);
  const table = buildAppendix02(cases, { fromDay: day('2023-01-01'), toDay: day('2023-09-25') }, data.agencies, clock, data.rules);
  const problems: string[] = [];
  for (const e of expected) {
    const r = table.rows.find((row) => row.agency === e.agency);
    const got = r && [r.total, r.answered, r.awaitingAnswer, r.awaitingAcceptance, r.deleted, r.score].join(',');
    const want = [e.total, e.answered, e.awaiting_answer, e.awaiting_acceptance, e.deleted, e.score].join(',');
    if (got !== want) problems.push(`${e.agency}: got ${got} want ${want}`);
  }
  await store.close();
  if (problems.length > 0) throw new Error(`generated ledger does not match the report:\n${problems.join('\n')}`);
  const out = path.join(PROJECT_ROOT, 'data/demo/ledger-2023.jsonl');
  fs.writeFileSync(out, text);
  console.log(`wrote ${out}: ${lines.length} events, ${plans.length} questions; matches appendix02-2023.csv`);
}

void verify().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
