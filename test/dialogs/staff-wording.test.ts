import { TestFlow, type TestAdapter } from 'botbuilder';
import { BAO_THANG_QUESTION, fileQuestion, textOf } from '../helpers/bot';
import { instant } from '../helpers/province';
import { staffRig } from '../helpers/staff';

const flow = (adapter: TestAdapter) => new TestFlow(Promise.resolve(), adapter);
const ENGLISH_STATUS = /\b(submitted|assigned|accepted|answered|deleted)\b/;

describe('staff read Vietnamese statuses and whole words', () => {
  test('"xem" and "câu hỏi mới" name the status in Vietnamese and cut the question at a word with "…"', async () => {
    const rig = await staffRig({ now: instant('2026-11-30T09:00:00+07:00') });
    const officer = await rig.linked('officer-bt', 'officer', 'x-xuanquang');
    const citizen = rig.person('citizen');
    let ticket = '';
    await fileQuestion(citizen.adapter, (a) => void (ticket = /HD-\d{4}-\d{6}/.exec(textOf(a))?.[0] ?? '')).startTest();

    await flow(officer.person.adapter)
      .assertReply(() => undefined) // the new-question notice
      .send(`xem ${ticket}`)
      .assertReply((a) => {
        expect(textOf(a).split('\n')[0]).toMatch(new RegExp(`^${ticket} — UBND xã Xuân Quang — chờ tiếp nhận\\.`));
        expect(textOf(a)).not.toMatch(ENGLISH_STATUS);
      })
      .send('câu hỏi mới')
      .assertReply((a) => {
        const line = textOf(a).split('\n').find((l) => l.includes(ticket)) ?? '';
        expect(line).toMatch(new RegExp(`^• ${ticket} \\(chờ tiếp nhận\\): `));
        const shown = line.replace(/^[^:]*: /, '');
        // Cut after a whole word of the question, marked with "…", never inside "muon xin".
        expect(shown.endsWith('…')).toBe(true);
        const words = shown.slice(0, -1).split(' ');
        expect(BAO_THANG_QUESTION.split(' ').slice(0, words.length)).toEqual(words);
        expect(shown.length).toBeLessThanOrEqual(80);
      })
      .send(`tiếp nhận ${ticket}`)
      .assertReply(() => undefined)
      .send(`xem ${ticket}`)
      .assertReply((a) => expect(textOf(a).split('\n')[0]).toContain('— đã tiếp nhận, chờ trả lời.'))
      .startTest();
    await rig.store.close();
  });
});
