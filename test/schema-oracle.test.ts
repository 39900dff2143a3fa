/**
 * Proves the schema oracle (schemas/validate.ts) both accepts what the official schemas
 * accept and rejects what a strict ARM front door / API server would reject, with messages
 * that point at the offending field.
 */
import { describe, test, expect } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateArmRequest, validateKubeObject, type ArmDefinition } from './helpers/schema.js';

const SCHEMAS = fileURLToPath(new URL('../schemas/', import.meta.url));
const ARM = join(SCHEMAS, 'arm');

type Json = Record<string, any>;

/** Name of the body parameter in the swagger examples → definition it is validated against. */
const BODY_PARAMETERS: Record<string, ArmDefinition> = {
  fluxConfiguration: 'FluxConfiguration',
  fluxConfigurationPatch: 'FluxConfigurationPatch',
  extension: 'Extension',
  patchExtension: 'patchExtension',
};

/**
 * Example bodies that disagree with the swagger they ship with. CreateExtensionWithIdentity
 * sends a UserAssigned identity, but the 2025-03-01 swagger types `identity` as the ARM common
 * `Identity` (SystemAssigned only, no userAssignedIdentities), so a strict front door rejects it.
 */
const KNOWN_EXAMPLE_MISMATCHES: Record<string, string[]> = {
  '2025-03-01/examples/CreateExtensionWithIdentity.json': [
    '/identity/type: must be one of "SystemAssigned", "None" (got "UserAssigned")',
    '/identity/userAssignedIdentities: property not allowed',
  ],
};

function readJson(path: string): Json {
  return JSON.parse(readFileSync(path, 'utf8')) as Json;
}

/** Every request body in every copied example: [example path, api-version, definition, body]. */
function exampleBodies(): Array<[string, string, ArmDefinition, unknown]> {
  const cases: Array<[string, string, ArmDefinition, unknown]> = [];
  for (const version of readdirSync(ARM).sort()) {
    const dir = join(ARM, version, 'examples');
    for (const file of readdirSync(dir).sort()) {
      const parameters = readJson(join(dir, file)).parameters as Json;
      for (const [name, definition] of Object.entries(BODY_PARAMETERS)) {
        if (parameters[name] !== undefined) cases.push([`${version}/examples/${file}`, version, definition, parameters[name]]);
      }
    }
  }
  return cases;
}

function example(version: string, file: string, parameter: string): Json {
  return structuredClone(readJson(join(ARM, version, 'examples', file)).parameters[parameter]) as Json;
}

const fluxPut = (): Json => example('2025-04-01', 'CreateFluxConfiguration.json', 'fluxConfiguration');
const fluxPatch = (): Json => example('2025-04-01', 'PatchFluxConfiguration.json', 'fluxConfigurationPatch');
const extensionPut = (): Json => example('2025-03-01', 'CreateExtension.json', 'extension');

describe('schema copies', () => {
  test('every copied file matches the checksum recorded in SOURCE.md', () => {
    const recorded = new Map<string, string>();
    for (const match of readFileSync(join(SCHEMAS, 'SOURCE.md'), 'utf8').matchAll(/^([0-9a-f]{64}) {2}(\S+)$/gm)) {
      recorded.set(match[2]!, match[1]!);
    }
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? walk(path) : [relative(SCHEMAS, path)];
      });
    const files = walk(SCHEMAS).filter((f) => f !== 'SOURCE.md' && !f.endsWith('.ts')).sort();
    expect(files.length).toBeGreaterThan(0);
    expect([...recorded.keys()].sort()).toEqual(files);
    for (const file of files) {
      const digest = createHash('sha256').update(readFileSync(join(SCHEMAS, file))).digest('hex');
      expect(`${file} ${digest}`).toEqual(`${file} ${recorded.get(file)}`);
    }
  });
});

describe('validateArmRequest: swagger examples', () => {
  const cases = exampleBodies();

  test('examples cover every definition of every copied API version', () => {
    const covered = new Set(cases.map(([, version, definition]) => `${version} ${definition}`));
    expect([...covered].sort()).toEqual([
      '2023-05-01 Extension',
      '2023-05-01 patchExtension',
      '2025-03-01 Extension',
      '2025-03-01 patchExtension',
      '2025-04-01 FluxConfiguration',
      '2025-04-01 FluxConfigurationPatch',
    ]);
    const names = cases.map(([file]) => file);
    for (const file of Object.keys(KNOWN_EXAMPLE_MISMATCHES)) expect(names).toContain(file);
  });

  test.each(cases)('%s validates as %s %s', (file, version, definition, body) => {
    expect(validateArmRequest(version, definition, body)).toEqual(KNOWN_EXAMPLE_MISMATCHES[file] ?? []);
  });
});

describe('validateArmRequest: strictness', () => {
  test('an unknown property is rejected, wherever it is', () => {
    const body = fluxPut();
    body.properties.gitRepository.foo = 'bar';
    body.properties.kustomizations['srs-kustomization1'].postBuild.bogus = true;
    body.location = 'westeurope';
    expect(validateArmRequest('2025-04-01', 'FluxConfiguration', body)).toEqual([
      '/location: property not allowed',
      '/properties/gitRepository/foo: property not allowed',
      '/properties/kustomizations/srs-kustomization1/postBuild/bogus: property not allowed',
    ]);
  });

  test.each([
    ['properties.provisioningState', (b: Json) => (b.properties.provisioningState = 'Succeeded'), '/properties/provisioningState'],
    ['properties.statuses', (b: Json) => (b.properties.statuses = []), '/properties/statuses'],
    ['properties.complianceState', (b: Json) => (b.properties.complianceState = 'Compliant'), '/properties/complianceState'],
    [
      'properties.kustomizations.x.name',
      (b: Json) => (b.properties.kustomizations['srs-kustomization1'].name = 'srs-kustomization1'),
      '/properties/kustomizations/srs-kustomization1/name',
    ],
    ['id (ProxyResource)', (b: Json) => (b.id = '/subscriptions/x'), '/id'],
    ['systemData (ProxyResource)', (b: Json) => (b.systemData = {}), '/systemData'],
  ])('read-only %s is rejected', (_name, mutate, pointer) => {
    const body = fluxPut();
    mutate(body);
    expect(validateArmRequest('2025-04-01', 'FluxConfiguration', body)).toEqual([
      `${pointer}: read-only property not allowed in a request`,
    ]);
  });

  test('enums are case-sensitive and closed', () => {
    const body = fluxPut();
    body.properties.sourceKind = 'Git';
    body.properties.scope = 'Cluster';
    expect(validateArmRequest('2025-04-01', 'FluxConfiguration', body)).toEqual([
      '/properties/scope: must be one of "cluster", "namespace" (got "Cluster")',
      '/properties/sourceKind: must be one of "GitRepository", "Bucket", "AzureBlob", "OCIRepository" (got "Git")',
    ]);
  });

  test('types are exact, and null only where the swagger says x-nullable', () => {
    const body = fluxPut();
    body.properties.gitRepository.timeoutInSeconds = '600';
    body.properties.suspend = null;
    body.properties.gitRepository.url = null; // x-nullable: fine
    expect(validateArmRequest('2025-04-01', 'FluxConfiguration', body)).toEqual([
      '/properties/gitRepository/timeoutInSeconds: must be integer or null (got string "600")',
      '/properties/suspend: must be boolean (got null)',
    ]);
  });

  test('a null map entry deletes a key in a PATCH but is invalid in a PUT', () => {
    const patch = fluxPatch();
    expect(patch.properties.kustomizations['srs-kustomization1']).toBeNull();
    expect(validateArmRequest('2025-04-01', 'FluxConfigurationPatch', patch)).toEqual([]);

    const put = fluxPut();
    put.properties.kustomizations['srs-kustomization2'] = null;
    expect(validateArmRequest('2025-04-01', 'FluxConfiguration', put)).toEqual([
      '/properties/kustomizations/srs-kustomization2: must be object (got null)',
    ]);
  });

  test('PATCH definitions only accept their own (smaller) property set', () => {
    const patch = fluxPatch();
    patch.properties.scope = 'cluster'; // create-only: not part of FluxConfigurationPatchProperties
    patch.properties.kustomizations['srs-kustomization2'].name = 'x';
    expect(validateArmRequest('2025-04-01', 'FluxConfigurationPatch', patch)).toEqual([
      '/properties/kustomizations/srs-kustomization2/name: property not allowed',
      '/properties/scope: property not allowed',
    ]);
  });

  test('extension bodies: read-only fields, required plan fields, identity and scope', () => {
    const body = extensionPut();
    body.properties.currentVersion = '1.0.0';
    body.properties.statuses = [{ code: 'x' }];
    body.properties.scope.cluster.targetNamespace = 'flux-system';
    body.plan = { name: 'p', product: 'q' };
    body.identity = { type: 'SystemAssigned' };
    expect(validateArmRequest('2025-03-01', 'Extension', body)).toEqual([
      '/plan/publisher: required property missing',
      '/properties/currentVersion: read-only property not allowed in a request',
      '/properties/scope/cluster/targetNamespace: property not allowed',
      '/properties/statuses/0: read-only property not allowed in a request',
    ]);
  });

  test('fields added in a later API version are unknown in an earlier one', () => {
    const body = extensionPut();
    expect(body.properties.autoUpgradeMode).toBe('compatible');
    expect(validateArmRequest('2025-03-01', 'Extension', body)).toEqual([]);
    expect(validateArmRequest('2023-05-01', 'Extension', body)).toEqual(['/properties/autoUpgradeMode: property not allowed']);
  });

  test('a body that is not an object, and an API version without a swagger copy', () => {
    expect(validateArmRequest('2025-04-01', 'FluxConfiguration', 'x')).toEqual(['/: must be object (got string "x")']);
    expect(validateArmRequest('2024-11-01', 'FluxConfiguration', {})).toEqual([
      '/: no swagger copy for FluxConfiguration at api-version "2024-11-01" (looked for arm/2024-11-01/fluxconfiguration.json)',
    ]);
  });
});

describe('validateKubeObject', () => {
  const gitRepository = (): Json => ({
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name: 'cluster-config', namespace: 'flux-system' },
    spec: { url: 'https://github.com/Azure/arc-k8s-demo', interval: '10m0s' },
  });
  const kustomization = (): Json => ({
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'cluster-config-infra', namespace: 'flux-system', labels: { 'app.kubernetes.io/part-of': 'demo' } },
    spec: { interval: '10m0s', prune: true, sourceRef: { kind: 'GitRepository', name: 'cluster-config' } },
  });

  test('minimal GitRepository and Kustomization v1 objects are valid', () => {
    expect(validateKubeObject(gitRepository())).toEqual([]);
    expect(validateKubeObject(kustomization())).toEqual([]);
  });

  test('an unknown spec field is rejected', () => {
    const obj = gitRepository();
    obj.spec.branch = 'main';
    expect(validateKubeObject(obj)).toEqual(['/spec/branch: property not allowed']);
  });

  test('durations are checked by the CRD patterns', () => {
    const obj = gitRepository();
    obj.spec.interval = '10 minutes';
    expect(validateKubeObject(obj)).toEqual([
      '/spec/interval: must match pattern "^([0-9]+(\\\\.[0-9]+)?(ms|s|m|h))+$" (got "10 minutes")',
    ]);
  });

  test('source timeouts have no hours, Kustomization timeouts do', () => {
    const source = gitRepository();
    source.spec.timeout = '1h0m0s';
    expect(validateKubeObject(source)).toEqual([
      '/spec/timeout: must match pattern "^([0-9]+(\\\\.[0-9]+)?(ms|s|m))+$" (got "1h0m0s")',
    ]);
    const ks = kustomization();
    ks.spec.timeout = '1h0m0s';
    expect(validateKubeObject(ks)).toEqual([]);
  });

  test('required fields and enums of the CRD are enforced', () => {
    const obj = kustomization();
    delete obj.spec.prune;
    obj.spec.sourceRef.kind = 'HelmRepository';
    expect(validateKubeObject(obj)).toEqual([
      '/spec/prune: required property missing',
      '/spec/sourceRef/kind: must be one of "OCIRepository", "GitRepository", "Bucket", "ExternalArtifact" (got "HelmRepository")',
    ]);
    // status is never required; a spec is, since every Flux kind has required spec fields.
    const { spec: _spec, ...withoutSpec } = kustomization();
    expect(validateKubeObject(withoutSpec)).toEqual(['/spec: required property missing']);
  });

  test('metadata is checked: DNS names, no unknown fields, valid labels', () => {
    const obj = gitRepository();
    obj.metadata.name = 'Cluster_Config';
    obj.metadata.spec = {};
    obj.metadata.labels = { team: 'a b' };
    const problems = validateKubeObject(obj);
    expect(problems).toContain('/metadata/spec: property not allowed');
    expect(problems.some((p) => p.startsWith('/metadata/name: must match pattern'))).toBe(true);
    expect(problems.some((p) => p.startsWith('/metadata/labels/team: must match pattern'))).toBe(true);
    expect(validateKubeObject({ ...gitRepository(), metadata: { namespace: 'flux-system' } })).toEqual([
      '/metadata/name: required property missing',
    ]);
  });

  test('HelmRelease values are free-form (x-kubernetes-preserve-unknown-fields)', () => {
    const obj = {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'podinfo', namespace: 'flux-system' },
      spec: {
        interval: '5m',
        chart: { spec: { chart: 'podinfo', sourceRef: { kind: 'HelmRepository', name: 'podinfo' } } },
        values: { replicaCount: 2, nested: { anything: [1, 'two'] } },
      },
    };
    expect(validateKubeObject(obj)).toEqual([]);
    expect(validateKubeObject({ ...obj, spec: { ...obj.spec, valuez: {} } })).toEqual(['/spec/valuez: property not allowed']);
  });

  test('unknown kinds and unserved versions are problems', () => {
    expect(validateKubeObject({ ...gitRepository(), kind: 'GitRepo' })[0]).toMatch(
      /^\/: unknown apiVersion\/kind "source.toolkit.fluxcd.io\/v1" "GitRepo" \(known: /,
    );
    expect(validateKubeObject({ ...gitRepository(), apiVersion: 'source.toolkit.fluxcd.io/v1beta2' })).toEqual([
      '/apiVersion: GitRepository is not served as "source.toolkit.fluxcd.io/v1beta2" (served: v1)',
    ]);
    expect(validateKubeObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } })[0]).toMatch(/^\/: unknown apiVersion\/kind/);
    expect(validateKubeObject('kind: Secret')).toEqual(['/: must be an object (got string "kind: Secret")']);
  });

  test('core v1 Secret and ConfigMap', () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: { name: 'cluster-config-auth', namespace: 'flux-system' },
      stringData: { username: 'git', password: 'secret' },
    };
    expect(validateKubeObject(secret)).toEqual([]);
    expect(validateKubeObject({ ...secret, data: { 'ca.crt': 'not base64!' } })).toEqual([
      '/data/ca.crt: must match pattern "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$" (got "not base64!")',
    ]);
    expect(validateKubeObject({ ...secret, spec: {} })).toEqual(['/spec: property not allowed']);
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'vars' }, data: { cluster_env: 'prod' } };
    expect(validateKubeObject(configMap)).toEqual([]);
    expect(validateKubeObject({ ...configMap, data: { env: 1 } })).toEqual(['/data/env: must be string (got integer 1)']);
  });
});
