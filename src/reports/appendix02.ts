import type { ProvinceData } from '../config/data';
import { buildAppendix02, periodBounds, summaryParagraph, type Period } from '../domain/report';
import { formatDayVi } from '../domain/time';
import type { LedgerStore } from '../store/types';
import { buildAnnex, type Annex, type AnnexOptions, type Appendix02Report } from './annex';
import { annexToDocx } from './docx';

export const REPORT_FORMATS = ['csv', 'json', 'md', 'xlsx', 'docx'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
export const CSV_HEADERS = ['codes', 'vi'] as const;
export type CsvHeaders = (typeof CSV_HEADERS)[number];

/** Choices of the person asking for a report: the report's number and date for the annex line, the CSV's header language. */
export interface RenderOptions extends AnnexOptions {
  headers?: CsvHeaders;
}

export type { Appendix02Report };

/** Reads the cases of the period from the store and builds Phụ biểu 02 and its summary paragraph. */
export async function appendix02Report(store: LedgerStore, data: ProvinceData, period: Period): Promise<Appendix02Report> {
  const { start, cutoff } = periodBounds(period, data.clock);
  const cases = await store.casesStartingBetween(start, cutoff);
  const table = buildAppendix02(cases, period, data.agencies, data.clock, data.rules);
  return { table, summary: summaryParagraph(table, period), period };
}

const CSV_COLUMNS = ['row', 'agency', 'name', 'total', 'answered', 'awaiting_answer', 'awaiting_acceptance', 'deleted', 'eligible', 'late', 'score'] as const;
/** The same columns as people read them (`--headers vi`); scripts keep the codes, the default. */
const CSV_COLUMNS_VI = ['STT', 'Mã cơ quan', 'Tên cơ quan, đơn vị', 'Tổng số câu hỏi', 'Đã trả lời', 'Chờ trả lời', 'Chờ tiếp nhận', 'Câu hỏi xóa', 'Đủ điều kiện trả lời', 'Tiếp nhận, trả lời chậm', 'Điểm'] as const;

/** Excel on Windows reads a CSV as UTF-8 only when it starts with a byte order mark. */
const UTF8_BOM = '\uFEFF';

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function dataRows(report: Appendix02Report): Array<Array<string | number>> {
  return report.table.rows.map((r) => [r.row, r.agency, r.name, r.total, r.answered, r.awaitingAnswer, r.awaitingAcceptance, r.deleted, r.eligible, r.late, r.score]);
}

/** One row per agency; no totals line, so that every row is an agency. CRLF line ends and a BOM, as spreadsheets expect. */
export function toCsv(report: Appendix02Report, headers: CsvHeaders = 'codes'): string {
  const lines = [(headers === 'vi' ? CSV_COLUMNS_VI : CSV_COLUMNS).map(csvField).join(',')];
  for (const row of dataRows(report)) lines.push(row.map(csvField).join(','));
  return `${UTF8_BOM}${lines.join('\r\n')}\r\n`;
}

export function toJson(report: Appendix02Report): string {
  const { table, summary } = report;
  return `${JSON.stringify(
    {
      from: table.from,
      to: table.to,
      rows: table.rows.map((r) => ({
        row: r.row,
        agency: r.agency,
        name: r.name,
        total: r.total,
        answered: r.answered,
        awaitingAnswer: r.awaitingAnswer,
        awaitingAcceptance: r.awaitingAcceptance,
        deleted: r.deleted,
        eligible: r.eligible,
        late: r.late,
        unauthorizedAnswers: r.unauthorizedAnswers,
        maxAnswersInAMonth: r.maxAnswersInAMonth,
        score: r.score,
        basis: r.basis,
      })),
      totals: {
        total: table.totals.total,
        answered: table.totals.answered,
        awaitingAnswer: table.totals.awaitingAnswer,
        awaitingAcceptance: table.totals.awaitingAcceptance,
        deleted: table.totals.deleted,
        eligible: table.totals.eligible,
      },
      summary,
    },
    null,
    2,
  )}\n`;
}

const HEADINGS = ['STT', 'Tên cơ quan, đơn vị', 'Tổng số câu hỏi', 'Đã trả lời', 'Chờ trả lời', 'Chờ tiếp nhận', 'Câu hỏi xóa', 'Điểm'];

function title(report: Appendix02Report): string {
  return `Kết quả tiếp nhận và trả lời các câu hỏi trên chuyên mục Hỏi - Đáp của các cơ quan, đơn vị (tính từ ${formatDayVi(report.period.fromDay)} đến ${formatDayVi(report.period.toDay)})`;
}

function mdCell(text: string | number): string {
  return String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function toMarkdown(report: Appendix02Report): string {
  const { rows, totals } = report.table;
  const out = [`# Phụ biểu 02`, '', title(report), '', `| ${HEADINGS.join(' | ')} |`, `|${HEADINGS.map((_, i) => (i < 2 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const r of rows) out.push(`| ${[r.row, r.name, r.total, r.answered, r.awaitingAnswer, r.awaitingAcceptance, r.deleted, r.score].map(mdCell).join(' | ')} |`);
  out.push(`| | **Tổng số** | **${totals.total}** | **${totals.answered}** | **${totals.awaitingAnswer}** | **${totals.awaitingAcceptance}** | **${totals.deleted}** | |`);
  out.push('', '## Tổng hợp', '', report.summary, '');
  return out.join('\n');
}

/** Phụ biểu 02 as a spreadsheet in the annex's layout, with the summary and the machine-readable rows on their own sheets. */
export async function toXlsx(report: Appendix02Report, annex: Annex): Promise<Buffer> {
  // Loaded when a spreadsheet is asked for: exceljs holds about 8 MB of heap in every process that loads it.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'hoidap';
  const font = { name: annex.font, size: 12 };
  const thin = { style: 'thin' as const };
  const border = { top: thin, bottom: thin, left: thin, right: thin };
  const sheet = workbook.addWorksheet('Phụ biểu 02', {
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, horizontalCentered: true },
  });
  const width = annex.headings.length;
  const lastColumn = String.fromCharCode(64 + width);
  const line = (text: string, style: { bold?: boolean; italic?: boolean; size?: number; align?: 'center' | 'right' }) => {
    const row = sheet.addRow([text]);
    sheet.mergeCells(`A${row.number}:${lastColumn}${row.number}`);
    row.getCell(1).font = { ...font, bold: style.bold, italic: style.italic, size: style.size ?? 13 };
    row.getCell(1).alignment = { horizontal: style.align ?? 'center', vertical: 'middle', wrapText: true };
    if (text.length > 110) row.height = 34;
  };
  line(annex.label, { bold: true, align: 'right' });
  line(annex.title, { bold: true, size: 14 });
  line(annex.period, { italic: true });
  line(annex.attachedTo, { italic: true });
  if (annex.criteria) line(annex.criteria, { italic: true });
  sheet.addRow([]);
  const table = [annex.headings, ...annex.rows, annex.totals];
  table.forEach((cells, i) => {
    const row = sheet.addRow([...cells]);
    const emphasis = i === 0 || i === table.length - 1;
    row.eachCell({ includeEmpty: true }, (cell, column) => {
      cell.font = { ...font, bold: emphasis };
      cell.border = border;
      cell.alignment = { wrapText: true, vertical: 'middle', horizontal: column === 2 || (column === 9 && i > 0) ? 'left' : 'center' };
    });
    if (i === 0) row.height = 48;
  });
  [6, 44, 11, 11, 11, 11, 11, 8, 34].forEach((w, i) => (sheet.getColumn(i + 1).width = w));

  const summary = workbook.addWorksheet('Tổng hợp');
  summary.getColumn(1).width = 120;
  summary.addRow([annex.summaryHeading]).getCell(1).font = { ...font, size: 13, bold: true };
  for (const paragraph of annex.summary) {
    const row = summary.addRow([paragraph]);
    row.getCell(1).font = { ...font, size: 13 };
    row.getCell(1).alignment = { wrapText: true, vertical: 'top' };
  }
  const data = workbook.addWorksheet('Dữ liệu');
  data.addRow([...CSV_COLUMNS_VI]).font = { bold: true };
  data.addRow([...CSV_COLUMNS]).font = { italic: true, color: { argb: 'FF666666' } };
  for (const row of dataRows(report)) data.addRow(row);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export async function renderReport(report: Appendix02Report, format: ReportFormat, data: ProvinceData, options: RenderOptions = {}): Promise<string | Buffer> {
  switch (format) {
    case 'csv':
      return toCsv(report, options.headers);
    case 'json':
      return toJson(report);
    case 'md':
      return toMarkdown(report);
    case 'xlsx':
      return toXlsx(report, buildAnnex(report, data.reportLayout, options));
    case 'docx':
      return annexToDocx(buildAnnex(report, data.reportLayout, options));
  }
}
