import type { Annex } from './annex';

/** Column widths of the annex table, in twentieths of a point, summing to a landscape A4 text width. */
const COLUMN_TWIPS = [700, 4300, 1150, 1150, 1150, 1150, 1150, 900, 2900];

/**
 * Phụ biểu 02 as a Word document: the summary paragraph, then the annex on landscape pages in the
 * layout of the province's reports (Times New Roman, centred title block, bordered table), so that
 * a clerk can paste either into the report.
 */
export async function annexToDocx(annex: Annex): Promise<Buffer> {
  // Loaded when a Word file is asked for, like exceljs for spreadsheets.
  const docx = await import('docx');
  const { AlignmentType, BorderStyle, Document, Packer, PageOrientation, Paragraph, Table, TableCell, TableRow, TextRun, VerticalAlign, WidthType } = docx;
  const font = annex.font;
  const text = (value: string, options: { bold?: boolean; italics?: boolean; size?: number } = {}) =>
    new TextRun({ text: value, font, size: (options.size ?? 13) * 2, bold: options.bold, italics: options.italics });
  const centred = (value: string, options: { bold?: boolean; italics?: boolean; size?: number } = {}) =>
    new Paragraph({ alignment: AlignmentType.CENTER, spacing: { after: 60 }, children: [text(value, options)] });
  const border = { style: BorderStyle.SINGLE, size: 4, color: '000000' };
  const borders = { top: border, bottom: border, left: border, right: border };
  const cell = (value: string | number, column: number, options: { bold?: boolean } = {}) =>
    new TableCell({
      borders,
      verticalAlign: VerticalAlign.CENTER,
      width: { size: COLUMN_TWIPS[column], type: WidthType.DXA },
      margins: { left: 60, right: 60, top: 30, bottom: 30 },
      children: [
        new Paragraph({
          alignment: column === 1 || column === 8 ? AlignmentType.LEFT : AlignmentType.CENTER,
          children: [text(String(value), { bold: options.bold, size: 12 })],
        }),
      ],
    });

  const header = new TableRow({ tableHeader: true, children: annex.headings.map((h, i) => cell(h, i, { bold: true })) });
  const body = annex.rows.map((row) => new TableRow({ cantSplit: true, children: row.map((v, i) => cell(v, i)) }));
  const totals = new TableRow({ children: annex.totals.map((v, i) => cell(v, i, { bold: true })) });
  const table = new Table({
    width: { size: COLUMN_TWIPS.reduce((a, b) => a + b, 0), type: WidthType.DXA },
    columnWidths: COLUMN_TWIPS,
    rows: [header, ...body, totals],
  });

  const document = new Document({
    creator: 'hoidap',
    title: `${annex.label}: ${annex.title}`,
    styles: { default: { document: { run: { font, size: 26 } } } },
    sections: [
      {
        children: [
          new Paragraph({ spacing: { after: 120 }, children: [text(annex.summaryHeading, { bold: true })] }),
          ...annex.summary.map(
            (paragraph) => new Paragraph({ alignment: AlignmentType.JUSTIFIED, indent: { firstLine: 567 }, spacing: { after: 120, line: 312 }, children: [text(paragraph)] }),
          ),
        ],
      },
      {
        properties: { page: { size: { orientation: PageOrientation.LANDSCAPE }, margin: { top: 1134, bottom: 1134, left: 1134, right: 1134 } } },
        children: [
          new Paragraph({ alignment: AlignmentType.RIGHT, children: [text(annex.label, { bold: true })] }),
          centred(annex.title, { bold: true, size: 14 }),
          centred(annex.period, { italics: true }),
          centred(annex.attachedTo, { italics: true }),
          ...(annex.criteria ? [centred(annex.criteria, { italics: true })] : []),
          new Paragraph({ children: [] }),
          table,
        ],
      },
    ],
  });
  return Packer.toBuffer(document);
}
