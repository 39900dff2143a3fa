/**
 * Retry-After as the ARM client and the status watch both read it: one parser, so a header that
 * makes one of them wait makes the other wait just as long, checked over generated headers.
 */
import { describe, test, expect } from '@jest/globals';
import { retryAfterFrom } from '../../src/core/retry-after.js';
import { retryAfterOf } from '../../src/azure/client.js';
import { parseRetryAfter } from '../../src/status/watch.js';
import { prng, SEED } from '../helpers/hostile.js';

const NOW = Date.parse('2026-12-06T12:00:00Z');
const from = (headers: Record<string, string>): number | undefined => retryAfterFrom((name) => headers[name], NOW);

describe('Retry-After', () => {
  test('delta-seconds, milliseconds and HTTP dates', () => {
    expect(from({ 'retry-after': '7' })).toBe(7000);
    expect(from({ 'retry-after': '0.25' })).toBe(250);
    expect(from({ 'retry-after-ms': '1500', 'retry-after': '9' })).toBe(1500);
    expect(from({ 'x-ms-retry-after-ms': '20' })).toBe(20);
    expect(from({ 'retry-after': new Date(NOW + 30_000).toUTCString() })).toBe(30_000);
    expect(from({ 'retry-after': new Date(NOW - 30_000).toUTCString() })).toBe(0);
  });

  test('what is not an instruction leaves the caller its own back-off', () => {
    for (const value of ['', ' ', '-1', '-0.5', 'soon', '1e3', '0x10', 'Infinity', 'NaN', '2026-12-06T12:00:30Z', '12/06/2026', '+5']) {
      expect([value, from({ 'retry-after': value })]).toEqual([value, undefined]);
    }
    expect(from({ 'retry-after-ms': '-1' })).toBeUndefined();
    expect(from({ 'retry-after-ms': 'later', 'retry-after': '2' })).toBe(2000);
  });

  test('the ARM client and the status watch agree on generated headers', () => {
    const random = prng(SEED);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
    const values = (): string =>
      pick([
        () => String(Math.floor(random() * 120)),
        () => (random() * 10).toFixed(2),
        () => `-${Math.floor(random() * 9)}`,
        () => new Date(NOW + Math.floor((random() - 0.5) * 600_000)).toUTCString(),
        () => new Date(NOW + Math.floor(random() * 600_000)).toISOString(),
        () => pick(['', 'soon', ' 5 ', '5s', '1e2', 'Sun,', 'Sun, 31 Feb 2026 99:00:00 GMT']),
      ])();
    for (let i = 0; i < 500; i++) {
      const headers: Record<string, string> = {};
      for (const name of ['retry-after', 'retry-after-ms', 'x-ms-retry-after-ms']) if (random() < 0.5) headers[name] = values();
      const expected = from(headers);
      if (expected !== undefined) expect(Number.isInteger(expected) && expected >= 0).toBe(true);
      expect(retryAfterOf(headers, NOW)).toBe(expected);
      const mixedCase = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.replace(/^./, (c) => c.toUpperCase()), v]));
      expect(parseRetryAfter(mixedCase, NOW)).toBe(expected);
      expect(parseRetryAfter(new Headers(headers), NOW)).toBe(expected);
    }
  });
});
