import fs from 'node:fs';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DataError, loadProvinceData, type ProvinceData } from '../config/data';
import { isPostgresLocation, migrateInstallation, sqliteFile } from '../store/open';
import { Ledger } from '../ledger/ledger';
import { overdueQuestions } from '../queries/overdue';
import { appendix02Report, CSV_HEADERS, renderReport, REPORT_FORMATS, type CsvHeaders, type RenderOptions, type ReportFormat } from '../reports/appendix02';
import { formatDay, parseDay, parseInstant } from '../domain/time';
import { excerpt } from '../domain/text';
import { DEFAULT_DB_PATH } from '../config/paths';
import { evaluateRouter, renderEvaluation, type EvaluationItem } from '../routing/evaluate';
import { crossValidateByWriter } from '../routing/crossval';
import { evalFaqCommand } from './faq';
import { reorganiseCommand } from './reorganise';
import { buildRouter, loadRoutingResources } from '../routing/load';
import type { LabeledQuestion } from '../routing/router';
import { WorkflowError } from '../app/errors';
import { evaluateAdminParser, formatAdminEvaluation, readLabelledRequests } from '../admin/evaluate';
import { parseAdminQuery, structuredQuery } from '../admin/query';
import type { BackofficeStore } from '../backoffice/types';
// The composition root is imported when a command opens the store: it reads data/texts at import, and a broken
// file must come out as this command's error naming file and keys, not as a stack trace.
import type { Root } from '../composition-root';
import { MigrationRefused, PgToolMissingError } from '../store/unavailable';
import { parseRouteLine } from './route-input';

/** Exit statuses: 0 done, 1 failure, 2 bad input (nothing changed). */
export class UsageError extends Error {}

const USAGE = `hoidap: the bot server of the provincial portal's Q&A service (Hỏi - Đáp)

Usage: npx hoidap <command> [options]

  serve                         start the server (PORT, default 3978; HOIDAP_DB, default var/hoidap.sqlite)
  import --db PATH FILE         import a JSON Lines ledger (all or nothing; exit 2 on invalid lines)
  export --db PATH [--out FILE] write the ledger as JSON Lines
  backup --db PATH --out FILE   a consistent copy of the whole store (ledger, accounts, queues, conversations), safe while
                                the server runs: SQLite, the file (restore: put it in place while stopped); PostgreSQL,
                                pg_dump of the schema (restore: pg_restore)
  migrate --from sqlite:FILE --to postgres://... [--replace]
                                moves a whole installation (ledger, accounts, tokens, queues, conversations, secrets)
                                to PostgreSQL in one transaction; a target holding data is refused unless --replace
  report --db PATH --from YYYY-MM-DD --to YYYY-MM-DD --format csv|json|md|xlsx|docx [--out FILE]
         [--headers codes|vi] [--report-number N --report-date YYYY-MM-DD]
                                Phụ biểu 02 for the period
  overdue --db PATH --agency CODE_OR_NAME [--at ISO] [--format text|json]
                                an agency's overdue questions
  route [--db PATH] [--at YYYY-MM-DD]
                                route JSON lines {"id","text"} from stdin to agencies (those in force on --at, default today), one JSON line out per line in
  train [--db PATH] [--at YYYY-MM-DD]
                                train the router on intents/ and the officers' forwards; print what it learned and
                                the agencies in force on --at (default today) that no example reaches
  eval-routing FILE... [--cross-validate] [--db PATH] [--format text|json] [--at YYYY-MM-DD]
                                accuracy of the router on labeled JSON Lines files {"text","agency"[,"id","style"]}, in one
                                table per file, writer (id prefix) and style, with calibration; --cross-validate holds out
                                each writer of intents/writers/ in turn and fits the confidence temperature
  eval-admin FILE [--today YYYY-MM-DD] [--format text|json]
                                accuracy of the admin query parser on JSON Lines {"id","text","expected","style"}
                                (overall, per field, intent and style, and the misses); --today dates "hôm qua", "quý trước"
  eval-faq FILE [--format text|json]
                                accuracy of the knowledge base on JSON lines {"id","text","entry","style"} (entry: an id or "none")
  account create --db PATH --name NAME --role officer|approver|editor|admin [--agency CODE_OR_NAME] [--email ADDRESS]
                                create a back-office account; prints its id and API token (shown once); the e-mail
                                address is where it is told of work when it links no chat (approvers: new drafts)
  account set-email --db PATH --id ID --email ADDRESS
                                change an account's e-mail address (--email "" removes it)
  account list --db PATH        list the accounts
  account link-code --db PATH --id ID
                                a one-time code the person sends to the bot ("LIEN KET XXXXX-XXXXX") to link their chat
  account deactivate --db PATH --id ID
                                deactivate an account: its API tokens, chat links and link codes stop working
  account revoke-tokens --db PATH --id ID
                                revoke every API token of an account
  account unlink --db PATH --id ID [--channel CHANNEL --user USER_ID]
                                unlink one chat identity of an account, or all of them
  held list --db PATH [--format text|json]
                                questions over a daily limit (data/policy.json questionsPerDay), waiting for an editor
  held release|discard --db PATH --id N [--by WHO]
                                file a held question in the ledger, or discard it
  reorganise --db PATH --plan FILE [--dry-run]
                                apply a dated reorganisation (data/plans/2025.json): open questions forwarded to the
                                successors, officers listed for an admin; the dry run prints it agency by agency
`;

type Output = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };

/** Parses `--name value` options (all string-valued) and positionals; unknown options are usage errors. */
function args(argv: string[], names: string[], allowPositionals = false): { values: Record<string, string | undefined>; positionals: string[] } {
  const options: ParseArgsConfig['options'] = Object.fromEntries(names.map((n) => [n, { type: 'string' as const }]));
  try {
    const parsed = parseArgs({ args: argv, options, allowPositionals, strict: true });
    return { values: parsed.values as Record<string, string | undefined>, positionals: parsed.positionals };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function required(value: string | undefined, name: string): string {
  if (!value) throw new UsageError(`--${name} is required`);
  return value;
}

function dayArg(value: string | undefined, name: string): number {
  const text = required(value, name);
  const day = parseDay(text);
  if (day === undefined) throw new UsageError(`--${name} must be a date written YYYY-MM-DD, got "${text}"`);
  return day;
}

/** Opens the stores --db (or HOIDAP_DB) names through the composition root, for the time of one command. */
async function withRoot<T>(data: ProvinceData, dbPath: string | undefined, fn: (root: Root) => Promise<T>): Promise<T> {
  const { openRoot } = await import('../composition-root');
  const root = await openRoot(data, dbPath);
  try {
    return await fn(root);
  } finally {
    await root.close();
  }
}

/** An input file's text, or a usage error that names it. */
function readInputFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function writeOut(out: Output, file: string | undefined, content: string | Buffer): void {
  if (file !== undefined) fs.writeFileSync(file, content);
  else out.stdout.write(content);
}

async function importCommand(argv: string[], data: ProvinceData, out: Output): Promise<number> {
  const { values, positionals } = args(argv, ['db'], true);
  if (positionals.length !== 1) throw new UsageError('import takes one ledger file: hoidap import --db PATH FILE');
  const file = positionals[0];
  const text = readInputFile(file);
  return withRoot(data, values.db, async ({ stores: { ledger: store } }) => {
    const result = await new Ledger(store, data).importLines(text.split(/\r?\n/));
    if (result.errors.length > 0) {
      for (const e of result.errors) out.stderr.write(`${file}:${e.line}: ${e.reason}\n`);
      out.stderr.write(`${result.errors.length} invalid line(s); nothing was imported\n`);
      return 2;
    }
    out.stdout.write(`imported ${result.imported} event(s) of ${result.questions} question(s); ${result.alreadyPresent} already present\n`);
    return 0;
  });
}

async function exportCommand(argv: string[], data: ProvinceData, out: Output): Promise<number> {
  const { values } = args(argv, ['db', 'out']);
  return withRoot(data, values.db, async ({ stores: { ledger: store } }) => {
    const lines: string[] = [];
    for await (const line of new Ledger(store, data).exportLines()) lines.push(line);
    writeOut(out, values.out, lines.length > 0 ? `${lines.join('\n')}\n` : '');
    return 0;
  });
}

async function backupCommand(argv: string[], data: ProvinceData, out: Output): Promise<number> {
  const { values } = args(argv, ['db', 'out']);
  const source = existingDb(values.db);
  if (!values.out) throw new UsageError('--out FILE is required: where to write the copy');
  const target = path.resolve(values.out);
  if (fs.existsSync(target)) throw new UsageError(`${target} already exists: a backup never overwrites a file`);
  return withRoot(data, source, async ({ stores }) => {
    if (!stores.backup) throw new UsageError(`the store is ${stores.kind === 'postgres' ? 'PostgreSQL: back it up with pg_dump' : `${stores.kind}: back it up with its own tools`} (or hoidap export for the ledger alone)`);
    const { bytes, summary } = await stores.backup(target).catch((err: unknown) => {
      // pg_dump absent: say what to install; nothing was written.
      if (err instanceof PgToolMissingError) throw new UsageError(err.message);
      throw err;
    });
    out.stdout.write(`${target}: ${bytes} bytes, ${summary}\n`);
    return 0;
  });
}

async function migrateCommand(argv: string[], out: Output): Promise<number> {
  const replace = argv.includes('--replace');
  const { values } = args(
    argv.filter((a) => a !== '--replace'),
    ['from', 'to'],
  );
  const from = required(values.from, 'from');
  const to = required(values.to, 'to');
  if (isPostgresLocation(from)) throw new UsageError('--from must be the SQLite installation to move (sqlite:FILE or a path)');
  if (!isPostgresLocation(to)) throw new UsageError(`--to must be a postgres:// location (with ?schema=NAME for a schema of its own), got "${to}"`);
  try {
    const { tables } = await migrateInstallation(from, to, { replace });
    for (const { table, rows } of tables) out.stdout.write(`${table.padEnd(20)}${rows}\n`);
    out.stdout.write(`moved ${tables.reduce((n, t) => n + t.rows, 0)} row(s) of ${tables.length} tables to PostgreSQL; point HOIDAP_DB at it and start the servers\n`);
    return 0;
  } catch (err) {
    if (err instanceof MigrationRefused) throw new UsageError(err.message);
    throw err;
  }
}

async function reportCommand(argv: string[], data: ProvinceData, out: Output): Promise<number> {
  const { values } = args(argv, ['db', 'from', 'to', 'format', 'out', 'headers', 'report-number', 'report-date']);
  const fromDay = dayArg(values.from, 'from');
  const toDay = dayArg(values.to, 'to');
  if (toDay < fromDay) throw new UsageError('--to must not be before --from');
  const format = (values.format ?? 'csv') as ReportFormat;
  if (!REPORT_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}`);
  const headers = (values.headers ?? 'codes') as CsvHeaders;
  if (!CSV_HEADERS.includes(headers)) throw new UsageError(`--headers must be one of ${CSV_HEADERS.join(', ')}`);
  const options: RenderOptions = { headers };
  if (values['report-number'] !== undefined) options.reportNumber = values['report-number'];
  if (values['report-date'] !== undefined) options.reportDay = dayArg(values['report-date'], 'report-date');
  return withRoot(data, values.db, async ({ stores: { ledger: store } }) => {
    const report = await appendix02Report(store, data, { fromDay, toDay });
    writeOut(out, values.out, await renderReport(report, format, data, options));
    return 0;
  });
}

async function overdueCommand(argv: string[], data: ProvinceData, out: Output): Promise<number> {
  const { values } = args(argv, ['db', 'agency', 'at', 'format']);
  const name = required(values.agency, 'agency');
  const match = data.agencies.resolve(name);
  if (match.kind === 'unknown') throw new UsageError(`no agency is called "${name}"; use a code from data/agencies.json or a name such as "Bảo Thắng"`);
  if (match.kind === 'ambiguous')
    throw new UsageError(`"${name}" may mean ${match.candidates.map((a) => `${a.code} (${a.name})`).join(', ')}; be more precise`);
  const at = values.at === undefined ? Date.now() : parseInstant(values.at);
  if (at === undefined) throw new UsageError(`--at must be an ISO 8601 instant with an offset, e.g. 2023-09-25T17:00:00+07:00, got "${values.at}"`);
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError('--format must be text or json');
  const agency = match.agency;
  return withRoot(data, values.db, async ({ stores: { ledger: store } }) => {
    const list = await overdueQuestions(store, data, agency, at);
    const { clock } = data;
    if (format === 'json') {
      const rows = list.map((o) => ({
        q: o.q,
        agency: o.agency,
        deadline: o.overdue.deadline,
        due: clock.format(o.overdue.due),
        workingDaysOverdue: o.overdue.workingDaysOverdue,
        caseStart: clock.format(o.case.start),
        accepted: o.case.accepted !== undefined && o.case.accepted <= at,
        text: o.text,
      }));
      out.stdout.write(`${JSON.stringify({ agency: agency.code, name: agency.name, at: clock.format(at), overdue: rows }, null, 2)}\n`);
      return 0;
    }
    // Read here, not at the top: the texts are checked when they are loaded, and a command that needs none must run with them broken.
    const { STAFF_TEXTS, fill } = await import('../bot/texts');
    const T = STAFF_TEXTS.cli.overdue;
    out.stdout.write(`${fill(T.heading, { agency: agency.name, code: agency.code, count: list.length, at: clock.formatDateTimeVi(at) })}\n`);
    for (const o of list) {
      const accepted = o.case.accepted !== undefined && o.case.accepted <= at;
      const answerDue = clock.formatDateVi(o.case.answerDue);
      const deadlines = accepted ? fill(T.accepted, { answerDue }) : fill(T.notAccepted, { acceptDue: clock.formatDateVi(o.case.acceptDue), answerDue });
      const late = fill(T.late, { what: STAFF_TEXTS.deadline[o.overdue.deadline], days: o.overdue.workingDaysOverdue });
      out.stdout.write(`${fill(T.line, { q: o.q, start: clock.formatDateVi(o.case.start), deadlines, late, text: excerpt(o.text, 70) })}\n`);
    }
    return 0;
  });
}

/** The store for routing corrections: only an existing database (routing never creates one). */
async function correctionsFrom(data: ProvinceData, dbPath: string | undefined): Promise<LabeledQuestion[]> {
  const location = dbPath ?? process.env.HOIDAP_DB ?? DEFAULT_DB_PATH;
  if (!isPostgresLocation(location) && !fs.existsSync(sqliteFile(location))) {
    if (dbPath) throw new UsageError(`no database at ${dbPath}`);
    return [];
  }
  return withRoot(data, location, ({ stores }) => stores.ledger.routingCorrections());
}

async function routerFor(data: ProvinceData, dbPath: string | undefined) {
  const corrections = await correctionsFrom(data, dbPath);
  return { router: buildRouter(data, loadRoutingResources(data), corrections), corrections };
}

/** The day routing works on: --at, or today. */
function routingDay(at: string | undefined, data: ProvinceData): number {
  return at === undefined ? data.clock.dayOf(Date.now()) : dayArg(at, 'at');
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function routeCommand(argv: string[], data: ProvinceData, out: Output, input: () => Promise<string>): Promise<number> {
  const { values } = args(argv, ['db', 'at']);
  const day = routingDay(values.at, data);
  const { router } = await routerFor(data, values.db);
  let bad = 0;
  const lines = (await input()).split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((line, index) => {
    // Bounded like `import`: size, nesting and duplicate keys are checked before anything parses the line.
    const item = parseRouteLine(line, index + 1);
    if (!item.ok) {
      bad += 1;
      return void out.stdout.write(`${JSON.stringify({ id: item.id, error: item.error })}\n`);
    }
    const r = router.route(item.text, { day });
    out.stdout.write(`${JSON.stringify({ id: item.id, agency: r.agency, confidence: r.confidence, candidates: r.candidates, triage: r.triage, reason: r.reason })}\n`);
  });
  if (bad > 0) out.stderr.write(`${bad} input line(s) could not be routed\n`);
  return bad > 0 ? 2 : 0;
}

async function trainCommand(argv: string[], data: ProvinceData, out: Output): Promise<number> {
  const { values } = args(argv, ['db', 'at']);
  const day = routingDay(values.at, data);
  const started = process.hrtime.bigint();
  const { router, corrections } = await routerFor(data, values.db);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const resources = loadRoutingResources(data);
  const perAgency = new Map<string, number>();
  for (const t of resources.training) perAgency.set(t.agency, (perAgency.get(t.agency) ?? 0) + 1);
  out.stdout.write(
    `trained in ${seconds.toFixed(2)} s on ${resources.training.length} examples for ${perAgency.size} agencies ` +
      `and ${corrections.length} officers' correction(s); vocabulary ${router.vocabularySize} features\n`,
  );
  // An agency of today gets work from its own examples or from those of the agencies it took over (a
  // district's go to the units formed from it): only the ones reached by neither are worth naming.
  const idle = data.agencies.withoutWorkOn([...perAgency.keys(), ...corrections.map((c) => c.agency)], day).map((a) => a.code);
  if (idle.length > 0) out.stdout.write(`agencies in force on ${formatDay(day)} that no example reaches (neither their own nor a predecessor's): ${idle.length}: ${idle.join(', ')}\n`);
  return 0;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

async function evalRoutingCommand(argv: string[], data: ProvinceData, out: Output): Promise<number> {
  // A flag without a value: node's parseArgs is set up here for string options only.
  const crossValidate = argv.includes('--cross-validate');
  const rest = argv.filter((a) => a !== '--cross-validate');
  const { values, positionals } = args(rest, ['db', 'format', 'at'], true);
  // The sets' labels are 2023 agencies: on a later day they are read through the successors.
  const on = { day: routingDay(values.at, data), directory: data.agencies };
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError('--format must be text or json');
  if (positionals.length === 0 && !crossValidate)
    throw new UsageError('eval-routing takes one or more labeled JSON Lines files: hoidap eval-routing FILE... (or --cross-validate)');
  const set: EvaluationItem[] = [];
  const problems: string[] = [];
  for (const file of positionals) {
    readInputFile(file)
      .split(/\r?\n/)
      .forEach((line, i) => {
        if (!line.trim()) return;
        try {
          const item = JSON.parse(line) as { id?: unknown; text?: unknown; agency?: unknown; style?: unknown };
          if (typeof item.text !== 'string' || typeof item.agency !== 'string') problems.push(`${file}:${i + 1}: needs "text" and "agency" strings`);
          else if (!data.agencies.has(item.agency)) problems.push(`${file}:${i + 1}: unknown agency code "${item.agency}"`);
          else
            set.push({
              text: item.text,
              agency: item.agency,
              file,
              ...(typeof item.id === 'string' ? { id: item.id } : {}),
              ...(typeof item.style === 'string' ? { style: item.style } : {}),
            });
        } catch {
          problems.push(`${file}:${i + 1}: not valid JSON`);
        }
      });
  }
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  const { threshold, triageAgency } = { threshold: data.policy.routing.confidenceThreshold, triageAgency: data.policy.routing.triageAgency };
  const results: Record<string, unknown> = {};
  const text: string[] = [];
  if (crossValidate) {
    const resources = loadRoutingResources(data);
    const cv = crossValidateByWriter(resources.training, (training) => buildRouter(data, { ...resources, training: [...training] }), undefined, on);
    const atFitted = cv.byTemperature.find((t) => t.temperature === cv.fitted)?.evaluation;
    results.crossValidation = { writers: cv.writers, fittedTemperature: cv.fitted, configuredTemperature: resources.rules.temperature, byTemperature: cv.byTemperature.map((t) => ({ temperature: t.temperature, logLoss: t.evaluation.logLoss, top1: t.evaluation.top1, triageRate: t.evaluation.triageRate, wrongAgencyRate: t.evaluation.wrongAgencyRate })), atFitted };
    text.push(
      `leave one writer out (${cv.writers.join(', ')}): each writer routed by a router trained without it`,
      'temperature  log loss   top-1  triage  conf.wrong',
      ...cv.byTemperature.map((t) => `${t.temperature.toFixed(2).padStart(11)}${t.evaluation.logLoss.toFixed(3).padStart(10)}${pct(t.evaluation.top1).padStart(8)}${pct(t.evaluation.triageRate).padStart(8)}${pct(t.evaluation.wrongAgencyRate).padStart(12)}`),
      `fitted temperature ${cv.fitted} (lowest log loss); data/routing-rules.json has ${resources.rules.temperature}`,
      '',
      ...(atFitted ? [renderEvaluation(atFitted, { threshold, triageAgency, title: `held-out writers at temperature ${cv.fitted}:` }), ''] : []),
    );
  }
  if (set.length > 0) {
    const { router } = await routerFor(data, values.db);
    const e = evaluateRouter(router, set, on);
    Object.assign(results, e);
    text.push(
      renderEvaluation(e, { threshold, triageAgency, title: `${e.n} questions from ${positionals.join(', ')}` }),
      '',
      'agency            support  precision  recall',
      ...e.perAgency.map((a) => `${a.agency.padEnd(18)}${String(a.support).padStart(7)}  ${pct(a.precision).padStart(9)}  ${pct(a.recall).padStart(6)}`),
      '',
      'most frequent confusions (expected → routed):',
      ...e.confusions.slice(0, 15).map((c) => `  ${c.expected} → ${c.got}: ${c.count}`),
      '',
    );
  }
  out.stdout.write(format === 'json' ? `${JSON.stringify(results, null, 2)}\n` : `${text.join('\n')}\n`);
  return 0;
}

async function evalAdminCommand(argv: string[], data: ProvinceData, out: Output): Promise<number> {
  const { values, positionals } = args(argv, ['today', 'format'], true);
  if (positionals.length !== 1) throw new UsageError('eval-admin takes one labelled JSON Lines file: hoidap eval-admin FILE [--today YYYY-MM-DD]');
  const file = positionals[0];
  const { requests, problems } = readLabelledRequests(readInputFile(file), file, (code) => data.agencies.has(code));
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  // Noon of the given local day: relative words ("hôm qua", "quý trước") are read from that day.
  const now = values.today === undefined ? Date.now() : data.clock.startOfDay(dayArg(values.today, 'today')) + 12 * 3_600_000;
  const { normalizer, gazetteer } = loadRoutingResources(data);
  const context = { agencies: data.agencies, normalizer, gazetteer, clock: data.clock, now };
  const e = evaluateAdminParser(requests, (text) => structuredQuery(parseAdminQuery(text, context)));
  out.stdout.write(values.format === 'json' ? `${JSON.stringify(e, null, 2)}\n` : formatAdminEvaluation(e, file));
  return 0;
}

/** --db, which must name an existing SQLite file (or a PostgreSQL URI): commands that only read never create one. */
function existingDb(dbPath: string | undefined): string {
  const db = required(dbPath, 'db');
  if (!isPostgresLocation(db) && !fs.existsSync(sqliteFile(db))) throw new UsageError(`no database at ${db}`);
  return db;
}

async function withBackoffice<T>(data: ProvinceData, dbPath: string | undefined, fn: (store: BackofficeStore) => Promise<T>, mustExist = true): Promise<T> {
  const db = mustExist ? existingDb(dbPath) : required(dbPath, 'db');
  return withRoot(data, db, ({ stores }) => fn(stores.backoffice));
}

async function accountCommand(argv: string[], data: ProvinceData, out: Output): Promise<number> {
  // Imported here: it reads data/texts at import, and a broken file is then reported as this command's error.
  const { createAccountWithToken, deactivateAccount, linkCodeInstructions, revokeAccountTokens, setAccountEmail, unlinkAccount, validateAccountInput } = await import('../backoffice/accounts');
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'create': {
      const { values } = args(rest, ['db', 'name', 'role', 'agency', 'email']);
      const name = required(values.name, 'name');
      const role = required(values.role, 'role');
      required(values.db, 'db');
      // Checked before the database is opened: bad input changes nothing.
      let input: { name: string; role: string; agency?: string; email?: string };
      try {
        input = validateAccountInput(data, { name, role, ...(values.agency !== undefined ? { agency: values.agency } : {}), ...(values.email !== undefined ? { email: values.email } : {}) });
      } catch (err) {
        if (err instanceof WorkflowError) throw new UsageError(err.message.replace(/^(agency|role|name|email)\b/, '--$1').replace('leave agency out', 'leave --agency out'));
        throw err;
      }
      return withBackoffice(data, values.db, async (store) => {
        const { account, token } = await createAccountWithToken(store, data, input, Date.now());
        const agency = account.agency ? `, ${account.agency} (${data.agencies.get(account.agency)?.name ?? account.agency})` : '';
        out.stdout.write(`account ${account.id}: ${account.name}, ${account.role}${agency}${account.email ? `, e-mail ${account.email}` : ''}\n`);
        out.stdout.write(`API token (shown only this once; keep it secret): ${token}\n`);
        out.stdout.write(`use it as "Authorization: Bearer <token>" on /api/v1; link a chat with: npx hoidap account link-code --db ${values.db} --id ${account.id}\n`);
        return 0;
      }, false);
    }
    case 'list': {
      const { values } = args(rest, ['db']);
      return withBackoffice(data, values.db, async (store) => {
        const accounts = await store.listAccounts();
        if (accounts.length === 0) {
          out.stdout.write('no accounts yet; create one with: npx hoidap account create --db PATH --name NAME --role admin\n');
          return 0;
        }
        const mailWidth = Math.max(6, ...accounts.map((a) => (a.email ?? '-').length)) + 2;
        out.stdout.write(`${'id'.padEnd(21)}${'role'.padEnd(10)}${'agency'.padEnd(16)}${'active'.padEnd(8)}${'created'.padEnd(18)}${'e-mail'.padEnd(mailWidth)}name\n`);
        for (const a of accounts)
          out.stdout.write(
            `${a.id.padEnd(21)}${a.role.padEnd(10)}${(a.agency ?? '-').padEnd(16)}${(a.active ? 'yes' : 'no').padEnd(8)}${data.clock.formatDateTimeVi(a.createdAt).padEnd(18)}${(a.email ?? '-').padEnd(mailWidth)}${a.name}\n`,
          );
        return 0;
      });
    }
    case 'link-code': {
      const { values } = args(rest, ['db', 'id']);
      const id = required(values.id, 'id');
      return withBackoffice(data, values.db, async (store) => {
        const account = await store.getAccount(id);
        if (!account) throw new UsageError(`no account ${id}; see npx hoidap account list --db ${values.db}`);
        if (!account.active) throw new UsageError(`account ${id} is deactivated`);
        const now = Date.now();
        const ttl = data.policy.linking.codeTtlMinutes * 60_000;
        const code = await store.createLinkCode(id, now, ttl);
        out.stdout.write(`link code for ${account.id} (${account.name}): ${code}\n`);
        out.stdout.write(`${linkCodeInstructions(code, now + ttl, data)}\n`);
        return 0;
      });
    }
    case 'set-email': {
      const { values } = args(rest, ['db', 'id', 'email']);
      const id = required(values.id, 'id');
      if (values.email === undefined) throw new UsageError('--email is required: an address to set, or --email "" to remove it');
      const remove = values.email.trim() === '';
      return withBackoffice(data, values.db, async (store) => {
        let account;
        try {
          account = await setAccountEmail(store, id, remove ? undefined : values.email, 'cli');
        } catch (err) {
          if (err instanceof WorkflowError) throw new UsageError(err.message.replace(/^email\b/, '--email'));
          throw err;
        }
        out.stdout.write(account.email ? `account ${account.id} (${account.name}): e-mail ${account.email}\n` : `account ${account.id} (${account.name}): no e-mail address\n`);
        return 0;
      });
    }
    // Closing an account's doors: each a logged action (by "cli": whoever holds the database file).
    case 'deactivate': {
      const { values } = args(rest, ['db', 'id']);
      const id = required(values.id, 'id');
      return withBackoffice(data, values.db, async (store) => {
        const account = await asUsage(() => deactivateAccount(store, id, 'cli'));
        out.stdout.write(`account ${account.id} (${account.name}) deactivated: its API tokens, chat links and link codes no longer work\n`);
        return 0;
      });
    }
    case 'revoke-tokens': {
      const { values } = args(rest, ['db', 'id']);
      const id = required(values.id, 'id');
      return withBackoffice(data, values.db, async (store) => {
        const revoked = await asUsage(() => revokeAccountTokens(store, id, 'cli', Date.now()));
        out.stdout.write(`account ${id}: ${revoked} API token${revoked === 1 ? '' : 's'} revoked\n`);
        return 0;
      });
    }
    case 'unlink': {
      const { values } = args(rest, ['db', 'id', 'channel', 'user']);
      const id = required(values.id, 'id');
      if ((values.channel === undefined) !== (values.user === undefined)) throw new UsageError('give both --channel and --user to unlink one chat identity, or neither to unlink all');
      return withBackoffice(data, values.db, async (store) => {
        if (values.channel === undefined) {
          const identities = await store.identitiesOf(id).catch(() => []);
          for (const i of identities) out.stdout.write(`unlinking ${i.channel} ${i.userId}\n`);
        }
        const identity = values.channel !== undefined && values.user !== undefined ? { channel: values.channel, userId: values.user } : undefined;
        const removed = await asUsage(() => unlinkAccount(store, id, 'cli', identity));
        out.stdout.write(`account ${id}: ${removed} chat identit${removed === 1 ? 'y' : 'ies'} unlinked\n`);
        return 0;
      });
    }
    default:
      throw new UsageError(
        sub
          ? `unknown account command "${sub}"; use create, set-email, list, link-code, deactivate, revoke-tokens or unlink`
          : 'account needs a command: create, set-email, list, link-code, deactivate, revoke-tokens or unlink',
      );
  }
}

/** WorkflowError 'not_found' and the like, said as usage errors (exit 2). */
async function asUsage<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof WorkflowError) throw new UsageError(err.message);
    throw err;
  }
}

/** The editors' queue of questions over a daily limit: list, release into the ledger, discard. */
async function heldCommand(argv: string[], data: ProvinceData, out: Output): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = args(rest, sub === 'list' ? ['db', 'format'] : ['db', 'id', 'by']);
  const db = existingDb(values.db);
  return withRoot(data, db, async (root) => {
    // A released question reaches the citizen's chat once answered (its conversation is kept in the bot state).
    const { heldQueue } = await import('../composition-root');
    const held = heldQueue(root);
    const { STAFF_TEXTS, fill } = await import('../bot/texts');
    const T = STAFF_TEXTS.cli.held;
    switch (sub) {
      case 'list': {
        const items = await held.waiting(1000);
        if (values.format === 'json') {
          for (const h of items) out.stdout.write(`${JSON.stringify({ id: h.id, heldAt: data.clock.format(h.heldAt), reason: h.reason, channel: h.body.channel, text: h.body.text, asker: h.body.asker, agency: h.body.agency })}\n`);
          return 0;
        }
        out.stdout.write(`${items.length === 0 ? T.none : fill(T.heading, { count: items.length })}\n`);
        for (const h of items) out.stdout.write(`${h.id}\t${data.clock.formatDateTimeVi(h.heldAt)}\t${T.reason[h.reason]}\t${h.body.agency ?? T.noAgency}\t${excerpt(h.body.text, 80)}\n`);
        return 0;
      }
      case 'release':
      case 'discard': {
        const id = Number(required(values.id, 'id'));
        if (!Number.isSafeInteger(id)) throw new UsageError('--id must be a number (see hoidap held list)');
        const by = values.by ?? 'cli';
        if (sub === 'discard') {
          await asUsage(() => held.discard(id, by, Date.now()));
          out.stdout.write(`${fill(T.discarded, { id })}\n`);
        } else {
          const filed = await asUsage(() => held.release(id, by, Date.now()));
          out.stdout.write(`${fill(T.released, { id, q: filed.q, agency: data.agencies.get(filed.agency)?.name ?? filed.agency })}\n`);
        }
        return 0;
      }
      default:
        throw new UsageError(sub ? `unknown held command "${sub}"; use list, release or discard` : 'held needs a command: list, release or discard');
    }
  });
}

async function serveCommand(argv: string[], data: ProvinceData): Promise<number> {
  const { values } = args(argv, ['port', 'db']);
  const { startServer } = await import('../http/server');
  const dbLocation = values.db ?? process.env.HOIDAP_DB;
  // Zalo and Messenger turns run in a worker thread, so webhooks are acknowledged fast while the bot works.
  const worker = process.env.HOIDAP_MESSAGING_WORKER === '0' ? undefined : { dbLocation: dbLocation ?? DEFAULT_DB_PATH, dataDir: data.dataDir };
  const server = await startServer({ data, port: Number(values.port ?? process.env.PORT ?? 3978), ...(process.env.HOIDAP_HOST ? { host: process.env.HOIDAP_HOST } : {}), dbLocation, messaging: { worker }, sweeper: true, retention: true });
  await server.closed;
  return 0;
}

export async function main(
  argv: string[],
  out: Output = { stdout: process.stdout, stderr: process.stderr },
  input: () => Promise<string> = readStdin,
): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    out.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  try {
    const data = loadProvinceData(process.env.HOIDAP_DATA_DIR);
    switch (command) {
      case 'serve':
        return await serveCommand(rest, data);
      case 'import':
        return await importCommand(rest, data, out);
      case 'export':
        return await exportCommand(rest, data, out);
      case 'backup':
        return await backupCommand(rest, data, out);
      case 'migrate':
        return await migrateCommand(rest, out);
      case 'report':
        return await reportCommand(rest, data, out);
      case 'overdue':
        return await overdueCommand(rest, data, out);
      case 'route':
        return await routeCommand(rest, data, out, input);
      case 'train':
        return await trainCommand(rest, data, out);
      case 'eval-routing':
        return await evalRoutingCommand(rest, data, out);
      case 'eval-admin':
        return await evalAdminCommand(rest, data, out);
      case 'eval-faq':
        return evalFaqCommand(rest, data, out, (m) => new UsageError(m));
      case 'account':
        return await accountCommand(rest, data, out);
      case 'held':
        return await heldCommand(rest, data, out);
      case 'reorganise':
        return await reorganiseCommand(rest, data, out, (m) => new UsageError(m));
      default:
        throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      out.stderr.write(`hoidap ${command}: ${err.message}\n`);
      return 2;
    }
    // A data file the province edited: say which and what is wrong, without a stack trace.
    if (err instanceof DataError) {
      out.stderr.write(`hoidap ${command}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
