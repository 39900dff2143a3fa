/**
 * Azure Resource Graph's query API, `POST /providers/Microsoft.ResourceGraph/resources`, as the
 * 2024-04-01 contract describes it: a QueryRequest (`query`, `subscriptions`, `options` with
 * `$top` ≤ 1000, `$skip`, `$skipToken`, `resultFormat`) answered by a QueryResponse
 * (`totalRecords`, `count`, `resultTruncated` as a string, `data`, `facets`, `$skipToken` while
 * rows remain). Requests are authenticated like ARM's, logged with them, and counted against a
 * per-user quota of 15 queries in a 5-second window (every page counts): each answer carries
 * `x-ms-user-quota-remaining` and `x-ms-user-quota-resets-after` (hh:mm:ss), and a query over
 * the quota is 429 RateLimiting (no Retry-After: the reset header is the signal).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { createHash } from 'node:crypto';
import type { ArmResult } from '../arm/context.js';
import { ArmError } from '../arm/errors.js';
import { isObject, uuid } from '../util.js';
import type { World } from '../world.js';
import { KqlError, parseQuery, runQuery, type Row } from './kql.js';

export const GRAPH_API_VERSIONS = ['2019-04-01', '2021-03-01', '2022-10-01', '2024-04-01', '2020-04-01-preview', '2021-06-01-preview'];
export const USER_QUOTA = { queries: 15, windowMs: 5000 } as const;
export const MAX_ROWS_PER_PAGE = 1000;

export function isGraphPath(path: string): boolean {
  return /^\/providers\/microsoft\.resourcegraph\/resources\/?$/i.test(path);
}

function hhmmss(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

/** Queries per user (bearer token) in fixed 5-second windows. */
export class GraphQuota {
  private readonly windows = new Map<string, { start: number; used: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Counts a query; throws 429 RateLimiting when the window's quota is spent. Returns the quota headers. */
  take(user: string): Record<string, string> {
    const now = this.now();
    let w = this.windows.get(user);
    if (!w || now - w.start >= USER_QUOTA.windowMs) {
      w = { start: now, used: 0 };
      this.windows.set(user, w);
    }
    const resetsAfter = w.start + USER_QUOTA.windowMs - now;
    if (w.used >= USER_QUOTA.queries) {
      throw new ArmError(
        429,
        'RateLimiting',
        `This client sent more than ${USER_QUOTA.queries} queries within ${USER_QUOTA.windowMs / 1000} seconds and is throttled until the window resets (x-ms-user-quota-resets-after). See https://aka.ms/resourcegraph-throttling.`,
        undefined,
        { 'x-ms-user-quota-remaining': '0', 'x-ms-user-quota-resets-after': hhmmss(resetsAfter) },
      );
    }
    w.used++;
    return { 'x-ms-user-quota-remaining': String(USER_QUOTA.queries - w.used), 'x-ms-user-quota-resets-after': hhmmss(resetsAfter) };
  }
}

function badQuery(message: string, position?: number): ArmError {
  return new ArmError(400, 'BadRequest', `Please provide below info when asking for support: timestamp = ${new Date().toISOString()}, correlationId = ${uuid()}.`, [
    { code: 'InvalidQuery', message: 'Query is invalid. Please refer to the documentation for the Azure Resource Graph service and fix the error before retrying.' },
    { code: position === undefined ? 'InvalidRequest' : 'ParserFailure', message: position === undefined ? message : `${message} (at character ${position + 1})` },
  ]);
}

interface SkipToken {
  offset: number;
  query: string;
}

const queryHash = (query: string, scope: readonly string[] | undefined): string => createHash('sha256').update(JSON.stringify([query, scope ?? null])).digest('hex').slice(0, 16);

function encodeToken(t: SkipToken): string {
  return Buffer.from(JSON.stringify(t), 'utf8').toString('base64url');
}

function decodeToken(text: string): SkipToken | undefined {
  try {
    const t = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as SkipToken;
    return Number.isInteger(t.offset) && t.offset >= 0 && typeof t.query === 'string' ? t : undefined;
  } catch {
    return undefined;
  }
}

function columnType(rows: Row[], column: string): string {
  const v = rows.map((r) => r[column]).find((x) => x !== null && x !== undefined);
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'object') return 'object';
  return 'string';
}

export function handleGraphQuery(world: World, quota: GraphQuota, method: string, url: URL, bodyText: string, headers: IncomingHttpHeaders): ArmResult {
  if (method !== 'POST') throw new ArmError(405, 'MethodNotAllowed', `The requested resource does not support http method '${method}'.`);
  const apiVersion = url.searchParams.get('api-version');
  if (!apiVersion) throw new ArmError(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
  if (!GRAPH_API_VERSIONS.includes(apiVersion)) {
    throw new ArmError(400, 'InvalidApiVersionParameter', `The api-version '${apiVersion}' is invalid. The supported versions are '${GRAPH_API_VERSIONS.join(',')}'.`);
  }
  // Resource Graph accepts JSON only; other content types fail on its side.
  if (!/^application\/json\b/i.test(String(headers['content-type'] ?? ''))) {
    throw new ArmError(500, 'InternalServerError', 'Encountered an internal server error: the request body could not be read (Resource Graph accepts Content-Type: application/json only).');
  }
  const quotaHeaders = quota.take(String(headers.authorization ?? ''));
  try {
    return { ...answer(world, bodyText), headers: quotaHeaders };
  } catch (err) {
    if (err instanceof ArmError) throw new ArmError(err.status, err.code, err.message, err.details, { ...err.headers, ...quotaHeaders });
    throw err;
  }
}

function answer(world: World, bodyText: string): ArmResult {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    throw badQuery('The request body is not JSON.');
  }
  if (!isObject(body) || typeof body.query !== 'string' || body.query.trim() === '') throw badQuery("The request needs a 'query' (a string).");
  if (body.managementGroups !== undefined) throw badQuery('Management group scopes are not served by this emulator; give subscriptions, or neither (tenant scope).');
  let scope: string[] | undefined;
  if (body.subscriptions !== undefined) {
    if (!Array.isArray(body.subscriptions) || !body.subscriptions.every((s) => typeof s === 'string')) throw badQuery("'subscriptions' must be a list of subscription ids.");
    scope = body.subscriptions.map((s) => (s as string).toLowerCase());
  }
  const options = isObject(body.options) ? body.options : {};
  const top = options.$top ?? MAX_ROWS_PER_PAGE;
  if (typeof top !== 'number' || !Number.isInteger(top) || top < 1 || top > MAX_ROWS_PER_PAGE) throw badQuery(`'$top' must be a whole number from 1 to ${MAX_ROWS_PER_PAGE}.`);
  const skip = options.$skip ?? 0;
  if (typeof skip !== 'number' || !Number.isInteger(skip) || skip < 0) throw badQuery("'$skip' must be a whole number >= 0.");
  const format = options.resultFormat ?? 'objectArray';
  if (format !== 'objectArray' && format !== 'table') throw badQuery("'resultFormat' must be 'table' or 'objectArray'.");

  const hash = queryHash(body.query, scope);
  let offset = skip;
  if (options.$skipToken !== undefined) {
    const token = typeof options.$skipToken === 'string' ? decodeToken(options.$skipToken) : undefined;
    if (!token || token.query !== hash) throw badQuery("'$skipToken' does not belong to this query and scope; send the same query and scope as for the first page.");
    if (options.$skip === undefined) offset = token.offset;
  }

  let result;
  try {
    const query = parseQuery(body.query);
    const scopeSet = scope ? new Set(scope) : undefined;
    result = { query, table: runQuery(query, (name, pos) => world.graph.table(name, scopeSet, pos)) };
  } catch (err) {
    if (err instanceof KqlError) throw badQuery(err.message, err.position);
    throw err;
  }
  const { query, table } = result;
  const total = table.rows.length;
  const page = table.rows.slice(offset, offset + top);
  const more = offset + page.length < total;
  const data =
    format === 'table'
      ? { columns: table.columns.map((name) => ({ name, type: columnType(page, name) })), rows: page.map((r) => table.columns.map((c) => r[c] ?? null)) }
      : page.map((r) => Object.fromEntries(table.columns.map((c) => [c, r[c] ?? null])));
  const response: Record<string, unknown> = {
    totalRecords: total,
    count: page.length,
    resultTruncated: query.limited && more ? 'true' : 'false',
    data,
    facets: [],
  };
  if (more && !query.limited) response.$skipToken = encodeToken({ offset: offset + page.length, query: hash });
  return { status: 200, body: response };
}
