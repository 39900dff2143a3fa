/**
 * Assembles a FluxConfiguration from flags and an optional file, then checks the rules that
 * span several flags, in one fixed order. Flags override the file field by field. Parsing
 * (every value on its own) and assembling (the whole, over what Azure has) are two steps, so
 * that `update` refuses bad input before it reads anything from Azure.
 */
import { echo } from '../core/echo.js';
import { UsageError } from '../core/errors.js';
import { redactor } from '../core/redact.js';
import { parseDurationMs } from './duration.js';
import { parseConfigurationFile, type FileConfiguration } from './file.js';
import { FLAG, KIND_FLAGS_OF, type FluxConfigFlags, type FluxFlagName } from './flags.js';
import { readFileOrStdinFor, type InputReader } from './input.js';
import { checkKustomizations, KUSTOMIZATION_FLAG, parseKustomizations } from './kustomization.js';
import { azureBlobFromFlags, bucketFromFlags, gitFromFlags, ociFromFlags, overlaySource } from './source.js';
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

/**
 * Every flag (and the file) parsed into typed values, before anything is known about the
 * configuration in Azure: what `flux config update` checks before it sends anything.
 */
export interface ParsedFluxInput {
  flags: FluxConfigFlags;
  file?: FileConfiguration;
  name?: string;
  namespace?: string;
  scope?: 'cluster' | 'namespace';
  kind?: KindFlag;
  suspend?: boolean;
  /** The fields each kind's flags give (the kind that applies is known only once merged). */
  sources: {
    git: ReturnType<typeof gitFromFlags>;
    bucket: ReturnType<typeof bucketFromFlags>;
    azblob: ReturnType<typeof azureBlobFromFlags>;
    oci: ReturnType<typeof ociFromFlags>;
  };
  kustomizations: Map<string, KustomizationDef>;
  waitForReconciliation?: boolean;
  reconciliationWaitDuration?: string;
  warnings: string[];
}

export interface ParseOptions {
  /** For update: the source kind may come from Azure, so foreign flags are judged once it is known. */
  update?: boolean;
}

/** Flags and `-f` → typed values, each checked on its own. Reads files and standard input, sends nothing. */
export function parseFluxConfigInput(flags: FluxConfigFlags, input: InputReader, options: ParseOptions = {}): ParsedFluxInput {
  const warnings: string[] = [];
  const file = flags.file !== undefined ? parseConfigurationFile(readFileOrStdinFor(FLAG.file, flags.file, input), flags.file === '-' ? 'standard input' : flags.file) : undefined;
  if (file && file.unreadableProtectedSettings.length > 0) {
    warnings.push(`${echo(flags.file!)} names protected settings without values (${file.unreadableProtectedSettings.map((k) => echo(k)).join(', ')}); Azure never returns them, so give them again with their flags if they are needed.`);
  }
  const kind = flags.kind !== undefined ? parseChoice(FLAG.kind, flags.kind, KIND_FLAGS) : undefined;
  const knownKind = kind ?? (file?.partial.sourceKind ? KIND_FLAG_OF[file.partial.sourceKind] : options.update ? undefined : 'git');
  if (knownKind) refuseForeignFlags(flags, knownKind, kind === undefined && file?.partial.sourceKind === undefined);
  const parsed: ParsedFluxInput = {
    flags,
    ...(file ? { file } : {}),
    sources: {
      git: gitFromFlags(flags, input),
      bucket: bucketFromFlags(flags, input),
      azblob: azureBlobFromFlags(flags, input),
      oci: ociFromFlags(flags, input),
    },
    kustomizations: parseKustomizations(flags.kustomization ?? []),
    warnings,
  };
  if (flags.name !== undefined) parsed.name = parseObjectName(FLAG.name, flags.name, 'configuration name');
  if (flags.namespace !== undefined) parsed.namespace = parseDnsLabel(FLAG.namespace, flags.namespace, 'namespace');
  if (flags.scope !== undefined) parsed.scope = parseChoice(FLAG.scope, flags.scope, ['cluster', 'namespace'] as const);
  if (kind !== undefined) parsed.kind = kind;
  if (flags.suspend !== undefined) parsed.suspend = parseBoolean(FLAG.suspend, flags.suspend);
  if (flags.waitForReconciliation !== undefined) parsed.waitForReconciliation = parseBoolean(FLAG.waitForReconciliation, flags.waitForReconciliation);
  if (flags.reconciliationWaitDuration !== undefined) {
    parsed.reconciliationWaitDuration = toIsoDuration(parseDurationMs(FLAG.reconciliationWaitDuration, flags.reconciliationWaitDuration, { min: 1000 }));
  }
  return parsed;
}

/** Lays a file's fields over the configuration in Azure: what the file names replaces. */
function overlay(existing: FluxConfiguration, file: Partial<FluxConfiguration>): Partial<FluxConfiguration> {
  const out: Partial<FluxConfiguration> = { ...existing, configurationProtectedSettings: {} };
  for (const [key, value] of Object.entries(file)) if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  if (file.sourceKind && file.sourceKind !== existing.sourceKind) delete out[SOURCE_PROPERTY[existing.sourceKind]];
  return out;
}

/** The part of a configuration each flag sets, where a file keeps it (for errors about a value the file gave). */
function fileFieldOf(flag: string, sourceKind: SourceKind): string | undefined {
  const source = SOURCE_PROPERTY[sourceKind];
  const fields: Record<string, string> = {
    [FLAG.name]: 'name',
    [FLAG.namespace]: 'namespace',
    [FLAG.scope]: 'scope',
    [FLAG.url]: `${source}.url`,
    [FLAG.branch]: `${source}.repositoryRef`,
    [FLAG.tag]: `${source}.repositoryRef.tag`,
    [FLAG.semver]: `${source}.repositoryRef.semver`,
    [FLAG.commit]: `${source}.repositoryRef.commit`,
    [FLAG.digest]: `${source}.repositoryRef.digest`,
    [FLAG.localAuthRef]: `${source}.localAuthRef`,
    [FLAG.httpsUser]: 'gitRepository.httpsUser',
    [FLAG.httpsKey]: 'configurationProtectedSettings.httpsKey',
    [FLAG.sshPrivateKey]: 'configurationProtectedSettings.sshPrivateKey',
    [FLAG.knownHosts]: 'gitRepository.sshKnownHosts',
    [FLAG.provider]: 'gitRepository.provider',
    [FLAG.bucketName]: 'bucket.bucketName',
    [FLAG.bucketAccessKey]: 'bucket.accessKey',
    [FLAG.bucketSecretKey]: 'configurationProtectedSettings.bucketSecretKey',
    [FLAG.containerName]: 'azureBlob.containerName',
    [FLAG.accountKey]: 'azureBlob.accountKey',
    [FLAG.sasToken]: 'azureBlob.sasToken',
    [FLAG.spClientId]: 'azureBlob.servicePrincipal',
    [FLAG.spClientSecret]: 'azureBlob.servicePrincipal.clientSecret',
    [FLAG.spCertPassword]: 'azureBlob.servicePrincipal.clientCertificatePassword',
    [FLAG.spCertSendChain]: 'azureBlob.servicePrincipal.clientCertificateSendChain',
    [FLAG.miClientId]: 'azureBlob.managedIdentity',
    [FLAG.ociOperation]: 'ociRepository.layerSelector.operation',
    [FLAG.tlsClientCertificate]: 'ociRepository.tlsConfig.clientCertificate',
    [FLAG.tlsPrivateKey]: 'ociRepository.tlsConfig.privateKey',
    [FLAG.useWorkloadIdentity]: 'ociRepository.useWorkloadIdentity',
    [FLAG.verificationProvider]: 'ociRepository.verify.provider',
    [FLAG.reconciliationWaitDuration]: 'reconciliationWaitDuration',
    [KUSTOMIZATION_FLAG]: 'kustomizations',
  };
  return Object.hasOwn(fields, flag) ? fields[flag] : undefined;
}

/**
 * A rule about the whole configuration broken by a value the file gave (not a flag the user
 * typed) is reported against the file and its field.
 */
function blameFile(err: unknown, parsed: ParsedFluxInput, sourceKind: SourceKind): unknown {
  if (!(err instanceof UsageError) || !parsed.file || err.flag === undefined) return err;
  const typed = (Object.keys(FLAG) as FluxFlagName[]).some((key) => FLAG[key] === err.flag && parsed.flags[key] !== undefined);
  if (typed) return err;
  const field = fileFieldOf(err.flag, sourceKind);
  if (field === undefined) return err;
  const where = parsed.flags.file === '-' ? 'standard input' : parsed.flags.file!;
  // The rule's own error stays the cause: a caller that wrote the file from flags of its own
  // (init) reports it against those.
  return Object.assign(new UsageError(FLAG.file, `${echo(where)}: ${field}: ${err.message.slice(err.flag.length + 2)}`, err.remedy), { cause: err });
}

/**
 * Flags (and `-f`) → a complete, validated configuration: for `flux config create` from
 * nothing, for `flux config update` over the existing one.
 */
export function buildFluxConfiguration(flags: FluxConfigFlags, input: InputReader, options: BuildOptions = {}): BuildResult {
  return assembleFluxConfiguration(parseFluxConfigInput(flags, input, { update: options.existing !== undefined }), options);
}

/**
 * The parsed input laid over the file and (on update) over the configuration in Azure, then
 * checked as a whole by the same rules, whichever of the three each field came from.
 */
export function assembleFluxConfiguration(parsed: ParsedFluxInput, options: BuildOptions = {}): BuildResult {
  const { existing } = options;
  const { flags, file } = parsed;
  const warnings = [...parsed.warnings];
  const base: Partial<FluxConfiguration> = existing ? overlay(existing, file?.partial ?? {}) : (file?.partial ?? {});
  const sourceKindOf = (): SourceKind => (parsed.kind ? SOURCE_KIND_OF[parsed.kind] : (base.sourceKind ?? 'GitRepository'));
  try {
    return assemble(parsed, base, existing, warnings);
  } catch (err) {
    throw blameFile(err, parsed, sourceKindOf());
  }
}

function assemble(parsed: ParsedFluxInput, base: Partial<FluxConfiguration>, existing: FluxConfiguration | undefined, warnings: string[]): BuildResult {
  const { flags, file } = parsed;

  // 1. Names.
  const rawName = parsed.name ?? file?.name;
  if (rawName === undefined) throw new UsageError(FLAG.name, 'the configuration name is required.', 'Add -n NAME.');
  const name = parseObjectName(FLAG.name, rawName, 'configuration name');
  if (existing && file?.name !== undefined && file.name !== existing.name) {
    throw new UsageError(FLAG.file, `${echo(flags.file!)} describes '${echo(file.name)}', not '${existing.name}'.`);
  }
  const namespace = parsed.namespace ?? base.namespace ?? AZURE_DEFAULTS.namespace;
  const scope = parsed.scope ?? base.scope ?? AZURE_DEFAULTS.scope;
  if (existing && (namespace !== (existing.namespace ?? AZURE_DEFAULTS.namespace) || scope !== (existing.scope ?? AZURE_DEFAULTS.scope))) {
    throw new UsageError(namespace !== existing.namespace ? FLAG.namespace : FLAG.scope, 'the scope and namespace of a configuration are fixed when it is created.', 'Delete the configuration and create it again to change them.');
  }

  // 2. Source kind and the flags that belong to it.
  const kind: KindFlag = parsed.kind ?? (base.sourceKind ? KIND_FLAG_OF[base.sourceKind] : 'git');
  refuseForeignFlags(flags, kind, parsed.kind === undefined && base.sourceKind === undefined);
  const sourceKind = SOURCE_KIND_OF[kind];
  const property = SOURCE_PROPERTY[sourceKind];
  for (const other of Object.values(SOURCE_PROPERTY)) {
    if (other !== property && file?.partial[other] !== undefined && parsed.kind !== undefined) {
      warnings.push(`${echo(flags.file!)}: ${other} is ignored because --kind ${kind} was given.`);
    }
  }

  const config: FluxConfiguration = {
    name,
    scope,
    namespace,
    sourceKind,
    suspend: parsed.suspend ?? base.suspend ?? false,
    kustomizations: new Map(),
    configurationProtectedSettings: { ...(base.configurationProtectedSettings ?? {}) },
  };

  // 3. The source block: the flags' fields over the file's (or Azure's) block.
  switch (kind) {
    case 'git': {
      const { block, extras } = parsed.sources.git;
      config.gitRepository = overlaySource(base.gitRepository ?? {}, block) as GitRepositoryDef;
      if (extras.sshPrivateKey) config.configurationProtectedSettings.sshPrivateKey = extras.sshPrivateKey;
      if (extras.httpsKey) config.configurationProtectedSettings.httpsKey = extras.httpsKey;
      break;
    }
    case 'bucket': {
      const { block, secretKey } = parsed.sources.bucket;
      const merged = overlaySource(base.bucket ?? {}, block);
      // The service defaults `insecure` to true; say what the URL means instead of inheriting that.
      if (merged.insecure === undefined && merged.url) merged.insecure = /^http:\/\//i.test(merged.url);
      config.bucket = merged as BucketDef;
      if (secretKey) config.configurationProtectedSettings.bucketSecretKey = secretKey;
      break;
    }
    case 'azblob':
      config.azureBlob = overlaySource(base.azureBlob ?? {}, parsed.sources.azblob) as AzureBlobDef;
      break;
    case 'oci':
      config.ociRepository = overlaySource(base.ociRepository ?? {}, parsed.sources.oci) as OciRepositoryDef;
      break;
  }
  const block = config[property];
  if (block?.url !== undefined) block.url = lowerCaseScheme(block.url);

  // 4. Kustomizations. On create, a -k replaces the file's entry of the same name; on update it
  //    changes only the keys it gives (az's semantics). New names are added.
  config.kustomizations = new Map(base.kustomizations ?? []);
  for (const [k, def] of parsed.kustomizations) config.kustomizations.set(k, existing ? mergeKustomization(config.kustomizations.get(k), def) : def);
  // A file that says `kustomizations: {}` asks for a source only; the implicit kustomization is
  // for a command line (or file) that names none at all.
  if (config.kustomizations.size === 0 && !existing && file?.partial.kustomizations === undefined) {
    config.kustomizations.set(AZURE_DEFAULTS.defaultKustomizationName, {});
    warnings.push(`no kustomization given: one named '${AZURE_DEFAULTS.defaultKustomizationName}' is created for the repository root. Use -k name=NAME path=PATH to choose.`);
  }

  // 5. Waiting for reconciliation on the service side.
  const wait = parsed.waitForReconciliation ?? base.waitForReconciliation;
  if (wait !== undefined) config.waitForReconciliation = wait;
  const waitDuration = parsed.reconciliationWaitDuration ?? base.reconciliationWaitDuration;
  if (waitDuration !== undefined) config.reconciliationWaitDuration = waitDuration;
  if (config.reconciliationWaitDuration !== undefined && config.waitForReconciliation !== true) {
    throw new UsageError(FLAG.reconciliationWaitDuration, 'only applies with --wait-for-reconciliation.', 'Add --wait-for-reconciliation.');
  }

  validateFluxConfiguration(config, {
    // Azure never returns protected settings; after a change of kind, those it keeps belong to
    // the old source, so the new one needs its own, exactly as on create.
    secretsKnown: !existing || existing.sourceKind !== config.sourceKind,
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

/** `HTTPS://host` → `https://host`: Flux's CRDs accept lower-case schemes only, and the scheme is case-insensitive. */
export function lowerCaseScheme(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*):\/\//i, (scheme) => scheme.toLowerCase());
}

/** Shorter user parts of a URL are taken for names, not tokens. */
const MIN_TOKEN_LENGTH = 8;

/** Where each kind keeps credentials, instead of in its URL. */
const CREDENTIAL_FLAGS: Record<KindFlag, string> = {
  git: '--https-user and --https-key (or --local-auth-ref)',
  bucket: '--bucket-access-key and --bucket-secret-key (or --local-auth-ref)',
  azblob: '--sas-token, --account-key or a service principal (or --local-auth-ref)',
  oci: '--local-auth-ref (a Secret with the registry credentials) or --use-workload-identity',
};

/**
 * Credentials in a URL (`https://user:token@host`, a SAS signature in an Azure Blob URL) would
 * be stored in plain sight in Azure and on the cluster: refused, naming the flags that keep them
 * as secrets. The URL is not quoted back (it carries the secret); what it carries is redacted.
 */
function refuseCredentials(url: string, kind: KindFlag, scheme: string): void {
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)@/i.exec(url)?.[1];
  if (userinfo !== undefined) {
    const [user, ...password] = userinfo.split(':');
    const hasPassword = password.length > 0;
    if (hasPassword) redactor.add(password.join(':'));
    // ssh://git@host names the SSH user, which is not a secret; anything else is refused. A user
    // beside a password is a name; a user alone is often a token (https://TOKEN@host), and is
    // redacted unless it is too short to be one (redacting a word such as "user" would garble
    // the messages that follow).
    if (hasPassword || scheme !== 'ssh') {
      if (scheme !== 'ssh' && !hasPassword && user!.length >= MIN_TOKEN_LENGTH) redactor.add(user);
      throw new UsageError(FLAG.url, 'the URL carries credentials (user or password before the host); they would be stored in plain sight.', `Remove them from the URL and give them with ${CREDENTIAL_FLAGS[kind]}.`);
    }
  }
  if (kind === 'azblob' && /[?&]sig=/i.test(url)) {
    const sas = url.slice(url.indexOf('?') + 1);
    redactor.add(sas);
    throw new UsageError(FLAG.url, 'the URL carries a SAS token; it would be stored in plain sight.', `Remove it from the URL (everything after '?') and give it with ${CREDENTIAL_FLAGS.azblob.split(',')[0]}.`);
  }
}

function requireUrl(url: string | undefined, kind: KindFlag, schemes: string[], example: string): string {
  if (!url) throw new UsageError(FLAG.url, `the source URL is required for --kind ${kind}.`, `Add -u ${example}.`);
  const scheme = urlScheme(url);
  refuseCredentials(url, kind, scheme);
  if (!schemes.includes(scheme)) {
    const accepted = schemes.map((s) => (s === 'ssh' ? 'ssh:// or git@host:' : `${s}://`)).join(', ');
    throw new UsageError(FLAG.url, `'${echo(url)}' is not a URL --kind ${kind} can use.`, `Accepted: ${accepted} (e.g. ${example}).`);
  }
  let host = /^git@([^:/\s]+):/i.exec(url)?.[1] ?? '';
  if (!host) {
    try {
      host = new URL(url).hostname;
    } catch {
      throw new UsageError(FLAG.url, `'${echo(url)}' is not a valid URL.`);
    }
  }
  if (!host) throw new UsageError(FLAG.url, `'${echo(url)}' has no host.`, `e.g. ${example}`);
  if (/[\s\u0000-\u001f\u007f]/.test(url)) throw new UsageError(FLAG.url, `'${echo(url)}' holds spaces or control characters.`, 'Percent-encode them (%20), or check what was pasted.');
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
