// Systems: the list with live state and cpu, create, lifecycle actions, cold migration, and a
// detail page with live charts.
import {h, replace, percent, bytes, badge, fields} from '../dom.js';
import {historyCharts, rates} from './history.js';

/**
 * Where a system is: the node it is assigned to (spec.node), and that node's report of it: its state
 * and whether its VMM answers (vmm.state 'unresponsive': a qemu stopped or stuck on its storage).
 */
export function placement(store, system) {
  const reports = store.metaOf('system', system.id);
  let node = system.spec && system.spec.node;
  if (!node) {
    const running = [...reports.values()].find(m => m.values && (m.values.state === 'running' || m.values.state === 'paused'));
    node = running ? running.node : null;
  }
  const report = node && reports.get(node);
  const values = (report && report.values) || {};
  return {node: node || null, state: values.state || 'stopped', vmmUnresponsive: (values.vmm && values.vmm.state) === 'unresponsive'};
}

/** The mark of a system whose VMM does not answer its monitor (the monitor's alarm vmmUnresponsive says more). */
function vmmMark(unresponsive) {
  return unresponsive
    ? [' ', h('span', {class: 'badge bad', 'data-vmm': 'unresponsive', title: 'its VMM does not answer its monitor: see the alarms'}, 'VMM unresponsive')]
    : null;
}

export function systems() {
  const list = h('div', {class: 'card'});
  const nodeSelect = h('select', {name: 'node', 'data-testid': 'create-node'});
  const form = h('form', {class: 'card create', 'data-testid': 'create-system'},
      h('h2', {}, 'Create a system'),
      h('label', {}, 'id ', h('input', {name: 'id', required: true, pattern: '[A-Za-z0-9._:\\-]{1,128}', title: 'letters, digits, . _ : - (at most 128)', placeholder: 'web1'})),
      h('label', {}, 'vcpus ', h('input', {name: 'vcpus', type: 'number', min: 1, max: 256, value: 1, required: true})),
      h('label', {}, 'memory (MiB) ', h('input', {name: 'memory', type: 'number', min: 16, value: 128, required: true})),
      h('label', {}, 'disk (path, optional) ', h('input', {name: 'disk', placeholder: '/var/lib/acp/web1.img'})),
      h('label', {}, 'node ', nodeSelect),
      h('p', {class: 'muted hint'}, 'Without a node, the cluster places it on the node with the most free memory.'),
      h('button', {type: 'submit'}, 'Create and start'));
  let ctxRef;
  form.addEventListener('submit', e => {
    e.preventDefault();
    const f = new FormData(form);
    const id = f.get('id').trim();
    const spec = {vcpus: Number(f.get('vcpus')), memory: Number(f.get('memory'))};
    if (f.get('disk').trim()) {
      spec.disks = [{path: f.get('disk').trim()}];
    }
    const node = f.get('node') || undefined;
    if (node) {
      spec.node = node;
    }
    ctxRef.run(ctxRef.socket.request('hypervisor', 'create', {id, spec, start: true}, node), `system ${id} created on ${node || 'this node'}`)
        .then(ok => ok && form.reset());
  });
  return {
    title: 'Systems',
    mount(container) {
      replace(container, list, form);
    },
    update(ctx) {
      ctxRef = ctx;
      const ids = ctx.store.nodeIds();
      if ([...nodeSelect.options].map(o => o.value).filter(v => v).join() !== ids.join()) {
        const keep = nodeSelect.value || ctx.socket.node;
        replace(nodeSelect, h('option', {value: ''}, 'most room'), ids.map(id => h('option', {value: id, selected: id === keep}, id)));
      }
      const rows = ctx.store.ofType('system').map(s => systemRow(ctx, s, ids));
      replace(list, h('h2', {}, `Systems (${rows.length})`), rows.length
        ? h('div', {class: 'scroll'}, h('table', {'data-testid': 'systems'},
            h('thead', {}, h('tr', {}, ['id', 'state', 'node', 'vcpus', 'memory', 'cpu', 'actions'].map(c => h('th', {}, c)))),
            h('tbody', {}, rows)))
        : h('p', {class: 'muted'}, 'No systems yet.'));
    },
  };
}

function systemRow(ctx, s, nodeIds) {
  const {node, state, vmmUnresponsive} = placement(ctx.store, s);
  const stats = node ? (ctx.store.statsOf('system', s.id).get(node) || {}).values || {} : {};
  const act = (op, target = node) => () =>
    ctx.run(ctx.socket.request('hypervisor', op, {id: s.id}, target || undefined), `system ${s.id}: ${op} done`);
  const migrateTo = h('select', {class: 'small', 'aria-label': 'migrate to'}, h('option', {value: ''}, 'migrate to…'),
      nodeIds.filter(n => n !== node).map(n => h('option', {value: n}, n)));
  migrateTo.addEventListener('change', () => {
    const target = migrateTo.value;
    if (target) {
      ctx.run(migrate(ctx, s.id, node, state, target), `system ${s.id} moved to ${target}`);
    }
  });
  const running = state === 'running';
  return h('tr', {'data-system': s.id, 'data-state': state},
      h('td', {}, h('a', {href: `#/systems/${encodeURIComponent(s.id)}`}, s.id)),
      h('td', {}, badge(state), vmmMark(vmmUnresponsive)),
      h('td', {}, node || '–'),
      h('td', {}, s.spec.vcpus),
      h('td', {}, `${s.spec.memory} MiB`),
      // The last sample of a system that stopped is stale: only a running system has a cpu figure.
      h('td', {'data-figure': 'cpu'}, running ? percent(stats.cpu) : state === 'paused' ? '0 %' : '–'),
      h('td', {}, h('div', {class: 'actions'},
          running ? null : h('button', {class: 'small', 'data-action': 'start', onclick: act('start')}, 'Start'),
          running ? h('button', {class: 'small', 'data-action': 'shutdown', onclick: act('shutdown')}, 'Shut down') : null,
          running ? h('button', {class: 'small', 'data-action': 'stop', onclick: act('stop')}, 'Stop') : null,
          running ? h('button', {class: 'small', 'data-action': 'pause', onclick: act('pause')}, 'Pause') : null,
          state === 'paused' ? h('button', {class: 'small', 'data-action': 'resume', onclick: act('resume')}, 'Resume') : null,
          migrateTo,
          h('button', {class: 'small danger', 'data-action': 'delete', onclick: () => deleteSystem(ctx, s.id, state, node)}, 'Delete'))));
}

/**
 * hypervisor.delete. The node refuses to delete a running or paused system (rule running-delete)
 * unless told to stop it first: the confirmation says so, and only then is force sent.
 */
function deleteSystem(ctx, id, state, node) {
  const active = state === 'running' || state === 'paused';
  if (!confirm(active ? `System ${id} is ${state}. Stop it at once and delete it?` : `Delete system ${id}?`)) {
    return;
  }
  const args = active ? {id, force: true} : {id};
  ctx.run(ctx.socket.request('hypervisor', 'delete', args, node || undefined), `system ${id}: delete done`);
}

/** hypervisor.migrate, sent to the node the system is on: offline (shut down, moved, started there if it ran). */
function migrate(ctx, id, from, state, to) {
  return ctx.socket.request('hypervisor', 'migrate', {id, to}, from || undefined);
}

/** The answer of hypervisor.set, field by field: live now, or pending until the next start and why. */
function fieldOutcomes(r) {
  const fields = Object.entries(r.fields || {});
  if (!fields.length) {
    return h('p', {class: 'muted'}, 'Nothing changed.');
  }
  return h('ul', {class: 'plain'}, fields.map(([field, o]) => h('li', {'data-field': field, 'data-applied': o.applied},
      h('span', {class: `badge ${o.applied === 'live' ? 'good' : 'warn'}`}, o.applied), ' ', h('code', {}, field), ' ',
      o.applied === 'live' ? 'applied to the running system now' : `until the next start${o.why ? ': ' + o.why : ''}`)));
}

export function systemDetail(id) {
  const body = h('div', {});
  const io = ['diskReadBytes', 'diskWriteBytes', 'netRxBytes', 'netTxBytes'];
  const history = historyCharts('system', id, [
    {title: 'cpu', testid: 'cpu', metrics: ['cpu'], options: {max: 100, format: y => `${y.toFixed(0)} %`},
      series: m => [{label: 'cpu %', points: (m.cpu || []).map(p => ({x: p.x, y: p.y * 100}))}]},
    {title: 'memory', testid: 'memory', metrics: ['memory'], options: {format: bytes},
      series: m => [{label: 'memory', points: m.memory || []}]},
    {title: 'disk and network (bytes/s)', testid: 'io', metrics: io, options: {format: bytes},
      empty: 'no disk or network counters: the system has no disks or NICs, or did not run in this range',
      series: m => io.filter(k => m[k] && m[k].length).map(k => ({label: k, points: rates(m[k])}))},
  ]);
  // The edit form lives outside the redrawn body, so what is typed survives the live updates;
  // its placeholders show the current values, and only the fields filled in are sent (hypervisor.set).
  const vcpus = h('input', {name: 'vcpus', type: 'number', min: 1, max: 256, 'aria-label': 'vcpus'});
  const memory = h('input', {name: 'memory', type: 'number', min: 16, 'aria-label': 'memory in MiB'});
  const name = h('input', {name: 'name', maxlength: 256, 'aria-label': 'display name'});
  // What the last Save did, field by field (the answer's "fields"): applied live, or pending and why.
  const outcome = h('div', {class: 'outcome', 'data-testid': 'edit-outcome', 'aria-live': 'polite'});
  const edit = h('form', {class: 'card create', 'data-testid': 'edit-system'},
      h('h2', {}, 'Change'),
      h('label', {}, 'vcpus ', vcpus),
      h('label', {}, 'memory (MiB) ', memory),
      h('label', {}, 'name ', name),
      h('p', {class: 'muted hint'}, 'Fields left empty keep their value. A running system gets vcpus and memory live, up to the maxima it started with; '
          + 'other changes, and any above a maximum, are pending until its next start.'),
      h('button', {type: 'submit'}, 'Save'),
      outcome);
  let ctxRef;
  edit.addEventListener('submit', e => {
    e.preventDefault();
    const spec = {};
    if (vcpus.value) { spec.vcpus = Number(vcpus.value); }
    if (memory.value) { spec.memory = Number(memory.value); }
    if (name.value.trim()) { spec.name = name.value.trim(); }
    if (!Object.keys(spec).length || !ctxRef) {
      return;
    }
    const s = ctxRef.store.objects.get(`system/${id}`);
    const node = s && s.spec && s.spec.node;
    ctxRef.socket.request('hypervisor', 'set', {id, spec}, node)
        .then(r => {
          ctxRef.toast(`system ${id}: ${r.changed.length ? `changed ${r.changed.join(', ')}; applies ${r.applies}` : 'nothing changed'}`, 'good');
          replace(outcome, fieldOutcomes(r));
          edit.reset();
        })
        .catch(err => {
          replace(outcome, h('p', {class: 'error', 'data-testid': 'form-error'}, `${err.code ? err.code + ': ' : ''}${err.message}`));
          ctxRef.toast(`${err.code ? err.code + ': ' : ''}${err.message}`, 'bad');
        });
  });
  return {
    title: `System ${id}`,
    mount(container) {
      replace(container, body, edit, history.element);
    },
    update(ctx) {
      ctxRef = ctx;
      const s = ctx.store.objects.get(`system/${id}`);
      if (!s) {
        replace(body, h('p', {class: 'muted'}, `System ${id} does not exist (yet).`));
        history.update(ctx, null);
        return;
      }
      const {node, state, vmmUnresponsive} = placement(ctx.store, s);
      const spec = s.spec || {};
      const report = node && ctx.store.metaOf('system', id).get(node);
      const pending = (report && report.values && report.values.pending) || [];
      vcpus.placeholder = spec.vcpus ?? '';
      memory.placeholder = spec.memory ?? '';
      name.placeholder = spec.name ?? id;
      replace(body, h('section', {class: 'card', 'data-system': id, 'data-state': state},
          h('div', {class: 'card-head'}, h('h2', {}, id), h('span', {}, badge(state), vmmMark(vmmUnresponsive))),
          h('p', {class: 'actions'},
              h('a', {href: `#/systems/${encodeURIComponent(id)}/console/vnc`, class: 'button', 'data-testid': 'open-vnc'}, 'Graphical console'), ' ',
              h('a', {href: `#/systems/${encodeURIComponent(id)}/console/serial`, class: 'button', 'data-testid': 'open-serial'}, 'Serial console')),
          pending.length ? h('p', {class: 'pending-note', 'data-testid': 'pending', 'data-fields': pending.join(',')},
              h('strong', {}, 'Pending until the next start: '), pending.join(', '),
              '. The spec holds the new values; the running domain gets them when the system is stopped and started (or restarted).') : null,
          h('dl', {class: 'facts'},
              h('dt', {}, 'node'), h('dd', {}, node || '–'),
              h('dt', {}, 'vcpus'), h('dd', {}, spec.vcpus ?? '–'),
              h('dt', {}, 'memory'), h('dd', {}, spec.memory ? bytes(spec.memory * 1024 * 1024) : '–'),
              h('dt', {}, 'disks'), h('dd', {}, (spec.disks || []).map(d => d.path || d.volume || JSON.stringify(d)).join(', ') || 'none'),
              h('dt', {}, 'interfaces'), h('dd', {}, (spec.interfaces || []).map(n => n.network ? `network ${n.network}` : `bridge ${n.bridge}`).join(', ') || 'none'),
              h('dt', {}, 'other'), h('dd', {}, fields(spec, ['vcpus', 'memory', 'disks', 'interfaces'])))));
      history.update(ctx, node);
    },
  };
}
