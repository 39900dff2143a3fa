import { describe, expect, test } from '@jest/globals';
import { displayRevision, normalizeRevision, rollUpCompliance, shortenHex, sortObjects, type ObjectStatus } from '../../src/status/model.js';
import { SHA } from './fixtures.js';

const SHA256 = 'a'.repeat(8) + 'b'.repeat(56);

describe('revisions: one form for both Flux formats', () => {
  test.each([
    [`main@sha1:${SHA}`, `main@sha1:${SHA}`, 'main@sha1:0ba6f0d3'],
    [`main/${SHA}`, `main@sha1:${SHA}`, 'main@sha1:0ba6f0d3'],
    [`'main/${SHA}'`, `main@sha1:${SHA}`, 'main@sha1:0ba6f0d3'],
    [`main/${SHA.toUpperCase()}`, `main@sha1:${SHA}`, 'main@sha1:0ba6f0d3'],
    [`refs/heads/main/${SHA}`, `refs/heads/main@sha1:${SHA}`, 'refs/heads/main@sha1:0ba6f0d3'],
    [`refs/heads/main@sha1:${SHA}`, `refs/heads/main@sha1:${SHA}`, 'refs/heads/main@sha1:0ba6f0d3'],
    [`feature/login/${SHA}`, `feature/login@sha1:${SHA}`, 'feature/login@sha1:0ba6f0d3'],
    [`HEAD/${SHA}`, `sha1:${SHA}`, 'sha1:0ba6f0d3'],
    [`sha1:${SHA}`, `sha1:${SHA}`, 'sha1:0ba6f0d3'],
    [SHA, `sha1:${SHA}`, 'sha1:0ba6f0d3'],
    [`sha256:${SHA256}`, `sha256:${SHA256}`, 'sha256:aaaaaaaa'],
    [`v1.2.3@sha256:${SHA256}`, `v1.2.3@sha256:${SHA256}`, 'v1.2.3@sha256:aaaaaaaa'],
    [`main@sha256:${SHA256}`, `main@sha256:${SHA256}`, 'main@sha256:aaaaaaaa'],
    ['6.0.3+4e5cbb7b97d0', '6.0.3+4e5cbb7b97d0', '6.0.3+4e5cbb7b97d0'],
    ['6.0.3+1', '6.0.3+1', '6.0.3+1'],
    ['6.0.3', '6.0.3', '6.0.3'],
    ['main/not-a-sha', 'main/not-a-sha', 'main/not-a-sha'],
  ])('%s → %s, shown %s', (input, normalized, shown) => {
    expect(normalizeRevision(input)).toBe(normalized);
    expect(displayRevision(input)).toBe(shown);
  });

  test('both formats of one commit are equal once normalized', () => {
    expect(normalizeRevision(`main/${SHA}`)).toBe(normalizeRevision(`main@sha1:${SHA}`));
    expect(normalizeRevision(`main/${SHA}`)).not.toBe(normalizeRevision(`dev@sha1:${SHA}`));
  });

  test.each([[undefined], [null], [''], ['  ']])('nothing from %p', (input) => {
    expect(normalizeRevision(input)).toBeUndefined();
    expect(displayRevision(input ?? undefined)).toBe('');
  });

  test('hex runs of 40 to 128 characters are shortened in messages, shorter ones are not', () => {
    expect(shortenHex(`Applied revision: main@sha1:${SHA} and 4e5cbb7b97d0`)).toBe('Applied revision: main@sha1:0ba6f0d3 and 4e5cbb7b97d0');
    expect(shortenHex('x'.repeat(3) + 'a'.repeat(39))).toBe('xxx' + 'a'.repeat(39));
    expect(shortenHex('a'.repeat(129))).toBe('a'.repeat(129));
  });
});

const o = (kind: string, name: string, state: ObjectStatus['state'] = 'Ready', namespace = 'ns'): ObjectStatus => ({ kind, namespace, name, ready: state === 'Ready' ? 'True' : 'Unknown', state, stalled: false });

describe('order and roll-up', () => {
  test('objects sort by dependency order, then namespace and name', () => {
    const sorted = sortObjects([o('HelmRelease', 'b'), o('Kustomization', 'z'), o('Widget', 'a'), o('GitRepository', 'x'), o('HelmRelease', 'a'), o('HelmChart', 'c'), o('Kustomization', 'a', 'Ready', 'aa')]);
    expect(sorted.map((x) => `${x.kind}/${x.namespace}/${x.name}`)).toEqual([
      'GitRepository/ns/x',
      'HelmChart/ns/c',
      'Kustomization/aa/a',
      'Kustomization/ns/z',
      'HelmRelease/ns/a',
      'HelmRelease/ns/b',
      'Widget/ns/a',
    ]);
  });

  test.each([
    [[], false, 'Pending'],
    [[o('Kustomization', 'a')], true, 'Suspended'],
    [[o('Kustomization', 'a'), o('GitRepository', 'b')], false, 'Compliant'],
    [[o('Kustomization', 'a'), o('GitRepository', 'b', 'Progressing')], false, 'Pending'],
    [[o('Kustomization', 'a', 'Failed'), o('GitRepository', 'b', 'Progressing')], false, 'Non-Compliant'],
    [[o('Kustomization', 'a', 'Suspended'), o('GitRepository', 'b')], false, 'Pending'],
  ] as const)('%j (suspended %s) → %s', (objects, suspended, expected) => {
    expect(rollUpCompliance([...objects], suspended)).toBe(expected);
  });
});
