/**
 * Each emulated cluster's Kubernetes API, served on the emulator's TLS port under
 * `/k8s/<cluster>/` (the kubeconfig's server URL): discovery, /version, and get, list and
 * watch of namespaces, events (`v1` and `events.k8s.io/v1`) and the Flux kinds, with label and
 * field selectors, resourceVersion semantics, paging, bookmarks, and Table output for kubectl;
 * PATCH of Flux objects (patch.ts). Every other verb is 405. Every request needs the cluster's
 * bearer token (from the kubeconfig); otherwise 401.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClusterState } from '../arm/records.js';
import { readRequestBody, sha1Hex, type Json } from '../util.js';
import type { World } from '../world.js';
import { badRequest, expired, KubeError, notFound, tooLarge } from './errors.js';
import { fluxInstalled } from './model.js';
import { patchFluxObject } from './patch.js';
import { CORE_GROUPS, EVENT_TYPE, EVENTS_V1_TYPE, fluxGroups, fluxResourceTypes, NAMESPACE_TYPE, type ResourceType, storageVersionHash, typeKey } from './resources.js';
import type { RequestLog } from '../requestlog.js';
import { parseFieldSelector, parseLabelSelector, SelectorError } from './selectors.js';
import type { StoredObject, WatchSink } from './store.js';
import { table, type IncludeObject } from './table.js';

/** Path prefix of the cluster APIs on the emulator's port. */
export const KUBE_PREFIX = '/k8s';

/** The largest PATCH body accepted (the API server's limit is 3 MiB). */
const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** The API server's default watch length is 30 to 60 minutes. */
const MIN_WATCH_MS = 30 * 60 * 1000;
const BOOKMARK_INTERVAL_MS = 60 * 1000;

type Format = { kind: 'json' } | { kind: 'table'; apiVersion: string };

/** The first representation the Accept header allows: JSON, or a meta.k8s.io Table; undefined = none (406). */
export function negotiate(accept: string | undefined): Format | undefined {
  if (accept === undefined || accept.trim() === '') return { kind: 'json' };
  for (const part of accept.split(',')) {
    const [mediaType = '', ...rawParams] = part.split(';').map((s) => s.trim());
    const params: Record<string, string> = {};
    for (const p of rawParams) {
      const eq = p.indexOf('=');
      if (eq > 0) params[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
    }
    const type = mediaType.toLowerCase();
    if (type === '*/*' || type === 'application/*') return { kind: 'json' };
    if (type !== 'application/json') continue;
    if (params.as === undefined) return { kind: 'json' };
    if (params.as === 'Table' && params.g === 'meta.k8s.io' && (params.v === 'v1' || params.v === 'v1beta1')) {
      return { kind: 'table', apiVersion: `meta.k8s.io/${params.v}` };
    }
  }
  return undefined;
}

interface ResourceRoute {
  type: ResourceType;
  /** The namespace of a namespaced path, if any. */
  namespace?: string;
  name?: string;
  subresource?: string;
  /** The deprecated `/watch/` path form. */
  watchPath: boolean;
}

interface ContinueToken {
  rv: number;
  start: string;
}

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeContinue(text: string): ContinueToken {
  try {
    const token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as ContinueToken;
    if (Number.isInteger(token.rv) && typeof token.start === 'string') return token;
  } catch {
    // reported below
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

function parseResourceVersion(text: string): number {
  if (!/^\d+$/.test(text)) throw badRequest(`invalid resource version "${text}"`);
  return Number(text);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function tokenMatches(header: string | undefined, expected: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1]!);
  const want = Buffer.from(expected);
  return given.length === want.length && timingSafeEqual(given, want);
}

function send(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(text)), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

const pathKey = (o: StoredObject): string => `${o.namespace}/${o.name}`;

/** The object as served at `type`'s version (every kind is stored at one version; other versions relabel it, or give their view of it). */
function atVersion(type: ResourceType, obj: Json): Json {
  if (type.view) return type.view(obj);
  return obj.apiVersion === type.apiVersion ? obj : { ...obj, apiVersion: type.apiVersion };
}


/** Every API group, with its types: the core ones always, the Flux ones while Flux is installed. */
function servedGroups(flux: boolean): { name: string; versions: string[] }[] {
  return [...CORE_GROUPS, ...(flux ? fluxGroups() : [])];
}

function groupTypes(): ResourceType[] {
  return [EVENTS_V1_TYPE, ...fluxResourceTypes()];
}

export class KubeApi {
  constructor(
    /** The current world (a reset replaces it). */
    private readonly worldOf: () => World,
    /** Bearer token per cluster name. */
    private readonly tokens: ReadonlyMap<string, string>,
    /** Request log on stderr (absent with --quiet). */
    private readonly logLine?: (line: string) => void,
    /** Every request, for tests to assert on what a client read and wrote. */
    private readonly log?: RequestLog,
  ) {}

  static handles(path: string): boolean {
    return path === KUBE_PREFIX || path.startsWith(`${KUBE_PREFIX}/`);
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    // Only a PATCH has a body worth reading; any other must be drained.
    const body = method === 'PATCH' ? readRequestBody(req, MAX_BODY_BYTES, () => new KubeError(413, 'RequestEntityTooLarge', 'the request body is too large')) : undefined;
    if (!body) req.resume();
    let bodyText = '';
    const world = this.worldOf();
    const rest = url.pathname.slice(KUBE_PREFIX.length).split('/').filter((s) => s !== '');
    const clusterName = decodeSegment(rest[0] ?? '');
    const cluster = world.clusterByName(clusterName);
    let status = 200;
    try {
      if (!cluster || !this.tokens.has(clusterName)) {
        throw notFound(`no emulated cluster '${clusterName}' (clusters: ${[...this.tokens.keys()].join(', ')}); the server URL is ${KUBE_PREFIX}/<cluster>`);
      }
      if (!tokenMatches(req.headers.authorization, this.tokens.get(clusterName)!)) throw new KubeError(401, 'Unauthorized', 'Unauthorized');
      if (method !== 'GET' && method !== 'PATCH') {
        throw new KubeError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource (the emulated cluster serves GET, and PATCH of Flux objects)');
      }
      const parts = rest.slice(1).map(decodeSegment);
      if (body) bodyText = await body;
      status = this.route(world, cluster, parts, url.searchParams, req, res, body && bodyText);
    } catch (err) {
      body?.catch(() => undefined);
      if (err instanceof SelectorError) status = this.fail(res, badRequest(err.message));
      else if (err instanceof KubeError) status = this.fail(res, err);
      else throw err;
    }
    if (this.log) this.log.add(method, url, req.headers, bodyText).status = status;
    this.logLine?.(`emulator: k8s ${clusterName} ${method} ${url.pathname.slice(KUBE_PREFIX.length + 1 + clusterName.length) || '/'}${url.search} -> ${status}`);
  }

  private fail(res: ServerResponse, err: KubeError): number {
    send(res, err.code, err.body());
    return err.code;
  }

  /** Serves one request (`body` for a PATCH); returns the HTTP status (for the log). */
  private route(world: World, cluster: ClusterState, parts: string[], query: URLSearchParams, req: IncomingMessage, res: ServerResponse, body?: string): number {
    const flux = fluxInstalled(world, cluster);
    const [head, ...tail] = parts;
    if (body !== undefined && head !== 'api' && head !== 'apis') throw new KubeError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    if (head === undefined) return this.ok(res, { paths: this.rootPaths(flux) });
    switch (head) {
      case 'version':
        if (tail.length > 0) break;
        return this.ok(res, versionInfo(cluster));
      case 'healthz':
      case 'livez':
      case 'readyz':
        send(res, 200, 'ok', 'text/plain; charset=utf-8');
        return 200;
      case 'openapi':
        // No OpenAPI documents: kubectl get does not need them; v3 answers an empty index.
        if (tail.length === 1 && tail[0] === 'v3') return this.ok(res, { paths: {} });
        break;
      case 'api':
        if (tail.length === 0) return this.ok(res, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: hostOf(req) }] });
        if (tail[0] !== 'v1') break;
        if (tail.length === 1) return this.ok(res, resourceList('v1', [NAMESPACE_TYPE, EVENT_TYPE]));
        return this.serveResource(world, cluster, this.coreRoute(tail.slice(1)), query, req, res, body);
      case 'apis': {
        const groups = servedGroups(flux);
        if (tail.length === 0) return this.ok(res, { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(groupView) });
        const group = groups.find((g) => g.name === tail[0]);
        if (!group) break;
        if (tail.length === 1) return this.ok(res, { kind: 'APIGroup', apiVersion: 'v1', ...groupView(group) });
        const version = tail[1]!;
        if (!group.versions.includes(version)) break;
        const types = groupTypes().filter((t) => t.group === group.name && t.version === version);
        if (tail.length === 2) return this.ok(res, resourceList(`${group.name}/${version}`, types));
        return this.serveResource(world, cluster, this.groupRoute(types, tail.slice(2)), query, req, res, body);
      }
    }
    throw notFound();
  }

  private ok(res: ServerResponse, body: unknown): number {
    send(res, 200, body);
    return 200;
  }

  private rootPaths(flux: boolean): string[] {
    const paths = ['/api', '/api/v1', '/apis', '/healthz', '/livez', '/openapi/v3', '/readyz', '/version'];
    for (const g of servedGroups(flux)) paths.push(`/apis/${g.name}`, ...g.versions.map((v) => `/apis/${g.name}/${v}`));
    return paths.sort();
  }

  /** `/api/v1/…`: namespaces and events. */
  private coreRoute(parts: string[]): ResourceRoute {
    const watchPath = parts[0] === 'watch';
    const p = watchPath ? parts.slice(1) : parts;
    if (p[0] === 'events' || (p[0] === 'namespaces' && p.length >= 3 && p[2] !== 'status')) return this.groupRoute([EVENT_TYPE], parts);
    if (p[0] !== 'namespaces' || p.length > 3 || (p.length === 3 && p[2] !== 'status')) throw notFound();
    return { type: NAMESPACE_TYPE, name: p[1], subresource: p[2], watchPath };
  }

  /** `/apis/<group>/<version>/…`: `[namespaces/NS/]PLURAL[/NAME[/status]]`. */
  private groupRoute(types: ResourceType[], parts: string[]): ResourceRoute {
    const watchPath = parts[0] === 'watch';
    let p = watchPath ? parts.slice(1) : parts;
    let namespace: string | undefined;
    if (p[0] === 'namespaces' && p.length >= 3) {
      namespace = p[1];
      p = p.slice(2);
    }
    const type = types.find((t) => t.plural === p[0]);
    if (!type || p.length > 3 || (p.length === 3 && p[2] !== 'status')) throw notFound();
    if (!type.namespaced && namespace !== undefined) throw notFound();
    if (type.namespaced && namespace === undefined && p.length > 1) throw notFound();
    return { type, namespace, name: p[1], subresource: p[2], watchPath };
  }

  private serveResource(world: World, cluster: ClusterState, route: ResourceRoute, query: URLSearchParams, req: IncomingMessage, res: ServerResponse, body?: string): number {
    if (body !== undefined) return this.patch(world, cluster, route, query, req, res, body);
    const format = negotiate(req.headers.accept);
    if (!format) {
      throw new KubeError(406, 'NotAcceptable', 'only the following media types are accepted: application/json, application/json;as=Table;v=v1;g=meta.k8s.io');
    }
    const store = world.kubeStore(cluster);
    const { type } = route;
    const watch = route.watchPath || query.get('watch') === 'true' || query.get('watch') === '1';
    const known = ['metadata.name', 'metadata.namespace', ...Object.keys(type.extraFields)];
    const labels = parseLabelSelector(query.get('labelSelector'));
    const fields = parseFieldSelector(query.get('fieldSelector'), known);
    const selects = (obj: Json): boolean => {
      const m = (obj.metadata ?? {}) as Json;
      if (route.namespace !== undefined && m.namespace !== route.namespace) return false;
      if (route.name !== undefined && m.name !== route.name) return false;
      if (!labels(m.labels as Record<string, string> | undefined)) return false;
      const values: Record<string, string> = { 'metadata.name': String(m.name ?? ''), 'metadata.namespace': String(m.namespace ?? '') };
      for (const [field, get] of Object.entries(type.extraFields)) values[field] = get(obj);
      return fields(values);
    };
    const include = (query.get('includeObject') ?? 'Metadata') as IncludeObject;
    if (!['None', 'Metadata', 'Object'].includes(include)) throw badRequest(`includeObject: unsupported value "${include}"`);

    if (watch) return this.watch(store, route, format, include, selects, query, res);

    if (route.name !== undefined) {
      const found = store.get(typeKey(type), route.namespace ?? '', route.name);
      if (!found) {
        const what = type.group === '' ? type.plural : `${type.plural}.${type.group}`;
        throw notFound(`${what} "${route.name}" not found`, { name: route.name, ...(type.group ? { group: type.group } : {}), kind: type.plural });
      }
      const obj = atVersion(type, found.object);
      return this.ok(res, format.kind === 'table' ? table(type, [obj], { resourceVersion: String(found.rv) }, include, format.apiVersion) : obj);
    }
    if (route.subresource !== undefined) throw notFound();

    // LIST.
    const rvParam = query.get('resourceVersion') ?? '';
    const match = query.get('resourceVersionMatch') ?? '';
    if (match !== '' && match !== 'Exact' && match !== 'NotOlderThan') throw badRequest(`resourceVersionMatch: unsupported value "${match}"`);
    if (match !== '' && rvParam === '') throw badRequest('resourceVersionMatch is forbidden unless resourceVersion is provided');
    const continueParam = query.get('continue') ?? '';
    let rv = store.resourceVersion;
    let items: StoredObject[];
    let start = '';
    if (continueParam !== '') {
      const token = decodeContinue(continueParam);
      if (token.rv < store.oldestResourceVersion) {
        throw expired('The provided continue parameter is too old to display a consistent list result. Start a new list without the continue parameter.');
      }
      rv = token.rv;
      start = token.start;
      items = store.listAt(typeKey(type), rv);
    } else if (match === 'Exact') {
      rv = parseResourceVersion(rvParam);
      items = store.listAt(typeKey(type), rv);
    } else {
      if (rvParam !== '' && rvParam !== '0') {
        const wanted = parseResourceVersion(rvParam);
        if (wanted > store.resourceVersion) throw tooLarge(wanted, store.resourceVersion);
      }
      items = store.list(typeKey(type));
    }
    let selected = items.filter((o) => selects(o.object) && (start === '' || pathKey(o) > start));
    const listMeta: Json = { resourceVersion: String(rv) };
    const limitParam = query.get('limit') ?? '';
    const limit = /^\d+$/.test(limitParam) ? Number(limitParam) : 0;
    if (limit > 0 && selected.length > limit) {
      const last = selected[limit - 1]!;
      listMeta.continue = encodeContinue({ rv, start: pathKey(last) });
      listMeta.remainingItemCount = selected.length - limit;
      selected = selected.slice(0, limit);
    }
    const objects = selected.map((o) => atVersion(type, o.object));
    if (format.kind === 'table') return this.ok(res, table(type, objects, listMeta, include, format.apiVersion));
    return this.ok(res, { apiVersion: type.apiVersion, kind: type.listKind, metadata: listMeta, items: objects });
  }

  /** PATCH of one Flux object (see patch.ts); answers the object as stored afterwards. */
  private patch(world: World, cluster: ClusterState, route: ResourceRoute, query: URLSearchParams, req: IncomingMessage, res: ServerResponse, body: string): number {
    const { type } = route;
    if (!type.verbs.includes('patch') || route.name === undefined || route.subresource !== undefined || route.watchPath || query.get('watch') !== null) {
      throw new KubeError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource (the emulated cluster accepts PATCH of Flux objects only)');
    }
    const store = world.kubeStore(cluster);
    const found = store.get(typeKey(type), route.namespace ?? '', route.name);
    const obj = world.agent.objects(cluster).get(type.kind, route.namespace ?? '', route.name);
    if (!found || !obj) {
      throw notFound(`${type.plural}.${type.group} "${route.name}" not found`, { name: route.name, group: type.group, kind: type.plural });
    }
    const dryRun = query.getAll('dryRun').includes('All');
    const outcome = patchFluxObject(type, atVersion(type, found.object), obj, req.headers['content-type'], body, dryRun);
    if (dryRun) return this.ok(res, outcome.result);
    world.agent.objectEdited(cluster, obj, { spec: outcome.spec, ...(outcome.requestedAt !== undefined ? { requestedAt: outcome.requestedAt } : {}) });
    return this.ok(res, atVersion(type, store.get(typeKey(type), route.namespace ?? '', route.name)!.object));
  }

  private watch(
    store: ReturnType<World['kubeStore']>,
    route: ResourceRoute,
    format: Format,
    include: IncludeObject,
    selects: (obj: Json) => boolean,
    query: URLSearchParams,
    res: ServerResponse,
  ): number {
    const { type } = route;
    if (route.subresource !== undefined) throw notFound();
    const rvParam = query.get('resourceVersion') ?? '';
    const sendInitial = query.get('sendInitialEvents') === 'true' || rvParam === '' || rvParam === '0';
    const bookmarks = query.get('allowWatchBookmarks') === 'true' || query.get('allowWatchBookmarks') === '1';
    const timeoutParam = query.get('timeoutSeconds');
    if (timeoutParam !== null && !/^\d+$/.test(timeoutParam)) throw badRequest(`timeoutSeconds: invalid value "${timeoutParam}"`);
    let from = store.resourceVersion;
    if (!sendInitial) {
      from = parseResourceVersion(rvParam);
      if (from < store.oldestResourceVersion) throw expired(`too old resource version: ${from} (${store.oldestResourceVersion + 1})`);
    }

    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    let ended = false;
    const timers: NodeJS.Timeout[] = [];
    let firstTable = true;
    const sink: WatchSink = {
      typeKey: typeKey(type),
      selects,
      emit(kind, object) {
        if (ended) return true;
        let out = object;
        if (kind === 'ERROR' || kind === 'BOOKMARK') {
          // Status and bookmark objects go out as they are, whatever the format.
        } else if (format.kind === 'table') {
          out = table(type, [atVersion(type, object)], { resourceVersion: String(((object.metadata ?? {}) as Json).resourceVersion ?? '') }, include, format.apiVersion, firstTable);
          firstTable = false;
        } else out = atVersion(type, object);
        return res.write(`${JSON.stringify({ type: kind, object: out })}\n`);
      },
      close() {
        if (ended) return;
        ended = true;
        for (const t of timers) clearTimeout(t);
        res.end();
      },
    };
    const bookmark = (rv: number, initialEnd = false): void => {
      const metadata: Json = { resourceVersion: String(rv) };
      if (initialEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
      sink.emit('BOOKMARK', { kind: type.kind, apiVersion: type.apiVersion, metadata });
    };
    if (sendInitial) {
      for (const o of store.list(typeKey(type))) if (selects(o.object)) sink.emit('ADDED', o.object);
      if (bookmarks && query.get('sendInitialEvents') === 'true') bookmark(from, true);
    }
    const watcher = store.watch(sink, from);
    res.on('drain', () => watcher.resume());
    res.on('close', () => watcher.stop());
    const timeoutMs = timeoutParam !== null ? Number(timeoutParam) * 1000 : MIN_WATCH_MS * (1 + Math.random());
    timers.push(
      setTimeout(() => {
        watcher.flush();
        if (bookmarks && !watcher.closed) bookmark(watcher.cursor);
        watcher.stop();
      }, timeoutMs),
    );
    if (bookmarks) {
      const tick = (): void => {
        watcher.flush();
        if (watcher.closed) return;
        bookmark(watcher.cursor);
        timers.push(setTimeout(tick, BOOKMARK_INTERVAL_MS));
      };
      timers.push(setTimeout(tick, BOOKMARK_INTERVAL_MS));
    }
    return 200;
  }
}

function hostOf(req: IncomingMessage): string {
  return req.headers.host ?? `127.0.0.1:${req.socket.localPort ?? 0}`;
}

function groupView(g: { name: string; versions: string[] }): Json {
  const versions = g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v }));
  return { name: g.name, versions, preferredVersion: versions[0] };
}

function resourceList(groupVersion: string, types: ResourceType[]): Json {
  const resources: Json[] = [];
  for (const t of types) {
    const main: Json = { name: t.plural, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs: t.verbs };
    if (t.shortNames.length > 0) main.shortNames = t.shortNames;
    if (t.categories.length > 0) main.categories = t.categories;
    main.storageVersionHash = storageVersionHash(t);
    resources.push(main, { name: `${t.plural}/status`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get'] });
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources };
}

function versionInfo(cluster: ClusterState): Json {
  const [major = '1', minor = '0'] = cluster.def.kubernetesVersion.split('.');
  return {
    major,
    minor,
    gitVersion: `v${cluster.def.kubernetesVersion}`,
    gitCommit: sha1Hex(`kubernetes v${cluster.def.kubernetesVersion}`),
    gitTreeState: 'clean',
    buildDate: '2025-01-15T00:00:00Z',
    goVersion: 'go1.23.4',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}
