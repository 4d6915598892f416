import type { Role } from '../../domain/access';
import type { QuestionStatus } from '../../domain/lifecycle';
import { capitalized, fill, STAFF_TEXTS } from '../../bot/texts';
import { escapeHtml } from '../public-page';

/** The layout's wording (data/texts/vi.json, staff.console.pages.layout). */
const L = STAFF_TEXTS.console.pages.layout;

/**
 * The console's page frame and wording (Vietnamese). Pages work without scripts (forms and links);
 * the dashboard adds the chart library and the console's own script, both served by this server.
 */

export const esc = escapeHtml;

// The wording is data (data/texts/vi.json, staff section), shared with the staff chat and the admins' answers.
export const ROLE_VI: Record<Role, string> = STAFF_TEXTS.role;

/** Status labels as table cells: the shared lower-case wording, capitalised. */
export const STATUS_VI: Record<QuestionStatus, string> = Object.fromEntries(
  Object.entries(STAFF_TEXTS.questionStatus).map(([status, name]) => [status, capitalized(name)]),
) as Record<QuestionStatus, string>;

export const DEADLINE_VI: Record<'accept' | 'answer', string> = STAFF_TEXTS.deadline;

export const DELETE_REASON_VI: Record<string, string> = STAFF_TEXTS.deleteReason;

/** "2023-09-25T17:00:00.000+07:00" (already local) → "25/09/2023 17:00". */
export function dateTimeVi(iso: string | undefined): string {
  if (!iso || iso.length < 16) return '';
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)} ${iso.slice(11, 16)}`;
}

export function dateVi(iso: string | undefined): string {
  return dateTimeVi(iso).slice(0, 10);
}

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  // Only the console's own static files (Chart.js and the script that reads the charts' JSON islands).
  "script-src 'self'",
  "style-src 'unsafe-inline'",
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const STYLE = `
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1f2933;background:#f3f4f6;-webkit-text-size-adjust:100%;font-size:15px;line-height:1.45}
header{background:#9f1d20;color:#fff;padding:.5rem 1rem}
header .brand{font-weight:600}
header .who{font-size:.8125rem;opacity:.9}
.diff-added ins{background:#e6f4ea;text-decoration:none}
.diff-removed del{background:#fde8e8}
nav{display:flex;flex-wrap:wrap;gap:.25rem .75rem;padding:.5rem 1rem;background:#7d1619}
nav a{color:#fff;text-decoration:none;padding:.25rem 0}
nav a[aria-current=page]{border-bottom:2px solid #ffd966}
nav form{margin:0 0 0 auto}
nav button{background:none;border:1px solid #ffffff88;color:#fff;border-radius:.25rem;padding:.2rem .6rem;font:inherit;cursor:pointer}
main{max-width:72rem;margin:0 auto;padding:.75rem 1rem 2rem}
h1{font-size:1.25rem;margin:.25rem 0 .75rem}
h2{font-size:1.05rem;margin:1rem 0 .5rem}
.grid{display:grid;grid-template-columns:minmax(0,1fr);gap:1rem}
@media (min-width:52rem){.grid{grid-template-columns:minmax(0,1fr) minmax(0,1fr)}}
.card{background:#fff;border:1px solid #d9dde3;border-radius:.5rem;padding:.75rem}
figure{margin:0}
figcaption{font-weight:600;margin-bottom:.5rem}
.chart{position:relative;width:100%;max-width:40rem}
.chart canvas{display:block}
.table-wrap{overflow-x:auto;-webkit-overflow-scrolling:touch;background:#fff;border:1px solid #d9dde3;border-radius:.5rem}
table{border-collapse:collapse;width:100%;font-size:.875rem}
th,td{border-bottom:1px solid #e4e7eb;padding:.4rem .5rem;text-align:left;vertical-align:top}
th{background:#f8f9fa;font-weight:600}
td.num,th.num{text-align:right;white-space:nowrap}
#appendix02{min-width:40rem}
#appendix02 td:nth-child(2){min-width:12rem}
.muted{color:#52606d;font-size:.8125rem}
.flash{padding:.6rem .75rem;border-radius:.375rem;margin:.5rem 0;background:#e3f4e8;border:1px solid #9fd3ae}
.error{padding:.6rem .75rem;border-radius:.375rem;margin:.5rem 0;background:#fde8e8;border:1px solid #f1a7a7}
form.inline{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end}
form.inline>div{max-width:100%;min-width:0}
label{display:block;font-size:.8125rem;color:#52606d}
input,select,textarea{font:inherit;padding:.4rem .5rem;border:1px solid #b8c0c9;border-radius:.25rem;max-width:100%;background:#fff}
textarea{width:100%;min-height:6rem}
button.primary,a.button{display:inline-block;background:#9f1d20;color:#fff;border:0;border-radius:.375rem;padding:.5rem 1rem;font:inherit;cursor:pointer;text-decoration:none}
.actions{display:grid;grid-template-columns:minmax(0,1fr);gap:.75rem}
@media (min-width:52rem){.actions{grid-template-columns:minmax(0,1fr) minmax(0,1fr)}}
.actions form{background:#fff;border:1px solid #d9dde3;border-radius:.5rem;padding:.75rem;display:flex;flex-direction:column;gap:.5rem}
.q-text{white-space:pre-wrap;background:#fff;border:1px solid #d9dde3;border-radius:.5rem;padding:.75rem}
.late{color:#9f1d20;font-weight:600}
dl.facts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.25rem .75rem;margin:0}
dl.facts dt{color:#52606d}
@media (max-width:40rem){
table.cards thead{display:none}
table.cards tr{display:block;border-bottom:1px solid #d9dde3;padding:.4rem 0}
table.cards td{display:block;border:0;padding:.1rem .6rem;text-align:left}
table.cards td[data-th]::before{content:attr(data-th) ": ";color:#52606d;font-size:.8125rem}
}
dl.facts dd{margin:0;overflow-wrap:anywhere}
select{width:100%}
form.inline select{width:auto}
`;

export interface Viewer {
  name: string;
  role: Role;
  agencyName?: string;
  csrf: string;
  /** Whether the viewer may see Phụ biểu 02 (the 'report' permission). */
  reports: boolean;
  /** Whether the viewer manages accounts and their console sessions (the 'manage_accounts' permission). */
  accounts?: boolean;
}

const NAV: Array<{ href: string; label: string; key: string; reports?: boolean; accounts?: boolean }> = [
  { href: '/quan-tri', label: L.nav.dashboard, key: 'dashboard' },
  { href: '/quan-tri/cau-hoi', label: L.nav.questions, key: 'questions' },
  { href: '/quan-tri/qua-han', label: L.nav.overdue, key: 'overdue' },
  { href: '/quan-tri/phu-bieu-02', label: L.nav.report, key: 'report', reports: true },
  { href: '/quan-tri/tai-khoan', label: L.nav.accounts, key: 'accounts', accounts: true },
];

export function page(title: string, body: string, viewer?: Viewer, current?: string, scripts: readonly string[] = []): string {
  const head = `<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><link rel="icon" href="data:,">
<title>${esc(fill(L.titleSuffix, { title }))}</title><style>${STYLE}</style></head><body>`;
  const header = viewer
    ? `<header><div class="brand">${esc(L.brand)}</div><div class="who">${esc(viewer.name)} — ${esc(ROLE_VI[viewer.role])}${viewer.agencyName ? `, ${esc(viewer.agencyName)}` : ''}</div></header>
<nav aria-label="${esc(L.navLabel)}">${NAV.filter((n) => (!n.reports || viewer.reports) && (!n.accounts || viewer.accounts))
        .map((n) => `<a href="${n.href}"${n.key === current ? ' aria-current="page"' : ''}>${esc(n.label)}</a>`)
        .join('')}<form method="post" action="/quan-tri/dang-xuat">${csrfField(viewer)}<button type="submit">${esc(L.signOut)}</button></form></nav>`
    : `<header><div class="brand">${esc(L.brand)}</div></header>`;
  const tail = scripts.map((src) => `<script src="${esc(src)}"></script>`).join('');
  return `${head}${header}<main>${body}</main>${tail}</body></html>`;
}

export function csrfField(viewer: Pick<Viewer, 'csrf'>): string {
  return `<input type="hidden" name="_csrf" value="${esc(viewer.csrf)}">`;
}
