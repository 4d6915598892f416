import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DataError, parseWith, readJsonFile, readJsonLinesWith, type ProvinceData } from '../config/data';
import { PROJECT_ROOT } from '../config/paths';
import type { AgencyDirectory } from '../domain/agencies';
import { describeLifetime } from '../domain/dated';
import { Gazetteer, PlacesSchema, type Places } from './gazetteer';
import { Normalizer } from './normalize';
import { Router, type LabeledQuestion, type RoutingRules } from './router';

export const DEFAULT_INTENTS_DIR = path.join(PROJECT_ROOT, 'intents');

const RulesSchema = z
  .object({
    notes: z.string().optional(),
    temperature: z.number().positive(),
    namedAgencyConfidence: z.number().min(0).max(1),
    model: z
      .object({
        epochs: z.number().int().min(1).max(100),
        rate: z.number().positive(),
        l2: z.number().min(0),
        minDocuments: z.number().int().min(1),
        writerWeight: z.number().positive(),
        seed: z.number().int(),
      })
      .strict(),
    addressees: z.array(z.object({ names: z.array(z.string().min(1)).min(1), agencies: z.array(z.string().min(1)).min(1) }).strict()),
    addressedAfter: z.array(z.string().min(1)),
    addressedBefore: z.array(z.string().min(1)),
    notAddressedAfter: z.array(z.string().min(1)),
    localTopics: z.record(z.string(), z.array(z.string().min(1))),
    placeNamesNeedingKind: z.array(z.string().min(1)),
    placeNamesNeedingDiacritics: z.array(z.string().min(1)),
    agenciesNotMentionable: z.array(z.string()),
    stopwords: z.array(z.string()),
    namedInPassingAfter: z.array(z.string().regex(/^\S+$/, 'one word')),
  })
  .strict();

const AbbreviationsSchema = z
  .object({
    abbreviations: z.record(z.string(), z.string().min(1)),
    misspellings: z.record(z.string(), z.string().min(1)).optional(),
  })
  .strict();

const AgencyExamplesSchema = z.object({ agency: z.string().min(1), examples: z.array(z.string().min(1)).min(1) }).strict();

export interface RoutingResources {
  normalizer: Normalizer;
  gazetteer: Gazetteer;
  /** data/places.json as validated. */
  places: Places;
  rules: RoutingRules;
  training: LabeledQuestion[];
}

/** Reads the routing data (data/ and intents/), validated; errors name the file and the entry. */
export function loadRoutingResources(province: ProvinceData, intentsDir: string = DEFAULT_INTENTS_DIR): RoutingResources {
  const { dataDir, agencies } = province;
  const rulesFile = path.join(dataDir, 'routing-rules.json');
  const rules = parseWith(RulesSchema, readJsonFile(rulesFile), rulesFile);
  for (const code of [...Object.keys(rules.localTopics), ...rules.agenciesNotMentionable])
    if (!agencies.has(code)) throw new DataError(rulesFile, [`"${code}" is not an agency code in agencies.json`]);
  rules.addressees.forEach((entry, i) => {
    for (const code of entry.agencies)
      if (!agencies.has(code)) throw new DataError(rulesFile, [`addressees[${i}] (${entry.names[0]}): "${code}" is not an agency code in agencies.json`]);
  });

  const abbreviationsFile = path.join(dataDir, 'abbreviations.json');
  const normalizer = new Normalizer(parseWith(AbbreviationsSchema, readJsonFile(abbreviationsFile), abbreviationsFile));

  const placesFile = path.join(dataDir, 'places.json');
  const placesRaw = readJsonFile(placesFile);
  const places = parseWith(PlacesSchema, placesRaw, placesFile, (p) => placeLabel(placesRaw, p));
  checkPlacesAgainstAgencies(places, agencies, placesFile);
  const gazetteer = new Gazetteer(places, normalizer, rules);

  const dir = path.join(intentsDir, 'agencies');
  const training: LabeledQuestion[] = [];
  let files: string[];
  try {
    files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  } catch {
    throw new DataError(dir, ['the training examples folder is missing']);
  }
  for (const f of files) {
    const file = path.join(dir, f);
    const entry = parseWith(AgencyExamplesSchema, readJsonFile(file), file);
    if (!agencies.has(entry.agency)) throw new DataError(file, [`agency: "${entry.agency}" is not an agency code in agencies.json`]);
    for (const text of entry.examples) training.push({ text, agency: entry.agency });
  }
  training.push(...readWriterExamples(path.join(intentsDir, 'writers'), agencies));
  if (training.length === 0) throw new DataError(dir, ['no training examples']);
  return { normalizer, gazetteer, places, rules, training };
}

const WriterLineSchema = z
  .object({
    id: z.string().min(1),
    text: z.string().min(3),
    agency: z.string().min(1),
    style: z.string().min(1),
    place: z.enum(['lao-cai', 'outside', 'none']),
  })
  .strict();

/** One labelled example per line: {"id","text","agency","style","place"} (the writers' format; `place` says what kind of place the text names). */
export function readLabeledLines(file: string, agencies: ProvinceData['agencies']): LabeledQuestion[] {
  return readJsonLinesWith(file, WriterLineSchema, (l) => (agencies.has(l.agency) ? undefined : `(${l.id}): "${l.agency}" is not an agency code in agencies.json`)).map((l) => ({
    id: l.id,
    text: l.text,
    agency: l.agency,
    style: l.style,
  }));
}

/** The writers' training files (intents/writers/*.jsonl), if any. */
function readWriterExamples(dir: string, agencies: ProvinceData['agencies']): LabeledQuestion[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .flatMap((f) => readLabeledLines(path.join(dir, f), agencies));
}

/** Which place and period a places.json entry is about: "units[41] (xã Xuân Quang, from 2025-07-01)". */
function placeLabel(raw: unknown, p: PropertyKey[]): string | undefined {
  if (typeof p[1] !== 'number') return undefined;
  type Entry = { name?: unknown; kind?: unknown; agency?: unknown; id?: unknown; province?: unknown; from?: unknown; until?: unknown; communes?: Entry[] };
  const list = (raw as Record<string, Entry[] | undefined>)[String(p[0])];
  let entry = Array.isArray(list) ? list[p[1]] : undefined;
  if (entry && p[2] === 'communes' && typeof p[3] === 'number' && Array.isArray(entry.communes)) entry = { ...entry.communes[p[3]], until: entry.communes[p[3]]?.until ?? entry.until };
  if (!entry) return undefined;
  const name = [entry.kind, entry.name ?? entry.province].filter((x) => typeof x === 'string').join(' ');
  const life = [typeof entry.from === 'string' ? `from ${entry.from}` : '', typeof entry.until === 'string' ? `until ${entry.until}` : ''].filter(Boolean).join(' ');
  return [name, life].filter(Boolean).join(', ') || undefined;
}

/**
 * The places and the agencies agree: a district's agency is a district that ends when the
 * district does, with the units formed from it as its successors; a unit's agency is a
 * commune committee living as long as the unit.
 */
function checkPlacesAgainstAgencies(places: Places, agencies: AgencyDirectory, file: string): void {
  const problems: string[] = [];
  const unitsOfDistrict = new Map<string, Set<string>>();
  for (const u of places.units ?? []) for (const p of u.predecessors) unitsOfDistrict.set(p.district, (unitsOfDistrict.get(p.district) ?? new Set()).add(u.agency));
  places.districts.forEach((d, i) => {
    const agency = agencies.get(d.agency);
    const where = `districts[${i}] (${d.kind} ${d.name}${d.until ? `, until ${d.until}` : ''})`;
    if (agency?.kind !== 'district') return void problems.push(`${where}: "${d.agency}" is not a district agency in agencies.json`);
    if (agency.until !== d.until) problems.push(`${where}: agencies.json has ${d.agency} ${describeLifetime(agency)}; a district and its committee end on the same day`);
    const units = unitsOfDistrict.get(d.agency);
    if (units) {
      const listed = new Set(agency.successors ?? (agency.successor ? [agency.successor] : []));
      const missing = [...units].filter((u) => !listed.has(u));
      const extra = [...listed].filter((u) => !units.has(u));
      if (missing.length > 0 || extra.length > 0)
        problems.push(`${where}: the successors of ${d.agency} in agencies.json must be the committees of the units formed from it${missing.length ? `; missing ${missing.join(', ')}` : ''}${extra.length ? `; not formed from it: ${extra.join(', ')}` : ''}`);
    }
  });
  places.units?.forEach((u, i) => {
    const agency = agencies.get(u.agency);
    const where = `units[${i}] (${u.kind} ${u.name}, from ${u.from})`;
    if (agency?.kind !== 'commune') return void problems.push(`${where}: "${u.agency}" is not a commune agency in agencies.json`);
    if (agency.from !== u.from || agency.until !== u.until) problems.push(`${where}: agencies.json has ${u.agency} ${describeLifetime(agency)}; a unit and its committee live as long`);
  });
  if (problems.length > 0) throw new DataError(file, problems);
}

export function buildRouter(province: ProvinceData, resources: RoutingResources, corrections: readonly LabeledQuestion[] = [], now: () => number = Date.now): Router {
  return new Router(
    {
      agencies: province.agencies.all,
      normalizer: resources.normalizer,
      gazetteer: resources.gazetteer,
      rules: resources.rules,
      triageAgency: province.policy.routing.triageAgency,
      threshold: province.policy.routing.confidenceThreshold,
      directory: province.agencies,
      today: () => province.clock.dayOf(now()),
    },
    resources.training,
    corrections,
  );
}
