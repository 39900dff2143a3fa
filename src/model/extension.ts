/**
 * The cluster extension (`extension create`): flags → a typed extension → the ARM PUT body.
 * Rules follow az k8s-extension without its quirks: `--release-namespace` is
 * fine when `--scope` is left at its default, settings files may hold numbers and booleans
 * (sent as JSON text, not Python's `True`), and inline settings override a file's.
 */
import { UsageError } from '../core/errors.js';
import { redactor } from '../core/redact.js';
import { parse as parseYaml } from 'yaml';
import type { ClusterType } from './cluster.js';
import { readFileFor, readSecret, type InputReader } from './input.js';
import { parseBoolean, parseChoice, parseDnsLabel, splitKeyValue } from './values.js';

export const FLUX_EXTENSION_TYPE = 'microsoft.flux';
export const FLUX_EXTENSION_NAME = 'flux';
export const FLUX_RELEASE_NAMESPACE = 'flux-system';

export interface ExtensionFlags {
  name?: string;
  extensionType?: string;
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
  scope: { cluster: { releaseNamespace: string } } | { namespace: { targetNamespace: string } };
  configurationSettings: Record<string, string>;
  configurationProtectedSettings: Record<string, string>;
  plan?: { name: string; product: string; publisher: string };
  identity?: { type: 'SystemAssigned' };
}

function settingsFromFile(flag: string, path: string, input: InputReader): Record<string, string> {
  const text = readFileFor(flag, path, input);
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new UsageError(flag, `${path} is not valid JSON or YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(flag, `${path} must hold an object of settings.`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = JSON.stringify(v);
    else throw new UsageError(flag, `setting '${k}' in ${path} is ${v === null ? 'null' : Array.isArray(v) ? 'a list' : 'an object'}; settings are flat strings.`, "Use dotted keys, e.g. 'helm-controller.enabled': 'true'.");
  }
  return out;
}

function settingsFromFlags(flag: string, groups: string[][] | undefined, secret: boolean, input: InputReader): Record<string, string> {
  const out: Record<string, string> = {};
  for (const token of (groups ?? []).flat()) {
    const [k, v] = splitKeyValue(flag, token, 'key=value');
    out[k] = secret ? readSecret(flag, v, input) : v;
  }
  return out;
}

export function buildExtension(flags: ExtensionFlags, clusterType: ClusterType | undefined, input: InputReader): { extension: Extension; warnings: string[] } {
  const warnings: string[] = [];
  const name = flags.name ?? FLUX_EXTENSION_NAME;
  if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/i.test(name)) {
    throw new UsageError('-n/--name', `'${name}' is not a valid extension name.`, 'Use letters, digits, hyphens and periods.');
  }
  const extensionType = (flags.extensionType ?? FLUX_EXTENSION_TYPE).toLowerCase();
  if (!/^[a-z0-9]+(\.[a-z0-9-]+)+$/.test(extensionType)) {
    throw new UsageError('--extension-type', `'${flags.extensionType}' is not an extension type.`, 'Extension types look like publisher.name, e.g. microsoft.flux.');
  }
  const isFlux = extensionType === FLUX_EXTENSION_TYPE;

  // Scope.
  const scopeKind = flags.scope !== undefined ? parseChoice('--scope', flags.scope, ['cluster', 'namespace'] as const) : 'cluster';
  if (isFlux && scopeKind === 'namespace') {
    throw new UsageError('--scope', 'microsoft.flux is installed with cluster scope only.', 'Leave --scope out, or use --scope cluster.');
  }
  let scope: Extension['scope'];
  if (scopeKind === 'cluster') {
    if (flags.targetNamespace !== undefined) throw new UsageError('--target-namespace', 'only applies with --scope namespace.', 'For cluster scope use --release-namespace.');
    scope = { cluster: { releaseNamespace: parseDnsLabel('--release-namespace', flags.releaseNamespace ?? FLUX_RELEASE_NAMESPACE, 'namespace') } };
  } else {
    if (flags.releaseNamespace !== undefined) throw new UsageError('--release-namespace', 'only applies with --scope cluster.', 'For namespace scope use --target-namespace.');
    if (flags.targetNamespace === undefined) throw new UsageError('--target-namespace', 'is required with --scope namespace.');
    scope = { namespace: { targetNamespace: parseDnsLabel('--target-namespace', flags.targetNamespace, 'namespace') } };
  }

  // Version and upgrades.
  let autoUpgrade = flags.autoUpgradeMinorVersion !== undefined ? parseBoolean('--auto-upgrade-minor-version', flags.autoUpgradeMinorVersion) : undefined;
  const version = flags.version?.trim();
  if (version !== undefined) {
    if (!/^\d+\.\d+\.\d+([-+][\w.-]+)?$/.test(version)) throw new UsageError('--version', `'${flags.version}' is not a version.`, 'Use MAJOR.MINOR.PATCH, e.g. 1.23.0.');
    if (autoUpgrade === true) throw new UsageError('--version', 'a pinned version cannot auto-upgrade.', 'Drop --auto-upgrade-minor-version true, or drop --version.');
    if (autoUpgrade === undefined) {
      autoUpgrade = false;
      warnings.push(`--version ${version} pins the extension: auto-upgrade of minor versions is turned off.`);
    }
  }
  const releaseTrain = flags.releaseTrain?.trim();
  if (releaseTrain !== undefined && !/^[A-Za-z][\w-]*$/.test(releaseTrain)) throw new UsageError('--release-train', `'${flags.releaseTrain}' is not a release train.`, 'e.g. Stable or Preview.');
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

  const extension: Extension = { name, extensionType, scope, configurationSettings, configurationProtectedSettings };
  if (autoUpgrade !== undefined) extension.autoUpgradeMinorVersion = autoUpgrade;
  if (releaseTrain !== undefined) extension.releaseTrain = releaseTrain;
  if (version !== undefined) extension.version = version;
  if (planValue) extension.plan = planValue;
  // Arc and Azure Local clusters give the extension a system-assigned identity (as az does).
  if (clusterType !== undefined && clusterType !== 'managedClusters') extension.identity = { type: 'SystemAssigned' };
  return { extension, warnings };
}

/** The body of `PUT …/extensions/{name}` (API 2023-05-01). */
export function extensionPutBody(e: Extension): Record<string, unknown> {
  const properties: Record<string, unknown> = { extensionType: e.extensionType };
  if (e.autoUpgradeMinorVersion !== undefined) properties.autoUpgradeMinorVersion = e.autoUpgradeMinorVersion;
  if (e.releaseTrain !== undefined) properties.releaseTrain = e.releaseTrain;
  if (e.version !== undefined) properties.version = e.version;
  properties.scope = e.scope;
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
    const version = flags.version.trim();
    if (!/^\d+\.\d+\.\d+([-+][\w.-]+)?$/.test(version)) throw new UsageError('--version', `'${flags.version}' is not a version.`, 'Use MAJOR.MINOR.PATCH, e.g. 1.23.0.');
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
  if (flags.releaseTrain !== undefined) {
    if (!/^[A-Za-z][\w-]*$/.test(flags.releaseTrain.trim())) throw new UsageError('--release-train', `'${flags.releaseTrain}' is not a release train.`, 'e.g. Stable or Preview.');
    properties.releaseTrain = flags.releaseTrain.trim();
  }
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
