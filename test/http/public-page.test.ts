import type { Server } from 'node:http';
import { PAGE_HTML } from '../../src/channels/portal/page';
import { createApp } from '../../src/http/app';
import { Ledger } from '../../src/ledger/ledger';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { sqliteStores } from '../../src/store/open';
import { importDemo } from '../helpers/bot';
import { province } from '../helpers/province';

/** GET /hoi-dap: answered questions for everyone; initials only, no contact, everything escaped. */

const running: Array<{ server: Server; store: SqliteLedgerStore }> = [];

async function serve(store: SqliteLedgerStore, now?: () => number): Promise<string> {
  const server = await new Promise<Server>((resolve) => {
    const s = createApp({ data: province(), stores: sqliteStores(store), now }).listen(0, '127.0.0.1', () => resolve(s));
  });
  running.push({ server, store });
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

afterEach(async () => {
  for (const { server, store } of running.splice(0)) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await store.close();
  }
});

async function page(base: string, query = ''): Promise<string> {
  const res = await fetch(`${base}/hoi-dap${query}`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  return res.text();
}

interface Asked {
  q: string;
  text: string;
  agency: string;
  answer?: string;
  asker?: Record<string, string>;
  deleted?: boolean;
}

async function fill(store: SqliteLedgerStore, items: Asked[]): Promise<void> {
  const ledger = new Ledger(store, province());
  for (const item of items) {
    await ledger.record({ q: item.q, type: 'submitted', at: '2026-11-02T08:00:00+07:00', channel: 'zalo', text: item.text, ...(item.asker ? { asker: item.asker } : {}) });
    await ledger.record({ q: item.q, type: 'assigned', at: '2026-11-02T08:05:00+07:00', agency: item.agency, by: 'bot' });
    if (item.answer) await ledger.record({ q: item.q, type: 'answered', at: '2026-11-05T15:00:00+07:00', agency: item.agency, authorized: true, text: item.answer, by: 'approver:acc_x' });
    if (item.deleted) await ledger.record({ q: item.q, type: 'deleted', at: '2026-11-03T15:00:00+07:00', agency: item.agency, reason: 'duplicate', by: 'officer:acc_y' });
  }
}

const SCRIPT_Q: Asked = {
  q: 'HD-2026-000101',
  text: 'Thủ tục khai tử ở Bảo Thắng cần giấy tờ gì? <script>alert("xss")</script> & <img src=x onerror=alert(1)>',
  agency: 'x-xuanquang',
  answer: 'Cần giấy báo tử <b>bản chính</b>; nộp tại UBND xã. "Trân trọng" & cảm ơn',
  asker: { name: 'Nguyễn Văn An', contact: '0912345678', locality: 'x-xuanquang' },
};

describe('the public page of answered questions', () => {
  test('citizen and officer text is escaped; the asker appears as initials, never with the contact or the full name', async () => {
    const store = new SqliteLedgerStore(':memory:');
    await fill(store, [
      SCRIPT_Q,
      { q: 'HD-2026-000102', text: 'Hỏi về bảo hiểm y tế cho trẻ em', agency: 'so-yte', answer: 'Trẻ em dưới 6 tuổi được cấp thẻ miễn phí.', asker: { name: 'trần thị <b>bích</b>', contact: 'tran.bich@example.com' } },
    ]);
    const base = await serve(store);
    const html = await page(base);
    expect(html).toContain('&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('Cần giấy báo tử &lt;b&gt;bản chính&lt;/b&gt;; nộp tại UBND xã. &quot;Trân trọng&quot; &amp; cảm ơn');
    expect(html).not.toMatch(/<script|<img|<b>/i);
    expect(html).toContain('Người hỏi: N.V.A.');
    expect(html).toContain('Người hỏi: T.T.B.B.');
    for (const secret of ['0912345678', 'tran.bich@example.com', 'Nguyễn Văn An', 'Văn An', 'bích']) expect(html).not.toContain(secret);
    expect(html).toContain('Trả lời của UBND xã Xuân Quang (05/11/2026)');
    expect(html).toContain('Ngày hỏi: 02/11/2026');
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain('<html lang="vi">');
  });

  test('only answered questions: open and deleted ones are not listed', async () => {
    const store = new SqliteLedgerStore(':memory:');
    await fill(store, [
      SCRIPT_Q,
      { q: 'HD-2026-000103', text: 'Câu hỏi chưa trả lời về khai tử', agency: 'x-xuanquang' },
      { q: 'HD-2026-000104', text: 'Câu hỏi trùng lặp về khai tử', agency: 'x-xuanquang', deleted: true },
    ]);
    const html = await page(await serve(store));
    expect(html).toContain('HD-2026-000101');
    expect(html).not.toContain('HD-2026-000103');
    expect(html).not.toContain('HD-2026-000104');
    expect(html).toContain('1 câu hỏi đã được trả lời.');
  });

  test('search with and without diacritics, by agency; the query is echoed escaped', async () => {
    const store = new SqliteLedgerStore(':memory:');
    await fill(store, [
      SCRIPT_Q,
      { q: 'HD-2026-000105', text: 'Đăng ký khai sinh cho con ở Sa Pa', agency: 'p-sapa', answer: 'Nộp tại UBND phường.' },
      { q: 'HD-2026-000106', text: 'Khám bệnh bằng thẻ bảo hiểm y tế trái tuyến', agency: 'so-yte', answer: 'Được thanh toán theo tỷ lệ.' },
    ]);
    const base = await serve(store);
    for (const query of ['khai tử', 'khai tu', 'KHAI TU', 'thu tuc khai tu', 'giấy báo tử']) {
      const html = await page(base, `?q=${encodeURIComponent(query)}`);
      expect({ query, found: html.includes('HD-2026-000101'), others: html.includes('HD-2026-000105') || html.includes('HD-2026-000106') }).toEqual({ query, found: true, others: false });
      expect(html).toContain('Tìm thấy 1 câu hỏi đã được trả lời.');
    }
    // Whole words, and together: "khai ... từ" apart (a tax return after a death) is not "khai tử".
    await fill(store, [{ q: 'HD-2026-000107', text: 'Tờ khai thuế khi bố tôi đã từ trần', agency: 'thue-laocai', answer: 'Người thừa kế kê khai thay.' }]);
    for (const query of ['khai tu', 'khai tử']) {
      const ranked = await page(base, `?q=${encodeURIComponent(query)}`);
      expect(ranked).toContain('Tìm thấy 1 câu hỏi đã được trả lời.');
      expect(ranked).toContain('HD-2026-000101');
      expect(ranked).not.toContain('HD-2026-000107');
    }
    expect(await page(base, '?q=khai%20t')).toContain('Không có câu hỏi nào phù hợp.');
    const sinh = await page(base, `?q=${encodeURIComponent('khai sinh')}`);
    expect(sinh).toContain('HD-2026-000105');
    expect(sinh).not.toContain('HD-2026-000101');
    const health = await page(base, '?agency=so-yte');
    expect(health).toContain('HD-2026-000106');
    expect(health).not.toContain('HD-2026-000101');
    expect(health).toContain('<option value="so-yte" selected>Sở Y tế</option>');
    expect(await page(base, `?agency=${encodeURIComponent('xuan quang')}&q=khai`)).toContain('HD-2026-000101');
    const none = await page(base, '?q=xyzzy');
    expect(none).toContain('Không có câu hỏi nào phù hợp.');
    const echoed = await page(base, `?q=${encodeURIComponent('"><script>alert(1)</script>')}`);
    expect(echoed).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(echoed).not.toContain('<script>');
  });

  test('paged, 10 to a page, on the demo ledger’s 300 answers; a new answer shows at once', async () => {
    const store = new SqliteLedgerStore(':memory:');
    await importDemo(store);
    const base = await serve(store);
    const first = await page(base);
    expect(first).toContain('300 câu hỏi đã được trả lời.');
    expect(first.match(/<article>/g)).toHaveLength(10);
    expect(first).toContain('Trang 1/30');
    expect(first).toContain('<a href="/hoi-dap?page=2" rel="next">');
    const last = await page(base, '?page=30');
    expect(last).toContain('Trang 30/30');
    expect(last).toContain('<a href="/hoi-dap?page=29" rel="prev">');
    expect(last).not.toContain('rel="next"');
    // Beyond the end: the last page.
    expect(await page(base, '?page=999')).toContain('Trang 30/30');
    const filtered = await page(base, '?agency=so-yte&q=bao%20hiem');
    expect(filtered).not.toMatch(/UBND xã Xuân Quang \(/);
    // No contact of any demo asker on any page.
    expect(first).not.toMatch(/\b0\d{9}\b|@example\.com/);

    await fill(store, [SCRIPT_Q]);
    expect(await page(base)).toContain('301 câu hỏi đã được trả lời.');
  });
});

describe('a page per question, search as the router reads text, years, old answers (issue 12)', () => {
  const items: Asked[] = [
    { q: 'HD-2026-000201', text: 'Mua bảo hiểm y tế hộ gia đình ở đâu?', agency: 'bhxh-khuvuc', answer: 'Tại UBND xã hoặc đại lý thu BHXH.' },
    { q: 'HD-2026-000202', text: 'Chung cư ở phường Kim Tân có được cấp sổ hồng không?', agency: 'so-nnmt', answer: 'Được cấp giấy chứng nhận khi đủ điều kiện.' },
    { q: 'HD-2026-000203', text: 'Xe cũ mua lại cần giấy chứng nhận đăng ký xe gì?', agency: 'cong-an', answer: 'Cần chứng nhận đăng ký xe và hợp đồng mua bán.' },
    { q: 'HD-2026-000204', text: 'How do I get my certificate of residence?', agency: 'cong-an', answer: 'Chứng nhận cư trú cấp qua VNeID.' },
  ];

  test('/hoi-dap/HD-... is the question\'s own page: dates, agency, answer; shareable; linked from the list', async () => {
    const store = new SqliteLedgerStore(':memory:');
    await fill(store, [SCRIPT_Q, ...items]);
    const base = await serve(store);
    const res = await fetch(`${base}/hoi-dap/HD-2026-000101`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Ngày hỏi: 02/11/2026');
    expect(html).toContain('Ngày trả lời: 05/11/2026');
    expect(html).toContain('Gửi tới: UBND xã Xuân Quang');
    expect(html).toContain('Trả lời của UBND xã Xuân Quang (05/11/2026)');
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toMatch(/<script|0912345678|Nguyễn Văn An/);
    expect(html).toContain('<title>HD-2026-000101: Thủ tục khai tử ở Bảo Thắng');
    expect(await page(base)).toContain('<a href="/hoi-dap/HD-2026-000101">');
    // Lower case typed in the address bar works too; the ticket from a notice (/hoi-dap?q=HD-...) goes to the page.
    expect((await fetch(`${base}/hoi-dap/hd-2026-000101`)).status).toBe(200);
    const redirected = await fetch(`${base}/hoi-dap?q=HD-2026-000101`, { redirect: 'manual' });
    expect(redirected.status).toBe(302);
    expect(redirected.headers.get('location')).toBe('/hoi-dap/HD-2026-000101');
  });

  test('an unknown or unanswered ticket is a 404 page in Vietnamese, with the way back', async () => {
    const store = new SqliteLedgerStore(':memory:');
    await fill(store, [{ q: 'HD-2026-000301', text: 'Câu hỏi chưa trả lời về khai tử', agency: 'x-baothang' }]);
    const base = await serve(store);
    for (const q of ['HD-2026-999999', 'HD-2026-000301', 'khong-phai-ma', '%3Cscript%3E']) {
      const res = await fetch(`${base}/hoi-dap/${q}`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await res.text();
      expect(html).toContain('Không tìm thấy câu hỏi');
      expect(html).toContain('<a href="/hoi-dap">');
      expect(html).not.toContain('<script>');
    }
  });

  test('"BHYT" finds bảo hiểm y tế; "chung cu" finds the apartment building, not certificates, old motorbikes or English', async () => {
    const store = new SqliteLedgerStore(':memory:');
    await fill(store, items);
    const base = await serve(store);
    for (const query of ['BHYT', 'bhyt ho gia dinh', 'bảo hiểm y tế']) {
      const html = await page(base, `?q=${encodeURIComponent(query)}`);
      expect({ query, found: html.includes('HD-2026-000201'), count: html.includes('Tìm thấy 1 câu hỏi') }).toEqual({ query, found: true, count: true });
    }
    for (const query of ['chung cu', 'chung cư']) {
      const html = await page(base, `?q=${encodeURIComponent(query)}`);
      expect(html).toContain('HD-2026-000202');
      for (const other of ['HD-2026-000203', 'HD-2026-000204', 'HD-2026-000201']) expect(html).not.toContain(other);
    }
  });

  test('ranked by relevance (BM25): the question that is about it comes before one that mentions it in passing', async () => {
    const store = new SqliteLedgerStore(':memory:');
    await fill(store, [
      { q: 'HD-2026-000401', text: 'Thủ tục sang tên sổ đỏ khi mua đất', agency: 'so-nnmt', answer: 'Nộp hồ sơ đăng ký biến động tại bộ phận một cửa; sổ đỏ được chỉnh lý trong 10 ngày.' },
      { q: 'HD-2026-000402', text: 'Đường làng bị sạt lở, bao giờ sửa?', agency: 'x-baothang', answer: 'UBND xã đã lập dự toán sửa đường; hộ có sổ đỏ bị ảnh hưởng được bồi thường.' },
    ]);
    const html = await page(await serve(store), `?q=${encodeURIComponent('so do')}`);
    expect(html).toContain('Tìm thấy 2 câu hỏi');
    expect(html.indexOf('HD-2026-000401')).toBeLessThan(html.indexOf('HD-2026-000402'));
  });

  test('filtered by year; answers from more than a year ago say they follow the rules of their date', async () => {
    const store = new SqliteLedgerStore(':memory:');
    await importDemo(store);
    await fill(store, [SCRIPT_Q]);
    // The pages' clock: a day in 2027, more than a year after 2023's answers, less than one after 05/11/2026.
    let today = Date.parse('2027-06-01T09:00:00+07:00');
    const base = await serve(store, () => today);
    const y2023 = await page(base, '?year=2023');
    expect(y2023).toContain('Tìm thấy 300 câu hỏi đã được trả lời.');
    expect(y2023).toContain('<option value="2023" selected>2023</option>');
    expect(y2023).toContain('Câu trả lời theo quy định tại thời điểm trả lời (');
    const y2026 = await page(base, '?year=2026');
    expect(y2026).toContain('Tìm thấy 1 câu hỏi đã được trả lời.');
    expect(y2026).toContain('HD-2026-000101');
    // Answered on 05/11/2026, less than a year before the pages' today: no note.
    expect(y2026).not.toContain('quy định tại thời điểm trả lời');
    expect(await page(base, '?year=2023&agency=so-yte')).not.toContain('HD-2026-000101');
    // A year and a day after it was answered, the same answer carries the note.
    today = Date.parse('2027-11-06T09:00:00+07:00');
    expect(await page(base, '?year=2026')).toContain('Câu trả lời theo quy định tại thời điểm trả lời (05/11/2026)');
  });

  test('the portal page links to /hoi-dap', () => {
    expect(PAGE_HTML).toContain('<a href="/hoi-dap">Xem các câu hỏi đã được trả lời</a>');
  });
});
