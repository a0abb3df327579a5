// Networks, storage and services, rendered generically from the CDB: whatever type/subtype,
// spec, per-node meta and stats the producing service writes shows up here once it exists.
import {h, replace, badge, fields} from '../dom.js';
import {createForms, deleteButton} from './forms.js';

export function resources(type, title, describe = '') {
  const body = h('div', {});
  let ctxRef;
  // Mounted once, outside the redrawn list, so what is typed survives the live updates.
  const forms = createForms(type, () => ctxRef);
  return {
    title,
    mount(container) {
      replace(container, body, ...forms);
    },
    update(ctx) {
      ctxRef = ctx;
      const objects = ctx.store.ofType(type);
      replace(body, describe ? h('p', {class: 'muted'}, describe) : null, objects.length
        ? objects.map(o => objectCard(ctx, o))
        : h('p', {class: 'card muted'}, `No ${title.toLowerCase()} in the cluster yet.`));
    },
  };
}

function objectCard(ctx, o) {
  const meta = [...ctx.store.metaOf(o.type, o.id).values()];
  const stats = ctx.store.statsOf(o.type, o.id);
  return h('section', {class: 'card', 'data-object': `${o.type}/${o.id}`},
      h('div', {class: 'card-head'}, h('h2', {}, o.id), o.subtype ? h('span', {class: 'tag'}, o.subtype) : null, deleteButton(o, () => ctx)),
      h('div', {class: 'spec-fields'}, fields(o.spec)),
      meta.length ? h('div', {class: 'scroll'}, h('table', {},
          h('thead', {}, h('tr', {}, h('th', {}, 'node'), h('th', {}, 'state'), h('th', {}, 'report'), h('th', {}, 'stats'))),
          h('tbody', {}, meta.map(m => {
            const v = m.values || {};
            const s = stats.get(m.node);
            const rest = Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'state'));
            return h('tr', {},
                h('td', {}, m.node),
                h('td', {}, v.state !== undefined ? badge(v.state) : '–'),
                h('td', {}, fields(rest)),
                h('td', {'data-stats': m.node}, s ? fields(s.values) : '–'));
          })))) : h('p', {class: 'muted'}, 'No node reports on it yet.'));
}
