import { z } from 'zod';
import type { Rules } from '../domain/policy';
import type { Appendix02, Appendix02Row, Period } from '../domain/report';
import { formatDayVi } from '../domain/time';

/** data/report.json: the wording of Phụ biểu 02 as an annex of the province's report. */
export const ReportLayoutSchema = z
  .object({
    _comment: z.string().optional(),
    issuer: z.string().min(1),
    reportSymbol: z.string().min(1),
    annexLabel: z.string().min(1),
    title: z.string().min(1),
    criteria: z.string(),
    summaryHeading: z.string().min(1),
    font: z.string().min(1),
    notes: z
      .object({
        high_volume: z.string(),
        on_time: z.string(),
        no_eligible_none: z.string(),
        no_eligible_removed: z.string(),
        all_late: z.string(),
        other: z.string(),
      })
      .strict(),
  })
  .strict();
export type ReportLayout = z.infer<typeof ReportLayoutSchema>;

/** Phụ biểu 02 of a period with its summary paragraph (built by appendix02.ts; here so that the annex needs nothing of it). */
export interface Appendix02Report {
  table: Appendix02;
  summary: string;
  period: Period;
}

/** What the person producing the report fills in: the report's number and date, when known. */
export interface AnnexOptions {
  reportNumber?: string;
  /** Local day number of the report's date. */
  reportDay?: number;
}

export const ANNEX_HEADINGS = ['STT', 'Tên cơ quan, đơn vị', 'Tổng số câu hỏi', 'Đã trả lời', 'Chờ trả lời', 'Chờ tiếp nhận', 'Câu hỏi xóa', 'Điểm', 'Ghi chú'] as const;

export interface Annex {
  label: string;
  title: string;
  period: string;
  attachedTo: string;
  criteria: string;
  headings: readonly string[];
  rows: Array<Array<string | number>>;
  totals: Array<string | number>;
  summaryHeading: string;
  summary: string[];
  font: string;
}

function fill(template: string, values: Record<string, number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));
}

/** The "Ghi chú" of a row: why the agency got its score, in the report's words. */
export function rowNote(row: Appendix02Row, layout: ReportLayout, scoring: Rules['scoring']): string {
  const values = { late: row.late, eligible: row.eligible, total: row.total, threshold: scoring.highVolume.answersInAMonthMoreThan };
  switch (row.basis) {
    case 'no_eligible':
      return fill(row.total === 0 ? layout.notes.no_eligible_none : layout.notes.no_eligible_removed, values);
    default:
      return fill(layout.notes[row.basis], values);
  }
}

/**
 * "(Kèm theo Báo cáo số 410/BC-UBND ngày 09/10/2023 của UBND tỉnh Lào Cai)"; where the number or
 * the date is not known yet, the blanks a clerk fills in by hand, as on a draft.
 */
export function attachedToLine(layout: ReportLayout, options: AnnexOptions): string {
  const number = options.reportNumber ?? '       ';
  const date = options.reportDay !== undefined ? formatDayVi(options.reportDay) : '     /     /     ';
  return `(Kèm theo Báo cáo số ${number}/${layout.reportSymbol} ngày ${date} của ${layout.issuer})`;
}

/** Phụ biểu 02 laid out as the annex: the same content for every document format. */
export function buildAnnex(report: Appendix02Report, layout: ReportLayout, options: AnnexOptions = {}): Annex {
  const { rows, totals } = report.table;
  return {
    label: layout.annexLabel,
    title: layout.title,
    period: `(Tính từ ngày ${formatDayVi(report.period.fromDay)} đến ngày ${formatDayVi(report.period.toDay)})`,
    attachedTo: attachedToLine(layout, options),
    criteria: layout.criteria,
    headings: ANNEX_HEADINGS,
    rows: rows.map((r) => [r.row, r.name, r.total, r.answered, r.awaitingAnswer, r.awaitingAcceptance, r.deleted, r.score, rowNote(r, layout, report.table.scoring)]),
    totals: ['', 'Tổng số', totals.total, totals.answered, totals.awaitingAnswer, totals.awaitingAcceptance, totals.deleted, '', ''],
    summaryHeading: layout.summaryHeading,
    summary: report.summary.split('\n\n'),
    font: layout.font,
  };
}
