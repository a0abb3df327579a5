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

/**
 * series: [{label, points: [{x: ms, y}]}]; options: {max, format(y)}. The y axis starts at 0 and
 * ends at max (or the largest value); the x axis spans the shared time range.
 */
export function lineChart(canvas, series, options = {}) {
  const {g, w, h} = prepare(canvas);
  const pad = {l: 46, r: 8, t: 8, b: 18};
  const all = series.flatMap(s => s.points);
  const format = options.format || (y => y.toFixed(0));
  g.font = '11px system-ui, sans-serif';
  g.fillStyle = '#7a8594';
  if (all.length < 2) {
    g.fillText('waiting for samples…', pad.l, h / 2);
    return;
  }
  const x0 = Math.min(...all.map(p => p.x));
  const x1 = Math.max(...all.map(p => p.x));
  const yMax = options.max || Math.max(1e-9, ...all.map(p => p.y)) * 1.1;
  const X = x => pad.l + (x - x0) / Math.max(1, x1 - x0) * (w - pad.l - pad.r);
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
  g.fillText(`${Math.round((x1 - x0) / 1000)} s`, w - pad.r - 30, h - 4);
  series.forEach((s, i) => {
    g.strokeStyle = COLORS[i % COLORS.length];
    g.lineWidth = 1.5;
    g.beginPath();
    s.points.forEach((p, j) => (j ? g.lineTo(X(p.x), Y(p.y)) : g.moveTo(X(p.x), Y(p.y))));
    g.stroke();
    g.fillStyle = COLORS[i % COLORS.length];
    g.fillText(s.label, pad.l + 4 + i * 90, pad.t + 10);
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
