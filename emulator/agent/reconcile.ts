/**
 * What Flux's controllers do when a client changes one of their objects through the cluster's
 * Kubernetes API: a new `reconcile.fluxcd.io/requestedAt` token (Flux's "reconcile now") or a
 * new spec (a new generation) makes the object's controller reconcile it again.
 *
 * The object turns Reconciling/Progressing at once; after half the reconcile delay it reaches its
 * outcome — a configuration's Kustomization applies again from the source (with its live
 * `spec.path`, so an edit made behind Azure's back takes effect) and fails as the faults say; a
 * source stores its artifact again; Helm objects are ready as before — and the controller's
 * final status patch echoes the token in `status.lastHandledReconcileAt`. A suspended object only
 * echoes the token: kustomize-controller's deferred status patch runs for suspended objects too.
 * Every step is reported to Azure and committed to the cluster's API, so both views agree and
 * each transition becomes an event.
 */
import type { ClusterState } from '../arm/records.js';
import { isoSeconds } from '../util.js';
import type { World } from '../world.js';
import { kustomizationsOf, sourcePlan, type Agent } from './agent.js';
import { readyCondition, removeCondition, setCondition, type Condition, type FluxObject } from './objects.js';

const PROGRESSING = 'Reconciliation in progress';
const SOURCE_KINDS = new Set(['GitRepository', 'Bucket', 'OCIRepository']);

/** The latest rerun of each object: an older one that is still pending gives way. */
const reruns = new WeakMap<FluxObject, number>();

export interface Edit {
  /** The spec changed (the generation was bumped). */
  spec: boolean;
  /** The new `reconcile.fluxcd.io/requestedAt` token, when it changed. */
  requestedAt?: string;
}

export function rerun(agent: Agent, world: World, cluster: ClusterState, obj: FluxObject, edit: Edit): void {
  const store = agent.objects(cluster);
  const record = agent.recordOf(cluster, obj);
  const commit = (): void => (record ? agent.report(record) : agent.commit(cluster));
  // Nothing handles the request while the controllers are not running (extension gone, cluster offline).
  if (!world.agentRunning(cluster) || (edit.requestedAt === undefined && !edit.spec)) return commit();
  const delay = Math.max(50, world.options.reconcileDelayMs / 2);
  const run = (reruns.get(obj) ?? 0) + 1;
  reruns.set(obj, run);
  const current = (): boolean => reruns.get(obj) === run && store.get(obj.kind, obj.namespace, obj.name) === obj;

  if (obj.spec.suspend === true) {
    commit();
    world.scheduler.after(delay, () => {
      if (!current()) return;
      if (edit.requestedAt !== undefined) obj.lastHandledReconcileAt = edit.requestedAt;
      commit();
    });
    return;
  }

  const before = readyCondition(obj);
  const previous: Condition | undefined = before ? { ...before } : undefined;
  const configurationRun = record ? agent.currentRun(record) : 0;
  setCondition(obj, 'Reconciling', 'True', 'Progressing', PROGRESSING);
  setCondition(obj, 'Ready', 'Unknown', 'Progressing', PROGRESSING);
  commit();

  world.scheduler.after(delay, () => {
    if (!current()) return;
    // A new delivery of the configuration took over the object: it answers for the outcome.
    if (!record || agent.currentRun(record) === configurationRun) outcome(agent, cluster, obj, previous);
    removeCondition(obj, 'Reconciling');
    if (edit.requestedAt !== undefined) obj.lastHandledReconcileAt = edit.requestedAt;
    commit();
  });
}

function outcome(agent: Agent, cluster: ClusterState, obj: FluxObject, previous: Condition | undefined): void {
  const record = agent.recordOf(cluster, obj);
  if (record && !obj.appliedBy && obj.kind === 'Kustomization') {
    const key = obj.name.startsWith(`${record.name}-`) ? obj.name.slice(record.name.length + 1) : '';
    const k = kustomizationsOf(record.spec).find(([name]) => name === key)?.[1];
    if (k) {
      agent.applyKustomization(record, agent.objects(cluster), sourcePlan(record.spec), key, { ...k, path: typeof obj.spec.path === 'string' ? obj.spec.path : k.path });
      return;
    }
  }
  obj.observedGeneration = obj.generation;
  if (record && !obj.appliedBy && SOURCE_KINDS.has(obj.kind)) {
    const plan = sourcePlan(record.spec);
    obj.artifactRevision = plan.revision;
    obj.artifactUpdated = isoSeconds();
    setCondition(obj, 'Ready', 'True', 'Succeeded', plan.message);
    return;
  }
  // Objects applied from the repository come out as they were when they last succeeded.
  if (previous?.status === 'True') setCondition(obj, 'Ready', 'True', previous.reason, previous.message);
  else setCondition(obj, 'Ready', 'True', 'Succeeded', `${obj.kind} reconciled`);
}
