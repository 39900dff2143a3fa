/**
 * What one emulated cluster's API server stores: the current objects with their
 * resourceVersions, a cluster-wide resourceVersion counter, a bounded history of change events
 * (the watch cache), and the live watches fed from that history.
 *
 * The simulated agent never writes here directly: after each of its steps the cluster's whole
 * desired object set is handed to `sync`, which compares it with what is stored and turns every
 * difference into an ADDED, MODIFIED or DELETED event with the next resourceVersion.
 *
 * Watches are fed asynchronously (on the next turn of the event loop, and when a slow client's
 * socket drains). A watch whose next event has already left the history — a burst of more
 * changes than the history holds, or a client that stopped reading — gets an ERROR event with a
 * 410 Expired Status and is closed, as a real API server does when a watcher falls behind.
 */
import type { Json } from '../util.js';
import { expired, statusObject, tooLarge } from './errors.js';
import { typeKeyOf } from './resources.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoredObject {
  /** The object as served, with metadata.resourceVersion. Never mutated once stored. */
  object: Json;
  /** JSON of the object without resourceVersion: what `sync` compares. */
  text: string;
  rv: number;
  typeKey: string;
  namespace: string;
  name: string;
  uid: string;
}

export interface KubeEvent {
  type: EventType;
  rv: number;
  typeKey: string;
  key: string;
  /** ADDED/MODIFIED: the new state; DELETED: the last state, carrying the deletion's resourceVersion. */
  object: Json;
  /** MODIFIED and DELETED: the state before. */
  prev?: Json;
}

/** The receiving end of a watch (the HTTP response). */
export interface WatchSink {
  typeKey: string;
  /** Whether the watch selects this object (namespace, label and field selectors). */
  selects(obj: Json): boolean;
  /** Writes one event; false when the client is not keeping up (call `Watcher.resume` on drain). */
  emit(type: string, object: Json): boolean;
  /** Ends the response. */
  close(): void;
}

function meta(obj: Json): Json {
  return (obj.metadata ?? {}) as Json;
}

function withResourceVersion(obj: Json, rv: number): Json {
  return { ...obj, metadata: { ...meta(obj), resourceVersion: String(rv) } };
}

function keyOf(obj: Json): { typeKey: string; namespace: string; name: string; key: string } {
  const typeKey = typeKeyOf(String(obj.apiVersion), String(obj.kind));
  const m = meta(obj);
  const namespace = typeof m.namespace === 'string' ? m.namespace : '';
  const name = String(m.name);
  return { typeKey, namespace, name, key: `${typeKey}|${namespace}|${name}` };
}

const byNamespaceAndName = (a: StoredObject, b: StoredObject): number =>
  a.namespace === b.namespace ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.namespace < b.namespace ? -1 : 1;

export class Watcher {
  /** The resourceVersion up to which events have been delivered (or skipped as not selected). */
  cursor: number;
  paused = false;
  closed = false;

  constructor(
    private readonly store: KubeStore,
    readonly sink: WatchSink,
    cursor: number,
  ) {
    this.cursor = cursor;
  }

  /** Delivers whatever is pending now. */
  flush(): void {
    this.store.deliver(this);
  }

  /** The client drained its socket: carry on. */
  resume(): void {
    this.paused = false;
    this.flush();
  }

  /** Ends the watch (client gone, timeout, world reset). */
  stop(): void {
    if (this.closed) return;
    this.closed = true;
    this.store.forget(this);
    this.sink.close();
  }
}

export class KubeStore {
  private readonly objects = new Map<string, StoredObject>();
  private history: KubeEvent[] = [];
  private readonly watchers = new Set<Watcher>();
  private flushTimer: NodeJS.Immediate | undefined;
  private lastRv: number;
  /** Events up to this resourceVersion are no longer in the history. */
  private compacted: number;
  private closed = false;
  /** Namespaces ever seen (kept when their objects go, as Kubernetes keeps namespaces). */
  readonly namespaces = new Map<string, { uid: string; createdMs: number }>();

  constructor(
    private limit: number,
    /** The resourceVersion to continue from (a reset world keeps counting upwards). */
    startRv = 0,
  ) {
    this.lastRv = startRv;
    this.compacted = startRv;
  }

  /** The cluster's current resourceVersion. */
  get resourceVersion(): number {
    return this.lastRv;
  }

  /** The oldest resourceVersion a watch may start from. */
  get oldestResourceVersion(): number {
    return this.compacted;
  }

  get historyLimit(): number {
    return this.limit;
  }

  set historyLimit(n: number) {
    this.limit = Math.max(1, n);
    this.evict();
    this.scheduleFlush();
  }

  get historyLength(): number {
    return this.history.length;
  }

  get watchCount(): number {
    return this.watchers.size;
  }

  /** Makes the stored objects equal to `desired` (objects without resourceVersion), one event per difference. */
  sync(desired: Json[]): void {
    if (this.closed) return;
    const seen = new Set<string>();
    const events: KubeEvent[] = [];
    const record = (type: EventType, k: ReturnType<typeof keyOf>, object: Json, prev?: Json): void => {
      events.push({ type, rv: this.lastRv, typeKey: k.typeKey, key: k.key, object, ...(prev ? { prev } : {}) });
    };
    for (const obj of desired) {
      const k = keyOf(obj);
      seen.add(k.key);
      const text = JSON.stringify(obj);
      const current = this.objects.get(k.key);
      if (current && current.text === text) continue;
      const uid = String(meta(obj).uid ?? '');
      if (current && current.uid !== uid) {
        // Same name, another object: the old one was deleted and a new one created.
        this.lastRv++;
        record('DELETED', k, withResourceVersion(current.object, this.lastRv), current.object);
        this.objects.delete(k.key);
      }
      const before = this.objects.get(k.key);
      this.lastRv++;
      const served = withResourceVersion(obj, this.lastRv);
      this.objects.set(k.key, { object: served, text, rv: this.lastRv, typeKey: k.typeKey, namespace: k.namespace, name: k.name, uid });
      record(before ? 'MODIFIED' : 'ADDED', k, served, before?.object);
    }
    for (const [key, current] of [...this.objects]) {
      if (seen.has(key)) continue;
      this.objects.delete(key);
      this.lastRv++;
      const k = keyOf(current.object);
      record('DELETED', k, withResourceVersion(current.object, this.lastRv), current.object);
    }
    if (events.length === 0) return;
    this.history.push(...events);
    this.evict();
    this.scheduleFlush();
  }

  private evict(): void {
    const excess = this.history.length - this.limit;
    if (excess <= 0) return;
    const dropped = this.history.splice(0, excess);
    this.compacted = dropped[dropped.length - 1]!.rv;
  }

  get(typeKey: string, namespace: string, name: string): StoredObject | undefined {
    return this.objects.get(`${typeKey}|${namespace}|${name}`);
  }

  /** The objects of one type, ordered by namespace and name (the order of the API server's storage keys). */
  list(typeKey: string): StoredObject[] {
    return [...this.objects.values()].filter((o) => o.typeKey === typeKey).sort(byNamespaceAndName);
  }

  /**
   * The objects of one type as they were at resourceVersion `rv` (rebuilt from the history):
   * 410 when `rv` is older than the history, 504 when it is newer than the cluster.
   */
  listAt(typeKey: string, rv: number): StoredObject[] {
    if (rv === this.lastRv) return this.list(typeKey);
    if (rv > this.lastRv) throw tooLarge(rv, this.lastRv);
    if (rv < this.compacted) throw expired(`too old resource version: ${rv} (${this.compacted + 1})`);
    const state = new Map<string, Json>([...this.objects].filter(([, o]) => o.typeKey === typeKey).map(([key, o]) => [key, o.object]));
    for (let i = this.history.length - 1; i >= 0 && this.history[i]!.rv > rv; i--) {
      const e = this.history[i]!;
      if (e.typeKey !== typeKey) continue;
      if (e.type === 'ADDED') state.delete(e.key);
      else if (e.prev) state.set(e.key, e.prev);
    }
    return [...state.values()]
      .map((object) => {
        const k = keyOf(object);
        const m = meta(object);
        return { object, text: '', rv: Number(m.resourceVersion), typeKey, namespace: k.namespace, name: k.name, uid: String(m.uid ?? '') };
      })
      .sort(byNamespaceAndName);
  }

  /**
   * Starts a watch delivering the events after resourceVersion `from`. 410 (thrown) when `from`
   * is older than the history; the caller sends any initial events itself before calling.
   */
  watch(sink: WatchSink, from: number): Watcher {
    if (from < this.compacted) throw expired(`too old resource version: ${from} (${this.compacted + 1})`);
    const watcher = new Watcher(this, sink, from);
    if (this.closed) {
      watcher.stop();
      return watcher;
    }
    this.watchers.add(watcher);
    this.scheduleFlush();
    return watcher;
  }

  forget(watcher: Watcher): void {
    this.watchers.delete(watcher);
  }

  private scheduleFlush(): void {
    if (this.flushTimer || this.watchers.size === 0 || this.closed) return;
    this.flushTimer = setImmediate(() => {
      this.flushTimer = undefined;
      for (const w of [...this.watchers]) this.deliver(w);
    });
  }

  /** Sends a watcher the events it has not seen, or the 410 ERROR when the history moved past it. */
  deliver(w: Watcher): void {
    if (w.closed || w.paused) return;
    if (w.cursor < this.compacted) {
      w.sink.emit('ERROR', statusObject(410, 'Expired', `too old resource version: ${w.cursor} (${this.compacted + 1})`));
      w.stop();
      return;
    }
    for (const e of this.history) {
      if (e.rv <= w.cursor) continue;
      w.cursor = e.rv;
      const out = e.typeKey === w.sink.typeKey ? this.view(e, w.sink) : undefined;
      if (out && !w.sink.emit(out.type, out.object)) {
        w.paused = true;
        return;
      }
      if (w.closed) return;
    }
  }

  /** What a watch with selectors sees of an event: an object entering the selection is ADDED, leaving it DELETED. */
  private view(e: KubeEvent, sink: WatchSink): { type: EventType; object: Json } | undefined {
    const now = sink.selects(e.object);
    if (e.type !== 'MODIFIED') return now ? { type: e.type, object: e.object } : undefined;
    const before = e.prev !== undefined && sink.selects(e.prev);
    if (now) return { type: before ? 'MODIFIED' : 'ADDED', object: e.object };
    if (before) return { type: 'DELETED', object: withResourceVersion(e.prev!, e.rv) };
    return undefined;
  }

  /** Ends every watch whose type is no longer served (its CRD went away), after the events it still has to get. */
  closeWatches(predicate: (typeKey: string) => boolean): void {
    for (const w of [...this.watchers]) {
      if (!predicate(w.sink.typeKey)) continue;
      this.deliver(w);
      w.stop();
    }
  }

  /** The world is going away: every watch ends (clients re-list, as after an API server restart). */
  close(): void {
    this.closed = true;
    if (this.flushTimer) clearImmediate(this.flushTimer);
    this.flushTimer = undefined;
    for (const w of [...this.watchers]) w.stop();
  }
}
