/**
 * Finding 7: citizens' data reached the public. A phone number and an e-mail typed inside a question
 * or an answer were published verbatim on /hoi-dap; a question's markdown link was rendered as a
 * clickable link when the bot offered it to another citizen; RTL override characters passed through.
 */
import { MemoryStorage, TestAdapter, type Activity } from 'botbuilder';
import type { Server } from 'node:http';
import { createBot } from '../../src/bot/factory';
import { MASKS, redactForPublic } from '../../src/domain/redact';
import { createApp } from '../../src/http/app';
import { Ledger } from '../../src/ledger/ledger';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { sqliteStores } from '../../src/store/open';
import { NOW, textOf } from '../helpers/bot';
import { province } from '../helpers/province';

const PHONE = '0912 345 678';
const EMAIL = 'nguyen.van.an@gmail.com';
const CCCD = '001089012345';
const RLO = '\u202e';
const LINK = '[Xem hướng dẫn](https://lua-dao.example/dang-nhap)';
const QUESTION = `Xin hỏi thủ tục cấp giấy phép xây dựng nhà ở tại xã Xuân Quang huyện Bảo Thắng cần những giấy tờ gì? Gọi tôi ${PHONE} hoặc ${EMAIL}, CCCD ${CCCD}. ${LINK} ${RLO}gpj.exe`;
const ANSWER = `Hồ sơ gồm đơn đề nghị và giấy tờ về đất, lệ phí 1.000.000.000 đồng là sai, chỉ 75.000 đồng. Liên hệ cán bộ 0214.3840.123 hoặc tiepdan@laocai.gov.vn.`;

describe('redactForPublic', () => {
  test('masks phone numbers in the ways people write them, e-mail addresses and ID numbers', () => {
    for (const phone of ['0912345678', '0912 345 678', '0912.345.678', '091-234-5678', '+84 912 345 678', '+84912345678', '84912345678', '0214.3840.123', '02143840123'])
      expect(redactForPublic(`gọi ${phone} nhé`)).toBe(`gọi ${MASKS.phone} nhé`);
    expect(redactForPublic(`thư ${EMAIL}.`)).toBe(`thư ${MASKS.email}.`);
    expect(redactForPublic('Trần.Thị+hỏi@mail.laocai.gov.vn')).toBe(MASKS.email);
    expect(redactForPublic(`CCCD ${CCCD}, CMND 123456789`)).toBe(`CCCD ${MASKS.idNumber}, CMND ${MASKS.idNumber}`);
  });

  test('masks the forms a red-team pass found unmasked: brackets, double spaces, 84 without +, grouped ID numbers, full-width @', () => {
    for (const phone of ['(0214) 3.840.123', '0912  345 678', '84 912 345 678', '84.912.345.678'])
      expect(redactForPublic(`gọi ${phone} nhé`)).toBe(`gọi ${MASKS.phone} nhé`);
    for (const id of ['0010 9501 2345', '001 095 012 345', '001.095.012.345'])
      expect(redactForPublic(`CCCD số ${id}.`)).toBe(`CCCD số ${MASKS.idNumber}.`);
    expect(redactForPublic('thư nguyen.van.a＠gmail.com')).toBe(`thư ${MASKS.email}`);
    const amounts = 'Hỗ trợ 84.000.000.000 đồng và 840.000 đồng; 0,5 ha; năm 2024';
    expect(redactForPublic(amounts)).toBe(amounts);
  });

  test('removes bidi overrides and zero-width characters, also when they split a number past the mask', () => {
    expect(redactForPublic(`${RLO}gpj.exe\u2066x\u2069`)).toBe('gpj.exex');
    expect(redactForPublic('0912\u200b345\u200b678')).toBe(MASKS.phone);
  });

  test('leaves amounts, dates, tickets and ordinary text alone', () => {
    const text = 'Lệ phí 1.000.000.000 đồng, 75.000 đồng; hạn 02/12/2026; HD-2026-000123; Điều 12 Nghị định 15/2021/NĐ-CP; a@b';
    expect(redactForPublic(text)).toBe(text);
  });
});

async function answered(store: SqliteLedgerStore, q: string, text: string, answer: string): Promise<void> {
  const ledger = new Ledger(store, province());
  await ledger.record({ q, type: 'submitted', at: '2026-11-02T08:00:00+07:00', channel: 'portal', text, asker: { name: 'Nguyễn Văn An', contact: '0912345678' } });
  await ledger.record({ q, type: 'assigned', at: '2026-11-02T08:05:00+07:00', agency: 'x-xuanquang', by: 'bot' });
  await ledger.record({ q, type: 'answered', at: '2026-11-05T15:00:00+07:00', agency: 'x-xuanquang', authorized: true, text: answer, by: 'approver:acc_x' });
}

describe('publication points', () => {
  let server: Server | undefined;
  afterEach(async () => {
    if (server) await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = undefined;
  });

  test('/hoi-dap shows neither the phone, the e-mail, the ID number nor the RTL override, and a search by phone finds nothing', async () => {
    const store = new SqliteLedgerStore(':memory:');
    await answered(store, 'HD-2026-000101', QUESTION, ANSWER);
    server = await new Promise<Server>((resolve) => {
      const s = createApp({ data: province(), stores: sqliteStores(store) }).listen(0, '127.0.0.1', () => resolve(s));
    });
    const address = server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const html = await (await fetch(`${base}/hoi-dap`)).text();
    expect(html).toContain('HD-2026-000101');
    for (const secret of [PHONE, '0912345678', EMAIL, CCCD, RLO, '0214.3840.123', 'tiepdan@laocai.gov.vn']) expect(html).not.toContain(secret);
    expect(html).toContain(MASKS.phone);
    expect(html).toContain(MASKS.email);
    expect(html).toContain(MASKS.idNumber);
    expect(html).toContain('75.000 đồng');
    expect(html).not.toMatch(/<a [^>]*lua-dao/);
    const search = await (await fetch(`${base}/hoi-dap?q=${encodeURIComponent('0912345678')}`)).text();
    expect(search).not.toContain('HD-2026-000101');
    await store.close();
  });

  test('offered to another citizen, an answered question is redacted and sent as plain text (its markdown link is never a link)', async () => {
    const store = new SqliteLedgerStore(':memory:');
    await answered(store, 'HD-2026-000101', QUESTION, ANSWER);
    const { bot } = await createBot({ data: province(), stores: sqliteStores(store), storage: new MemoryStorage(), now: () => NOW });
    const adapter = new TestAdapter(async (context) => bot.run(context));
    let offered: Partial<Activity> | undefined;
    await adapter
      .send('Gửi câu hỏi')
      .assertReply(() => undefined)
      .send('Xin hỏi thủ tục cấp giấy phép xây dựng nhà ở tại xã Xuân Quang huyện Bảo Thắng cần những giấy tờ gì?')
      .assertReply((a) => {
        offered = a;
      })
      .startTest();
    expect(textOf(offered ?? {})).toContain('HD-2026-000101');
    expect(offered?.textFormat).toBe('plain');
    for (const secret of ['0912345678', PHONE, EMAIL, CCCD, RLO, '0214.3840.123']) expect(textOf(offered ?? {})).not.toContain(secret);
    expect(textOf(offered ?? {})).toContain(MASKS.phone);
    await store.close();
  });

  test('anyone who types a ticket number sees the published answer, contacts masked (tickets are sequential)', async () => {
    const store = new SqliteLedgerStore(':memory:');
    await answered(store, 'HD-2026-000101', QUESTION, ANSWER);
    const { bot } = await createBot({ data: province(), stores: sqliteStores(store), storage: new MemoryStorage(), now: () => NOW });
    const adapter = new TestAdapter(async (context) => bot.run(context));
    let status: Partial<Activity> | undefined;
    await adapter
      .send('HD-2026-000101')
      .assertReply((a) => {
        status = a;
      })
      .startTest();
    expect(textOf(status ?? {})).toContain('chỉ 75.000 đồng');
    for (const secret of ['0214.3840.123', 'tiepdan@laocai.gov.vn']) expect(textOf(status ?? {})).not.toContain(secret);
    await store.close();
  });

  test('officers still see the original in the ledger', async () => {
    const store = new SqliteLedgerStore(':memory:');
    await answered(store, 'HD-2026-000101', QUESTION, ANSWER);
    const events = (await store.questionEvents('HD-2026-000101')).map((e) => JSON.parse(e.body) as { text?: string });
    expect(events[0].text).toBe(QUESTION);
    await store.close();
  });
});
