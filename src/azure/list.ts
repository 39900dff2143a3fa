import type { ArmClient, ArmResponse, RequestOptions } from './client.js';

export interface ListOptions extends Pick<RequestOptions, 'notFound' | 'signal' | 'deadline'> {
  /** Sees every page's response (its headers: rate limits, request ids). */
  onPage?: (response: ArmResponse) => void;
}

/** GETs every page of an ARM collection (following nextLink). */
export async function listAll<T>(arm: ArmClient, path: string, apiVersion: string, options: ListOptions = {}): Promise<T[]> {
  const { onPage, ...request } = options;
  const items: T[] = [];
  let next: string | undefined = path;
  let first = true;
  for (let pages = 0; next && pages < 1000; pages++) {
    const res: ArmResponse<{ value?: T[]; nextLink?: string }> = await arm.request('GET', next, { ...(first ? { apiVersion } : {}), ...request });
    onPage?.(res);
    items.push(...(res.body?.value ?? []));
    next = res.body?.nextLink ?? undefined;
    first = false;
  }
  return items;
}
