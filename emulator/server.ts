/**
 * The HTTPS server: one port for the token endpoint, the control endpoints, ARM and the
 * emulated clusters' Kubernetes APIs (under /k8s/<cluster>/). Every ARM request is logged,
 * authenticated, subjected to the injected faults, then routed; every ARM response carries
 * ARM's request-id and rate-limit headers. Kubernetes requests are neither logged as ARM
 * requests nor subject to ARM's faults: they have a log of their own (kubeLog).
 */
import { dirname, join } from 'node:path';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { settleWaiting } from './arm/flux.js';
import { ArmError } from './arm/errors.js';
import { routeArm } from './arm/router.js';
import type { ArmResult } from './arm/context.js';
import { TokenService } from './auth.js';
import type { Certificate } from './cert.js';
import { ConnectionLog } from './connections.js';
import { DEFAULT_CLUSTERS } from './clusters.js';
import { IDENTITY_PATH, LOCATION, SUBSCRIPTION_ID } from './constants.js';
import { handleControl, type ControlTarget } from './control.js';
import { handleGraphQuery, isGraphPath } from './graph/endpoint.js';
import { KubeApi } from './kube/api.js';
import { clusterTokens, KUBECONFIG_FILE, writeKubeconfig } from './kube/kubeconfig.js';
import type { EmulatorOptions } from './options.js';
import { RequestLog, type LoggedRequest } from './requestlog.js';
import { requestKind, subscriptionOf, throttled } from './throttling.js';
import { readRequestBody, uuid } from './util.js';
import { World } from './world.js';

const MAX_BODY_BYTES = 8 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return readRequestBody(req, MAX_BODY_BYTES, () => new ArmError(413, 'RequestEntityTooLarge', `The request body is larger than ${MAX_BODY_BYTES} bytes.`));
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  const all: Record<string, string> = { ...headers };
  if (text !== '') all['Content-Type'] = 'application/json; charset=utf-8';
  all['Content-Length'] = String(Buffer.byteLength(text));
  res.writeHead(status, all);
  res.end(text);
}

export class Emulator implements ControlTarget {
  world!: World;
  tokens!: TokenService;
  readonly log = new RequestLog();
  /** Every request to the clusters' Kubernetes APIs. */
  readonly kubeLog = new RequestLog();
  readonly connections = new ConnectionLog();
  /** Bearer token of each cluster's Kubernetes API (in the kubeconfig). */
  readonly kubeTokens = clusterTokens(DEFAULT_CLUSTERS.map((c) => c.name));
  private readonly kube: KubeApi;
  private server?: Server;
  /** Requests held without an answer (the hang faults); a reset lets them go. */
  private readonly held = new Set<ServerResponse>();
  baseUrl = '';
  /** The kubeconfig written at start-up, beside the certificate. */
  readonly kubeconfigPath: string;

  constructor(
    readonly options: EmulatorOptions,
    private readonly certificate: Certificate,
    private readonly logLine: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {
    this.kubeconfigPath = join(dirname(certificate.certPath), KUBECONFIG_FILE);
    this.kube = new KubeApi(() => this.world, this.kubeTokens, options.quiet ? undefined : (line) => this.logLine(line), this.kubeLog);
  }

  get port(): number {
    return Number(new URL(this.baseUrl).port);
  }

  async start(): Promise<void> {
    const server = createServer({ key: this.certificate.key, cert: this.certificate.cert }, (req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.logLine(`emulator: internal error: ${(err as Error).stack ?? String(err)}`);
        if (!res.headersSent) send(res, 500, { error: { code: 'InternalServerError', message: 'The emulator failed to handle the request.' } });
        else res.end();
      });
    });
    server.on('secureConnection', (socket) => this.connections.accepted(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.tokens = new TokenService(this.baseUrl);
    this.world = this.newWorld();
    writeKubeconfig(this.kubeconfigPath, this.baseUrl, this.certificate.certPath, this.kubeTokens);
  }

  private newWorld(previous?: World): World {
    const world = new World(this.options, this.baseUrl, previous);
    world.agent.onReport = (record) => settleWaiting(world, record);
    return world;
  }

  /** Back to the start-up world; issued tokens stay valid. */
  reset(): void {
    const previous = this.world;
    previous.shutdown();
    for (const res of this.held) res.destroy();
    this.held.clear();
    this.world = this.newWorld(previous);
    this.log.clear();
    this.kubeLog.clear();
    this.connections.clear();
  }

  /** The lines printed at start-up (and written to --env-file). */
  exports(): [string, string][] {
    return [
      ['AZURE_RESOURCE_MANAGER_ENDPOINT', this.baseUrl],
      ['AZURE_SUBSCRIPTION_ID', SUBSCRIPTION_ID],
      ['NODE_EXTRA_CA_CERTS', this.certificate.certPath],
      ['IDENTITY_ENDPOINT', `${this.baseUrl}${IDENTITY_PATH}`],
      ['IDENTITY_HEADER', this.tokens.identityHeader],
      ['KUBECONFIG', this.kubeconfigPath],
    ];
  }

  async stop(): Promise<void> {
    this.world?.shutdown();
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', this.baseUrl);
    const path = url.pathname;
    const control = path === '/_emulator' || path.startsWith('/_emulator/');
    const kube = !control && KubeApi.handles(path);
    const token = !control && !kube && (path.toLowerCase() === IDENTITY_PATH || path.toLowerCase() === `${IDENTITY_PATH}/`);
    this.connections.used(req.socket, control ? 'control' : kube ? 'kubernetes' : token ? 'token' : 'arm');
    if (!control && this.options.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs));

    if (kube) {
      if (this.world.faults.hangKubernetes.take(method, path)) {
        this.hold(res);
        if (!this.options.quiet) this.logLine(`emulator: ${method} ${path}${url.search} held, never answered (hang fault)`);
        return;
      }
      await this.kube.handle(req, res, url);
      return;
    }

    if (control) {
      const bodyText = await readBody(req);
      const result = handleControl(this, method, path, bodyText);
      send(res, result.status, result.body);
      return;
    }

    if (token) {
      await readBody(req);
      const result = this.tokens.handleTokenRequest(method, url.searchParams, req.headers);
      if (!this.options.quiet) this.logLine(`emulator: ${method} ${path} (token for ${url.searchParams.get('resource') ?? '?'}) -> ${result.status}`);
      send(res, result.status, result.body);
      return;
    }

    const started = Date.now();
    const world = this.world;
    let bodyText = '';
    let result: ArmResult | undefined;
    try {
      bodyText = await readBody(req);
    } catch (err) {
      if (!(err instanceof ArmError)) throw err;
      result = { status: err.status, body: err.body() };
    }
    const entry = this.log.add(method, url, req.headers, bodyText);
    if (!result && world.faults.hang.take(method, path)) {
      entry.fault = 'hang';
      this.hold(res);
      if (!this.options.quiet) this.logLine(`emulator: ${method} ${path}${url.search} held, never answered (hang fault)`);
      return;
    }
    if (!result) {
      try {
        result = this.dispatch(world, method, url, bodyText, req, entry);
      } catch (err) {
        if (!(err instanceof ArmError)) throw err;
        result = { status: err.status, body: err.body(), headers: err.headers };
      }
    }

    const write = !['GET', 'HEAD'].includes(method);
    const limits = world.rateLimit;
    if (write) limits.writes = Math.max(0, limits.writes - 1);
    else limits.reads = Math.max(0, limits.reads - 1);
    const clientRequestId = header(req, 'x-ms-client-request-id');
    const headers: Record<string, string> = {
      'x-ms-request-id': uuid(),
      'x-ms-correlation-request-id': header(req, 'x-ms-correlation-request-id') ?? uuid(),
      'x-ms-routing-request-id': `${LOCATION.toUpperCase()}:${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}Z:${uuid()}`,
      'x-ms-ratelimit-remaining-subscription-reads': String(entry.fault === 'throttle' && !write ? 0 : limits.reads),
      'x-ms-ratelimit-remaining-subscription-writes': String(entry.fault === 'throttle' && write ? 0 : limits.writes),
      'Cache-Control': 'no-cache',
      ...this.throttleHeaders(world, path),
      ...(clientRequestId ? { 'x-ms-client-request-id': clientRequestId } : {}),
      ...result.headers,
    };
    entry.status = result.status;
    entry.durationMs = Date.now() - started;
    send(res, result.status, result.body, headers);
    if (!this.options.quiet) this.logLine(`emulator: ${method} ${path}${url.search} -> ${result.status}${entry.fault ? ` (${entry.fault} fault)` : ''}`);
  }

  /** Keeps a request open without ever answering it, until the client goes away or a reset. */
  private hold(res: ServerResponse): void {
    this.held.add(res);
    res.on('close', () => this.held.delete(res));
  }

  private dispatch(world: World, method: string, url: URL, bodyText: string, req: IncomingMessage, entry: LoggedRequest): ArmResult {
    this.tokens.authenticate(req.headers);
    if (world.faults.takeThrottle(method, url.pathname)) {
      entry.fault = 'throttle';
      const kind = ['GET', 'HEAD'].includes(method) ? 'read' : 'write';
      throw throttled(kind, world.subscriptionId, world.faults.throttleRetryAfter);
    }
    const status = world.faults.takeRespond(method, url.pathname);
    if (status !== undefined) {
      entry.fault = 'respond';
      // A redirect points away from this endpoint: a client that followed it would show up in
      // the request log under /redirected/.
      return { status, body: undefined, headers: status >= 300 && status < 400 ? { Location: `${this.baseUrl}/redirected${url.pathname}${url.search}` } : {} };
    }
    if (world.faults.takeServerError()) {
      entry.fault = 'serverError';
      throw new ArmError(
        500,
        'InternalServerError',
        `Encountered an internal server error. Diagnostic information: timestamp '${new Date().toISOString()}', subscription id '${world.subscriptionId}', tracking id '${uuid()}', request correlation id '${header(req, 'x-ms-correlation-request-id') ?? uuid()}'.`,
      );
    }
    if (isGraphPath(url.pathname)) return handleGraphQuery(world, world.graphQuota, method, url, bodyText, req.headers);
    const subscription = subscriptionOf(url.pathname);
    if (this.options.armThrottling && subscription !== undefined && world.findSubscription(subscription)) world.throttle.take(subscription, requestKind(method));
    const result = routeArm(world, method, url, bodyText);
    if (method !== 'GET' && method !== 'HEAD') world.graph.touchPath(url.pathname);
    return result;
  }

  /** With --arm-throttling: what is left in the subscription's buckets. */
  private throttleHeaders(world: World, path: string): Record<string, string> {
    const subscription = subscriptionOf(path);
    return this.options.armThrottling && subscription !== undefined && world.findSubscription(subscription) ? world.throttle.headers(subscription) : {};
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
