// The node's WebSocket (/api/ws): one request envelope per message (docs/protocol.md).
// Reconnects by itself with backoff; re-authenticates with the session token and reopens
// every watch after a reconnect. Requests are paced below the node's per-connection rate.

const TOKEN = 'acp.session';
const BACKOFF_START_MS = 500;
const BACKOFF_MAX_MS = 10000;
const REQUESTS_PER_SECOND = 20;
const BURST = 30;

export class AcpSocket {
  constructor(url) {
    this.url = url;
    this.nextId = 1;
    this.pending = new Map();   // id -> {resolve, reject, request}
    this.watches = new Map();   // watch handle -> {args, onEvent, streamId}
    this.queue = [];            // requests waiting for a rate token
    this.tokens = BURST;
    this.lastRefill = performance.now();
    this.backoff = BACKOFF_START_MS;
    this.state = 'connecting';
    this.listeners = new Set();
    this.credential = sessionStorage.getItem(TOKEN);
    this.authenticated = false;
    this.identity = null;
  }

  onState(listener) { this.listeners.add(listener); listener(this.state, this); }

  setState(state, detail) {
    this.state = state;
    this.detail = detail || '';
    this.listeners.forEach(l => l(state, this));
  }

  connect() {
    this.setState('connecting');
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => this.opened();
    ws.onmessage = m => this.received(JSON.parse(m.data));
    ws.onclose = e => this.closed(e);
  }

  async opened() {
    this.backoff = BACKOFF_START_MS;
    if (!this.credential) {
      this.setState('login');
      return;
    }
    try {
      await this.authenticate(this.credential);
    } catch (e) {
      sessionStorage.removeItem(TOKEN);
      this.credential = null;
      this.setState('login', e.message);
    }
  }

  /** Authenticates with an API key or a session token; keeps only a session token. */
  async authenticate(credential) {
    const pong = await this.send({service: 'api', op: 'ping', key: credential}, true);
    if (!credential.startsWith('acpw_')) {
      const session = await this.send({service: 'webapi', op: 'login'}, true);
      credential = session.token;
      this.identity = session;
    }
    this.credential = credential;
    sessionStorage.setItem(TOKEN, credential);
    this.authenticated = true;
    this.node = pong.node;
    this.setState('online');
    for (const watch of this.watches.values()) {
      this.openWatch(watch);
    }
    this.pump();
  }

  logout() {
    this.send({service: 'webapi', op: 'logout'}, true).catch(() => {});
    sessionStorage.removeItem(TOKEN);
    this.credential = null;
    this.authenticated = false;
    this.setState('login');
  }

  closed(event) {
    this.authenticated = false;
    for (const [id, p] of this.pending) {
      p.reject(new Error('connection to the node lost'));
    }
    this.pending.clear();
    for (const watch of this.watches.values()) {
      watch.streamId = null;
    }
    const wait = this.backoff;
    this.backoff = Math.min(BACKOFF_MAX_MS, this.backoff * 2);
    this.setState('offline', `closed (${event.code}${event.reason ? ': ' + event.reason : ''}); retrying in ${Math.round(wait / 1000)} s`);
    setTimeout(() => this.connect(), wait);
  }

  received(message) {
    const watch = [...this.watches.values()].find(w => w.streamId === message.id);
    if (watch && message.event) {
      watch.onEvent(message.event);
      return;
    }
    if (watch && message.end) {
      watch.streamId = null;
      return;
    }
    const p = this.pending.get(message.id);
    if (!p) {
      return;
    }
    this.pending.delete(message.id);
    if (message.error) {
      const e = new Error(message.error.message);
      e.code = message.error.code;
      p.reject(e);
    } else {
      p.resolve(message.result);
    }
  }

  /** One request; resolves with its result, rejects with an Error carrying the error code. */
  request(service, op, args = {}, node = undefined) {
    return this.send({service, op, args, node});
  }

  send(body, now = false) {
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      const request = Object.assign({id}, body);
      if (request.node === undefined || request.node === null) {
        delete request.node;
      }
      const entry = {resolve, reject, request};
      if (now) {
        this.transmit(entry);
      } else {
        this.queue.push(entry);
        this.pump();
      }
    });
  }

  transmit(entry) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) {
      entry.reject(new Error('not connected to the node'));
      return;
    }
    this.pending.set(entry.request.id, entry);
    this.ws.send(JSON.stringify(entry.request));
  }

  pump() {
    const now = performance.now();
    this.tokens = Math.min(BURST, this.tokens + (now - this.lastRefill) * REQUESTS_PER_SECOND / 1000);
    this.lastRefill = now;
    while (this.queue.length && this.tokens >= 1 && this.authenticated) {
      this.tokens -= 1;
      this.transmit(this.queue.shift());
    }
    if (this.queue.length && !this.pumpTimer) {
      this.pumpTimer = setTimeout(() => { this.pumpTimer = null; this.pump(); }, 1000 / REQUESTS_PER_SECOND);
    }
  }

  /** A watch (cluster.watch) that survives reconnects; returns a handle for unwatch. */
  watch(args, onEvent) {
    const handle = {};
    const watch = {args, onEvent, streamId: null};
    this.watches.set(handle, watch);
    if (this.authenticated) {
      this.openWatch(watch);
    }
    return handle;
  }

  openWatch(watch) {
    const id = this.nextId++;
    watch.streamId = id;
    this.pending.set(id, {resolve: () => {}, reject: () => { watch.streamId = null; }, request: {}});
    this.ws.send(JSON.stringify({id, service: 'cluster', op: 'watch', args: watch.args}));
    if (watch.onOpen) {
      watch.onOpen();
    }
  }
}
