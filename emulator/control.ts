/**
 * Control endpoints under /_emulator/ (no authentication; used by tests and by people exploring):
 * the request log, faults and scenarios at run time, reset, and a dump of the whole state.
 */
import { toKubeObject } from './agent/objects.js';
import type { TokenService } from './auth.js';
import { extensionView } from './arm/extensions.js';
import { fluxView } from './arm/flux.js';
import { providerView } from './arm/resources.js';
import { KC_NAMESPACE } from './constants.js';
import { typeKeyOf } from './kube/resources.js';
import { checkCluster, EXTENSION_SCENARIOS, type ExtensionScenario, OptionError, parseArcCluster, parseFailKustomization } from './options.js';
import type { ClusterState } from './arm/records.js';
import { CountedFault } from './faults.js';
import type { ConnectionLog } from './connections.js';
import type { RequestLog } from './requestlog.js';
import { isObject, type Json } from './util.js';
import type { World } from './world.js';

export interface ControlTarget {
  readonly world: World;
  readonly log: RequestLog;
  readonly kubeLog: RequestLog;
  readonly connections: ConnectionLog;
  readonly tokens: TokenService;
  reset(): void;
}

export interface ControlResult {
  status: number;
  body?: unknown;
}

const bad = (message: string): ControlResult => ({ status: 400, body: { error: { code: 'InvalidControlRequest', message } } });

function count(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new OptionError(`${name} must be a whole number >= 0.`);
  return value;
}

function names(name: string, value: unknown): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || !list.every((v) => typeof v === 'string')) throw new OptionError(`${name} must be a cluster name or a list of them.`);
  return list.map((v) => parseArcCluster(name, v));
}

/** A regular expression for a fault's "match" (null or absent: every request). */
function pattern(name: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new OptionError(`${name}.match must be a regular expression in a string.`);
  try {
    new RegExp(value);
  } catch (err) {
    throw new OptionError(`${name}.match: ${(err as Error).message}`);
  }
  return value;
}

/** `N` or `{"count": N, "match": "REGEX", …extra}`: a count and an optional filter. */
function counted(name: string, value: unknown, extra: readonly string[] = []): { count: number; match?: string; doc: Record<string, unknown> } {
  if (typeof value === 'number') return { count: count(name, value), doc: {} };
  if (!isObject(value)) throw new OptionError(`${name} must be a whole number or an object {"count": N, "match": "REGEX"}.`);
  const unknown = Object.keys(value).filter((k) => !['count', 'match', ...extra].includes(k));
  if (unknown.length > 0) throw new OptionError(`${name}: unknown field(s) ${unknown.join(', ')}.`);
  const match = pattern(name, value.match);
  return { count: count(`${name}.count`, value.count ?? 1), ...(match ? { match } : {}), doc: value };
}

const FAULT_KEYS = ['throttle', 'serverErrors', 'hang', 'hangKubernetes', 'respond', 'failOperation', 'cancelOperation', 'failKustomization', 'extension', 'arcOffline', 'arcOnline', 'providerUnregistered', 'watchHistory'];

/** Applies a faults document; every field is checked before anything changes. */
export function applyFaults(world: World, doc: unknown): void {
  if (!isObject(doc)) throw new OptionError('the body must be a JSON object.');
  const unknown = Object.keys(doc).filter((k) => !FAULT_KEYS.includes(k));
  if (unknown.length > 0) throw new OptionError(`unknown field(s) ${unknown.join(', ')} (known: ${FAULT_KEYS.join(', ')}).`);

  const changes: (() => void)[] = [];
  if ('throttle' in doc) {
    const { count: n, match, doc: more } = counted('throttle', doc.throttle, ['retryAfter']);
    const retryAfter = more.retryAfter === undefined ? undefined : count('throttle.retryAfter', more.retryAfter);
    changes.push(() => {
      world.faults.throttling.count = n;
      world.faults.throttling.match = match;
      if (retryAfter !== undefined) world.faults.throttleRetryAfter = retryAfter;
    });
  }
  for (const key of ['hang', 'hangKubernetes'] as const) {
    // A count alone keeps no filter from before: every request counts again.
    if (!(key in doc)) continue;
    const { count: n, match } = counted(key, doc[key]);
    changes.push(() => {
      world.faults[key].count = n;
      world.faults[key].match = match;
    });
  }
  if ('respond' in doc) {
    if (doc.respond === null) {
      changes.push(() => (world.faults.respond = undefined));
    } else {
      const { count: n, match, doc: more } = counted('respond', doc.respond, ['status']);
      const status = more.status;
      if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599) throw new OptionError('respond.status must be a final HTTP status (200-599).');
      changes.push(() => (world.faults.respond = { status, fault: new CountedFault(n, match) }));
    }
  }
  if ('serverErrors' in doc) {
    const n = count('serverErrors', doc.serverErrors);
    changes.push(() => (world.faults.serverErrors = n));
  }
  if ('failOperation' in doc) {
    const v = doc.failOperation;
    if (typeof v !== 'boolean' && typeof v !== 'string') throw new OptionError('failOperation must be true, false or a message.');
    changes.push(() => (world.faults.failOperation = v === '' ? true : v));
  }
  if ('cancelOperation' in doc) {
    const v = doc.cancelOperation;
    if (typeof v !== 'boolean' && typeof v !== 'string') throw new OptionError('cancelOperation must be true, false or a message.');
    changes.push(() => (world.faults.cancelOperation = v === '' ? true : v));
  }
  if ('failKustomization' in doc) {
    const v = doc.failKustomization;
    const map = world.faults.failKustomization;
    if (v === null) {
      changes.push(() => map.clear());
    } else if (Array.isArray(v)) {
      const parsed = v.map((s) => {
        if (typeof s !== 'string') throw new OptionError('failKustomization entries must be strings NAME[=MESSAGE].');
        return parseFailKustomization('failKustomization', s);
      });
      changes.push(() => parsed.forEach(([k, m]) => map.set(k, m)));
    } else if (isObject(v)) {
      for (const [k, m] of Object.entries(v)) {
        if (m !== null && m !== false && m !== true && typeof m !== 'string') throw new OptionError(`failKustomization.${k} must be a message, null (default message) or false (stop failing).`);
      }
      changes.push(() => {
        for (const [k, m] of Object.entries(v)) {
          if (m === false) map.delete(k);
          else map.set(k, typeof m === 'string' ? m : null);
        }
      });
    } else {
      throw new OptionError('failKustomization must be an object {NAME: message|null|false}, a list of "NAME[=MESSAGE]", or null.');
    }
  }
  if ('extension' in doc) {
    const v = doc.extension;
    if (!isObject(v)) throw new OptionError('extension must be an object {CLUSTER: state}.');
    const entries = Object.entries(v).map(([cluster, state]) => {
      checkCluster('extension', cluster);
      if (typeof state !== 'string' || !(EXTENSION_SCENARIOS as readonly string[]).includes(state)) {
        throw new OptionError(`extension.${cluster} must be one of ${EXTENSION_SCENARIOS.join(', ')}.`);
      }
      return [cluster, state as ExtensionScenario] as const;
    });
    changes.push(() => entries.forEach(([c, s]) => world.setExtensionScenario(c, s)));
  }
  if ('arcOffline' in doc) {
    const list = names('arcOffline', doc.arcOffline);
    changes.push(() => list.forEach((n) => world.setOnline(world.clusterByName(n)!, false)));
  }
  if ('arcOnline' in doc) {
    const list = names('arcOnline', doc.arcOnline);
    changes.push(() => list.forEach((n) => world.setOnline(world.clusterByName(n)!, true)));
  }
  if ('providerUnregistered' in doc) {
    if (typeof doc.providerUnregistered !== 'boolean') throw new OptionError('providerUnregistered must be true or false.');
    const v = doc.providerUnregistered;
    changes.push(() => (world.providerState = v ? 'NotRegistered' : 'Registered'));
  }
  if ('watchHistory' in doc) {
    const n = count('watchHistory', doc.watchHistory);
    if (n < 1) throw new OptionError('watchHistory must be a whole number >= 1.');
    changes.push(() => world.setWatchHistory(n));
  }
  for (const change of changes) change();
}

export function faultState(world: World): Json {
  return {
    ...world.faults.snapshot(),
    providerRegistrationState: world.providerState,
    offlineClusters: world.clusters.filter((c) => !c.online).map((c) => c.def.name),
    watchHistory: world.kube.values().next().value?.historyLimit ?? world.options.watchHistory,
    extensions: Object.fromEntries(
      world.clusters.map((c) => {
        const ext = world.fluxExtension(c);
        return [c.def.name, ext ? { name: ext.name, provisioningState: ext.provisioningState, currentVersion: ext.currentVersion } : null];
      }),
    ),
  };
}

/** A cluster's Kubernetes API as its store holds it: resourceVersions, history, watches, namespaces. */
function kubeState(world: World, cluster: ClusterState): Json {
  const store = world.kubeStore(cluster);
  return {
    resourceVersion: String(store.resourceVersion),
    oldestWatchableResourceVersion: String(store.oldestResourceVersion),
    historyLength: store.historyLength,
    historyLimit: store.historyLimit,
    watches: store.watchCount,
    namespaces: [...store.namespaces.keys()].sort(),
  };
}

export function stateDump(target: ControlTarget): Json {
  const { world } = target;
  return {
    baseUrl: world.baseUrl,
    subscriptionId: world.subscriptionId,
    options: {
      operationDelayMs: world.options.operationDelayMs,
      reconcileDelayMs: world.options.reconcileDelayMs,
      retryAfterSeconds: world.options.retryAfterSeconds,
      pageSize: world.options.pageSize,
    },
    provider: providerView(world, KC_NAMESPACE),
    faults: faultState(world),
    clusters: world.clusters.map((c) => ({
      name: c.def.name,
      id: c.id,
      kind: c.def.kind,
      online: c.online,
      agentRunning: world.agentRunning(c),
      extensions: [...world.extensionsOf(c).values()].map((e) => extensionView(e, '2025-03-01')),
      fluxConfigurations: [...world.fluxConfigsOf(c).values()].map((r) => ({ ...fluxView(r), generation: r.generation, deliveredGeneration: r.deliveredGeneration })),
      // As the cluster's Kubernetes API serves them (with resourceVersion) once committed there.
      objects: world.agent
        .objects(c)
        .all()
        .map((o) => world.kubeStore(c).get(typeKeyOf(o.apiVersion, o.kind), o.namespace, o.name)?.object ?? toKubeObject(o)),
      kubernetes: kubeState(world, c),
    })),
    operations: world.operations.all().map((o) => ({ ...world.operations.view(o), action: o.action, resource: `${o.collection}/${o.resourceName}`, clusterId: world.clusterByKey(o.clusterKey)?.id })),
    pendingTimers: world.scheduler.pending,
    tokensIssued: target.tokens.issuedCount,
    requestsLogged: target.log.all().length,
  };
}

export function handleControl(target: ControlTarget, method: string, path: string, bodyText: string): ControlResult {
  const route = path.replace(/\/+$/, '');
  try {
    switch (`${method} ${route}`) {
      case 'GET /_emulator/requests':
        return { status: 200, body: target.log.all() };
      case 'DELETE /_emulator/requests':
        target.log.clear();
        target.kubeLog.clear();
        return { status: 204 };
      case 'GET /_emulator/kube-requests':
        return { status: 200, body: target.kubeLog.all() };
      case 'GET /_emulator/connections':
        return { status: 200, body: target.connections.snapshot() };
      case 'DELETE /_emulator/connections':
        target.connections.clear();
        return { status: 204 };
      case 'GET /_emulator/faults':
        return { status: 200, body: faultState(target.world) };
      case 'POST /_emulator/faults': {
        let doc: unknown;
        try {
          doc = bodyText.trim() === '' ? {} : JSON.parse(bodyText);
        } catch (err) {
          return bad(`the body is not JSON: ${(err as Error).message}`);
        }
        applyFaults(target.world, doc);
        return { status: 200, body: faultState(target.world) };
      }
      case 'POST /_emulator/reset':
        target.reset();
        return { status: 200, body: { reset: true } };
      case 'GET /_emulator/state':
        return { status: 200, body: stateDump(target) };
      default:
        return { status: 404, body: { error: { code: 'NotFound', message: `No control endpoint '${method} ${path}' (see --help).` } } };
    }
  } catch (err) {
    if (err instanceof OptionError) return bad(err.message);
    throw err;
  }
}
