/**
 * The pieces of the ARM transport that read what Azure sends: Retry-After in all its forms, and
 * which credential of a failed chain failed for what reason (from the errors @azure/identity
 * really raises). The behaviour end to end is in test/e2e/transport.test.ts and waits.test.ts.
 */
import { describe, test, expect } from '@jest/globals';
import { AggregateAuthenticationError, AzureCliCredential, CredentialUnavailableError, EnvironmentCredential } from '@azure/identity';
import { retryAfterOf } from '../../src/azure/client.js';
import { credentialFailures } from '../../src/azure/credential.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('retryAfterOf', () => {
  test.each([0, 1, 7, 59, 3600, 86_400])('Retry-After: %i seconds', (s) => {
    expect(retryAfterOf({ 'retry-after': String(s) }, NOW)).toBe(s * 1000);
  });

  test.each([0, 250, 1500, 90_000])('retry-after-ms and x-ms-retry-after-ms: %i, before Retry-After', (ms) => {
    expect(retryAfterOf({ 'retry-after-ms': String(ms), 'retry-after': '3600' }, NOW)).toBe(ms);
    expect(retryAfterOf({ 'x-ms-retry-after-ms': String(ms), 'retry-after': '3600' }, NOW)).toBe(ms);
  });

  test.each([1, 30, 600, 7200])('an HTTP date %i seconds ahead', (s) => {
    expect(retryAfterOf({ 'retry-after': new Date(NOW + s * 1000).toUTCString() }, NOW)).toBe(s * 1000);
  });

  test('a date in the past is now; fractions round up', () => {
    expect(retryAfterOf({ 'retry-after': new Date(NOW - 60_000).toUTCString() }, NOW)).toBe(0);
    expect(retryAfterOf({ 'retry-after': '1.5' }, NOW)).toBe(1500);
  });

  test.each(['', ' ', 'soon', '-1', '1e3', 'NaN'])('%j is no Retry-After at all', (value) => {
    expect(retryAfterOf({ 'retry-after': value }, NOW)).toBeUndefined();
  });

  test('absent', () => {
    expect(retryAfterOf({}, NOW)).toBeUndefined();
  });
});

describe('credentialFailures', () => {
  test('names each credential of a chain from the errors the SDK raises, in order, without troubleshooting links', async () => {
    // Real errors of real credentials: nothing in the environment, no az on PATH.
    const environment = await new EnvironmentCredential().getToken('https://management.azure.com/.default').catch((e: unknown) => e);
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    const cli = await new AzureCliCredential().getToken('https://management.azure.com/.default').catch((e: unknown) => e);
    process.env.PATH = path;
    const managed = new CredentialUnavailableError('ManagedIdentityCredential: Network unreachable. Message: network_error: See https://aka.ms/msal.js.errors#network_error for details');
    const failures = credentialFailures(new AggregateAuthenticationError([environment, managed, cli], 'ChainedTokenCredential authentication failed.'));
    expect(failures.map((f) => f.credential)).toEqual([
      'environment variables (EnvironmentCredential)',
      'managed identity (ManagedIdentityCredential)',
      'Azure CLI (AzureCliCredential)',
    ]);
    for (const f of failures) {
      expect(f.reason).not.toMatch(/https?:\/\//);
      expect(f.reason).not.toContain('\n');
      expect(f.reason.length).toBeGreaterThan(0);
    }
    expect(failures[1]!.reason).toBe('Network unreachable. Message: network_error');
  });

  test('a single error that is not a chain is one failure', () => {
    expect(credentialFailures(new Error('something else'))).toEqual([{ credential: 'credential 1', reason: 'something else' }]);
  });
});
