/**
 * Azure Resource Graph through @azure/arm-resourcegraph, built like the ARM client (the same
 * endpoint resolution, the one credential of the process, the debug log, redirects refused),
 * and loaded only by the fleet commands.
 *
 * A query is paged to its end: pages of 1000 rows, each next one asked for with the previous
 * page's `$skipToken` (the SDK does not page on its own). Resource Graph's own quota is obeyed:
 * every answer says how many queries are left in the current window
 * (`x-ms-user-quota-remaining`) and when it resets (`x-ms-user-quota-resets-after`, hh:mm:ss);
 * at 0 left the next page waits for the reset, and a 429 RateLimiting is retried after it.
 * Retries are this client's, not the SDK's, and follow the ARM client's rules (the same
 * statuses and connection failures, Retry-After or the same backoff): no wait outlives the
 * caller's deadline, and Ctrl-C or SIGTERM ends any of them.
 */
import type { Clock } from '../core/clock.js';
import type { Context } from '../core/context.js';
import { AuthError, CliError, InterruptedError, TimeoutError } from '../core/errors.js';
import { stopSignalOf } from '../core/interrupt.js';
import { VERSION } from '../core/version.js';
import { azureCredential, backoffMs, debugLogPolicy, MAX_RETRIES, RETRIED_ERRORS, RETRIED_STATUS, retryAfterOf, type AzureFlags } from './client.js';
import { resolveEndpoint } from './cloud.js';
import { describeArmError, type ArmErrorDetail } from './errors.js';

export type GraphRow = Record<string, unknown>;

export interface GraphRequest {
  query: string;
  /** Scope: these subscriptions; absent = every subscription the caller can read (tenant scope). */
  subscriptions?: readonly string[];
}

/** What one page request gives back, whatever carried it. */
export interface GraphPage {
  rows: GraphRow[];
  skipToken?: string;
  totalRecords?: number;
  headers: Record<string, string>;
}

/** One page request: the query, the token of the page asked for, a signal that ends it. */
export type SendPage = (request: GraphRequest, skipToken: string | undefined, signal: AbortSignal) => Promise<GraphPage>;

/** A refusal from Resource Graph, with the headers it came with. */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    readonly detail: ArmErrorDetail | undefined,
    readonly headers: Record<string, string>,
  ) {
    super(describeArmError(detail, `HTTP ${status}`));
  }
}

export interface QueryOptions {
  clock: Clock;
  /** Clock time by which the whole query (every page, every wait) must be done. */
  deadline: number;
  signal?: AbortSignal;
}

export const PAGE_SIZE = 1000;
/** Subscriptions per request, as az and PowerShell send them. */
export const SUBSCRIPTIONS_PER_REQUEST = 1000;

/** `hh:mm:ss` (or seconds) → milliseconds. */
export function parseResetsAfter(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  const hms = /^(\d+):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(text);
  if (hms) return ((Number(hms[1]) * 60 + Number(hms[2])) * 60 + Number(hms[3])) * 1000 + (hms[4] ? Math.round(Number(`0.${hms[4]}`) * 1000) : 0);
  return /^\d+(\.\d+)?$/.test(text) ? Math.ceil(Number(text) * 1000) : undefined;
}

export class ResourceGraph {
  /** Page requests sent (each costs one unit of the quota). */
  requests = 0;
  /** Queries left in the current quota window, and when it resets (clock time). */
  private quota: { remaining: number; resetAt: number } | undefined;

  constructor(
    private readonly sendPage: SendPage,
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  static async create(ctx: Context, flags: AzureFlags): Promise<ResourceGraph> {
    const endpoint = resolveEndpoint(flags, ctx.env);
    ctx.log.verbose(`Azure Resource Graph at ${endpoint.url} (${endpoint.source})`);
    const [credential, { ResourceGraphClient }] = await Promise.all([azureCredential(), import('@azure/arm-resourcegraph')]);
    const client = new ResourceGraphClient(credential, {
      endpoint: endpoint.url,
      credentials: { scopes: [endpoint.scope] },
      userAgentOptions: { userAgentPrefix: `k8s-gitops/${VERSION}` },
    });
    // Retries are this client's (bounded by deadlines); redirects are refused, never followed,
    // as ARM's are (a token must not go elsewhere).
    client.pipeline.removePolicy({ name: 'defaultRetryPolicy' });
    client.pipeline.removePolicy({ name: 'redirectPolicy' });
    client.pipeline.addPolicy(debugLogPolicy(ctx), { phase: 'Retry' });
    const send: SendPage = async (request, skipToken, signal) => {
      let headers: Record<string, string> = {};
      try {
        const response = await client.resources(
          {
            query: request.query,
            ...(request.subscriptions ? { subscriptions: [...request.subscriptions] } : {}),
            options: { top: PAGE_SIZE, resultFormat: 'objectArray', ...(skipToken ? { skipToken } : {}) },
          },
          { abortSignal: signal, onResponse: (raw) => void (headers = raw.headers.toJSON()) },
        );
        const rows = Array.isArray(response.data) ? (response.data as GraphRow[]) : [];
        return { rows, ...(response.skipToken ? { skipToken: response.skipToken } : {}), totalRecords: response.totalRecords, headers };
      } catch (err) {
        const e = err as { name?: string; statusCode?: number; code?: string; details?: { error?: ArmErrorDetail }; response?: { headers?: { toJSON(): Record<string, string> } } };
        if (e.name === 'AbortError') throw err;
        if (typeof e.statusCode === 'number') throw new GraphError(e.statusCode, e.details?.error?.code ?? e.code, e.details?.error, e.response?.headers?.toJSON() ?? headers);
        throw err;
      }
    };
    return new ResourceGraph(send, (m) => ctx.log.debug(m));
  }

  /** Every row of the query, in the order Resource Graph gives them, over as many pages as it takes. */
  async query(request: GraphRequest, options: QueryOptions): Promise<GraphRow[]> {
    const scopes = request.subscriptions && request.subscriptions.length > SUBSCRIPTIONS_PER_REQUEST ? chunk(request.subscriptions, SUBSCRIPTIONS_PER_REQUEST) : [request.subscriptions];
    const rows: GraphRow[] = [];
    for (const subscriptions of scopes) {
      const scoped: GraphRequest = { query: request.query, ...(subscriptions ? { subscriptions } : {}) };
      let skipToken: string | undefined;
      do {
        const page = await this.page(scoped, skipToken, options);
        rows.push(...page.rows);
        skipToken = page.skipToken;
      } while (skipToken);
    }
    return rows;
  }

  private async page(request: GraphRequest, skipToken: string | undefined, options: QueryOptions): Promise<GraphPage> {
    const { clock, deadline } = options;
    for (let attempt = 0; ; attempt++) {
      await this.waitForQuota(options);
      const remaining = deadline - clock.now();
      if (remaining <= 0) throw outOfTime();
      const controller = new AbortController();
      const onAbort = (): void => controller.abort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(() => controller.abort(), remaining);
      this.requests++;
      let failure: unknown;
      try {
        const page = await this.sendPage(request, skipToken, controller.signal);
        this.remember(page.headers, clock.now());
        return page;
      } catch (err) {
        failure = err;
      } finally {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      }
      if (options.signal?.aborted) throw interrupted(options.signal);
      if ((failure as Error).name === 'AbortError' || controller.signal.aborted) throw outOfTime();
      const last = attempt >= MAX_RETRIES;
      if (failure instanceof GraphError) {
        this.remember(failure.headers, clock.now());
        if (last || !RETRIED_STATUS.has(failure.status)) throw fromGraphError(failure);
        const asked = retryAfterOf(failure.headers, clock.now());
        if (failure.status === 429) {
          // Throttled: the quota window (or Retry-After) says when; waitForQuota waits for it.
          this.log(`Resource Graph throttled this client (${failure.code ?? '429'}); waiting for its quota window to reset`);
          if (!this.quota || this.quota.remaining > 0) this.quota = { remaining: 0, resetAt: clock.now() + (asked ?? backoffMs(attempt)) };
          continue;
        }
        await this.pause(asked ?? backoffMs(attempt), `HTTP ${failure.status}`, options);
        continue;
      }
      const code = (failure as { code?: string }).code ?? '';
      if (last || !RETRIED_ERRORS.has(code)) throw translate(failure);
      await this.pause(backoffMs(attempt), code, options);
    }
  }

  /** Waits before the next attempt: never past the deadline, ended by Ctrl-C or SIGTERM. */
  private async pause(ms: number, why: string, options: QueryOptions): Promise<void> {
    if (options.clock.now() + ms > options.deadline) {
      throw new TimeoutError(`Azure Resource Graph answered ${why} and asked to wait ${Math.ceil(ms / 1000)}s, past the deadline.`, 'Try again later, or give it longer (--timeout).');
    }
    this.log(`${why} from Resource Graph: trying again in ${Math.round(ms)} ms`);
    try {
      await options.clock.sleep(ms, options.signal);
    } catch {
      throw interrupted(options.signal);
    }
  }

  private remember(headers: Record<string, string>, now: number): void {
    const remaining = Number(headers['x-ms-user-quota-remaining']);
    const resetsAfter = parseResetsAfter(headers['x-ms-user-quota-resets-after']);
    if (Number.isFinite(remaining) && headers['x-ms-user-quota-remaining'] !== undefined) {
      this.quota = { remaining, resetAt: now + (resetsAfter ?? 5000) };
    }
  }

  /** At 0 queries left, waits until the window resets (never past the deadline). */
  private async waitForQuota(options: QueryOptions): Promise<void> {
    const q = this.quota;
    if (!q || q.remaining > 0) return;
    const now = options.clock.now();
    const wait = q.resetAt - now;
    if (wait <= 0) {
      this.quota = undefined;
      return;
    }
    if (q.resetAt > options.deadline) {
      throw new TimeoutError(`Azure Resource Graph's query quota is spent until ${Math.ceil(wait / 1000)}s from now, after the deadline.`, 'Query less often (--interval), or give it longer (--timeout).');
    }
    this.log(`Resource Graph quota spent: waiting ${wait} ms for it to reset`);
    try {
      await options.clock.sleep(wait, options.signal);
    } catch {
      throw interrupted(options.signal);
    }
    this.quota = undefined;
  }
}

const outOfTime = (): TimeoutError => new TimeoutError('ran out of time reading Azure Resource Graph.', 'Give it longer (--timeout), or select fewer clusters.');

/** Ctrl-C (exit 130) or SIGTERM (143) while reading or waiting. */
const interrupted = (signal: AbortSignal | undefined): InterruptedError => new InterruptedError('interrupted while reading Azure Resource Graph.', undefined, stopSignalOf(signal));

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function fromGraphError(err: GraphError): CliError {
  const text = describeArmError(err.detail, `HTTP ${err.status}`);
  if (err.status === 401) return new AuthError(`not authenticated to Azure Resource Graph: ${text}`, 'Sign in with az login, or set the credentials of a service principal or managed identity.');
  if (err.status === 403) return new AuthError(`not authorised to query Azure Resource Graph: ${text}`, 'Your identity needs Reader on the subscriptions of the fleet.');
  if (err.status === 400) return new CliError(`Azure Resource Graph refused the query: ${text}`);
  return new CliError(`Azure Resource Graph answered ${err.status}: ${text}`);
}

function translate(err: unknown): CliError {
  if (err instanceof CliError) return err;
  const e = err as { name?: string; message?: string; code?: string };
  if (/credential/i.test(e.name ?? '') || e.name === 'AuthenticationError') {
    return new AuthError(`no usable Azure credential: ${(e.message ?? '').split('\n')[0]}`, 'Sign in with az login, or set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, workload identity or managed identity variables.');
  }
  return new CliError(`request to Azure Resource Graph failed: ${(e.message ?? 'unknown error').split('\n')[0]}${e.code ? ` (${e.code})` : ''}`);
}
