// The task and audit log: every change made on any node, by whom, how it ended and what it
// changed. Task objects arrive like every other object (cluster.list, then the watch), so the
// list is live without polling.
import {h, replace, badge, bytes} from '../dom.js';

const SHOWN = 200;

export function tasks() {
  const user = h('input', {type: 'search', placeholder: 'user', 'aria-label': 'only tasks of this user', 'data-testid': 'task-user'});
  const node = h('input', {type: 'search', placeholder: 'node', 'aria-label': 'only tasks that ran on this node', 'data-testid': 'task-node'});
  const list = h('div', {});
  const body = h('div', {},
      h('p', {class: 'muted'}, 'Every change made through any node, newest first: who asked, where it ran, how long it took, how it ended and what it changed. ',
          `Each node keeps its own finished tasks for a while (acp.api.tasks.*); the ${SHOWN} newest are shown.`),
      h('div', {class: 'filters'}, user, node),
      list);
  let last = null;
  return {
    title: 'Tasks',
    mount(container) {
      replace(container, body);
      [user, node].forEach(i => i.addEventListener('input', () => { last = null; this.draw(); }));
    },
    update(ctx) {
      this.ctx = ctx;
      this.draw();
    },
    draw() {
      if (!this.ctx) {
        return;
      }
      const all = this.ctx.store.ofType('task')
          .map(o => ({id: o.id, ...o.spec}))
          .filter(t => !user.value || t.user === user.value.trim())
          .filter(t => !node.value || t.node === node.value.trim())
          .sort((a, b) => (b.started || '').localeCompare(a.started || '') || a.id.localeCompare(b.id))
          .slice(0, SHOWN);
      const key = JSON.stringify(all);
      if (key === last) {
        return; // nothing new: keep the table (and any open details) as it is
      }
      last = key;
      replace(list, all.length ? h('div', {class: 'card scroll'}, h('table', {'data-testid': 'tasks'},
          h('thead', {}, h('tr', {}, ...['started', 'operation', 'object', 'user', 'node', 'state', 'progress', 'duration', 'details'].map(c => h('th', {}, c)))),
          h('tbody', {}, all.map(row)))) : h('p', {class: 'card muted'}, 'No tasks yet: changes made through any node show up here.'));
    },
  };
}

function row(t) {
  return h('tr', {'data-task': t.id},
      h('td', {title: t.started}, when(t.started)),
      h('td', {}, h('code', {}, t.op)),
      h('td', {}, t.object || '–'),
      h('td', {}, `${t.user} (${t.role})`),
      h('td', {}, t.node === t.origin ? t.node : `${t.node} (via ${t.origin})`),
      h('td', {}, badge(t.state), t.error ? h('div', {class: 'error'}, `${t.error.code}: ${t.error.message}`) : null),
      h('td', {}, progress(t)),
      h('td', {}, t.durationMs === undefined ? '–' : t.durationMs < 1000 ? `${t.durationMs} ms` : `${(t.durationMs / 1000).toFixed(1)} s`),
      h('td', {}, changes(t.changes), h('div', {class: 'muted small'}, t.id)));
}

/**
 * How far a task has come, as its node reports it (migration, evacuation, backup copy): a bar with
 * the percent and the counts, and the phase in words; a phase alone while the total is not known.
 */
export function progress(t) {
  const p = t.progress;
  if (!p) {
    return '–';
  }
  const known = p.total > 0;
  const pct = known ? Math.min(100, Math.round(p.done * 100 / p.total)) : null;
  const counts = !known ? '' : p.unit === 'bytes' ? `${bytes(p.done)} of ${bytes(p.total)}` : `${p.done}/${p.total} ${p.unit}`;
  return h('div', {class: 'progress', 'data-testid': 'task-progress', 'data-percent': pct === null ? '' : String(pct), 'data-phase': p.phase || ''},
      known ? h('div', {class: `bar ${t.state === 'failed' ? 'bad' : t.state === 'ok' ? 'good' : ''}`, role: 'progressbar', 'aria-valuemin': '0',
          'aria-valuemax': '100', 'aria-valuenow': String(pct)}, h('span', {style: `width: ${pct}%`})) : null,
      h('div', {class: 'small'}, known ? `${pct} % · ${counts}` : '', known && p.phase ? ' · ' : '', p.phase || ''));
}

function changes(list) {
  if (!list || !list.length) {
    return null;
  }
  return h('details', {}, h('summary', {}, `${list.length} change${list.length === 1 ? '' : 's'}`),
      h('ul', {class: 'changes'}, list.map(c => h('li', {},
          h('code', {}, c.path || '(whole spec)'), ': ',
          'before' in c ? h('code', {class: 'before'}, JSON.stringify(c.before)) : '(none)', ' → ',
          'after' in c ? h('code', {class: 'after'}, JSON.stringify(c.after)) : '(none)'))));
}

/** An ISO instant as local date and time to the second. */
function when(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? (iso || '–') : d.toLocaleString(undefined, {hour12: false});
}
