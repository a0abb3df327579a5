// Small charts drawn on <canvas> by hand: a line chart with a grid, and a sparkline.

const COLORS = ['#2b7bd6', '#e0792b', '#2e9d57', '#b84bbf', '#c9a227'];

/** Sizes the canvas backing store to its CSS size times the device pixel ratio. */
function prepare(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || canvas.width;
  const h = canvas.clientHeight || canvas.height;
  if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(h * ratio)) {
    canvas.width = Math.round(w * ratio);
    canvas.height = Math.round(h * ratio);
  }
  const g = canvas.getContext('2d');
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, w, h);
  return {g, w, h};
}

const MINUTE = 60000;
const HOUR = 3600000;
const DAY = 86400000;

/** Tick spacing for a time span: about six labelled ticks. */
function tickStep(span) {
  for (const step of [10000, 30000, MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 5 * DAY, 7 * DAY]) {
    if (span / step <= 7) {
      return step;
    }
  }
  return 14 * DAY;
}

const pad2 = n => String(n).padStart(2, '0');

/** A time label: clock time for spans under two days, day and month beyond (local time). */
function timeLabel(ms, span) {
  const d = new Date(ms);
  const clock = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
  if (span < 2 * DAY) {
    return span < 10 * MINUTE ? `${clock}:${pad2(d.getSeconds())}` : clock;
  }
  return `${d.getDate()} ${d.toLocaleString('en', {month: 'short'})}`;
}

/**
 * series: [{label, points: [{x: ms, y}]}]; options: {max, format(y), from, to, empty}. The y axis
 * starts at 0 and ends at max (or the largest value); the x axis is time, from..to when given
 * (a fixed window: 1 h, 1 day, 1 month) else the samples' span, with clock-time ticks. A line
 * breaks where samples are missing for more than three steps (options.step).
 */
export function lineChart(canvas, series, options = {}) {
  const {g, w, h} = prepare(canvas);
  const pad = {l: 52, r: 10, t: 8, b: 20};
  const all = series.flatMap(s => s.points);
  const format = options.format || (y => y.toFixed(0));
  g.font = '11px system-ui, sans-serif';
  g.fillStyle = '#7a8594';
  canvas.dataset.points = String(all.length);
  canvas.dataset.empty = all.length < 2 ? (options.empty || "waiting") : "";
  if (all.length < 2) {
    g.fillText(options.empty || 'waiting for samples…', pad.l, h / 2);
    return;
  }
  const x0 = options.from ?? Math.min(...all.map(p => p.x));
  const x1 = options.to ?? Math.max(...all.map(p => p.x));
  const span = Math.max(1, x1 - x0);
  canvas.dataset.span = String(span);
  const yMax = options.max || Math.max(1e-9, ...all.map(p => p.y)) * 1.1;
  const X = x => pad.l + (x - x0) / span * (w - pad.l - pad.r);
  const Y = y => h - pad.b - y / yMax * (h - pad.t - pad.b);
  g.strokeStyle = '#e3e7ec';
  g.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const y = yMax * i / 4;
    g.beginPath();
    g.moveTo(pad.l, Y(y));
    g.lineTo(w - pad.r, Y(y));
    g.stroke();
    g.fillText(format(y), 2, Y(y) + 4);
  }
  // Time axis: ticks on round clock times.
  const step = tickStep(span);
  const offset = new Date(x0).getTimezoneOffset() * MINUTE;
  const labels = [];
  for (let t = Math.ceil((x0 - offset) / step) * step + offset; t <= x1; t += step) {
    const x = X(t);
    g.strokeStyle = '#eef1f4';
    g.beginPath();
    g.moveTo(x, pad.t);
    g.lineTo(x, h - pad.b);
    g.stroke();
    const label = timeLabel(t, span);
    labels.push(label);
    g.fillStyle = '#7a8594';
    g.fillText(label, Math.min(w - pad.r - g.measureText(label).width, Math.max(pad.l, x - g.measureText(label).width / 2)), h - 5);
  }
  canvas.dataset.ticks = labels.join(',');
  const gap = (options.step || 0) * 3;
  series.forEach((s, i) => {
    g.strokeStyle = COLORS[i % COLORS.length];
    g.lineWidth = 1.5;
    g.beginPath();
    s.points.forEach((p, j) => (j && (!gap || p.x - s.points[j - 1].x <= gap) ? g.lineTo(X(p.x), Y(p.y)) : g.moveTo(X(p.x), Y(p.y))));
    g.stroke();
    g.fillStyle = COLORS[i % COLORS.length];
    g.fillText(s.label, pad.l + 4 + i * 100, pad.t + 10);
  });
}

/** A sparkline of values 0..max. */
export function sparkline(canvas, values, max = 1) {
  const {g, w, h} = prepare(canvas);
  if (values.length < 2) {
    return;
  }
  g.strokeStyle = '#2b7bd6';
  g.lineWidth = 1.5;
  g.beginPath();
  values.forEach((v, i) => {
    const x = i / (values.length - 1) * w;
    const y = h - 1 - Math.min(1, v / max) * (h - 2);
    return i ? g.lineTo(x, y) : g.moveTo(x, y);
  });
  g.stroke();
}
