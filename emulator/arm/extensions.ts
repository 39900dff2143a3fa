/**
 * Microsoft.KubernetesConfiguration/extensions: PUT, PATCH, GET, LIST, DELETE and their
 * long-running operations. Installing, updating and removing an extension is done by the agent
 * in the cluster, so these operations cannot finish while an Arc cluster is offline.
 */
import { FLUX_EXTENSION_VERSION, KC_NAMESPACE, OTHER_EXTENSION_VERSION, TENANT_ID } from '../constants.js';
import { deepClone, isObject, jsonEqual, type Json, modifiedAfter, uuid } from '../util.js';
import type { World } from '../world.js';
import { forceDelete, page, type ArmResult, type ClusterContext } from './context.js';
import { notFound, validationFailed } from './errors.js';
import { operationFailure, supersededError } from './lro.js';
import { mergeStringMap, stringMap } from './merge.js';
import type { ExtensionRecord, Operation } from './records.js';
import { parseJsonBody, validateBody } from './validation.js';

export const EXTENSION_TYPE = `${KC_NAMESPACE}/extensions`;

const isFlux = (extensionType: unknown): boolean => String(extensionType).toLowerCase() === 'microsoft.flux';

function extensionNotFound(name: string): never {
  throw notFound(`Extension instance with name '${name}' not found.`);
}

function checkVersionPin(props: Json): void {
  if (typeof props.version === 'string' && props.autoUpgradeMinorVersion !== false) {
    throw validationFailed(`A version ('${props.version}') can only be pinned when autoUpgradeMinorVersion is false.`);
  }
}

/** The resource as GET returns it, in the shape of the requested api-version. */
export function extensionView(record: ExtensionRecord, apiVersion: string): Json {
  const p = record.props;
  const properties: Json = {
    extensionType: p.extensionType,
    autoUpgradeMinorVersion: p.autoUpgradeMinorVersion,
    releaseTrain: p.releaseTrain,
    version: p.version ?? null,
    scope: deepClone(p.scope),
    configurationSettings: { ...(p.configurationSettings as Json) },
    provisioningState: record.provisioningState,
    currentVersion: record.currentVersion,
    statuses: record.statuses ? deepClone(record.statuses) : [],
    errorInfo: record.errorInfo ? deepClone(record.errorInfo) : null,
    customLocationSettings: null,
    packageUri: null,
    aksAssignedIdentity: null,
    isSystemExtension: false,
  };
  if (apiVersion >= '2025-03-01') properties.autoUpgradeMode = p.autoUpgradeMode;
  const view: Json = {
    id: `${record.cluster.id}/providers/${KC_NAMESPACE}/extensions/${record.name}`,
    name: record.name,
    type: EXTENSION_TYPE,
    systemData: { ...record.systemData },
    properties,
  };
  if (record.identity) view.identity = { ...record.identity, tenantId: TENANT_ID };
  if (record.plan) view.plan = deepClone(record.plan);
  if (record.managedBy && apiVersion >= '2025-03-01') view.managedBy = record.managedBy;
  return view;
}

export function listExtensions(ctx: ClusterContext): ArmResult {
  const items = [...ctx.world.extensionsOf(ctx.cluster).values()].sort((a, b) => a.seq - b.seq).map((r) => extensionView(r, ctx.apiVersion));
  return { status: 200, body: page(ctx, items) };
}

export function getExtension(ctx: ClusterContext, name: string): ArmResult {
  const record = ctx.world.extensionsOf(ctx.cluster).get(name.toLowerCase());
  if (!record) extensionNotFound(name);
  return { status: 200, body: extensionView(record, ctx.apiVersion) };
}

export function putExtension(ctx: ClusterContext, name: string): ArmResult {
  const { world, cluster } = ctx;
  const body = parseJsonBody(ctx.bodyText);
  validateBody(ctx.apiVersion, 'Extension', body);
  const b = isObject(body) ? body : {};
  const props = isObject(b.properties) ? b.properties : {};
  if (typeof props.extensionType !== 'string' || props.extensionType === '') throw validationFailed("The property 'extensionType' is required.");
  if (cluster.def.kind === 'fleet' && !isFlux(props.extensionType)) throw validationFailed("The supported extension type is 'microsoft.flux' for Fleet Manager hubs.");
  const map = world.extensionsOf(cluster);
  const existing = map.get(name.toLowerCase());
  if (existing && String(existing.props.extensionType).toLowerCase() !== props.extensionType.toLowerCase()) {
    throw validationFailed(`The extension type of '${existing.name}' is '${String(existing.props.extensionType)}' and cannot be changed.`);
  }
  if (isFlux(props.extensionType)) {
    const other = world.fluxExtension(cluster);
    if (other && other !== existing) {
      throw validationFailed(`An extension of type 'microsoft.flux' is already installed on the cluster as '${other.name}'; only one instance is allowed.`);
    }
  }
  const scopeIn = isObject(props.scope) ? props.scope : undefined;
  if (scopeIn && isObject(scopeIn.cluster) && isObject(scopeIn.namespace)) {
    throw validationFailed('The scope can be either cluster or namespace, not both.');
  }
  const scope =
    scopeIn && (isObject(scopeIn.cluster) || isObject(scopeIn.namespace))
      ? isObject(scopeIn.cluster)
        ? { cluster: { releaseNamespace: scopeIn.cluster.releaseNamespace ?? (isFlux(props.extensionType) ? 'flux-system' : name) } }
        : { namespace: { targetNamespace: (scopeIn.namespace as Json).targetNamespace ?? name } }
      : { cluster: { releaseNamespace: isFlux(props.extensionType) ? 'flux-system' : name } };
  if (existing && !jsonEqual(existing.props.scope, scope)) throw validationFailed(`The scope of extension '${existing.name}' cannot be changed.`);
  const normalized: Json = {
    extensionType: props.extensionType,
    autoUpgradeMinorVersion: props.autoUpgradeMinorVersion ?? true,
    releaseTrain: props.releaseTrain ?? 'Stable',
    version: props.version ?? null,
    scope,
    configurationSettings: stringMap(props.configurationSettings),
    autoUpgradeMode: props.autoUpgradeMode ?? 'compatible',
  };
  checkVersionPin(normalized);

  const now = Date.now();
  const record: ExtensionRecord = {
    cluster,
    name: existing?.name ?? name,
    seq: existing?.seq ?? world.nextSeq(),
    props: normalized,
    protectedSettings: stringMap(props.configurationProtectedSettings),
    provisioningState: existing ? 'Updating' : 'Creating',
    currentVersion: existing?.currentVersion ?? null,
    errorInfo: null,
    systemData: existing ? { ...existing.systemData, lastModifiedAt: modifiedAfter(existing.systemData.lastModifiedAt, now) } : world.systemData(now),
  };
  const identityIn = isObject(b.identity) ? b.identity : undefined;
  if (cluster.def.kind === 'arc' || (identityIn && identityIn.type === 'SystemAssigned')) {
    record.identity = { type: 'SystemAssigned', principalId: (existing?.identity?.principalId as string | undefined) ?? uuid() };
  } else if (identityIn) {
    record.identity = { type: identityIn.type ?? 'None' };
  }
  if (isObject(b.plan)) record.plan = deepClone(b.plan);
  if (typeof b.managedBy === 'string') record.managedBy = b.managedBy;
  if (existing) cancelCurrent(world, existing);
  map.set(name.toLowerCase(), record);
  const op = startExtensionOperation(world, record, existing ? 'update' : 'create', ctx.apiVersion);
  return { status: existing ? 200 : 201, body: extensionView(record, ctx.apiVersion), headers: world.operations.headers(op) };
}

export function patchExtension(ctx: ClusterContext, name: string): ArmResult {
  const { world } = ctx;
  const body = parseJsonBody(ctx.bodyText);
  validateBody(ctx.apiVersion, 'patchExtension', body);
  const record = world.extensionsOf(ctx.cluster).get(name.toLowerCase());
  if (!record) extensionNotFound(name);
  const props = isObject(body) && isObject(body.properties) ? body.properties : {};
  const next = deepClone(record.props);
  const defaults: Json = { autoUpgradeMinorVersion: true, releaseTrain: 'Stable', version: null, autoUpgradeMode: 'compatible' };
  for (const key of Object.keys(defaults)) {
    if (key in props) next[key] = props[key] === null ? defaults[key] : props[key];
  }
  if ('configurationSettings' in props) {
    next.configurationSettings = props.configurationSettings === null ? {} : mergeStringMap(next.configurationSettings as Record<string, string>, props.configurationSettings);
  }
  checkVersionPin(next);
  const protectedSettings =
    'configurationProtectedSettings' in props
      ? props.configurationProtectedSettings === null
        ? {}
        : mergeStringMap(record.protectedSettings, props.configurationProtectedSettings)
      : record.protectedSettings;
  if (jsonEqual(next, record.props) && jsonEqual(protectedSettings, record.protectedSettings)) {
    return { status: 200, body: extensionView(record, ctx.apiVersion) };
  }
  record.props = next;
  record.protectedSettings = protectedSettings;
  record.provisioningState = 'Updating';
  record.errorInfo = null;
  record.systemData.lastModifiedAt = modifiedAfter(record.systemData.lastModifiedAt);
  const op = startExtensionOperation(world, record, 'update', ctx.apiVersion);
  return { status: 202, body: extensionView(record, ctx.apiVersion), headers: world.operations.headers(op) };
}

export function deleteExtension(ctx: ClusterContext, name: string): ArmResult {
  const { world, cluster } = ctx;
  const map = world.extensionsOf(cluster);
  const record = map.get(name.toLowerCase());
  if (!record) return { status: 204 };
  if (forceDelete(ctx.query)) {
    cancelCurrent(world, record);
    map.delete(name.toLowerCase());
    if (isFlux(record.props.extensionType)) world.agent.stop(cluster);
    return { status: 200 };
  }
  record.provisioningState = 'Deleting';
  const op = startExtensionOperation(world, record, 'delete', ctx.apiVersion);
  return { status: 202, headers: world.operations.headers(op) };
}

function cancelCurrent(world: World, record: ExtensionRecord): void {
  if (!record.opName) return;
  const previous = world.operations.get(record.opName);
  if (previous) world.operations.finish(previous, 'Canceled', supersededError());
}

function startExtensionOperation(world: World, record: ExtensionRecord, action: Operation['action'], apiVersion: string): Operation {
  cancelCurrent(world, record);
  const op = world.operations.start(record.cluster, 'extensions', record.name, action, apiVersion);
  record.opName = op.name;
  const failure = world.faults.takeOperationFailure('extensions');
  const cancel = failure === undefined ? world.faults.takeOperationCancel() : undefined;
  world.scheduler.after(world.options.operationDelayMs, () => world.whenOnline(record.cluster, () => finishExtensionOperation(world, record, op, failure, cancel)));
  return op;
}

function finishExtensionOperation(world: World, record: ExtensionRecord, op: Operation, failure: string | undefined, cancel: string | undefined): void {
  if (op.status === 'Succeeded' || op.status === 'Failed' || op.status === 'Canceled') return;
  const map = world.extensionsOf(record.cluster);
  if (map.get(record.name.toLowerCase()) !== record || record.opName !== op.name) {
    world.operations.finish(op, 'Canceled', supersededError());
    return;
  }
  if (failure !== undefined) {
    record.provisioningState = 'Failed';
    record.errorInfo = { code: 'ExtensionOperationFailed', message: `The extension operation failed with the following error: ${failure}` };
    record.statuses = [installationFailed(failure, op.action)];
    world.operations.finish(op, 'Failed', operationFailure('extensions', failure));
    return;
  }
  if (op.action === 'delete') {
    map.delete(record.name.toLowerCase());
    if (isFlux(record.props.extensionType)) world.agent.stop(record.cluster);
    world.operations.done(op, cancel);
    return;
  }
  record.provisioningState = 'Succeeded';
  record.errorInfo = null;
  record.statuses = [];
  record.currentVersion = typeof record.props.version === 'string' ? record.props.version : isFlux(record.props.extensionType) ? FLUX_EXTENSION_VERSION : OTHER_EXTENSION_VERSION;
  world.operations.done(op, cancel);
  if (isFlux(record.props.extensionType)) world.agent.start(record.cluster);
}

/**
 * The status a failed install or update leaves in `statuses[]`, in the shape real extensions
 * report it (`az k8s-extension show`): `level`, `displayStatus` and `time` null, the reason in
 * `message`.
 */
export function installationFailed(failure: string, action: string): Json {
  const operation = action === 'create' ? 'Create' : action === 'delete' ? 'Delete' : 'Update';
  return {
    code: action === 'delete' ? 'UninstallationFailed' : 'InstallationFailed',
    displayStatus: null,
    level: null,
    message: `Error: [ InnerError: [${failure}]] occurred while doing the operation : [${operation}] on the config`,
    time: null,
  };
}
