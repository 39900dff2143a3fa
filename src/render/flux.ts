/**
 * Offline rendering of what lands on the cluster for one Flux configuration: the FluxConfig
 * custom resource and the objects Azure's fluxconfig-controller makes from it.
 *
 * What is documented and what is inferred (see also README, "What the dry run shows"):
 * - Documented or observed: the source is named like the configuration and Kustomizations are
 *   named `<config>-<kustomization>`, all in the configuration's namespace; Azure's defaults
 *   (10m intervals and timeouts, prune false, force false, wait true); the
 *   `clusterconfig.azure.com/*` labels on Kustomizations; `flux-applier` impersonation under
 *   multi-tenancy; the HelmRelease `use-managed-source` patch; the
 *   `<config>-protected-parameters` Secret.
 * - Inferred: the FluxConfig CR's apiVersion and spec layout (its CRD is not published), the
 *   labels on the source object, `dependsOn` rewritten to prefixed names, the auth Secret's name
 *   (`<config>-auth`) and keys (Flux's standard keys), scp-style git URLs rewritten to ssh://,
 *   bucket endpoints without scheme, Azure Blob as a Bucket with provider azure, the git
 *   provider and OCI workload identity as Flux `provider` values.
 * Every secret value is replaced by the redaction marker; nothing secret is ever rendered.
 */
import { REDACTED } from '../core/redact.js';
import { formatGoDuration } from '../model/duration.js';
import type { FluxConfiguration, KustomizationDef, SourceTiming } from '../model/types.js';
import { AZURE_DEFAULTS } from '../model/types.js';
import { sortKeys, type KubeObject, type Rendered } from './kube.js';

export const FLUX_SOURCE_API = 'source.toolkit.fluxcd.io/v1';
export const FLUX_KUSTOMIZE_API = 'kustomize.toolkit.fluxcd.io/v1';
export const FLUXCONFIG_API = 'clusterconfig.azure.com/v1alpha1';
export const APPLIER_SERVICE_ACCOUNT = 'flux-applier';
export const MANAGED_SOURCE_ANNOTATION = 'clusterconfig.azure.com/use-managed-source';

export interface RenderOptions {
  /** The extension's `multiTenancy.enforce` setting (Azure's default: true). */
  multiTenancy?: boolean;
}

const INFERRED = 'Inferred from public sources; Azure does not document this object exactly.';

function labels(c: FluxConfiguration): Record<string, string> {
  return {
    'clusterconfig.azure.com/is-managed': 'true',
    'clusterconfig.azure.com/name': c.name,
    'clusterconfig.azure.com/namespace': c.namespace ?? AZURE_DEFAULTS.namespace,
  };
}

function meta(c: FluxConfiguration, name: string): KubeObject['metadata'] {
  return { name, namespace: c.namespace ?? AZURE_DEFAULTS.namespace, labels: labels(c) };
}

const interval = (t: SourceTiming | KustomizationDef): string => formatGoDuration(t.syncIntervalInSeconds ?? AZURE_DEFAULTS.intervalSeconds);
/** Flux source timeouts accept only ms, s and m units: an hour or more is written in minutes. */
const sourceTimeout = (t: SourceTiming): string => formatGoDuration(t.timeoutInSeconds ?? AZURE_DEFAULTS.timeoutSeconds, true);

/** `git@host:org/repo` (accepted by Azure) → `ssh://git@host/org/repo` (what Flux accepts). */
export function fluxGitUrl(url: string): string {
  const scp = /^([^@/\s]+@[^:/\s]+):(?!\/)(.+)$/.exec(url);
  return scp ? `ssh://${scp[1]}/${scp[2]}` : url;
}

function secret(c: FluxConfiguration, name: string, keys: string[], comment: string): Rendered {
  const stringData: Record<string, string> = {};
  for (const k of [...new Set(keys)].sort()) stringData[k] = REDACTED;
  return {
    object: { apiVersion: 'v1', kind: 'Secret', metadata: meta(c, name), type: 'Opaque', stringData },
    comment,
  };
}

interface SourceRender {
  kind: 'GitRepository' | 'Bucket' | 'OCIRepository';
  spec: Record<string, unknown>;
  /** Keys of the generated auth Secret, if the source needs one. */
  authKeys: string[];
  extra: Rendered[];
}

const authSecretName = (c: FluxConfiguration): string => `${c.name}-auth`;

function gitSource(c: FluxConfiguration): SourceRender {
  const g = c.gitRepository!;
  const p = c.configurationProtectedSettings;
  const spec: Record<string, unknown> = { url: fluxGitUrl(g.url), interval: interval(g), timeout: sourceTimeout(g) };
  const ref = g.repositoryRef ?? {};
  if (Object.keys(ref).length > 0) spec.ref = { ...ref };
  if (g.provider) spec.provider = g.provider.toLowerCase();
  const authKeys: string[] = [];
  const ssh = !/^https?:\/\//i.test(g.url);
  if (ssh && !g.localAuthRef && g.provider !== 'Azure') {
    // With no key of the user's, Azure generates a key pair and reports the public half.
    authKeys.push(...(p.sshPrivateKey ? ['identity'] : ['identity', 'identity.pub']));
    if (g.sshKnownHosts) authKeys.push('known_hosts');
  }
  if (!ssh && p.httpsKey) authKeys.push('username', 'password');
  if (g.httpsCACert) authKeys.push('ca.crt');
  if (g.localAuthRef) spec.secretRef = { name: g.localAuthRef };
  else if (authKeys.length > 0) spec.secretRef = { name: authSecretName(c) };
  return { kind: 'GitRepository', spec, authKeys: g.localAuthRef ? [] : authKeys, extra: [] };
}

function bucketSource(c: FluxConfiguration): SourceRender {
  const b = c.bucket!;
  const url = new URL(b.url);
  const spec: Record<string, unknown> = {
    bucketName: b.bucketName,
    endpoint: url.host,
    interval: interval(b),
    provider: 'generic',
    timeout: sourceTimeout(b),
  };
  if (b.insecure) spec.insecure = true;
  const authKeys = b.localAuthRef ? [] : ['accesskey', 'secretkey'];
  spec.secretRef = { name: b.localAuthRef ?? authSecretName(c) };
  return { kind: 'Bucket', spec, authKeys, extra: [] };
}

function azureBlobSource(c: FluxConfiguration): SourceRender {
  const a = c.azureBlob!;
  const spec: Record<string, unknown> = {
    bucketName: a.containerName,
    endpoint: a.url,
    interval: interval(a),
    provider: 'azure',
    timeout: sourceTimeout(a),
  };
  const authKeys: string[] = [];
  const sp = a.servicePrincipal;
  if (sp) {
    authKeys.push('tenantId', 'clientId');
    if (sp.clientSecret) authKeys.push('clientSecret');
    if (sp.clientCertificate) authKeys.push('clientCertificate');
    if (sp.clientCertificatePassword) authKeys.push('clientCertificatePassword');
    if (sp.clientCertificateSendChain) authKeys.push('clientCertificateSendChain');
  }
  if (a.accountKey) authKeys.push('accountKey');
  if (a.sasToken) authKeys.push('sasKey');
  if (a.managedIdentity?.clientId) authKeys.push('clientId');
  if (a.localAuthRef) spec.secretRef = { name: a.localAuthRef };
  else if (authKeys.length > 0) spec.secretRef = { name: authSecretName(c) };
  return { kind: 'Bucket', spec, authKeys: a.localAuthRef ? [] : authKeys, extra: [] };
}

function ociSource(c: FluxConfiguration): SourceRender {
  const o = c.ociRepository!;
  const spec: Record<string, unknown> = { url: o.url, interval: interval(o), timeout: sourceTimeout(o) };
  const ref = o.repositoryRef ?? {};
  spec.ref = Object.keys(ref).length > 0 ? { ...ref } : { tag: AZURE_DEFAULTS.ociTag };
  if (o.layerSelector) spec.layerSelector = { ...o.layerSelector };
  if (o.insecure) spec.insecure = true;
  if (o.useWorkloadIdentity) spec.provider = 'azure';
  if (o.serviceAccountName) spec.serviceAccountName = o.serviceAccountName;
  if (o.localAuthRef) spec.secretRef = { name: o.localAuthRef };
  const authKeys: string[] = [];
  const extra: Rendered[] = [];
  const tls = o.tlsConfig;
  if (tls && (tls.caCertificate || tls.clientCertificate)) {
    if (tls.clientCertificate) authKeys.push('tls.crt', 'tls.key');
    if (tls.caCertificate) authKeys.push('ca.crt');
    spec.certSecretRef = { name: authSecretName(c) };
  }
  if (o.verify) {
    const verify: Record<string, unknown> = { provider: o.verify.provider ?? 'cosign' };
    if (o.verify.matchOidcIdentity?.length) verify.matchOIDCIdentity = o.verify.matchOidcIdentity.map((m) => ({ issuer: m.issuer, subject: m.subject }));
    const keys = Object.keys(o.verify.verificationConfig ?? {});
    if (keys.length > 0) {
      const name = `${c.name}-verify`;
      verify.secretRef = { name };
      extra.push(secret(c, name, keys, `Secret with the trusted verification keys. ${INFERRED}`));
    }
    spec.verify = verify;
  }
  return { kind: 'OCIRepository', spec, authKeys, extra };
}

function kustomization(c: FluxConfiguration, key: string, k: KustomizationDef, sourceKind: SourceRender['kind'], multiTenancy: boolean): KubeObject {
  const namespace = c.namespace ?? AZURE_DEFAULTS.namespace;
  const spec: Record<string, unknown> = {
    interval: interval(k),
    prune: k.prune ?? AZURE_DEFAULTS.prune,
    sourceRef: { kind: sourceKind, name: c.name, namespace },
    suspend: c.suspend ?? false,
    timeout: formatGoDuration(k.timeoutInSeconds ?? AZURE_DEFAULTS.timeoutSeconds),
  };
  if (k.path) spec.path = k.path;
  if (k.retryIntervalInSeconds !== undefined) spec.retryInterval = formatGoDuration(k.retryIntervalInSeconds);
  if (k.force ?? AZURE_DEFAULTS.force) spec.force = true;
  if (k.wait ?? AZURE_DEFAULTS.wait) spec.wait = true;
  if (k.dependsOn?.length) spec.dependsOn = k.dependsOn.map((d) => ({ name: `${c.name}-${d}` }));
  if (k.postBuild && (k.postBuild.substitute || k.postBuild.substituteFrom)) {
    const postBuild: Record<string, unknown> = {};
    if (k.postBuild.substitute) postBuild.substitute = { ...k.postBuild.substitute };
    if (k.postBuild.substituteFrom) postBuild.substituteFrom = k.postBuild.substituteFrom.map((s) => ({ ...s }));
    spec.postBuild = postBuild;
  }
  if (multiTenancy) spec.serviceAccountName = APPLIER_SERVICE_ACCOUNT;
  if (sourceKind === 'GitRepository') {
    // HelmReleases annotated use-managed-source get the configuration's GitRepository as chart source.
    spec.patches = [
      {
        patch: JSON.stringify([{ op: 'add', path: '/spec/chart/spec/sourceRef', value: { kind: 'GitRepository', name: c.name, namespace } }]),
        target: { group: 'helm.toolkit.fluxcd.io', kind: 'HelmRelease', annotationSelector: `${MANAGED_SOURCE_ANNOTATION}=true` },
      },
    ];
  }
  return { apiVersion: FLUX_KUSTOMIZE_API, kind: 'Kustomization', metadata: meta(c, `${c.name}-${key}`), spec };
}

/** The FluxConfig custom resource: the desired state Azure's agent writes to the cluster. */
function fluxConfig(c: FluxConfiguration, source: SourceRender): KubeObject {
  const spec: Record<string, unknown> = {
    scope: c.scope ?? AZURE_DEFAULTS.scope,
    sourceKind: c.sourceKind,
    suspend: c.suspend ?? false,
    source: { kind: source.kind, name: c.name, ...source.spec },
    kustomizations: [...c.kustomizations].map(([name, k]) => ({
      name,
      path: k.path ?? '',
      dependsOn: k.dependsOn ?? [],
      syncInterval: interval(k),
      timeout: formatGoDuration(k.timeoutInSeconds ?? AZURE_DEFAULTS.timeoutSeconds),
      ...(k.retryIntervalInSeconds !== undefined ? { retryInterval: formatGoDuration(k.retryIntervalInSeconds) } : {}),
      prune: k.prune ?? AZURE_DEFAULTS.prune,
      force: k.force ?? AZURE_DEFAULTS.force,
      wait: k.wait ?? AZURE_DEFAULTS.wait,
      ...(k.postBuild ? { postBuild: k.postBuild } : {}),
    })),
  };
  if (Object.keys(c.configurationProtectedSettings).length > 0) {
    spec.protectedParametersSecretRef = { name: `${c.name}-protected-parameters` };
  }
  return { apiVersion: FLUXCONFIG_API, kind: 'FluxConfig', metadata: meta(c, c.name), spec };
}

/** Every object, in apply order: FluxConfig, Secrets, source, Kustomizations. Deterministic. */
export function renderClusterObjects(c: FluxConfiguration, options: RenderOptions = {}): Rendered[] {
  const multiTenancy = options.multiTenancy ?? true;
  const source =
    c.sourceKind === 'GitRepository' ? gitSource(c) : c.sourceKind === 'Bucket' ? bucketSource(c) : c.sourceKind === 'AzureBlob' ? azureBlobSource(c) : ociSource(c);
  const out: Rendered[] = [
    {
      object: fluxConfig(c, source),
      comment: `FluxConfig written by Azure's fluxconfig-agent. An approximation: its CRD is not published,\nso apiVersion and spec layout follow the last public sighting.`,
    },
  ];
  const protectedKeys = Object.keys(c.configurationProtectedSettings);
  if (protectedKeys.length > 0) {
    out.push(secret(c, `${c.name}-protected-parameters`, protectedKeys, 'Protected settings of the configuration (values redacted).'));
  }
  if (source.authKeys.length > 0) {
    out.push(secret(c, authSecretName(c), source.authKeys, `Source credentials with Flux's key names (values redacted). ${INFERRED}`));
  }
  out.push(...source.extra);
  out.push({ object: { apiVersion: FLUX_SOURCE_API, kind: source.kind, metadata: meta(c, c.name), spec: { ...source.spec, suspend: c.suspend ?? false } } });
  for (const [key, k] of c.kustomizations) {
    out.push({ object: kustomization(c, key, k, source.kind, multiTenancy) });
  }
  return out.map((r) => ({ ...r, object: sortKeys(r.object) }));
}
