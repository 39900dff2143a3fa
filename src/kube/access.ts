/**
 * Flux objects straight from the cluster, through @kubernetes/client-node (1.4, which runs on
 * Node 20): the kubeconfig and context the user names (or KUBECONFIG / ~/.kube/config), LIST
 * per kind and WATCH from the list's resourceVersion, re-listing on 410 Gone. Kinds whose CRD
 * is missing are skipped, as `flux get all` does. The client is imported only here, lazily.
 */
import type { Context } from '../core/context.js';
import { systemClock } from '../core/clock.js';
import { delimiter, dirname, join } from 'node:path';
import { homedir } from 'node:os';
import { echo, shellWord } from '../core/echo.js';
import { AuthError, CliError, TimeoutError, UsageError } from '../core/errors.js';
import { readFileFor } from '../model/input.js';

import { FLUX_KINDS, type FluxKind } from './kinds.js';

export { FLUX_KINDS };

/** A Flux object as the API returns it (only what status needs is typed). */
export interface KubeFluxObject {
  apiVersion?: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    generation?: number;
    resourceVersion?: string;
    deletionTimestamp?: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export interface KubeOptions {
  kubeconfig?: string;
  context?: string;
  /**
   * The Azure cluster the command names (-c): without --context, the kubeconfig context of that
   * name is used (the name `az aks get-credentials` gives it), never a guess at another.
   */
  clusterName?: string;
  /** The time limit of each request (default KUBE_REQUEST_LIMIT_MS). */
  requestLimitMs?: number;
}

/**
 * How long one request to the cluster may take, as one ARM request may: a cluster that stops
 * answering ends a command that has no deadline of its own too (exit 5), instead of holding it
 * for ever. Watches are long-lived by design and have their own ends (the command's deadline,
 * Ctrl-C); the lists and reads around them have this limit.
 */
export const KUBE_REQUEST_LIMIT_MS = 60_000;

/** Whether a request ended because its own time limit passed (AbortSignal.timeout's reason, maybe wrapped). */
function timedOut(err: unknown): boolean {
  for (let e = err as { name?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (e.name === 'TimeoutError') return true;
  }
  return false;
}

export interface Selector {
  namespace?: string;
  labelSelector?: string;
}

/** How often a watch looks again for a Flux kind whose CRD is missing. */
const CRD_RECHECK_MS = 5000;

const key = (o: KubeFluxObject): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

interface ApiError {
  code?: number;
  statusCode?: number;
  body?: unknown;
  message?: string;
}

function statusOf(err: unknown): number | undefined {
  const e = err as ApiError;
  return e?.code ?? e?.statusCode;
}

type KubeCluster = NonNullable<ReturnType<import('@kubernetes/client-node').KubeConfig['getCurrentCluster']>>;
type KubeUser = ReturnType<import('@kubernetes/client-node').KubeConfig['getCurrentUser']>;

/** Loads one kubeconfig's text into `kc`, with its relative paths taken from its own folder. */
function loadKubeconfig(kc: import('@kubernetes/client-node').KubeConfig, source: string, file: string, text: string): void {
  try {
    kc.loadFromString(text);
  } catch (err) {
    throw new UsageError(source, `cannot read the kubeconfig '${echo(file)}': ${(err as Error).message.split('\n')[0]}`);
  }
  kc.makePathsAbsolute(dirname(file));
}

/** Adds to `kc` what `later` has and `kc` lacks: kubectl's rule that the first file to set a value wins. */
function mergeFirstWins(kc: import('@kubernetes/client-node').KubeConfig, later: import('@kubernetes/client-node').KubeConfig): void {
  const has = (list: readonly { name: string }[], name: string): boolean => list.some((item) => item.name === name);
  for (const cluster of later.clusters) if (!has(kc.clusters, cluster.name)) kc.addCluster(cluster);
  for (const user of later.users) if (!has(kc.users, user.name)) kc.addUser(user);
  for (const context of later.contexts) if (!has(kc.contexts, context.name)) kc.addContext(context);
  if (!kc.currentContext) kc.currentContext = later.currentContext;
}

/** The kubeconfig files used without --kubeconfig: those KUBECONFIG lists, else ~/.kube/config. */
export function defaultKubeconfigs(env: NodeJS.ProcessEnv): { files: string[]; fromEnv: boolean } {
  if (env.KUBECONFIG) return { files: env.KUBECONFIG.split(delimiter).filter(Boolean), fromEnv: true };
  return { files: [join(env.HOME ?? homedir(), '.kube', 'config')], fromEnv: false };
}

/**
 * The kubeconfig kubectl would use without --kubeconfig: the files KUBECONFIG lists, merged as
 * kubectl merges them (the first file to set a value wins; a file that does not exist is skipped), else ~/.kube/config, else the in-cluster service account. Each file is read through
 * the bounded reader, so a KUBECONFIG naming a device, a FIFO or a huge file is refused at once.
 */
function loadDefaultKubeconfigs(ctx: Context, kc: import('@kubernetes/client-node').KubeConfig, lib: typeof import('@kubernetes/client-node')): void {
  const { files, fromEnv } = defaultKubeconfigs(ctx.env);
  const source = fromEnv ? 'KUBECONFIG' : '--kubeconfig';
  let loaded = false;
  for (const file of files) {
    let text: string;
    try {
      text = ctx.input.readFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new UsageError(source, `cannot read '${echo(file)}': ${(err as Error).message}.`, fromEnv ? 'Point KUBECONFIG at kubeconfig files, or give --kubeconfig PATH.' : 'Give --kubeconfig PATH.');
    }
    const part = loaded ? new lib.KubeConfig() : kc;
    loadKubeconfig(part, source, file, text);
    if (part !== kc) mergeFirstWins(kc, part);
    loaded = true;
  }
  if (!loaded && !fromEnv) kc.loadFromDefault();
}

/**
 * The cluster's API is reached as carefully as Azure's: a context that skips TLS verification
 * is used with a warning, and credentials (a bearer token, however it is obtained, a password
 * or a client key) are never sent to an `http://` server, where anyone on the way can read them.
 */
function checkTransport(ctx: Context, context: string, cluster: KubeCluster, user: KubeUser): void {
  const plain = /^http:/i.test(cluster.server);
  const credentials = user
    ? [
        (user.token || user.authProvider || user.exec) && 'a bearer token',
        (user as { tokenFile?: string }).tokenFile && 'a bearer token',
        (user.password || user.username) && 'a user name and password',
        (user.keyData || user.keyFile) && 'a client key',
      ].filter((c): c is string => Boolean(c))
    : [];
  if (plain && credentials.length > 0) {
    throw new UsageError(
      '--kubeconfig',
      `context '${echo(context)}' would send ${[...new Set(credentials)].join(' and ')} to ${echo(cluster.server)} over plain HTTP, where anyone on the way can read it; nothing was sent.`,
      'Use the https:// address of the API server.',
    );
  }
  if (cluster.skipTLSVerify) {
    ctx.log.warn(`context '${context}' skips TLS verification (insecure-skip-tls-verify): k8s-gitops cannot tell ${cluster.server} from an impostor, which would see the credentials it sends. Set certificate-authority instead.`);
  }
}

export class KubeAccess {
  private constructor(
    private readonly ctx: Context,
    readonly kc: import('@kubernetes/client-node').KubeConfig,
    private readonly api: import('@kubernetes/client-node').CustomObjectsApi,
    readonly lib: typeof import('@kubernetes/client-node'),
    readonly contextName: string,
    readonly server: string,
    private readonly requestLimitMs: number,
  ) {}

  static async connect(ctx: Context, options: KubeOptions): Promise<KubeAccess> {
    const lib = await import('@kubernetes/client-node');
    const kc = new lib.KubeConfig();
    // Every kubeconfig is read like every file the user names: a regular file, within bounds.
    if (options.kubeconfig !== undefined) loadKubeconfig(kc, '--kubeconfig', options.kubeconfig, readFileFor('--kubeconfig', options.kubeconfig, ctx.input));
    else loadDefaultKubeconfigs(ctx, kc, lib);
    if (options.context !== undefined) {
      if (!kc.getContextObject(options.context)) {
        throw new UsageError('--context', `'${echo(options.context)}' is not a context of the kubeconfig.`, `Contexts: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'}.`);
      }
      kc.setCurrentContext(options.context);
    } else if (options.clusterName !== undefined) {
      if (kc.getContextObject(options.clusterName)) kc.setCurrentContext(options.clusterName);
      else if (options.kubeconfig === undefined) {
        throw new UsageError(
          '--context',
          `the kubeconfig has no context named '${echo(options.clusterName)}' (the cluster of -c/--cluster-name).`,
          `Give --context NAME (contexts: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'}), or add the cluster's: az aks get-credentials -g RG -n ${shellWord(options.clusterName)} (AKS), az connectedk8s proxy -g RG -n ${shellWord(options.clusterName)} (Arc).`,
        );
      }
    }
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new UsageError('--context', 'the kubeconfig has no current cluster.', 'Give --context NAME, or --kubeconfig PATH.');
    checkTransport(ctx, kc.getCurrentContext(), cluster, kc.getCurrentUser());
    ctx.log.verbose(`Kubernetes API ${cluster.server} (context ${kc.getCurrentContext()})`);
    return new KubeAccess(ctx, kc, kc.makeApiClient(lib.CustomObjectsApi), lib, kc.getCurrentContext(), cluster.server, options.requestLimitMs ?? KUBE_REQUEST_LIMIT_MS);
  }

  /** A failed request as the error to report (401/403: not authorised; its time limit passed: 5; anything else: 1). */
  translate(err: unknown, what: string): CliError {
    if (timedOut(err)) {
      return new TimeoutError(
        `the Kubernetes API at ${this.server} (context ${this.contextName}) did not answer within ${Math.round(this.requestLimitMs / 1000)}s (${what}).`,
        'Check that the cluster is reachable from here (its API server, a VPN, az connectedk8s proxy), then try again.',
      );
    }
    const code = statusOf(err);
    if (code === 401 || code === 403) return new AuthError(`the Kubernetes API refused ${what} (${code}).`, 'Check the credentials of the kubeconfig context and its RBAC (list/watch on Flux resources).');
    const message = (err as Error)?.message?.split('\n')[0] ?? String(err);
    // fetch says only "fetch failed": why (ECONNREFUSED, a certificate error …) is in its cause.
    const cause = (err as { cause?: { code?: unknown; message?: unknown } })?.cause;
    const why = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message.split('\n')[0] : undefined;
    return new CliError(`reading ${what} from ${this.server} failed: ${message}${why && !message.includes(why) ? ` (${why})` : ''}`);
  }

  /**
   * Request options that end the request when `signal` aborts (a wait that ends must not leave a
   * LIST hanging) or when the request's own time limit passes, whichever comes first.
   */
  abortable(signal?: AbortSignal): import('@kubernetes/client-node').ConfigurationOptions {
    const limit = AbortSignal.timeout(this.requestLimitMs);
    const ends = signal ? AbortSignal.any([signal, limit]) : limit;
    const { Observable } = this.lib;
    return {
      middleware: [
        {
          pre: (request) => {
            request.setSignal(ends);
            return new Observable(Promise.resolve(request));
          },
          post: (response) => new Observable(Promise.resolve(response)),
        },
      ],
      middlewareMergeStrategy: 'append',
    };
  }

  private async listKind(k: FluxKind, sel: Selector, signal?: AbortSignal): Promise<{ items: KubeFluxObject[]; resourceVersion: string } | undefined> {
    try {
      const base = { group: k.group, version: k.version, plural: k.plural, ...(sel.labelSelector ? { labelSelector: sel.labelSelector } : {}) };
      const options = this.abortable(signal);
      const body = (sel.namespace ? await this.api.listNamespacedCustomObject({ ...base, namespace: sel.namespace }, options) : await this.api.listClusterCustomObject(base, options)) as {
        items?: KubeFluxObject[];
        metadata?: { resourceVersion?: string };
      };
      const items = (body.items ?? []).map((o) => ({ ...o, kind: o.kind ?? k.kind }));
      return { items, resourceVersion: body.metadata?.resourceVersion ?? '' };
    } catch (err) {
      if (statusOf(err) === 404) return undefined; // CRD not installed
      throw this.translate(err, `${k.plural}.${k.group}`);
    }
  }

  /** Every Flux object matching the selector; `signal` ends the requests still in flight. */
  async list(sel: Selector, signal?: AbortSignal): Promise<KubeFluxObject[]> {
    const lists = await Promise.all(FLUX_KINDS.map((k) => this.listKind(k, sel, signal)));
    return lists.flatMap((l) => l?.items ?? []);
  }

  /**
   * Lists, then watches every kind; calls `onChange` with the whole set after the first list
   * and after every event. Re-lists a kind when its watch expires (410 Gone). Runs until
   * `signal` aborts.
   */
  async watch(sel: Selector, onChange: (objects: KubeFluxObject[]) => void, signal: AbortSignal): Promise<void> {
    const cache = new Map<string, KubeFluxObject>();
    // Nothing is reported until every kind has been listed once: a partial first view could
    // look ready before the Kustomizations are even read.
    let pendingKinds = FLUX_KINDS.length;
    const emit = (): void => {
      if (pendingKinds === 0) onChange([...cache.values()]);
    };
    const listedOnce = (): void => {
      pendingKinds--;
      emit();
    };
    const watcher = new this.lib.Watch(this.kc);
    const runKind = async (k: FluxKind): Promise<void> => {
      const path = `/apis/${k.group}/${k.version}${sel.namespace ? `/namespaces/${sel.namespace}` : ''}/${k.plural}`;
      const relist = async (): Promise<string | undefined> => {
        const listed = await this.listKind(k, sel, signal);
        if (!listed) return undefined;
        for (const [id, o] of cache) if (o.kind === k.kind) cache.delete(id);
        for (const o of listed.items) cache.set(key(o), o);
        emit();
        return listed.resourceVersion;
      };
      let resourceVersion = await relist();
      listedOnce();
      // No such CRD yet (Flux not installed): look again now and then, so that a watch started
      // before the extension is installed still sees what it brings.
      while (resourceVersion === undefined) {
        await systemClock.sleep(CRD_RECHECK_MS, signal).catch(() => undefined);
        if (signal.aborted) return;
        resourceVersion = await relist();
      }
      while (!signal.aborted) {
        // One watch connection: it ends on a server timeout (resume from the last version
        // seen) or with 410 Gone (the version left the server's history: list again).
        const from: string = resourceVersion;
        const startedAt = Date.now();
        const expired = await new Promise<boolean>((resolve, reject) => {
          let gone = false;
          const started = watcher.watch(
            path,
            { allowWatchBookmarks: true, resourceVersion: from, ...(sel.labelSelector ? { labelSelector: sel.labelSelector } : {}) },
            (type: string, obj: KubeFluxObject & { code?: number }) => {
              if (type === 'ERROR') {
                gone = gone || obj.code === 410;
                return;
              }
              if (obj?.metadata?.resourceVersion) resourceVersion = obj.metadata.resourceVersion;
              if (type === 'BOOKMARK') return;
              const o = { ...obj, kind: obj.kind ?? k.kind };
              if (type === 'DELETED') cache.delete(key(o));
              else cache.set(key(o), o);
              emit();
            },
            (err: unknown) => {
              const code = statusOf(err);
              if (code === 401 || code === 403) reject(this.translate(err, `a watch of ${k.plural}`));
              else resolve(gone || code === 410);
            },
          );
          // The connection opens asynchronously: a stop that came first must still close it
          // (else the open socket keeps the process alive after the verdict).
          void started
            .then((controller) => (signal.aborted ? controller.abort() : signal.addEventListener('abort', () => controller.abort(), { once: true })))
            .catch((err: unknown) => resolve(statusOf(err) === 410));
        });
        if (signal.aborted) return;
        // A connection that ends at once (server down, proxy) is not retried in a tight loop.
        if (Date.now() - startedAt < 1000) await systemClock.sleep(1000, signal).catch(() => undefined);
        if (expired) {
          this.ctx.log.verbose(`${k.plural}: watch expired (410 Gone); listing again`);
          resourceVersion = (await relist()) ?? resourceVersion;
        }
      }
    };
    await Promise.all(FLUX_KINDS.map((k) => runKind(k)));
  }
}
