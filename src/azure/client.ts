/**
 * ARM access through the real Azure SDK: the SourceControlConfigurationClient of
 * @azure/arm-kubernetesconfiguration supplies the pipeline (bearer token from @azure/identity,
 * user agent, request ids, and Node's HTTPS agent with keep-alive, so one connection carries
 * request after request). Requests are sent through that pipeline with JSON bodies built by
 * src/model, because the SDK's own models stop at API version 2023-05-01 and would drop newer
 * properties (OCI sources, git provider). Both SDKs are imported here, lazily, and nowhere on
 * the help or dry-run paths.
 *
 * What the SDK's defaults would get wrong is done here instead:
 *   - retries (429, 5xx, a dropped connection) wait as Retry-After says, but never past the
 *     request's deadline, and every attempt has a time limit and an abort signal, so no request
 *     outlives the wait it belongs to, even when the service hangs;
 *   - redirects are not followed (the SDK would send the bearer token wherever a 3xx points):
 *     a 307, or any status ARM does not use for success, is an error;
 *   - at most MAX_CONCURRENT requests are in flight, over kept-alive connections;
 *   - a 409 MissingSubscriptionRegistration goes to a handler (register, or explain) once, and
 *     the request is sent again;
 *   - --debug logs every exchange and, at exit, how many requests were made and how long the
 *     command waited on the network.
 */
import type { Context } from '../core/context.js';
import { AuthError, CliError, InterruptedError, NotFoundError, TimeoutError } from '../core/errors.js';
import { stopSignalOf } from '../core/interrupt.js';
import { redactor } from '../core/redact.js';
import { retryAfterFrom } from '../core/retry-after.js';
import { VERSION } from '../core/version.js';
import { resolveSubscription } from './subscription.js';
import { resolveEndpoint, type ArmEndpoint } from './cloud.js';
import { noCredentialError } from './credential.js';
import { describeArmError, type ArmErrorDetail } from './errors.js';
import type { TokenCredential } from '@azure/core-auth';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';

export interface ArmResponse<T = unknown> {
  status: number;
  /** Response headers, lower-case names (Retry-After, x-ms-ratelimit-remaining-*, Azure-AsyncOperation …). */
  headers: Record<string, string>;
  body: T;
}

export type ArmMethod = 'GET' | 'PUT' | 'PATCH' | 'DELETE' | 'POST';

export interface RequestOptions {
  apiVersion?: string;
  body?: unknown;
  query?: Record<string, string>;
  /** Return 404 instead of throwing NotFoundError (only for the resource itself, not a missing resource group). */
  allowNotFound?: boolean;
  /** What a 404 means to the user, e.g. "Flux configuration 'x' on cluster 'y'". */
  notFound?: string;
  /** Ends the request (Ctrl-C, SIGTERM): it rejects with InterruptedError. */
  signal?: AbortSignal;
  /**
   * Clock time (ms since the epoch) by which the request, retries included, must be over: past
   * it the request is abandoned with a DeadlineError. Default: the client's deadline, if set.
   */
  deadline?: number;
}

export interface AzureFlags {
  subscription?: string;
  cloud?: string;
  resourceManagerEndpoint?: string;
}

/**
 * The deadline passed before Azure answered (or while Retry-After asked to wait). Waits turn
 * it into their own timeout with the last state they saw; elsewhere it is the command's.
 */
export class DeadlineError extends TimeoutError {
  constructor(
    readonly method: ArmMethod,
    readonly path: string,
    /** Why there was no answer, e.g. "Azure asked to wait 3600s (Retry-After)". */
    readonly why: string,
    /** What set the deadline, e.g. "--wait-timeout 3s". */
    budget: string | undefined,
    /** Whether a write of this command may have reached Azure. */
    writeSent: boolean,
  ) {
    super(
      `timed out${budget ? ` (${budget})` : ''}: no answer from Azure to ${method} ${path}: ${why}.`,
      writeSent ? 'Azure may have accepted the change and may still carry it out: look at the resource before sending it again.' : 'Nothing was changed.',
    );
  }
}

/** Every request ends within this long, deadline or not (ARM itself gives up on a provider after 60 s). */
export const REQUEST_TIME_LIMIT_MS = 60_000;
/** Requests in flight at once; the rest queue. Each needs a connection of its own. */
export const MAX_CONCURRENT = 8;
/** Attempts after the first, for an answer or a failure that is retried. */
export const MAX_RETRIES = 4;
const RETRY_BASE_MS = 1000;
const RETRY_MAX_BACKOFF_MS = 30_000;
/** Without a deadline, a Retry-After longer than this is reported rather than waited out. */
const MAX_UNBOUNDED_RETRY_AFTER_MS = 60_000;

/** What ARM answers a successful request with, per method; anything else is an error. */
const SUCCESS: Record<ArmMethod, ReadonlySet<number>> = {
  GET: new Set([200]),
  PUT: new Set([200, 201, 202]),
  PATCH: new Set([200, 202]),
  DELETE: new Set([200, 202, 204]),
  POST: new Set([200, 202, 204]),
};
/** Answers and connection failures that are tried again (Resource Graph's client retries the same ones). */
export const RETRIED_STATUS: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);
export const RETRIED_ERRORS: ReadonlySet<string> = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNABORTED']);

/** The wait before attempt `attempt + 1` when Azure gives no Retry-After: exponential, jittered, capped. */
export function backoffMs(attempt: number): number {
  return Math.min(RETRY_BASE_MS * 2 ** attempt, RETRY_MAX_BACKOFF_MS) * (0.8 + Math.random() * 0.4);
}

/** One HTTP exchange, as the pipeline gives it back. */
interface RawResponse {
  status: number;
  headers: Record<string, string>;
  bodyAsText?: string | null;
}

/** Sends one attempt through the SDK pipeline. */
type Transport = (url: string, method: ArmMethod, body: string | undefined, signal: AbortSignal) => Promise<RawResponse>;

/** Requests made and time spent waiting on the network, for --debug. */
export interface ArmStats {
  requests: number;
  /** HTTP exchanges sent (retries included). */
  attempts: number;
  /** Wall time during which at least one request was in flight. */
  networkMs: number;
}

/** A queue that lets `limit` holders in at once. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(limit: number) {
    this.free = limit;
  }
  async take(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/** A request body as --debug shows it: JSON with its secret fields masked by structure, like printed data. */
export function bodyForLog(body: string): string {
  try {
    return JSON.stringify(redactor.redactData(JSON.parse(body)));
  } catch {
    return body; // not JSON: the log's own redaction of registered secrets still applies
  }
}

/** Milliseconds a response asks to wait: retry-after-ms, x-ms-retry-after-ms, or Retry-After (seconds or a date). */
export function retryAfterOf(headers: Record<string, string>, now = Date.now()): number | undefined {
  return retryAfterFrom((name) => headers[name], now);
}

export class ArmClient {
  /** The command's deadline: every request without one of its own ends by then. */
  deadline?: number;
  /** What set it, for messages (e.g. "--wait-timeout 3s"). */
  deadlineSource?: string;
  /** A write (PUT, PATCH, DELETE, POST) has gone out. */
  private wrote = false;
  /**
   * Called once when Azure answers 409 MissingSubscriptionRegistration: registers the provider
   * (the request is then sent again) or throws the error to report.
   */
  onMissingRegistration?: (namespace: string) => Promise<void>;
  readonly stats: ArmStats = { requests: 0, attempts: 0, networkMs: 0 };
  private registration?: Promise<void>;
  private readonly slots = new Slots(MAX_CONCURRENT);
  private inFlight = 0;
  private busySince = 0;

  private constructor(
    private readonly ctx: Context,
    readonly endpoint: ArmEndpoint,
    readonly subscriptionId: string,
    private readonly transport: Transport,
  ) {}

  /**
   * Builds the client: subscription, endpoint, credential (once per process). Without
   * `requireSubscription` (fleet commands, whose paths name their own subscriptions) a missing
   * default subscription is no error.
   */
  static async create(ctx: Context, flags: AzureFlags, requireSubscription = true): Promise<ArmClient> {
    const endpoint = resolveEndpoint(flags, ctx.env);
    const resolved = resolveSubscription(flags.subscription, ctx.env);
    if (!resolved && requireSubscription) {
      throw new AuthError('no subscription to work in.', 'Give --subscription, set AZURE_SUBSCRIPTION_ID, or sign in with az login (its default subscription is used).');
    }
    const subscription = resolved ?? { id: '', source: 'no default' };
    ctx.log.verbose(`Resource Manager ${endpoint.url} (${endpoint.source}); subscription ${subscription.id || '(none)'} (${subscription.source})`);
    const [credential, { SourceControlConfigurationClient }, pipeline] = await Promise.all([
      azureCredential(),
      import('@azure/arm-kubernetesconfiguration'),
      import('@azure/core-rest-pipeline'),
    ]);
    const client = new SourceControlConfigurationClient(credential, subscription.id, {
      endpoint: endpoint.url,
      credentialScopes: [endpoint.scope],
      userAgentOptions: { userAgentPrefix: `k8s-gitops/${VERSION}` },
    });
    // Retries are ArmClient's (bounded by deadlines); redirects are refused, never followed.
    client.pipeline.removePolicy({ name: 'defaultRetryPolicy' });
    client.pipeline.removePolicy({ name: 'redirectPolicy' });
    client.pipeline.addPolicy(debugLogPolicy(ctx), { phase: 'Retry' });
    const arm = new ArmClient(ctx, endpoint, subscription.id, async (url, method, body, signal) => {
      const request = pipeline.createPipelineRequest({
        url,
        method,
        body,
        headers: pipeline.createHttpHeaders(body ? { 'content-type': 'application/json; charset=utf-8', accept: 'application/json' } : { accept: 'application/json' }),
        abortSignal: signal,
      });
      const response = await client.sendRequest(request);
      return { status: response.status, headers: response.headers.toJSON(), bodyAsText: response.bodyAsText ?? null };
    });
    if (ctx.options.debug) {
      process.once('exit', () => {
        const { requests, attempts, networkMs } = arm.stats;
        ctx.log.debug(`${requests} ARM request${requests === 1 ? '' : 's'} (${attempts} sent, retries included); ${networkMs} ms waiting on the network.`);
      });
    }
    return arm;
  }

  /** `path` is an ARM path (`/subscriptions/…`) or an absolute URL on the same endpoint. */
  async request<T = unknown>(method: ArmMethod, path: string, options: RequestOptions = {}): Promise<ArmResponse<T>> {
    const url = new URL(path.startsWith('https://') ? path : `${this.endpoint.url}${path}`);
    if (url.origin !== new URL(this.endpoint.url).origin) {
      throw new CliError(`refusing to send credentials to ${url.origin}: it is not the Resource Manager endpoint ${this.endpoint.url}.`);
    }
    if (options.apiVersion) url.searchParams.set('api-version', options.apiVersion);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    this.stats.requests++;
    let response = await this.exchange(method, url, body, options);
    let error = errorBody(response);
    if (response.status === 409 && error?.code === 'MissingSubscriptionRegistration' && this.onMissingRegistration) {
      const namespace = /namespace '([^']+)'/i.exec(error.message ?? '')?.[1] ?? '';
      // One registration for all the requests that ran into it; then this request again.
      this.registration ??= this.onMissingRegistration(namespace);
      await this.registration;
      response = await this.exchange(method, url, body, options);
      error = errorBody(response);
    }
    const parsed = response.status < 300 || response.status >= 400 ? parseBody(response, method, url) : undefined;
    if (response.status === 404 && options.allowNotFound && !isContainerMissing(error)) return { status: 404, headers: response.headers, body: parsed as T };
    if (response.status >= 400) throw httpError(response.status, error, options.notFound, url, this.subscriptionId);
    if (!SUCCESS[method].has(response.status)) throw unexpectedStatus(response, method, url);
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  /** Sends until an answer that is not retried, within the deadline, honouring Retry-After. */
  private async exchange(method: ArmMethod, url: URL, body: string | undefined, options: RequestOptions): Promise<RawResponse> {
    const deadline = options.deadline ?? this.deadline;
    const shown = `${url.pathname}`;
    let sent = false;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attempt(method, url, body, options.signal, deadline);
      sent ||= outcome.sent;
      if (outcome.sent && method !== 'GET') this.wrote = true;
      const interrupted = stopSignalOf(options.signal);
      if (interrupted || options.signal?.aborted) throw new InterruptedError('interrupted', undefined, interrupted);
      if (outcome.expired) throw new DeadlineError(method, shown, outcome.expired, this.deadlineSource, this.wrote);
      let reason: string;
      let waitMs: number | undefined;
      if (outcome.response) {
        if (!RETRIED_STATUS.has(outcome.response.status) || attempt >= MAX_RETRIES) return outcome.response;
        reason = `HTTP ${outcome.response.status}`;
        waitMs = retryAfterOf(outcome.response.headers);
      } else {
        const err = outcome.error as { code?: string; name?: string; message?: string };
        const transient = outcome.timedOut || RETRIED_ERRORS.has(err.code ?? '') || /socket hang up/i.test(err.message ?? '');
        if (outcome.timedOut) throw new CliError(`Azure did not answer ${method} ${shown} within ${REQUEST_TIME_LIMIT_MS / 1000}s.`, writeRemedy(method, sent));
        if (!transient || attempt >= MAX_RETRIES) throw await this.translateTransportError(err, method, shown, sent);
        reason = err.code ?? err.message ?? 'connection failed';
      }
      let delay = waitMs ?? backoffMs(attempt);
      if (deadline === undefined && waitMs !== undefined && waitMs > MAX_UNBOUNDED_RETRY_AFTER_MS) {
        throw new CliError(`Azure is throttling ${method} ${shown}: it asks to try again in ${Math.ceil(waitMs / 1000)}s.`, 'Try again later; Azure Resource Manager limits requests per subscription and per hour.');
      }
      if (deadline !== undefined) delay = Math.min(delay, Math.max(0, deadline - Date.now()));
      this.ctx.log.debug(`${reason}: ${method} ${shown} again in ${Math.round(delay)} ms${waitMs !== undefined ? ` (Retry-After ${Math.ceil(waitMs / 1000)}s${delay < waitMs ? ', cut to the time left' : ''})` : ''}`);
      await sleep(delay, options.signal ?? new AbortController().signal);
      if (deadline !== undefined && Date.now() >= deadline) {
        const interruptedNow = stopSignalOf(options.signal);
        if (interruptedNow || options.signal?.aborted) throw new InterruptedError('interrupted', undefined, interruptedNow);
        throw new DeadlineError(method, shown, waitMs !== undefined ? `Azure asked to wait ${Math.ceil(waitMs / 1000)}s (Retry-After)` : `the last attempt ended with ${reason}`, this.deadlineSource, this.wrote);
      }
    }
  }

  /** One HTTP exchange, bounded by the deadline and the time limit, abortable by `signal`. */
  private async attempt(
    method: ArmMethod,
    url: URL,
    body: string | undefined,
    signal: AbortSignal | undefined,
    deadline: number | undefined,
  ): Promise<{ response?: RawResponse; error?: unknown; sent: boolean; expired?: string; timedOut?: boolean }> {
    const release = await this.slots.take();
    const controller = new AbortController();
    let expired: string | undefined;
    let timedOut = false;
    const onAbort = (): void => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const left = deadline === undefined ? Infinity : deadline - Date.now();
    const limit = Math.max(0, Math.min(left, REQUEST_TIME_LIMIT_MS));
    const timer = setTimeout(() => {
      if (left <= REQUEST_TIME_LIMIT_MS) expired = 'none came before the deadline';
      else timedOut = true;
      controller.abort();
    }, limit);
    this.busy(+1);
    this.stats.attempts++;
    try {
      if (signal?.aborted) return { sent: false };
      if (left <= 0) return { sent: false, expired: 'no time was left to send it' };
      return { response: await this.transport(url.toString(), method, body, controller.signal), sent: true };
    } catch (error) {
      return { error, sent: true, ...(expired ? { expired } : {}), timedOut };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      this.busy(-1);
      release();
    }
  }

  /** Counts the time during which at least one request is in flight. */
  private busy(delta: 1 | -1): void {
    if (delta > 0 && this.inFlight++ === 0) this.busySince = Date.now();
    if (delta < 0 && --this.inFlight === 0) this.stats.networkMs += Date.now() - this.busySince;
  }

  private async translateTransportError(err: { name?: string; message?: string; code?: string }, method: ArmMethod, path: string, sent: boolean): Promise<CliError> {
    if (err instanceof CliError) return err;
    const endpoint = this.endpoint;
    if (err.name === 'AbortError') return new CliError('interrupted');
    if (err.name === 'AggregateAuthenticationError' || err.name === 'CredentialUnavailableError' || err.name === 'AuthenticationError' || /credential/i.test(err.name ?? '')) {
      return noCredentialError(this.ctx, err);
    }
    const where = endpoint.source === 'default' ? 'Check your network connection.' : `Check ${endpoint.source} (${endpoint.url}).`;
    if (err.code && RETRIED_ERRORS.has(err.code)) {
      return new CliError(`cannot reach ${endpoint.url}: ${err.code} (${method} ${path}).`, `${writeRemedy(method, sent) ?? ''}${writeRemedy(method, sent) ? ' ' : ''}${where}`);
    }
    if (err.code === 'ENOTFOUND') return new CliError(`cannot reach ${endpoint.url}: ENOTFOUND.`, where);
    if (/certificate|self[- ]signed|CERT_/i.test(err.message ?? '') || /CERT/.test(err.code ?? '')) {
      return new CliError(`TLS to ${endpoint.url} failed: ${firstLine(err.message)}`, 'If this endpoint uses its own CA, point NODE_EXTRA_CA_CERTS at its certificate.');
    }
    return new CliError(`request to Azure failed: ${firstLine(err.message)}`, writeRemedy(method, sent));
  }
}

let credential: Promise<TokenCredential> | undefined;

/** The one credential of the process (every client shares its token cache). */
export function azureCredential(): Promise<TokenCredential> {
  credential ??= import('./credential.js').then(({ createCredential }) => createCredential());
  return credential;
}

/** Logs every HTTP exchange (each retry too) with --debug. */
export function debugLogPolicy(ctx: Context): PipelinePolicy {
  return {
    name: 'k8sGitopsDebugLog',
    async sendRequest(request, next) {
      const started = Date.now();
      ctx.log.debug(`HTTP ${request.method} ${request.url}`);
      if (request.body && typeof request.body === 'string') ctx.log.debug(`  body: ${bodyForLog(request.body)}`);
      try {
        const response = await next(request);
        const id = response.headers.get('x-ms-request-id') ?? response.headers.get('x-ms-correlation-request-id') ?? '-';
        ctx.log.debug(`HTTP ${response.status} ${request.method} ${request.url} in ${Date.now() - started} ms (request id ${id})`);
        return response;
      } catch (err) {
        ctx.log.debug(`HTTP ${request.method} ${request.url} failed after ${Date.now() - started} ms: ${(err as Error).message}`);
        throw err;
      }
    },
  };
}

/** What to tell the user when a write's answer was lost. */
function writeRemedy(method: ArmMethod, sent: boolean): string | undefined {
  return method !== 'GET' && sent ? 'Azure may have accepted the request and may still carry it out: look at the resource before sending it again.' : undefined;
}

function errorBody(response: RawResponse): ArmErrorDetail | undefined {
  if (response.status < 400 || !response.bodyAsText) return undefined;
  try {
    const parsed = JSON.parse(response.bodyAsText) as { error?: ArmErrorDetail };
    return parsed && typeof parsed === 'object' ? parsed.error : undefined;
  } catch {
    return undefined;
  }
}

/** A 404 about what contains the resource (its resource group, the subscription), not the resource. */
function isContainerMissing(error: ArmErrorDetail | undefined): boolean {
  return error?.code === 'ResourceGroupNotFound' || error?.code === 'SubscriptionNotFound';
}

/** The JSON body; an answer ARM would never give for success (no JSON, or no body to a GET) is an error. */
function parseBody(response: RawResponse, method: ArmMethod, url: URL): unknown {
  const text = response.bodyAsText ?? '';
  if (text === '') {
    if (method === 'GET' && response.status === 200) throw new CliError(`Azure answered GET ${url.pathname} with an empty body.`, 'Try again; if it persists, the endpoint is not Azure Resource Manager or something between is changing its answers.');
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    if (response.status >= 400) return text;
    throw new CliError(`Azure answered ${method} ${url.pathname} with ${response.status} and a body that is not JSON.`, 'Check that the endpoint is Azure Resource Manager (and not a proxy or login page).');
  }
}

function unexpectedStatus(response: RawResponse, method: ArmMethod, url: URL): CliError {
  const location = response.headers.location;
  return new CliError(
    `Azure answered ${method} ${url.pathname} with HTTP ${response.status}, which Azure Resource Manager does not use for success${location ? ` (it points to ${location}; k8s-gitops does not follow it)` : ''}.`,
    `${method === 'GET' ? '' : 'The request may or may not have been carried out: look at the resource before sending it again. '}Check that the endpoint is Azure Resource Manager, and that no proxy rewrites its answers.`,
  );
}

function httpError(status: number, error: ArmErrorDetail | undefined, notFound: string | undefined, url: URL, subscriptionId: string): CliError {
  const text = describeArmError(error, `HTTP ${status}`);
  if (status === 404 && error?.code === 'ResourceGroupNotFound') {
    const group = /\/resourceGroups\/([^/]+)/i.exec(url.pathname)?.[1];
    return new NotFoundError(`resource group '${group ? decodeURIComponent(group) : '?'}' does not exist in subscription ${subscriptionId}.`, 'Check -g/--resource-group (or --cluster-id) and --subscription.');
  }
  if (status === 404 && error?.code === 'SubscriptionNotFound') return new NotFoundError(`subscription ${subscriptionId} was not found.`, 'Check --subscription (or AZURE_SUBSCRIPTION_ID) and that your identity can see it.');
  if (status === 404) return new NotFoundError(notFound ? `${notFound} does not exist.` : text, notFound ? `Azure says: ${text}` : undefined);
  if (status === 401) return new AuthError(`not authenticated: ${text}`, 'Sign in with az login, or set the credentials of a service principal or managed identity.');
  if (status === 403) return new AuthError(`not authorised: ${text}`, 'Your identity needs a role with Microsoft.KubernetesConfiguration write access on the cluster (e.g. Kubernetes Extension Contributor).');
  if (status === 400 && error?.code === 'InvalidApiVersionParameter') return new CliError(text, 'This endpoint does not speak the API version k8s-gitops uses (k8s-gitops --version lists them).');
  return new CliError(`Azure answered ${status}: ${text}`);
}

const firstLine = (text: string | undefined): string => (text ?? 'unknown error').split('\n')[0]!;
