/**
 * Kubernetes events of Flux objects, as `flux events` reads them: core/v1 Events (what Flux's
 * controllers record through client-go), listed per namespace in pages, narrowed by the API
 * server's field selectors, ordered newest last (by when they were last seen), and watched from
 * the list's resourceVersion — listing again when the watch expires (410 Gone) and passing on
 * only what the re-list shows that was not seen yet, so nothing is lost and nothing repeats.
 */
import type { KubeAccess } from './access.js';
import { timestamp } from './readiness.js';

export interface FluxEvent {
  /** When it was last seen (RFC 3339). */
  lastSeen?: string;
  firstSeen?: string;
  /** Normal or Warning. */
  type: string;
  reason: string;
  object: { kind: string; namespace: string; name: string };
  /** The whole message. */
  message: string;
  count: number;
  /** The controller that reported it. */
  source?: string;
  /** The event's own name and namespace, and its resourceVersion (for ordering and re-lists). */
  name: string;
  namespace: string;
  resourceVersion?: string;
}

const PAGE = 500;

type Raw = Record<string, unknown>;
const field = (o: unknown, key: string): Raw => ((o as Raw | undefined)?.[key] ?? {}) as Raw;
const text = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

/** A core/v1 Event (as client-node returns it, or as JSON from a watch) in the form k8s-gitops prints. */
export function toFluxEvent(raw: unknown): FluxEvent {
  const e = raw as Raw;
  const meta = field(e, 'metadata');
  const involved = field(e, 'involvedObject');
  const series = field(e, 'series');
  const lastSeen = timestamp(series.lastObservedTime) ?? timestamp(e.lastTimestamp) ?? timestamp(e.eventTime) ?? timestamp(meta.creationTimestamp);
  const firstSeen = timestamp(e.firstTimestamp) ?? timestamp(e.eventTime) ?? lastSeen;
  const out: FluxEvent = {
    type: text(e.type) || 'Normal',
    reason: text(e.reason),
    object: { kind: text(involved.kind), namespace: text(involved.namespace), name: text(involved.name) },
    message: text(e.message),
    count: typeof e.count === 'number' && e.count > 0 ? e.count : typeof series.count === 'number' ? series.count : 1,
    name: text(meta.name),
    namespace: text(meta.namespace),
  };
  if (lastSeen) out.lastSeen = lastSeen;
  if (firstSeen) out.firstSeen = firstSeen;
  const source = text(e.reportingComponent) || text(field(e, 'source').component);
  if (source) out.source = source;
  const rv = text(meta.resourceVersion);
  if (rv) out.resourceVersion = rv;
  return out;
}

const timeOf = (e: FluxEvent): number => {
  const t = e.lastSeen ? Date.parse(e.lastSeen) : NaN;
  return Number.isNaN(t) ? 0 : t;
};
const versionOf = (e: FluxEvent): number => (e.resourceVersion && /^\d+$/.test(e.resourceVersion) ? Number(e.resourceVersion) : 0);

/** Oldest first, newest last: by last seen, then (same second) by resourceVersion, the order the API server wrote them. */
export function sortEvents(events: readonly FluxEvent[]): FluxEvent[] {
  return [...events].sort((a, b) => timeOf(a) - timeOf(b) || versionOf(a) - versionOf(b));
}

/** What identifies one occurrence of an event (an aggregated event seen again has a new count). */
export const occurrence = (e: FluxEvent): string => `${e.namespace}/${e.name}#${e.count}`;

export interface EventQuery {
  namespace: string;
  /** A field selector (e.g. `involvedObject.kind=Kustomization,involvedObject.name=x`). */
  fieldSelector?: string;
}

/** Every event of the query (all pages), with the list's resourceVersion to watch from; `signal` ends the requests. */
export async function listEvents(kube: KubeAccess, query: EventQuery, signal?: AbortSignal): Promise<{ events: FluxEvent[]; resourceVersion: string }> {
  const api = kube.kc.makeApiClient(kube.lib.CoreV1Api);
  const events: FluxEvent[] = [];
  let next: string | undefined;
  let resourceVersion = '';
  try {
    do {
      const page = await api.listNamespacedEvent({
        namespace: query.namespace,
        limit: PAGE,
        ...(query.fieldSelector ? { fieldSelector: query.fieldSelector } : {}),
        ...(next ? { _continue: next } : {}),
      }, kube.abortable(signal));
      for (const item of page.items ?? []) events.push(toFluxEvent(item));
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      next = page.metadata?._continue || undefined;
    } while (next);
  } catch (err) {
    throw kube.translate(err, `the events in namespace ${query.namespace}`);
  }
  return { events, resourceVersion };
}

const statusOf = (err: unknown): number | undefined => (err as { code?: number; statusCode?: number })?.code ?? (err as { statusCode?: number })?.statusCode;

/**
 * Watches the events of a query from `resourceVersion` until `signal` aborts, calling `onEvent`
 * for each event added or seen again. When the watch expires (410 Gone) it lists again and
 * passes on the events of the new list that `seen` does not hold yet.
 */
export async function watchEvents(
  kube: KubeAccess,
  query: EventQuery,
  from: string,
  seen: Set<string>,
  onEvent: (e: FluxEvent) => void,
  signal: AbortSignal,
  onExpired?: () => void,
): Promise<void> {
  const watcher = new kube.lib.Watch(kube.kc);
  const path = `/api/v1/namespaces/${encodeURIComponent(query.namespace)}/events`;
  let resourceVersion = from;
  const deliver = (e: FluxEvent): void => {
    const id = occurrence(e);
    if (seen.has(id)) return;
    seen.add(id);
    onEvent(e);
  };
  while (!signal.aborted) {
    const startedAt = Date.now();
    const expired = await new Promise<boolean>((resolve, reject) => {
      let gone = false;
      const started = watcher.watch(
        path,
        { allowWatchBookmarks: true, resourceVersion, ...(query.fieldSelector ? { fieldSelector: query.fieldSelector } : {}) },
        (type: string, obj: Raw & { code?: number }) => {
          if (type === 'ERROR') {
            gone = gone || obj.code === 410;
            return;
          }
          const rv = text(field(obj, 'metadata').resourceVersion);
          if (rv) resourceVersion = rv;
          if (type === 'ADDED' || type === 'MODIFIED') deliver(toFluxEvent(obj));
        },
        (err: unknown) => {
          const code = statusOf(err);
          if (code === 401 || code === 403) reject(kube.translate(err, `a watch of the events in namespace ${query.namespace}`));
          else resolve(gone || code === 410);
        },
      );
      void started
        .then((controller) => {
          if (signal.aborted) controller.abort();
          else signal.addEventListener('abort', () => controller.abort(), { once: true });
        })
        .catch((err: unknown) => {
          const code = statusOf(err);
          if (code === 401 || code === 403) reject(kube.translate(err, `a watch of the events in namespace ${query.namespace}`));
          else resolve(code === 410);
        });
    });
    if (signal.aborted) return;
    if (expired) {
      onExpired?.();
      const listed = await listEvents(kube, query, signal).catch((err: unknown) => {
        if (signal.aborted) return undefined;
        throw err;
      });
      if (!listed) return;
      for (const e of sortEvents(listed.events)) deliver(e);
      resourceVersion = listed.resourceVersion;
    } else if (Date.now() - startedAt < 1000) {
      // A connection that ends at once (server gone, proxy) is not retried in a tight loop.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
  }
}
