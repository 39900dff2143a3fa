/**
 * One Flux object at a time: read it, and ask its controller to reconcile it now. The request is
 * Flux's own: a JSON merge patch that sets `reconcile.fluxcd.io/requestedAt` to a new token
 * (what `flux reconcile` and Azure's agent write), answered by the controller copying the token
 * into `status.lastHandledReconcileAt` when it has handled it.
 */
import type { KubeAccess, KubeFluxObject } from './access.js';
import { FLUX_KINDS, type FluxKind } from './kinds.js';

export const REQUESTED_AT = 'reconcile.fluxcd.io/requestedAt';

export function fluxKind(kind: string): FluxKind {
  const k = FLUX_KINDS.find((f) => f.kind === kind);
  if (!k) throw new Error(`not a Flux kind: ${kind}`);
  return k;
}

const statusOf = (err: unknown): number | undefined => (err as { code?: number; statusCode?: number })?.code ?? (err as { statusCode?: number })?.statusCode;

/** The object, or undefined when it does not exist (or its CRD is not installed); `signal` ends the request. */
export async function getFluxObject(kube: KubeAccess, kind: string, namespace: string, name: string, signal?: AbortSignal): Promise<KubeFluxObject | undefined> {
  const k = fluxKind(kind);
  const api = kube.kc.makeApiClient(kube.lib.CustomObjectsApi);
  try {
    const obj = (await api.getNamespacedCustomObject({ group: k.group, version: k.version, namespace, plural: k.plural, name }, kube.abortable(signal))) as KubeFluxObject;
    return { ...obj, kind: obj.kind ?? k.kind };
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw kube.translate(err, `${kind} ${namespace}/${name}`);
  }
}

/** Sets `reconcile.fluxcd.io/requestedAt` to `token` (nothing else) and returns the object as patched; `signal` ends the request. */
export async function requestReconcile(kube: KubeAccess, obj: KubeFluxObject, token: string, signal?: AbortSignal): Promise<KubeFluxObject> {
  const k = fluxKind(obj.kind);
  const api = kube.kc.makeApiClient(kube.lib.CustomObjectsApi);
  const body = { metadata: { annotations: { [REQUESTED_AT]: token } } };
  try {
    const patched = (await api.patchNamespacedCustomObject(
      { group: k.group, version: k.version, namespace: obj.metadata.namespace ?? '', plural: k.plural, name: obj.metadata.name, body },
      kube.lib.setHeaderOptions('Content-Type', kube.lib.PatchStrategy.MergePatch, kube.abortable(signal)),
    )) as KubeFluxObject;
    return { ...patched, kind: patched.kind ?? k.kind };
  } catch (err) {
    throw kube.translate(err, `a reconcile request for ${obj.kind} ${obj.metadata.namespace}/${obj.metadata.name} (patch)`);
  }
}
