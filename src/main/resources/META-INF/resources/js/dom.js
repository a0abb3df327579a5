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
