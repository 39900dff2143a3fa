/**
 * Assembles a FluxConfiguration from flags and an optional file, then checks the rules that
 * span several flags, in one fixed order. Flags override the file field by field.
 */
import { UsageError } from '../core/errors.js';
import { parseDurationMs } from './duration.js';
import { parseConfigurationFile } from './file.js';
import { FLAG, KIND_FLAGS_OF, type FluxConfigFlags, type FluxFlagName } from './flags.js';
import { readFileFor, type InputReader } from './input.js';
import { checkKustomizations, parseKustomizations } from './kustomization.js';
import { azureBlobFromFlags, bucketFromFlags, gitFromFlags, ociFromFlags } from './source.js';
import {
  AZURE_DEFAULTS,
  KIND_FLAGS,
  SOURCE_KIND_OF,
  SOURCE_PROPERTY,
  type AzureBlobDef,
  type BucketDef,
  type FluxConfiguration,
  type GitRepositoryDef,
  type KindFlag,
  type KustomizationDef,
  type OciRepositoryDef,
  type SourceKind,
} from './types.js';
import { parseBoolean, parseChoice, parseDnsLabel, parseObjectName } from './values.js';

const KIND_FLAG_OF: Record<SourceKind, KindFlag> = { GitRepository: 'git', Bucket: 'bucket', AzureBlob: 'azblob', OCIRepository: 'oci' };

/** Flags given that belong to another source kind are refused, naming the kind they belong to. */
function refuseForeignFlags(flags: FluxConfigFlags, kind: KindFlag, defaulted: boolean): void {
  const own = new Set<FluxFlagName>(KIND_FLAGS_OF[kind]);
  const foreign: { flag: FluxFlagName; kinds: KindFlag[] }[] = [];
  for (const other of KIND_FLAGS) {
    if (other === kind) continue;
    for (const f of KIND_FLAGS_OF[other]) {
      if (flags[f] === undefined || own.has(f)) continue;
      const entry = foreign.find((e) => e.flag === f);
      if (entry) entry.kinds.push(other);
      else foreign.push({ flag: f, kinds: [other] });
    }
  }
  if (foreign.length > 0) {
    const names = foreign.map((e) => FLAG[e.flag]).join(', ');
    const kinds = [...new Set(foreign.flatMap((e) => e.kinds))];
    const current = `--kind ${kind}${defaulted ? ' (the default)' : ''}`;
    const message = foreign.length > 1 ? `${names} do not apply to ${current}.` : `does not apply to ${current}.`;
    throw new UsageError(FLAG[foreign[0]!.flag], message, `${names} ${foreign.length > 1 ? 'belong' : 'belongs'} to --kind ${kinds.join(' or ')}; add --kind ${kinds[0]} or drop ${foreign.length > 1 ? 'them' : 'it'}.`);
  }
}

export interface BuildResult {
  config: FluxConfiguration;
  /** Notes for the user (stderr), e.g. the default kustomization. */
  warnings: string[];
}

export interface BuildOptions {
  /**
   * The configuration as Azure has it: `flux config update` lays the file and the flags over
   * it. Its protected settings cannot be read back, so checks that need them are skipped
   * unless the user gives them again.
   */
  existing?: FluxConfiguration;
}

/** Lays a file's fields over the configuration in Azure: what the file names replaces. */
function overlay(existing: FluxConfiguration, file: Partial<FluxConfiguration>): Partial<FluxConfiguration> {
  const out: Partial<FluxConfiguration> = { ...existing, configurationProtectedSettings: {} };
  for (const [key, value] of Object.entries(file)) if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  if (file.sourceKind && file.sourceKind !== existing.sourceKind) delete out[SOURCE_PROPERTY[existing.sourceKind]];
  return out;
}

/**
 * Flags (and `-f`) → a complete, validated configuration: for `flux config create` from
 * nothing, for `flux config update` over the existing one.
 */
export function buildFluxConfiguration(flags: FluxConfigFlags, input: InputReader, options: BuildOptions = {}): BuildResult {
  const { existing } = options;
  const warnings: string[] = [];
  const file = flags.file !== undefined ? parseConfigurationFile(readFileFor(FLAG.file, flags.file, input), flags.file) : undefined;
  if (file && file.unreadableProtectedSettings.length > 0) {
    warnings.push(`${flags.file} names protected settings without values (${file.unreadableProtectedSettings.join(', ')}); Azure never returns them, so give them again with their flags if they are needed.`);
  }
  const base: Partial<FluxConfiguration> = existing ? overlay(existing, file?.partial ?? {}) : (file?.partial ?? {});

  // 1. Names.
  const rawName = flags.name ?? file?.name;
  if (rawName === undefined) throw new UsageError(FLAG.name, 'the configuration name is required.', 'Add -n NAME.');
  const name = parseObjectName(FLAG.name, rawName, 'configuration name');
  if (existing && file?.name !== undefined && file.name !== existing.name) {
    throw new UsageError(FLAG.file, `${flags.file} describes '${file.name}', not '${existing.name}'.`);
  }
  const namespace = parseDnsLabel(FLAG.namespace, flags.namespace ?? base.namespace ?? AZURE_DEFAULTS.namespace, 'namespace');
  const scope = flags.scope !== undefined ? parseChoice(FLAG.scope, flags.scope, ['cluster', 'namespace'] as const) : (base.scope ?? AZURE_DEFAULTS.scope);
  if (existing && (namespace !== (existing.namespace ?? AZURE_DEFAULTS.namespace) || scope !== (existing.scope ?? AZURE_DEFAULTS.scope))) {
    throw new UsageError(namespace !== existing.namespace ? FLAG.namespace : FLAG.scope, 'the scope and namespace of a configuration are fixed when it is created.', 'Delete the configuration and create it again to change them.');
  }

  // 2. Source kind and the flags that belong to it.
  const kind: KindFlag = flags.kind !== undefined ? parseChoice(FLAG.kind, flags.kind, KIND_FLAGS) : base.sourceKind ? KIND_FLAG_OF[base.sourceKind] : 'git';
  refuseForeignFlags(flags, kind, flags.kind === undefined && base.sourceKind === undefined);
  const sourceKind = SOURCE_KIND_OF[kind];
  const property = SOURCE_PROPERTY[sourceKind];
  for (const other of Object.values(SOURCE_PROPERTY)) {
    if (other !== property && file?.partial[other] !== undefined && flags.kind !== undefined) {
      warnings.push(`${flags.file}: ${other} is ignored because --kind ${kind} was given.`);
    }
  }

  const config: FluxConfiguration = {
    name,
    scope,
    namespace,
    sourceKind,
    suspend: flags.suspend !== undefined ? parseBoolean(FLAG.suspend, flags.suspend) : (base.suspend ?? false),
    kustomizations: new Map(),
    configurationProtectedSettings: { ...(base.configurationProtectedSettings ?? {}) },
  };

  // 3. The source block.
  switch (kind) {
    case 'git': {
      const { block, extras } = gitFromFlags(flags, base.gitRepository ?? {}, input);
      config.gitRepository = block as GitRepositoryDef;
      if (extras.sshPrivateKey) config.configurationProtectedSettings.sshPrivateKey = extras.sshPrivateKey;
      if (extras.httpsKey) config.configurationProtectedSettings.httpsKey = extras.httpsKey;
      break;
    }
    case 'bucket': {
      const { block, secretKey } = bucketFromFlags(flags, base.bucket ?? {}, input);
      // The service defaults `insecure` to true; say what the URL means instead of inheriting that.
      if (block.insecure === undefined && block.url) block.insecure = /^http:\/\//i.test(block.url);
      config.bucket = block as BucketDef;
      if (secretKey) config.configurationProtectedSettings.bucketSecretKey = secretKey;
      break;
    }
    case 'azblob':
      config.azureBlob = azureBlobFromFlags(flags, base.azureBlob ?? {}, input) as AzureBlobDef;
      break;
    case 'oci':
      config.ociRepository = ociFromFlags(flags, base.ociRepository ?? {}, input) as OciRepositoryDef;
      break;
  }

  // 4. Kustomizations. On create, a -k replaces the file's entry of the same name; on update it
  //    changes only the keys it gives (az's semantics). New names are added.
  const fromFlags = parseKustomizations(flags.kustomization ?? []);
  config.kustomizations = new Map(base.kustomizations ?? []);
  for (const [k, def] of fromFlags) config.kustomizations.set(k, existing ? mergeKustomization(config.kustomizations.get(k), def) : def);
  // A file that says `kustomizations: {}` asks for a source only; the implicit kustomization is
  // for a command line (or file) that names none at all.
  if (config.kustomizations.size === 0 && !existing && file?.partial.kustomizations === undefined) {
    config.kustomizations.set(AZURE_DEFAULTS.defaultKustomizationName, {});
    warnings.push(`no kustomization given: one named '${AZURE_DEFAULTS.defaultKustomizationName}' is created for the repository root. Use -k name=NAME path=PATH to choose.`);
  }

  // 5. Waiting for reconciliation on the service side.
  const wait = flags.waitForReconciliation !== undefined ? parseBoolean(FLAG.waitForReconciliation, flags.waitForReconciliation) : base.waitForReconciliation;
  if (wait !== undefined) config.waitForReconciliation = wait;
  if (flags.reconciliationWaitDuration !== undefined) {
    config.reconciliationWaitDuration = toIsoDuration(parseDurationMs(FLAG.reconciliationWaitDuration, flags.reconciliationWaitDuration));
  } else if (base.reconciliationWaitDuration !== undefined) {
    config.reconciliationWaitDuration = base.reconciliationWaitDuration;
  }
  if (config.reconciliationWaitDuration !== undefined && config.waitForReconciliation !== true) {
    throw new UsageError(FLAG.reconciliationWaitDuration, 'only applies with --wait-for-reconciliation.', 'Add --wait-for-reconciliation.');
  }

  validateFluxConfiguration(config, {
    secretsKnown: !existing,
    flagNames: {
      ...(flags.sshPrivateKeyFile !== undefined ? { sshPrivateKey: FLAG.sshPrivateKeyFile } : {}),
      ...(flags.knownHostsFile !== undefined ? { knownHosts: FLAG.knownHostsFile } : {}),
    },
  });
  return { config, warnings };
}

/** A kustomization changed by the keys of one `-k`: substitutions merge, the rest replaces. */
export function mergeKustomization(current: KustomizationDef | undefined, change: KustomizationDef): KustomizationDef {
  const merged: KustomizationDef = { ...(current ?? {}), ...change };
  if (current?.postBuild && change.postBuild) {
    merged.postBuild = {
      ...current.postBuild,
      ...change.postBuild,
      ...(current.postBuild.substitute || change.postBuild.substitute ? { substitute: { ...current.postBuild.substitute, ...change.postBuild.substitute } } : {}),
    };
  }
  return merged;
}

/** Whole seconds → ISO-8601 (`PT1H30M`), as ARM expects for reconciliationWaitDuration. */
export function toIsoDuration(ms: number): string {
  let s = Math.max(1, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `PT${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s ? `${s}S` : ''}`;
}

const urlScheme = (url: string): string => (/^git@/i.test(url) ? 'ssh' : (/^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1] ?? '').toLowerCase());

function requireUrl(url: string | undefined, kind: KindFlag, schemes: string[], example: string): string {
  if (!url) throw new UsageError(FLAG.url, `the source URL is required for --kind ${kind}.`, `Add -u ${example}.`);
  const scheme = urlScheme(url);
  if (!schemes.includes(scheme)) {
    const accepted = schemes.map((s) => (s === 'ssh' ? 'ssh:// or git@host:' : `${s}://`)).join(', ');
    throw new UsageError(FLAG.url, `'${url}' is not a URL --kind ${kind} can use.`, `Accepted: ${accepted} (e.g. ${example}).`);
  }
  let host = /^git@([^:/\s]+):/i.exec(url)?.[1] ?? '';
  if (!host) {
    try {
      host = new URL(url).hostname;
    } catch {
      throw new UsageError(FLAG.url, `'${url}' is not a valid URL.`);
    }
  }
  if (!host) throw new UsageError(FLAG.url, `'${url}' has no host.`, `e.g. ${example}`);
  return scheme;
}

function validateGit(c: FluxConfiguration, secretsKnown: boolean, flags: FlagNames): void {
  const g = c.gitRepository!;
  const p = c.configurationProtectedSettings;
  const scheme = requireUrl(g.url, 'git', ['https', 'http', 'ssh'], 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt');
  const ref = g.repositoryRef ?? {};
  const refs = (['branch', 'tag', 'semver', 'commit'] as const).filter((k) => ref[k] !== undefined);
  if (refs.length === 0) {
    throw new UsageError('--branch', 'a repository reference is required.', 'Add one of --branch, --tag, --semver or --commit.');
  }
  if (refs.length > 1 && !(refs.length === 2 && refs.includes('commit') && refs.includes('branch'))) {
    throw new UsageError(`--${refs[1]}`, `cannot be combined with --${refs[0]}.`, 'Give one of --branch, --tag, --semver or --commit (only --commit may be paired with --branch).');
  }
  if (ref.commit !== undefined && !/^[0-9a-f]{7,64}$/i.test(ref.commit)) {
    throw new UsageError(FLAG.commit, `'${ref.commit}' is not a commit SHA.`, 'Give the full (or at least 7-character) hexadecimal commit id.');
  }
  const isHttp = scheme === 'http' || scheme === 'https';
  if (isHttp && p.sshPrivateKey) throw new UsageError(flags.sshPrivateKey ?? FLAG.sshPrivateKey, 'an SSH private key cannot be used with an http(s) URL.', 'Use an ssh:// or git@ URL, or --https-user/--https-key.');
  if (isHttp && g.sshKnownHosts) throw new UsageError(flags.knownHosts ?? FLAG.knownHosts, 'known hosts only apply to ssh:// or git@ URLs.');
  if (!isHttp && (g.httpsUser !== undefined || p.httpsKey)) throw new UsageError(g.httpsUser !== undefined ? FLAG.httpsUser : FLAG.httpsKey, 'HTTPS credentials cannot be used with an SSH URL.', 'Use an https:// URL, or --ssh-private-key.');
  if (secretsKnown && (g.httpsUser !== undefined) !== Boolean(p.httpsKey)) {
    throw new UsageError(g.httpsUser !== undefined ? FLAG.httpsKey : FLAG.httpsUser, `is required with ${g.httpsUser !== undefined ? FLAG.httpsUser : FLAG.httpsKey}.`, 'Give --https-user and --https-key together, or neither.');
  }
  if (g.localAuthRef && (p.sshPrivateKey || p.httpsKey)) {
    throw new UsageError(FLAG.localAuthRef, 'a local auth secret replaces the credentials given with --ssh-private-key or --https-key.', 'Give one way to authenticate.');
  }
  if (g.provider !== undefined && !['Azure', 'GitHub', 'Generic'].includes(g.provider)) {
    throw new UsageError(FLAG.provider, `'${g.provider}' is not a git provider.`, 'Accepted: azure, github, generic.');
  }
  if (g.provider === 'Azure') {
    if (!isHttp) throw new UsageError(FLAG.provider, '--provider azure (Azure DevOps with workload identity) needs an https:// URL.');
    if (p.sshPrivateKey || p.httpsKey || g.localAuthRef) throw new UsageError(FLAG.provider, '--provider azure authenticates with workload identity; credentials cannot be given too.');
  }
}

function validateBucket(c: FluxConfiguration, secretsKnown: boolean): void {
  const b = c.bucket!;
  requireUrl(b.url, 'bucket', ['https', 'http'], 'https://minio.example.com');
  if (!b.bucketName) throw new UsageError(FLAG.bucketName, 'the bucket name is required for --kind bucket.');
  parseObjectName(FLAG.bucketName, b.bucketName, 'bucket name', 63);
  const secret = Boolean(c.configurationProtectedSettings.bucketSecretKey);
  if (secretsKnown && (b.accessKey !== undefined) !== secret) {
    throw new UsageError(b.accessKey !== undefined ? FLAG.bucketSecretKey : FLAG.bucketAccessKey, `is required with ${b.accessKey !== undefined ? FLAG.bucketAccessKey : FLAG.bucketSecretKey}.`, 'Give --bucket-access-key and --bucket-secret-key together, or --local-auth-ref instead.');
  }
  if (secretsKnown && !secret && !b.localAuthRef) {
    throw new UsageError(FLAG.bucketAccessKey, '--kind bucket needs credentials.', 'Give --bucket-access-key and --bucket-secret-key, or --local-auth-ref SECRET.');
  }
  if (secret && b.localAuthRef) throw new UsageError(FLAG.localAuthRef, 'give either access keys or --local-auth-ref, not both.');
}

function validateAzureBlob(c: FluxConfiguration): void {
  const a = c.azureBlob!;
  requireUrl(a.url, 'azblob', ['https', 'http'], 'https://ACCOUNT.blob.core.windows.net');
  if (!a.containerName) throw new UsageError(FLAG.containerName, 'the container name is required for --kind azblob.');
  const sp = a.servicePrincipal;
  if (sp) {
    if (!sp.clientId || !sp.tenantId || !(sp.clientSecret || sp.clientCertificate)) {
      throw new UsageError(FLAG.spClientId, 'a service principal needs --sp-client-id, --sp-tenant-id and --sp-client-secret (or --sp-client-cert).');
    }
    if (sp.clientSecret && sp.clientCertificate) throw new UsageError(FLAG.spClientSecret, 'give --sp-client-secret or --sp-client-cert, not both.');
    if (sp.clientCertificatePassword && !sp.clientCertificate) throw new UsageError(FLAG.spCertPassword, 'only applies with --sp-client-cert.');
    if (sp.clientCertificateSendChain !== undefined && !sp.clientCertificate) throw new UsageError(FLAG.spCertSendChain, 'only applies with --sp-client-cert.');
  }
  const methods = [
    sp && ['--sp-client-id', 'a service principal (--sp-*)'],
    a.accountKey && [FLAG.accountKey, FLAG.accountKey],
    a.sasToken && [FLAG.sasToken, FLAG.sasToken],
    a.localAuthRef && [FLAG.localAuthRef, FLAG.localAuthRef],
    a.managedIdentity && [FLAG.miClientId, FLAG.miClientId],
  ].filter((m): m is string[] => Array.isArray(m));
  if (methods.length > 1) throw new UsageError(methods[1]![0], `too many ways to authenticate: ${methods.map((m) => m[1]).join(', ')}.`, 'Azure Blob takes one: a service principal, an account key, a SAS token, a managed identity or a local auth secret.');
}

function validateOci(c: FluxConfiguration): void {
  const o = c.ociRepository!;
  requireUrl(o.url, 'oci', ['oci'], 'oci://ghcr.io/stefanprodan/manifests/podinfo');
  const ref = o.repositoryRef ?? {};
  const refs = (['tag', 'semver', 'digest'] as const).filter((k) => ref[k] !== undefined);
  if (refs.length > 1) throw new UsageError(`--${refs[1]}`, `cannot be combined with --${refs[0]}.`, 'Give one of --tag, --semver or --digest.');
  if (ref.digest !== undefined && !/^sha256:[a-f0-9]{64}$/.test(ref.digest)) throw new UsageError(FLAG.digest, `'${ref.digest}' is not an OCI digest.`, 'Use sha256: followed by 64 lower-case hex digits.');
  if (o.layerSelector?.operation !== undefined && !['extract', 'copy'].includes(o.layerSelector.operation)) throw new UsageError(FLAG.ociOperation, `'${o.layerSelector.operation}' is not extract or copy.`);
  const tls = o.tlsConfig;
  if (tls && Boolean(tls.clientCertificate) !== Boolean(tls.privateKey)) {
    throw new UsageError(tls.clientCertificate ? FLAG.tlsPrivateKey : FLAG.tlsClientCertificate, `is required with ${tls.clientCertificate ? FLAG.tlsClientCertificate : FLAG.tlsPrivateKey}.`, 'Give --tls-client-certificate and --tls-private-key together.');
  }
  if (o.useWorkloadIdentity && o.localAuthRef) throw new UsageError(FLAG.useWorkloadIdentity, 'workload identity and --local-auth-ref are two ways to authenticate; give one.');
  if (o.verify && (o.verify.matchOidcIdentity || o.verify.verificationConfig) && !o.verify.provider) {
    throw new UsageError(FLAG.verificationProvider, 'verification settings need a provider.', 'Add --verification-provider cosign (or notation).');
  }
}

/** Which spelling of a flag pair the user gave (e.g. --ssh-private-key-file), for messages. */
export type FlagNames = Partial<Record<'sshPrivateKey' | 'knownHosts', string>>;

export interface ValidateOptions {
  /** False when protected settings exist in Azure but cannot be read back (update). */
  secretsKnown?: boolean;
  flagNames?: FlagNames;
}

/** Cross-field rules of a complete configuration, wherever its fields came from. */
export function validateFluxConfiguration(c: FluxConfiguration, options: ValidateOptions = {}): void {
  const secretsKnown = options.secretsKnown ?? true;
  switch (c.sourceKind) {
    case 'GitRepository':
      validateGit(c, secretsKnown, options.flagNames ?? {});
      break;
    case 'Bucket':
      validateBucket(c, secretsKnown);
      break;
    case 'AzureBlob':
      validateAzureBlob(c);
      break;
    case 'OCIRepository':
      validateOci(c);
      break;
  }
  checkKustomizations(c.name, c.kustomizations);
}
