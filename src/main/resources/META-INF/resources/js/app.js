// The web UI: one WebSocket to the node, a store of what the cluster reported, pages drawn
// from the store whenever it changes. Nothing polls the node: changes arrive on a watch.
import {AcpSocket} from './socket.js';
import {ClusterStore} from './store.js';
import {h, replace} from './dom.js';
import {dashboard} from './views/dashboard.js';
import {systems, systemDetail} from './views/systems.js';
import {nodes} from './views/nodes.js';
import {resources} from './views/resources.js';
import {tasks} from './views/tasks.js';
import {consolePage} from './views/console.js';

const socket = new AcpSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/ws`);
const store = new ClusterStore();
const main = document.getElementById('main');
const status = document.getElementById('connection');
const toasts = document.getElementById('toasts');
const login = document.getElementById('login');
const logout = document.getElementById('logout');

const ctx = {
  socket,
  store,
  refresh: () => schedule(),
  toast: (text, kind) => toast(text, kind),
  /** Runs a request for a button; tells the user how it went. Resolves true on success. */
  run(promise, done) {
    return promise.then(() => { toast(done, 'good'); return true; })
        .catch(e => { toast(`${e.code ? e.code + ': ' : ''}${e.message}`, 'bad'); return false; });
  },
};

function toast(text, kind) {
  const t = h('div', {class: `toast ${kind}`, role: 'status'}, text);
  toasts.append(t);
  setTimeout(() => t.remove(), kind === 'bad' ? 8000 : 3000);
}

// ---- pages --------------------------------------------------------------------------------

const routes = [
  [/^#?\/?$|^#\/dashboard$/, () => dashboard()],
  [/^#\/systems$/, () => systems()],
  [/^#\/systems\/(.+)\/console\/(vnc|serial)$/, m => consolePage(decodeURIComponent(m[1]), m[2])],
  [/^#\/systems\/(.+)$/, m => systemDetail(decodeURIComponent(m[1]))],
  [/^#\/networks$/, () => resources('network', 'Networks', 'Networks as the network service defines them; each node reports its bridge and state.')],
  [/^#\/storage$/, () => resources('storage', 'Storage', 'Devices, pools and shares; each node reports state and capacity.')],
  [/^#\/services$/, () => resources('service', 'Services', 'Every service on every node, as the node reports it.')],
  [/^#\/tasks$/, () => tasks()],
  [/^#\/nodes$/, () => nodes()],
  [/^#\/nodes\/(.+)$/, m => nodes(decodeURIComponent(m[1]))],
];
let page;

/** A route nobody knows: say so, instead of leaving the previous page up. */
function notFound(hash) {
  const body = h('section', {class: 'card', 'data-testid': 'not-found'},
      h('h2', {}, 'Page not found'),
      h('p', {}, 'There is no page at ', h('code', {}, hash), '. ', h('a', {href: '#/dashboard'}, 'Go to the dashboard'), '.'));
  return {title: 'Not found', mount(container) { replace(container, body); }, update() {}};
}

function route() {
  page = null;
  for (const [pattern, make] of routes) {
    const m = location.hash.match(pattern);
    if (m) {
      page = make(m);
      break;
    }
  }
  if (!page) {
    page = notFound(location.hash);
  }
  document.title = `${page.title} · ACP`;
  document.querySelectorAll('nav a').forEach(a => a.classList.toggle('active', location.hash.startsWith(a.getAttribute('href'))
      || (a.getAttribute('href') === '#/dashboard' && (location.hash === '' || location.hash === '#/'))));
  page.mount(main);
  render();
}

// Store changes come many per second (stats of every node and system): draw at most once a frame.
let scheduled = false;
function schedule() {
  if (!scheduled) {
    scheduled = true;
    requestAnimationFrame(() => { scheduled = false; render(); });
  }
}

function render() {
  if (page && socket.authenticated) {
    page.update(ctx);
  }
}

// ---- connection -----------------------------------------------------------------------------

socket.onState((state, s) => {
  status.dataset.state = state;
  status.textContent = state === 'online' ? `connected to ${s.node}` : state === 'login' ? 'log in' : `${state}${s.detail ? ': ' + s.detail : ''}`;
  login.hidden = state !== 'login';
  // Only a logged-in session has anything to log out of.
  logout.hidden = !socket.authenticated;
  if (state === 'login' && s.detail) {
    login.querySelector('.error').textContent = s.detail;
  }
  if (state === 'login') {
    showKeyHint();
  }
  if (state === 'online') {
    load();
  }
});

/** After every (re)connect: everything the watch would not tell (what existed before it opened). */
async function load() {
  try {
    const objects = await socket.request('cluster', 'list', {});
    objects.forEach(e => store.apply(e));
    store.touched(socket.node);
    const keys = [['node', socket.node], ...objects.map(o => [o.type, o.id])];
    schedule();
    for (const [type, id] of keys) {
      socket.request('cluster', 'meta', {type, id}).then(es => { es.forEach(e => store.apply(e)); schedule(); }).catch(() => {});
      if (type === 'node' || type === 'system' || type === 'service') {
        socket.request('cluster', 'stats', {type, id}).then(es => { es.forEach(e => { if (!e.stale) store.apply(e); }); schedule(); }).catch(() => {});
      }
    }
  } catch (e) {
    toast(`loading the cluster failed: ${e.message}`, 'bad');
  }
}

/** The node names its own admin key file (webapi.hello answers before login). */
function showKeyHint() {
  socket.send({service: 'webapi', op: 'hello'}, true)
      .then(hello => { document.getElementById('key-file').textContent = hello.adminKeyFile; })
      .catch(() => {});
}

socket.watch({}, e => { store.apply(e); schedule(); });
store.onChange(schedule);
// Nodes that fall silent turn red without any message arriving: re-check once a second.
setInterval(schedule, 1000);

login.addEventListener('submit', e => {
  e.preventDefault();
  const key = login.querySelector('input').value.trim();
  login.querySelector('.error').textContent = '';
  socket.authenticate(key).then(() => { login.querySelector('input').value = ''; })
      .catch(err => { login.querySelector('.error').textContent = err.message; });
});
logout.addEventListener('click', () => socket.logout());
document.getElementById('menu').addEventListener('click', () => document.body.classList.toggle('menu-open'));
document.querySelectorAll('nav a').forEach(a => a.addEventListener('click', () => document.body.classList.remove('menu-open')));

window.addEventListener('hashchange', route);
route();
socket.connect();
