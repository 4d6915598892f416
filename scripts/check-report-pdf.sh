#!/usr/bin/env bash
# Opens Phụ biểu 02 (docx and xlsx) in LibreOffice, converts each to PDF and checks the PDF's text:
# the title block and every agency row of the demo ledger's 2023 table. Needs Debian's
# libreoffice-writer-nogui, libreoffice-calc-nogui and poppler-utils (not part of npm test: they are large).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
node bin/hoidap.js import --db "$work/x.sqlite" data/demo/ledger-2023.jsonl >/dev/null
# The rows the report itself gives for the period (the organisation in force then: 37 agencies in 2023).
node bin/hoidap.js report --db "$work/x.sqlite" --from 2023-01-01 --to 2023-09-25 --format json --out "$work/pb02.json"
status=0
for format in docx xlsx; do
  node bin/hoidap.js report --db "$work/x.sqlite" --from 2023-01-01 --to 2023-09-25 --format "$format" \
    --report-number 410 --report-date 2023-10-09 --out "$work/pb02.$format"
  mkdir -p "$work/$format"
  soffice --headless --convert-to pdf --outdir "$work/$format" "$work/pb02.$format" >/dev/null 2>&1
  # PDF text comes out with letters decomposed and stray spaces inside words: compare NFC text without whitespace.
  pdftotext -layout "$work/$format/pb02.pdf" "$work/$format/pb02.txt"
  if ! node -e '
    const fs = require("fs");
    const squeeze = (s) => s.normalize("NFC").replace(/\s+/g, "");
    const text = squeeze(fs.readFileSync(process.argv[1], "utf8"));
    const names = JSON.parse(fs.readFileSync(process.argv[3], "utf8")).rows.map((r) => r.name);
    const block = ["Phụ biểu số 02", "Kết quả tiếp nhận và trả lời các câu hỏi trên chuyên mục Hỏi - Đáp",
      "(Kèm theo Báo cáo số 410/BC-UBND ngày 09/10/2023 của UBND tỉnh Lào Cai)", "Tổng số 371 300 1 7 63"];
    const missing = [...block, ...names].filter((t) => !text.includes(squeeze(t)));
    const rows = names.filter((n) => text.includes(squeeze(n))).length;
    console.log(`${process.argv[2]} → PDF: title block ${block.every((t) => text.includes(squeeze(t))) ? "found" : "INCOMPLETE"}, ${rows}/${names.length} agency rows`);
    for (const m of missing) console.log(`  missing: ${m}`);
    process.exit(missing.length ? 1 : 0);
  ' "$work/$format/pb02.txt" "$format" "$work/pb02.json"; then status=1; fi
done
exit $status
