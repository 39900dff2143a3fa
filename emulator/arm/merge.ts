/**
 * PATCH semantics of this provider: a JSON merge patch. Nested objects are merged, `null`
 * removes a field (so its default applies again), arrays and scalars replace.
 */
import { deepClone, isObject, type Json } from '../util.js';

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return deepClone(patch);
  const out: Json = isObject(target) ? deepClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else setOwn(out, key, mergePatch(Object.hasOwn(out, key) ? out[key] : undefined, value));
  }
  return out;
}

/** Sets an own property whatever the key: a `__proto__` key in a body is data, as in JSON. */
function setOwn(target: Json, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Merges a map of strings per key: `null` removes the key. */
export function mergeStringMap(target: Record<string, string>, patch: unknown): Record<string, string> {
  const out = { ...target };
  if (!isObject(patch)) return out;
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (typeof value === 'string') setOwn(out, key, value);
  }
  return out;
}

/** Keeps only the string values of a map (what a settings map may hold). */
export function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObject(value)) for (const [k, v] of Object.entries(value)) if (typeof v === 'string') setOwn(out, k, v);
  return out;
}
