import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCsv } from '../../src/config/data';
import { PROJECT_ROOT } from '../../src/config/paths';
import { hoidap } from '../helpers/cli';

const DEMO = path.join(PROJECT_ROOT, 'data/demo/ledger-2023.jsonl');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-annex-'));
const db = path.join(dir, 'x.sqlite');
const PERIOD = ['--from', '2023-01-01', '--to', '2023-09-25'];

beforeAll(async () => {
  expect((await hoidap(['import', '--db', db, DEMO])).code).toBe(0);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The visible text of a Word file, paragraph by paragraph (table cells included). */
async function docxParagraphs(file: string): Promise<string[]> {
  const zip = await JSZip.loadAsync(fs.readFileSync(file));
  const xml = await zip.file('word/document.xml')!.async('string');
  return [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((p) => [...p[0].matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => t[1]).join(''));
}

describe('Phụ biểu 02 in the province\'s own form', () => {
  test('CSV opens in Excel as UTF-8 (BOM, CRLF); machine codes stay the default header and --headers vi gives Vietnamese ones', async () => {
    const codes = await hoidap(['report', '--db', db, ...PERIOD, '--format', 'csv']);
    expect(codes.stdout.startsWith('\uFEFFrow,agency,name,total,answered,awaiting_answer,awaiting_acceptance,deleted,eligible,late,score\r\n')).toBe(true);
    const vi = await hoidap(['report', '--db', db, ...PERIOD, '--format', 'csv', '--headers', 'vi']);
    const rows = parseCsv(vi.stdout.slice(1));
    expect(rows[0]).toEqual(['STT', 'Mã cơ quan', 'Tên cơ quan, đơn vị', 'Tổng số câu hỏi', 'Đã trả lời', 'Chờ trả lời', 'Chờ tiếp nhận', 'Câu hỏi xóa', 'Đủ điều kiện trả lời', 'Tiếp nhận, trả lời chậm', 'Điểm']);
    expect(rows).toHaveLength(38);
    expect(rows.find((r) => r[1] === 'h-baothang')?.slice(2)).toEqual(['UBND huyện Bảo Thắng', '9', '1', '0', '5', '3', '6', '6', '0']);
    expect((await hoidap(['report', '--db', db, ...PERIOD, '--headers', 'en'])).stderr).toMatch(/--headers must be one of codes, vi/);
  });

  test('docx: the summary, then the annex with its title block, the report number and date given, all 37 rows, the total and notes, in Times New Roman', async () => {
    const file = path.join(dir, 'pb02.docx');
    const run = await hoidap(['report', '--db', db, ...PERIOD, '--format', 'docx', '--out', file, '--report-number', '410', '--report-date', '2023-10-09']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const paragraphs = await docxParagraphs(file);
    expect(paragraphs[0]).toBe('Kết quả tiếp nhận, trả lời câu hỏi trên chuyên mục Hỏi - Đáp');
    expect(paragraphs[1]).toMatch(/^Trong 9 tháng năm 2023 \(từ ngày 01\/01\/2023 đến ngày 25\/09\/2023\), chuyên mục Hỏi - Đáp đã nhận được 371 câu hỏi/);
    expect(paragraphs).toEqual(
      expect.arrayContaining([
        'Phụ biểu số 02',
        'Kết quả tiếp nhận và trả lời các câu hỏi trên chuyên mục Hỏi - Đáp của các cơ quan, đơn vị',
        '(Tính từ ngày 01/01/2023 đến ngày 25/09/2023)',
        '(Kèm theo Báo cáo số 410/BC-UBND ngày 09/10/2023 của UBND tỉnh Lào Cai)',
      ]),
    );
    const table = paragraphs.slice(paragraphs.indexOf('STT'));
    const names = table.filter((p) => /^(Sở|UBND|Công an|Cục|Ban|Thanh tra|Văn phòng|Bảo hiểm|Hội đồng|Vườn|Viện|Kho bạc)/.test(p));
    expect(names).toHaveLength(37);
    const total = table.indexOf('Tổng số');
    expect(table.slice(total, total + 6)).toEqual(['Tổng số', '371', '300', '1', '7', '63']);
    const baoThang = table.indexOf('UBND huyện Bảo Thắng');
    expect(table.slice(baoThang, baoThang + 8)).toEqual(['UBND huyện Bảo Thắng', '9', '1', '0', '5', '3', '0', '6/6 câu hỏi tiếp nhận, trả lời chậm']);
    const zip = await JSZip.loadAsync(fs.readFileSync(file));
    expect(await zip.file('word/styles.xml')!.async('string')).toContain('w:ascii="Times New Roman"');
    expect(await zip.file('word/document.xml')!.async('string')).toContain('w:orient="landscape"');
  });

  test('without a report number and date the annex line keeps blanks for the clerk, never an invented number', async () => {
    const file = path.join(dir, 'draft.docx');
    expect((await hoidap(['report', '--db', db, ...PERIOD, '--format', 'docx', '--out', file])).code).toBe(0);
    const line = (await docxParagraphs(file)).find((p) => p.startsWith('(Kèm theo'));
    expect(line).toMatch(/^\(Kèm theo Báo cáo số\s+\/BC-UBND ngày\s+\/\s+\/\s+của UBND tỉnh Lào Cai\)$/);
    expect((await hoidap(['report', '--db', db, ...PERIOD, '--format', 'docx', '--out', file, '--report-date', '9/10/2023'])).code).not.toBe(0);
  });

  test('xlsx: the same layout (title block merged across the table, bordered cells, Times New Roman) and a data sheet with Vietnamese headers', async () => {
    const file = path.join(dir, 'pb02.xlsx');
    expect((await hoidap(['report', '--db', db, ...PERIOD, '--format', 'xlsx', '--out', file, '--report-number', '410', '--report-date', '2023-10-09'])).code).toBe(0);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    const sheet = book.getWorksheet('Phụ biểu 02')!;
    expect(sheet.getCell('A2').value).toBe('Kết quả tiếp nhận và trả lời các câu hỏi trên chuyên mục Hỏi - Đáp của các cơ quan, đơn vị');
    expect(sheet.getCell('A2').isMerged && sheet.getCell('I2').isMerged).toBe(true);
    expect(sheet.getCell('A4').value).toBe('(Kèm theo Báo cáo số 410/BC-UBND ngày 09/10/2023 của UBND tỉnh Lào Cai)');
    const header = sheet.getRow(7);
    expect(header.getCell(1).value).toBe('STT');
    expect(header.getCell(9).value).toBe('Ghi chú');
    expect(header.getCell(2).font?.name).toBe('Times New Roman');
    expect(header.getCell(2).border?.bottom?.style).toBe('thin');
    const last = sheet.getRow(sheet.rowCount);
    expect((last.values as unknown[]).slice(2, 8)).toEqual(['Tổng số', 371, 300, 1, 7, 63]);
    expect(sheet.rowCount - 7 - 1).toBe(37);
    expect(sheet.pageSetup.orientation).toBe('landscape');
    const data = book.getWorksheet('Dữ liệu')!;
    expect((data.getRow(1).values as unknown[]).slice(1, 4)).toEqual(['STT', 'Mã cơ quan', 'Tên cơ quan, đơn vị']);
  });
});
