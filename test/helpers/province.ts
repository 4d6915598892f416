import { loadProvinceData, type ProvinceData } from '../../src/config/data';
import { parseDay, parseInstant } from '../../src/domain/time';

let cached: ProvinceData | undefined;

/** The project's real data/ (agencies, calendar, default policy). */
export function province(): ProvinceData {
  return (cached ??= loadProvinceData());
}

export function instant(iso: string): number {
  const ms = parseInstant(iso);
  if (ms === undefined) throw new Error(`bad instant in test: ${iso}`);
  return ms;
}

export function day(iso: string): number {
  const d = parseDay(iso);
  if (d === undefined) throw new Error(`bad day in test: ${iso}`);
  return d;
}

/** The local ISO form of an instant, without milliseconds when they are zero. */
export function local(ms: number): string {
  return province().clock.format(ms);
}

/** Builds JSON lines for a ledger from event objects. */
export function jsonl(...events: Array<Record<string, unknown>>): string[] {
  return events.map((e) => JSON.stringify(e));
}
