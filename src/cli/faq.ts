import fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { ProvinceData } from '../config/data';
import { evaluateFaq, FaqBase, type FaqLabeled } from '../routing/faq';
import { loadRoutingResources } from '../routing/load';

type Output = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };

function pct(x: number | null): string {
  return x === null ? '   -  ' : `${(x * 100).toFixed(1)}%`.padStart(6);
}

/** `hoidap eval-faq FILE [--format text|json]`: the knowledge base's answers on a labeled set. */
export function evalFaqCommand(argv: string[], data: ProvinceData, out: Output, usage: (message: string) => Error): number {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { format: { type: 'string' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw usage((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw usage('eval-faq takes one labeled JSON Lines file: hoidap eval-faq FILE');
  if (values.format !== undefined && values.format !== 'text' && values.format !== 'json') throw usage('--format must be text or json');
  const file = positionals[0];
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw usage(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const faq = FaqBase.load(data, loadRoutingResources(data).normalizer);
  const set: FaqLabeled[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    let item: Partial<Record<keyof FaqLabeled, unknown>>;
    try {
      item = JSON.parse(line) as typeof item;
    } catch {
      problems.push(`${file}:${i + 1}: not valid JSON`);
      return;
    }
    if (typeof item.text !== 'string' || typeof item.entry !== 'string') problems.push(`${file}:${i + 1}: needs "text" and "entry" strings`);
    else if (item.entry !== 'none' && !faq.byId(item.entry)) problems.push(`${file}:${i + 1}: unknown entry "${item.entry}"`);
    else set.push({ id: typeof item.id === 'string' ? item.id : `line ${i + 1}`, text: item.text, entry: item.entry, style: typeof item.style === 'string' ? item.style : '-' });
  });
  if (problems.length > 0) throw usage(problems.join('\n'));
  const e = evaluateFaq(faq, set);
  if (values.format === 'json') {
    out.stdout.write(`${JSON.stringify(e, null, 2)}\n`);
    return 0;
  }
  out.stdout.write(
    [
      `${e.n} lines from ${file}: ${e.answerable} with an entry, ${e.none} with none (threshold ${faq.threshold})`,
      `top-1 accuracy (lines with an entry)  ${pct(e.top1)}  (${e.correct} right, ${e.wrong} another entry, ${e.missed} "no match")`,
      `correct "no match" (none lines)       ${pct(e.noMatchRate)}  (${e.noneCorrect} of ${e.none})`,
      `wrong answers offered (all lines)     ${pct(e.wrongOfferedRate)}  (${e.wrong + e.none - e.noneCorrect} of ${e.n})`,
      '',
      'style          lines   top-1  no match  wrong offered',
      ...e.perStyle.map((s) => `${s.style.padEnd(14)}${String(s.n).padStart(6)}  ${pct(s.top1)}  ${pct(s.noMatchRate)}    ${pct(s.wrongOffered)}`),
      '',
      `misses (${e.misses.length}): id, style, expected → answered (score), text`,
      ...e.misses.map((m) => `  ${m.id} ${m.style}: ${m.expected} → ${m.got} (${m.score.toFixed(2)})  ${m.text}`),
      '',
    ].join('\n'),
  );
  return 0;
}
