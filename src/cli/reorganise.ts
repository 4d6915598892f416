import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DataError, parseWith, readJsonFile, type ProvinceData } from '../config/data';
import { isPostgresLocation, openStores } from '../store/open';
import type { Agency } from '../domain/agencies';
import { DayTextSchema } from '../domain/dated';
import { foldVietnamese } from '../domain/text';
import { formatDayVi, parseDay } from '../domain/time';
import { Ledger } from '../ledger/ledger';
import { loadRoutingResources, type RoutingResources } from '../routing/load';
import type { LedgerStore } from '../store/types';
import type { Account } from '../backoffice/types';

/**
 * `hoidap reorganise --plan FILE [--dry-run]`: a dated reorganisation applied to a
 * database. On each day of the plan, the questions still open at an agency that ends
 * are forwarded to its successor (ledger events with the reason), a district's to the
 * commune-level unit of the question's place. Officers and approvers of an agency that
 * ends are listed for an admin (an account's agency is changed by recreating it). The
 * plan restates data/agencies.json and data/places.json and is checked against them.
 */

const unconfirmed = z.string().min(1).optional();

export const PlanSchema = z
  .object({
    name: z.string().min(1),
    notes: z.string().optional(),
    steps: z
      .array(
        z
          .object({
            on: DayTextSchema,
            document: z.string().min(1),
            /** Why the questions move, in the words officers read in the ledger. */
            reason: z.string().min(1),
            unconfirmed,
            agencies: z.array(
              z
                .object({
                  from: z.string().min(1),
                  to: z.union([z.string().min(1), z.array(z.string().min(1)).min(2)]),
                  /** Several successors, each for its territory: the question's place chooses. */
                  byPlace: z.boolean().optional(),
                  unconfirmed,
                })
                .strict(),
            ),
            places: z
              .array(z.object({ district: z.string().min(1), kind: z.enum(['xã', 'phường', 'thị trấn']), name: z.string().min(1), to: z.string().min(1), unconfirmed }).strict())
              .optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict()
  .superRefine((plan, ctx) => {
    plan.steps.forEach((s, i) => {
      if (i > 0 && s.on <= plan.steps[i - 1].on) ctx.addIssue({ code: 'custom', path: ['steps', i, 'on'], message: `must be after ${plan.steps[i - 1].on}: steps are in date order` });
      s.agencies.forEach((a, j) => {
        if (Array.isArray(a.to) !== (a.byPlace === true))
          ctx.addIssue({ code: 'custom', path: ['steps', i, 'agencies', j, 'byPlace'], message: 'several successors are chosen by place ("byPlace": true); one successor takes everything' });
      });
    });
  });

export type Plan = z.infer<typeof PlanSchema>;

/** Which step and entry a plan error is about: "steps[2].agencies[0] (tx-sapa, on 2025-07-01)". */
function planLabel(raw: unknown, p: PropertyKey[]): string | undefined {
  if (p[0] !== 'steps' || typeof p[1] !== 'number') return undefined;
  const step = (raw as { steps?: Array<{ on?: unknown; agencies?: Array<{ from?: unknown }>; places?: Array<{ kind?: unknown; name?: unknown }> }> }).steps?.[p[1]];
  const on = typeof step?.on === 'string' ? `on ${step.on}` : undefined;
  if (p[2] === 'agencies' && typeof p[3] === 'number') {
    const from = step?.agencies?.[p[3]]?.from;
    return [typeof from === 'string' ? from : undefined, on].filter(Boolean).join(', ') || undefined;
  }
  if (p[2] === 'places' && typeof p[3] === 'number') {
    const place = step?.places?.[p[3]];
    return [place ? `${String(place.kind)} ${String(place.name)}` : undefined, on].filter(Boolean).join(', ') || undefined;
  }
  return on;
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/** Reads a plan and checks it against the organisation and places in data/; errors name the file, step, entry and day. */
export function loadPlan(file: string, data: ProvinceData, resources: Pick<RoutingResources, 'places'>): Plan {
  const raw = readJsonFile(file);
  const plan = parseWith(PlanSchema, raw, file, (p) => planLabel(raw, p));
  const problems: string[] = [];
  const { places } = resources;
  plan.steps.forEach((s, i) => {
    s.agencies.forEach((a, j) => {
      const where = `steps[${i}].agencies[${j}] (${a.from}, on ${s.on})`;
      const agency = data.agencies.get(a.from);
      if (!agency) return void problems.push(`${where}: "${a.from}" is not an agency code in agencies.json`);
      if (agency.until !== s.on) return void problems.push(`${where}: agencies.json has ${a.from} ${agency.until ? `until ${agency.until}` : 'with no end'}; the plan ends it on ${s.on}`);
      const listed = agency.successors ?? (agency.successor ? [agency.successor] : []);
      const to = Array.isArray(a.to) ? a.to : [a.to];
      if (!same(listed, to)) problems.push(`${where}: agencies.json gives ${a.from} the successor(s) ${listed.join(', ') || '(none)'}; the plan says ${to.join(', ')}`);
    });
    s.places?.forEach((p, j) => {
      const where = `steps[${i}].places[${j}] (${p.kind} ${p.name}, on ${s.on})`;
      const district = places.districts.find((d) => d.agency === p.district);
      if (!district) return void problems.push(`${where}: "${p.district}" is not a district of places.json`);
      if (district.until !== s.on) problems.push(`${where}: places.json has ${p.district} ${district.until ? `until ${district.until}` : 'with no end'}; the plan moves its places on ${s.on}`);
      if (!district.communes.some((c) => c.kind === p.kind && foldVietnamese(c.name) === foldVietnamese(p.name))) return void problems.push(`${where}: not a commune of ${p.district} in places.json`);
      const unit = places.units?.find((u) => u.agency === p.to);
      if (!unit) return void problems.push(`${where}: "${p.to}" is not the agency of a unit of places.json`);
      if (unit.from !== s.on) problems.push(`${where}: ${unit.kind} ${unit.name} begins on ${unit.from}, not on ${s.on}`);
      if (!unit.predecessors.some((q) => q.district === p.district && q.kind === p.kind && foldVietnamese(q.name) === foldVietnamese(p.name)))
        problems.push(`${where}: places.json does not list it among the predecessors of ${unit.kind} ${unit.name}`);
    });
  });
  if (problems.length > 0) throw new DataError(file, problems);
  return plan;
}

export interface Forward {
  q: string;
  to: string;
  /** The instant of the forward: the plan's day, or the run when the question moved since. */
  at: number;
  reason: string;
  /** Why a question with several possible successors went where it went. */
  why?: string;
}

export interface AgencyOutcome {
  on: string;
  from: Agency;
  to: string[];
  forwards: Forward[];
  /** Officers and approvers of the agency that ends, for an admin to re-attach. */
  accounts: Account[];
}

export interface PlanOutcome {
  plan: Plan;
  agencies: AgencyOutcome[];
  /** Every fact of the plan and of the data it relies on that could not be confirmed. */
  unconfirmed: string[];
  /** Accounts could not be read (the back office is in SQLite only). */
  accountsUnavailable?: string;
}

interface Open {
  agency: string;
  lastEventAt: number;
  text: string;
  locality: string;
}

/** The questions open now (assigned or accepted, not answered or deleted), with what routing by place needs. */
async function openQuestions(store: LedgerStore): Promise<Map<string, Open>> {
  const texts = new Map<string, { text: string; locality: string }>();
  for await (const e of store.events()) {
    if (e.type !== 'submitted') continue;
    const body = JSON.parse(e.body) as { text?: unknown; asker?: { locality?: unknown } };
    texts.set(e.q, { text: typeof body.text === 'string' ? body.text : '', locality: typeof body.asker?.locality === 'string' ? body.asker.locality : '' });
  }
  const open = new Map<string, Open>();
  const ids = [...texts.keys()];
  for (let i = 0; i < ids.length; i += 500) {
    const states = await store.loadQuestions(ids.slice(i, i + 500));
    for (const [q, s] of states)
      if ((s.status === 'assigned' || s.status === 'accepted') && s.agency) open.set(q, { agency: s.agency, lastEventAt: s.lastEventAt, ...(texts.get(q) as { text: string; locality: string }) });
  }
  return open;
}

function unconfirmedFacts(plan: Plan, data: ProvinceData, resources: Pick<RoutingResources, 'places'>): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const agency = (code: string) => {
    if (seen.has(code)) return;
    seen.add(code);
    const a = data.agencies.get(code);
    if (!a) return;
    if (a.unconfirmed) out.push(`${code} (${a.name}): ${a.unconfirmed}`);
    for (const v of a.versions ?? []) if (v.unconfirmed) out.push(`${code}, from ${v.from}: ${v.unconfirmed}`);
  };
  for (const s of plan.steps) {
    if (s.unconfirmed) out.push(`the step of ${s.on}: ${s.unconfirmed}`);
    for (const a of s.agencies) {
      if (a.unconfirmed) out.push(`${a.from} → ${[a.to].flat().join(', ')} on ${s.on}: ${a.unconfirmed}`);
      for (const code of [a.from, ...[a.to].flat()]) agency(code);
    }
    for (const p of s.places ?? []) if (p.unconfirmed) out.push(`${p.kind} ${p.name} (${p.district}) → ${p.to}: ${p.unconfirmed}`);
  }
  // And the agencies the plan keeps whose later form is not confirmed (the organisation it leads to).
  for (const a of data.agencies.all) agency(a.code);
  for (const u of resources.places.units ?? []) if (u.unconfirmed) out.push(`${u.kind} ${u.name} (${u.code}): ${u.unconfirmed}`);
  return out;
}

export interface ReorganiseOptions {
  store: LedgerStore;
  data: ProvinceData;
  resources: Pick<RoutingResources, 'places' | 'gazetteer' | 'normalizer'>;
  /** Officers and approvers per agency; absent when the accounts cannot be read. */
  accounts?: (agency: string) => Promise<Account[]>;
  now: number;
  dryRun: boolean;
}

/** Works out (and unless a dry run, records) the forwards of the plan, step by step in date order. */
export async function reorganise(plan: Plan, options: ReorganiseOptions): Promise<PlanOutcome> {
  const { store, data, resources, now } = options;
  const { clock } = data;
  const open = await openQuestions(store);
  const name = (code: string) => data.agencies.get(code)?.name ?? code;
  const triage = data.policy.routing.triageAgency;
  const outcomes: AgencyOutcome[] = [];
  for (const step of plan.steps) {
    const day = parseDay(step.on) as number;
    const start = clock.startOfDay(day);
    for (const entry of step.agencies) {
      const to = [entry.to].flat();
      const outcome: AgencyOutcome = { on: step.on, from: data.agencies.get(entry.from) as Agency, to, forwards: [], accounts: (await options.accounts?.(entry.from)) ?? [] };
      for (const [q, o] of [...open].filter(([, o]) => o.agency === entry.from).sort(([a], [b]) => a.localeCompare(b))) {
        let target = to[0];
        let why: string | undefined;
        if (entry.byPlace) {
          // The unit of the place the question (or the asker's address) names on the day; none or several: the triage desk.
          const units = resources.gazetteer.unitsOf(
            [o.text, o.locality].flatMap((t) => resources.gazetteer.placesIn(resources.normalizer.tokens(t), t, day)),
          ).filter((u) => to.includes(u));
          if (units.length === 1) [target, why] = [units[0], `địa bàn: ${name(units[0])}`];
          else [target, why] = [triage, 'câu hỏi không nêu xã, phường: bộ phận tiếp nhận chọn đơn vị'];
        }
        // A question that moved since the day (accepted or extended at the old agency) is forwarded when the plan is applied.
        const at = o.lastEventAt < start ? start : Math.max(now, o.lastEventAt + 1000);
        const reason = `${step.reason} (${name(entry.from)} → ${name(target)}${why ? `; ${why}` : ''}; ${step.document})`;
        outcome.forwards.push({ q, to: target, at, reason, ...(why ? { why } : {}) });
        open.set(q, { ...o, agency: target, lastEventAt: at });
      }
      outcomes.push(outcome);
    }
  }
  if (!options.dryRun) {
    const ledger = new Ledger(store, data);
    // In time order, so that a question forwarded twice (cuc-thue → thue-kv8 → thue-laocai) is recorded in its order.
    const all = outcomes.flatMap((o) => o.forwards.map((f) => ({ ...f, from: o.from.code }))).sort((a, b) => a.at - b.at || a.q.localeCompare(b.q));
    for (const f of all) await ledger.record({ q: f.q, type: 'forwarded', at: clock.format(f.at), from: f.from, agency: f.to, reason: f.reason, by: 'system:reorganise' });
  }
  return { plan, agencies: outcomes, unconfirmed: unconfirmedFacts(plan, data, resources), ...(options.accounts ? {} : { accountsUnavailable: 'accounts are kept in the SQLite store only' }) };
}

/** The outcome agency by agency, for the operator. */
export function formatOutcome(outcome: PlanOutcome, data: ProvinceData, dryRun: boolean): string {
  const lines: string[] = [`${outcome.plan.name}${dryRun ? ' — dry run: nothing is changed' : ''}`];
  const name = (code: string) => data.agencies.get(code)?.name ?? code;
  let day = '';
  let forwards = 0;
  let accounts = 0;
  for (const o of outcome.agencies) {
    if (o.on !== day) {
      day = o.on;
      const step = outcome.plan.steps.find((s) => s.on === day);
      lines.push('', `${formatDayVi(parseDay(day) as number)} (${step?.document ?? ''})`);
    }
    const to = o.to.length === 1 ? `${o.to[0]} (${name(o.to[0])})` : `${o.to.length} units by the question's place: ${o.to.join(', ')}`;
    lines.push(`  ${o.from.code} (${o.from.name}) → ${to}`);
    lines.push(`    ${o.forwards.length === 0 ? 'no open question' : `${o.forwards.length} open question(s) ${dryRun ? 'would be' : ''} forwarded`.replace('  ', ' ')}`);
    for (const f of o.forwards) lines.push(`      ${f.q} → ${f.to}${f.why ? ` (${f.why})` : ''} at ${data.clock.format(f.at)}`);
    if (outcome.accountsUnavailable === undefined) {
      if (o.accounts.length > 0) lines.push(`    officers and approvers for an admin to re-attach${o.to.length === 1 ? ` to ${o.to[0]}` : ' (to the unit each works for)'}:`);
      for (const a of o.accounts) lines.push(`      account ${a.id} ${a.name} (${a.role})`);
    }
    forwards += o.forwards.length;
    accounts += o.accounts.length;
  }
  const places = outcome.plan.steps.reduce((n, s) => n + (s.places?.length ?? 0), 0);
  lines.push(
    '',
    `${outcome.agencies.length} agencies end; ${places} former communes map to their units; ${forwards} forward(s) ${dryRun ? 'would be' : 'were'} recorded; ${outcome.accountsUnavailable ? `accounts not read (${outcome.accountsUnavailable})` : `${accounts} account(s) to re-attach`}`,
  );
  if (outcome.unconfirmed.length > 0) lines.push('', `Unconfirmed (${outcome.unconfirmed.length}; check them before relying on them):`, ...outcome.unconfirmed.map((u) => `  - ${u}`));
  return `${lines.join('\n')}\n`;
}

/** The command's arguments and run; `usage` makes the CLI's usage error (exit 2). */
export async function reorganiseCommand(argv: string[], data: ProvinceData, out: { stdout: NodeJS.WritableStream }, usage: (message: string) => Error): Promise<number> {
  let values: { plan?: string; db?: string; 'dry-run'?: boolean };
  try {
    values = parseArgs({ args: argv, options: { plan: { type: 'string' }, db: { type: 'string' }, 'dry-run': { type: 'boolean' } }, strict: true }).values;
  } catch (err) {
    throw usage((err as Error).message);
  }
  if (!values.plan) throw usage('--plan FILE is required (the 2025 plan: data/plans/2025.json)');
  const dryRun = values['dry-run'] === true;
  const resources = loadRoutingResources(data);
  const plan = loadPlan(path.resolve(values.plan), data, resources);
  const location = values.db ?? process.env.HOIDAP_DB;
  if (!location) throw usage('--db PATH is required');
  if (!isPostgresLocation(location) && !(await import('node:fs')).existsSync(location)) throw usage(`no database at ${location}`);
  const stores = await openStores(location);
  try {
    const accounts = async (agency: string): Promise<Account[]> =>
      (await stores.backoffice.listAccounts({ agency })).filter((a) => a.active && (a.role === 'officer' || a.role === 'approver'));
    const outcome = await reorganise(plan, { store: stores.ledger, data, resources, accounts, now: Date.now(), dryRun });
    out.stdout.write(formatOutcome(outcome, data, dryRun));
    return 0;
  } finally {
    await stores.close();
  }
}
