import type express from 'express';
import type { Request, Response } from 'express';
import { initials } from '../backoffice/actions';
import type { ProvinceData } from '../config/data';
import { redactForPublic } from '../domain/redact';
import { foldVietnamese } from '../domain/text';
import { clientNetwork } from '../domain/network';
import type { PublicAnswerRow } from '../app/ports';
import { TokenBuckets, type BucketLimit } from '../channels/portal/rate-limit';

/**
 * GET /hoi-dap: the public list of answered questions, server-rendered, searchable by
 * text (diacritics optional) and agency. The asker appears only as initials; their
 * contact never reaches this module. Every text from a citizen or an officer is escaped.
 */

export interface PublicAnswerSource {
  /** Changes whenever an answer is published (the cache key). */
  version(): number | Promise<number>;
  all(): PublicAnswerRow[] | Promise<PublicAnswerRow[]>;
}

export const PAGE_SIZE = 10;
/** Distinct words of a search that are matched; the rest are ignored (a longer search finds at least as much). */
export const MAX_SEARCH_WORDS = 10;

interface Entry extends PublicAnswerRow {
  folded: string;
}

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
.count{color:#5a6776}`;

/** Searches per client address: each reads every published answer; a person searching, even an office behind one address, stays far below. */
export const SEARCH_LIMIT: BucketLimit = { burst: 60, perMinute: 120 };

export function mountPublicAnswers(app: express.Express, deps: { data: ProvinceData; source: PublicAnswerSource; searchLimit?: BucketLimit }): void {
  const { data, source } = deps;
  const searches = new TokenBuckets(deps.searchLimit ?? SEARCH_LIMIT);
  let cache: { version: number; entries: Entry[] } | undefined;

  async function entries(): Promise<Entry[]> {
    const version = await source.version();
    if (cache?.version !== version) {
      const rows = await source.all();
      // Published as redacted (contacts, ID numbers, invisible controls), and searched as published.
      const published = rows.map((r) => ({ ...r, question: redactForPublic(r.question), answer: redactForPublic(r.answer) }));
      cache = { version, entries: published.map((r) => ({ ...r, folded: ` ${foldVietnamese(`${r.q} ${r.question} ${r.answer}`)} ` })) };
    }
    return cache.entries;
  }

  app.get('/hoi-dap', async (req: Request, res: Response) => {
    const search = queryText(req, 'q').trim();
    if (search) {
      const taken = searches.take(clientNetwork(req.ip ?? req.socket.remoteAddress ?? 'unknown'));
      if (!taken.ok) {
        res.status(429).set('Retry-After', String(taken.retryAfterSeconds)).type('html')
          .send(`<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Hỏi - Đáp</title></head><body><p>Bạn đã tìm kiếm quá nhiều lần trong thời gian ngắn. Vui lòng thử lại sau ${taken.retryAfterSeconds} giây.</p></body></html>`);
        return;
      }
    }
    const agencyInput = queryText(req, 'agency').trim();
    const pageNumber = Math.max(1, Math.min(1_000_000, Number.parseInt(queryText(req, 'page'), 10) || 1));
    const match = agencyInput ? data.agencies.resolve(agencyInput) : undefined;
    const agency = match?.kind === 'found' ? match.agency : undefined;

    // Every word of the query must be a word of the question or the answer, compared without diacritics;
    // the exact phrase ranks first, and typed with diacritics, the phrase with those diacritics before that.
    const folded = foldVietnamese(search);
    // Each word is a scan of every published answer: repeats count once, and 10 words are plenty to narrow a search
    // (a query of 66 "va" cost 66 scans of every answer per request, for anyone, without limit).
    const words = [...new Set(folded.split(' ').filter(Boolean))].slice(0, MAX_SEARCH_WORDS);
    const accented = search.normalize('NFC').toLocaleLowerCase('vi');
    const hasDiacritics = accented !== accented.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').normalize('NFC');
    const all = await entries();
    const score = (e: Entry) =>
      words.length === 0
        ? 0
        : (hasDiacritics && `${e.question}\n${e.answer}`.normalize('NFC').toLocaleLowerCase('vi').includes(accented) ? 2 : 0) + (e.folded.includes(` ${folded} `) ? 1 : 0);
    const found = all
      .filter((e) => (!agency || e.agency === agency.code) && words.every((w) => e.folded.includes(` ${w} `)))
      .map((e, i) => ({ e, i, s: score(e) }))
      .sort((a, b) => b.s - a.s || a.i - b.i)
      .map((x) => x.e);
    const pages = Math.max(1, Math.ceil(found.length / PAGE_SIZE));
    const page = Math.min(pageNumber, pages);
    const shown = found.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    const { clock } = data;

    const options = data.agencies
      .inReportOrder()
      .filter((a) => all.some((e) => e.agency === a.code) || a.code === agency?.code)
      .map((a) => `<option value="${escapeHtml(a.code)}"${a.code === agency?.code ? ' selected' : ''}>${escapeHtml(a.name)}</option>`)
      .join('');
    const link = (p: number) => {
      const params = new URLSearchParams();
      if (search) params.set('q', search);
      if (agency) params.set('agency', agency.code);
      if (p > 1) params.set('page', String(p));
      const qs = params.toString();
      return escapeHtml(`/hoi-dap${qs ? `?${qs}` : ''}`);
    };
    const items = shown
      .map((e) => {
        const name = initials(e.askerName);
        const agencyName = data.agencies.get(e.agency)?.name ?? e.agency;
        return `<article>
<p class="meta">${escapeHtml(e.q)} · Người hỏi: ${escapeHtml(name ?? 'ẩn danh')} · Ngày hỏi: ${escapeHtml(clock.formatDateVi(e.submittedAt))} · Gửi tới: ${escapeHtml(agencyName)}</p>
<h2 class="text" style="font-size:1rem;font-weight:600">${escapeHtml(e.question)}</h2>
<div class="answer"><h3>Trả lời của ${escapeHtml(agencyName)} (${escapeHtml(clock.formatDateVi(e.answeredAt))})</h3>
<p class="text">${escapeHtml(e.answer)}</p></div>
</article>`;
      })
      .join('\n');
    const unknownAgency = agencyInput && !agency ? `<p>Không tìm thấy cơ quan, đơn vị “${escapeHtml(agencyInput)}”; đang hiển thị tất cả.</p>` : '';
    const summary = search || agency ? `Tìm thấy ${found.length} câu hỏi đã được trả lời.` : `${found.length} câu hỏi đã được trả lời.`;
    const nav =
      pages > 1
        ? `<nav>${page > 1 ? `<a href="${link(page - 1)}" rel="prev">← Trang trước</a>` : '<span></span>'}<span>Trang ${page}/${pages}</span>${
            page < pages ? `<a href="${link(page + 1)}" rel="next">Trang sau →</a>` : '<span></span>'
          }</nav>`
        : '';

    // Appended: the app's own policy (frame-ancestors, src/http/hardening.ts) applies as well.
    res.append('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'");
    res.set({
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'same-origin',
    });
    res.type('html').send(`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hỏi - Đáp: câu hỏi đã được trả lời</title><style>${STYLE}</style></head>
<body><header><h1>Chuyên mục Hỏi - Đáp</h1><p>Các câu hỏi của người dân, doanh nghiệp đã được cơ quan, đơn vị trả lời</p></header>
<main>
<form method="get" action="/hoi-dap" role="search">
<input type="search" name="q" value="${escapeHtml(search)}" placeholder="Tìm theo nội dung (gõ có dấu hoặc không dấu)" aria-label="Nội dung cần tìm">
<select name="agency" aria-label="Cơ quan, đơn vị"><option value="">Tất cả cơ quan, đơn vị</option>${options}</select>
<button type="submit">Tìm kiếm</button>
</form>
${unknownAgency}<p class="count">${summary}</p>
${items || '<p>Không có câu hỏi nào phù hợp.</p>'}
${nav}
</main></body></html>`);
  });
}
