// Nodes: each node's state, figures, services and how it sees the others.
import {h, replace, percent, bytes, badge} from '../dom.js';
import {lineChart} from '../charts.js';
import {nodeState} from './common.js';

export function nodes(selected) {
  const list = h('div', {});
  return {
    title: selected ? `Node ${selected}` : 'Nodes',
    mount(container) {
      replace(container, list);
    },
    update(ctx) {
      const ids = selected ? [selected] : ctx.store.nodeIds();
      replace(list, ids.map(id => nodeDetail(ctx, id, !!selected)));
    },
  };
}

function nodeDetail(ctx, id, charts) {
  const {store} = ctx;
  const state = nodeState(ctx, id);
  const v = (store.statsOf('node', id).get(id) || {}).values || {};
  const object = store.objects.get(`node/${id}`);
  const views = [...store.metaOf('node', id).entries()].filter(([n, m]) => m.values && m.values.membership);
  const services = store.ofType('service').filter(s => s.spec && s.spec.node === id);
  const chart = charts ? h('canvas', {class: 'chart'}) : null;
  if (chart) {
    requestAnimationFrame(() => {
      const hist = store.historyOf('node', id, id);
      lineChart(chart, [
        {label: 'cpu %', points: hist.map(s => ({x: s.time, y: (s.values.cpu || 0) * 100}))},
        {label: 'memory %', points: hist.map(s => ({x: s.time, y: s.values.memTotal ? s.values.memUsed / s.values.memTotal * 100 : 0}))},
      ], {max: 100});
    });
  }
  return h('section', {class: 'card', 'data-node': id, 'data-state': state},
      h('div', {class: 'card-head'}, h('h2', {}, h('a', {href: `#/nodes/${encodeURIComponent(id)}`}, id)), badge(state)),
      h('dl', {class: 'facts'},
          h('dt', {}, 'cpu'), h('dd', {}, `${percent(v.cpu)} of ${v.cpus || '?'} cpus`),
          h('dt', {}, 'memory'), h('dd', {}, `${bytes(v.memUsed)} of ${bytes(v.memTotal)}`),
          h('dt', {}, 'load'), h('dd', {}, [v.load1, v.load5, v.load15].map(x => (x === undefined ? '–' : x.toFixed(2))).join(' / ')),
          h('dt', {}, 'uptime'), h('dd', {}, v.uptime ? `${Math.round(v.uptime / 3600)} h` : '–'),
          h('dt', {}, 'version'), h('dd', {}, (object && object.spec && object.spec.version) || '–')),
      chart,
      h('h3', {}, 'Services'),
      h('ul', {class: 'plain'}, services.map(s => {
        const m = (store.metaOf('service', s.id).get(id) || {}).values || {};
        return h('li', {}, badge(m.state), ' ', s.spec.name, ' ', h('span', {class: 'muted'}, m.detail || ''));
      })),
      views.length ? h('h3', {}, 'Seen by') : null,
      views.length ? h('ul', {class: 'plain'}, views.map(([n, m]) => h('li', {}, `${n}: `, badge(m.values.membership)))) : null);
}
