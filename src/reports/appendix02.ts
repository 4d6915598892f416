import type { ProvinceData } from '../config/data';
import { buildAppendix02, periodBounds, summaryParagraph, type Appendix02, type Period } from '../domain/report';
import { formatDayVi } from '../domain/time';
import type { LedgerStore } from '../store/types';

export const REPORT_FORMATS = ['csv', 'json', 'md', 'xlsx'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface Appendix02Report {
  table: Appendix02;
  summary: string;
  period: Period;
}

/** Reads the cases of the period from the store and builds Phụ biểu 02 and its summary paragraph. */
export async function appendix02Report(store: LedgerStore, data: ProvinceData, period: Period): Promise<Appendix02Report> {
  const { start, cutoff } = periodBounds(period, data.clock);
  const cases = await store.casesStartingBetween(start, cutoff);
  const table = buildAppendix02(cases, period, data.agencies, data.clock, data.policy);
  return { table, summary: summaryParagraph(table, period, data.agencies, data.policy), period };
}

const CSV_COLUMNS = ['row', 'agency', 'name', 'total', 'answered', 'awaiting_answer', 'awaiting_acceptance', 'deleted', 'eligible', 'late', 'score'] as const;

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One row per agency; no totals line, so that every row is an agency. */
export function toCsv(report: Appendix02Report): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of report.table.rows) {
    lines.push(
      [r.row, r.agency, r.name, r.total, r.answered, r.awaitingAnswer, r.awaitingAcceptance, r.deleted, r.eligible, r.late, r.score]
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
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
        awaiting_answer: r.awaitingAnswer,
        awaiting_acceptance: r.awaitingAcceptance,
        deleted: r.deleted,
        eligible: r.eligible,
        late: r.late,
        unauthorized_answers: r.unauthorizedAnswers,
        max_answers_in_a_month: r.maxAnswersInAMonth,
        score: r.score,
        basis: r.basis,
      })),
      totals: {
        total: table.totals.total,
        answered: table.totals.answered,
        awaiting_answer: table.totals.awaitingAnswer,
        awaiting_acceptance: table.totals.awaitingAcceptance,
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

export async function toXlsx(report: Appendix02Report): Promise<Buffer> {
  // Loaded when a spreadsheet is asked for: exceljs holds about 8 MB of heap in every process that loads it.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'hoidap';
  const sheet = workbook.addWorksheet('Phụ biểu 02');
  sheet.addRow(['Phụ biểu 02']).font = { bold: true, size: 13 };
  sheet.addRow([title(report)]);
  sheet.addRow([]);
  const header = sheet.addRow(HEADINGS);
  header.font = { bold: true };
  header.alignment = { wrapText: true, vertical: 'middle', horizontal: 'center' };
  for (const r of report.table.rows) sheet.addRow([r.row, r.name, r.total, r.answered, r.awaitingAnswer, r.awaitingAcceptance, r.deleted, r.score]);
  const { totals } = report.table;
  sheet.addRow(['', 'Tổng số', totals.total, totals.answered, totals.awaitingAnswer, totals.awaitingAcceptance, totals.deleted, '']).font = { bold: true };
  sheet.columns.forEach((column, i) => (column.width = i === 1 ? 48 : i === 0 ? 6 : 12));
  const summary = workbook.addWorksheet('Tổng hợp');
  summary.getColumn(1).width = 120;
  for (const paragraph of report.summary.split('\n\n')) summary.addRow([paragraph]).alignment = { wrapText: true, vertical: 'top' };
  const data = workbook.addWorksheet('Dữ liệu');
  data.addRow([...CSV_COLUMNS]);
  for (const r of report.table.rows)
    data.addRow([r.row, r.agency, r.name, r.total, r.answered, r.awaitingAnswer, r.awaitingAcceptance, r.deleted, r.eligible, r.late, r.score]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export async function renderReport(report: Appendix02Report, format: ReportFormat): Promise<string | Buffer> {
  switch (format) {
    case 'csv':
      return toCsv(report);
    case 'json':
      return toJson(report);
    case 'md':
      return toMarkdown(report);
    case 'xlsx':
      return toXlsx(report);
  }
}
