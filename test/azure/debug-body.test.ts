/**
 * What --debug shows of a request body: secret fields masked where they sit, even when the
 * secret was never registered with the text redactor (the last line of defence, not the first).
 */
import { describe, test, expect } from '@jest/globals';
import { bodyForLog } from '../../src/azure/client.js';

describe('--debug request bodies', () => {
  test('protected settings and x-ms-secret properties are masked, everything else kept', () => {
    const body = {
      properties: {
        gitRepository: { url: 'https://example.com/repo', repositoryRef: { branch: 'main' } },
        azureBlob: { accountKey: 'never-registered-key', containerName: 'c' },
        configurationProtectedSettings: { httpsKey: 'bWFpbg==', sshPrivateKey: 'a2V5' },
      },
    };
    const shown = JSON.parse(bodyForLog(JSON.stringify(body)));
    expect(shown).toEqual({
      properties: {
        gitRepository: { url: 'https://example.com/repo', repositoryRef: { branch: 'main' } },
        azureBlob: { accountKey: '[REDACTED]', containerName: 'c' },
        configurationProtectedSettings: { httpsKey: '[REDACTED]', sshPrivateKey: '[REDACTED]' },
      },
    });
  });

  test('a body that is not JSON is shown as it is, for the log to redact as text', () => {
    expect(bodyForLog('grant_type=x')).toBe('grant_type=x');
  });
});
