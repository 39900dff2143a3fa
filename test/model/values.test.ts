import { describe, test, expect } from '@jest/globals';
import { parseBoolean, parseChoice, parseDnsLabel, parseObjectName, splitKeyValue } from '../../src/model/values.js';
import { expectUsageError } from '../helpers/input.js';

describe('parseBoolean', () => {
  test.each([
    ['true', true],
    ['TRUE', true],
    ['True', true],
    ['yes', true],
    ['YES', true],
    ['Yes', true],
    ['1', true],
    ['false', false],
    ['FALSE', false],
    ['False', false],
    ['no', false],
    ['NO', false],
    ['No', false],
    ['0', false],
  ])('%s → %s', (text, value) => {
    expect(parseBoolean('--suspend', text)).toBe(value);
  });

  test.each([[true], [false]])('a bare switch (%s) passes through', (value) => {
    expect(parseBoolean('--suspend', value)).toBe(value);
  });

  test.each([['maybe'], [''], ['y'], ['n'], ['2'], ['-1'], ['truee'], ['nope']])('%j is rejected', (text) => {
    const err = expectUsageError(() => parseBoolean('--suspend', text));
    expect(err.flag).toBe('--suspend');
    expect(err.message).toContain('--suspend');
    expect(err.message).toContain(`'${text}'`);
  });
});

describe('parseDnsLabel', () => {
  test.each([['a'], ['default'], ['flux-system'], ['0abc'], ['123'], ['a1-b2'], ['a'.repeat(63)]])('%s is a DNS label', (value) => {
    expect(parseDnsLabel('--namespace', value, 'namespace')).toBe(value);
  });

  test.each([
    ['a'.repeat(64), '64'],
    ['Default', 'not a valid'],
    ['my_ns', 'not a valid'],
    ['-ns', 'not a valid'],
    ['ns-', 'not a valid'],
    ['a.b', 'not a valid'],
    ['a b', 'not a valid'],
  ])('%s is rejected', (value, why) => {
    const err = expectUsageError(() => parseDnsLabel('--namespace', value, 'namespace'));
    expect(err.flag).toBe('--namespace');
    expect(err.message).toContain('--namespace');
    expect(err.message).toContain(`'${value}'`);
    expect(err.message).toContain(why);
  });

  test('an empty label is rejected', () => {
    const err = expectUsageError(() => parseDnsLabel('--namespace', '', 'namespace'));
    expect(err.message).toContain('--namespace');
    expect(err.message).toContain('empty');
  });
});

describe('parseObjectName', () => {
  test.each([
    ['a'],
    ['cluster-config'],
    ['1config'],
    ['123'],
    ['a.b'],
    ['a-b.c-d'],
    ['a'.repeat(63)],
    [`${'a'.repeat(31)}.${'b'.repeat(31)}`],
  ])('%s is an object name', (value) => {
    expect(parseObjectName('-n/--name', value, 'configuration name')).toBe(value);
  });

  test.each([
    ['a'.repeat(64), /64 characters.*at most 63/],
    ['MyConfig', /not a valid/],
    ['my_config', /not a valid/],
    ['-config', /not a valid/],
    ['config-', /not a valid/],
    ['.config', /not a valid/],
    ['config.', /not a valid/],
    ['a..b', /not a valid/],
    ['a.-b', /not a valid/],
    ['a b', /not a valid/],
    ['a/b', /not a valid/],
  ])('%s is rejected', (value, why) => {
    const err = expectUsageError(() => parseObjectName('-n/--name', value, 'configuration name'));
    expect(err.flag).toBe('-n/--name');
    expect(err.message).toContain('-n/--name');
    expect(err.message).toContain(`'${value}'`);
    expect(err.message).toMatch(why);
  });

  test.each([['-config'], ['config-'], ['.config'], ['config.']])('%s is told that names cannot begin or end with a hyphen or period', (value) => {
    const err = expectUsageError(() => parseObjectName('-n/--name', value, 'configuration name'));
    expect(err.remedy).toMatch(/begin or end/);
  });

  test('upper case is told that names are lower-case', () => {
    const err = expectUsageError(() => parseObjectName('-n/--name', 'MyConfig', 'configuration name'));
    expect(err.remedy).toMatch(/lower-case/i);
  });

  test('an empty name is rejected', () => {
    const err = expectUsageError(() => parseObjectName('-n/--name', '', 'configuration name'));
    expect(err.message).toContain('-n/--name');
  });

  test('a larger limit lets longer subdomains through and still applies', () => {
    const long = `${'a'.repeat(63)}.${'b'.repeat(63)}`;
    expect(parseObjectName('--local-auth-ref', long, 'secret name', 253)).toBe(long);
    expectUsageError(() => parseObjectName('--local-auth-ref', 'a'.repeat(254), 'secret name', 253));
  });
});

describe('splitKeyValue', () => {
  test.each([
    ['a=b', ['a', 'b']],
    ['path=a=b', ['path', 'a=b']],
    ['a=', ['a', '']],
    ['key=with spaces', ['key', 'with spaces']],
  ])('%s', (token, pair) => {
    expect(splitKeyValue('--config', token)).toEqual(pair);
  });

  test.each([['novalue'], ['=value'], ['']])('%j is rejected', (token) => {
    const err = expectUsageError(() => splitKeyValue('--config', token));
    expect(err.message).toContain('--config');
    expect(err.message).toContain(`'${token}'`);
    expect(err.message).toContain('key=value');
  });
});

describe('parseChoice', () => {
  const kinds = ['git', 'bucket', 'azblob', 'oci'] as const;
  test.each([
    ['git', 'git'],
    ['GIT', 'git'],
    ['Bucket', 'bucket'],
    [' oci ', 'oci'],
  ])('%j → %s', (text, value) => {
    expect(parseChoice('--kind', text, kinds)).toBe(value);
  });

  test('returns the canonical spelling', () => {
    expect(parseChoice('-t/--cluster-type', 'MANAGEDCLUSTERS', ['managedClusters', 'connectedClusters'] as const)).toBe('managedClusters');
  });

  test('an unknown value is rejected with the accepted values', () => {
    const err = expectUsageError(() => parseChoice('--kind', 'svn', kinds));
    expect(err.message).toContain('--kind');
    expect(err.message).toContain("'svn'");
    expect(err.remedy).toContain('git, bucket, azblob, oci');
  });
});
