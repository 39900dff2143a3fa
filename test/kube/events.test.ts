/**
 * Events as k8s-gitops prints them: from client-node's typed objects (Dates) and from raw JSON
 * (a watch), whichever time fields they carry; newest last, ties in the order the API server
 * wrote them; an aggregated event seen again is a new occurrence.
 */
import { describe, expect, test } from '@jest/globals';
import { occurrence, sortEvents, toFluxEvent } from '../../src/kube/events.js';

const involved = { kind: 'Kustomization', namespace: 'cfg', name: 'cfg-infra', uid: 'u1', apiVersion: 'kustomize.toolkit.fluxcd.io/v1' };

describe('toFluxEvent', () => {
  test('a core/v1 Event as client-node returns it (Dates) and as a watch sends it (strings)', () => {
    const typed = {
      metadata: { name: 'cfg-infra.1', namespace: 'cfg', resourceVersion: '12' },
      involvedObject: involved,
      type: 'Warning',
      reason: 'BuildFailed',
      message: 'kustomize build failed:\nline two',
      count: 3,
      source: { component: 'kustomize-controller' },
      firstTimestamp: new Date('2026-01-01T10:00:00Z'),
      lastTimestamp: new Date('2026-01-01T10:05:00Z'),
    };
    const expected = {
      lastSeen: '2026-01-01T10:05:00Z',
      firstSeen: '2026-01-01T10:00:00Z',
      type: 'Warning',
      reason: 'BuildFailed',
      object: { kind: 'Kustomization', namespace: 'cfg', name: 'cfg-infra' },
      message: 'kustomize build failed:\nline two',
      count: 3,
      source: 'kustomize-controller',
      name: 'cfg-infra.1',
      namespace: 'cfg',
      resourceVersion: '12',
    };
    expect(toFluxEvent(typed)).toEqual(expected);
    expect(toFluxEvent(JSON.parse(JSON.stringify(typed)))).toEqual({ ...expected, lastSeen: '2026-01-01T10:05:00.000Z', firstSeen: '2026-01-01T10:00:00.000Z' });
  });

  test('newer events: eventTime and series instead of the deprecated timestamps; reportingComponent as the source', () => {
    const e = toFluxEvent({ metadata: { name: 'x', namespace: 'cfg' }, involvedObject: involved, reason: 'Progressing', message: 'm', eventTime: '2026-01-01T10:00:00.123456Z', series: { count: 4, lastObservedTime: '2026-01-01T11:00:00.5Z' }, reportingComponent: 'kustomize-controller' });
    expect(e).toMatchObject({ lastSeen: '2026-01-01T11:00:00.5Z', firstSeen: '2026-01-01T10:00:00.123456Z', count: 4, type: 'Normal', source: 'kustomize-controller' });
  });
});

describe('sortEvents', () => {
  test('by last seen, then by resourceVersion within the same second; occurrences differ by count', () => {
    const at = (t: string, rv: string, name: string) => toFluxEvent({ metadata: { name, namespace: 'cfg', resourceVersion: rv }, involvedObject: involved, reason: name, message: '', lastTimestamp: t });
    const events = [at('2026-01-01T10:00:01Z', '9', 'c'), at('2026-01-01T10:00:00Z', '20', 'b'), at('2026-01-01T10:00:00Z', '3', 'a'), at('2026-01-01T09:59:00Z', '50', 'first')];
    expect(sortEvents(events).map((e) => e.reason)).toEqual(['first', 'a', 'b', 'c']);
    const once = toFluxEvent({ metadata: { name: 'e', namespace: 'cfg' }, involvedObject: involved, count: 1 });
    const again = toFluxEvent({ metadata: { name: 'e', namespace: 'cfg' }, involvedObject: involved, count: 2 });
    expect(occurrence(once)).not.toBe(occurrence(again));
  });
});
