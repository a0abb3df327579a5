// A system's console in the browser: its graphical display (noVNC) or its serial port (xterm.js),
// for a system on any node. The page opens its own WebSocket (/api/console) to this node, which
// relays to the node running the system (docs/webui.md). The first message authenticates with the
// tab's session token and names the console; then binary messages carry the console's bytes.
// Leaving the page closes the WebSocket, and with it everything behind it.
import {h, replace} from '../dom.js';
import {placement} from './systems.js';

const LIBS = {
  serial: () => import('../../vendor/xterm/xterm.mjs'),
  vnc: () => import('../../vendor/novnc/core/rfb.js'),
};

export function consolePage(id, kind) {
  const hash = location.hash;
  const status = h('span', {class: 'muted', 'data-testid': 'console-status'}, 'connecting…');
  const screen = h('div', {class: `console-screen ${kind}`, 'data-testid': `console-${kind}`, 'data-state': 'connecting'});
  const reconnect = h('button', {type: 'button', class: 'small', hidden: true}, 'Reconnect');
  const other = kind === 'vnc' ? 'serial' : 'vnc';
  const head = h('div', {class: 'card-head'},
      h('h2', {}, `${kind === 'vnc' ? 'Graphical' : 'Serial'} console of `, h('a', {href: `#/systems/${encodeURIComponent(id)}`}, id)),
      status, reconnect,
      h('a', {href: `#/systems/${encodeURIComponent(id)}/console/${other}`, class: 'small'}, other === 'vnc' ? 'graphical console' : 'serial console'));
  const card = h('section', {class: 'card console'}, head, screen);
  let ctxRef = null;
  let ws = null;
  let started = false;
  let term = null;
  let rfb = null;

  function setState(state, text) {
    screen.dataset.state = state;
    status.textContent = text;
    reconnect.hidden = state !== 'closed' && state !== 'error';
  }

  function close() {
    if (rfb) { try { rfb.disconnect(); } catch (e) { /* already closed */ } rfb = null; }
    if (ws) { ws.onclose = null; ws.close(); ws = null; }
    if (term) { term.dispose(); term = null; }
  }

  function leave() {
    if (location.hash !== hash) {
      close();
      window.removeEventListener('hashchange', leave);
    }
  }
  window.addEventListener('hashchange', leave);

  async function start(ctx) {
    const s = ctx.store.objects.get(`system/${id}`);
    if (!s || !ctx.socket.authenticated || !ctx.socket.credential) {
      return;
    }
    started = true;
    const {node} = placement(ctx.store, s);
    let lib;
    try {
      lib = await LIBS[kind]();   // loaded before the socket opens: no console byte arrives before its reader
    } catch (e) {
      setState('error', `cannot load the ${kind} console: ${e.message}`);
      return;
    }
    if (location.hash !== hash) {
      return;
    }
    replace(screen);
    setState('connecting', `connecting to ${kind} console of ${id} on node ${node || ctx.socket.node}…`);
    const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/console`);
    ws = socket;
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => socket.send(JSON.stringify({credential: ctx.socket.credential, system: id, node, kind}));
    socket.onclose = e => setState('closed', `console closed${e.reason ? ` (${e.reason})` : ''}`);
    socket.onmessage = m => {
      if (typeof m.data !== 'string') {
        return;
      }
      const answer = JSON.parse(m.data);
      if (answer.error) {
        socket.onclose = null;
        setState('error', `${answer.error.code}: ${answer.error.message}`);
        return;
      }
      // Synchronously, in this message's handler: the console's first bytes are the next messages.
      const where = `${kind} console of ${id} on node ${answer.attached.node}`;
      if (kind === 'serial') {
        attachTerminal(lib, socket, where);
      } else {
        attachVnc(lib, socket, where);
      }
    };
  }

  function attachTerminal(lib, socket, where) {
    term = new lib.Terminal({cursorBlink: true, scrollback: 5000, fontSize: 14});
    term.open(screen);
    const encoder = new TextEncoder();
    socket.onmessage = m => { if (m.data instanceof ArrayBuffer) { term.write(new Uint8Array(m.data)); } };
    term.onData(d => { if (socket.readyState === WebSocket.OPEN) { socket.send(encoder.encode(d)); } });
    term.focus();
    setState('connected', `connected: ${where}`);
  }

  function attachVnc(lib, socket, where) {
    const RFB = lib.default;
    rfb = new RFB(screen, socket, {shared: true});
    rfb.scaleViewport = true;
    rfb.addEventListener('connect', () => setState('connected', `connected: ${where}`));
    rfb.addEventListener('disconnect', e => setState('closed', e.detail.clean ? 'console closed' : 'console connection lost'));
    rfb.addEventListener('securityfailure', e => setState('error', `VNC security failure: ${e.detail.reason || e.detail.status}`));
  }

  reconnect.addEventListener('click', () => {
    close();
    if (ctxRef) {
      start(ctxRef);
    }
  });

  return {
    title: `${kind === 'vnc' ? 'Console' : 'Serial console'} ${id}`,
    mount(container) {
      replace(container, card);
    },
    update(ctx) {
      ctxRef = ctx;
      if (!started) {
        start(ctx);
      }
    },
  };
}
