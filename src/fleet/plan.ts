/**
 * What a rollout would do to each cluster, decided before anything is written:
 *   create     the configuration does not exist (the Flux extension is installed first where
 *              Resource Graph shows none)
 *   update     it exists and differs: the PATCH of `flux config update`, with the fields it changes
 *   unchanged  it exists and already is as asked: `flux config update`'s no-op rule (no PATCH
 *              body), so nothing is sent — which is why re-running an apply converges
 *   skip       left alone, and why: an offline Arc cluster, a Flux extension that failed or is
 *              still installing, a scope or namespace that only a new configuration could change
 *   delete / absent   the same for `fleet delete`
 * "Unchanged" is decided from ARM (the caller GETs the configuration), never from Resource
 * Graph, which lags. Pure.
 */
import { fluxConfigurationPutBody } from '../model/arm.js';
import { configurationFromResource } from '../model/file.js';
import { fluxConfigurationPatchBody } from '../model/patch.js';
import type { FluxConfiguration } from '../model/types.js';
import type { FleetCluster } from './model.js';

export type PlanAction = 'create' | 'update' | 'unchanged' | 'skip' | 'delete' | 'absent';

export interface PlanItem {
  cluster: FleetCluster;
  action: PlanAction;
  /** create: the Flux extension is installed first. */
  installExtension?: boolean;
  /** update: the fields that change, as dotted paths of the PATCH. */
  fields?: string[];
  /** skip: why. */
  reason?: string;
  /** The request body: the PUT of a create, the PATCH of an update. */
  body?: unknown;
}

export interface SkipOptions {
  allowOffline?: boolean;
  /** A delete needs no working extension; an offline cluster keeps a deletion waiting instead. */
  forDelete?: boolean;
  force?: boolean;
}

/** Why a cluster is left alone, from what Resource Graph says of it; undefined = go ahead. */
export function skipReason(c: FleetCluster, options: SkipOptions = {}): string | undefined {
  const conn = c.connectivity;
  if (conn?.offline && !options.allowOffline && !options.force) {
    const heard = conn.lastConnectivityTime ? `, last heard from ${conn.lastConnectivityTime}` : '';
    return options.forDelete
      ? `offline Arc cluster (${conn.status}${heard}): the deletion would wait until it reconnects (--force removes it from Azure at once)`
      : `offline Arc cluster (${conn.status}${heard}): its agents pick a change up only when it reconnects (--allow-offline sends it anyway)`;
  }
  if (options.forDelete) return undefined;
  const ext = c.extension;
  if (ext && (ext.provisioningState === 'Failed' || ext.provisioningState === 'Canceled')) {
    return `the Flux extension '${ext.name}' is ${ext.provisioningState}${ext.errors.length ? `: ${ext.errors[0]}` : ''}; repair it first`;
  }
  if (ext && ext.provisioningState !== 'Succeeded') return `the Flux extension '${ext.name}' is ${ext.provisioningState}; run again once it is Succeeded`;
  return undefined;
}

/** The plan for one cluster: `current` is the configuration as ARM returned it, undefined when absent. */
export function planApply(cluster: FleetCluster, desired: FluxConfiguration, current: unknown): PlanItem {
  if (current === undefined) {
    return { cluster, action: 'create', ...(cluster.extension ? {} : { installExtension: true }), body: fluxConfigurationPutBody(desired) };
  }
  const existing = configurationFromResource(desired.name, current);
  for (const field of ['scope', 'namespace'] as const) {
    if (existing[field] !== desired[field]) {
      return { cluster, action: 'skip', reason: `its ${field} is '${existing[field]}', not '${desired[field]}', and is fixed when a configuration is created (delete it first to change it)` };
    }
  }
  const patch = fluxConfigurationPatchBody(existing, desired);
  if (!patch.body) return { cluster, action: 'unchanged' };
  return { cluster, action: 'update', fields: changedFields(patch.body.properties), body: patch.body };
}

export function planDelete(cluster: FleetCluster, current: unknown): PlanItem {
  return current === undefined ? { cluster, action: 'absent' } : { cluster, action: 'delete' };
}

/** Leaf paths of a PATCH (`gitRepository.repositoryRef.branch`); protected settings by name only. */
export function changedFields(properties: Record<string, unknown>, prefix = ''): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(properties)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (key === 'configurationProtectedSettings' && !prefix) out.push(path);
    else if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) out.push(...changedFields(value as Record<string, unknown>, path));
    else out.push(value === null ? `${path} (removed)` : path);
  }
  return out;
}
