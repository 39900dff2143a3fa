/**
 * Redaction by structure: secret fields hidden where they sit, nothing else changed, so printed
 * JSON and YAML stay valid whatever the secret is; text redaction for free text.
 */
import { describe, test, expect } from '@jest/globals';
import { formatOutput } from '../../src/core/output.js';
import { REDACTED, Redactor } from '../../src/core/redact.js';

const REQUEST = {
  method: 'PUT',
  body: {
    properties: {
      suspend: true,
      gitRepository: { url: 'https://github.com/org/main', repositoryRef: { branch: 'main' } },
      azureBlob: { accountKey: 'AccountKey==', servicePrincipal: { clientId: 'id', clientSecret: 'true' } },
      kustomizations: { main: { path: './main', prune: true } },
      configurationProtectedSettings: { httpsKey: 'bWFpbg==', empty: '' },
    },
  },
};

describe('redactData', () => {
  test.each(['main', 'true', 'prune', 'properties', 'url'])('a secret equal to an ordinary value (%s) hides only its own fields', (secret) => {
    const r = new Redactor();
    r.add(secret);
    const out = r.redactData(REQUEST);
    expect(out.body.properties.gitRepository).toEqual(REQUEST.body.properties.gitRepository);
    expect(out.body.properties.kustomizations).toEqual(REQUEST.body.properties.kustomizations);
    expect(out.body.properties.suspend).toBe(true);
    expect(out.body.properties.azureBlob).toEqual({ accountKey: REDACTED, servicePrincipal: { clientId: 'id', clientSecret: REDACTED } });
    expect(out.body.properties.configurationProtectedSettings).toEqual({ httpsKey: REDACTED, empty: '' });
    for (const format of ['json', 'yaml'] as const) {
      const text = formatOutput(out, { format, color: false });
      if (format === 'json') expect(JSON.parse(text)).toEqual(out);
    }
  });

  test('a distinctive secret is found inside other values too', () => {
    const r = new Redactor();
    r.add('tok-1234567890');
    expect(r.redactData({ errorMessage: 'fetch https://x:tok-1234567890@host failed', n: 1 })).toEqual({ errorMessage: `fetch https://x:${REDACTED}@host failed`, n: 1 });
  });

  test('the values of a Kubernetes Secret, and keys left as they are', () => {
    const r = new Redactor();
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'auth' }, stringData: { password: 'p', __proto__x: 'q' }, data: { key: 'eA==' } };
    expect(r.redactData(secret)).toEqual({ ...secret, stringData: { password: REDACTED, __proto__x: REDACTED }, data: { key: REDACTED } });
  });

  test('an own __proto__ key stays data', () => {
    const r = new Redactor();
    const value = JSON.parse('{"substitute": {"__proto__": "x", "toString": "y"}}') as unknown;
    expect(JSON.stringify(r.redactData(value))).toBe('{"substitute":{"__proto__":"x","toString":"y"}}');
  });
});

describe('redact (free text)', () => {
  test('every registered form, longest first', () => {
    const r = new Redactor();
    r.add('pass\nword');
    expect(r.redact('a pass\nword b cGFzcwp3b3Jk c "pass\\nword"')).toBe(`a ${REDACTED} b ${REDACTED} c "${REDACTED}"`);
  });

  test('a length floor leaves short secrets to structure', () => {
    const r = new Redactor();
    r.add('main');
    expect(r.redact('branch main', 8)).toBe('branch main');
    expect(r.redact('branch main')).toBe(`branch ${REDACTED}`);
  });
});
