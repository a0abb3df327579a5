// Element building without innerHTML: every text from the cluster goes in as text, never as markup.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) {
      continue;
    }
    if (k.startsWith('on')) {
      el.addEventListener(k.substring(2), v);
    } else if (k === 'class') {
      el.className = v;
    } else {
      el.setAttribute(k, v === true ? '' : v);
    }
  }
  for (const c of children.flat()) {
    if (c !== undefined && c !== null && c !== false) {
      el.append(c instanceof Node ? c : String(c));
    }
  }
  return el;
}

export function replace(container, ...children) {
  container.replaceChildren(...children.flat().filter(c => c !== undefined && c !== null && c !== false));
}

export function percent(x) {
  return x === undefined || x === null || Number.isNaN(x) ? '–' : `${Math.round(x * 100)} %`;
}

export function bytes(n) {
  if (n === undefined || n === null) {
    return '–';
  }
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(n >= 10 || i === 0 ? 0 : 1)} ${units[i]}`;
}

/** A state word as a coloured badge; the colour class follows what the word means. */
export function badge(state) {
  const s = String(state || 'unknown');
  const bad = ['dead', 'failed', 'down', 'critical', 'major', 'full', 'unavailable', 'gone', 'absent', 'silent'];
  const warn = ['suspect', 'paused', 'starting', 'stopping', 'nearFull', 'minor', 'warning', 'unmounted', 'acknowledged'];
  const good = ['alive', 'running', 'up', 'ok', 'present', 'mounted', 'healthy', 'cleared'];
  const cls = bad.includes(s) ? 'bad' : warn.includes(s) ? 'warn' : good.includes(s) ? 'good' : 'neutral';
  return h('span', {class: `badge ${cls}`}, s);
}

/** Whole seconds as "3 d 4 h", "2 h 5 min", "12 min", "45 s". */
export function duration(seconds) {
  if (seconds === undefined || seconds === null || Number.isNaN(seconds)) {
    return '–';
  }
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400);
  const hr = Math.floor(s % 86400 / 3600);
  const m = Math.floor(s % 3600 / 60);
  if (d > 0) {
    return `${d} d ${hr} h`;
  }
  if (hr > 0) {
    return `${hr} h ${m} min`;
  }
  return m > 0 ? `${m} min` : `${s} s`;
}

/** A plain number without exponents: integers whole, others to 3 significant digits. */
export function number(x) {
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    return x === undefined || x === null ? '–' : String(x);
  }
  return Number.isInteger(x) ? x.toLocaleString('en-US') : String(Number(x.toPrecision(3)));
}

/** Names that count bytes (sizes, memory, traffic); not packets, errors or operations. */
function isSize(name) {
  const n = name.toLowerCase();
  if (/packets|errors|drops|ops|count|pages|^v?cpus$/.test(n)) {
    return false;
  }
  return /bytes/.test(n) || /^mem|memory$|rss$|^balloon/.test(n) || ['capacity', 'allocation', 'free', 'size', 'used', 'available'].includes(n);
}

/** A metric's value with its unit, chosen by its name (the CLI does the same: io.acp.cli.Units). */
export function metric(name, v) {
  if (typeof v !== 'number') {
    if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT[\d:]+\.\d+Z$/.test(v)) {
      return v.replace(/\.\d+Z$/, 'Z'); // instants to the second
    }
    return v === undefined || v === null ? '–' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  const n = name.toLowerCase();
  if (n === 'cpu') return percent(v);
  if (n.endsWith('percent')) return `${Math.round(v)} %`;
  if (n === 'uptime' || n.endsWith('seconds')) return duration(v);
  if (n === 'cputime') return `${number(v)} s`;
  if (n.endsWith('millis')) return `${number(v)} ms`;
  if (n === 'wallclock') return new Date(v).toISOString().replace(/\.\d+Z$/, 'Z');
  if (n.endsWith('mbps')) return `${number(v)} Mb/s`;
  if (isSize(name)) return bytes(v);
  return number(v);
}

/** Flat name → value rows of an object; nested objects as dotted names. */
export function flatten(obj, prefix = '', out = []) {
  for (const [k, v] of Object.entries(obj || {})) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length) {
      flatten(v, name, out);
    } else {
      out.push([name, v]);
    }
  }
  return out;
}

/** An object's fields as a two-column list with units: readable, not key=value. */
export function fields(obj, skip = []) {
  const rows = flatten(obj).filter(([k]) => !skip.includes(k));
  if (!rows.length) {
    return h('span', {class: 'muted'}, '–');
  }
  return h('dl', {class: 'kv'}, rows.flatMap(([k, v]) => [h('dt', {}, k),
    h('dd', {}, Array.isArray(v) ? (v.length ? v.map(x => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ') : '–') : metric(k.substring(k.lastIndexOf('.') + 1), v))]));
}
