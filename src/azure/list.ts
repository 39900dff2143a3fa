import type { ArmClient } from './client.js';

/** GETs every page of an ARM collection (following nextLink). */
export async function listAll<T>(arm: ArmClient, path: string, apiVersion: string, notFound?: string): Promise<T[]> {
  const items: T[] = [];
  let next: string | undefined = path;
  let first = true;
  for (let pages = 0; next && pages < 1000; pages++) {
    const res: { body: { value?: T[]; nextLink?: string } } = await arm.request('GET', next, {
      ...(first ? { apiVersion } : {}),
      ...(notFound ? { notFound } : {}),
    });
    items.push(...(res.body?.value ?? []));
    next = res.body?.nextLink ?? undefined;
    first = false;
  }
  return items;
}
