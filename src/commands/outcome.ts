/**
 * What a write leaves behind when its long-running operation does not simply succeed. Azure's
 * resource, not the operation, is the truth:
 *
 * - the operation ended Canceled but the resource shows the change, Succeeded: the change is
 *   done; a warning says so and the command goes on as if it had succeeded;
 * - the resource is left Failed: exit 6, saying so (with the resource's own reason) and how to
 *   recover;
 * - the change is not in Azure: exit 6, saying what Azure holds instead and how to apply it again.
 */
import type { Context } from '../core/context.js';
import { OperationEndedError } from '../core/errors.js';
import type { ArmResponse } from '../azure/client.js';
import type { ArmResource } from '../azure/resources.js';
import type { Session } from '../azure/session.js';
import { follow, type AzureOptions } from './azure.js';

export interface WriteTarget {
  /** What is written, as a sentence names it: "Flux configuration 'cluster-config'". */
  what: string;
  path: string;
  apiVersion: string;
  /** True when the resource as Azure holds it now (undefined: it does not exist) carries the change. */
  landed(resource: ArmResource | undefined): boolean;
  /** What to run next, by what Azure holds. */
  next: {
    /** The change is in Azure: how to follow it from here. */
    landed: string;
    /** The resource is Failed: how to find out why and recover. */
    failed: string;
    /** The change is not in Azure: how to apply it again. */
    missing: string;
  };
}

/** The resource's own reason for being Failed, if it gives one. */
function reasonOf(resource: ArmResource): string | undefined {
  const p = resource.properties ?? {};
  const info = p.errorInfo as { message?: unknown } | null | undefined;
  const text = typeof p.errorMessage === 'string' && p.errorMessage !== '' ? p.errorMessage : typeof info?.message === 'string' ? info.message : undefined;
  return text?.split('\n')[0];
}

/**
 * After an operation ended Failed or Canceled: reads the resource and either returns it (the
 * change landed; a Canceled operation is then only a warning) or throws the operation's error
 * with what Azure holds and what to run next.
 */
export async function settleWrite(ctx: Context, s: Session, ended: OperationEndedError, target: WriteTarget): Promise<ArmResource | undefined> {
  let res: ArmResponse<ArmResource>;
  try {
    res = await s.arm.request<ArmResource>('GET', target.path, { apiVersion: target.apiVersion, allowNotFound: true });
  } catch {
    throw ended; // what Azure holds cannot be read: the operation's own error stands
  }
  const resource = res.status === 404 ? undefined : res.body;
  const state = resource ? String(resource.properties?.provisioningState ?? 'Unknown') : undefined;
  const carries = target.landed(resource);
  if (carries && (resource === undefined || state === 'Succeeded') && ended.status.toLowerCase().startsWith('cancel')) {
    const held = resource ? `${target.what} is ${state} and holds the change` : `${target.what} is gone, as asked`;
    ctx.log.warn(`${ended.message.split('\n')[0]}; but the change is in Azure: ${held}.`);
    ctx.log.info(target.next.landed);
    return resource;
  }
  let holds: string;
  let remedy: string;
  if (state === 'Failed') {
    const reason = reasonOf(resource!);
    holds = `Azure now holds ${target.what} in state Failed${reason ? `: ${reason}` : ''}.`;
    remedy = target.next.failed;
  } else if (carries) {
    holds = `Azure shows ${target.what} ${resource ? `${state}, with the change` : 'gone'} all the same.`;
    remedy = target.next.landed;
  } else {
    holds = resource ? `Azure now holds ${target.what} in state ${state}, without this change.` : `${target.what} does not exist in Azure.`;
    remedy = target.next.missing;
  }
  throw new OperationEndedError(ended.status, `${ended.message}\n${holds}`, remedy);
}

/**
 * follow() for a write: waits for the operation (or, with --no-wait, says how to follow it),
 * and when the operation ends Failed or Canceled settles the outcome by what Azure holds.
 * `resource` is the resource as read after an odd ending, so the caller need not read it again.
 */
export async function followWrite(
  ctx: Context,
  s: Session,
  accepted: ArmResponse,
  options: AzureOptions,
  wait: { phase: string; followUp: string; defaultTimeoutMs: number },
  target: WriteTarget,
): Promise<{ done: boolean; resource?: ArmResource }> {
  try {
    return { done: await follow(ctx, s, accepted, options, wait.phase, wait.followUp, wait.defaultTimeoutMs) };
  } catch (err) {
    if (!(err instanceof OperationEndedError)) throw err;
    return { done: true, resource: await settleWrite(ctx, s, err, target) };
  }
}

/**
 * A write that finds Azure already as asked sends nothing and succeeds, so that pipelines can
 * run it again: it says so on stderr ("nothing to change: <what> <state>"), and warns when the
 * resource is Failed all the same, so that a re-run does not hide a failure.
 */
export function reportUnchanged(ctx: Context, what: string, state: string, resource: ArmResource, show: string): void {
  ctx.log.info(`nothing to change: ${what} ${state}.`);
  if (resource.properties?.provisioningState === 'Failed') ctx.log.warn(`${what} is Failed all the same: see why with ${show}.`);
}
