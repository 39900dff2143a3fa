/**
 * `-f/--file`: a FluxConfiguration in YAML or JSON, either in the ARM shape (`properties`
 * nested) or in the flattened shape `show` prints. Read-only fields that `show` prints are
 * skipped so that `show -o yaml > c.yaml; edit; update -f c.yaml` round-trips; anything the API
 * does not know is an error naming its path in the file.
 *
 * Every value passes the checks of the flag that sets the same field (names, durations in range,
 * enums, certificates, keys, known_hosts, variable names), and every error names the file and
 * the field, never a flag the user did not type. Secrets are registered with the redactor as
 * soon as they are read, as a flag's are. Keys the user chose (substitution variables, settings)
 * are stored as own properties, whatever their name.
 */
import { echo } from '../core/echo.js';
import { CliError, UsageError } from '../core/errors.js';
import { redactor } from '../core/redact.js';
import { parseDocumentText } from './document.js';
import { isBase64 } from './input.js';
import { certificateValue, knownHostsValue, privateKeyValue, spCertificateValue } from './source.js';
import { SOURCE_PROPERTY, type FluxConfiguration, type KustomizationDef, type SourceKind } from './types.js';
import { parseChoice, parseDnsLabel, parseObjectName, setOwn } from './values.js';

const FLAG = '-f/--file';

/** The range of every `*InSeconds` field, as for the duration flags that set them. */
const MAX_SECONDS = 365 * 24 * 3600;

/** A custom field check: gets the field's label (its path) and value, returns the value to keep or throws a UsageError naming the label. */
type Check = (label: string, value: unknown) => unknown;
type FieldType = 'string' | 'bool' | 'seconds' | 'stringArray' | 'stringMap' | Check | Shape | ['array', Shape];
interface Shape {
  [field: string]: FieldType;
}

/** A key the user chose, as a field label shows it. */
const keyLabel = (name: string): string => echo(name, 40);

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string '${echo(value, 40)}'`;
  return `${typeof value} ${echo(String(value), 40)}`;
}

const typeError = (label: string, expected: string, value: unknown, secret = false): UsageError =>
  new UsageError(label, `must be ${expected}, not ${secret ? `a ${Array.isArray(value) ? 'list' : typeof value}` : describe(value)}.`);

const string = (label: string, value: unknown): string => {
  if (typeof value !== 'string') throw typeError(label, 'a string', value);
  return value;
};

/** A string that may not be empty (a name, a reference). */
const nonEmpty: Check = (label, value) => {
  const v = string(label, value);
  if (v.trim() === '') throw new UsageError(label, 'must not be empty.');
  return v;
};

/** A secret string: never quoted back, registered with the redactor before anything else happens to it. */
const secret =
  (inner: (label: string, value: string) => string = (_l, v) => v): Check =>
  (label, value) => {
    if (typeof value !== 'string') throw typeError(label, 'a string', value, true);
    redactor.add(value);
    if (value.trim() === '') throw new UsageError(label, 'the secret is empty.');
    const out = inner(label, value);
    redactor.add(out);
    return out;
  };

const objectName =
  (what: string, max = 63): Check =>
  (label, value) =>
    parseObjectName(label, string(label, value), what, max);

const choice =
  <T extends string>(values: readonly T[]): Check =>
  (label, value) =>
    parseChoice(label, string(label, value), values);

const VARIABLE_NAME = /^[_a-zA-Z][_a-zA-Z0-9]*$/;
/** ISO 8601, as ARM keeps reconciliationWaitDuration (what --reconciliation-wait-duration sends). */
const ISO_DURATION = /^P(?!$)(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+S)?)?$/;

const TIMING: Shape = { timeoutInSeconds: 'seconds', syncIntervalInSeconds: 'seconds' };
const LOCAL_AUTH_REF = objectName('secret name', 253);
const SHAPES: Record<'gitRepository' | 'bucket' | 'azureBlob' | 'ociRepository', Shape> = {
  gitRepository: {
    url: nonEmpty, ...TIMING, repositoryRef: { branch: nonEmpty, tag: nonEmpty, semver: nonEmpty, commit: nonEmpty },
    sshKnownHosts: (label, value) => knownHostsValue(label, string(label, value)),
    httpsUser: nonEmpty,
    httpsCACert: (label, value) => certificateValue(label, string(label, value)),
    localAuthRef: LOCAL_AUTH_REF,
    provider: choice(['Azure', 'GitHub', 'Generic'] as const),
  },
  bucket: { url: nonEmpty, bucketName: nonEmpty, insecure: 'bool', ...TIMING, accessKey: nonEmpty, localAuthRef: LOCAL_AUTH_REF },
  azureBlob: {
    url: nonEmpty, containerName: nonEmpty, ...TIMING,
    servicePrincipal: {
      clientId: nonEmpty, tenantId: nonEmpty, clientSecret: secret(), clientCertificate: secret((_l, v) => spCertificateValue(v)),
      clientCertificatePassword: secret(), clientCertificateSendChain: 'bool',
    },
    accountKey: secret(), sasToken: secret(), managedIdentity: { clientId: nonEmpty }, localAuthRef: LOCAL_AUTH_REF,
  },
  ociRepository: {
    url: nonEmpty, ...TIMING, repositoryRef: { tag: nonEmpty, semver: nonEmpty, digest: nonEmpty },
    layerSelector: { mediaType: nonEmpty, operation: choice(['extract', 'copy'] as const) },
    verify: { provider: nonEmpty, verificationConfig: 'stringMap', matchOidcIdentity: ['array', { issuer: nonEmpty, subject: nonEmpty }] },
    insecure: 'bool', useWorkloadIdentity: 'bool', serviceAccountName: objectName('service account name', 253),
    tlsConfig: {
      clientCertificate: (label, value) => certificateValue(label, string(label, value)),
      privateKey: secret((label, v) => privateKeyValue(label, v)),
      caCertificate: (label, value) => certificateValue(label, string(label, value)),
    },
    localAuthRef: LOCAL_AUTH_REF,
  },
};

const substitute: Check = (label, value) => {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw typeError(label, 'a map of strings', value);
  const out: Record<string, string> = {};
  for (const [variable, v] of Object.entries(value)) {
    if (!VARIABLE_NAME.test(variable)) throw new UsageError(`${label}.${keyLabel(variable)}`, 'is not a valid substitution variable name.', 'Use letters, digits and underscores, not starting with a digit.');
    setOwn(out, variable, string(`${label}.${variable}`, v));
  }
  return out;
};

const KUSTOMIZATION: Shape = {
  path: 'string',
  dependsOn: (label, value) => {
    if (!Array.isArray(value)) throw typeError(label, 'a list of kustomization names', value);
    return value.map((v, i) => parseObjectName(`${label}[${i}]`, string(`${label}[${i}]`, v), 'kustomization name'));
  },
  timeoutInSeconds: 'seconds', syncIntervalInSeconds: 'seconds', retryIntervalInSeconds: 'seconds',
  prune: 'bool', force: 'bool', wait: 'bool',
  postBuild: {
    substitute,
    substituteFrom: ['array', { kind: choice(['ConfigMap', 'Secret'] as const), name: objectName('ConfigMap or Secret name', 253), optional: 'bool' }],
  },
};
/** Fields that `show` prints and the API sets itself: accepted in a file and ignored. */
const READ_ONLY = new Set(['id', 'type', 'systemData', 'resourceGroup', 'statuses', 'repositoryPublicKey', 'sourceSyncedCommitId', 'sourceUpdatedAt', 'statusUpdatedAt', 'complianceState', 'provisioningState', 'errorMessage']);
/** Spellings az prints that differ from the ARM property names. */
const ALIASES: ReadonlyMap<string, string> = new Map([['httpsCaCert', 'httpsCACert']]);

/** Converts one value to its type; `lenient` (a resource read from Azure) skips unknown fields and value checks. */
function convert(label: string, value: unknown, type: FieldType, lenient: boolean): unknown {
  if (typeof type === 'function') return lenient ? value : type(label, value);
  if (type === 'string') return string(label, value);
  if (type === 'bool') {
    if (typeof value !== 'boolean') throw typeError(label, 'true or false', value);
    return value;
  }
  if (type === 'seconds') {
    if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError(label, 'a whole number of seconds', value);
    if (!lenient && (value < 1 || value > MAX_SECONDS)) throw new UsageError(label, `${value} is out of range: from 1 to ${MAX_SECONDS} seconds (a year).`);
    return value;
  }
  if (type === 'stringArray') {
    if (!Array.isArray(value)) throw typeError(label, 'a list of strings', value);
    return value.map((v, i) => string(`${label}[${i}]`, v));
  }
  if (type === 'stringMap') {
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw typeError(label, 'a map of strings', value);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(value)) setOwn(out, k, string(`${label}.${keyLabel(k)}`, v));
    return out;
  }
  if (Array.isArray(type)) {
    if (!Array.isArray(value)) throw typeError(label, 'a list', value);
    return value.map((item, i) => convert(`${label}[${i}]`, item, type[1], lenient));
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw typeError(label, 'an object', value);
  const out: Record<string, unknown> = {};
  for (const [rawKey, v] of Object.entries(value as Record<string, unknown>)) {
    const field = ALIASES.get(rawKey) ?? rawKey;
    // Own fields of the shape only: `constructor` or `__proto__` is an unknown field like any other.
    const fieldType = Object.hasOwn(type, field) ? type[field] : undefined;
    if (!fieldType) {
      if (lenient) continue;
      throw new UsageError(`${label}.${keyLabel(rawKey)}`, 'is not a field of this API.', `Fields of ${label}: ${Object.keys(type).join(', ')}.`);
    }
    if (v === null || v === undefined) continue; // `show` prints nulls for unset fields
    out[field] = convert(`${label}.${rawKey}`, v, fieldType, lenient);
  }
  return out;
}

export interface FileConfiguration {
  name?: string;
  partial: Partial<FluxConfiguration> & { sourceKind?: SourceKind };
  /** Protected settings the file names without a value (as `show` prints them). */
  unreadableProtectedSettings: string[];
  /** `systemData.lastModifiedAt` as the file has it: when Azure's copy it was made from last changed. */
  lastModifiedAt?: string;
}

const SOURCE_KINDS: SourceKind[] = ['GitRepository', 'Bucket', 'AzureBlob', 'OCIRepository'];
const KIND_OF_PROPERTY = new Map(SOURCE_KINDS.map((k) => [SOURCE_PROPERTY[k], k] as const));

/** Runs `fn`; a UsageError it throws is re-thrown as an error of `-f`, naming the file (the field is in its message). */
function inFile<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    throw new UsageError(FLAG, `${echo(where)}: ${err.message}`, err.remedy);
  }
}

/** Parses the text of a configuration file. `where` names the file in messages. */
export function parseConfigurationFile(text: string, where: string): FileConfiguration {
  return configurationFromDocument(parseDocumentText(FLAG, text, where), where);
}

/**
 * A configuration document already parsed: a file's, or (lenient: fields newer than this
 * version are skipped, not refused) a resource read from Azure.
 */
export function configurationFromDocument(doc: unknown, where: string, lenient = false): FileConfiguration {
  if (!lenient) return inFile(where, () => readDocument(doc, where, false));
  try {
    return readDocument(doc, where, true);
  } catch (err) {
    // Azure's answer is not the user's input: a shape this version cannot read is not exit 2.
    if (err instanceof UsageError) throw new CliError(`${where} has a shape k8s-gitops does not understand: ${err.message}`, 'Update k8s-gitops, or report it with the output of --debug.');
    throw err;
  }
}

function readDocument(doc: unknown, where: string, lenient: boolean): FileConfiguration {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new UsageError(undefined, 'must hold one FluxConfiguration object.');
  }
  const top = doc as Record<string, unknown>;
  const nested = top.properties !== undefined;
  if (nested && (!top.properties || typeof top.properties !== 'object' || Array.isArray(top.properties))) {
    throw new UsageError('properties', 'must be an object.');
  }
  if (nested) {
    for (const key of Object.keys(top)) {
      if (key !== 'name' && key !== 'properties' && !READ_ONLY.has(key) && !lenient) throw new UsageError(key, 'is not a field of this API.', 'The ARM shape has name and properties at the top level.');
    }
  }
  const props = (nested ? top.properties : top) as Record<string, unknown>;
  const result: FileConfiguration = { partial: {}, unreadableProtectedSettings: [] };
  if (top.name !== undefined && top.name !== null) result.name = string('name', top.name);
  const systemData = top.systemData;
  if (systemData && typeof systemData === 'object' && typeof (systemData as Record<string, unknown>).lastModifiedAt === 'string') {
    result.lastModifiedAt = (systemData as Record<string, string>).lastModifiedAt;
  }
  const p = result.partial as Record<string, unknown>;
  for (const [key, value] of Object.entries(props)) {
    if (!nested && key === 'name') continue;
    if (READ_ONLY.has(key) || value === null || value === undefined) continue;
    switch (key) {
      case 'scope':
        p.scope = parseChoice('scope', string('scope', value), ['cluster', 'namespace'] as const);
        break;
      case 'namespace':
        p.namespace = parseDnsLabel('namespace', string(key, value), 'namespace');
        break;
      case 'sourceKind':
        if (!SOURCE_KINDS.includes(value as SourceKind)) throw new UsageError('sourceKind', `must be one of ${SOURCE_KINDS.join(', ')}, not ${describe(value)}.`);
        p.sourceKind = value;
        break;
      case 'suspend':
      case 'waitForReconciliation':
        p[key] = convert(key, value, 'bool', lenient);
        break;
      case 'reconciliationWaitDuration': {
        const text = string(key, value);
        if (!lenient && !ISO_DURATION.test(text)) throw new UsageError(key, `'${echo(text)}' is not an ISO 8601 duration.`, 'e.g. PT30M or PT1H.');
        p[key] = text;
        break;
      }
      case 'gitRepository':
      case 'bucket':
      case 'azureBlob':
      case 'ociRepository':
        p[key] = convert(key, value, SHAPES[key], lenient);
        break;
      case 'kustomizations': {
        if (typeof value !== 'object' || Array.isArray(value)) throw new UsageError('kustomizations', 'must be a map keyed by name.');
        const kustomizations = new Map<string, KustomizationDef>();
        for (const [name, k] of Object.entries(value as Record<string, unknown>)) {
          const label = `kustomizations.${keyLabel(name)}`;
          parseObjectName(label, name, 'kustomization name');
          let fields = k ?? {};
          if (fields && typeof fields === 'object' && !Array.isArray(fields) && Object.hasOwn(fields, 'name')) {
            const { name: echoed, ...rest } = fields as Record<string, unknown>;
            if (echoed !== null && echoed !== name) throw new UsageError(`${label}.name`, `is '${echo(String(echoed))}'; it must match its key.`);
            fields = rest;
          }
          kustomizations.set(name, convert(label, fields, KUSTOMIZATION, lenient) as KustomizationDef);
        }
        p.kustomizations = kustomizations;
        break;
      }
      case 'configurationProtectedSettings': {
        if (typeof value !== 'object' || Array.isArray(value)) throw new UsageError(key, 'must be a map.');
        const settings: Record<string, string> = {};
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
          const label = `configurationProtectedSettings.${keyLabel(k)}`;
          if (v === null || v === '') {
            result.unreadableProtectedSettings.push(keyLabel(k));
            continue;
          }
          if (typeof v !== 'string') throw typeError(label, 'a string', v, true);
          redactor.add(v);
          if (!lenient && !isBase64(v)) throw new UsageError(label, 'must be base64-encoded, as Azure keeps protected settings.');
          setOwn(settings, k, v);
        }
        p.configurationProtectedSettings = settings;
        break;
      }
      default:
        if (lenient) break;
        throw new UsageError(key, 'is not a field of this API.', 'Fields: scope, namespace, sourceKind, suspend, gitRepository, bucket, azureBlob, ociRepository, kustomizations, configurationProtectedSettings, waitForReconciliation, reconciliationWaitDuration.');
    }
  }
  if (!lenient) checkOneSource(result.partial);
  return result;
}

/** One source block, matching sourceKind when both are given; the block alone implies the kind. */
function checkOneSource(partial: FileConfiguration['partial']): void {
  const blocks = [...KIND_OF_PROPERTY.keys()].filter((property) => partial[property] !== undefined);
  if (blocks.length > 1) {
    throw new UsageError(blocks[1], `a configuration has exactly one source, and this file has ${blocks.join(' and ')}.`, 'Keep the block of the source it should fetch from.');
  }
  const block = blocks[0];
  if (block === undefined) return;
  if (partial.sourceKind === undefined) partial.sourceKind = KIND_OF_PROPERTY.get(block)!;
  else if (SOURCE_PROPERTY[partial.sourceKind] !== block) {
    throw new UsageError('sourceKind', `is ${partial.sourceKind}, but the file's source block is ${block}.`, `Use sourceKind ${KIND_OF_PROPERTY.get(block)} or a ${SOURCE_PROPERTY[partial.sourceKind]} block.`);
  }
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

/** When Azure's copy of a resource last changed (systemData.lastModifiedAt), if it says. */
export function lastModifiedOf(resource: unknown): string | undefined {
  const systemData = (resource as { systemData?: { lastModifiedAt?: unknown } } | undefined)?.systemData;
  return typeof systemData?.lastModifiedAt === 'string' ? systemData.lastModifiedAt : undefined;
}
