// What the UI knows of the cluster: objects, and per reporting node the latest meta and stats of
// each, plus a short stats history for the charts. Fed by list/meta/stats answers and the watch.

const HISTORY = 120;

export class ClusterStore {
  constructor() {
    this.objects = new Map();   // "type/id" -> object entry
    this.meta = new Map();      // "type/id" -> Map(node -> meta entry)
    this.stats = new Map();     // "type/id" -> Map(node -> stats entry)
    this.history = new Map();   // "type/id@node" -> [{time, values}]
    this.seen = new Map();      // node id -> last time (ms, local clock) anything of it arrived
    this.listeners = new Set();
  }

  static key(type, id) { return `${type}/${id}`; }

  onChange(listener) { this.listeners.add(listener); }

  changed() { this.listeners.forEach(l => l()); }

  /** Applies one entry (object, meta or stats) as the protocol sends it. */
  apply(e) {
    const key = ClusterStore.key(e.type, e.id);
    if (e.kind === 'object') {
      const old = this.objects.get(key);
      if (old && old.version >= e.version && old.version.split('@')[1] === e.version.split('@')[1]) {
        return;
      }
      if (e.deleted) {
        this.objects.delete(key);
        this.meta.delete(key);
        this.stats.delete(key);
      } else {
        this.objects.set(key, e);
      }
    } else if (e.kind === 'meta') {
      this.byNode(this.meta, key).set(e.node, e);
      this.touched(e.node);
    } else if (e.kind === 'stats') {
      const prev = this.byNode(this.stats, key).get(e.node);
      this.byNode(this.stats, key).set(e.node, e);
      if (!prev || prev.time !== e.time) {
        const h = this.historyOf(e.type, e.id, e.node);
        h.push({time: e.time, values: e.values});
        if (h.length > HISTORY) {
          h.splice(0, h.length - HISTORY);
        }
      }
      this.touched(e.node);
    }
  }

  /** Replaces the history of one object's stats from one node (cluster.stats with history). */
  setHistory(type, id, node, entries) {
    const h = this.historyOf(type, id, node);
    h.splice(0, h.length, ...entries.map(e => ({time: e.time, values: e.values})));
  }

  historyOf(type, id, node) {
    const k = `${ClusterStore.key(type, id)}@${node}`;
    if (!this.history.has(k)) {
      this.history.set(k, []);
    }
    return this.history.get(k);
  }

  touched(node) {
    if (node) {
      this.seen.set(node, Date.now());
    }
  }

  byNode(map, key) {
    if (!map.has(key)) {
      map.set(key, new Map());
    }
    return map.get(key);
  }

  ofType(type) {
    return [...this.objects.values()].filter(o => o.type === type).sort((a, b) => a.id.localeCompare(b.id));
  }

  metaOf(type, id) { return this.meta.get(ClusterStore.key(type, id)) || new Map(); }

  statsOf(type, id) { return this.stats.get(ClusterStore.key(type, id)) || new Map(); }

  /** Every node id the UI has heard of: node objects, reporters, and membership views. */
  nodeIds() {
    const ids = new Set(this.ofType('node').map(o => o.id));
    for (const [key, byNode] of [...this.meta, ...this.stats]) {
      if (key.startsWith('node/')) {
        ids.add(key.substring(5));
        byNode.forEach((_, n) => ids.add(n));
      }
    }
    return [...ids].sort();
  }
}
