import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The dashboard's charts are drawn in the browser by Chart.js 4 (the `chart.js` dependency, pinned
 * by the lockfile), served by this server from the installed package: no CDN, and the console's
 * Content-Security-Policy allows scripts from 'self' only. A production install (`npm ci
 * --omit=dev`) has the package, so nothing is vendored at build time.
 *
 * Each chart is a <canvas data-chart="..."> followed by a JSON island
 * (<script type="application/json">, never executed) with its labels, values and wording; the table
 * of the same figures stays under the chart (open when scripts do not run, folded once drawn).
 */

export const STATIC_PREFIX = '/static';

/**
 * The UMD build of Chart.js (the package's `unpkg` file). Its `exports` map hides dist/ from
 * require.resolve, but the bundle sits next to the CommonJS entry it does export.
 */
export function chartJsFile(): string {
  return path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js');
}

/** The installed Chart.js version: it names the library's URL, which is then cached for a year. */
export function chartJsVersion(): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(path.dirname(chartJsFile()), '..', 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

/** What one chart needs, in the JSON island next to its canvas. */
export interface ChartSpec {
  /** 'column': vertical columns (months, ratings); 'bar': horizontal bars, one per agency (long names on a phone). */
  kind: 'column' | 'bar';
  title: string;
  labels: string[];
  values: number[];
  /** What each value's tooltip says (default: the value). */
  texts?: string[];
  categoryAxis: string;
  valueAxis: string;
  /** The value axis' upper bound (100 for shares). */
  max?: number;
  /** Appended to tick labels ('%'). */
  tickSuffix?: string;
}

/** The island's text: JSON that cannot close its <script> element. */
export function chartIsland(id: string, spec: ChartSpec): string {
  const json = JSON.stringify(spec).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
  return `<script type="application/json" id="${id}-data">${json}</script>`;
}

/** The console's own script: reads each island and draws its chart. Plain ES2017, no build step. */
export const CONSOLE_SCRIPT = `(function () {
  'use strict';
  if (typeof window.Chart !== 'function') return;
  var COLOR = '#9f1d20';
  var GRID = '#e4e7eb';
  var TEXT = '#1f2933';
  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';
  Chart.defaults.color = TEXT;
  var canvases = document.querySelectorAll('canvas[data-chart]');
  Array.prototype.forEach.call(canvases, function (canvas) {
    var island = document.getElementById(canvas.getAttribute('data-chart') + '-data');
    if (!island) return;
    var spec;
    try { spec = JSON.parse(island.textContent); } catch (e) { return; }
    var box = canvas.parentNode;
    box.hidden = false;
    var horizontal = spec.kind === 'bar';
    // Horizontal bars grow with the number of agencies; columns keep a fixed height.
    box.style.height = horizontal ? Math.max(120, 64 + spec.labels.length * 34) + 'px' : '220px';
    var suffix = spec.tickSuffix || '';
    var valueScale = {
      beginAtZero: true,
      title: { display: true, text: spec.valueAxis },
      grid: { color: GRID },
      ticks: { precision: 0, callback: function (v) { return v + suffix; } }
    };
    if (typeof spec.max === 'number') valueScale.max = spec.max;
    var narrow = box.clientWidth < 480;
    var categoryScale = {
      // On a phone, agency names explain themselves: their axis title would take the names' room.
      title: { display: !(horizontal && narrow), text: spec.categoryAxis },
      grid: { display: false },
      ticks: horizontal ? {
        autoSkip: false,
        // Long agency names wrap on words over two lines (whole in the tooltip and in the table).
        callback: function (v) {
          var words = String(this.getLabelForValue(v)).split(' ');
          var room = Math.max(14, Math.floor(box.clientWidth * 0.4 / 7));
          var lines = [''];
          words.forEach(function (w) {
            var last = lines.length - 1;
            if (lines[last] === '' || (lines[last] + ' ' + w).length <= room) lines[last] = lines[last] ? lines[last] + ' ' + w : w;
            else lines.push(w);
          });
          if (lines.length > 2) lines = [lines[0], lines.slice(1).join(' ').slice(0, room - 1) + '\\u2026'];
          return lines;
        }
      } : { autoSkip: false, maxRotation: 60 }
    };
    var chart = new Chart(canvas, {
      type: 'bar',
      data: { labels: spec.labels, datasets: [{ label: spec.valueAxis, data: spec.values, backgroundColor: COLOR, borderRadius: 2, maxBarThickness: horizontal ? 18 : 40 }] },
      options: {
        indexAxis: horizontal ? 'y' : 'x',
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: false },
          title: { display: false },
          tooltip: { callbacks: { label: function (item) { return spec.texts ? spec.texts[item.dataIndex] : item.formattedValue + suffix; } } }
        },
        scales: horizontal ? { x: valueScale, y: categoryScale } : { x: categoryScale, y: valueScale }
      }
    });
    canvas.setAttribute('data-drawn', String(chart.data.labels.length));
    // Drawn: the table of the same figures folds under the chart (it stays open without scripts).
    var table = document.querySelector('details[data-table-for="' + canvas.getAttribute('data-chart') + '"]');
    if (table) table.removeAttribute('open');
  });
})();
`;

/** The script's URL carries a digest of its text (?v=...), so browsers may keep it as long as the library. */
export const CONSOLE_SCRIPT_VERSION = createHash('sha256').update(CONSOLE_SCRIPT).digest('hex').slice(0, 12);
