/**
 * ARM access through the real Azure SDK: the SourceControlConfigurationClient of
 * @azure/arm-kubernetesconfiguration supplies the pipeline (bearer token from
 * @azure/identity, retries of 429 and 5xx within bounds honouring Retry-After, user agent).
 * Requests are sent through that pipeline with JSON bodies built by src/model, because the
 * SDK's own models stop at API version 2023-05-01 and would drop newer properties (OCI
 * sources, git provider). Both SDKs are imported here, lazily, and nowhere on the help or
 * dry-run paths.
 */
import type { Context } from '../core/context.js';
import { AuthError, CliError, NotFoundError } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import { resolveSubscription } from './subscription.js';
import { resolveEndpoint, type ArmEndpoint } from './cloud.js';
import { describeArmError, type ArmErrorDetail } from './errors.js';

export interface ArmResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  body: T;
}

export interface RequestOptions {
  apiVersion?: string;
  body?: unknown;
  query?: Record<string, string>;
  /** Return 404 instead of throwing NotFoundError. */
  allowNotFound?: boolean;
  /** What a 404 means to the user, e.g. "Flux configuration 'x' on cluster 'y'". */
  notFound?: string;
  signal?: AbortSignal;
}

export interface AzureFlags {
  subscription?: string;
  cloud?: string;
  resourceManagerEndpoint?: string;
}

type SendRequest = (request: unknown) => Promise<{ status: number; headers: { toJSON(): Record<string, string> }; bodyAsText?: string | null }>;

export class ArmClient {
  /** Headers of the last response (rate-limit headers tell a poller to slow down). */
  lastHeaders: Record<string, string> = {};

  private constructor(
    readonly endpoint: ArmEndpoint,
    readonly subscriptionId: string,
    private readonly send: SendRequest,
    private readonly makeRequest: (url: string, method: string, body: string | undefined, signal?: AbortSignal) => unknown,
  ) {}

  /** Builds the client: subscription, endpoint, credential (once per process). */
  static async create(ctx: Context, flags: AzureFlags): Promise<ArmClient> {
    const endpoint = resolveEndpoint(flags, ctx.env);
    const subscription = resolveSubscription(flags.subscription, ctx.env);
    if (!subscription) {
      throw new AuthError('no subscription to work in.', 'Give --subscription, set AZURE_SUBSCRIPTION_ID, or sign in with az login (its default subscription is used).');
    }
    ctx.log.verbose(`Resource Manager ${endpoint.url} (${endpoint.source}); subscription ${subscription.id} (${subscription.source})`);
    const [{ DefaultAzureCredential }, { SourceControlConfigurationClient }, pipeline] = await Promise.all([
      import('@azure/identity'),
      import('@azure/arm-kubernetesconfiguration'),
      import('@azure/core-rest-pipeline'),
    ]);
    const credential = new DefaultAzureCredential();
    const client = new SourceControlConfigurationClient(credential, subscription.id, {
      endpoint: endpoint.url,
      credentialScopes: [endpoint.scope],
      userAgentOptions: { userAgentPrefix: `k8s-gitops/${VERSION}` },
      retryOptions: { maxRetries: 4, retryDelayInMs: 1000, maxRetryDelayInMs: 30_000 },
    });
    client.pipeline.addPolicy(
      {
        name: 'k8sGitopsDebugLog',
        async sendRequest(request, next) {
          const started = Date.now();
          ctx.log.debug(`HTTP ${request.method} ${request.url}`);
          if (request.body && typeof request.body === 'string') ctx.log.debug(`  body: ${request.body}`);
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
      },
      { phase: 'Retry' },
    );
    return new ArmClient(
      endpoint,
      subscription.id,
      (request) => client.sendRequest(request as Parameters<typeof client.sendRequest>[0]) as ReturnType<SendRequest>,
      (url, method, body, signal) =>
        pipeline.createPipelineRequest({
          url,
          method: method as 'GET',
          body,
          headers: pipeline.createHttpHeaders(body ? { 'content-type': 'application/json; charset=utf-8', accept: 'application/json' } : { accept: 'application/json' }),
          ...(signal ? { abortSignal: signal } : {}),
        }),
    );
  }

  /** `path` is an ARM path (`/subscriptions/…`) or an absolute URL on the same endpoint. */
  async request<T = unknown>(method: 'GET' | 'PUT' | 'PATCH' | 'DELETE' | 'POST', path: string, options: RequestOptions = {}): Promise<ArmResponse<T>> {
    const url = new URL(path.startsWith('https://') ? path : `${this.endpoint.url}${path}`);
    if (url.origin !== new URL(this.endpoint.url).origin) {
      throw new CliError(`refusing to send credentials to ${url.origin}: it is not the Resource Manager endpoint ${this.endpoint.url}.`);
    }
    if (options.apiVersion) url.searchParams.set('api-version', options.apiVersion);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    let response: Awaited<ReturnType<SendRequest>>;
    try {
      response = await this.send(this.makeRequest(url.toString(), method, body, options.signal));
    } catch (err) {
      throw translateTransportError(err, this.endpoint);
    }
    const headers = response.headers.toJSON();
    this.lastHeaders = headers;
    let parsed: unknown = undefined;
    if (response.bodyAsText) {
      try {
        parsed = JSON.parse(response.bodyAsText);
      } catch {
        parsed = response.bodyAsText;
      }
    }
    if (response.status === 404 && options.allowNotFound) return { status: 404, headers, body: parsed as T };
    if (response.status >= 400) throw httpError(response.status, parsed, options.notFound);
    return { status: response.status, headers, body: parsed as T };
  }
}

function httpError(status: number, body: unknown, notFound: string | undefined): CliError {
  const error = (body as { error?: ArmErrorDetail } | undefined)?.error;
  const text = describeArmError(error, `HTTP ${status}`);
  if (status === 404) return new NotFoundError(notFound ? `${notFound} does not exist.` : text, notFound ? `Azure says: ${text}` : undefined);
  if (status === 401) return new AuthError(`not authenticated: ${text}`, 'Sign in with az login, or set the credentials of a service principal or managed identity.');
  if (status === 403) return new AuthError(`not authorised: ${text}`, 'Your identity needs a role with Microsoft.KubernetesConfiguration write access on the cluster (e.g. Kubernetes Extension Contributor).');
  if (status === 400 && error?.code === 'InvalidApiVersionParameter') return new CliError(text, 'This endpoint does not speak the API version k8s-gitops uses (k8s-gitops --version lists them).');
  return new CliError(`Azure answered ${status}: ${text}`);
}

function translateTransportError(err: unknown, endpoint: ArmEndpoint): CliError {
  if (err instanceof CliError) return err;
  const e = err as { name?: string; message?: string; code?: string; statusCode?: number };
  if (e.name === 'AbortError') return new CliError('interrupted');
  if (e.name === 'CredentialUnavailableError' || e.name === 'AggregateAuthenticationError' || e.name === 'AuthenticationError' || /credential/i.test(e.name ?? '')) {
    return new AuthError(`no usable Azure credential: ${firstLine(e.message)}`, 'Sign in with az login, or set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, workload identity or managed identity variables.');
  }
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'ECONNRESET' || e.code === 'ETIMEDOUT') {
    return new CliError(`cannot reach ${endpoint.url}: ${e.code}.`, endpoint.source === 'default' ? 'Check your network connection.' : `Check ${endpoint.source}.`);
  }
  if (/certificate|self[- ]signed|CERT_/i.test(e.message ?? '') || /CERT/.test(e.code ?? '')) {
    return new CliError(`TLS to ${endpoint.url} failed: ${firstLine(e.message)}`, 'If this endpoint uses its own CA, point NODE_EXTRA_CA_CERTS at its certificate.');
  }
  return new CliError(`request to Azure failed: ${firstLine(e.message)}`);
}

const firstLine = (text: string | undefined): string => (text ?? 'unknown error').split('\n')[0]!;
