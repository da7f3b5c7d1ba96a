// A self-contained HTML report of one run: no CDN, no external file. The run's data is embedded
// as JSON and a small inline script draws the plots as SVG (latency percentiles over time,
// throughput and VUs over time, per-scenario percentiles), so the file opens anywhere, offline.
import type { RunResult } from './engine.js';
import { fmtMs } from './summary.js';
import { describeExecutor } from '../profiles.js';

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function actualText(metric: string, v: number | null): string {
  if (v === null) return 'no data';
  if (/duration|_time/.test(metric) && !Number.isInteger(v)) return fmtMs(v);
  return Number.isInteger(v) ? String(v) : v.toFixed(4);
}

function metricRows(r: RunResult): string {
  return Object.entries(r.metrics)
    .map(([name, m]) => {
      const v = m.values;
      const text =
        m.kind === 'trend'
          ? ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'].map((k) => `${k}=${fmtMs(v[k])}`).join(' ')
          : m.kind === 'rate'
            ? `${(100 * (v.rate ?? 0)).toFixed(2)}% (✓ ${v.passes} ✗ ${v.fails})`
            : m.kind === 'counter'
              ? `${v.count} (${(v.rate ?? 0).toFixed(2)}/s)`
              : `${v.value}`;
      return `<tr><td class="${name.includes('{') ? 'sub' : ''}">${esc(name)}</td><td>${m.kind}</td><td>${esc(text)}</td></tr>`;
    })
    .join('\n');
}

/** Renders the report; the result is one HTML string with everything inline. */
export function htmlReport(r: RunResult): string {
  const m = r.metrics;
  const d = m.http_req_duration?.values ?? {};
  const reqs = m.http_reqs?.values ?? {};
  const failed = m.http_req_failed?.values.rate;
  const hit = m.cache_hit_rate?.values.rate;
  const scenarios = Object.keys(r.scenarios).map((name) => {
    const v = m[`http_req_duration{scenario:${name}}`]?.values ?? {};
    return { name, p50: v.med ?? null, p95: v['p(95)'] ?? null, p99: v['p(99)'] ?? null };
  });
  const data = { timeline: r.timeline, scenarios };
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const thresholdRows = r.thresholds
    .map(
      (t) =>
        `<tr class="${t.ok ? 'ok' : 'fail'}"><td>${t.ok ? '✓' : '✗'}</td><td>${esc(t.metric)}</td><td><code>${esc(t.expression)}</code></td><td>${esc(actualText(t.metric, t.actual))}</td></tr>`,
    )
    .join('\n');
  const card = (label: string, value: string) =>
    `<div class="card"><div class="v">${esc(value)}</div><div>${esc(label)}</div></div>`;

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Load test ${esc(r.name)} — ${esc(r.startedAt)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;background:#fff}
h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:28px 0 8px}
.meta{color:#555} .badge{display:inline-block;padding:2px 10px;border-radius:4px;color:#fff;font-weight:600}
.pass{background:#2ca02c} .failed{background:#d62728}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0} .card{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:110px}
.card .v{font-size:20px;font-weight:600}
table{border-collapse:collapse} td,th{border-bottom:1px solid #eee;padding:3px 10px;text-align:left;vertical-align:top}
tr.fail td{color:#d62728;font-weight:600} tr.ok td:first-child{color:#2ca02c} td.sub{padding-left:28px;color:#555}
svg.plot{border:1px solid #ddd;background:#fff;display:block} .legend span{margin-right:14px}
.axis{stroke:#999;stroke-width:1} .grid{stroke:#eee;stroke-width:1} text{font:11px system-ui,sans-serif;fill:#555}
</style></head><body>
<h1>Load test: ${esc(r.name)} <span class="badge ${r.passed ? 'pass' : 'failed'}">${r.passed ? 'PASSED' : 'FAILED'}</span></h1>
<div class="meta">${esc(r.startedAt)} → ${esc(r.finishedAt)} · ${r.durationS.toFixed(1)} s · target ${esc(r.baseUrl)}<br>
executor: ${esc(describeExecutor(r.executor))} · think time ${r.thinkTime[0]}–${r.thinkTime[1]} s<br>
weights: ${esc(
    Object.entries(r.scenarios)
      .map(([n, s]) => `${n} ${s.weight}`)
      .join(', '),
  )}${r.abortedBy ? `<br><b>aborted early: ${esc(r.abortedBy)}</b>` : ''}</div>
<div class="cards">
${card('requests', String(reqs.count ?? 0))}
${card('req/s', (reqs.rate ?? 0).toFixed(1))}
${card('P50', fmtMs(d.med))}
${card('P95', fmtMs(d['p(95)']))}
${card('P99', fmtMs(d['p(99)']))}
${card('failed', failed === undefined ? '-' : `${(100 * failed).toFixed(2)}%`)}
${card('cache hit rate', hit === undefined || Number.isNaN(hit) ? '-' : `${(100 * hit).toFixed(1)}%`)}
</div>
<h2>Thresholds</h2>
<table id="thresholds"><tr><th></th><th>metric</th><th>threshold</th><th>actual</th></tr>
${thresholdRows}
</table>
<h2>Latency percentiles over time</h2>
<div class="legend" id="latency-legend"></div>
<svg class="plot" id="latency" width="960" height="300" role="img" aria-label="latency percentiles over time"></svg>
<h2>Throughput and virtual users over time</h2>
<div class="legend" id="throughput-legend"></div>
<svg class="plot" id="throughput" width="960" height="300" role="img" aria-label="throughput over time"></svg>
<h2>Latency percentiles by scenario</h2>
<div class="legend" id="scenarios-legend"></div>
<svg class="plot" id="scenarios" width="960" height="300" role="img" aria-label="latency by scenario"></svg>
<h2>All metrics</h2>
<table id="metrics"><tr><th>metric</th><th>type</th><th>values</th></tr>
${metricRows(r)}
</table>
<script type="application/json" id="data">${json}</script>
<script>
${PLOT_SCRIPT}
</script>
</body></html>
`;
}

// Plain browser JavaScript (no dependencies): line charts and grouped bars drawn into SVG.
const PLOT_SCRIPT = String.raw`
(function () {
  var NS = 'http://www.w3.org/2000/svg';
  var data = JSON.parse(document.getElementById('data').textContent);
  var PAD = { l: 60, r: 60, t: 14, b: 34 };
  function el(svg, name, attrs, text) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    svg.appendChild(e);
    return e;
  }
  function nice(max) {
    if (!(max > 0)) return 1;
    var p = Math.pow(10, Math.floor(Math.log10(max))), m = max / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  }
  function fmt(v) { return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2); }
  function legend(id, series) {
    var box = document.getElementById(id);
    series.forEach(function (s) {
      var span = document.createElement('span');
      span.innerHTML = '<b style="color:' + s.color + '">━━</b> ' + s.name;
      box.appendChild(span);
    });
  }
  // series: [{name, color, axis: 'left'|'right', points: [[x, y|null]]}]
  function lineChart(id, series, xLabel, yLabel, y2Label) {
    var svg = document.getElementById(id);
    var W = +svg.getAttribute('width'), H = +svg.getAttribute('height');
    var iw = W - PAD.l - PAD.r, ih = H - PAD.t - PAD.b;
    var xs = [], yl = [0], yr = [0];
    series.forEach(function (s) { s.points.forEach(function (p) { xs.push(p[0]); if (p[1] !== null) (s.axis === 'right' ? yr : yl).push(p[1]); }); });
    var xmax = Math.max.apply(null, xs.concat([1])), ylmax = nice(Math.max.apply(null, yl)), yrmax = nice(Math.max.apply(null, yr));
    var X = function (x) { return PAD.l + (x / xmax) * iw; };
    var Y = function (y, right) { return PAD.t + ih - (y / (right ? yrmax : ylmax)) * ih; };
    for (var i = 0; i <= 4; i++) {
      var gy = PAD.t + (ih * i) / 4;
      el(svg, 'line', { x1: PAD.l, x2: PAD.l + iw, y1: gy, y2: gy, class: 'grid' });
      el(svg, 'text', { x: PAD.l - 6, y: gy + 4, 'text-anchor': 'end' }, fmt(ylmax * (1 - i / 4)));
      if (y2Label) el(svg, 'text', { x: PAD.l + iw + 6, y: gy + 4 }, fmt(yrmax * (1 - i / 4)));
    }
    for (var j = 0; j <= 6; j++) {
      var gx = PAD.l + (iw * j) / 6;
      el(svg, 'text', { x: gx, y: PAD.t + ih + 16, 'text-anchor': 'middle' }, fmt((xmax * j) / 6));
    }
    el(svg, 'line', { x1: PAD.l, x2: PAD.l, y1: PAD.t, y2: PAD.t + ih, class: 'axis' });
    el(svg, 'line', { x1: PAD.l, x2: PAD.l + iw, y1: PAD.t + ih, y2: PAD.t + ih, class: 'axis' });
    el(svg, 'text', { x: PAD.l + iw / 2, y: H - 4, 'text-anchor': 'middle' }, xLabel);
    el(svg, 'text', { x: 12, y: PAD.t + ih / 2, transform: 'rotate(-90 12 ' + (PAD.t + ih / 2) + ')', 'text-anchor': 'middle' }, yLabel);
    if (y2Label) el(svg, 'text', { x: W - 8, y: PAD.t + ih / 2, transform: 'rotate(90 ' + (W - 8) + ' ' + (PAD.t + ih / 2) + ')', 'text-anchor': 'middle' }, y2Label);
    var drawn = 0;
    series.forEach(function (s) {
      var d = '', pen = false;
      s.points.forEach(function (p) {
        if (p[1] === null) { pen = false; return; }
        d += (pen ? 'L' : 'M') + X(p[0]).toFixed(1) + ' ' + Y(p[1], s.axis === 'right').toFixed(1);
        pen = true; drawn++;
      });
      el(svg, 'path', { d: d, fill: 'none', stroke: s.color, 'stroke-width': 2, 'data-series': s.name });
    });
    svg.setAttribute('data-drawn', String(drawn));
    legend(id + '-legend', series);
  }
  function barChart(id, groups, keys) {
    var svg = document.getElementById(id);
    var W = +svg.getAttribute('width'), H = +svg.getAttribute('height');
    var iw = W - PAD.l - PAD.r, ih = H - PAD.t - PAD.b;
    var max = nice(Math.max.apply(null, [0].concat(groups.map(function (g) { return Math.max.apply(null, keys.map(function (k) { return g[k.key] || 0; })); }))));
    for (var i = 0; i <= 4; i++) {
      var gy = PAD.t + (ih * i) / 4;
      el(svg, 'line', { x1: PAD.l, x2: PAD.l + iw, y1: gy, y2: gy, class: 'grid' });
      el(svg, 'text', { x: PAD.l - 6, y: gy + 4, 'text-anchor': 'end' }, fmt(max * (1 - i / 4)));
    }
    el(svg, 'text', { x: 12, y: PAD.t + ih / 2, transform: 'rotate(-90 12 ' + (PAD.t + ih / 2) + ')', 'text-anchor': 'middle' }, 'ms');
    var gw = iw / Math.max(groups.length, 1), bw = (gw * 0.8) / keys.length, drawn = 0;
    groups.forEach(function (g, gi) {
      keys.forEach(function (k, ki) {
        var v = g[k.key];
        if (v === null || v === undefined) return;
        var h = (v / max) * ih;
        el(svg, 'rect', { x: PAD.l + gi * gw + gw * 0.1 + ki * bw, y: PAD.t + ih - h, width: bw - 2, height: Math.max(h, 1), fill: k.color, 'data-series': k.name });
        drawn++;
      });
      el(svg, 'text', { x: PAD.l + gi * gw + gw / 2, y: PAD.t + ih + 16, 'text-anchor': 'middle' }, g.name);
    });
    el(svg, 'line', { x1: PAD.l, x2: PAD.l + iw, y1: PAD.t + ih, y2: PAD.t + ih, class: 'axis' });
    svg.setAttribute('data-drawn', String(drawn));
    legend(id + '-legend', keys);
  }
  var tl = data.timeline;
  function pts(key) { return tl.map(function (p) { return [p.t, p[key]]; }); }
  lineChart('latency', [
    { name: 'P50', color: '#1f77b4', points: pts('p50') },
    { name: 'P95', color: '#ff7f0e', points: pts('p95') },
    { name: 'P99', color: '#d62728', points: pts('p99') }
  ], 'seconds', 'ms');
  lineChart('throughput', [
    { name: 'req/s', color: '#2ca02c', points: pts('reqs') },
    { name: 'failed/s', color: '#d62728', points: pts('failures') },
    { name: 'VUs (right axis)', color: '#9467bd', axis: 'right', points: pts('vus') }
  ], 'seconds', 'requests per second', 'virtual users');
  barChart('scenarios', data.scenarios, [
    { key: 'p50', name: 'P50', color: '#1f77b4' },
    { key: 'p95', name: 'P95', color: '#ff7f0e' },
    { key: 'p99', name: 'P99', color: '#d62728' }
  ]);
})();
`;
