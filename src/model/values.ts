/** Typed parsers for the small values that flags carry: booleans, names, key=value pairs. */
import { echo } from '../core/echo.js';
import { UsageError } from '../core/errors.js';

const TRUE = new Set(['true', 'yes', '1', 'on']);
const FALSE = new Set(['false', 'no', '0', 'off']);

/** A real boolean: true/false/yes/no/1/0/on/off, case-insensitive. Anything else is an error. */
export function parseBoolean(flag: string, value: string | boolean): boolean {
  if (typeof value === 'boolean') return value;
  const v = value.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new UsageError(flag, `'${echo(String(value))}' is not a boolean.`, 'Use true or false.');
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Kubernetes DNS-1123 label: lower-case alphanumerics and '-', at most 63 characters. */
export function parseDnsLabel(flag: string, value: string, what: string): string {
  if (value.length === 0) throw new UsageError(flag, `${what} must not be empty.`);
  if (value.length > 63) {
    throw new UsageError(flag, `'${echo(value)}' is ${value.length} characters long; a ${what} can have at most 63.`);
  }
  if (!DNS_LABEL.test(value)) {
    throw new UsageError(flag, `'${echo(value)}' is not a valid ${what}.`, 'Use lower-case letters, digits and hyphens, starting and ending with a letter or digit.');
  }
  return value;
}

/**
 * A Kubernetes object name (DNS-1123 subdomain: dot-separated DNS labels), limited to `max`
 * characters. Flux configuration and kustomization names end up in object names and label
 * values, hence 63 rather than 253.
 */
export function parseObjectName(flag: string, value: string, what: string, max = 63): string {
  if (value.length === 0) throw new UsageError(flag, `${what} must not be empty.`);
  if (value.length > max) {
    throw new UsageError(flag, `'${echo(value)}' is ${value.length} characters long; a ${what} can have at most ${max}.`);
  }
  if (!value.split('.').every((label) => DNS_LABEL.test(label))) {
    let hint = 'Use lower-case letters, digits, hyphens and periods, starting and ending with a letter or digit.';
    if (/^[-.]|[-.]$/.test(value)) hint = 'A name cannot begin or end with a hyphen or a period.';
    else if (/[A-Z]/.test(value)) hint = 'Names are lower-case.';
    throw new UsageError(flag, `'${echo(value)}' is not a valid ${what}.`, hint);
  }
  return value;
}

/** Splits `key=value` on the first '='. A `secret` token is never quoted back (it may be the value alone). */
export function splitKeyValue(flag: string, token: string, expected = 'key=value', secret = false): [string, string] {
  const at = token.indexOf('=');
  if (at <= 0) {
    throw new UsageError(flag, secret ? `a value is not of the form ${expected} (not shown: it may be a secret).` : `'${echo(token)}' is not of the form ${expected}.`);
  }
  return [token.slice(0, at), token.slice(at + 1)];
}

/** One value from a fixed list (case-insensitive), the nearest one suggested otherwise. */
export { parseChoice } from '../core/suggest.js';

/**
 * Sets an own property of a record whose keys the user chose (`__proto__` included: plain
 * assignment would change the object's prototype instead and lose the entry).
 */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}
