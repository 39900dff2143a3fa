import { describe, test, expect, beforeEach } from '@jest/globals';
import { REDACTED, redactor } from '../../src/core/redact.js';
import { decodeMaybeBase64, isBase64, readFileFor, readSecret, readValue, resetStdinClaim } from '../../src/model/input.js';
import { expectUsageError, fakeInput } from '../helpers/input.js';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

beforeEach(() => {
  resetStdinClaim();
});

describe('readSecret', () => {
  test('a literal value is returned with a warning that names the flag and the safer forms', () => {
    const input = fakeInput();
    expect(readSecret('--https-key', 'literal-token-1', input)).toBe('literal-token-1');
    expect(input.warnings).toHaveLength(1);
    expect(input.warnings[0]).toContain('--https-key');
    expect(input.warnings[0]).toContain('shell history');
    expect(input.warnings[0]).toContain('@FILE');
    expect(input.filesRead).toEqual([]);
    expect(input.stdinReads).toBe(0);
  });

  test.each([
    ['@/secrets/token', { files: { '/secrets/token': 'file-token-2' } }, 'file-token-2'],
    ['-', { stdin: 'stdin-token-3' }, 'stdin-token-3'],
  ])('%s is read without a warning', (raw, options, value) => {
    const input = fakeInput(options);
    expect(readSecret('--https-key', raw, input)).toBe(value);
    expect(input.warnings).toEqual([]);
  });

  test.each([
    ['literal-token-4', {}],
    ['@/s/token', { files: { '/s/token': 'file-token-5\n' } }],
    ['-', { stdin: 'stdin-token-6\n' }],
  ])('every form is registered with the redactor: %s', (raw, options) => {
    const value = readSecret('--sas-token', raw, fakeInput(options), { trimTrailingNewline: true });
    expect(value).not.toMatch(/\n$/);
    const text = `sent ${value} and ${b64(value)} away`;
    const redacted = redactor.redact(text);
    expect(redacted).not.toContain(value);
    expect(redacted).not.toContain(b64(value));
    expect(redacted).toContain(REDACTED);
  });

  test('one trailing newline is kept unless asked to trim it', () => {
    const input = fakeInput({ files: { '/k': 'multi\nline\n' } });
    expect(readSecret('--ssh-private-key', '@/k', input)).toBe('multi\nline\n');
    expect(readSecret('--https-key', '@/k', input, { trimTrailingNewline: true })).toBe('multi\nline');
  });

  test('an empty literal secret is rejected', () => {
    const err = expectUsageError(() => readSecret('--https-key', '', fakeInput()));
    expect(err.message).toContain('--https-key');
    expect(err.message).toContain('empty');
  });

  test.each([
    ['@/missing', {}, 'no such file'],
    ['@/dir', { directories: ['/dir'] }, 'it is a directory'],
    ['@/empty', { files: { '/empty': '  \n' } }, 'empty'],
    ['-', { stdin: '' }, 'standard input'],
  ])('%s is rejected naming the flag', (raw, options, why) => {
    const err = expectUsageError(() => readSecret('--https-key', raw, fakeInput(options)));
    expect(err.flag).toBe('--https-key');
    expect(err.message).toContain('--https-key');
    expect(err.message).toContain(why);
    if (raw.startsWith('@')) expect(err.message).toContain(raw.slice(1));
  });
});

describe('standard input is read by one flag only', () => {
  test('a second flag reading - is rejected, naming the first', () => {
    const input = fakeInput({ stdin: 'first-secret-7' });
    expect(readSecret('--https-key', '-', input)).toBe('first-secret-7');
    const err = expectUsageError(() => readValue('--https-ca-cert', '-', input));
    expect(err.flag).toBe('--https-ca-cert');
    expect(err.message).toContain('--https-key');
    expect(input.stdinReads).toBe(1);
  });

  test('resetStdinClaim starts a new process', () => {
    readSecret('--https-key', '-', fakeInput({ stdin: 'first-secret-8' }));
    resetStdinClaim();
    expect(readValue('--known-hosts', '-', fakeInput({ stdin: 'hosts' }))).toBe('hosts');
  });
});

describe('readValue', () => {
  test.each([
    ['plain text', {}, 'plain text'],
    ['@/ca.pem', { files: { '/ca.pem': 'PEM' } }, 'PEM'],
    ['-', { stdin: 'from stdin' }, 'from stdin'],
  ])('%s', (raw, options, value) => {
    const input = fakeInput(options);
    expect(readValue('--https-ca-cert', raw, input)).toBe(value);
    expect(input.warnings).toEqual([]);
  });

  test('a value that is not secret is not registered with the redactor', () => {
    const value = 'not-a-secret-public-value-9';
    readValue('--known-hosts', value, fakeInput());
    expect(redactor.redact(value)).toBe(value);
  });
});

describe('readFileFor', () => {
  test('returns the content', () => {
    expect(readFileFor('-f/--file', 'c.yaml', fakeInput({ files: { 'c.yaml': 'name: x\n' } }))).toBe('name: x\n');
  });

  test.each([
    [{}, 'no such file'],
    [{ directories: ['c.yaml'] }, 'directory'],
    [{ files: { 'c.yaml': '\n\n' } }, 'empty'],
  ])('rejects %j', (options, why) => {
    const err = expectUsageError(() => readFileFor('-f/--file', 'c.yaml', fakeInput(options)));
    expect(err.message).toContain('-f/--file');
    expect(err.message).toContain('c.yaml');
    expect(err.message).toContain(why);
  });
});

describe('isBase64', () => {
  test.each([
    ['aGVsbG8=', true],
    ['aGVsbG8gd29ybGQ=', true],
    ['YQ==', true],
    ['aGVs\nbG8g\nd29y\nbGQ=', true],
    ['aGVsbG8', false],
    ['hello world', false],
    ['-----BEGIN CERTIFICATE-----', false],
    ['', false],
    ['a===', false],
  ])('%j → %s', (text, value) => {
    expect(isBase64(text)).toBe(value);
  });
});

describe('decodeMaybeBase64', () => {
  const looksRaw = (t: string): boolean => t.startsWith('RAW:');

  test.each([
    ['RAW: content', 'RAW: content'],
    [b64('RAW: content'), 'RAW: content'],
    [b64('RAW: content').replace(/(.{4})/g, '$1\n'), 'RAW: content'],
  ])('%j', (value, decoded) => {
    expect(decodeMaybeBase64('--known-hosts', value, looksRaw)).toBe(decoded);
  });

  test('text that is neither is rejected', () => {
    const err = expectUsageError(() => decodeMaybeBase64('--known-hosts', 'not base64!', looksRaw));
    expect(err.message).toContain('--known-hosts');
  });

  test('base64 of binary data is rejected', () => {
    const binary = Buffer.from([0xff, 0xfe, 0xfd, 0x00, 0x80, 0x81]).toString('base64');
    const err = expectUsageError(() => decodeMaybeBase64('--known-hosts', binary, looksRaw));
    expect(err.message).toContain('--known-hosts');
  });
});
