/**
 * The Kubernetes events Flux's controllers record about their objects, kept per cluster as
 * core/v1 Events (the storage form; `events.k8s.io/v1` is a view of the same objects, see
 * resources.ts). Every change of an object's Ready condition (status, reason or message) is one
 * event from the controller of its kind: `Warning` when the object failed, `Normal` otherwise
 * (progress, success, waiting on a dependency), with the condition's reason and its whole
 * message. An event identical to one already recorded for the object (same type, reason and
 * message) is counted again instead (`count`, `lastTimestamp`), as client-go's recorder
 * aggregates. The newest MAX_EVENTS of a cluster are kept.
 */
import { readyCondition, type FluxObject } from '../agent/objects.js';
import { isoSeconds, uuid, type Json } from '../util.js';

const MAX_EVENTS = 1000;

/** Ready=False reasons that mean waiting, not failure (Flux records them as info). */
const WAITING_REASONS = new Set(['Progressing', 'DependencyNotReady']);

const CONTROLLER: Record<string, string> = {
  Kustomization: 'kustomize-controller',
  HelmRelease: 'helm-controller',
};

function controllerOf(kind: string): string {
  return CONTROLLER[kind] ?? 'source-controller';
}

/** Flux's event metadata: the revision, under the object's API group (`kustomize.toolkit.fluxcd.io/revision`). */
function annotationsOf(obj: FluxObject): Record<string, string> {
  const group = obj.apiVersion.split('/')[0]!;
  const revision = obj.kind === 'Kustomization' ? obj.lastAttemptedRevision : obj.kind === 'HelmRelease' ? obj.helm?.chartVersion : obj.artifactRevision;
  return revision ? { [`${group}/revision`]: revision } : {};
}

export class EventLog {
  /** Per object uid: the Ready condition last turned into an event. */
  private readonly seen = new Map<string, string>();
  /** Events by name, oldest first. */
  private readonly events = new Map<string, Json>();
  /** `uid|type|reason|message` → the name of the event that records it. */
  private readonly byIdentity = new Map<string, string>();
  private seq = 0;

  /** Records an event for every object whose Ready condition changed since the last look. */
  observe(objects: readonly FluxObject[], now = Date.now()): void {
    for (const obj of objects) {
      const ready = readyCondition(obj);
      if (!ready) continue;
      const signature = `${ready.status}|${ready.reason}|${ready.message}`;
      if (this.seen.get(obj.uid) === signature) continue;
      this.seen.set(obj.uid, signature);
      const type = ready.status === 'False' && !WAITING_REASONS.has(ready.reason) ? 'Warning' : 'Normal';
      this.record(obj, type, ready.reason, ready.message, now);
    }
  }

  private record(obj: FluxObject, type: string, reason: string, message: string, now: number): void {
    const identity = `${obj.uid}|${type}|${reason}|${message}`;
    const at = isoSeconds(now);
    const existing = this.byIdentity.get(identity);
    const previous = existing ? this.events.get(existing) : undefined;
    if (existing && previous) {
      this.events.delete(existing);
      this.events.set(existing, { ...previous, count: Number(previous.count) + 1, lastTimestamp: at });
      return;
    }
    const controller = controllerOf(obj.kind);
    // client-go names events <object>.<unique hex>.
    const name = `${obj.name}.${(now * 1000 + (this.seq++ % 1000)).toString(16)}`;
    const annotations = annotationsOf(obj);
    this.events.set(name, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: obj.namespace, uid: uuid(), creationTimestamp: at, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
      involvedObject: { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.name, namespace: obj.namespace, uid: obj.uid },
      reason,
      message,
      type,
      source: { component: controller },
      reportingComponent: controller,
      reportingInstance: `${controller}-${obj.uid.slice(0, 8)}`,
      firstTimestamp: at,
      lastTimestamp: at,
      count: 1,
      eventTime: null,
    });
    this.byIdentity.set(identity, name);
    while (this.events.size > MAX_EVENTS) {
      const oldest = this.events.keys().next().value as string;
      this.events.delete(oldest);
      for (const [id, n] of this.byIdentity) if (n === oldest) this.byIdentity.delete(id);
    }
  }

  /** The events, oldest first. */
  all(): Json[] {
    return [...this.events.values()];
  }
}

const logs = new WeakMap<object, EventLog>();

/** The event log of a cluster (keyed by its API store, so a reset world starts a new log). */
export function eventLogOf(store: object): EventLog {
  let log = logs.get(store);
  if (!log) logs.set(store, (log = new EventLog()));
  return log;
}
