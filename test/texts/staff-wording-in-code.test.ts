import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * What officers, approvers, editors and admins read is data (data/texts/vi.json, section staff):
 * this test fails when a Vietnamese sentence (a string or template literal with a letter only
 * Vietnamese uses) appears again in the code that talks to them. Regular expressions are input
 * vocabulary (what the chat and the admin parser recognise), not output, and are not checked.
 * Anything else that must stay is in ALLOWED below, with the reason.
 */

const ROOT = path.join(__dirname, '..', '..');

/** The code that talks to staff: the staff chat, the admin's answers, the console, the CLI, the back office, the use cases. */
const CHECKED = ['dialogs/officer', 'src/admin/answers.ts', 'src/http/console', 'src/bot/factory.ts', 'src/cli/main.ts', 'src/backoffice', 'src/app', 'src/jobs/sweeper-texts.ts'];

/** Letters with Vietnamese diacritics (đ, ơ, ư, ă, â, ê, ô and the tone marks), upper and lower case. */
const VIETNAMESE = /[ăâđêôơưàáạảãằắặẳẵầấậẩẫèéẹẻẽềếệểễìíịỉĩòóọỏõồốộổỗờớợởỡùúụủũừứựửữỳýỵỷỹ]/i;

interface Allowed {
  file: string;
  /** A part of the literal's text. */
  text: string;
  reason: string;
}

const ALLOWED: Allowed[] = [
  { file: 'src/cli/main.ts', text: "the provincial portal's Q&A service (Hỏi - Đáp)", reason: 'the CLI usage is English for operators; it names the service by its Vietnamese name' },
  { file: 'src/cli/main.ts', text: 'Phụ biểu 02 for the period', reason: 'English usage text naming the annex by its official name' },
  { file: 'src/cli/main.ts', text: '--today dates "hôm qua", "quý trước"', reason: 'English usage text quoting the input words the admin parser reads' },
  { file: 'src/cli/main.ts', text: 'or a name such as "Bảo Thắng"', reason: 'English usage error giving an example of the input it accepts' },
  { file: 'src/app/questions/delete.ts', text: 'duplicate (trùng lặp)', reason: "the API's English schema documentation glossing each reason code with its Vietnamese name" },
  { file: 'src/app/common.ts', text: 'a name such as "Sở Y tế"', reason: "English operator error (the API's `error` field) giving an example of accepted input" },
  { file: 'src/backoffice/commands.ts', text: 'keep its key word (e.g. "trùng"', reason: 'a start-up error for whoever edits vi.json, quoting the input key words chat recognises' },
];

function filesUnder(rel: string): string[] {
  const full = path.join(ROOT, rel);
  if (fs.statSync(full).isFile()) return [rel];
  return fs
    .readdirSync(full, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(path.join(rel, e.name)) : e.name.endsWith('.ts') ? [path.join(rel, e.name)] : []));
}

interface Found {
  file: string;
  line: number;
  text: string;
}

/** Every string and template literal part with Vietnamese letters (regular expressions and comments are not literals). */
export function vietnameseLiterals(file: string, source: string): Found[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: Found[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      if (VIETNAMESE.test(node.text)) found.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, text: node.text });
    }
    node.forEachChild(visit);
  };
  visit(sf);
  return found;
}

const isAllowed = (f: Found) => ALLOWED.some((a) => a.file === f.file && f.text.includes(a.text));

describe('staff wording lives in data/texts, not in code', () => {
  const files = CHECKED.flatMap(filesUnder).map((f) => f.split(path.sep).join('/'));

  test('no Vietnamese sentence in a string literal of the code that talks to staff', () => {
    expect(files.length).toBeGreaterThan(40);
    const found = files.flatMap((f) => vietnameseLiterals(f, fs.readFileSync(path.join(ROOT, f), 'utf8'))).filter((f) => !isAllowed(f));
    expect(found.map((f) => `${f.file}:${f.line}: ${JSON.stringify(f.text.slice(0, 80))}`)).toEqual([]);
  });

  test('every allow-list entry still matches something (a stale entry would hide nothing and mislead)', () => {
    const all = files.flatMap((f) => vietnameseLiterals(f, fs.readFileSync(path.join(ROOT, f), 'utf8')));
    expect(ALLOWED.filter((a) => !all.some((f) => f.file === a.file && f.text.includes(a.text)))).toEqual([]);
  });

  test('the check sees literals, template parts and not regular expressions or comments', () => {
    const source = [
      "const a = 'Đã tiếp nhận';",
      'const b = `Hạn ${x} ngày`;',
      'const c = `x ${y} và ${z}`;',
      '// Tiếp nhận: a comment',
      'const d = /^(huy|hủy)$/i;',
      "const e = 'plain English';",
    ].join('\n');
    expect(vietnameseLiterals('x.ts', source).map((f) => [f.line, f.text])).toEqual([
      [1, 'Đã tiếp nhận'],
      [2, 'Hạn '],
      [2, ' ngày'],
      [3, ' và '],
    ]);
  });
});
