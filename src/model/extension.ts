/**
 * The cluster extension (`extension create`): flags → a typed extension → the ARM PUT body.
 * Rules follow az k8s-extension without its quirks: `--release-namespace` is
 * fine when `--scope` is left at its default, settings files may hold numbers and booleans
 * (sent as JSON text, not Python's `True`), and inline settings override a file's. Each type
 * gets its own defaults: microsoft.flux installs in flux-system; other types get the scope
 * Azure gives them unless one is asked for, and an identity only where the type needs one.
 */
import { echo } from '../core/echo.js';
import { UsageError } from '../core/errors.js';
import { redactor } from '../core/redact.js';
import { FLEET_HUB, type TargetType } from './cluster.js';
import { parseDocumentText } from './document.js';
import { readFileOrStdinFor, readSecret, type InputReader } from './input.js';
import { parseExtensionName } from './names.js';
import { parseBoolean, parseChoice, parseDnsLabel, setOwn, splitKeyValue } from './values.js';

export const FLUX_EXTENSION_TYPE = 'microsoft.flux';
export const FLUX_EXTENSION_NAME = 'flux';
export const FLUX_RELEASE_NAMESPACE = 'flux-system';

export interface ExtensionFlags {
  name?: string;
  extensionType?: string;
  identity?: string;
  scope?: string;
  releaseNamespace?: string;
  targetNamespace?: string;
  version?: string;
  releaseTrain?: string;
  autoUpgradeMinorVersion?: string | boolean;
  config?: string[][];
  configProtected?: string[][];
  configFile?: string;
  configProtectedFile?: string;
  planName?: string;
  planProduct?: string;
  planPublisher?: string;
}

export interface Extension {
  name: string;
  extensionType: string;
  autoUpgradeMinorVersion?: boolean;
  releaseTrain?: string;
  version?: string;
  /** Absent: Azure installs the type where that type installs by default. */
  scope?: { cluster: { releaseNamespace?: string } } | { namespace: { targetNamespace: string } };
  configurationSettings: Record<string, string>;
  configurationProtectedSettings: Record<string, string>;
  plan?: { name: string; product: string; publisher: string };
  identity?: { type: 'SystemAssigned' };
}

/** What an extension type gets unless the user says otherwise. */
interface TypeDefaults {
  /** Installed with cluster scope in this namespace (sent, as az sends it). */
  releaseNamespace?: string;
  /** The type cannot be installed with namespace scope. */
  clusterScopeOnly?: boolean;
  /** A system-assigned identity on Arc and Azure Local clusters (AKS gives extensions their own). */
  identity: boolean;
}

/**
 * Types whose defaults differ from Azure's generic ones, as az k8s-extension's per-type code
 * has them (microsoft.flux as `az k8s-configuration flux create` installs it). Every other
 * type: no scope unless asked, no identity unless asked.
 */
const TYPE_DEFAULTS: ReadonlyMap<string, TypeDefaults> = new Map([
  [FLUX_EXTENSION_TYPE, { releaseNamespace: FLUX_RELEASE_NAMESPACE, clusterScopeOnly: true, identity: true }],
  ['microsoft.azuremonitor.containers', { identity: true }],
  ['microsoft.azuredefender.kubernetes', { identity: true }],
  ['microsoft.azureml.kubernetes', { identity: true }],
]);

export const IDENTITY_TYPES = ['SystemAssigned', 'None'] as const;

const VERSION = /^\d+\.\d+\.\d+([-+][\w.-]+)?$/;
const RELEASE_TRAIN = /^[A-Za-z][\w-]*$/;

/** A version to pin, MAJOR.MINOR.PATCH (a pre-release suffix allowed); `where` is the flag or variable. */
export function parseExtensionVersion(where: string, value: string): string {
  const version = value.trim();
  if (!VERSION.test(version)) throw new UsageError(where, `'${value}' is not a version.`, 'Use MAJOR.MINOR.PATCH, e.g. 1.23.0.');
  return version;
}

/** A release train name such as Stable or Preview; `where` is the flag or variable. */
export function parseReleaseTrain(where: string, value: string): string {
  const train = value.trim();
  if (!RELEASE_TRAIN.test(train)) throw new UsageError(where, `'${value}' is not a release train.`, 'e.g. Stable or Preview.');
  return train;
}

/** `-n/--name` of the extension commands (default: flux), checked against Azure's naming rule. */
export function extensionName(flags: Pick<ExtensionFlags, 'name'>): string {
  return parseExtensionName('-n/--name', flags.name ?? FLUX_EXTENSION_NAME);
}

function settingsFromFile(flag: string, path: string, input: InputReader): Record<string, string> {
  const where = path === '-' ? 'standard input' : path;
  const doc = parseDocumentText(flag, readFileOrStdinFor(flag, path, input), where);
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(flag, `${echo(where)} must hold an object of settings.`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    if (typeof v === 'string') setOwn(out, k, v);
    else if (typeof v === 'number' || typeof v === 'boolean') setOwn(out, k, JSON.stringify(v));
    else throw new UsageError(flag, `setting '${echo(k)}' in ${echo(where)} is ${v === null ? 'null' : Array.isArray(v) ? 'a list' : 'an object'}; settings are flat strings.`, "Use dotted keys, e.g. 'helm-controller.enabled': 'true'.");
  }
  return out;
}

function settingsFromFlags(flag: string, groups: string[][] | undefined, secret: boolean, input: InputReader): Record<string, string> {
  const out: Record<string, string> = {};
  for (const token of (groups ?? []).flat()) {
    const [k, v] = splitKeyValue(flag, token, 'key=value', secret);
    setOwn(out, k, secret ? readSecret(flag, v, input) : v);
  }
  return out;
}

export function buildExtension(flags: ExtensionFlags, clusterType: TargetType | undefined, input: InputReader): { extension: Extension; warnings: string[] } {
  const warnings: string[] = [];
  const name = extensionName(flags);
  const extensionType = (flags.extensionType ?? FLUX_EXTENSION_TYPE).toLowerCase();
  if (!/^[a-z0-9]+(\.[a-z0-9-]+)+$/.test(extensionType)) {
    throw new UsageError('--extension-type', `'${flags.extensionType}' is not an extension type.`, 'Extension types look like publisher.name, e.g. microsoft.flux.');
  }
  const defaults = TYPE_DEFAULTS.get(extensionType);
  if (clusterType === FLEET_HUB && extensionType !== FLUX_EXTENSION_TYPE) {
    throw new UsageError('--extension-type', `a Fleet Manager hub takes only ${FLUX_EXTENSION_TYPE} (a preview in Azure).`, 'Leave --extension-type out.');
  }

  // Scope: what the user asks; else the type's own default; else none (Azure's default for the type).
  const scopeKind = flags.scope !== undefined ? parseChoice('--scope', flags.scope, ['cluster', 'namespace'] as const) : undefined;
  if (defaults?.clusterScopeOnly && scopeKind === 'namespace') {
    throw new UsageError('--scope', `${extensionType} is installed with cluster scope only.`, 'Leave --scope out, or use --scope cluster.');
  }
  let scope: Extension['scope'];
  if (scopeKind === 'namespace') {
    if (flags.releaseNamespace !== undefined) throw new UsageError('--release-namespace', 'only applies with --scope cluster.', 'For namespace scope use --target-namespace.');
    if (flags.targetNamespace === undefined) throw new UsageError('--target-namespace', 'is required with --scope namespace.');
    scope = { namespace: { targetNamespace: parseDnsLabel('--target-namespace', flags.targetNamespace, 'namespace') } };
  } else {
    if (flags.targetNamespace !== undefined) throw new UsageError('--target-namespace', 'only applies with --scope namespace.', 'For cluster scope use --release-namespace.');
    const releaseNamespace = flags.releaseNamespace ?? defaults?.releaseNamespace;
    if (releaseNamespace !== undefined) scope = { cluster: { releaseNamespace: parseDnsLabel('--release-namespace', releaseNamespace, 'namespace') } };
    else if (scopeKind === 'cluster') scope = { cluster: {} }; // the type's own release namespace
  }

  // Version and upgrades.
  let autoUpgrade = flags.autoUpgradeMinorVersion !== undefined ? parseBoolean('--auto-upgrade-minor-version', flags.autoUpgradeMinorVersion) : undefined;
  const version = flags.version !== undefined ? parseExtensionVersion('--version', flags.version) : undefined;
  if (version !== undefined) {
    if (autoUpgrade === true) throw new UsageError('--version', 'a pinned version cannot auto-upgrade.', 'Drop --auto-upgrade-minor-version true, or drop --version.');
    if (autoUpgrade === undefined) {
      autoUpgrade = false;
      warnings.push(`--version ${version} pins the extension: auto-upgrade of minor versions is turned off.`);
    }
  }
  const releaseTrain = flags.releaseTrain !== undefined ? parseReleaseTrain('--release-train', flags.releaseTrain) : undefined;
  if (releaseTrain !== undefined && autoUpgrade === false) warnings.push('--release-train only matters while the extension auto-upgrades.');

  // Settings: file first, inline flags override.
  const configurationSettings = {
    ...(flags.configFile !== undefined ? settingsFromFile('--config-file', flags.configFile, input) : {}),
    ...settingsFromFlags('--config', flags.config, false, input),
  };
  const protectedFromFile = flags.configProtectedFile !== undefined ? settingsFromFile('--config-protected-file', flags.configProtectedFile, input) : {};
  for (const v of Object.values(protectedFromFile)) redactor.add(v);
  const configurationProtectedSettings = { ...protectedFromFile, ...settingsFromFlags('--config-protected', flags.configProtected, true, input) };

  // Marketplace plan: all three or none.
  const plan = [flags.planName, flags.planProduct, flags.planPublisher];
  let planValue: Extension['plan'];
  if (plan.some((p) => p !== undefined)) {
    const missing = ['--plan-name', '--plan-product', '--plan-publisher'].filter((_, i) => plan[i] === undefined);
    if (missing.length > 0) throw new UsageError(missing[0], 'a plan needs --plan-name, --plan-product and --plan-publisher together.');
    planValue = { name: flags.planName!, product: flags.planProduct!, publisher: flags.planPublisher! };
  }

  const extension: Extension = { name, extensionType, ...(scope ? { scope } : {}), configurationSettings, configurationProtectedSettings };
  if (autoUpgrade !== undefined) extension.autoUpgradeMinorVersion = autoUpgrade;
  if (releaseTrain !== undefined) extension.releaseTrain = releaseTrain;
  if (version !== undefined) extension.version = version;
  if (planValue) extension.plan = planValue;
  // An identity when asked for; else where the type needs one, on Arc, Azure Local and Fleet Manager hubs (as az does).
  const identity = flags.identity !== undefined ? parseChoice('--identity', flags.identity, IDENTITY_TYPES) : undefined;
  if (identity === 'SystemAssigned' || (identity === undefined && defaults?.identity && clusterType !== undefined && clusterType !== 'managedClusters')) {
    extension.identity = { type: 'SystemAssigned' };
  }
  return { extension, warnings };
}

/** The body of `PUT …/extensions/{name}` (API 2023-05-01). */
export function extensionPutBody(e: Extension): Record<string, unknown> {
  const properties: Record<string, unknown> = { extensionType: e.extensionType };
  if (e.autoUpgradeMinorVersion !== undefined) properties.autoUpgradeMinorVersion = e.autoUpgradeMinorVersion;
  if (e.releaseTrain !== undefined) properties.releaseTrain = e.releaseTrain;
  if (e.version !== undefined) properties.version = e.version;
  if (e.scope) properties.scope = e.scope;
  properties.configurationSettings = { ...e.configurationSettings };
  if (Object.keys(e.configurationProtectedSettings).length > 0) properties.configurationProtectedSettings = { ...e.configurationProtectedSettings };
  const body: Record<string, unknown> = {};
  if (e.identity) body.identity = e.identity;
  if (e.plan) body.plan = e.plan;
  body.properties = properties;
  return body;
}

export interface ExtensionPatch {
  properties: {
    autoUpgradeMinorVersion?: boolean;
    releaseTrain?: string;
    version?: string | null;
    configurationSettings?: Record<string, string>;
    configurationProtectedSettings?: Record<string, string>;
  };
}

/**
 * `extension update`: only what the user gives goes into the PATCH. Settings maps are merged by
 * the service, so protected settings given before stay unless named again.
 */
export function buildExtensionPatch(flags: ExtensionFlags, input: InputReader): { patch?: ExtensionPatch; warnings: string[] } {
  const warnings: string[] = [];
  const properties: ExtensionPatch['properties'] = {};
  let autoUpgrade = flags.autoUpgradeMinorVersion !== undefined ? parseBoolean('--auto-upgrade-minor-version', flags.autoUpgradeMinorVersion) : undefined;
  if (flags.version !== undefined) {
    const version = parseExtensionVersion('--version', flags.version);
    if (autoUpgrade === true) throw new UsageError('--version', 'a pinned version cannot auto-upgrade.', 'Drop --auto-upgrade-minor-version true, or drop --version.');
    if (autoUpgrade === undefined) {
      autoUpgrade = false;
      warnings.push(`--version ${version} pins the extension: auto-upgrade of minor versions is turned off.`);
    }
    properties.version = version;
  } else if (autoUpgrade === true) {
    properties.version = null; // following the release train again: no pinned version
  }
  if (autoUpgrade !== undefined) properties.autoUpgradeMinorVersion = autoUpgrade;
  if (flags.releaseTrain !== undefined) properties.releaseTrain = parseReleaseTrain('--release-train', flags.releaseTrain);
  const settings = {
    ...(flags.configFile !== undefined ? settingsFromFile('--config-file', flags.configFile, input) : {}),
    ...settingsFromFlags('--config', flags.config, false, input),
  };
  if (Object.keys(settings).length > 0) properties.configurationSettings = settings;
  const protectedFromFile = flags.configProtectedFile !== undefined ? settingsFromFile('--config-protected-file', flags.configProtectedFile, input) : {};
  for (const v of Object.values(protectedFromFile)) redactor.add(v);
  const protectedSettings = { ...protectedFromFile, ...settingsFromFlags('--config-protected', flags.configProtected, true, input) };
  if (Object.keys(protectedSettings).length > 0) properties.configurationProtectedSettings = protectedSettings;
  if (Object.keys(properties).length === 0) return { warnings };
  return { patch: { properties }, warnings };
}

/**
 * The part of an extension PATCH that would change something, given the extension's
 * properties as Azure returns them; undefined when nothing would (an update asking for what
 * Azure already holds sends nothing). Protected settings cannot be read back, so they always
 * count as a change.
 */
export function extensionPatchChange(current: Readonly<Record<string, unknown>>, patch: ExtensionPatch): ExtensionPatch | undefined {
  const props: ExtensionPatch['properties'] = { ...patch.properties };
  for (const key of ['autoUpgradeMinorVersion', 'releaseTrain', 'version'] as const) {
    const wanted = props[key];
    if (wanted === undefined) continue;
    const held = current[key];
    const same = wanted === null ? held === null || held === undefined : typeof wanted === 'string' && typeof held === 'string' && key === 'releaseTrain' ? wanted.toLowerCase() === held.toLowerCase() : wanted === held;
    if (same) delete props[key];
  }
  if (props.configurationSettings) {
    const held = (current.configurationSettings ?? {}) as Record<string, unknown>;
    const changed = Object.entries(props.configurationSettings).filter(([k, v]) => !Object.hasOwn(held, k) || held[k] !== v);
    if (changed.length > 0) props.configurationSettings = Object.fromEntries(changed);
    else delete props.configurationSettings;
  }
  return Object.keys(props).length > 0 ? { properties: props } : undefined;
}

/**
 * True when an extension as Azure holds it (`resource`, the ARM shape) is what `wanted` asks
 * for: same type, and every setting, version and upgrade choice given is the one Azure holds.
 */
export function extensionHolds(resource: { properties?: Readonly<Record<string, unknown>> }, wanted: Extension): boolean {
  const props = resource.properties ?? {};
  if (String(props.extensionType ?? '').toLowerCase() !== wanted.extensionType) return false;
  if (wanted.scope && !scopeHolds(props.scope, wanted.scope)) return false;
  const patch: ExtensionPatch = { properties: { configurationSettings: wanted.configurationSettings } };
  if (wanted.version !== undefined) patch.properties.version = wanted.version;
  if (wanted.releaseTrain !== undefined) patch.properties.releaseTrain = wanted.releaseTrain;
  if (wanted.autoUpgradeMinorVersion !== undefined) patch.properties.autoUpgradeMinorVersion = wanted.autoUpgradeMinorVersion;
  if (Object.keys(wanted.configurationSettings).length === 0) delete patch.properties.configurationSettings;
  return extensionPatchChange(props, patch) === undefined;
}

/** True when the scope Azure holds is the one asked for (a release namespace left to Azure matches any). */
function scopeHolds(held: unknown, wanted: NonNullable<Extension['scope']>): boolean {
  const h = (held ?? {}) as { cluster?: { releaseNamespace?: unknown }; namespace?: { targetNamespace?: unknown } };
  if ('namespace' in wanted) return h.namespace?.targetNamespace === wanted.namespace.targetNamespace;
  return h.cluster !== undefined && (wanted.cluster.releaseNamespace === undefined || h.cluster.releaseNamespace === wanted.cluster.releaseNamespace);
}

/** What chooses the Flux extension the automatic install puts on a cluster. */
export interface FluxInstallFlags {
  extensionVersion?: string;
  extensionReleaseTrain?: string;
}

export const FLUX_VERSION_ENV = 'FLUX_EXTENSION_VERSION';
export const FLUX_RELEASE_TRAIN_ENV = 'FLUX_EXTENSION_RELEASETRAIN';

/**
 * The flags of the Flux extension that `flux config create` installs when a cluster has none:
 * --extension-version / --extension-release-train, else the FLUX_EXTENSION_VERSION and
 * FLUX_EXTENSION_RELEASETRAIN variables az reads. A pinned version turns minor auto-upgrades
 * off (ARM refuses a pin that auto-upgrades). `sources` names where each value came from.
 */
export function fluxInstallFlags(flags: FluxInstallFlags, env: Readonly<Record<string, string | undefined>>): { flags: ExtensionFlags; sources: string[] } {
  const out: ExtensionFlags = {};
  const sources: string[] = [];
  const pick = (flag: string, given: string | undefined, variable: string): [string, string] | undefined => {
    if (given !== undefined) return [flag, given];
    const value = env[variable];
    return value !== undefined && value.trim() !== '' ? [variable, value] : undefined;
  };
  const version = pick('--extension-version', flags.extensionVersion, FLUX_VERSION_ENV);
  if (version) {
    out.version = parseExtensionVersion(version[0], version[1]);
    out.autoUpgradeMinorVersion = false;
    sources.push(`version ${out.version} from ${version[0]}`);
  }
  const train = pick('--extension-release-train', flags.extensionReleaseTrain, FLUX_RELEASE_TRAIN_ENV);
  if (train) {
    out.releaseTrain = parseReleaseTrain(train[0], train[1]);
    sources.push(`release train ${out.releaseTrain} from ${train[0]}`);
  }
  return { flags: out, sources };
}
