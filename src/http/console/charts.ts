/**
 * The console's charts, drawn on the server as inline SVG.
 *
 * Why not a browser library such as Chart.js: the figures are a few dozen bars that are
 * already computed on the server; SVG in the page needs no script at all (the console's
 * Content-Security-Policy stays `script-src 'none'`), no dependency to keep patched, shows
 * the same on an old phone as on a desktop, prints, and each bar carries its label and
 * value as text (`<title>`, a table under each chart) for screen readers and for tests.
 * The charts are 360 user units wide, so on a phone one unit is about one CSS pixel and
 * the labels stay readable; agency names are written above their bar, not beside it.
 */

import { STAFF_TEXTS } from '../../bot/texts';

export interface Bar {
  label: string;
  value: number;
  /** What is written at the end of the bar (default: the value). */
  text?: string;
}

const WIDTH = 360;
const COLORS = { bar: '#9f1d20', soft: '#d9a5a6', axis: '#9aa5b1', text: '#1f2933', muted: '#52606d' };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string);
}

function niceMax(max: number): number {
  if (max <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= max) return m * step;
  return 10 * step;
}

/** Vertical columns (months, ratings): one column per bar, the value above it, the label below. */
export function columnChart(id: string, title: string, bars: readonly Bar[], options: { unit?: string } = {}): string {
  const height = 200;
  const top = 18;
  const bottom = 34;
  const left = 8;
  const plot = height - top - bottom;
  const max = niceMax(Math.max(0, ...bars.map((b) => b.value)));
  const slot = (WIDTH - left * 2) / Math.max(1, bars.length);
  const barWidth = Math.max(6, Math.min(40, slot * 0.7));
  const parts: string[] = [];
  parts.push(`<line x1="${left}" y1="${top + plot}" x2="${WIDTH - left}" y2="${top + plot}" stroke="${COLORS.axis}" stroke-width="1"/>`);
  bars.forEach((b, i) => {
    const h = max === 0 ? 0 : (b.value / max) * plot;
    const x = left + slot * i + (slot - barWidth) / 2;
    const y = top + plot - h;
    const cx = left + slot * i + slot / 2;
    const text = b.text ?? String(b.value);
    parts.push(
      `<g class="bar" data-label="${escapeXml(b.label)}" data-value="${b.value}"><title>${escapeXml(`${b.label}: ${text}${options.unit ? ` ${options.unit}` : ''}`)}</title>` +
        `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${h.toFixed(1)}" rx="2" fill="${COLORS.bar}"/>` +
        `<text x="${cx.toFixed(1)}" y="${(y - 4).toFixed(1)}" font-size="11" text-anchor="middle" fill="${COLORS.text}">${escapeXml(text)}</text>` +
        `<text x="${cx.toFixed(1)}" y="${top + plot + 15}" font-size="11" text-anchor="middle" fill="${COLORS.muted}">${escapeXml(b.label)}</text></g>`,
    );
  });
  return svg(id, title, height, parts);
}

/** Horizontal bars, one per agency: the name on its own line above the bar, so that long names fit a phone. */
export function barChart(id: string, title: string, bars: readonly Bar[], options: { max?: number; unit?: string } = {}): string {
  const row = 36;
  const top = 4;
  const height = top + Math.max(1, bars.length) * row + 4;
  const max = options.max ?? niceMax(Math.max(0, ...bars.map((b) => b.value)));
  const full = WIDTH - 96;
  const parts: string[] = [];
  if (bars.length === 0) parts.push(`<text x="0" y="22" font-size="13" fill="${COLORS.muted}">${escapeXml(STAFF_TEXTS.console.pages.layout.noData)}</text>`);
  bars.forEach((b, i) => {
    const y = top + i * row;
    const w = max === 0 ? 0 : Math.max(b.value > 0 ? 2 : 0, (b.value / max) * full);
    const text = b.text ?? String(b.value);
    parts.push(
      `<g class="bar" data-label="${escapeXml(b.label)}" data-value="${b.value}"><title>${escapeXml(`${b.label}: ${text}${options.unit ? ` ${options.unit}` : ''}`)}</title>` +
        `<text x="0" y="${y + 12}" font-size="12" fill="${COLORS.text}">${escapeXml(b.label)}</text>` +
        `<rect x="0" y="${y + 16}" width="${full}" height="12" rx="2" fill="#eef0f3"/>` +
        `<rect x="0" y="${y + 16}" width="${w.toFixed(1)}" height="12" rx="2" fill="${COLORS.bar}"/>` +
        `<text x="${full + 6}" y="${y + 27}" font-size="11" fill="${COLORS.text}">${escapeXml(text)}</text></g>`,
    );
  });
  return svg(id, title, height, parts);
}

function svg(id: string, title: string, height: number, parts: string[]): string {
  return (
    `<svg class="chart" id="${escapeXml(id)}" data-chart="${escapeXml(id)}" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-labelledby="${escapeXml(id)}-title" xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif">` +
    `<title id="${escapeXml(id)}-title">${escapeXml(title)}</title>${parts.join('')}</svg>`
  );
}
