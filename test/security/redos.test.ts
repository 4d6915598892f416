/**
 * Finding 4 (ReDoS): the contact step's e-mail pattern ran before any length check, and
 * 'a@' + 'a.'.repeat(120000) + '@' held the event loop for 17 s. Every pattern that sees a
 * citizen's (or a chat user's) text must grow linearly with it, and an overlong message must be
 * refused where it enters the bot, before any pattern runs.
 */
import { MAX_TURN_TEXT } from '../../src/bot/bot';
import { findTicket } from '../../src/bot/intents';
import { parseStaffCommand } from '../../src/backoffice/commands';
import { parsePeriod } from '../../src/admin/period';
import { parseAdminQuery } from '../../src/admin/query';
import { PROJECT_ROOT } from '../../src/config/paths';
import { foldVietnamese } from '../../src/domain/text';
import { detectLanguage } from '../../src/routing/language';
import { validContact } from '../../dialogs/citizen/askAgencyDialog';
import { parseRating } from '../../dialogs/citizen/ratingDialog';
import { redactForPublic } from '../../src/domain/redact';
import { says, testBot } from '../helpers/bot';
import { NOW } from '../helpers/bot';
import { regexLiterals, sourceFiles, worstGrowth } from './growth';

/** Where citizens' and chat users' text goes: the dialogs, the bot, routing, staff commands, admins' queries, publication. */
const CHAT_TEXT_CODE = [
  'dialogs',
  'src/bot',
  'src/routing',
  'src/backoffice/commands.ts',
  'src/admin',
  'src/domain/text.ts',
  'src/domain/redact.ts',
  'src/channels/send-support.ts',
  'src/http/public-page.ts',
];

/** A ratio above this is super-linear: linear code gives about 1, quadratic about 8 (growthRatio). */
const SUPER_LINEAR = 4;

const EMAIL_ATTACK = (n: number) => 'a@' + 'a.'.repeat(n) + '@';

describe('ReDoS: patterns that see citizen text', () => {
  const literals = regexLiterals(PROJECT_ROOT, sourceFiles(PROJECT_ROOT, CHAT_TEXT_CODE));

  test('the source files hold the patterns this test checks', () => {
    expect(literals.length).toBeGreaterThan(50);
    expect(literals.some((l) => l.file.endsWith('askAgencyDialog.ts') && l.source.includes('@'))).toBe(true);
  });

  test('no regular expression literal on the chat-text path grows super-linearly with adversarial input', () => {
    const offenders: string[] = [];
    for (const literal of literals) {
      const run = (input: string) => {
        const re = new RegExp(literal.regex.source, literal.regex.flags);
        return re.global || re.sticky ? input.replace(re, '') : re.exec(input);
      };
      const worst = worstGrowth(run);
      if (worst.ratio > SUPER_LINEAR) offenders.push(`${literal.file}:${literal.line} ${literal.source} on ${worst.attack}: ×${worst.ratio.toFixed(1)}`);
    }
    expect(offenders).toEqual([]);
  });

  test('the functions that parse chat text grow linearly up to the longest message the bot reads', async () => {
    const { services } = await testBot();
    const adminContext = { agencies: services.data.agencies, normalizer: services.normalizer, gazetteer: services.gazetteer, clock: services.data.clock, now: NOW };
    // Patterns built at run time (the normalizer's phrase fixes from data/abbreviations.json, the period patterns) are covered here.
    const parsers: Record<string, (text: string) => unknown> = {
      validContact,
      parseRating,
      parseStaffCommand,
      findTicket,
      detectLanguage,
      foldVietnamese,
      redactForPublic,
      parsePeriod: (text) => parsePeriod(services.normalizer.tokens(text).join(' '), services.data.clock.dayOf(NOW)),
      parseAdminQuery: (text) => parseAdminQuery(text, adminContext),
      normalizerTokens: (text) => services.normalizer.tokens(text),
      intents: (text) => services.intents.recognize(text),
      moderation: (text) => services.moderation.check(text),
      faq: (text) => services.faq.match(text),
      answered: (text) => services.answered.similar(text),
      router: (text) => services.router.route(text),
    };
    const offenders: string[] = [];
    for (const [name, parse] of Object.entries(parsers)) {
      const worst = worstGrowth(parse, Math.floor(MAX_TURN_TEXT / 8));
      if (worst.ratio > SUPER_LINEAR) offenders.push(`${name} on ${worst.attack}: ×${worst.ratio.toFixed(1)}`);
    }
    expect(offenders).toEqual([]);
  });

  /** On code where the contact check is super-linear, 1 MB would hang the test run: say so instead. */
  const contactCheckIsLinear = () => expect(worstGrowth(validContact).ratio).toBeLessThanOrEqual(SUPER_LINEAR);

  test('the contact check looks at the length before any pattern: 1 MB of the attack is refused', () => {
    contactCheckIsLinear();
    expect(validContact(EMAIL_ATTACK(500_000))).toBeUndefined();
    expect(validContact('ten@example.com')).toBe('ten@example.com');
    expect(validContact('Ten.Ho@mail.laocai.gov.vn')).toBe('ten.ho@mail.laocai.gov.vn');
    expect(validContact('0912 345 678')).toBe('0912345678');
    expect(validContact('a@b')).toBeUndefined();
  });

  test('a 1 MB message at the contact step is refused where it enters the bot; the dialog goes on', async () => {
    contactCheckIsLinear();
    const { adapter } = await testBot();
    await adapter
      .send('Gửi câu hỏi')
      .assertReply(says('Mời bạn nhập nội dung câu hỏi'))
      .send('cho toi hoi thu tuc cap giay phep xay dung nha o tai xa Xuan Quang')
      .assertReply(() => undefined)
      .send('Nguyen Van An')
      .assertReply(says('số điện thoại hoặc email'))
      .send(EMAIL_ATTACK(500_000))
      .assertReply(says('Tin nhắn quá dài'))
      .send('0912345678')
      .assertReply(says('xã/phường nào'))
      .startTest();
  });
});
