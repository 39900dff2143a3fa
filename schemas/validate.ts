/**
 * Schema oracle for the test suite.
 *
 * - `validateArmRequest` checks an ARM request body against the Microsoft.KubernetesConfiguration
 *   swagger copies in schemas/arm, the way a strict ARM front door would: no property the
 *   swagger does not name, no read-only property, case-sensitive enums, exact types.
 * - `validateKubeObject` checks a rendered Kubernetes object against the Flux CRD copies in
 *   schemas/flux (plus small hand-written schemas for core v1 Secret and ConfigMap), with
 *   unknown fields rejected instead of silently pruned.
 *
 * Both return a list of human-readable problems ("<JSON pointer>: <what is wrong>"); an empty
 * list means the input is valid. The schema copies are never edited: every adjustment needed to
 * make them strict and compilable by ajv happens here, at load time.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { parse as parseYaml } from 'yaml';

export type ArmDefinition = 'FluxConfiguration' | 'FluxConfigurationPatch' | 'Extension' | 'patchExtension';

type Json = Record<string, unknown>;
type JsonSchema = Json | boolean;

/**
 * The folder holding SOURCE.md, arm/ and flux/: this file's own folder, or — when this module
 * is bundled elsewhere (the emulator) — the schemas/ folder of the nearest enclosing checkout.
 */
function findSchemaRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'SOURCE.md')) && existsSync(join(dir, 'arm'))) return dir;
    if (existsSync(join(dir, 'schemas', 'SOURCE.md'))) return join(dir, 'schemas');
    const up = dirname(dir);
    if (up === dir) throw new Error('schemas/ (the official swagger and CRD copies) not found');
    dir = up;
  }
}

const SCHEMA_ROOT = findSchemaRoot();
const ARM_ROOT = join(SCHEMA_ROOT, 'arm');
const FLUX_ROOT = join(SCHEMA_ROOT, 'flux');

/** Custom ajv keyword placed where the swagger says `readOnly: true`: always fails when the value is present. */
const READ_ONLY_KEYWORD = 'armReadOnly';

/**
 * Formats that are actually checked. Everything else (password, duration, byte, ...) is an
 * annotation only; int64 needs no check beyond `type: integer`.
 */
const CHECKED_FORMATS = ['date-time', 'uri', 'uuid', 'int32'] as const;

/** Plain validation keywords that mean the same in Swagger 2.0, OpenAPI v3 (CRDs) and JSON Schema draft-07. */
const PASS_THROUGH_KEYWORDS = [
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
] as const;

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mapValues(obj: Json, fn: (value: Json, key: string) => JsonSchema): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(obj)) out[key] = isObject(value) ? fn(value, key) : value;
  return out;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

let sharedAjv: Ajv | undefined;

function ajv(): Ajv {
  if (sharedAjv) return sharedAjv;
  const instance = new Ajv({
    allErrors: true,
    verbose: true, // keeps the offending value on each error, for the messages
    strictSchema: true, // an unknown keyword means the conversion below missed something
    strictNumbers: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    allowUnionTypes: true,
    // Swagger and CRD patterns are Go/ECMA style, not Unicode-mode regular expressions.
    unicodeRegExp: false,
    logger: false,
  });
  for (const name of CHECKED_FORMATS) instance.addFormat(name, fullFormats[name]);
  instance.addKeyword({ keyword: READ_ONLY_KEYWORD, schemaType: 'boolean', errors: false, validate: () => false });
  sharedAjv = instance;
  return instance;
}

/** Copies the plain constraints and the checked formats of a Swagger/OpenAPI node into an ajv schema. */
function copyConstraints(node: Json, out: Json): void {
  for (const key of PASS_THROUGH_KEYWORDS) if (node[key] !== undefined) out[key] = node[key];
  // Swagger 2.0 and OpenAPI v3.0 spell exclusive bounds as booleans next to minimum/maximum.
  if (node.exclusiveMinimum === true && typeof node.minimum === 'number') {
    out.exclusiveMinimum = node.minimum;
    delete out.minimum;
  }
  if (node.exclusiveMaximum === true && typeof node.maximum === 'number') {
    out.exclusiveMaximum = node.maximum;
    delete out.maximum;
  }
  if (typeof node.format === 'string' && (CHECKED_FORMATS as readonly string[]).includes(node.format)) {
    out.format = node.format;
  }
}

function withNull(type: unknown): unknown {
  if (typeof type === 'string') return [type, 'null'];
  if (Array.isArray(type)) return type.includes('null') ? type : [...type, 'null'];
  return type;
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function show(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && Number.isInteger(value)) return 'integer';
  return typeof value;
}

/** Turns one ajv error into "<pointer>: <problem>", or undefined for summary errors that add nothing. */
function describeError(error: ErrorObject): string | undefined {
  const at = (child?: unknown): string => {
    const suffix = typeof child === 'string' ? `/${escapePointer(child)}` : '';
    return `${error.instancePath}${suffix}` || '/';
  };
  const params = error.params as Record<string, unknown>;
  // Errors raised by a `propertyNames` subschema describe a key, not a value.
  if (error.propertyName !== undefined) {
    return `${at()}: key ${show(error.propertyName)} ${error.message ?? 'is invalid'}`;
  }
  switch (error.keyword) {
    case 'additionalProperties':
      return `${at(params.additionalProperty)}: property not allowed`;
    case READ_ONLY_KEYWORD:
      return `${at()}: read-only property not allowed in a request`;
    case 'required':
      return `${at(params.missingProperty)}: required property missing`;
    case 'propertyNames':
      return undefined;
    case 'enum': {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues : [];
      return `${at()}: must be one of ${allowed.map((v) => show(v)).join(', ')} (got ${show(error.data)})`;
    }
    case 'const':
      return `${at()}: must be ${show(params.allowedValue)} (got ${show(error.data)})`;
    case 'type': {
      const types = Array.isArray(params.type) ? params.type : [params.type];
      const got = error.data === null ? 'null' : `${jsonType(error.data)} ${show(error.data)}`;
      return `${at()}: must be ${types.join(' or ')} (got ${got})`;
    }
    case 'pattern':
      return `${at()}: must match pattern ${show(params.pattern)} (got ${show(error.data)})`;
    default:
      return `${at()}: ${error.message ?? error.keyword} (got ${show(error.data)})`;
  }
}

function runValidator(validate: ValidateFunction, data: unknown): string[] {
  if (validate(data)) return [];
  const problems: string[] = [];
  for (const error of validate.errors ?? []) {
    const problem = describeError(error);
    if (problem !== undefined && !problems.includes(problem)) problems.push(problem);
  }
  // Sorted so that callers can compare against a fixed list regardless of schema property order.
  return problems.sort();
}

// ---------------------------------------------------------------------------------------------
// ARM (Swagger 2.0) request bodies
// ---------------------------------------------------------------------------------------------

/**
 * Where each definition lives, and whether its request is a JSON merge patch. In a merge patch a
 * `null` map entry deletes that key (PatchFluxConfiguration.json sends `"srs-kustomization1": null`
 * to remove a kustomization), so map values of patch definitions also accept null.
 */
const ARM_DEFINITIONS: Record<ArmDefinition, { file: string; mergePatch: boolean }> = {
  FluxConfiguration: { file: 'fluxconfiguration.json', mergePatch: false },
  FluxConfigurationPatch: { file: 'fluxconfiguration.json', mergePatch: true },
  Extension: { file: 'extensions.json', mergePatch: false },
  patchExtension: { file: 'extensions.json', mergePatch: true },
};

/** Key of the in-memory stand-in for common-types/resource-management/v2|v3/types.json. */
const COMMON_TYPES_FILE = '<common-types/resource-management/types.json>';

/**
 * Hand-written equivalents of the ARM common types the swaggers reference (the shared
 * common-types files are not part of the copies). Only what request validation needs.
 */
const COMMON_TYPES: Json = {
  definitions: {
    ProxyResource: {
      type: 'object',
      properties: {
        id: { type: 'string', readOnly: true },
        name: { type: 'string', readOnly: true },
        type: { type: 'string', readOnly: true },
        systemData: { $ref: '#/definitions/systemData' },
      },
    },
    systemData: { type: 'object', readOnly: true },
    Identity: {
      type: 'object',
      properties: {
        principalId: { type: 'string', readOnly: true },
        tenantId: { type: 'string', readOnly: true },
        type: { type: 'string', enum: ['SystemAssigned', 'None'] },
      },
    },
    Plan: {
      type: 'object',
      required: ['name', 'publisher', 'product'],
      properties: {
        name: { type: 'string' },
        publisher: { type: 'string' },
        product: { type: 'string' },
        promotionCode: { type: 'string' },
        version: { type: 'string' },
      },
    },
    ErrorDetail: { type: 'object', readOnly: true },
    ErrorResponse: { type: 'object', readOnly: true },
  },
};

/** Loads swagger files of one API version and resolves `$ref`s between them. */
class SwaggerFiles {
  private readonly docs = new Map<string, Json>([[COMMON_TYPES_FILE, COMMON_TYPES]]);

  constructor(private readonly versionDir: string) {}

  load(file: string): Json {
    let doc = this.docs.get(file);
    if (!doc) {
      doc = JSON.parse(readFileSync(file, 'utf8')) as Json;
      this.docs.set(file, doc);
    }
    return doc;
  }

  /**
   * Resolves `$ref` as written in `fromFile`. The copies do not keep the upstream folder depth,
   * so `.../common/<version>/<file>` refs are looked up under `<api-version>/common/` and the
   * shared ARM common types are served from COMMON_TYPES.
   */
  resolve(ref: string, fromFile: string): { node: Json; file: string; key: string } {
    const hash = ref.indexOf('#');
    const filePart = hash < 0 ? ref : ref.slice(0, hash);
    const pointer = hash < 0 ? '' : ref.slice(hash + 1);
    let file: string;
    if (filePart === '') {
      file = fromFile;
    } else if (/(^|\/)common-types\/resource-management\/v\d+\/types\.json$/.test(filePart)) {
      file = COMMON_TYPES_FILE;
    } else {
      const common = /(?:^|\/)common\/(.+)$/.exec(filePart);
      file = common ? join(this.versionDir, 'common', common[1]!) : resolve(dirname(fromFile), filePart);
      if (relative(this.versionDir, file).startsWith('..') || !existsSync(file)) {
        throw new Error(`swagger $ref ${ref} (in ${fromFile}) points outside the copied files`);
      }
    }
    let node: unknown = this.load(file);
    for (const raw of pointer.split('/').filter((s) => s !== '')) {
      const segment = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      node = isObject(node) ? node[segment] : undefined;
    }
    if (!isObject(node)) throw new Error(`swagger $ref ${ref} (in ${fromFile}) does not resolve`);
    return { node, file, key: `${file}#${pointer}` };
  }
}

/**
 * Pass 1: returns a copy of a swagger schema with every `$ref` inlined and every `allOf` merged
 * into a single object schema, so that pass 2 can close objects without losing inherited
 * properties (the ARM resource envelope is an `allOf` of ProxyResource).
 */
function inlineSwagger(node: Json, file: string, files: SwaggerFiles, refStack: string[]): Json {
  if (typeof node.$ref === 'string') {
    const target = files.resolve(node.$ref, file);
    if (refStack.includes(target.key)) {
      throw new Error(`recursive swagger $ref is not supported: ${[...refStack, target.key].join(' -> ')}`);
    }
    // Swagger 2.0 ignores siblings of $ref, but ARM tooling honours readOnly and x-nullable there.
    const merged: Json = { ...target.node };
    for (const key of ['readOnly', 'x-nullable']) if (node[key] !== undefined) merged[key] = node[key];
    return inlineSwagger(merged, target.file, files, [...refStack, target.key]);
  }

  const inline = (child: Json): Json => inlineSwagger(child, file, files, refStack);
  const out: Json = { ...node };
  if (isObject(node.properties)) out.properties = mapValues(node.properties, inline);
  if (isObject(node.items)) out.items = inline(node.items);
  if (isObject(node.additionalProperties)) out.additionalProperties = inline(node.additionalProperties);
  if (Array.isArray(node.allOf)) {
    delete out.allOf;
    const parts = node.allOf.filter(isObject).map(inline);
    out.type = 'object';
    out.properties = Object.assign({}, ...parts.map((p) => p.properties ?? {}), out.properties ?? {});
    out.required = [...new Set([...parts.flatMap((p) => stringList(p.required)), ...stringList(out.required)])];
    if (out.additionalProperties === undefined) {
      out.additionalProperties = parts.find((p) => p.additionalProperties !== undefined)?.additionalProperties;
      if (out.additionalProperties === undefined) delete out.additionalProperties;
    }
  }
  return out;
}

/**
 * Pass 2: converts an inlined swagger schema into a strict ajv schema.
 * - `readOnly: true` becomes a keyword that always fails (read-only values must not be sent);
 * - `x-nullable: true` adds `null` to the type (and enum);
 * - objects that list `properties` without `additionalProperties` reject unknown properties;
 * - `additionalProperties: {...}` maps keep their value schema;
 * - x-ms-client-flatten, x-ms-mutability, x-ms-secret, x-ms-enum, defaults and descriptions are dropped.
 */
function swaggerToAjv(node: Json, mergePatch: boolean): JsonSchema {
  if (node.readOnly === true) return { [READ_ONLY_KEYWORD]: true };
  const nullable = node['x-nullable'] === true;
  const out: Json = {};
  if (typeof node.type === 'string') out.type = nullable ? withNull(node.type) : node.type;
  if (Array.isArray(node.enum)) out.enum = nullable && !node.enum.includes(null) ? [...node.enum, null] : node.enum;
  copyConstraints(node, out);

  if (isObject(node.properties)) {
    const properties = node.properties;
    out.properties = mapValues(properties, (p) => swaggerToAjv(p, mergePatch));
    // A read-only property can never be sent, so it cannot be required in a request either.
    const required = stringList(node.required).filter((name) => {
      const prop = properties[name];
      return !(isObject(prop) && prop.readOnly === true);
    });
    if (required.length > 0) out.required = required;
  } else if (Array.isArray(node.required) && node.required.length > 0) {
    out.required = node.required;
  }
  if (isObject(node.items)) out.items = swaggerToAjv(node.items, mergePatch);

  if (isObject(node.additionalProperties)) {
    const value = mergePatch ? { ...node.additionalProperties, 'x-nullable': true } : node.additionalProperties;
    out.additionalProperties = swaggerToAjv(value, mergePatch);
  } else if (typeof node.additionalProperties === 'boolean') {
    out.additionalProperties = node.additionalProperties;
  } else if (isObject(node.properties)) {
    out.additionalProperties = false;
  }
  return out;
}

const armValidators = new Map<string, ValidateFunction | string>();

/** Compiles (once) the validator for one definition, or returns why there is none. */
function armValidator(apiVersion: string, definition: ArmDefinition): ValidateFunction | string {
  const cacheKey = `${apiVersion}/${definition}`;
  const cached = armValidators.get(cacheKey);
  if (cached) return cached;

  let result: ValidateFunction | string;
  const entry = ARM_DEFINITIONS[definition] as (typeof ARM_DEFINITIONS)[ArmDefinition] | undefined;
  const versionDir = join(ARM_ROOT, apiVersion);
  const file = join(versionDir, entry?.file ?? '');
  if (!entry) {
    result = `/: unknown ARM definition ${show(definition)}`;
  } else if (!/^\d{4}-\d{2}-\d{2}(-preview)?$/.test(apiVersion) || !existsSync(file)) {
    result = `/: no swagger copy for ${definition} at api-version ${show(apiVersion)} (looked for ${relative(SCHEMA_ROOT, file)})`;
  } else {
    // The api-version is checked above, so the folder cannot escape schemas/arm.
    const files = new SwaggerFiles(versionDir);
    const { node, file: defFile, key } = files.resolve(`#/definitions/${definition}`, file);
    const schema = swaggerToAjv(inlineSwagger(node, defFile, files, [key]), entry.mergePatch);
    result = ajv().compile(schema);
  }
  armValidators.set(cacheKey, result);
  return result;
}

/** Returns [] when valid, else human-readable problems like "/properties/gitRepository/foo: property not allowed". Problems are sorted (by JSON pointer). */
export function validateArmRequest(apiVersion: string, definition: ArmDefinition, body: unknown): string[] {
  const validator = armValidator(apiVersion, definition);
  return typeof validator === 'string' ? [validator] : runValidator(validator, body);
}

// ---------------------------------------------------------------------------------------------
// Kubernetes objects (Flux CRDs, core v1 Secret and ConfigMap)
// ---------------------------------------------------------------------------------------------

const DNS1123_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
const DNS1123_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
/** Label and annotation keys: optional DNS subdomain prefix and "/", then a name of at most 63 characters. */
const QUALIFIED_NAME =
  '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$';
const LABEL_VALUE = '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$';
/** Keys of Secret/ConfigMap data. */
const DATA_KEY = { maxLength: 253, pattern: '^[-._a-zA-Z0-9]+$' };
const BASE64 = '^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$';

/** ObjectMeta as a manifest may carry it; CRD schemas only say `metadata: {type: object}`. */
const METADATA_SCHEMA: Json = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 253, pattern: DNS1123_SUBDOMAIN },
    namespace: { type: 'string', minLength: 1, maxLength: 63, pattern: DNS1123_LABEL },
    labels: {
      type: 'object',
      propertyNames: { maxLength: 317, pattern: QUALIFIED_NAME },
      additionalProperties: { type: 'string', maxLength: 63, pattern: LABEL_VALUE },
    },
    annotations: {
      type: 'object',
      propertyNames: { maxLength: 317, pattern: QUALIFIED_NAME },
      additionalProperties: { type: 'string' },
    },
    generation: { type: 'integer' },
    resourceVersion: { type: 'string' },
    uid: { type: 'string' },
    // Go serializers write `creationTimestamp: null` for objects that were never stored.
    creationTimestamp: { type: ['string', 'null'] },
    deletionTimestamp: { type: 'string' },
    finalizers: { type: 'array', items: { type: 'string' } },
    ownerReferences: {
      type: 'array',
      items: {
        type: 'object',
        required: ['apiVersion', 'kind', 'name', 'uid'],
        additionalProperties: false,
        properties: {
          apiVersion: { type: 'string' },
          kind: { type: 'string' },
          name: { type: 'string' },
          uid: { type: 'string' },
          controller: { type: 'boolean' },
          blockOwnerDeletion: { type: 'boolean' },
        },
      },
    },
  },
};

const SECRET_SCHEMA: Json = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata'],
  additionalProperties: false,
  properties: {
    apiVersion: { const: 'v1' },
    kind: { const: 'Secret' },
    metadata: METADATA_SCHEMA,
    type: { type: 'string' },
    immutable: { type: 'boolean' },
    data: { type: 'object', propertyNames: DATA_KEY, additionalProperties: { type: 'string', pattern: BASE64 } },
    stringData: { type: 'object', propertyNames: DATA_KEY, additionalProperties: { type: 'string' } },
  },
};

const CONFIGMAP_SCHEMA: Json = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata'],
  additionalProperties: false,
  properties: {
    apiVersion: { const: 'v1' },
    kind: { const: 'ConfigMap' },
    metadata: METADATA_SCHEMA,
    immutable: { type: 'boolean' },
    data: { type: 'object', propertyNames: DATA_KEY, additionalProperties: { type: 'string' } },
    binaryData: { type: 'object', propertyNames: DATA_KEY, additionalProperties: { type: 'string', pattern: BASE64 } },
  },
};

/**
 * Converts a CRD openAPIV3Schema node into a strict ajv schema.
 * - objects with `properties` and neither `additionalProperties` nor
 *   `x-kubernetes-preserve-unknown-fields: true` reject unknown fields (instead of pruning them);
 * - `x-kubernetes-int-or-string` becomes integer|string, `nullable` adds null;
 * - CEL rules (`x-kubernetes-validations`) and the other `x-kubernetes-*` markers are ignored;
 * - formats other than date-time/int32/int64 are annotations (durations are checked by `pattern`).
 */
function crdToAjv(node: Json): JsonSchema {
  const out: Json = {};
  const nullable = node.nullable === true;
  if (node['x-kubernetes-int-or-string'] === true) out.type = ['integer', 'string'];
  else if (typeof node.type === 'string') out.type = nullable ? withNull(node.type) : node.type;
  if (Array.isArray(node.enum)) out.enum = nullable && !node.enum.includes(null) ? [...node.enum, null] : node.enum;
  copyConstraints(node, out);

  if (isObject(node.properties)) out.properties = mapValues(node.properties, crdToAjv);
  if (Array.isArray(node.required) && node.required.length > 0) out.required = node.required;
  if (isObject(node.items)) out.items = crdToAjv(node.items);
  if (isObject(node.additionalProperties)) {
    out.additionalProperties = crdToAjv(node.additionalProperties);
  } else if (typeof node.additionalProperties === 'boolean') {
    out.additionalProperties = node.additionalProperties;
  } else if (isObject(node.properties) && node['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = node[key];
    if (Array.isArray(list)) out[key] = list.filter(isObject).map(crdToAjv);
  }
  if (isObject(node.not)) out.not = crdToAjv(node.not);
  return out;
}

interface CrdVersion {
  name: string;
  served?: boolean;
  schema?: { openAPIV3Schema?: Json };
}

interface Crd {
  spec: { group: string; names: { kind: string }; versions: CrdVersion[] };
}

let crdIndex: Map<string, Crd> | undefined;

/** All copied CRDs, keyed by "<group>/<kind>". */
function crds(): Map<string, Crd> {
  if (crdIndex) return crdIndex;
  crdIndex = new Map();
  for (const name of readdirSync(FLUX_ROOT).filter((f) => f.endsWith('.yaml')).sort()) {
    const crd = parseYaml(readFileSync(join(FLUX_ROOT, name), 'utf8')) as Crd;
    crdIndex.set(`${crd.spec.group}/${crd.spec.names.kind}`, crd);
  }
  return crdIndex;
}

function knownKinds(): string {
  const flux = [...crds().values()].flatMap((crd) =>
    crd.spec.versions.map((v) => `${crd.spec.group}/${v.name} ${crd.spec.names.kind}`),
  );
  return ['v1 Secret', 'v1 ConfigMap', ...flux].join(', ');
}

const kubeValidators = new Map<string, ValidateFunction | string>();

/** Compiles (once) the validator for an apiVersion/kind, or returns why there is none. */
function kubeValidator(apiVersion: string, kind: string): ValidateFunction | string {
  const cacheKey = `${apiVersion} ${kind}`;
  const cached = kubeValidators.get(cacheKey);
  if (cached) return cached;

  let result: ValidateFunction | string;
  if (apiVersion === 'v1' && kind === 'Secret') {
    result = ajv().compile(SECRET_SCHEMA);
  } else if (apiVersion === 'v1' && kind === 'ConfigMap') {
    result = ajv().compile(CONFIGMAP_SCHEMA);
  } else {
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const version = apiVersion.slice(slash + 1);
    const crd = crds().get(`${group}/${kind}`);
    const entry = crd?.spec.versions.find((v) => v.name === version);
    const openApi = entry?.schema?.openAPIV3Schema;
    if (!crd) {
      result = `/: unknown apiVersion/kind ${show(apiVersion)} ${show(kind)} (known: ${knownKinds()})`;
    } else if (!entry || entry.served === false || !openApi) {
      const served = crd.spec.versions.filter((v) => v.served !== false).map((v) => v.name);
      result = `/apiVersion: ${kind} is not served as ${show(apiVersion)} (served: ${served.join(', ')})`;
    } else {
      const schema = crdToAjv(openApi) as Json;
      const properties = { ...(schema.properties as Json | undefined), metadata: METADATA_SCHEMA };
      // The API server would accept an object without `spec`, but every kind here has required
      // spec fields, so a manifest without one can never reconcile: treat it as a problem.
      const spec = isObject(openApi.properties) ? openApi.properties.spec : undefined;
      const specRequired = isObject(spec) && stringList(spec.required).length > 0 ? ['spec'] : [];
      const required = [...new Set([...stringList(schema.required), 'apiVersion', 'kind', 'metadata', ...specRequired])];
      result = ajv().compile({ ...schema, properties, required });
    }
  }
  kubeValidators.set(cacheKey, result);
  return result;
}

/** Validates one rendered Kubernetes object: Flux kinds against the CRD openAPIV3Schema of the version named by obj.apiVersion; core v1 Secret and v1 ConfigMap against a small hand-written schema. Unknown apiVersion/kind => a problem. Problems are sorted (by JSON pointer). */
export function validateKubeObject(obj: unknown): string[] {
  if (!isObject(obj)) return [`/: must be an object (got ${jsonType(obj)} ${show(obj)})`];
  const { apiVersion, kind } = obj;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    return [`/: apiVersion and kind must be strings (got ${show(apiVersion)}, ${show(kind)})`];
  }
  const validator = kubeValidator(apiVersion, kind);
  return typeof validator === 'string' ? [validator] : runValidator(validator, obj);
}
