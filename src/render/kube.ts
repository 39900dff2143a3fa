/** Kubernetes object helpers shared by the renderers: key order, YAML streams, v1 List. */
import { formatYamlStream } from '../core/output.js';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** A rendered object with a note for the reader of the YAML stream (JSON output has no comments). */
export interface Rendered {
  object: KubeObject;
  comment?: string;
}

/** Sorts object keys at every level, as `flux export` does (Go structs marshalled through JSON). */
export function sortKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => sortKeys(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      // defineProperty: a user-chosen key such as `__proto__` stays an ordinary entry.
      if (v !== undefined) Object.defineProperty(out, key, { value: sortKeys(v), enumerable: true, writable: true, configurable: true });
    }
    return out as T;
  }
  return value;
}

/**
 * A multi-document YAML stream, each document introduced by `---`. With version '1.1', strings
 * that YAML 1.1 readers (kubectl, the API machinery) would take for booleans or numbers, such
 * as `on` or `0777`, are quoted.
 */
export function toYamlStream(rendered: readonly Rendered[], options: { version?: '1.1' | '1.2' } = {}): string {
  return formatYamlStream(rendered, options);
}

export function toList(rendered: readonly Rendered[]): { apiVersion: 'v1'; kind: 'List'; items: KubeObject[] } {
  return { apiVersion: 'v1', kind: 'List', items: rendered.map((r) => r.object) };
}
