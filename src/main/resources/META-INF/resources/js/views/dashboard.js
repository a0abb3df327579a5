// Dashboard: cluster health, open alarms, and every node with live cpu and memory.
import {h, replace, percent, badge} from '../dom.js';
import {sparkline} from '../charts.js';
import {nodeState, isDown, healthScore, openAlarms, alarmRow} from './common.js';

export function dashboard() {
  const health = h('div', {class: 'card', 'data-testid': 'health'});
  const alarms = h('div', {class: 'card', 'data-testid': 'alarms'});
  const nodes = h('div', {class: 'grid', 'data-testid': 'nodes'});
  return {
    title: 'Dashboard',
    mount(container) {
      replace(container, h('div', {class: 'row'}, health, alarms), h('h2', {}, 'Nodes'), nodes);
    },
    update(ctx) {
      const score = healthScore(ctx.store);
      replace(health, h('h2', {}, 'Cluster health'), score
        ? h('div', {class: `score ${score.score >= 80 ? 'good' : score.score >= 50 ? 'warn' : 'bad'}`}, String(Math.round(score.score)))
        : h('p', {class: 'muted'}, 'No health score: no monitor service publishes one yet.'));
      const open = openAlarms(ctx.store);
      replace(alarms, h('h2', {}, `Alarms (${open.length})`), open.length
        ? h('ul', {class: 'alarms'}, open.map(a => alarmRow(ctx, a)))
        : h('p', {class: 'muted'}, 'No open alarms.'));
      replace(nodes, ctx.store.nodeIds().map(id => nodeCard(ctx, id)));
    },
  };
}

export function nodeCard(ctx, id) {
  const state = nodeState(ctx, id);
  const stats = ctx.store.statsOf('node', id).get(id);
  const v = (stats && stats.values) || {};
  const mem = v.memTotal ? v.memUsed / v.memTotal : undefined;
  const spark = h('canvas', {class: 'spark', width: 160, height: 32});
  const card = h('div', {class: `card node ${isDown(state) ? 'down' : state === 'suspect' ? 'suspect' : 'up'}`, 'data-node': id, 'data-state': state},
      h('div', {class: 'card-head'}, h('a', {href: `#/nodes/${encodeURIComponent(id)}`}, h('strong', {}, id)), badge(state)),
      h('div', {class: 'figures'},
          h('span', {}, 'cpu ', h('b', {'data-figure': 'cpu'}, percent(v.cpu))),
          h('span', {}, 'memory ', h('b', {'data-figure': 'memory'}, percent(mem))),
          v.load1 !== undefined ? h('span', {}, 'load ', h('b', {}, v.load1.toFixed(2))) : null),
      spark);
  requestAnimationFrame(() => sparkline(spark, ctx.store.historyOf('node', id, id).map(s => s.values.cpu || 0), 1));
  return card;
}
