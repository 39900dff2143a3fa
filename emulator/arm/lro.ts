/**
 * Long-running operations as ARM runs them for this provider: the write answers at once with
 * `Azure-AsyncOperation` (the operation status URL) and `Retry-After`; the operation resource
 * `{id, name, status, properties, error?}` moves from Creating/Updating/Deleting to a terminal
 * Succeeded, Failed or Canceled.
 */
import type { KcCollection } from '../constants.js';
import { KC_NAMESPACE } from '../constants.js';
import { uuid } from '../util.js';
import type { World } from '../world.js';
import type { ArmErrorDetail } from './errors.js';
import type { ClusterState, Operation } from './records.js';

const RUNNING_STATUS: Record<Operation['action'], string> = { create: 'Creating', update: 'Updating', delete: 'Deleting' };

export const TERMINAL = new Set(['Succeeded', 'Failed', 'Canceled']);

export class Operations {
  private readonly byName = new Map<string, Operation>();

  constructor(private readonly world: World) {}

  start(cluster: ClusterState, collection: KcCollection, resourceName: string, action: Operation['action'], apiVersion: string): Operation {
    const name = uuid();
    const op: Operation = {
      name,
      id: `${cluster.id}/providers/${KC_NAMESPACE}/${collection}/${resourceName}/operations/${name}`,
      status: RUNNING_STATUS[action],
      clusterKey: cluster.key,
      collection,
      resourceName,
      action,
      apiVersion,
      startedMs: Date.now(),
    };
    this.byName.set(name, op);
    return op;
  }

  get(name: string): Operation | undefined {
    return this.byName.get(name.toLowerCase()) ?? this.byName.get(name);
  }

  all(): Operation[] {
    return [...this.byName.values()];
  }

  finish(op: Operation, status: 'Succeeded' | 'Failed' | 'Canceled', error?: ArmErrorDetail): void {
    if (TERMINAL.has(op.status)) return;
    op.status = status;
    op.endedMs = Date.now();
    if (error) op.error = error;
    this.world.graph.touch(op.clusterKey);
  }

  /**
   * Ends an operation whose change is done: Succeeded, or — given the message of the cancel
   * fault — Canceled although the resource already shows the change.
   */
  done(op: Operation, canceled?: string): void {
    if (canceled !== undefined) this.finish(op, 'Canceled', canceledError(canceled));
    else this.finish(op, 'Succeeded');
  }

  /** The headers of a write answered asynchronously. */
  headers(op: Operation): Record<string, string> {
    return {
      'Azure-AsyncOperation': `${this.world.baseUrl}${op.id}?api-version=${op.apiVersion}`,
      'Retry-After': String(this.world.options.retryAfterSeconds),
      'x-ms-async-operation-timeout': op.action === 'delete' ? 'PT1H' : 'PT48H',
    };
  }

  view(op: Operation): Record<string, unknown> {
    const body: Record<string, unknown> = { id: op.id, name: op.name, status: op.status, properties: {} };
    if (op.error) body.error = op.error;
    return body;
  }
}

/** The error of a failed operation: ResourceOperationFailure wrapping the RP's detail, whose message is a JSON document. */
export function operationFailure(collection: KcCollection, cause: string): ArmErrorDetail {
  return {
    code: 'ResourceOperationFailure',
    message: "The resource operation completed with terminal provisioning state 'Failed'.",
    details: [
      {
        code: collection === 'extensions' ? 'ExtensionOperationFailed' : 'FluxConfigurationOperationFailed',
        message: JSON.stringify({ status: 'Failed', statusMessage: cause }),
      },
    ],
  };
}

/** The error of an operation that ended Canceled for a reason of the platform's own. */
export function canceledError(message: string): ArmErrorDetail {
  return { code: 'OperationCanceled', message };
}

export function supersededError(): ArmErrorDetail {
  return { code: 'OperationCanceled', message: 'The operation was canceled: a later operation on the same resource replaced it.' };
}
