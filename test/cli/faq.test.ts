import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hoidap } from '../helpers/cli';

function file(lines: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-faq-'));
  const f = path.join(dir, 'set.jsonl');
  fs.writeFileSync(f, lines.join('\n') + '\n');
  return f;
}

describe('npx hoidap eval-faq', () => {
  const set = [
    { id: 'q1', text: 'khai tử cho bố', entry: 'khai-tu', style: 'accented' },
    { id: 'q2', text: 'lam can cuoc cho con 14 tuoi', entry: 'can-cuoc-cong-dan', style: 'unaccented' },
    { id: 'q3', text: 'how do I register a new business', entry: 'dang-ky-doanh-nghiep', style: 'english' },
    { id: 'q4', text: 'asdkjh qwe zzz', entry: 'none', style: 'accented' },
    { id: 'q5', text: 'khai tử cho bố', entry: 'khai-sinh', style: 'accented' },
  ].map((l) => JSON.stringify(l));

  test('top-1, correct "no match", wrong answers offered, per style and the misses', async () => {
    const run = await hoidap(['eval-faq', file(set)]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('5 lines from');
    expect(run.stdout).toMatch(/top-1 accuracy \(lines with an entry\)\s+75\.0%/);
    expect(run.stdout).toMatch(/correct "no match" \(none lines\)\s+100\.0%/);
    expect(run.stdout).toMatch(/wrong answers offered \(all lines\)\s+20\.0%/);
    expect(run.stdout).toMatch(/english\s+1\s+100\.0%/);
    expect(run.stdout).toContain('q5 accented: khai-sinh → khai-tu');
  });

  test('--format json gives the same figures as numbers', async () => {
    const run = await hoidap(['eval-faq', file(set), '--format', 'json']);
    expect(run.code).toBe(0);
    const e = JSON.parse(run.stdout);
    expect(e).toMatchObject({ n: 5, answerable: 4, correct: 3, wrong: 1, none: 1, noneCorrect: 1, top1: 0.75, noMatchRate: 1, wrongOfferedRate: 0.2 });
    expect(e.misses).toEqual([expect.objectContaining({ id: 'q5', expected: 'khai-sinh', got: 'khai-tu' })]);
  });

  test('an unknown entry or a line without text is a usage error naming the line (exit 2)', async () => {
    const run = await hoidap(['eval-faq', file([JSON.stringify({ id: 'x', text: 'a', entry: 'no-such-entry' }), '{"id":"y"}', 'not json'])]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(':1: unknown entry "no-such-entry"');
    expect(run.stderr).toContain(':2: needs "text" and "entry" strings');
    expect(run.stderr).toContain(':3: not valid JSON');
  });
});
