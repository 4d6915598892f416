import type express from 'express';
import type { Request, Response } from 'express';
import { initials } from '../backoffice/actions';
import type { ProvinceData } from '../config/data';
import { redactForPublic } from '../domain/redact';
import type { PublicAnswerRow } from '../app/ports';
import { clientNetwork } from '../domain/network';
import { TokenBuckets, type BucketLimit } from '../channels/portal/rate-limit';
import { loadRoutingResources } from '../routing/load';
import type { Normalizer } from '../routing/normalize';

/**
 * GET /hoi-dap: the public list of answered questions, server-rendered, searchable by text
 * (the router's normalisation: diacritics optional, abbreviations such as "BHYT" expanded),
 * ranked by relevance (BM25), filtered by agency and year; GET /hoi-dap/HD-YYYY-NNNNNN: one
 * question's page, to share. The asker appears only as initials; their contact never reaches
 * this module. Every text from a citizen or an officer is escaped.
 */

export interface PublicAnswerSource {
  /** Changes whenever an answer is published (the cache key). */
  version(): number | Promise<number>;
  all(): PublicAnswerRow[] | Promise<PublicAnswerRow[]>;
}

export const PAGE_SIZE = 10;

interface Entry extends PublicAnswerRow {
  /** Term frequencies (syllables and pairs of consecutive syllables; the question counts twice) and the document length. */
  terms: Map<string, number>;
  length: number;
  year: number;
}

/** An answer older than this was given under the law of its day: the page says so. */
const OLD_ANSWER_MS = 365 * 24 * 3600 * 1000;
const BM25_K1 = 1.2;
const BM25_B = 0.75;
const TICKET = /^HD-\d{4}-\d{6}$/;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string);
}

function queryText(req: Request, name: string): string {
  const value = req.query[name];
  return typeof value === 'string' ? value.slice(0, 200) : '';
}

const STYLE = `
*{box-sizing:border-box}body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2733;background:#f4f6f8;line-height:1.5}
header{background:#a31d24;color:#fff;padding:1rem}header h1{margin:0;font-size:1.3rem}header p{margin:.25rem 0 0;font-size:.9rem;opacity:.9}
main{max-width:48rem;margin:0 auto;padding:1rem}
form{display:flex;flex-wrap:wrap;gap:.5rem;margin-bottom:1rem}
form input,form select{flex:1 1 14rem;padding:.6rem;font-size:1rem;border:1px solid #b8c2cc;border-radius:.3rem;min-width:0}
form button{padding:.6rem 1.2rem;font-size:1rem;border:0;border-radius:.3rem;background:#a31d24;color:#fff}
article{background:#fff;border-radius:.4rem;padding:1rem;margin-bottom:1rem;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.meta{font-size:.85rem;color:#5a6776;margin:0 0 .5rem}.text{white-space:pre-line;margin:0 0 .75rem;overflow-wrap:anywhere}
.answer{border-left:3px solid #a31d24;padding-left:.75rem}.answer h3{font-size:.95rem;margin:0 0 .25rem}
nav{display:flex;justify-content:space-between;align-items:center;gap:.5rem;flex-wrap:wrap}nav a{color:#a31d24}
.count{color:#5a6776}.old{background:#fff6e0;border-left:3px solid #d08a00;padding:.4rem .6rem;font-size:.9rem;margin:.5rem 0}
h2 a{color:inherit;text-decoration:none}h2 a:hover{text-decoration:underline}.back{display:inline-block;margin-bottom:1rem;color:#a31d24}`;

/** Syllables with abbreviations expanded, and pairs of consecutive ones: "chung cu" must be the pair, not two stray syllables. */
function termsOf(normalizer: Normalizer, text: string): string[] {
  const tokens = normalizer.tokens(text);
  const out = [...tokens];
  for (let i = 0; i + 1 < tokens.length; i += 1) out.push(`${tokens[i]}_${tokens[i + 1]}`);
  return out;
}

function counts(terms: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of terms) m.set(t, (m.get(t) ?? 0) + 1);
  return m;
}

function page(title: string, main: string, description = 'Các câu hỏi của người dân, doanh nghiệp đã được cơ quan, đơn vị trả lời'): string {
  return `<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><header><h1>Chuyên mục Hỏi - Đáp</h1><p>${escapeHtml(description)}</p></header>
<main>
${main}
</main></body></html>`;
}

function sendHtml(res: Response, status: number, html: string): void {
  // Appended: the app's own policy (frame-ancestors, src/http/hardening.ts) applies as well.
  res.append('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'");
  res.set({ 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin' });
  res.status(status).type('html').send(html);
}

/** Searches per client address: each reads every published answer; a person searching, even an office behind one address, stays far below. */
export const SEARCH_LIMIT: BucketLimit = { burst: 60, perMinute: 120 };
/** Distinct syllables of a search that are matched; the rest are ignored (a longer search finds at least as much). */
export const MAX_SEARCH_WORDS = 10;

export function mountPublicAnswers(
  app: express.Express,
  deps: { data: ProvinceData; source: PublicAnswerSource; normalizer?: Normalizer; now?: () => number; searchLimit?: BucketLimit },
): void {
  const { data, source } = deps;
  const searches = new TokenBuckets(deps.searchLimit ?? SEARCH_LIMIT);
  const normalizer = deps.normalizer ?? loadRoutingResources(data).normalizer;
  const now = deps.now ?? Date.now;
  let cache: { version: number; entries: Entry[]; df: Map<string, number>; avgLength: number } | undefined;

  async function index(): Promise<NonNullable<typeof cache>> {
    const version = await source.version();
    if (cache?.version !== version) {
      const rows = await source.all();
      // Published as redacted (contacts, ID numbers, invisible controls), and searched as published.
      const entries = rows.map((r): Entry => {
        const question = redactForPublic(r.question);
        const answer = redactForPublic(r.answer);
        const questionTerms = termsOf(normalizer, question);
        const all = [...questionTerms, ...questionTerms, ...termsOf(normalizer, `${r.q} ${answer}`)];
        return { ...r, question, answer, terms: counts(all), length: all.length, year: Number(data.clock.formatDateVi(r.submittedAt).slice(-4)) };
      });
      const df = new Map<string, number>();
      for (const e of entries) for (const t of e.terms.keys()) df.set(t, (df.get(t) ?? 0) + 1);
      const avgLength = entries.reduce((sum, e) => sum + e.length, 0) / Math.max(1, entries.length);
      cache = { version, entries, df, avgLength };
    }
    return cache;
  }

  /** "Trả lời theo quy định tại thời điểm ...": an answer more than a year old may rest on rules since replaced. */
  function oldNote(e: Entry): string {
    if (now() - e.answeredAt < OLD_ANSWER_MS) return '';
    return `<p class="old">Câu trả lời theo quy định tại thời điểm trả lời (${escapeHtml(data.clock.formatDateVi(e.answeredAt))}); quy định có thể đã thay đổi, bạn vui lòng kiểm tra văn bản hiện hành hoặc gửi câu hỏi mới.</p>`;
  }

  function agencyName(code: string): string {
    return data.agencies.get(code)?.name ?? code;
  }

  function meta(e: Entry): string {
    const name = initials(e.askerName);
    return `${escapeHtml(e.q)} · Người hỏi: ${escapeHtml(name ?? 'ẩn danh')} · Ngày hỏi: ${escapeHtml(data.clock.formatDateVi(e.submittedAt))} · Gửi tới: ${escapeHtml(agencyName(e.agency))}`;
  }

  function answerBlock(e: Entry): string {
    return `<div class="answer"><h3>Trả lời của ${escapeHtml(agencyName(e.agency))} (${escapeHtml(data.clock.formatDateVi(e.answeredAt))})</h3>
<p class="text">${escapeHtml(e.answer)}</p></div>
${oldNote(e)}`;
  }

  app.get('/hoi-dap/:q', async (req: Request, res: Response) => {
    const q = String(req.params.q ?? '').toUpperCase();
    const e = TICKET.test(q) ? (await index()).entries.find((x) => x.q === q) : undefined;
    if (!e) {
      sendHtml(
        res,
        404,
        page(
          'Không tìm thấy câu hỏi',
          `<a class="back" href="/hoi-dap">← Tất cả câu hỏi đã trả lời</a>
<h2>Không tìm thấy câu hỏi ${escapeHtml(String(req.params.q ?? '').slice(0, 40))}</h2>
<p>Câu hỏi này không có hoặc chưa được trả lời công khai. Bạn kiểm tra lại mã câu hỏi (dạng HD-2026-000123), tìm trong <a href="/hoi-dap">danh sách câu hỏi đã trả lời</a>, hoặc gửi mã cho trợ lý Hỏi - Đáp trên <a href="/">trang chủ</a> để tra cứu.</p>`,
        ),
      );
      return;
    }
    const title = e.question.length > 90 ? `${e.question.slice(0, 89)}…` : e.question;
    sendHtml(
      res,
      200,
      page(
        `${e.q}: ${title}`,
        `<a class="back" href="/hoi-dap">← Tất cả câu hỏi đã trả lời</a>
<article>
<p class="meta">${meta(e)} · Ngày trả lời: ${escapeHtml(data.clock.formatDateVi(e.answeredAt))}</p>
<h2 class="text" style="font-size:1.05rem;font-weight:600">${escapeHtml(e.question)}</h2>
${answerBlock(e)}
<p class="meta">Đường dẫn chia sẻ: /hoi-dap/${escapeHtml(e.q)}</p>
</article>`,
      ),
    );
  });

  app.get('/hoi-dap', async (req: Request, res: Response) => {
    const search = queryText(req, 'q').trim();
    // A ticket number goes straight to its page (answer notices sent before the question pages existed link to /hoi-dap?q=HD-...).
    const ticket = /^HD[\s-]?(\d{4})[\s-]?(\d{6})$/i.exec(search);
    if (ticket) {
      res.redirect(302, `/hoi-dap/HD-${ticket[1]}-${ticket[2]}`);
      return;
    }
    if (search) {
      const taken = searches.take(clientNetwork(req.ip ?? req.socket.remoteAddress ?? 'unknown'));
      if (!taken.ok) {
        sendHtml(res.set('Retry-After', String(taken.retryAfterSeconds)), 429, page('Hỏi - Đáp', `<p>Bạn đã tìm kiếm quá nhiều lần trong thời gian ngắn. Vui lòng thử lại sau ${taken.retryAfterSeconds} giây.</p>`));
        return;
      }
    }
    const agencyInput = queryText(req, 'agency').trim();
    const yearInput = queryText(req, 'year').trim();
    const year = /^\d{4}$/.test(yearInput) ? Number(yearInput) : undefined;
    const pageNumber = Math.max(1, Math.min(1_000_000, Number.parseInt(queryText(req, 'page'), 10) || 1));
    const match = agencyInput ? data.agencies.resolve(agencyInput) : undefined;
    const agency = match?.kind === 'found' ? match.agency : undefined;

    const { entries: all, df, avgLength } = await index();
    // Each syllable is a lookup in every published answer: repeats count once, and 10 are plenty to narrow a search
    // (a query of 66 "va" cost 66 passes over every answer per request, for anyone).
    const bounded = [...new Set(normalizer.tokens(search))].slice(0, MAX_SEARCH_WORDS).join(' ');
    const queryTokens = normalizer.tokens(bounded);
    const queryTerms = [...new Set(termsOf(normalizer, bounded))];
    const pairs = queryTerms.filter((t) => t.includes('_'));
    const n = all.length;
    // BM25 over syllables and pairs. Every syllable must be there, and with two or more, one pair at least:
    // "chung cu" is an apartment building, not "chứng nhận" and "xe cũ" in one answer.
    const scored = all
      .filter((e) => (!agency || e.agency === agency.code) && (year === undefined || e.year === year))
      .filter((e) => queryTokens.every((t) => e.terms.has(t)) && (pairs.length === 0 || pairs.some((p) => e.terms.has(p))))
      .map((e, i) => {
        let score = 0;
        for (const t of queryTerms) {
          const tf = e.terms.get(t);
          if (!tf) continue;
          const d = df.get(t) ?? 0;
          const idf = Math.log(1 + (n - d + 0.5) / (d + 0.5));
          score += (idf * tf * (BM25_K1 + 1)) / (tf + BM25_K1 * (1 - BM25_B + (BM25_B * e.length) / avgLength));
        }
        return { e, i, score };
      })
      .sort((a, b) => b.score - a.score || a.i - b.i);
    const found = scored.map((x) => x.e);
    const pages = Math.max(1, Math.ceil(found.length / PAGE_SIZE));
    const pageNo = Math.min(pageNumber, pages);
    const shown = found.slice((pageNo - 1) * PAGE_SIZE, pageNo * PAGE_SIZE);

    const options = data.agencies
      .inReportOrder()
      .filter((a) => all.some((e) => e.agency === a.code) || a.code === agency?.code)
      .map((a) => `<option value="${escapeHtml(a.code)}"${a.code === agency?.code ? ' selected' : ''}>${escapeHtml(a.name)}</option>`)
      .join('');
    const years = [...new Set(all.map((e) => e.year))].sort((a, b) => b - a);
    const yearOptions = years.map((y) => `<option value="${y}"${y === year ? ' selected' : ''}>${y}</option>`).join('');
    const link = (p: number) => {
      const params = new URLSearchParams();
      if (search) params.set('q', search);
      if (agency) params.set('agency', agency.code);
      if (year !== undefined) params.set('year', String(year));
      if (p > 1) params.set('page', String(p));
      const qs = params.toString();
      return escapeHtml(`/hoi-dap${qs ? `?${qs}` : ''}`);
    };
    const items = shown
      .map(
        (e) => `<article>
<p class="meta">${meta(e)}</p>
<h2 class="text" style="font-size:1rem;font-weight:600"><a href="/hoi-dap/${escapeHtml(e.q)}">${escapeHtml(e.question)}</a></h2>
${answerBlock(e)}
</article>`,
      )
      .join('\n');
    const unknownAgency = agencyInput && !agency ? `<p>Không tìm thấy cơ quan, đơn vị “${escapeHtml(agencyInput)}”; đang hiển thị tất cả.</p>` : '';
    const summary = search || agency || year !== undefined ? `Tìm thấy ${found.length} câu hỏi đã được trả lời.` : `${found.length} câu hỏi đã được trả lời.`;
    const nav =
      pages > 1
        ? `<nav>${pageNo > 1 ? `<a href="${link(pageNo - 1)}" rel="prev">← Trang trước</a>` : '<span></span>'}<span>Trang ${pageNo}/${pages}</span>${
            pageNo < pages ? `<a href="${link(pageNo + 1)}" rel="next">Trang sau →</a>` : '<span></span>'
          }</nav>`
        : '';
    sendHtml(
      res,
      200,
      page(
        'Hỏi - Đáp: câu hỏi đã được trả lời',
        `<form method="get" action="/hoi-dap" role="search">
<input type="search" name="q" value="${escapeHtml(search)}" placeholder="Tìm, ví dụ: BHYT, sổ đỏ" aria-label="Nội dung cần tìm (có dấu hoặc không dấu)">
<select name="agency" aria-label="Cơ quan, đơn vị"><option value="">Tất cả cơ quan, đơn vị</option>${options}</select>
<select name="year" aria-label="Năm hỏi"><option value="">Mọi năm</option>${yearOptions}</select>
<button type="submit">Tìm kiếm</button>
</form>
${unknownAgency}<p class="count">${summary}</p>
${items || '<p>Không có câu hỏi nào phù hợp.</p>'}
${nav}
<p><a href="/">← Trang chủ: hỏi trợ lý Hỏi - Đáp</a></p>`,
      ),
    );
  });
}
