import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataError } from '../../src/config/data';
import { DEFAULT_DATA_DIR, PROJECT_ROOT } from '../../src/config/paths';
import { apiErrorMessage, loadTexts, STAFF_TEXTS, TEXTS } from '../../src/bot/texts';

/** A copy of data/texts/ with one file changed by `edit`. */
function variant(file: 'vi.json' | 'en.json', edit: (json: any) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-texts-'));
  fs.mkdirSync(path.join(dir, 'texts'));
  for (const f of ['vi.json', 'en.json']) {
    const json = JSON.parse(fs.readFileSync(path.join(DEFAULT_DATA_DIR, 'texts', f), 'utf8'));
    if (f === file) edit(json);
    fs.writeFileSync(path.join(dir, 'texts', f), JSON.stringify(json));
  }
  return dir;
}

function problem(dir: string): string {
  try {
    loadTexts(dir);
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return (err as Error).message;
  }
  throw new Error('the texts loaded');
}

describe('texts as data (data/texts/vi.json, en.json)', () => {
  test('the bot says what the file says, with the values in place', () => {
    const dir = variant('vi.json', (j) => {
      j.citizen.rated = 'Đã ghi nhận {rating} sao. Cảm ơn bạn!';
    });
    expect(loadTexts(dir).citizen.vi.rated(5)).toBe('Đã ghi nhận 5 sao. Cảm ơn bạn!');
    expect(TEXTS.vi.messageTooLong(20000)).toBe('Tin nhắn quá dài (tối đa 20.000 ký tự). Bạn vui lòng gửi nội dung ngắn hơn.');
    expect(TEXTS.en.messageTooLong(20000)).toContain('at most 20,000 characters');
  });

  test('a key missing from en.json stops the start-up, naming the file and the key (no silent Vietnamese for English speakers)', () => {
    const dir = variant('en.json', (j) => {
      delete j.citizen.askRating;
      delete j.citizen.summary.triage;
    });
    const message = problem(dir);
    expect(message).toContain(path.join(dir, 'texts', 'en.json'));
    expect(message).toContain('citizen.askRating: missing');
    expect(message).toContain('citizen.summary.triage: missing');
  });

  test('a placeholder misspelt or left out is named with the placeholders the text may use', () => {
    const dir = variant('vi.json', (j) => {
      j.citizen.ticketUnknown = 'Không tìm thấy câu hỏi {tiket}.';
      j.staff.sweeper.draftLine = '- {q}: chờ duyệt.';
    });
    const message = problem(dir);
    expect(message).toContain('vi.json');
    expect(message).toContain('citizen.ticketUnknown: unknown placeholder {tiket} (this text may use {ticket})');
    expect(message).toContain('citizen.ticketUnknown: must contain {ticket}');
    expect(message).toContain('staff.sweeper.draftLine: must contain {days}');
  });

  test('an unknown key or an empty text is an error too; staff wording belongs to vi.json only', () => {
    const message = problem(
      variant('vi.json', (j) => {
        j.citizen.welcom = 'Xin chào';
        j.staff.role.admin = ' ';
      }),
    );
    expect(message).toMatch(/citizen: Unrecognized key: "welcom"/);
    expect(message).toContain('staff.role.admin: must not be empty');
    expect(problem(variant('en.json', (j) => (j.staff = { role: {} })))).toMatch(/en\.json: \(top level\): Unrecognized key: "staff"/);
  });

  test('staff wording of chat, console, CLI and notices is checked the same way: a missing or extra key and a wrong placeholder are named', () => {
    const dir = variant('vi.json', (j) => {
      delete j.staff.chat.accepted;
      j.staff.console.pages.question.changes.extra = 'Thừa';
      j.staff.cli.held.discarded = 'Đã bỏ câu hỏi chờ.';
      j.staff.notices.newQuestion = 'Câu hỏi mới {q} gửi {agency}: {text}. Hạn {due}.';
    });
    const message = problem(dir);
    expect(message).toContain('staff.chat.accepted: missing');
    expect(message).toMatch(/staff\.console\.pages\.question\.changes: Unrecognized key: "extra"/);
    expect(message).toContain('staff.cli.held.discarded: must contain {id}');
    expect(message).toContain('staff.notices.newQuestion: unknown placeholder {due}');
    expect(message).toContain('staff.notices.newQuestion: must contain {acceptDue}');
    // What staff read is the file's text (the code fills the placeholders).
    const edited = variant('vi.json', (j) => {
      j.staff.chat.accepted = 'Tiếp nhận xong {q}; trả lời trước {answerDue}.';
    });
    expect(loadTexts(edited).staff.chat.accepted).toBe('Tiếp nhận xong {q}; trả lời trước {answerDue}.');
  });

  test('staff wording and API messages are Vietnamese', () => {
    expect(STAFF_TEXTS.questionStatus.assigned).toBe('chờ tiếp nhận');
    expect(STAFF_TEXTS.role.approver).toBe('Lãnh đạo (duyệt)');
    expect(apiErrorMessage('forbidden')).toBe('Tài khoản không có quyền thực hiện thao tác này.');
  });
});

test('`hoidap serve` with a broken data/texts/en.json refuses to start and names the file and the keys', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-data-'));
  fs.cpSync(DEFAULT_DATA_DIR, dir, { recursive: true });
  const file = path.join(dir, 'texts', 'en.json');
  const en = JSON.parse(fs.readFileSync(file, 'utf8'));
  delete en.citizen.askRating;
  en.citizen.rated = 'Thanks for {rate} stars';
  fs.writeFileSync(file, JSON.stringify(en));
  const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', "require('./src/cli/main').main(['serve']).then((c) => process.exit(c))"], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, HOIDAP_DATA_DIR: dir, HOIDAP_DB: path.join(dir, 'hoidap.sqlite'), HOIDAP_DEMO: '0', PORT: '0', LOG_LEVEL: 'error' },
    encoding: 'utf8',
    timeout: 90_000,
  });
  expect(run.status).toBe(1);
  expect(run.stderr).toContain(`hoidap serve: ${file}: \n  - citizen.askRating: missing\n  - citizen.rated: unknown placeholder {rate} (this text may use {rating})`);
  fs.rmSync(dir, { recursive: true, force: true });
}, 120_000);

test('a delete reason renamed so that chat would read its button as another reason is refused at start-up', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-data-'));
  fs.cpSync(DEFAULT_DATA_DIR, dir, { recursive: true });
  const file = path.join(dir, 'texts', 'vi.json');
  const vi = JSON.parse(fs.readFileSync(file, 'utf8'));
  vi.staff.deleteReason.out_of_scope = 'Trùng phạm vi cơ quan khác';
  fs.writeFileSync(file, JSON.stringify(vi));
  const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', "require('./src/backoffice/commands')"], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, HOIDAP_DATA_DIR: dir },
    encoding: 'utf8',
    timeout: 90_000,
  });
  expect(run.status).not.toBe(0);
  expect(run.stderr).toContain(`${file}: staff.deleteReason.out_of_scope: "Trùng phạm vi cơ quan khác" would be read as duplicate when tapped in chat`);
  fs.rmSync(dir, { recursive: true, force: true });
}, 120_000);
