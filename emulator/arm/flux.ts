/**
 * Microsoft.KubernetesConfiguration/fluxConfigurations: PUT, PATCH, GET, LIST, DELETE, and the
 * long-running operations behind the writes. What the agent reports (statuses, complianceState,
 * the source's commit) is written into the record by the simulated agent.
 */
import { isWaitingReason } from '../agent/objects.js';
import { generateSshPublicKey } from '../agent/sshkey.js';
import { KC_NAMESPACE } from '../constants.js';
import { deepClone, isObject, jsonEqual, type Json, modifiedAfter, parseIsoDuration } from '../util.js';
import type { World } from '../world.js';
import { page, forceDelete, type ArmResult, type ClusterContext } from './context.js';
import { notFound, validationFailed } from './errors.js';
import { operationFailure, supersededError } from './lro.js';
import { mergePatch, mergeStringMap, stringMap } from './merge.js';
import type { FluxRecord, Operation } from './records.js';
import { parseJsonBody, validateBody } from './validation.js';

export const FLUX_TYPE = `${KC_NAMESPACE}/fluxConfigurations`;

const SOURCE_BLOCKS: Record<string, string> = {
  GitRepository: 'gitRepository',
  Bucket: 'bucket',
  AzureBlob: 'azureBlob',
  OCIRepository: 'ociRepository',
};

const ALL_BLOCKS = Object.values(SOURCE_BLOCKS);

/** Fields the swagger marks x-ms-secret: stored, used, never returned. */
const SECRET_PATHS: string[][] = [
  ['azureBlob', 'accountKey'],
  ['azureBlob', 'sasToken'],
  ['azureBlob', 'servicePrincipal', 'clientSecret'],
  ['azureBlob', 'servicePrincipal', 'clientCertificate'],
  ['azureBlob', 'servicePrincipal', 'clientCertificatePassword'],
  ['ociRepository', 'tlsConfig', 'clientCertificate'],
  ['ociRepository', 'tlsConfig', 'privateKey'],
  ['ociRepository', 'tlsConfig', 'caCertificate'],
];

const DEFAULT_WAIT_MS = 30 * 60 * 1000;

function withDefaults(value: unknown, defaults: Json): Json {
  const out: Json = { ...defaults };
  if (isObject(value)) for (const [k, v] of Object.entries(value)) if (v !== undefined && !(v === null && k in defaults)) out[k] = v;
  return out;
}

function normalizeRepositoryRef(ref: unknown): Json {
  return withDefaults(ref, { branch: null, tag: null, semver: null, commit: null });
}

/** The stored form of a configuration: what the service fills in when a field is not sent. */
export function normalizeFluxSpec(props: Json): Json {
  const spec: Json = {
    scope: props.scope ?? 'cluster',
    namespace: props.namespace ?? 'default',
    sourceKind: props.sourceKind ?? 'GitRepository',
    suspend: props.suspend ?? false,
  };
  if (isObject(props.gitRepository)) {
    const g = withDefaults(props.gitRepository, { url: null, timeoutInSeconds: 600, syncIntervalInSeconds: 600 });
    g.repositoryRef = normalizeRepositoryRef(props.gitRepository.repositoryRef);
    spec.gitRepository = g;
  }
  if (isObject(props.bucket)) spec.bucket = withDefaults(props.bucket, { url: null, bucketName: null, insecure: true, timeoutInSeconds: 600, syncIntervalInSeconds: 600 });
  if (isObject(props.azureBlob)) spec.azureBlob = withDefaults(props.azureBlob, { url: null, containerName: null, timeoutInSeconds: 600, syncIntervalInSeconds: 600 });
  if (isObject(props.ociRepository)) {
    spec.ociRepository = withDefaults(props.ociRepository, { url: null, timeoutInSeconds: 600, syncIntervalInSeconds: 600, insecure: false, useWorkloadIdentity: false });
  }
  const kustomizations: Json = {};
  if (isObject(props.kustomizations)) {
    for (const [key, k] of Object.entries(props.kustomizations)) {
      if (!isObject(k)) continue;
      const filled = withDefaults(k, {
        path: '',
        dependsOn: [],
        timeoutInSeconds: 600,
        syncIntervalInSeconds: 600,
        retryIntervalInSeconds: null,
        prune: false,
        force: false,
        wait: true,
        postBuild: null,
      });
      delete filled.name;
      kustomizations[key] = { name: key, ...filled };
    }
  }
  spec.kustomizations = kustomizations;
  if (props.waitForReconciliation !== undefined && props.waitForReconciliation !== null) spec.waitForReconciliation = props.waitForReconciliation;
  if (props.reconciliationWaitDuration !== undefined && props.reconciliationWaitDuration !== null) spec.reconciliationWaitDuration = props.reconciliationWaitDuration;
  return spec;
}

function isEmptyObject(value: unknown): boolean {
  return isObject(value) && Object.values(value).every((v) => v === null || v === undefined || isEmptyObject(v));
}

/** The checks the service makes beyond the swagger. Drops empty blocks of other source kinds. */
export function checkFluxSpec(spec: Json): void {
  const kind = String(spec.sourceKind);
  const block = SOURCE_BLOCKS[kind];
  if (!block || !isObject(spec[block])) {
    throw validationFailed(
      `Invalid source kind match: a configuration with source kind '${kind}' must contain the matching '${block ?? 'source'}' body in its properties.`,
    );
  }
  for (const other of ALL_BLOCKS) {
    if (other === block || spec[other] === undefined) continue;
    if (isEmptyObject(spec[other])) delete spec[other];
    else throw validationFailed(`Invalid source kind match: the source kind is '${kind}', but a '${other}' body was also given. Send only the '${block}' body.`);
  }
  const source = spec[block] as Json;
  const required: Record<string, string[]> = {
    gitRepository: ['url'],
    bucket: ['url', 'bucketName'],
    azureBlob: ['url', 'containerName'],
    ociRepository: ['url'],
  };
  for (const field of required[block] ?? []) {
    if (typeof source[field] !== 'string' || source[field] === '') throw validationFailed(`'${block}.${field}' is required for source kind '${kind}'.`);
  }
  const kustomizations = spec.kustomizations as Record<string, Json>;
  for (const [key, k] of Object.entries(kustomizations)) {
    for (const dep of (k.dependsOn as unknown[] | null) ?? []) {
      if (dep === key) throw validationFailed(`Kustomization '${key}' cannot depend on itself.`);
      if (typeof dep !== 'string' || !(dep in kustomizations)) {
        throw validationFailed(`Kustomization '${key}' depends on '${String(dep)}', which is not a kustomization of this configuration.`);
      }
    }
  }
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (key: string, path: string[]): void => {
    if (done.has(key)) return;
    if (visiting.has(key)) throw validationFailed(`The kustomizations depend on each other in a cycle: ${[...path, key].join(' -> ')}.`);
    visiting.add(key);
    for (const dep of (kustomizations[key]!.dependsOn as string[] | null) ?? []) visit(dep, [...path, key]);
    visiting.delete(key);
    done.add(key);
  };
  for (const key of Object.keys(kustomizations)) visit(key, []);
  if (typeof spec.reconciliationWaitDuration === 'string' && parseIsoDuration(spec.reconciliationWaitDuration) === undefined) {
    throw validationFailed(`reconciliationWaitDuration '${spec.reconciliationWaitDuration}' is not an ISO 8601 duration (for example PT30M).`);
  }
}

function needsGeneratedKey(spec: Json, protectedSettings: Record<string, string>): boolean {
  if (spec.sourceKind !== 'GitRepository' || !isObject(spec.gitRepository)) return false;
  const g = spec.gitRepository;
  const url = typeof g.url === 'string' ? g.url : '';
  const ssh = /^ssh:\/\//i.test(url) || /^[^@/\s]+@[^:/\s]+:/.test(url);
  return ssh && !g.localAuthRef && g.provider !== 'Azure' && !protectedSettings.sshPrivateKey;
}

/** The resource as GET returns it. `light`: statuses without conditions, as LIST returns them. */
export function fluxView(record: FluxRecord, light = false): Json {
  const properties = deepClone(record.spec);
  for (const path of SECRET_PATHS) {
    let node: unknown = properties;
    for (const key of path.slice(0, -1)) node = isObject(node) ? node[key] : undefined;
    if (isObject(node)) delete node[path[path.length - 1]!];
  }
  const r = record.reported;
  Object.assign(properties, {
    statuses: light ? r.statuses.map((s) => ({ ...s, statusConditions: null, helmReleaseProperties: null })) : deepClone(r.statuses),
    repositoryPublicKey: r.repositoryPublicKey,
    sourceSyncedCommitId: r.sourceSyncedCommitId,
    sourceUpdatedAt: r.sourceUpdatedAt,
    statusUpdatedAt: r.statusUpdatedAt,
    complianceState: r.complianceState,
    provisioningState: record.provisioningState,
    errorMessage: record.errorMessage,
  });
  return {
    id: `${record.cluster.id}/providers/${KC_NAMESPACE}/fluxConfigurations/${record.name}`,
    name: record.name,
    type: FLUX_TYPE,
    systemData: { ...record.systemData },
    properties,
  };
}

function configNotFound(ctx: ClusterContext, name: string): never {
  throw notFound(`The Resource '${FLUX_TYPE}/${name}' under resource group '${ctx.cluster.resourceGroup}' was not found.`);
}

export function listFlux(ctx: ClusterContext): ArmResult {
  const items = [...ctx.world.fluxConfigsOf(ctx.cluster).values()].sort((a, b) => a.seq - b.seq).map((r) => fluxView(r, true));
  return { status: 200, body: page(ctx, items) };
}

export function getFlux(ctx: ClusterContext, name: string): ArmResult {
  const record = ctx.world.fluxConfigsOf(ctx.cluster).get(name.toLowerCase());
  if (!record) configNotFound(ctx, name);
  return { status: 200, body: fluxView(record) };
}

export function putFlux(ctx: ClusterContext, name: string): ArmResult {
  const { world, cluster } = ctx;
  const body = parseJsonBody(ctx.bodyText);
  validateBody(ctx.apiVersion, 'FluxConfiguration', body);
  const props = isObject(body) && isObject(body.properties) ? body.properties : {};
  const spec = normalizeFluxSpec(props);
  checkFluxSpec(spec);
  if (!world.fluxExtension(cluster)) {
    throw validationFailed(
      `The microsoft.flux extension is not installed on cluster '${cluster.def.name}'. Install an extension of type 'microsoft.flux' before creating Flux configurations.`,
    );
  }
  const map = world.fluxConfigsOf(cluster);
  const existing = map.get(name.toLowerCase());
  if (existing) {
    for (const field of ['scope', 'namespace']) {
      if (existing.spec[field] !== spec[field]) {
        throw validationFailed(`The property '${field}' cannot be changed once the configuration exists (it is '${String(existing.spec[field])}', the request has '${String(spec[field])}').`);
      }
    }
  }
  const now = Date.now();
  const record: FluxRecord = {
    cluster,
    name: existing?.name ?? name,
    seq: existing?.seq ?? world.nextSeq(),
    spec,
    protectedSettings: stringMap(props.configurationProtectedSettings),
    systemData: existing ? { ...existing.systemData, lastModifiedAt: modifiedAfter(existing.systemData.lastModifiedAt, now) } : world.systemData(now),
    provisioningState: existing ? 'Updating' : 'Creating',
    errorMessage: '',
    generation: (existing?.generation ?? 0) + 1,
    deliveredGeneration: existing?.deliveredGeneration ?? 0,
    reported: existing
      ? existing.reported
      : { statuses: [], complianceState: 'Pending', sourceSyncedCommitId: null, sourceUpdatedAt: null, statusUpdatedAt: null, repositoryPublicKey: null },
  };
  if (existing?.sshPublicKey && needsGeneratedKey(spec, record.protectedSettings)) record.sshPublicKey = existing.sshPublicKey;
  if (existing) cancelCurrent(world, existing);
  map.set(name.toLowerCase(), record);
  prepareKey(record);
  const op = startFluxOperation(world, record, existing ? 'update' : 'create', ctx.apiVersion);
  return { status: existing ? 200 : 201, body: fluxView(record), headers: world.operations.headers(op) };
}

function prepareKey(record: FluxRecord): void {
  if (record.sshPublicKey || !needsGeneratedKey(record.spec, record.protectedSettings)) return;
  generateSshPublicKey().then(
    (key) => {
      record.sshPublicKey = key;
    },
    () => undefined,
  );
}

export function patchFlux(ctx: ClusterContext, name: string): ArmResult {
  const { world } = ctx;
  const body = parseJsonBody(ctx.bodyText);
  validateBody(ctx.apiVersion, 'FluxConfigurationPatch', body);
  const record = world.fluxConfigsOf(ctx.cluster).get(name.toLowerCase());
  if (!record) configNotFound(ctx, name);
  const props = isObject(body) && isObject(body.properties) ? body.properties : {};

  let next = deepClone(record.spec);
  const newKind = typeof props.sourceKind === 'string' ? props.sourceKind : undefined;
  if (newKind !== undefined && newKind !== next.sourceKind) {
    const block = SOURCE_BLOCKS[newKind];
    if (!block || !isObject(props[block]) || isEmptyObject(props[block])) {
      throw validationFailed(
        `Invalid source kind match: changing the source kind to '${newKind}' needs the matching '${block ?? 'source'}' body in the same request.`,
      );
    }
    for (const b of ALL_BLOCKS) delete next[b];
  }
  for (const key of ['sourceKind', 'suspend', ...ALL_BLOCKS]) {
    if (!(key in props)) continue;
    // An empty block for a source the configuration does not have (az sends them on a kind change) creates nothing.
    if (ALL_BLOCKS.includes(key) && next[key] === undefined && isEmptyObject(props[key]) && key !== SOURCE_BLOCKS[String(newKind)]) continue;
    if (props[key] === null) delete next[key];
    else next[key] = mergePatch(next[key], props[key]);
  }
  if ('kustomizations' in props) {
    const current = isObject(next.kustomizations) ? next.kustomizations : {};
    const merged: Json = {};
    for (const [key, k] of Object.entries(current)) merged[key] = k;
    if (isObject(props.kustomizations)) {
      for (const [key, k] of Object.entries(props.kustomizations)) {
        if (k === null) delete merged[key];
        else merged[key] = mergePatch(merged[key], k);
      }
    } else if (props.kustomizations === null) {
      for (const key of Object.keys(merged)) delete merged[key];
    }
    for (const k of Object.values(merged)) if (isObject(k)) delete k.name;
    next.kustomizations = merged;
  }
  if (isObject(next.gitRepository) && isObject(next.gitRepository.repositoryRef)) {
    // Nulls are the stored "unset" form of the reference; keep them out of the merge result.
    for (const [k, v] of Object.entries(next.gitRepository.repositoryRef)) if (v === null) delete next.gitRepository.repositoryRef[k];
  }
  next = normalizeFluxSpec(next);
  checkFluxSpec(next);
  const protectedSettings = 'configurationProtectedSettings' in props ? mergeStringMap(record.protectedSettings, props.configurationProtectedSettings) : record.protectedSettings;

  if (jsonEqual(next, record.spec) && jsonEqual(protectedSettings, record.protectedSettings)) {
    return { status: 200, body: fluxView(record) };
  }
  record.spec = next;
  record.protectedSettings = protectedSettings;
  record.generation++;
  record.provisioningState = 'Updating';
  record.errorMessage = '';
  record.systemData.lastModifiedAt = modifiedAfter(record.systemData.lastModifiedAt);
  prepareKey(record);
  const op = startFluxOperation(world, record, 'update', ctx.apiVersion);
  return { status: 202, body: fluxView(record), headers: world.operations.headers(op) };
}

export function deleteFlux(ctx: ClusterContext, name: string): ArmResult {
  const { world } = ctx;
  const map = world.fluxConfigsOf(ctx.cluster);
  const record = map.get(name.toLowerCase());
  if (!record) return { status: 204 };
  if (forceDelete(ctx.query)) {
    cancelCurrent(world, record);
    map.delete(name.toLowerCase());
    world.agent.remove(record);
    return { status: 200 };
  }
  record.provisioningState = 'Deleting';
  const op = startFluxOperation(world, record, 'delete', ctx.apiVersion);
  return { status: 202, headers: world.operations.headers(op) };
}

function cancelCurrent(world: World, record: FluxRecord): void {
  if (!record.opName) return;
  const previous = world.operations.get(record.opName);
  if (previous) world.operations.finish(previous, 'Canceled', supersededError());
  if (record.waiting?.opName === record.opName) record.waiting = undefined;
}

function startFluxOperation(world: World, record: FluxRecord, action: Operation['action'], apiVersion: string): Operation {
  cancelCurrent(world, record);
  const op = world.operations.start(record.cluster, 'fluxConfigurations', record.name, action, apiVersion);
  record.opName = op.name;
  const failure = world.faults.takeOperationFailure('fluxConfigurations');
  const cancel = failure === undefined ? world.faults.takeOperationCancel() : undefined;
  const finish = (): void => finishFluxOperation(world, record, op, failure, cancel);
  // Creating and updating only records the desired state (the agent pulls it when it can);
  // deleting waits for the agent to clean up, so it cannot finish while the cluster is offline.
  world.scheduler.after(world.options.operationDelayMs, () => (action === 'delete' ? world.whenOnline(record.cluster, finish) : finish()));
  return op;
}

function finishFluxOperation(world: World, record: FluxRecord, op: Operation, failure: string | undefined, cancel: string | undefined): void {
  if (op.status === 'Succeeded' || op.status === 'Failed' || op.status === 'Canceled') return;
  const map = world.fluxConfigsOf(record.cluster);
  if (map.get(record.name.toLowerCase()) !== record || record.opName !== op.name) {
    world.operations.finish(op, 'Canceled', supersededError());
    return;
  }
  if (failure !== undefined) {
    record.provisioningState = 'Failed';
    record.errorMessage = failure;
    world.operations.finish(op, 'Failed', operationFailure('fluxConfigurations', failure));
    return;
  }
  if (op.action === 'delete') {
    map.delete(record.name.toLowerCase());
    world.agent.remove(record);
    world.operations.done(op, cancel);
    return;
  }
  record.deliveredGeneration = record.generation;
  if (record.spec.waitForReconciliation === true && cancel === undefined) {
    const waitMs = typeof record.spec.reconciliationWaitDuration === 'string' ? (parseIsoDuration(record.spec.reconciliationWaitDuration) ?? DEFAULT_WAIT_MS) : DEFAULT_WAIT_MS;
    record.waiting = { opName: op.name, deadlineMs: Date.now() + waitMs };
    world.scheduler.after(waitMs, () => {
      if (record.waiting?.opName !== op.name) return;
      record.waiting = undefined;
      const message = `The kustomizations did not reconcile within the reconciliation wait duration (${String(record.spec.reconciliationWaitDuration ?? 'PT30M')}).`;
      record.provisioningState = 'Failed';
      record.errorMessage = message;
      world.operations.finish(op, 'Failed', operationFailure('fluxConfigurations', message));
    });
    world.agent.sync(record);
    return;
  }
  record.provisioningState = 'Succeeded';
  record.errorMessage = '';
  world.operations.done(op, cancel);
  world.agent.sync(record);
}

/** Settles an operation waiting for reconciliation once the agent reports a final state. */
export function settleWaiting(world: World, record: FluxRecord): void {
  const waiting = record.waiting;
  if (!waiting) return;
  const op = world.operations.get(waiting.opName);
  const state = record.reported.complianceState;
  if (!op || !['Compliant', 'Non-Compliant', 'Suspended'].includes(state)) return;
  // Non-Compliant is final only once something failed: an object that waits on a dependency
  // is reported Non-Compliant too while the rollout goes on.
  const failed = record.reported.statuses.find((s) => s.complianceState === 'Non-Compliant' && !isWaitingReason(s.statusConditions?.[0]?.reason));
  if (state === 'Non-Compliant' && !failed) return;
  record.waiting = undefined;
  if (state === 'Non-Compliant') {
    const message = `Kustomization reconciliation failed: ${failed?.kind ?? 'object'} '${failed?.name ?? ''}': ${failed?.statusConditions?.[0]?.message ?? 'not ready'}`;
    record.provisioningState = 'Failed';
    record.errorMessage = message;
    world.operations.finish(op, 'Failed', operationFailure('fluxConfigurations', message));
  } else {
    record.provisioningState = 'Succeeded';
    world.operations.finish(op, 'Succeeded');
  }
}
