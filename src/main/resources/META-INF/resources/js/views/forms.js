// Create forms for networks, pools and shares, and the delete button of each object: admin's
// operations (docs/security.md), sent to the node the page is connected to, which realises the
// object and stores it for the cluster. A refusal (role, bad spec) is shown as the node words it.
import {h} from '../dom.js';

const ID = {required: true, pattern: '[A-Za-z0-9._:\\-]{1,128}', title: 'letters, digits, . _ : - (at most 128)'};

/** The create form of a page type ('network' or 'storage'), or null for pages that have none. */
export function createForms(type, ctx) {
  if (type === 'network') {
    return [networkForm(ctx)];
  }
  if (type === 'storage') {
    return [poolForm(ctx), shareForm(ctx)];
  }
  return [];
}

/** The delete button of an object, or null if it cannot be deleted from the UI. */
export function deleteButton(o, ctx) {
  const op = o.type === 'network' ? ['network', 'delete']
      : o.type === 'storage' && o.subtype === 'pool' ? ['storage', 'pool.delete']
      : o.type === 'storage' && o.subtype === 'share' ? ['storage', 'share.remove'] : null;
  if (!op) {
    return null;
  }
  return h('button', {class: 'small danger', 'data-action': 'delete', onclick: () => {
    if (confirm(`Delete ${o.subtype || o.type} ${o.id}?`)) {
      ctx().run(ctx().socket.request(op[0], op[1], {id: o.id}), `${o.subtype || o.type} ${o.id} deleted`);
    }
  }}, 'Delete');
}

/**
 * A create form. The node's refusal (the rule it broke, as it words it) stays in the form, next to
 * what was typed, until the next submit; a success is a toast and clears the form.
 */
function form(testid, title, fields, hint, submit) {
  const error = h('p', {class: 'error', role: 'alert', 'data-testid': 'form-error'});
  const f = h('form', {class: 'card create', 'data-testid': testid}, h('h2', {}, title), ...fields,
      hint ? h('p', {class: 'muted hint'}, hint) : null, h('button', {type: 'submit'}, 'Create'), error);
  f.addEventListener('submit', e => {
    e.preventDefault();
    error.textContent = '';
    submit(new FormData(f))
        .then(() => f.reset())
        .catch(err => { error.textContent = `${err.code ? err.code + ': ' : ''}${err.message}`; });
  });
  return f;
}

/** Sends a create request; resolves when done (with a toast), rejects with the node's error. */
function send(ctx, request, done) {
  return request.then(r => { ctx().toast(done, 'good'); return r; });
}

function numbers(text) {
  return text.split(/[\s,]+/).filter(Boolean).map(Number);
}

function networkForm(ctx) {
  const subtype = h('select', {name: 'subtype'}, ['vlan', 'trunk', 'vpp-vlan'].map(s => h('option', {value: s}, s)));
  return form('create-network', 'Create a network', [
    h('label', {}, 'id ', h('input', {name: 'id', placeholder: 'v100', ...ID})),
    h('label', {}, 'kind ', subtype),
    h('label', {}, 'uplink ', h('input', {name: 'uplink', required: true, placeholder: 'eth1'})),
    h('label', {}, 'VLAN id (trunk: the ids, comma separated) ', h('input', {name: 'vlan', required: true, placeholder: '100'})),
  ], 'The uplink must be one of the nodes\' configured uplinks (acp.network.uplinks).', f => {
    const spec = {uplink: f.get('uplink').trim()};
    if (f.get('subtype') === 'trunk') {
      spec.vlans = numbers(f.get('vlan'));
    } else {
      spec.vlan = Number(f.get('vlan'));
    }
    const id = f.get('id').trim();
    return send(ctx, ctx().socket.request('network', 'create', {id, subtype: f.get('subtype'), spec}), `network ${id} created`);
  });
}

function poolForm(ctx) {
  return form('create-pool', 'Create a pool', [
    h('label', {}, 'id ', h('input', {name: 'id', placeholder: 'images', ...ID})),
    h('label', {}, 'kind ', h('select', {name: 'kind'}, ['dir', 'lvm'].map(s => h('option', {value: s}, s)))),
    h('label', {}, 'volume group (lvm) ', h('input', {name: 'vg', placeholder: 'vg0'})),
  ], 'A dir pool lives under the node\'s data directory (pools/<id>); an lvm pool uses an existing volume group.', f => {
    const spec = {kind: f.get('kind')};
    if (spec.kind === 'lvm') {
      spec.vg = f.get('vg').trim();
    }
    const id = f.get('id').trim();
    return send(ctx, ctx().socket.request('storage', 'pool.create', {id, spec}), `pool ${id} created`);
  });
}

function shareForm(ctx) {
  return form('create-share', 'Add a share', [
    h('label', {}, 'id ', h('input', {name: 'id', placeholder: 'nfs1', ...ID})),
    h('label', {}, 'protocol ', h('select', {name: 'protocol'}, ['nfs', 'smb'].map(s => h('option', {value: s}, s)))),
    h('label', {}, 'source ', h('input', {name: 'source', required: true, placeholder: '10.0.0.5:/export/vm'})),
    h('label', {}, 'options (optional) ', h('input', {name: 'options', placeholder: 'vers=4.2,hard'})),
  ], 'Mounted on this node under the storage mount directory, nosuid,nodev,noexec.', f => {
    const spec = {protocol: f.get('protocol'), source: f.get('source').trim()};
    if (f.get('options').trim()) {
      spec.options = f.get('options').trim();
    }
    const id = f.get('id').trim();
    return send(ctx, ctx().socket.request('storage', 'share.add', {id, spec}), `share ${id} added`);
  });
}
