// Charts over the history a node keeps of its own reports (cluster.history): 1 hour at 1 s,
// 1 day at 1 min, 1 month at 10 min. The node that reported the stats answers; the page asks
// again every few steps so the chart moves.
import {h, replace} from '../dom.js';
import {lineChart} from '../charts.js';

const RANGES = [['1h', '1 hour', 5000], ['1d', '1 day', 60000], ['30d', '1 month', 600000]];

/**
 * charts: [{title, testid, metrics: [names], series(byMetric) -> [{label, points}], options, empty}];
 * byMetric maps a metric to its points [{x, y}].
 */
export function historyCharts(type, id, charts) {
  let range = '1h';
  let node = null;
  let data = null;       // the last cluster.history answer
  let fetchedAt = 0;
  let pending = false;
  let error = null;
  let ctxRef = null;
  const buttons = RANGES.map(([r, label]) => h('button', {class: 'small range', type: 'button', 'data-range': r,
    onclick: () => { range = r; data = null; fetchedAt = 0; draw(); refresh(); }}, label));
  const canvases = charts.map(c => h('canvas', {class: 'chart', 'data-chart': c.testid}));
  const note = h('p', {class: 'muted small'});
  const element = h('div', {class: 'card history', 'data-testid': 'history'},
      h('div', {class: 'card-head'}, h('h3', {}, 'History'), h('div', {class: 'ranges', role: 'group', 'aria-label': 'range'}, buttons)),
      charts.flatMap((c, i) => [h('h3', {}, c.title), canvases[i]]), note);

  function refresh() {
    if (!ctxRef || !node || pending) {
      return;
    }
    pending = true;
    const asked = range;
    const metrics = [...new Set(charts.flatMap(c => c.metrics))];
    ctxRef.socket.request('cluster', 'history', {type, id, range: asked, metrics}, node)
        .then(r => { if (asked === range) { data = r; error = null; } })
        .catch(e => { error = e.message; })
        .finally(() => { pending = false; fetchedAt = Date.now(); draw(); });
  }

  function draw() {
    buttons.forEach(b => b.classList.toggle('active', b.dataset.range === range));
    element.dataset.range = range;
    const byMetric = {};
    if (data) {
      for (const s of data.series) {
        byMetric[s.metric] = s.points.map(([x, y]) => ({x, y}));
      }
    }
    const label = RANGES.find(r => r[0] === range)[1];
    note.textContent = error ? `history unavailable: ${error}`
      : data ? `last ${label} as node ${data.node} kept it, ${data.stepMillis / 1000 >= 60 ? data.stepMillis / 60000 + ' min' : data.stepMillis / 1000 + ' s'} steps (averages)`
        : node ? 'loading…' : 'not running on any node: no history to show';
    element.dataset.loaded = data ? 'true' : 'false';
    requestAnimationFrame(() => charts.forEach((c, i) => {
      const present = c.metrics.some(m => byMetric[m] && byMetric[m].length);
      const empty = !node ? 'no node reports it' : !data ? (error ? 'no history' : 'loading…')
        : present ? 'not enough samples yet' : (c.empty || `no samples in the last ${label}`);
      lineChart(canvases[i], data ? c.series(byMetric) : [], Object.assign({}, c.options, data ? {from: data.from, to: data.to, step: data.stepMillis} : {}, {empty}));
    }));
  }

  return {
    element,
    /** Call on every page update with the node whose reports to chart (null when none). */
    update(ctx, reportingNode) {
      ctxRef = ctx;
      if (reportingNode !== node) {
        node = reportingNode;
        data = null;
        fetchedAt = 0;
      }
      const every = RANGES.find(r => r[0] === range)[2];
      if (Date.now() - fetchedAt >= every) {
        refresh();
      }
      draw();
    },
  };
}

/** Per-second rates of a cumulative counter between consecutive points. */
export function rates(points) {
  const out = [];
  for (let i = 1; i < (points || []).length; i++) {
    const dt = (points[i].x - points[i - 1].x) / 1000;
    if (dt > 0) {
      out.push({x: points[i].x, y: Math.max(0, (points[i].y - points[i - 1].y) / dt)});
    }
  }
  return out;
}
