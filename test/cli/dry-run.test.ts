/**
 * Dry runs through the built CLI, fed with the flags of Microsoft's own examples (so a user can
 * paste an `az k8s-configuration flux create` / `az k8s-extension create` command and swap the
 * prefix). Every ARM body is checked against the official swagger, every rendered Flux object
 * against the Flux CRDs, and the names, namespaces and references against what Azure's
 * controller creates.
 *
 * Where the examples come from:
 * - TUTORIAL: MicrosoftDocs azure-management-docs, articles/azure-arc/kubernetes/
 *   tutorial-use-gitops-flux2.md, with the docs' shell-escaped
 *   `dependsOn=\["infra"\]`, which reaches the program as `dependsOn=["infra"]`.
 * - AZ_HELP_*: the examples of `az k8s-configuration flux create --help`
 *   (Azure/azure-cli-extensions, src/k8s-configuration/azext_k8s_configuration/_help.py).
 * - DOCS_*: the flags of "GitOps (Flux v2) supported parameters"
 *   (articles/azure-arc/kubernetes/gitops-flux2-parameters.md), applied to the az help example.
 * - ARM_*: the request bodies of the 2025-04-01 swagger examples (test/schemas/arm/2025-04-01/
 *   examples/CreateFluxConfiguration*.json), written as the flags that produce them.
 * - Extension examples: tutorial-use-gitops-flux2.md and conceptual-gitops-flux2.md
 *   (`az k8s-extension create … --extension-type microsoft.flux --config …`).
 */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { FAKE_SUBSCRIPTION, makeTempDir, removeDir, runCli, writeAzureProfile, type CliResult } from '../helpers/cli.js';
import { validateArmRequest, validateKubeObject } from '../helpers/schema.js';

type Json = Record<string, any>;

const RP: Record<string, string> = {
  managedClusters: 'Microsoft.ContainerService',
  connectedClusters: 'Microsoft.Kubernetes',
  provisionedClusters: 'Microsoft.HybridContainerService',
};

interface Cluster {
  resourceGroup: string;
  name: string;
  type: 'managedClusters' | 'connectedClusters' | 'provisionedClusters';
}

interface FluxExample {
  title: string;
  cluster: Cluster;
  /** Everything after `flux config create`, as the example spells it. */
  flags: string[];
  config: string;
  namespace: string;
  /** sourceKind in the ARM body, and the Flux source kind it becomes on the cluster. */
  armKind: 'GitRepository' | 'Bucket' | 'AzureBlob' | 'OCIRepository';
  fluxKind: 'GitRepository' | 'Bucket' | 'OCIRepository';
  /** Kustomization name → the kustomizations it depends on. */
  kustomizations: Record<string, string[]>;
  /** Part of the expected ARM body (toMatchObject). */
  body?: Json;
}

const TUTORIAL_URL = 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt';

function tutorial(cluster: Cluster, extra: string[] = []): FluxExample {
  return {
    title: `Microsoft tutorial (cluster-config) on ${cluster.type}`,
    cluster,
    flags: [
      '-g', cluster.resourceGroup, '-c', cluster.name, '-n', 'cluster-config', '--namespace', 'cluster-config',
      '-t', cluster.type, ...extra, '--scope', 'cluster', '-u', TUTORIAL_URL, '--branch', 'main',
      '--kustomization', 'name=infra', 'path=./infrastructure', 'prune=true',
      '--kustomization', 'name=apps', 'path=./apps/staging', 'prune=true', 'dependsOn=["infra"]',
    ],
    config: 'cluster-config',
    namespace: 'cluster-config',
    armKind: 'GitRepository',
    fluxKind: 'GitRepository',
    kustomizations: { infra: [], apps: ['infra'] },
    body: {
      properties: {
        scope: 'cluster',
        namespace: 'cluster-config',
        sourceKind: 'GitRepository',
        suspend: false,
        gitRepository: { url: TUTORIAL_URL, repositoryRef: { branch: 'main' } },
        kustomizations: {
          infra: { path: './infrastructure', prune: true },
          apps: { path: './apps/staging', prune: true, dependsOn: ['infra'] },
        },
      },
    },
  };
}

const AZ_HELP_CLUSTER: Cluster = { resourceGroup: 'my-resource-group', name: 'mycluster', type: 'connectedClusters' };
const AZ_HELP_COMMON = ['--resource-group', 'my-resource-group', '--cluster-name', 'mycluster', '--cluster-type', 'connectedClusters', '--name', 'myconfig', '--scope', 'cluster', '--namespace', 'my-namespace'];
const BLOB_URL = 'https://mystorageaccount.blob.core.windows.net';

function azBlob(title: string, auth: string[], blockPart: Json): FluxExample {
  return {
    title,
    cluster: AZ_HELP_CLUSTER,
    flags: [...AZ_HELP_COMMON, '--kind', 'azblob', '--url', BLOB_URL, '--container-name', 'my-container', '--kustomization', 'name=my-kustomization', ...auth],
    config: 'myconfig',
    namespace: 'my-namespace',
    armKind: 'AzureBlob',
    fluxKind: 'Bucket',
    kustomizations: { 'my-kustomization': [] },
    body: { properties: { sourceKind: 'AzureBlob', azureBlob: { url: BLOB_URL, containerName: 'my-container', ...blockPart } } },
  };
}

const ARM_CLUSTER: Cluster = { resourceGroup: 'rg1', name: 'clusterName1', type: 'connectedClusters' };
const ARM_COMMON = ['-g', 'rg1', '-c', 'clusterName1', '-t', 'connectedClusters', '-n', 'srs-fluxconfig', '--scope', 'cluster', '--namespace', 'srs-namespace'];
const ARM_KUSTOMIZATIONS = [
  '-k', 'name=srs-kustomization1', 'path=./test/path', 'sync_interval=10m', 'timeout=10m',
  '-k', 'name=srs-kustomization2', 'path=./other/test/path', 'depends_on=srs-kustomization1', 'sync_interval=10m', 'timeout=10m', 'retry_interval=10m', 'prune=false',
];

const EXAMPLES: FluxExample[] = [
  tutorial({ resourceGroup: 'flux-demo-rg', name: 'flux-demo-aks', type: 'managedClusters' }),
  tutorial({ resourceGroup: 'flux-demo-rg', name: 'flux-demo-arc', type: 'connectedClusters' }),
  // az requires --cluster-rp for provisionedClusters; k8s-gitops derives it but accepts it.
  tutorial({ resourceGroup: 'flux-demo-rg', name: 'flux-demo-local', type: 'provisionedClusters' }, ['--cluster-rp', 'microsoft.hybridcontainerservice']),
  {
    title: 'az help: git',
    cluster: AZ_HELP_CLUSTER,
    flags: [...AZ_HELP_COMMON, '--kind', 'git', '--url', 'https://github.com/Azure/arc-k8s-demo', '--branch', 'main', '--kustomization', 'name=my-kustomization'],
    config: 'myconfig',
    namespace: 'my-namespace',
    armKind: 'GitRepository',
    fluxKind: 'GitRepository',
    kustomizations: { 'my-kustomization': [] },
    body: { properties: { gitRepository: { url: 'https://github.com/Azure/arc-k8s-demo', repositoryRef: { branch: 'main' } }, kustomizations: { 'my-kustomization': {} } } },
  },
  {
    title: 'az help: bucket with access and secret key',
    cluster: AZ_HELP_CLUSTER,
    flags: [
      ...AZ_HELP_COMMON, '--kind', 'bucket', '--url', 'https://bucket-provider.minio.io', '--bucket-name', 'my-bucket',
      '--kustomization', 'name=my-kustomization', '--bucket-access-key', 'my-access-key', '--bucket-secret-key', 'my-secret-key',
    ],
    config: 'myconfig',
    namespace: 'my-namespace',
    armKind: 'Bucket',
    fluxKind: 'Bucket',
    kustomizations: { 'my-kustomization': [] },
    body: {
      properties: {
        bucket: { url: 'https://bucket-provider.minio.io', bucketName: 'my-bucket', accessKey: 'my-access-key', insecure: false },
        configurationProtectedSettings: { bucketSecretKey: '[REDACTED]' },
      },
    },
  },
  azBlob('az help: azblob with account key', ['--account-key', 'my-account-key'], { accountKey: '[REDACTED]' }),
  azBlob('docs: azblob with SAS token', ['--sas-token', 'sv=2022-11-02&ss=b&srt=co&sp=rl&sig=my-sas-signature'], { sasToken: '[REDACTED]' }),
  azBlob(
    'docs: azblob with a service principal and secret',
    ['--sp-client-id', '33333333-3333-3333-3333-333333333333', '--sp-tenant-id', '44444444-4444-4444-4444-444444444444', '--sp-client-secret', 'my-client-secret'],
    { servicePrincipal: { clientId: '33333333-3333-3333-3333-333333333333', tenantId: '44444444-4444-4444-4444-444444444444', clientSecret: '[REDACTED]' } },
  ),
  azBlob('docs: azblob with a managed identity (--managed-identity-client-id)', ['--managed-identity-client-id', '55555555-5555-5555-5555-555555555555'], {
    managedIdentity: { clientId: '55555555-5555-5555-5555-555555555555' },
  }),
  {
    // The docs' command has no repository reference, which az itself rejects; --branch main added.
    title: 'docs: git with --local-auth-ref',
    cluster: { resourceGroup: 'my-rg', name: 'my-cluster', type: 'connectedClusters' },
    flags: ['-g', 'my-rg', '-c', 'my-cluster', '-n', 'my-config', '-t', 'connectedClusters', '--scope', 'cluster', '--namespace', 'flux-config', '-u', 'https://github.com/Azure/arc-k8s-demo', '--branch', 'main', '--kustomization', 'name=kustomization1', '--local-auth-ref', 'my-custom-secret'],
    config: 'my-config',
    namespace: 'flux-config',
    armKind: 'GitRepository',
    fluxKind: 'GitRepository',
    kustomizations: { kustomization1: [] },
    body: { properties: { gitRepository: { localAuthRef: 'my-custom-secret' } } },
  },
  {
    title: 'ARM example CreateFluxConfiguration (post-build substitution, wait for reconciliation)',
    cluster: ARM_CLUSTER,
    flags: [
      ...ARM_COMMON, '-u', 'https://github.com/Azure/arc-k8s-demo', '--branch', 'master', '--interval', '10m', '--timeout', '10m',
      '--wait-for-reconciliation', '--reconciliation-wait-duration', '30m',
      '-k', 'name=srs-kustomization1', 'path=./test/path', 'sync_interval=10m', 'timeout=10m', 'wait=true',
      'substitute=cluster_env=prod', 'substitute=replica_count=2', 'substitute_from=ConfigMap/cluster-test:optional',
      '-k', 'name=srs-kustomization2', 'path=./other/test/path', 'depends_on=srs-kustomization1', 'sync_interval=10m', 'timeout=10m',
      'retry_interval=10m', 'prune=false', 'wait=false', 'substitute_from=ConfigMap/cluster-values:optional', 'substitute_from=Secret/secret-name',
    ],
    config: 'srs-fluxconfig',
    namespace: 'srs-namespace',
    armKind: 'GitRepository',
    fluxKind: 'GitRepository',
    kustomizations: { 'srs-kustomization1': [], 'srs-kustomization2': ['srs-kustomization1'] },
    body: {
      properties: {
        scope: 'cluster',
        namespace: 'srs-namespace',
        sourceKind: 'GitRepository',
        suspend: false,
        gitRepository: { url: 'https://github.com/Azure/arc-k8s-demo', timeoutInSeconds: 600, syncIntervalInSeconds: 600, repositoryRef: { branch: 'master' } },
        kustomizations: {
          'srs-kustomization1': {
            path: './test/path',
            timeoutInSeconds: 600,
            syncIntervalInSeconds: 600,
            wait: true,
            postBuild: { substitute: { cluster_env: 'prod', replica_count: '2' }, substituteFrom: [{ kind: 'ConfigMap', name: 'cluster-test', optional: true }] },
          },
          'srs-kustomization2': {
            path: './other/test/path',
            dependsOn: ['srs-kustomization1'],
            timeoutInSeconds: 600,
            syncIntervalInSeconds: 600,
            retryIntervalInSeconds: 600,
            prune: false,
            wait: false,
            postBuild: { substituteFrom: [{ kind: 'ConfigMap', name: 'cluster-values', optional: true }, { kind: 'Secret', name: 'secret-name' }] },
          },
        },
        waitForReconciliation: true,
        reconciliationWaitDuration: 'PT30M',
      },
    },
  },
  {
    title: 'ARM example CreateFluxConfigurationWithProvider (Azure DevOps, workload identity)',
    cluster: ARM_CLUSTER,
    flags: [...ARM_COMMON, '-u', 'https://dev.azure.com/org/proj/_git/arc-k8s-demo', '--branch', 'master', '--provider', 'azure', ...ARM_KUSTOMIZATIONS],
    config: 'srs-fluxconfig',
    namespace: 'srs-namespace',
    armKind: 'GitRepository',
    fluxKind: 'GitRepository',
    kustomizations: { 'srs-kustomization1': [], 'srs-kustomization2': ['srs-kustomization1'] },
    body: { properties: { gitRepository: { url: 'https://dev.azure.com/org/proj/_git/arc-k8s-demo', provider: 'Azure', repositoryRef: { branch: 'master' } } } },
  },
  {
    // The swagger example sends an access key without a secret key; az and k8s-gitops need both.
    title: 'ARM example CreateFluxConfigurationWithBucket',
    cluster: ARM_CLUSTER,
    flags: [
      ...ARM_COMMON, '--kind', 'bucket', '-u', 'https://fluxminiotest.az.minio.io', '--bucket-name', 'flux', '--interval', '1000s', '--timeout', '1000s',
      '--bucket-access-key', 'fluxminiotest', '--bucket-secret-key', 'fluxminiotest-secret', ...ARM_KUSTOMIZATIONS,
    ],
    config: 'srs-fluxconfig',
    namespace: 'srs-namespace',
    armKind: 'Bucket',
    fluxKind: 'Bucket',
    kustomizations: { 'srs-kustomization1': [], 'srs-kustomization2': ['srs-kustomization1'] },
    body: {
      properties: {
        sourceKind: 'Bucket',
        bucket: { accessKey: 'fluxminiotest', bucketName: 'flux', syncIntervalInSeconds: 1000, timeoutInSeconds: 1000, url: 'https://fluxminiotest.az.minio.io' },
        kustomizations: {
          'srs-kustomization1': { path: './test/path', syncIntervalInSeconds: 600, timeoutInSeconds: 600 },
          'srs-kustomization2': { path: './other/test/path', dependsOn: ['srs-kustomization1'], prune: false, retryIntervalInSeconds: 600, syncIntervalInSeconds: 600, timeoutInSeconds: 600 },
        },
      },
    },
  },
  {
    title: 'ARM example CreateFluxConfigurationWithOCIRepository',
    cluster: ARM_CLUSTER,
    flags: [
      ...ARM_COMMON, '--kind', 'oci', '-u', 'oci://ghcr.io/stefanprodan/manifests/podinfo', '--service-account-name', 'testserviceaccount',
      '--interval', '1000s', '--timeout', '1000s', ...ARM_KUSTOMIZATIONS,
    ],
    config: 'srs-fluxconfig',
    namespace: 'srs-namespace',
    armKind: 'OCIRepository',
    fluxKind: 'OCIRepository',
    kustomizations: { 'srs-kustomization1': [], 'srs-kustomization2': ['srs-kustomization1'] },
    body: {
      properties: {
        sourceKind: 'OCIRepository',
        ociRepository: { serviceAccountName: 'testserviceaccount', syncIntervalInSeconds: 1000, timeoutInSeconds: 1000, url: 'oci://ghcr.io/stefanprodan/manifests/podinfo' },
      },
    },
  },
];

function parseJson(result: CliResult, what: string): any {
  expect({ what, status: result.status, stderr: result.stderr }).toEqual({ what, status: 0, stderr: expect.not.stringMatching(/^ERROR:/m) });
  return JSON.parse(result.stdout);
}

function create(flags: string[], ...more: string[]): CliResult {
  return runCli(['flux', 'config', 'create', ...flags, ...more]);
}

function expectedPath(cluster: Cluster, subscription: string, collection: string, name: string): string {
  return `/subscriptions/${subscription}/resourceGroups/${cluster.resourceGroup}/providers/${RP[cluster.type]}/${cluster.type}/${cluster.name}/providers/Microsoft.KubernetesConfiguration/${collection}/${name}`;
}

describe.each(EXAMPLES.map((e): [string, FluxExample] => [e.title, e]))('%s', (_title, example) => {
  test('--dry-run=arm: a PUT of a body the 2025-04-01 swagger accepts, at the right path', () => {
    const request = parseJson(create(example.flags, '--subscription', FAKE_SUBSCRIPTION, '--dry-run=arm'), 'arm');
    expect(Object.keys(request).sort()).toEqual(['apiVersion', 'body', 'method', 'path']);
    expect(request.method).toBe('PUT');
    expect(request.apiVersion).toBe('2025-04-01');
    expect(request.path).toBe(expectedPath(example.cluster, FAKE_SUBSCRIPTION, 'fluxConfigurations', example.config));
    expect(validateArmRequest('2025-04-01', 'FluxConfiguration', request.body)).toEqual([]);
    expect(request.body.properties.sourceKind).toBe(example.armKind);
    expect(Object.keys(request.body.properties.kustomizations).sort()).toEqual(Object.keys(example.kustomizations).sort());
    if (example.body) expect(request.body).toMatchObject(example.body);
  });

  test('--dry-run -o json: a v1 List of valid Flux objects, named and placed as Azure does', () => {
    const list = parseJson(create(example.flags, '--dry-run', '-o', 'json'), 'cluster');
    expect(list.apiVersion).toBe('v1');
    expect(list.kind).toBe('List');
    const items = list.items as Json[];
    expect(items.length).toBeGreaterThanOrEqual(2 + Object.keys(example.kustomizations).length);

    for (const item of items) {
      expect({ item: `${item.kind}/${item.metadata?.name}`, namespace: item.metadata?.namespace }).toEqual({ item: `${item.kind}/${item.metadata?.name}`, namespace: example.namespace });
      if (item.kind === 'FluxConfig') continue; // no published CRD to validate against
      expect({ item: `${item.kind}/${item.metadata.name}`, problems: validateKubeObject(item) }).toEqual({ item: `${item.kind}/${item.metadata.name}`, problems: [] });
    }

    const fluxConfigs = items.filter((i) => i.kind === 'FluxConfig');
    expect(fluxConfigs.map((i) => i.metadata.name)).toEqual([example.config]);

    const sources = items.filter((i) => ['GitRepository', 'Bucket', 'OCIRepository'].includes(i.kind));
    expect(sources.map((i) => [i.kind, i.metadata.name])).toEqual([[example.fluxKind, example.config]]);
    expect(sources[0]!.apiVersion).toBe('source.toolkit.fluxcd.io/v1');

    const kustomizations = items.filter((i) => i.kind === 'Kustomization');
    expect(kustomizations.map((k) => k.metadata.name).sort()).toEqual(Object.keys(example.kustomizations).map((k) => `${example.config}-${k}`).sort());
    for (const [name, dependsOn] of Object.entries(example.kustomizations)) {
      const k = kustomizations.find((i) => i.metadata.name === `${example.config}-${name}`)!;
      expect(k.apiVersion).toBe('kustomize.toolkit.fluxcd.io/v1');
      expect(k.spec.sourceRef).toMatchObject({ kind: example.fluxKind, name: example.config });
      expect((k.spec.dependsOn ?? []).map((d: Json) => d.name)).toEqual(dependsOn.map((d) => `${example.config}-${d}`));
    }

    // Any Secret carries the redaction marker only, never a value.
    for (const secret of items.filter((i) => i.kind === 'Secret')) {
      expect(secret.data).toBeUndefined();
      for (const value of Object.values(secret.stringData ?? {})) expect(value).toBe('[REDACTED]');
    }
  });
});

describe('the tutorial configuration, every way it can be printed', () => {
  const flags = tutorial({ resourceGroup: 'flux-demo-rg', name: 'flux-demo-arc', type: 'connectedClusters' }).flags;
  let list: Json;
  let yamlText: string;

  beforeAll(() => {
    list = parseJson(create(flags, '--dry-run', '-o', 'json'), 'json');
    const plain = create(flags, '--dry-run');
    expect(plain.status).toBe(0);
    yamlText = plain.stdout;
  });

  test('plain --dry-run prints a multi-document YAML stream of the same objects as the JSON List', () => {
    expect(yamlText.startsWith('---')).toBe(true);
    const docs = parseAllDocuments(yamlText);
    expect(Array.isArray(docs)).toBe(true);
    const objects = (docs as Array<{ errors: unknown[]; toJS: () => unknown }>).map((d) => {
      expect(d.errors).toEqual([]);
      return d.toJS();
    });
    expect(objects).toEqual(list.items);
  });

  test('-o yaml without --query is the same YAML stream', () => {
    const result = create(flags, '--dry-run', '-o', 'yaml');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(yamlText);
  });

  test('the same command twice gives byte-identical output', () => {
    for (const extra of [['--dry-run'], ['--dry-run', '-o', 'json'], ['--dry-run=arm', '--subscription', FAKE_SUBSCRIPTION]]) {
      const first = create(flags, ...extra);
      const second = create(flags, ...extra);
      expect(first.status).toBe(0);
      expect(second.stdout).toBe(first.stdout);
      expect(first.stdout.length).toBeGreaterThan(0);
    }
  });

  test('-o table lists kind, namespace and name of every object', () => {
    const result = create(flags, '--dry-run', '-o', 'table');
    expect(result.status).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]!.split(/\s+/)).toEqual(['Kind', 'Namespace', 'Name']);
    expect(lines[1]).toMatch(/^-+( +-+){2}$/);
    const rows = lines.slice(2).map((l) => l.split(/\s+/));
    expect(rows).toEqual((list.items as Json[]).map((i) => [i.kind, i.metadata.namespace, i.metadata.name]));
    expect(rows).toEqual(
      expect.arrayContaining([
        ['GitRepository', 'cluster-config', 'cluster-config'],
        ['Kustomization', 'cluster-config', 'cluster-config-infra'],
        ['Kustomization', 'cluster-config', 'cluster-config-apps'],
      ]),
    );
  });

  test('--query "items[].metadata.name" selects the names (JSON and YAML)', () => {
    const names = (list.items as Json[]).map((i) => i.metadata.name);
    expect(names).toEqual(expect.arrayContaining(['cluster-config', 'cluster-config-infra', 'cluster-config-apps']));
    const asJson = parseJson(create(flags, '--dry-run', '-o', 'json', '--query', 'items[].metadata.name'), 'query json');
    expect(asJson).toEqual(names);
    const asYaml = create(flags, '--dry-run', '--query', 'items[].metadata.name');
    expect(asYaml.status).toBe(0);
    expect(parseYaml(asYaml.stdout)).toEqual(names);
  });

  test('--query on the ARM request, with -o tsv', () => {
    const result = create(flags, '--dry-run=arm', '--subscription', FAKE_SUBSCRIPTION, '--query', 'body.properties.kustomizations.apps.dependsOn[0]', '-o', 'tsv');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('infra\n');
  });

  test('-o none prints nothing', () => {
    const result = create(flags, '--dry-run', '-o', 'none');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('');
  });
});

describe('extension create --dry-run=arm', () => {
  interface ExtensionExample {
    title: string;
    cluster: Cluster;
    flags: string[];
    name: string;
    identity: boolean | undefined;
    properties: Json;
  }
  const EXTENSIONS: ExtensionExample[] = [
    {
      title: 'AKS, defaults',
      cluster: { resourceGroup: 'rg', name: 'aks1', type: 'managedClusters' },
      flags: ['-g', 'rg', '-c', 'aks1', '-t', 'managedClusters'],
      name: 'flux',
      identity: false,
      properties: { extensionType: 'microsoft.flux', scope: { cluster: { releaseNamespace: 'flux-system' } } },
    },
    {
      title: 'docs: AKS with kubelet identity',
      cluster: { resourceGroup: 'my-rg', name: 'my-aks', type: 'managedClusters' },
      flags: ['--resource-group', 'my-rg', '--cluster-name', 'my-aks', '--cluster-type', 'managedClusters', '--name', 'flux', '--extension-type', 'microsoft.flux', '--config', 'useKubeletIdentity=true'],
      name: 'flux',
      identity: false,
      properties: { extensionType: 'microsoft.flux', configurationSettings: { useKubeletIdentity: 'true' } },
    },
    {
      title: 'docs: Arc with the image automation controllers',
      cluster: { resourceGroup: 'my-rg', name: 'my-arc', type: 'connectedClusters' },
      flags: ['-g', 'my-rg', '-c', 'my-arc', '-t', 'connectedClusters', '--name', 'flux', '--extension-type', 'microsoft.flux', '--config', 'image-automation-controller.enabled=true', 'image-reflector-controller.enabled=true'],
      name: 'flux',
      identity: true,
      properties: {
        extensionType: 'microsoft.flux',
        configurationSettings: { 'image-automation-controller.enabled': 'true', 'image-reflector-controller.enabled': 'true' },
      },
    },
    {
      // `--version=1.23.0`; the az spelling `--version 1.23.0` has a test of its own below.
      title: 'Arc, pinned version without multi-tenancy',
      cluster: { resourceGroup: 'rg', name: 'arc1', type: 'connectedClusters' },
      flags: ['-g', 'rg', '-c', 'arc1', '-t', 'connectedClusters', '--version=1.23.0', '--config', 'multiTenancy.enforce=false'],
      name: 'flux',
      identity: true,
      properties: { version: '1.23.0', autoUpgradeMinorVersion: false, configurationSettings: { 'multiTenancy.enforce': 'false' } },
    },
    {
      title: 'AKS on Azure Local (provisionedClusters)',
      cluster: { resourceGroup: 'rg', name: 'local1', type: 'provisionedClusters' },
      flags: ['-g', 'rg', '-c', 'local1', '-t', 'provisionedClusters', '--cluster-rp', 'microsoft.hybridcontainerservice', '--release-train', 'Stable'],
      name: 'flux',
      identity: undefined, // not asserted
      properties: { extensionType: 'microsoft.flux', releaseTrain: 'Stable' },
    },
  ];

  test.each(EXTENSIONS.map((e): [string, ExtensionExample] => [e.title, e]))('%s', (_title, e) => {
    const request = parseJson(runCli(['extension', 'create', ...e.flags, '--subscription', FAKE_SUBSCRIPTION, '--dry-run=arm']), 'extension');
    expect(request.method).toBe('PUT');
    expect(request.apiVersion).toBe('2023-05-01');
    expect(request.path).toBe(expectedPath(e.cluster, FAKE_SUBSCRIPTION, 'extensions', e.name));
    expect(validateArmRequest('2023-05-01', 'Extension', request.body)).toEqual([]);
    expect(request.body.properties).toMatchObject(e.properties);
    if (e.identity === true) expect(request.body.identity).toEqual({ type: 'SystemAssigned' });
    if (e.identity === false) expect(request.body.identity).toBeUndefined();
  });

  test('--version 1.23.0 (space-separated) pins the extension version', () => {
    const request = parseJson(runCli(['extension', 'create', '-g', 'rg', '-c', 'arc1', '-t', 'connectedClusters', '--version', '1.23.0', '--subscription', FAKE_SUBSCRIPTION, '--dry-run=arm']), 'extension');
    expect(request.body.properties).toMatchObject({ version: '1.23.0', autoUpgradeMinorVersion: false });
  });
});

describe('the subscription in the ARM path', () => {
  const PROFILE_DEFAULT = '6f1b6c3a-1111-4c4c-8d8d-000000000001';
  const PROFILE_OTHER = '6f1b6c3a-2222-4c4c-8d8d-000000000002';
  const FROM_ENV = '6f1b6c3a-3333-4c4c-8d8d-000000000003';
  const FROM_FLAG = '6f1b6c3a-4444-4c4c-8d8d-000000000004';
  const cluster: Cluster = { resourceGroup: 'rg', name: 'aks1', type: 'managedClusters' };
  const flags = ['-g', 'rg', '-c', 'aks1', '-t', 'managedClusters', '-n', 'cfg', '-u', TUTORIAL_URL, '--branch', 'main', '-k', 'name=infra', '--dry-run=arm'];
  let home: string;
  let configDir: string;

  beforeAll(() => {
    home = makeTempDir();
    configDir = join(home, '.azure');
    mkdirSync(configDir);
    writeAzureProfile(configDir, [
      { id: PROFILE_OTHER, name: 'Other Subscription', isDefault: false },
      { id: PROFILE_DEFAULT, name: 'Default Subscription', isDefault: true },
    ]);
  });
  afterAll(() => {
    removeDir(home);
  });

  function run(args: string[], env: Record<string, string | undefined>): string {
    const result = runCli(['flux', 'config', 'create', ...flags, ...args], { env });
    return parseJson(result, 'subscription').path as string;
  }

  test('the default subscription of the Azure CLI profile in AZURE_CONFIG_DIR', () => {
    expect(run([], { AZURE_CONFIG_DIR: configDir })).toBe(expectedPath(cluster, PROFILE_DEFAULT, 'fluxConfigurations', 'cfg'));
  });

  test('AZURE_SUBSCRIPTION_ID wins over the profile', () => {
    expect(run([], { AZURE_CONFIG_DIR: configDir, AZURE_SUBSCRIPTION_ID: FROM_ENV })).toBe(expectedPath(cluster, FROM_ENV, 'fluxConfigurations', 'cfg'));
  });

  test('--subscription wins over AZURE_SUBSCRIPTION_ID and the profile', () => {
    expect(run(['--subscription', FROM_FLAG], { AZURE_CONFIG_DIR: configDir, AZURE_SUBSCRIPTION_ID: FROM_ENV })).toBe(expectedPath(cluster, FROM_FLAG, 'fluxConfigurations', 'cfg'));
  });

  test('--subscription by name, looked up in the profile', () => {
    expect(run(['--subscription', 'Other Subscription'], { AZURE_CONFIG_DIR: configDir, AZURE_SUBSCRIPTION_ID: FROM_ENV })).toBe(expectedPath(cluster, PROFILE_OTHER, 'fluxConfigurations', 'cfg'));
  });

  test('the profile under HOME/.azure when AZURE_CONFIG_DIR is not set', () => {
    expect(run([], { HOME: home, USERPROFILE: home, AZURE_CONFIG_DIR: undefined })).toBe(expectedPath(cluster, PROFILE_DEFAULT, 'fluxConfigurations', 'cfg'));
  });

  test('extension create resolves the subscription the same way', () => {
    const result = runCli(['extension', 'create', '-g', 'rg', '-c', 'aks1', '-t', 'managedClusters', '--dry-run=arm'], { env: { AZURE_CONFIG_DIR: configDir } });
    expect(parseJson(result, 'extension').path).toBe(expectedPath(cluster, PROFILE_DEFAULT, 'extensions', 'flux'));
  });

  test('without any subscription the path keeps a placeholder and a warning says so', () => {
    const result = create(flags);
    const request = parseJson(result, 'none');
    expect(request.path).toBe(expectedPath(cluster, '{subscriptionId}', 'fluxConfigurations', 'cfg'));
    expect(result.stderr).toMatch(/^WARNING: .*subscription/m);
  });

});
