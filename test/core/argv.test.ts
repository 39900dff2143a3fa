/** One option-parsing step refuses a value that is a flag (az's "expected one argument"). */
import { describe, test, expect } from '@jest/globals';
import { refuseFlagsAsValues, type OptionShape } from '../../src/core/argv.js';
import { UsageError } from '../../src/core/errors.js';

const SHAPE: OptionShape = {
  flags: new Set(['-n', '--name', '--branch', '--dry-run', '-o', '--output', '--https-key', '--suspend', '-h', '--help']),
  takesValue: new Set(['-n', '--name', '--branch', '-o', '--output', '--https-key']),
  longOf: new Map([['-n', '--name'], ['-o', '--output']]),
  nameOf: new Map([['-n', '-n/--name'], ['--name', '-n/--name'], ['-o', '-o/--output'], ['--output', '-o/--output']]),
};

function refused(argv: string[]): UsageError {
  try {
    refuseFlagsAsValues(argv, SHAPE);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error(`accepted: ${argv.join(' ')}`);
}

describe('a flag that takes a value', () => {
  test.each([
    [['--branch', '--dry-run=arm'], '--branch', 'the flag --dry-run'],
    [['--branch', '--dry-run'], '--branch', 'the flag --dry-run'],
    [['-n', '-o', 'json'], '-n/--name', 'the flag -o'],
    [['--name', '--bogus'], '-n/--name', 'a word that starts with a dash'],
    [['-o', '-ojson'], '-o/--output', 'the flag -o'],
    [['--https-key', '--my-secret-password'], '--https-key', 'a word that starts with a dash'],
  ])('%j is refused', (argv, flag, what) => {
    const err = refused(argv);
    expect(err.flag).toBe(flag);
    expect(err.message).toContain('expected one argument');
    expect(err.message).toContain(what);
    expect(err.message).not.toContain('my-secret-password');
    expect(err.remedy).toContain('=VALUE');
  });

  test.each([
    [['--branch=--weird']],
    [['--https-key', '-']],
    [['--https-key', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----']],
    [['-n', '-x']],
    [['--suspend', '--branch', 'main']],
    [['--branch', 'main', '--', '--name', '--x']],
  ])('%j is accepted', (argv) => {
    expect(() => refuseFlagsAsValues(argv, SHAPE)).not.toThrow();
  });
});
