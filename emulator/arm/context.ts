/** The request as the ARM handlers see it, and what they answer. */
import type { World } from '../world.js';
import type { ClusterState } from './records.js';

export interface ArmContext {
  world: World;
  method: string;
  /** Path as received (used for nextLink). */
  path: string;
  query: URLSearchParams;
  apiVersion: string;
  /** The request body as received (handlers that take a body parse it). */
  bodyText: string;
}

export interface ClusterContext extends ArmContext {
  cluster: ClusterState;
}

export interface ArmResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** `forceDelete=true` (any letter case). */
export const forceDelete = (query: URLSearchParams): boolean => (query.get('forceDelete') ?? query.get('forcedelete') ?? '').toLowerCase() === 'true';

/** One page of a LIST, with `nextLink` when --page-size cuts it. */
export function page<T>(ctx: ArmContext, items: T[]): { value: T[]; nextLink?: string } {
  const size = ctx.world.options.pageSize;
  if (size <= 0) return { value: items };
  const skipText = ctx.query.get('$skipToken') ?? '0';
  const skip = /^\d+$/.test(skipText) ? Number(skipText) : 0;
  const value = items.slice(skip, skip + size);
  if (skip + size >= items.length) return { value };
  const next = new URLSearchParams({ 'api-version': ctx.apiVersion, $skipToken: String(skip + size) });
  return { value, nextLink: `${ctx.world.baseUrl}${ctx.path}?${next.toString()}` };
}
