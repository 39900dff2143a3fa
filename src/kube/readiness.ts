/**
 * Readiness of one Flux object read from the Kubernetes API, following Flux's own rules (the
 * order kstatus and the Flux CLI use):
 *
 *   1. `spec.suspend: true`                       → Suspended (status is frozen, so checked first)
 *   2. `metadata.deletionTimestamp` set           → Terminating
 *   3. generation not handled yet                 → Progressing
 *   4. `Reconciling=True`                         → Progressing
 *   5. `Stalled=True`                             → Failed (terminal: `stalled`)
 *   6. `Ready`: True → Ready; Unknown → Progressing; False → Failed, except while waiting on
 *      a dependency or a fresh attempt (reasons in TRANSIENT_READY_REASONS) → Progressing
 *   7. no Ready condition                         → Progressing ("waiting to be reconciled")
 *
 * Two refinements, both taken from the Flux CLI rather than bare kstatus:
 *   - "Handled generation" prefers the Ready condition's own `observedGeneration`, then
 *     `status.lastAttemptedGeneration` (HelmRelease), then `status.observedGeneration`. A
 *     Kustomization writes `status.observedGeneration` only on success, so bare kstatus would
 *     show a new generation that fails as "in progress" for ever.
 *   - `Reconciling=True` with reason `ProgressingWithRetry` and `Ready=False` is a failed
 *     attempt that will be retried: Failed (not stalled). Bare kstatus calls it in progress,
 *     which hides failed upgrades (fluxcd/helm-controller#1083), and Azure reports the same
 *     object Non-Compliant, so this keeps the cluster view and the Azure view in agreement.
 *
 * Pure: no I/O, no clock.
 */

export type ConditionStatus = 'True' | 'False' | 'Unknown';
export type ObjectState = 'Ready' | 'Progressing' | 'Failed' | 'Suspended' | 'Terminating';

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

/** The parts of a Kubernetes object readiness looks at. Anything else is ignored. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    generation?: number;
    labels?: Record<string, string>;
    deletionTimestamp?: string | Date | null;
    creationTimestamp?: string | Date;
    [key: string]: unknown;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface Readiness {
  state: ObjectState;
  /** What a READY column shows; see readyValue(). */
  ready: ConditionStatus;
  /** Terminal failure: Flux will not retry without a change (Stalled=True). */
  stalled: boolean;
  reason?: string;
  message?: string;
  /** When the deciding condition last changed (RFC 3339), for an age. */
  since?: string;
}

/** Ready=False reasons that mean "waiting", not "failed": Flux retries on its own and they clear. */
export const TRANSIENT_READY_REASONS: ReadonlySet<string> = new Set(['Progressing', 'DependencyNotReady']);

/**
 * Whether a Ready condition says "still on its way" rather than "failed": Unknown (a
 * reconciliation is running), or False with a waiting reason (TRANSIENT_READY_REASONS). A
 * failure Flux retries on its own (`BuildFailed`, `HealthCheckFailed`, an upgrade retried under
 * `ProgressingWithRetry`) is not waiting: it stays a failure until the retry succeeds.
 */
export function isWaitingCondition(status: ConditionStatus | undefined, reason: string | undefined): boolean {
  return status === 'Unknown' || (status === 'False' && reason !== undefined && TRANSIENT_READY_REASONS.has(reason));
}

export function conditionStatus(value: unknown): ConditionStatus | undefined {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value !== 'string') return undefined;
  const v = value.trim().toLowerCase();
  return v === 'true' ? 'True' : v === 'false' ? 'False' : v === 'unknown' ? 'Unknown' : undefined;
}

/** `status.conditions` as typed conditions; malformed entries are dropped. */
export function conditionsOf(obj: KubeObject): Condition[] {
  const raw = obj.status?.conditions;
  if (!Array.isArray(raw)) return [];
  const out: Condition[] = [];
  for (const c of raw) {
    if (!c || typeof c !== 'object') continue;
    const r = c as Record<string, unknown>;
    if (typeof r.type !== 'string') continue;
    const cond: Condition = { type: r.type, status: typeof r.status === 'string' ? r.status : String(r.status ?? '') };
    if (typeof r.reason === 'string' && r.reason) cond.reason = r.reason;
    if (typeof r.message === 'string' && r.message) cond.message = r.message;
    const ltt = timestamp(r.lastTransitionTime);
    if (ltt) cond.lastTransitionTime = ltt;
    if (typeof r.observedGeneration === 'number') cond.observedGeneration = r.observedGeneration;
    out.push(cond);
  }
  return out;
}

/** The first condition of a type (kstatus walks conditions in order and takes the first). */
export function findCondition(conditions: readonly Condition[], type: string): Condition | undefined {
  return conditions.find((c) => c.type === type);
}

const isTrue = (c: Condition | undefined): c is Condition => conditionStatus(c?.status) === 'True';

/**
 * The READY column: True exactly when the state is Ready; False when failed; while
 * progressing, False only when the Ready condition itself says False (e.g. waiting on a
 * dependency), else Unknown — a Ready=True left over from an older generation is not shown
 * as True. Suspended and Terminating objects keep their frozen Ready condition.
 */
export function readyValue(state: ObjectState, raw: ConditionStatus | undefined): ConditionStatus {
  switch (state) {
    case 'Ready':
      return 'True';
    case 'Failed':
      return 'False';
    case 'Progressing':
      return raw === 'False' ? 'False' : 'Unknown';
    default:
      return raw ?? 'Unknown';
  }
}

export function readiness(obj: KubeObject): Readiness {
  const conditions = conditionsOf(obj);
  const ready = findCondition(conditions, 'Ready');
  const raw = conditionStatus(ready?.status);
  const kind = obj.kind ?? 'Object';
  const result = (state: ObjectState, from: Condition | undefined, extra: Partial<Readiness> = {}): Readiness => {
    const out: Readiness = { state, ready: readyValue(state, raw), stalled: false };
    if (from?.reason) out.reason = from.reason;
    if (from?.message) out.message = from.message;
    const since = from?.lastTransitionTime ?? ready?.lastTransitionTime;
    if (since) out.since = since;
    return { ...out, ...extra };
  };

  // 1. Suspended: the controller returns at once, so every other field is frozen.
  if (obj.spec?.suspend === true) {
    return result('Suspended', ready, {
      reason: 'Suspended',
      message: ready?.message ? `reconciliation is suspended; last status: ${ready.message}` : 'reconciliation is suspended',
    });
  }

  // 2. Being deleted (finalizers still running).
  if (obj.metadata?.deletionTimestamp) {
    return result('Terminating', undefined, { reason: 'Terminating', message: 'Resource scheduled for deletion' });
  }

  // An OCI HelmRepository is a static holder: never reconciled, no status (flux get shows it Ready).
  if (kind === 'HelmRepository' && obj.spec?.type === 'oci') {
    return { state: 'Ready', ready: 'True', stalled: false, reason: 'Succeeded', message: 'Helm repository is Ready' };
  }

  // 3. The controller has not handled the current generation yet.
  const generation = numberOf(obj.metadata?.generation);
  const handled = handledGeneration(obj, ready);
  if (generation !== undefined && handled !== undefined && handled !== generation) {
    return result('Progressing', undefined, {
      reason: 'LatestGenerationNotObserved',
      message: handled < 1 ? 'waiting to be reconciled' : `${kind} generation is ${generation}, but latest observed generation is ${handled}`,
    });
  }

  // 4. Reconciling: in progress — unless it is a retry after a failed attempt.
  const reconciling = findCondition(conditions, 'Reconciling');
  if (isTrue(reconciling)) {
    if (reconciling.reason === 'ProgressingWithRetry' && raw === 'False') return result('Failed', ready);
    return result('Progressing', reconciling);
  }

  // 5. Stalled: terminal until something changes.
  const stalled = findCondition(conditions, 'Stalled');
  if (isTrue(stalled)) return result('Failed', stalled, { stalled: true });

  // 6. and 7. The Ready condition.
  if (!ready || raw === undefined) {
    return result('Progressing', undefined, { reason: 'Progressing', message: 'waiting to be reconciled' });
  }
  if (raw === 'True') return result('Ready', ready);
  return result(isWaitingCondition(raw, ready.reason) ? 'Progressing' : 'Failed', ready);
}

/** The generation the controller last handled, preferring the most specific evidence. */
function handledGeneration(obj: KubeObject, ready: Condition | undefined): number | undefined {
  if (ready?.observedGeneration !== undefined && ready.observedGeneration > 0) return ready.observedGeneration;
  return numberOf(obj.status?.lastAttemptedGeneration) ?? numberOf(obj.status?.observedGeneration);
}

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** RFC 3339 text of a timestamp given as a string or a Date (client-node returns Dates). */
export function timestamp(value: unknown): string | undefined {
  if (typeof value === 'string' && value) return value;
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString().replace(/\.000Z$/, 'Z');
  return undefined;
}
