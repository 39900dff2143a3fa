/**
 * `-f/--file`: a FluxConfiguration in YAML or JSON, either in the ARM shape (`properties`
 * nested) or in the flattened shape `show` prints. Read-only fields that `show` prints are
 * skipped so that `show -o yaml > c.yaml; edit; update -f c.yaml` round-trips; anything the API
 * does not know is an error naming its path in the file.
 */
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../core/errors.js';
import { redactor } from '../core/redact.js';
import type { FluxConfiguration, KustomizationDef, SourceKind } from './types.js';
import { parseDnsLabel, parseObjectName } from './values.js';

const FLAG = '-f/--file';

type FieldType = 'string' | 'int' | 'bool' | 'stringMap' | 'stringArray' | Shape | ['array', Shape];
interface Shape {
  [field: string]: FieldType;
}

const TIMING: Shape = { timeoutInSeconds: 'int', syncIntervalInSeconds: 'int' };
const SHAPES: Record<string, Shape> = {
  gitRepository: {
    url: 'string', ...TIMING, repositoryRef: { branch: 'string', tag: 'string', semver: 'string', commit: 'string' },
    sshKnownHosts: 'string', httpsUser: 'string', httpsCACert: 'string', localAuthRef: 'string', provider: 'string',
  },
  bucket: { url: 'string', bucketName: 'string', insecure: 'bool', ...TIMING, accessKey: 'string', localAuthRef: 'string' },
  azureBlob: {
    url: 'string', containerName: 'string', ...TIMING,
    servicePrincipal: { clientId: 'string', tenantId: 'string', clientSecret: 'string', clientCertificate: 'string', clientCertificatePassword: 'string', clientCertificateSendChain: 'bool' },
    accountKey: 'string', sasToken: 'string', managedIdentity: { clientId: 'string' }, localAuthRef: 'string',
  },
  ociRepository: {
    url: 'string', ...TIMING, repositoryRef: { tag: 'string', semver: 'string', digest: 'string' },
    layerSelector: { mediaType: 'string', operation: 'string' },
    verify: { provider: 'string', verificationConfig: 'stringMap', matchOidcIdentity: ['array', { issuer: 'string', subject: 'string' }] },
    insecure: 'bool', useWorkloadIdentity: 'bool', serviceAccountName: 'string',
    tlsConfig: { clientCertificate: 'string', privateKey: 'string', caCertificate: 'string' }, localAuthRef: 'string',
  },
};
const KUSTOMIZATION: Shape = {
  path: 'string', dependsOn: 'stringArray', timeoutInSeconds: 'int', syncIntervalInSeconds: 'int', retryIntervalInSeconds: 'int',
  prune: 'bool', force: 'bool', wait: 'bool',
  postBuild: { substitute: 'stringMap', substituteFrom: ['array', { kind: 'string', name: 'string', optional: 'bool' }] },
};
/** Fields that `show` prints and the API sets itself: accepted in a file and ignored. */
const READ_ONLY = new Set(['id', 'type', 'systemData', 'resourceGroup', 'statuses', 'repositoryPublicKey', 'sourceSyncedCommitId', 'sourceUpdatedAt', 'statusUpdatedAt', 'complianceState', 'provisioningState', 'errorMessage']);
/** Spellings az prints that differ from the ARM property names. */
const ALIASES: Record<string, string> = { httpsCaCert: 'httpsCACert' };

function describe(value: unknown): string {
  return Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

function convert(path: string, value: unknown, type: FieldType, lenient = false): unknown {
  const fail = (expected: string): never => {
    throw new UsageError(FLAG, `${path} must be ${expected}, not ${describe(value)}.`);
  };
  if (type === 'string') return typeof value === 'string' ? value : fail('a string');
  if (type === 'int') return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : fail('a whole number of seconds');
  if (type === 'bool') return typeof value === 'boolean' ? value : fail('true or false');
  if (type === 'stringArray') return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : fail('a list of strings');
  if (type === 'stringMap') {
    if (!value || typeof value !== 'object' || Array.isArray(value)) fail('a map of strings');
    for (const [k, v] of Object.entries(value as object)) if (typeof v !== 'string') convert(`${path}.${k}`, v, 'string');
    return value;
  }
  if (Array.isArray(type)) {
    if (!Array.isArray(value)) fail('a list');
    return (value as unknown[]).map((item, i) => convert(`${path}[${i}]`, item, type[1], lenient));
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail('an object');
  const out: Record<string, unknown> = {};
  for (const [rawKey, v] of Object.entries(value as Record<string, unknown>)) {
    const key = ALIASES[rawKey] ?? rawKey;
    const fieldType = type[key];
    if (!fieldType) {
      if (lenient) continue;
      throw new UsageError(FLAG, `unknown field ${path}.${rawKey}.`, `Fields of ${path}: ${Object.keys(type).join(', ')}.`);
    }
    if (v === null || v === undefined) continue; // `show` prints nulls for unset fields
    out[key] = convert(`${path}.${rawKey}`, v, fieldType, lenient);
  }
  return out;
}

export interface FileConfiguration {
  name?: string;
  partial: Partial<FluxConfiguration> & { sourceKind?: SourceKind };
  /** Protected settings the file names without a value (as `show` prints them). */
  unreadableProtectedSettings: string[];
}

const SOURCE_KINDS: SourceKind[] = ['GitRepository', 'Bucket', 'AzureBlob', 'OCIRepository'];

/** Parses the text of a configuration file. `where` names the file in messages. */
export function parseConfigurationFile(text: string, where: string): FileConfiguration {
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: true });
  } catch (err) {
    throw new UsageError(FLAG, `${where} is not valid YAML or JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  return configurationFromDocument(doc, where);
}

/**
 * A configuration document already parsed: a file's, or (lenient: fields newer than this
 * version are skipped, not refused) a resource read from Azure.
 */
export function configurationFromDocument(doc: unknown, where: string, lenient = false): FileConfiguration {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new UsageError(FLAG, `${where} must hold one FluxConfiguration object.`);
  }
  const top = doc as Record<string, unknown>;
  const nested = top.properties !== undefined;
  if (nested && (!top.properties || typeof top.properties !== 'object' || Array.isArray(top.properties))) {
    throw new UsageError(FLAG, `properties in ${where} must be an object.`);
  }
  if (nested) {
    for (const key of Object.keys(top)) {
      if (key !== 'name' && key !== 'properties' && !READ_ONLY.has(key) && !lenient) throw new UsageError(FLAG, `unknown field ${key} in ${where}.`, 'The ARM shape has name and properties at the top level.');
    }
  }
  const props = (nested ? top.properties : top) as Record<string, unknown>;
  const result: FileConfiguration = { partial: {}, unreadableProtectedSettings: [] };
  if (top.name !== undefined && top.name !== null) result.name = convert('name', top.name, 'string') as string;
  for (const [key, value] of Object.entries(props)) {
    if (!nested && key === 'name') continue;
    if (READ_ONLY.has(key) || value === null || value === undefined) continue;
    const p = result.partial as Record<string, unknown>;
    switch (key) {
      case 'scope':
        if (value !== 'cluster' && value !== 'namespace') throw new UsageError(FLAG, `scope must be cluster or namespace, not ${describe(value)}.`);
        p.scope = value;
        break;
      case 'namespace':
        p.namespace = parseDnsLabel(FLAG, convert(key, value, 'string') as string, `namespace (in ${where})`);
        break;
      case 'sourceKind':
        if (!SOURCE_KINDS.includes(value as SourceKind)) throw new UsageError(FLAG, `sourceKind must be one of ${SOURCE_KINDS.join(', ')}, not ${describe(value)}.`);
        p.sourceKind = value;
        break;
      case 'suspend':
      case 'waitForReconciliation':
        p[key] = convert(key, value, 'bool');
        break;
      case 'reconciliationWaitDuration':
        p[key] = convert(key, value, 'string');
        break;
      case 'gitRepository':
      case 'bucket':
      case 'azureBlob':
      case 'ociRepository':
        p[key] = convert(key, value, SHAPES[key]!, lenient);
        break;
      case 'kustomizations': {
        if (typeof value !== 'object' || Array.isArray(value)) throw new UsageError(FLAG, `kustomizations must be a map keyed by name.`);
        const kustomizations = new Map<string, KustomizationDef>();
        for (const [name, k] of Object.entries(value as Record<string, unknown>)) {
          parseObjectName(FLAG, name, `kustomization name (kustomizations.${name} in ${where})`);
          if (k && typeof k === 'object' && 'name' in k) {
            const echoed = (k as Record<string, unknown>).name;
            if (echoed !== null && echoed !== name) throw new UsageError(FLAG, `kustomizations.${name}.name is '${String(echoed)}'; it must match its key.`);
            const { name: _ignored, ...rest } = k as Record<string, unknown>;
            kustomizations.set(name, convert(`kustomizations.${name}`, rest, KUSTOMIZATION, lenient) as KustomizationDef);
          } else {
            kustomizations.set(name, convert(`kustomizations.${name}`, k ?? {}, KUSTOMIZATION, lenient) as KustomizationDef);
          }
        }
        p.kustomizations = kustomizations;
        break;
      }
      case 'configurationProtectedSettings': {
        if (typeof value !== 'object' || Array.isArray(value)) throw new UsageError(FLAG, 'configurationProtectedSettings must be a map.');
        const settings: Record<string, string> = {};
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
          if (v === null || v === '') {
            result.unreadableProtectedSettings.push(k);
            continue;
          }
          if (typeof v !== 'string') convert(`configurationProtectedSettings.${k}`, v, 'string');
          redactor.add(v as string);
          settings[k] = v as string;
        }
        p.configurationProtectedSettings = settings;
        break;
      }
      default:
        if (lenient) break;
        throw new UsageError(FLAG, `unknown field ${key} in ${where}.`, 'Fields: scope, namespace, sourceKind, suspend, gitRepository, bucket, azureBlob, ociRepository, kustomizations, configurationProtectedSettings, waitForReconciliation, reconciliationWaitDuration.');
    }
  }
  return result;
}

/** The configuration as Azure returned it (GET), as a model to change. */
export function configurationFromResource(name: string, resource: unknown): FluxConfiguration {
  const { partial } = configurationFromDocument(resource, `Flux configuration '${name}' in Azure`, true);
  const sourceKind = partial.sourceKind ?? 'GitRepository';
  const config: FluxConfiguration = {
    ...partial,
    name,
    scope: partial.scope ?? 'cluster',
    namespace: partial.namespace ?? 'default',
    sourceKind,
    kustomizations: partial.kustomizations ?? new Map(),
    configurationProtectedSettings: {},
  };
  return config;
}
