/** The not-found of a kustomization (exit 3), naming what the configuration does have. */
import { NotFoundError } from '../../../core/errors.js';
import type { Session } from '../../../azure/session.js';

export function kustomizationNotFound(s: Session, configName: string, name: string, existing: readonly string[], remedy?: string): NotFoundError {
  return new NotFoundError(
    `kustomization '${name}' does not exist in Flux configuration '${configName}' on cluster '${s.cluster.clusterName}'${existing.length > 0 ? ` (it has: ${existing.join(', ')})` : ' (it has none)'}.`,
    remedy ?? `List them with: k8s-gitops flux kustomization list ${s.clusterArgs} -n ${configName}`,
  );
}
