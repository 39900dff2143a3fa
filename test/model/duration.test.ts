import { describe, test, expect } from '@jest/globals';
import { formatGoDuration, parseDurationMs, parseDurationSeconds } from '../../src/model/duration.js';
import { expectUsageError } from '../helpers/input.js';

const FLAG = '--timeout';

describe('parseDurationSeconds accepts Go durations', () => {
  test.each([
    ['1h2m3s', 3723],
    ['10m', 600],
    ['90s', 90],
    ['1s', 1],
    ['1h90m', 9000],
    ['1.5h', 5400],
    ['0.5m', 30],
    ['2000ms', 2],
    ['1m500ms500ms', 61],
    // Go takes the units in any order and adds them up.
    ['30m1h', 5400],
    ['1s2m', 121],
    ['8760h', 365 * 24 * 3600],
  ])('%s is %i seconds', (text, seconds) => {
    expect(parseDurationSeconds(FLAG, text)).toBe(seconds);
  });
});

describe('parseDurationMs keeps sub-second precision', () => {
  test.each([
    ['500ms', 500],
    ['1.5s', 1500],
    ['0s', 0],
    ['1h', 3_600_000],
    ['1m1ms', 60_001],
  ])('%s is %i ms', (text, ms) => {
    expect(parseDurationMs(FLAG, text)).toBe(ms);
  });
});

describe('durations that are not Go durations are rejected whole', () => {
  test.each([
    ['10'],
    ['abc'],
    ['1H'],
    ['5M'],
    ['1d'],
    ['-1m'],
    ['5m30'],
    ['30x'],
    ['m'],
    ['1.5'],
    ['1h 2m'],
    ['1hh'],
    [''],
  ])('%j', (text) => {
    for (const parse of [parseDurationMs, parseDurationSeconds]) {
      const err = expectUsageError(() => parse(FLAG, text));
      expect(err.flag).toBe(FLAG);
      expect(err.message).toContain(FLAG);
      expect(err.message).toContain(`'${text}'`);
    }
  });

  test('a bare number is told which unit to add', () => {
    const err = expectUsageError(() => parseDurationSeconds('--interval', '10'));
    expect(err.message).toContain('--interval');
    expect(err.remedy).toContain('10s');
    expect(err.remedy).toContain('10m');
  });
});

describe('seconds fields take whole seconds within bounds', () => {
  test.each([
    ['500ms', 'whole number of seconds'],
    ['1500ms', 'whole number of seconds'],
    ['0.5s', 'whole number of seconds'],
    ['0s', 'too short'],
    ['0m', 'too short'],
    ['8761h', 'too long'],
  ])('%s is rejected (%s)', (text, why) => {
    const err = expectUsageError(() => parseDurationSeconds(FLAG, text));
    expect(err.message).toContain(FLAG);
    expect(err.message).toContain(`'${text}'`);
    expect(err.message).toContain(why);
  });

  test('a larger minimum is enforced and printed as a Go duration', () => {
    const err = expectUsageError(() => parseDurationSeconds(FLAG, '30s', 60));
    expect(err.message).toContain('1m0s');
    expect(parseDurationSeconds(FLAG, '60s', 60)).toBe(60);
  });

  test('a smaller maximum is enforced', () => {
    expectUsageError(() => parseDurationSeconds(FLAG, '2h', 1, 3600));
    expect(parseDurationSeconds(FLAG, '1h', 1, 3600)).toBe(3600);
  });
});

describe('formatGoDuration prints Go canonical form', () => {
  test.each([
    [0, '0s'],
    [1, '1s'],
    [30, '30s'],
    [59, '59s'],
    [60, '1m0s'],
    [61, '1m1s'],
    [90, '1m30s'],
    [600, '10m0s'],
    [3599, '59m59s'],
    [3600, '1h0m0s'],
    [3660, '1h1m0s'],
    [3723, '1h2m3s'],
    [86400, '24h0m0s'],
    [90000, '25h0m0s'],
  ])('%i → %s', (seconds, text) => {
    expect(formatGoDuration(seconds)).toBe(text);
  });

  test.each([
    [3600, '60m0s'],
    [5400, '90m0s'],
    [3723, '62m3s'],
    [600, '10m0s'],
    [30, '30s'],
    [0, '0s'],
  ])('without hours: %i → %s', (seconds, text) => {
    expect(formatGoDuration(seconds, true)).toBe(text);
  });

  test.each([[1], [59], [60], [61], [600], [3599], [3600], [3723], [86399], [86400]])(
    'formats %i so that it parses back to the same value',
    (seconds) => {
      expect(parseDurationSeconds(FLAG, formatGoDuration(seconds))).toBe(seconds);
      expect(parseDurationSeconds(FLAG, formatGoDuration(seconds, true))).toBe(seconds);
    },
  );
});
