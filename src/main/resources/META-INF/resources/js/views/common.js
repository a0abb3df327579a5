// What several pages show: a node's state as this UI sees it, and the monitor's figures.
import {h, badge} from '../dom.js';

/** A node silent this long (no stats, no meta) is shown down even before membership says so. */
export const SILENT_MS = 5000;

/**
 * The state of node `id`: the local node's membership view of it (alive, suspect, dead), or
 * "silent" when nothing of it arrived for SILENT_MS.
 */
export function nodeState(ctx, id) {
  const {store} = ctx;
  const seen = store.seen.get(id);
  const silent = !seen || Date.now() - seen > SILENT_MS;
  if (id === ctx.socket.node) {
    return silent ? 'silent' : 'alive';
  }
  const view = store.metaOf('node', id).get(ctx.socket.node);
  const membership = view && view.values && view.values.membership;
  if (membership === 'dead' || membership === 'suspect') {
    return membership;
  }
  return silent ? 'silent' : (membership || 'alive');
}

export function isDown(state) {
  return state === 'dead' || state === 'silent';
}

/** The cluster health score from the monitor primary's service/<N>:monitor stats, or null. */
export function healthScore(store) {
  for (const [key, byNode] of store.stats) {
    if (key.startsWith('service/') && key.endsWith(':monitor')) {
      for (const e of byNode.values()) {
        if (e.values && typeof e.values.health === 'number') {
          return {score: e.values.health, node: e.node, values: e.values};
        }
      }
    }
  }
  return null;
}

/** Open alarms (raised or acknowledged), most severe first. */
export function openAlarms(store) {
  const order = {critical: 0, major: 1, minor: 2, warning: 3};
  return store.ofType('alarm')
      .filter(a => a.spec && a.spec.state !== 'cleared')
      .sort((a, b) => (order[a.spec.severity] ?? 9) - (order[b.spec.severity] ?? 9) || a.id.localeCompare(b.id));
}

export function alarmRow(ctx, a) {
  const s = a.spec || {};
  return h('li', {class: `alarm severity-${s.severity || 'unknown'}`, 'data-alarm': a.id},
      badge(s.severity), ' ',
      h('strong', {}, s.subject || a.id), ' ',
      h('span', {}, s.message || s.rule || ''),
      s.node ? h('span', {class: 'muted'}, ` on ${s.node}`) : null,
      ' ', badge(s.state),
      s.state === 'raised'
        ? h('button', {class: 'small', onclick: () => ctx.run(ctx.socket.request('monitor', 'ack', {id: a.id}), `alarm ${a.id} acknowledged`)}, 'Ack')
        : null);
}

/** A compact view of an object's spec: its top-level fields as key=value. */
export function specSummary(spec) {
  if (!spec || typeof spec !== 'object') {
    return '';
  }
  return Object.entries(spec).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`).join('  ');
}
