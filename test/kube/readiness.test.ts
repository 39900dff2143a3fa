import { describe, expect, test } from '@jest/globals';
import { conditionsOf, readiness, readyValue, type Condition, type KubeObject, type ObjectState } from '../../src/kube/readiness.js';

const T0 = '2024-05-01T10:00:00Z';

function cond(type: string, status: string, reason?: string, message?: string, observedGeneration?: number): Condition {
  return { type, status, ...(reason ? { reason } : {}), ...(message ? { message } : {}), lastTransitionTime: T0, ...(observedGeneration !== undefined ? { observedGeneration } : {}) };
}

interface Shape {
  kind?: string;
  generation?: number;
  observedGeneration?: number;
  lastAttemptedGeneration?: number;
  suspend?: boolean;
  deleting?: boolean;
  conditions?: Condition[];
  specType?: string;
}

function obj(s: Shape): KubeObject {
  const status: Record<string, unknown> = {};
  if (s.observedGeneration !== undefined) status.observedGeneration = s.observedGeneration;
  if (s.lastAttemptedGeneration !== undefined) status.lastAttemptedGeneration = s.lastAttemptedGeneration;
  if (s.conditions) status.conditions = s.conditions;
  return {
    kind: s.kind ?? 'Kustomization',
    metadata: {
      name: 'apps',
      namespace: 'cfg',
      ...(s.generation !== undefined ? { generation: s.generation } : {}),
      ...(s.deleting ? { deletionTimestamp: T0 } : {}),
    },
    spec: { ...(s.suspend !== undefined ? { suspend: s.suspend } : {}), ...(s.specType ? { type: s.specType } : {}) },
    status,
  };
}

const READY = cond('Ready', 'True', 'ReconciliationSucceeded', 'Applied revision: main@sha1:abc');
const NOT_READY = cond('Ready', 'False', 'BuildFailed', 'kustomize build failed');
const READY_UNKNOWN = cond('Ready', 'Unknown', 'Progressing', 'Reconciliation in progress');
const RECONCILING = cond('Reconciling', 'True', 'Progressing', 'Building manifests for revision main@sha1:abc');
const RETRYING = cond('Reconciling', 'True', 'ProgressingWithRetry', 'retrying');
const STALLED = cond('Stalled', 'True', 'InvalidCELExpression', 'bad expression');
const DEP = cond('Ready', 'False', 'DependencyNotReady', "dependency 'cfg/infra' is not ready");

// [name, object, state, ready, stalled, reason]
const table: [string, Shape, ObjectState, string, boolean, string | undefined][] = [
  // Suspension comes first, whatever else the object says; READY keeps the frozen condition.
  ['suspended and ready', { generation: 2, observedGeneration: 2, suspend: true, conditions: [READY] }, 'Suspended', 'True', false, 'Suspended'],
  ['suspended and stalled', { generation: 2, observedGeneration: 2, suspend: true, conditions: [NOT_READY, STALLED] }, 'Suspended', 'False', false, 'Suspended'],
  ['suspended while being deleted', { suspend: true, deleting: true, conditions: [READY] }, 'Suspended', 'True', false, 'Suspended'],
  ['suspend: false is not suspended', { generation: 1, observedGeneration: 1, suspend: false, conditions: [READY] }, 'Ready', 'True', false, 'ReconciliationSucceeded'],
  // Deletion next.
  ['being deleted', { generation: 1, observedGeneration: 1, deleting: true, conditions: [READY] }, 'Terminating', 'True', false, 'Terminating'],
  ['being deleted with a generation lag', { generation: 2, observedGeneration: 1, deleting: true, conditions: [READY] }, 'Terminating', 'True', false, 'Terminating'],
  // Observed generation.
  ['new generation not observed (Ready left over)', { generation: 3, observedGeneration: 2, conditions: [READY] }, 'Progressing', 'Unknown', false, 'LatestGenerationNotObserved'],
  ['never reconciled (CRD default -1)', { generation: 1, observedGeneration: -1 }, 'Progressing', 'Unknown', false, 'LatestGenerationNotObserved'],
  ['generation lag wins over Stalled', { generation: 2, observedGeneration: 1, conditions: [STALLED] }, 'Progressing', 'Unknown', false, 'LatestGenerationNotObserved'],
  ["Ready's own observedGeneration says the new generation failed", { generation: 3, observedGeneration: 2, conditions: [cond('Ready', 'False', 'BuildFailed', 'x', 3)] }, 'Failed', 'False', false, 'BuildFailed'],
  ["Ready's own observedGeneration lags", { generation: 3, observedGeneration: 3, conditions: [cond('Ready', 'True', 'ReconciliationSucceeded', 'x', 2)] }, 'Progressing', 'Unknown', false, 'LatestGenerationNotObserved'],
  ['HelmRelease: lastAttemptedGeneration is the current one', { kind: 'HelmRelease', generation: 4, observedGeneration: 3, lastAttemptedGeneration: 4, conditions: [cond('Ready', 'False', 'UpgradeFailed', 'upgrade failed')] }, 'Failed', 'False', false, 'UpgradeFailed'],
  ['no generation on record: not checked', { conditions: [READY] }, 'Ready', 'True', false, 'ReconciliationSucceeded'],
  // Reconciling.
  ['reconciling', { generation: 1, observedGeneration: 1, conditions: [READY_UNKNOWN, RECONCILING] }, 'Progressing', 'Unknown', false, 'Progressing'],
  ['reconciling wins over Stalled (kstatus order)', { generation: 1, observedGeneration: 1, conditions: [STALLED, RECONCILING] }, 'Progressing', 'Unknown', false, 'Progressing'],
  ['reconciling, Ready=True from the last run', { generation: 1, observedGeneration: 1, conditions: [READY, RECONCILING] }, 'Progressing', 'Unknown', false, 'Progressing'],
  ['retrying after a failure is a failure', { generation: 1, observedGeneration: 1, conditions: [NOT_READY, RETRYING] }, 'Failed', 'False', false, 'BuildFailed'],
  ['retrying with Ready unknown is progress', { generation: 1, observedGeneration: 1, conditions: [READY_UNKNOWN, RETRYING] }, 'Progressing', 'Unknown', false, 'ProgressingWithRetry'],
  ['Reconciling=False is ignored', { generation: 1, observedGeneration: 1, conditions: [READY, cond('Reconciling', 'False')] }, 'Ready', 'True', false, 'ReconciliationSucceeded'],
  // Stalled.
  ['stalled', { generation: 1, observedGeneration: 1, conditions: [cond('Ready', 'False', 'InvalidCELExpression', 'bad'), STALLED] }, 'Failed', 'False', true, 'InvalidCELExpression'],
  ['Stalled=False is ignored', { generation: 1, observedGeneration: 1, conditions: [READY, cond('Stalled', 'False')] }, 'Ready', 'True', false, 'ReconciliationSucceeded'],
  // Ready.
  ['ready', { generation: 1, observedGeneration: 1, conditions: [READY] }, 'Ready', 'True', false, 'ReconciliationSucceeded'],
  ['ready (status in lower case)', { generation: 1, observedGeneration: 1, conditions: [cond('Ready', 'true', 'Succeeded')] }, 'Ready', 'True', false, 'Succeeded'],
  ['ready unknown', { generation: 1, observedGeneration: 1, conditions: [READY_UNKNOWN] }, 'Progressing', 'Unknown', false, 'Progressing'],
  ['not ready: failed', { generation: 1, observedGeneration: 1, conditions: [NOT_READY] }, 'Failed', 'False', false, 'BuildFailed'],
  ['not ready: waiting on a dependency', { generation: 1, observedGeneration: 1, conditions: [DEP] }, 'Progressing', 'False', false, 'DependencyNotReady'],
  ['no Ready condition', { generation: 1, observedGeneration: 1, conditions: [cond('Healthy', 'True')] }, 'Progressing', 'Unknown', false, 'Progressing'],
  ['no status at all', { generation: 1 }, 'Progressing', 'Unknown', false, 'Progressing'],
  ['OCI HelmRepository has no status and is ready', { kind: 'HelmRepository', generation: 1, specType: 'oci' }, 'Ready', 'True', false, 'Succeeded'],
  ['HTTP HelmRepository without status is not', { kind: 'HelmRepository', generation: 1, specType: 'default' }, 'Progressing', 'Unknown', false, 'Progressing'],
];

describe('readiness follows Flux: suspended, deletion, generation, Reconciling, Stalled, Ready', () => {
  test.each(table)('%s', (_name, shape, state, ready, stalled, reason) => {
    const r = readiness(obj(shape));
    expect(r.state).toBe(state);
    expect(r.ready).toBe(ready);
    expect(r.stalled).toBe(stalled);
    expect(r.reason).toBe(reason);
  });

  test('the generation message names the kind and both generations', () => {
    expect(readiness(obj({ kind: 'GitRepository', generation: 5, observedGeneration: 4, conditions: [READY] })).message).toBe(
      'GitRepository generation is 5, but latest observed generation is 4',
    );
    expect(readiness(obj({ generation: 1, observedGeneration: -1 })).message).toBe('waiting to be reconciled');
  });

  test('reason, message and time come from the deciding condition', () => {
    const r = readiness(obj({ generation: 1, observedGeneration: 1, conditions: [cond('Ready', 'False', 'ReconciliationFailed', 'x'), { ...STALLED, lastTransitionTime: '2024-05-01T11:00:00Z' }] }));
    expect(r).toMatchObject({ reason: 'InvalidCELExpression', message: 'bad expression', since: '2024-05-01T11:00:00Z' });
    const s = readiness(obj({ suspend: true, conditions: [READY] }));
    expect(s.message).toBe('reconciliation is suspended; last status: Applied revision: main@sha1:abc');
  });

  test('the first condition of a type counts, as kstatus walks them in order', () => {
    const r = readiness(obj({ generation: 1, observedGeneration: 1, conditions: [cond('Ready', 'False', 'BuildFailed'), cond('Ready', 'True', 'Succeeded')] }));
    expect(r.state).toBe('Failed');
  });

  test('Date timestamps from the Kubernetes client become RFC 3339 text', () => {
    const o: KubeObject = { kind: 'Kustomization', metadata: { name: 'a' }, status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(Date.parse(T0)) }, 'junk', { status: 'True' }] } };
    expect(conditionsOf(o)).toEqual([{ type: 'Ready', status: 'True', lastTransitionTime: T0 }]);
    expect(readiness(o).since).toBe(T0);
  });
});

describe('READY column', () => {
  test.each([
    ['Ready', undefined, 'True'],
    ['Ready', 'False', 'True'],
    ['Failed', 'True', 'False'],
    ['Progressing', 'True', 'Unknown'],
    ['Progressing', 'False', 'False'],
    ['Progressing', undefined, 'Unknown'],
    ['Suspended', 'True', 'True'],
    ['Suspended', undefined, 'Unknown'],
    ['Terminating', 'False', 'False'],
  ] as const)('%s with Ready=%s → %s', (state, raw, expected) => {
    expect(readyValue(state, raw)).toBe(expected);
  });
});
