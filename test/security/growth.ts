import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * How a function's running time grows with its input, measured without any time budget:
 * `runs` calls on an input of size n against one call on an input of size runs × n
 * (the same number of characters in both). A linear function gives a ratio near 1;
 * a quadratic one near `runs` (8 here); the best of several samples removes noise.
 */
export function growthRatio(run: (input: string) => unknown, input: (n: number) => string, n = 500, runs = 8, samples = 5): number {
  const small = input(n);
  const large = input(n * runs);
  let bestSmall = Infinity;
  let bestLarge = Infinity;
  for (let s = 0; s < samples; s += 1) {
    let start = process.hrtime.bigint();
    for (let i = 0; i < runs; i += 1) run(small);
    bestSmall = Math.min(bestSmall, Number(process.hrtime.bigint() - start));
    start = process.hrtime.bigint();
    run(large);
    bestLarge = Math.min(bestLarge, Number(process.hrtime.bigint() - start));
  }
  // Below a few microseconds the clock, not the function, is measured.
  return Math.max(bestLarge, 20_000) / Math.max(bestSmall, 20_000);
}

/** Inputs an attacker would try: a prefix that passes the first checks, a repeated piece, an ending that makes the match fail. */
export const ATTACKS: Array<{ name: string; input: (n: number) => string }> = (() => {
  const prefixes = ['', '1', 'a@', 'HD-2026-'];
  const pumps = ['a', ' ', '1', 'a.', '1 ', 'oa', 'a ', 'ngay ', '\t-'];
  const endings = ['', '!', '\n', '@'];
  const attacks: Array<{ name: string; input: (n: number) => string }> = [];
  for (const prefix of prefixes)
    for (const pump of pumps)
      for (const ending of endings)
        attacks.push({ name: JSON.stringify(prefix + pump + '…' + ending), input: (n) => prefix + pump.repeat(Math.ceil(n / pump.length)) + ending });
  return attacks;
})();

/** The worst growth ratio of `run` over every attack, with the attack that gave it. */
export function worstGrowth(run: (input: string) => unknown, n?: number): { ratio: number; attack: string } {
  let worst = { ratio: 0, attack: '' };
  for (const attack of ATTACKS) {
    let ratio = growthRatio(run, attack.input, n);
    // One outlier (a garbage collection) is measured again before it counts.
    if (ratio > 3) ratio = Math.min(ratio, growthRatio(run, attack.input, n));
    if (ratio > worst.ratio) worst = { ratio, attack: attack.name };
  }
  return worst;
}

export interface RegexLiteral {
  file: string;
  line: number;
  source: string;
  regex: RegExp;
}

/** Every regular expression literal written in the given source files (the TypeScript parser finds them). */
export function regexLiterals(root: string, files: readonly string[]): RegexLiteral[] {
  const found: RegexLiteral[] = [];
  for (const file of files) {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
    const visit = (node: ts.Node) => {
      if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const literal = node.getText(sourceFile);
        const end = literal.lastIndexOf('/');
        found.push({
          file,
          line: sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1,
          source: literal,
          regex: new RegExp(literal.slice(1, end), literal.slice(end + 1)),
        });
      }
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
  }
  return found;
}

/** The .ts files under the given directories (relative to root), and the single files named. */
export function sourceFiles(root: string, entries: readonly string[]): string[] {
  const out: string[] = [];
  for (const entry of entries) {
    const full = path.join(root, entry);
    if (fs.statSync(full).isDirectory()) {
      for (const name of fs.readdirSync(full, { recursive: true }) as string[]) if (name.endsWith('.ts')) out.push(path.join(entry, name));
    } else out.push(entry);
  }
  return out.sort();
}
