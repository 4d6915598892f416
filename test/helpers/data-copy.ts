import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config/paths';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A copy of data/ in a temporary directory with policy.json and agencies.json edited. */
export function dataCopy(edit: { policy?: (policy: Json) => void; agencies?: (agencies: Json[]) => void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-data-'));
  fs.cpSync(path.join(PROJECT_ROOT, 'data'), dir, { recursive: true });
  const rewrite = (name: string, fn: (value: Json) => void) => {
    const file = path.join(dir, name);
    const value = JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
    fn(value);
    fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
  };
  if (edit.policy) rewrite('policy.json', edit.policy);
  if (edit.agencies) rewrite('agencies.json', (v) => edit.agencies?.(v.agencies as Json[]));
  return dir;
}

/** The rule change the tests make from a later date: shorter deadlines, a lower cap, other scores. */
export function stricterRulesFrom(from: string): Json {
  return {
    from,
    document: 'Quyết định thử nghiệm (test)',
    deadlines: { acceptWorkingDays: 1, answerWorkingDays: 7, extension: { maxWorkingDays: 2 } },
    scoring: { noEligibleCases: 10, allLate: 1, onTimeAuthorized: 20, highVolume: { score: 25, answersInAMonthMoreThan: 3 }, otherwise: 12 },
  };
}
