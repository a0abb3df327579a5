// Nodes: each node's state, figures, the systems it runs or holds, services and how it sees the others.
import {h, replace, percent, bytes, badge, duration} from '../dom.js';
import {nodeState} from './common.js';
import {historyCharts} from './history.js';
import {placement} from './systems.js';

export function nodes(selected) {
  const list = h('div', {});
  const history = selected ? historyCharts('node', selected, [
    {title: 'cpu', testid: 'cpu', metrics: ['cpu'], options: {max: 100, format: y => `${y.toFixed(0)} %`},
      series: m => [{label: 'cpu %', points: (m.cpu || []).map(p => ({x: p.x, y: p.y * 100}))}]},
    {title: 'memory', testid: 'memory', metrics: ['memUsed', 'memTotal'], options: {format: bytes},
      series: m => [{label: 'used', points: m.memUsed || []}, {label: 'total', points: m.memTotal || []}]},
    {title: 'load', testid: 'load', metrics: ['load1'], options: {format: y => y.toFixed(1)},
      series: m => [{label: 'load 1 min', points: m.load1 || []}]},
  ]) : null;
  return {
    title: selected ? `Node ${selected}` : 'Nodes',
    mount(container) {
      replace(container, list, history && history.element);
    },
    update(ctx) {
      const ids = selected ? [selected] : ctx.store.nodeIds();
      replace(list, ids.map(id => nodeDetail(ctx, id)));
      if (history) {
        history.update(ctx, selected);
      }
    },
  };
}

function nodeDetail(ctx, id) {
  const {store} = ctx;
  const state = nodeState(ctx, id);
  const v = (store.statsOf('node', id).get(id) || {}).values || {};
  const object = store.objects.get(`node/${id}`);
  const views = [...store.metaOf('node', id).entries()].filter(([n, m]) => m.values && m.values.membership);
  const services = store.ofType('service').filter(s => s.spec && s.spec.node === id);
  // The node's branch of the cluster tree: the systems placed on it, each with its state there.
  const systems = store.ofType('system')
      .map(s => ({id: s.id, ...placement(store, s)}))
      .filter(s => s.node === id)
      .sort((a, b) => a.id.localeCompare(b.id));
  return h('section', {class: 'card', 'data-node': id, 'data-state': state},
      h('div', {class: 'card-head'}, h('h2', {}, h('a', {href: `#/nodes/${encodeURIComponent(id)}`}, id)), badge(state)),
      h('dl', {class: 'facts'},
          h('dt', {}, 'cpu'), h('dd', {}, `${percent(v.cpu)} of ${v.cpus || '?'} cpus`),
          h('dt', {}, 'memory'), h('dd', {}, `${bytes(v.memUsed)} of ${bytes(v.memTotal)}`),
          h('dt', {}, 'load'), h('dd', {}, [v.load1, v.load5, v.load15].map(x => (x === undefined ? '–' : x.toFixed(2))).join(' / ')),
          h('dt', {}, 'uptime'), h('dd', {'data-figure': 'uptime'}, v.uptime !== undefined ? duration(v.uptime) : '–'),
          h('dt', {}, 'version'), h('dd', {}, (object && object.spec && object.spec.version) || '–')),
      h('h3', {}, `Systems (${systems.length})`),
      systems.length
        ? h('ul', {class: 'plain', 'data-testid': 'node-systems'}, systems.map(s => h('li', {'data-system': s.id, 'data-state': s.state},
            badge(s.state), ' ', h('a', {href: `#/systems/${encodeURIComponent(s.id)}`}, s.id))))
        : h('p', {class: 'muted', 'data-testid': 'node-systems'}, 'none'),
      h('h3', {}, 'Services'),
      h('ul', {class: 'plain'}, services.map(s => {
        const m = (store.metaOf('service', s.id).get(id) || {}).values || {};
        return h('li', {}, badge(m.state), ' ', s.spec.name, ' ', h('span', {class: 'muted'}, m.detail || ''));
      })),
      views.length ? h('h3', {}, 'Seen by') : null,
      views.length ? h('ul', {class: 'plain'}, views.map(([n, m]) => h('li', {}, `${n}: `, badge(m.values.membership)))) : null);
}
