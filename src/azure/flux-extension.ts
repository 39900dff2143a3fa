/**
 * The microsoft.flux extension as a prerequisite of Flux configurations: found, or installed as
 * its own announced and bounded phase (identity SystemAssigned on Arc and Azure Local; the
 * version or release train the caller chose), or — if it is still installing or has failed — a
 * stop with the reason.
 */
import type { Context } from '../core/context.js';
import { CliError, FailedError, OperationEndedError } from '../core/errors.js';
import { EXTENSION_API_VERSION } from '../model/arm.js';
import { buildExtension, extensionPutBody, FLUX_EXTENSION_TYPE, type Extension, type ExtensionFlags } from '../model/extension.js';
import { describeArmError, type ArmErrorDetail } from './errors.js';
import { listAll } from './list.js';
import { waitForOperation } from './lro.js';
import { extensionPath, extensionsPath, type ArmResource } from './resources.js';
import type { Session } from './session.js';
import type { Clock } from '../core/clock.js';

export async function findFluxExtension(s: Session): Promise<ArmResource | undefined> {
  const all = await listAll<ArmResource>(s.arm, extensionsPath(s.subscriptionId, s.cluster), EXTENSION_API_VERSION);
  return all.find((e) => String(e.properties?.extensionType ?? '').toLowerCase() === FLUX_EXTENSION_TYPE);
}

export interface EnsureOptions {
  clock: Clock;
  timeoutMs: number;
  /** The extension to install when there is none: version, release train (default: Azure's). */
  install?: ExtensionFlags;
  /** Where `install` came from, for the announcement, e.g. "version 1.2.3 (FLUX_EXTENSION_VERSION)". */
  installSources?: string[];
  /**
   * Called when the install ends Failed or Canceled: returns when the extension is there after
   * all, throws otherwise (what Azure holds, what to run next).
   */
  onEnded?: (ended: OperationEndedError, installed: { extension: Extension; path: string }) => Promise<unknown>;
  /** The Flux extension when the caller has looked already (null: there is none). */
  found?: ArmResource | null;
}

export async function ensureFluxExtension(ctx: Context, s: Session, options: EnsureOptions): Promise<void> {
  const found = options.found === undefined ? await findFluxExtension(s) : (options.found ?? undefined);
  const show = `k8s-gitops extension show ${s.clusterArgs} -n ${found?.name ?? 'flux'}`;
  if (found) {
    const state = String(found.properties?.provisioningState ?? 'Unknown');
    if (state === 'Succeeded') {
      const installed = String(found.properties?.currentVersion ?? found.properties?.version ?? 'version unknown');
      ctx.log.verbose(`Flux extension '${found.name}' is installed (${installed}).`);
      const pinned = options.install?.version;
      if (pinned !== undefined && pinned !== installed) {
        ctx.log.warn(`the Flux extension is already installed (${installed}); ${options.installSources?.[0] ?? `version ${pinned}`} applies only to a new install. Change it with: k8s-gitops extension update ${s.clusterArgs} -n ${found.name} --version ${pinned}`);
      }
      return;
    }
    if (state === 'Creating' || state === 'Updating') {
      throw new CliError(`the Flux extension '${found.name}' on cluster '${s.cluster.clusterName}' is still being installed (${state}).`, `Wait until it is Succeeded (${show}), then run this again.`);
    }
    const reason = describeArmError(found.properties?.errorInfo as ArmErrorDetail | undefined, 'no reason given');
    throw new FailedError(`the Flux extension '${found.name}' on cluster '${s.cluster.clusterName}' is ${state}: ${reason}`, `Look at it with ${show}; reinstall with k8s-gitops extension delete ${s.clusterArgs} -n ${found.name} --yes, then extension create.`);
  }
  const { extension } = buildExtension(options.install ?? {}, s.cluster.clusterType, ctx.input);
  const chosen = options.installSources?.length ? ` (${options.installSources.join(', ')})` : '';
  ctx.log.warn(`cluster '${s.cluster.clusterName}' has no Flux extension: installing ${FLUX_EXTENSION_TYPE} as '${extension.name}'${chosen} first (this takes a few minutes).`);
  const path = extensionPath(s.subscriptionId, s.cluster, extension.name);
  const accepted = await s.arm.request('PUT', path, { apiVersion: EXTENSION_API_VERSION, body: extensionPutBody(extension) });
  try {
    await waitForOperation(ctx, s.arm, accepted, {
      phase: `Installing the ${FLUX_EXTENSION_TYPE} extension`,
      followUp: `Follow it with: k8s-gitops extension show ${s.clusterArgs} -n ${extension.name}`,
      timeoutMs: options.timeoutMs,
      clock: options.clock,
      defaultIntervalMs: 5000,
    });
  } catch (err) {
    if (!(err instanceof OperationEndedError) || !options.onEnded) throw err;
    await options.onEnded(err, { extension, path });
  }
}
