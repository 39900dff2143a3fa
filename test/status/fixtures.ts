/** Shared fixtures for the status tests: ARM resources shaped like the swagger examples, Flux objects shaped like the CRDs, a fake clock. */
import { readFileSync } from 'node:fs';
import { InterruptedError } from '../../src/core/errors.js';
import type { Clock } from '../../src/core/clock.js';
import type { KubeObject } from '../../src/kube/readiness.js';
import type { ArmResourceLike } from '../../src/status/azure.js';

export const SHA = '0ba6f0d30760d567de0bac86c8c4eec13ce1a590';
export const SHA2 = '3dbc5deb98d5a8099d06def8f40628ab103b0330';
export const NOW = Date.parse('2024-05-01T10:00:00Z');
export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
export const MIN = 60_000;

const root = new URL('../../', import.meta.url);

/** The body of a swagger example response, read from the repository's copy of the official specs. */
export function swaggerExample(path: string): ArmResourceLike {
  const doc = JSON.parse(readFileSync(new URL(`schemas/arm/${path}`, root), 'utf8')) as { responses: Record<string, { body: ArmResourceLike }> };
  return structuredClone(doc.responses['200']!.body);
}

export const ARC_ID = '/subscriptions/subId1/resourceGroups/rg1/providers/Microsoft.Kubernetes/connectedClusters/arc1';
export const AKS_ID = '/subscriptions/subId1/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/aks1';

export function arcCluster(connectivityStatus = 'Connected', lastConnectivityTime = iso(NOW - MIN), extra: Record<string, unknown> = {}): ArmResourceLike {
  return {
    id: ARC_ID,
    name: 'arc1',
    type: 'Microsoft.Kubernetes/connectedClusters',
    properties: { provisioningState: 'Succeeded', connectivityStatus, lastConnectivityTime, managedIdentityCertificateExpirationTime: iso(NOW + 60 * 24 * 60 * MIN), ...extra },
  };
}

export function aksCluster(): ArmResourceLike {
  return { id: AKS_ID, name: 'aks1', type: 'Microsoft.ContainerService/managedClusters', properties: { provisioningState: 'Succeeded' } };
}

export function fluxExtension(provisioningState = 'Succeeded', extra: Record<string, unknown> = {}): ArmResourceLike {
  const ext = swaggerExample('2023-05-01/examples/GetExtension.json');
  ext.name = 'flux';
  ext.id = `${ARC_ID}/providers/Microsoft.KubernetesConfiguration/extensions/flux`;
  Object.assign(ext.properties!, { extensionType: 'microsoft.flux', version: null, currentVersion: '1.15.1', provisioningState, ...extra });
  return ext;
}

interface StatusEntry {
  name: string;
  kind: string;
  namespace?: string;
  complianceState: string;
  ready?: [status: string, reason: string, message: string];
  extraConditions?: { type: string; status: string; reason: string; message: string }[];
  appliedBy?: { name: string; namespace: string };
}

function statusEntry(e: StatusEntry): Record<string, unknown> {
  const conditions = [
    ...(e.ready ? [{ lastTransitionTime: iso(NOW - 5 * MIN), status: e.ready[0], reason: e.ready[1], message: e.ready[2], type: 'Ready' }] : []),
    ...(e.extraConditions ?? []).map((c) => ({ lastTransitionTime: iso(NOW - 5 * MIN), ...c })),
  ];
  return {
    name: e.name,
    ...(e.namespace ? { namespace: e.namespace } : {}),
    kind: e.kind,
    complianceState: e.complianceState,
    appliedBy: e.appliedBy ?? null,
    helmReleaseProperties: null,
    statusConditions: e.ready || e.extraConditions ? conditions : null,
  };
}

export interface ConfigShape {
  name?: string;
  namespace?: string;
  provisioningState?: string;
  complianceState?: string;
  suspend?: boolean;
  syncedCommit?: string | null;
  statusUpdatedAt?: string | null;
  syncInterval?: number;
  errorMessage?: string;
  statuses?: StatusEntry[];
}

/** A fluxConfiguration GET body in the swagger example's shape, for configuration `cfg` in namespace `cfg-ns`. */
export function fluxConfig(shape: ConfigShape = {}): ArmResourceLike {
  const name = shape.name ?? 'cfg';
  const body = swaggerExample('2025-04-01/examples/GetFluxConfiguration.json');
  body.name = name;
  body.id = `${ARC_ID}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/${name}`;
  const p = body.properties!;
  p.namespace = shape.namespace ?? 'cfg-ns';
  p.suspend = shape.suspend ?? false;
  (p.gitRepository as Record<string, unknown>).syncIntervalInSeconds = shape.syncInterval ?? 600;
  p.kustomizations = { apps: { name: 'apps', path: './apps', syncIntervalInSeconds: shape.syncInterval ?? 600 } };
  p.provisioningState = shape.provisioningState ?? 'Succeeded';
  p.complianceState = shape.complianceState ?? 'Compliant';
  p.sourceSyncedCommitId = shape.syncedCommit === undefined ? `main/${SHA}` : shape.syncedCommit;
  p.statusUpdatedAt = shape.statusUpdatedAt === undefined ? iso(NOW - MIN) : shape.statusUpdatedAt;
  p.sourceUpdatedAt = iso(NOW - 5 * MIN);
  p.errorMessage = shape.errorMessage ?? '';
  p.statuses = (shape.statuses ?? compliantStatuses(name)).map(statusEntry);
  return body;
}

/** A compliant configuration's statuses: the source (no namespace, as in the swagger example), one Kustomization, and a HelmRelease it applied. */
export function compliantStatuses(name = 'cfg'): StatusEntry[] {
  return [
    { name, kind: 'GitRepository', complianceState: 'Compliant', ready: ['True', 'Succeeded', `stored artifact for revision 'main@sha1:${SHA}'`] },
    { name: `${name}-apps`, kind: 'Kustomization', namespace: 'cfg-ns', complianceState: 'Compliant', ready: ['True', 'ReconciliationSucceeded', `'Applied revision: main/${SHA}'`] },
    {
      name: 'podinfo',
      kind: 'HelmRelease',
      namespace: 'cfg-ns',
      complianceState: 'Compliant',
      appliedBy: { name: `${name}-apps`, namespace: 'cfg-ns' },
      ready: ['True', 'InstallSucceeded', 'Helm install succeeded for release cfg-ns/podinfo.v1 with chart podinfo@6.0.3'],
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Flux objects

export interface KubeShape {
  kind: string;
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  ready?: [status: string, reason: string, message: string];
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
  generation?: number;
  observedGeneration?: number;
  suspend?: boolean;
  status?: Record<string, unknown>;
}

const API_VERSIONS: Record<string, string> = {
  GitRepository: 'source.toolkit.fluxcd.io/v1',
  OCIRepository: 'source.toolkit.fluxcd.io/v1',
  Bucket: 'source.toolkit.fluxcd.io/v1',
  HelmRepository: 'source.toolkit.fluxcd.io/v1',
  HelmChart: 'source.toolkit.fluxcd.io/v1',
  Kustomization: 'kustomize.toolkit.fluxcd.io/v1',
  HelmRelease: 'helm.toolkit.fluxcd.io/v2',
};

/** A Flux object as the Kubernetes API returns it (spec reduced to what status reads). */
export function kube(s: KubeShape): KubeObject {
  const conditions = [
    ...(s.ready ? [{ type: 'Ready', status: s.ready[0], reason: s.ready[1], message: s.ready[2], lastTransitionTime: iso(NOW - 5 * MIN) }] : []),
    ...(s.conditions ?? []).map((c) => ({ lastTransitionTime: iso(NOW - 5 * MIN), ...c })),
  ];
  const generation = s.generation ?? 1;
  return {
    apiVersion: API_VERSIONS[s.kind] ?? 'v1',
    kind: s.kind,
    metadata: { name: s.name, namespace: s.namespace ?? 'cfg-ns', generation, labels: s.labels ?? {}, creationTimestamp: iso(NOW - 60 * MIN) },
    spec: { ...(s.suspend !== undefined ? { suspend: s.suspend } : {}) },
    status: { observedGeneration: s.observedGeneration ?? generation, conditions, ...(s.status ?? {}) },
  };
}

export const configLabels = (name = 'cfg', namespace = 'cfg-ns'): Record<string, string> => ({
  'clusterconfig.azure.com/is-managed': 'true',
  'clusterconfig.azure.com/name': name,
  'clusterconfig.azure.com/namespace': namespace,
});

export const appliedBy = (name: string, namespace = 'cfg-ns'): Record<string, string> => ({
  'kustomize.toolkit.fluxcd.io/name': name,
  'kustomize.toolkit.fluxcd.io/namespace': namespace,
});

/** The in-cluster objects of the compliant configuration of compliantStatuses(). */
export function compliantObjects(name = 'cfg'): KubeObject[] {
  return [
    kube({
      kind: 'GitRepository',
      name,
      labels: configLabels(name),
      ready: ['True', 'Succeeded', `stored artifact for revision 'main@sha1:${SHA}'`],
      status: { artifact: { revision: `main@sha1:${SHA}`, lastUpdateTime: iso(NOW - 5 * MIN) } },
    }),
    kube({
      kind: 'Kustomization',
      name: `${name}-apps`,
      labels: configLabels(name),
      ready: ['True', 'ReconciliationSucceeded', `Applied revision: main@sha1:${SHA}`],
      status: { lastAppliedRevision: `main@sha1:${SHA}`, lastAttemptedRevision: `main@sha1:${SHA}` },
    }),
    kube({
      kind: 'HelmRelease',
      name: 'podinfo',
      labels: appliedBy(`${name}-apps`),
      ready: ['True', 'InstallSucceeded', 'Helm install succeeded for release cfg-ns/podinfo.v1 with chart podinfo@6.0.3'],
      status: { history: [{ chartVersion: '6.0.3', status: 'deployed' }], lastAttemptedRevision: '6.0.3' },
    }),
  ];
}

// ---------------------------------------------------------------------------------------------
// A fake clock: sleeping moves time forward at once, and is recorded.

export interface FakeClock extends Clock {
  sleeps: number[];
  advance(ms: number): void;
}

export function fakeClock(start = NOW): FakeClock {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw new InterruptedError('interrupted');
      sleeps.push(ms);
      now += ms;
      await Promise.resolve();
      if (signal?.aborted) throw new InterruptedError('interrupted');
    },
  };
}
