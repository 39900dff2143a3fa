import { describe, test, expect, beforeEach } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { redactor } from '../../src/core/redact.js';
import { fluxConfigurationPutBody } from '../../src/model/arm.js';
import { parseConfigurationFile } from '../../src/model/file.js';
import type { FluxConfigFlags } from '../../src/model/flags.js';
import { buildFluxConfiguration } from '../../src/model/flux-config.js';
import { resetStdinClaim } from '../../src/model/input.js';
import { ROOT } from '../helpers/cli.js';
import { expectUsageError, fakeInput } from '../helpers/input.js';

const F = '-f/--file';
/** A real CA certificate, base64-encoded as ARM keeps it: file values pass the same checks as flags. */
const CA = Buffer.from(readFileSync(join(ROOT, 'test', 'fixtures', 'certs', 'ca.crt'), 'utf8'), 'utf8').toString('base64');
const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const SUB = '/subscriptions/00000000-0000-0000-0000-000000000000';
const URL_ = 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt';

/** What `show -o yaml` prints for a git configuration (flattened, read-only fields, nulls). */
const SHOWN = {
  id: `${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/cluster-config`,
  name: 'cluster-config',
  type: 'Microsoft.KubernetesConfiguration/fluxConfigurations',
  systemData: { createdBy: 'someone@example.com', createdByType: 'User', createdAt: '2025-01-01T00:00:00Z', lastModifiedAt: '2025-01-01T00:00:00Z' },
  resourceGroup: 'rg',
  scope: 'cluster',
  namespace: 'cluster-config',
  sourceKind: 'GitRepository',
  suspend: false,
  gitRepository: {
    url: URL_,
    timeoutInSeconds: 600,
    syncIntervalInSeconds: 300,
    repositoryRef: { branch: 'main', tag: null, semver: null, commit: null },
    sshKnownHosts: null,
    httpsUser: 'git',
    httpsCaCert: null,
    localAuthRef: null,
    provider: null,
  },
  bucket: null,
  azureBlob: null,
  ociRepository: null,
  kustomizations: {
    infra: {
      name: 'infra',
      path: './infrastructure',
      dependsOn: [],
      timeoutInSeconds: 600,
      syncIntervalInSeconds: 600,
      retryIntervalInSeconds: null,
      prune: true,
      force: false,
      wait: true,
      postBuild: null,
    },
    apps: {
      name: 'apps',
      path: './apps/staging',
      dependsOn: ['infra'],
      timeoutInSeconds: 600,
      syncIntervalInSeconds: 600,
      retryIntervalInSeconds: 60,
      prune: true,
      force: false,
      wait: true,
      postBuild: { substitute: { CLUSTER: 'staging' }, substituteFrom: [{ kind: 'ConfigMap', name: 'cluster-vars', optional: false }] },
    },
  },
  configurationProtectedSettings: { httpsKey: '' },
  statuses: [{ name: 'cluster-config', namespace: 'cluster-config', kind: 'GitRepository', complianceState: 'Compliant' }],
  repositoryPublicKey: '',
  sourceSyncedCommitId: 'main@sha1:0123456789abcdef0123456789abcdef01234567',
  sourceUpdatedAt: '2025-01-01T00:00:00Z',
  statusUpdatedAt: '2025-01-01T00:00:00Z',
  waitForReconciliation: null,
  reconciliationWaitDuration: null,
  complianceState: 'Compliant',
  provisioningState: 'Succeeded',
  errorMessage: '',
};

/** The same configuration in the ARM shape. */
const ARM = {
  name: 'cluster-config',
  properties: {
    scope: 'namespace',
    namespace: 'team-a',
    sourceKind: 'GitRepository',
    suspend: true,
    gitRepository: { url: URL_, repositoryRef: { tag: 'v1.0.0' }, httpsCACert: CA },
    kustomizations: { apps: { path: './apps', prune: false } },
    configurationProtectedSettings: { httpsKey: b64('file-token-1') },
    waitForReconciliation: true,
    reconciliationWaitDuration: 'PT10M',
  },
};

beforeEach(() => {
  resetStdinClaim();
});

describe('parseConfigurationFile reads both shapes', () => {
  test('the flattened shape that show prints (YAML), read-only fields and nulls skipped', () => {
    const file = parseConfigurationFile(toYaml(SHOWN), 'c.yaml');
    expect(file.name).toBe('cluster-config');
    expect(file.unreadableProtectedSettings).toEqual(['httpsKey']);
    const { kustomizations, ...rest } = file.partial;
    expect(rest).toEqual({
      scope: 'cluster',
      namespace: 'cluster-config',
      sourceKind: 'GitRepository',
      suspend: false,
      gitRepository: { url: URL_, timeoutInSeconds: 600, syncIntervalInSeconds: 300, repositoryRef: { branch: 'main' }, httpsUser: 'git' },
      configurationProtectedSettings: {},
    });
    expect([...kustomizations!.entries()]).toEqual([
      ['infra', { path: './infrastructure', dependsOn: [], timeoutInSeconds: 600, syncIntervalInSeconds: 600, prune: true, force: false, wait: true }],
      [
        'apps',
        {
          path: './apps/staging',
          dependsOn: ['infra'],
          timeoutInSeconds: 600,
          syncIntervalInSeconds: 600,
          retryIntervalInSeconds: 60,
          prune: true,
          force: false,
          wait: true,
          postBuild: { substitute: { CLUSTER: 'staging' }, substituteFrom: [{ kind: 'ConfigMap', name: 'cluster-vars', optional: false }] },
        },
      ],
    ]);
  });

  test('the ARM shape (JSON)', () => {
    const file = parseConfigurationFile(JSON.stringify(ARM), 'c.json');
    expect(file.name).toBe('cluster-config');
    expect(file.unreadableProtectedSettings).toEqual([]);
    expect(file.partial).toMatchObject({
      scope: 'namespace',
      namespace: 'team-a',
      sourceKind: 'GitRepository',
      suspend: true,
      gitRepository: { url: URL_, repositoryRef: { tag: 'v1.0.0' }, httpsCACert: CA },
      configurationProtectedSettings: { httpsKey: b64('file-token-1') },
      waitForReconciliation: true,
      reconciliationWaitDuration: 'PT10M',
    });
    expect([...file.partial.kustomizations!.entries()]).toEqual([['apps', { path: './apps', prune: false }]]);
  });

  test('the ARM shape with the read-only envelope and read-only properties', () => {
    const doc = {
      id: SHOWN.id,
      type: SHOWN.type,
      systemData: SHOWN.systemData,
      name: 'cluster-config',
      properties: { ...ARM.properties, statuses: [], complianceState: 'Compliant', provisioningState: 'Succeeded', errorMessage: null, repositoryPublicKey: 'ssh-ed25519 AAAA' },
    };
    const file = parseConfigurationFile(JSON.stringify(doc), 'c.json');
    expect(file.partial).toEqual(parseConfigurationFile(JSON.stringify(ARM), 'c.json').partial);
  });

  test.each([
    ['flattened', (v: string) => ({ gitRepository: { url: URL_, httpsCaCert: v } })],
    ['ARM', (v: string) => ({ properties: { gitRepository: { url: URL_, httpsCaCert: v } } })],
  ])('httpsCaCert as az prints it is read as httpsCACert (%s)', (_shape, doc) => {
    expect(parseConfigurationFile(JSON.stringify(doc(CA)), 'c.json').partial.gitRepository).toEqual({ url: URL_, httpsCACert: CA });
  });

  test('protected settings with values are kept and registered with the redactor', () => {
    const value = b64('file-protected-value-2');
    const file = parseConfigurationFile(JSON.stringify({ configurationProtectedSettings: { sshPrivateKey: value, httpsKey: null } }), 'c.json');
    expect(file.partial.configurationProtectedSettings).toEqual({ sshPrivateKey: value });
    expect(file.unreadableProtectedSettings).toEqual(['httpsKey']);
    expect(redactor.redact(`x ${value} y`)).not.toContain(value);
    expect(redactor.redact('x file-protected-value-2 y')).not.toContain('file-protected-value-2');
  });

  test('every source kind block (one per file), the kind following from the block', () => {
    const doc = {
      bucket: { url: 'https://minio.example.com', bucketName: 'b', insecure: false, accessKey: 'AKIA', localAuthRef: null },
      azureBlob: {
        url: 'https://a.blob.core.windows.net',
        containerName: 'c',
        servicePrincipal: { clientId: 'id', tenantId: 't', clientSecret: null, clientCertificate: 'Q0VSVA==', clientCertificatePassword: null, clientCertificateSendChain: true },
        managedIdentity: { clientId: null },
      },
      ociRepository: {
        url: 'oci://ghcr.io/org/repo',
        repositoryRef: { tag: null, semver: '1.x', digest: null },
        layerSelector: { mediaType: 'application/x', operation: 'copy' },
        verify: { provider: 'cosign', verificationConfig: { k: 'v' }, matchOidcIdentity: [{ issuer: 'i', subject: 's' }] },
        insecure: false,
        useWorkloadIdentity: true,
        serviceAccountName: 'sa',
        tlsConfig: { clientCertificate: null, privateKey: null, caCertificate: CA },
      },
    };
    const partial = Object.assign(
      {},
      ...(['bucket', 'azureBlob', 'ociRepository'] as const).map((block) => {
        const read = parseConfigurationFile(JSON.stringify({ [block]: doc[block] }), 'c.json').partial;
        expect(read.sourceKind).toBe({ bucket: 'Bucket', azureBlob: 'AzureBlob', ociRepository: 'OCIRepository' }[block]);
        return read;
      }),
    );
    expect(partial.bucket).toEqual({ url: 'https://minio.example.com', bucketName: 'b', insecure: false, accessKey: 'AKIA' });
    expect(partial.azureBlob).toEqual({
      url: 'https://a.blob.core.windows.net',
      containerName: 'c',
      servicePrincipal: { clientId: 'id', tenantId: 't', clientCertificate: 'Q0VSVA==', clientCertificateSendChain: true },
      managedIdentity: {},
    });
    expect(partial.ociRepository).toEqual({
      url: 'oci://ghcr.io/org/repo',
      repositoryRef: { semver: '1.x' },
      layerSelector: { mediaType: 'application/x', operation: 'copy' },
      verify: { provider: 'cosign', verificationConfig: { k: 'v' }, matchOidcIdentity: [{ issuer: 'i', subject: 's' }] },
      insecure: false,
      useWorkloadIdentity: true,
      serviceAccountName: 'sa',
      tlsConfig: { caCertificate: CA },
    });
  });
});

describe('parseConfigurationFile rejects', () => {
  test.each([
    ['an unknown top-level field (flattened)', { colour: 'blue' }, 'colour'],
    ['an unknown top-level field (ARM)', { name: 'x', location: 'westeurope', properties: {} }, 'location'],
    ['an unknown property (ARM)', { properties: { colour: 'blue' } }, 'colour'],
    ['an unknown source field', { gitRepository: { url: URL_, branch: 'main' } }, 'gitRepository.branch'],
    ['an unknown ref field', { gitRepository: { repositoryRef: { digest: 'x' } } }, 'gitRepository.repositoryRef.digest'],
    ['an unknown bucket field', { bucket: { secretKey: 'x' } }, 'bucket.secretKey'],
    ['an unknown service principal field', { azureBlob: { servicePrincipal: { password: 'x' } } }, 'azureBlob.servicePrincipal.password'],
    ['an unknown kustomization field', { kustomizations: { apps: { path: '.', validation: 'client' } } }, 'kustomizations.apps.validation'],
    ['an unknown postBuild field', { kustomizations: { apps: { postBuild: { substitutions: {} } } } }, 'kustomizations.apps.postBuild.substitutions'],
    ['a kustomization name that does not match its key', { kustomizations: { apps: { name: 'infra' } } }, 'kustomizations.apps.name'],
    ['suspend as a string', { suspend: 'yes' }, 'suspend'],
    ['waitForReconciliation as a number', { waitForReconciliation: 1 }, 'waitForReconciliation'],
    ['an unknown scope', { scope: 'global' }, 'scope'],
    ['an unknown sourceKind', { sourceKind: 'Git' }, 'sourceKind'],
    ['a name that is not a string', { name: 42 }, 'name'],
    ['a source that is a string', { gitRepository: URL_ }, 'gitRepository'],
    ['a URL that is a number', { gitRepository: { url: 42 } }, 'gitRepository.url'],
    ['seconds as a string', { gitRepository: { timeoutInSeconds: '600' } }, 'gitRepository.timeoutInSeconds'],
    ['negative seconds', { bucket: { syncIntervalInSeconds: -1 } }, 'bucket.syncIntervalInSeconds'],
    ['fractional seconds', { kustomizations: { apps: { retryIntervalInSeconds: 1.5 } } }, 'kustomizations.apps.retryIntervalInSeconds'],
    ['a boolean as a string', { ociRepository: { insecure: 'false' } }, 'ociRepository.insecure'],
    ['prune as a string', { kustomizations: { apps: { prune: 'false' } } }, 'kustomizations.apps.prune'],
    ['dependsOn as a string', { kustomizations: { apps: { dependsOn: 'infra' } } }, 'kustomizations.apps.dependsOn'],
    ['dependsOn with a number', { kustomizations: { apps: { dependsOn: ['infra', 1] } } }, 'kustomizations.apps.dependsOn'],
    ['kustomizations as a list', { kustomizations: [{ name: 'apps' }] }, 'kustomizations'],
    ['a kustomization that is a string', { kustomizations: { apps: './apps' } }, 'kustomizations.apps'],
    ['a substitution that is a number', { kustomizations: { apps: { postBuild: { substitute: { REPLICAS: 3 } } } } }, 'kustomizations.apps.postBuild.substitute.REPLICAS'],
    ['substituteFrom that is not a list', { kustomizations: { apps: { postBuild: { substituteFrom: { kind: 'Secret' } } } } }, 'kustomizations.apps.postBuild.substituteFrom'],
    ['a matchOidcIdentity entry with an unknown field', { ociRepository: { verify: { matchOidcIdentity: [{ issuer: 'i', audience: 'a' }] } } }, 'ociRepository.verify.matchOidcIdentity[0].audience'],
    ['a protected setting that is a number', { configurationProtectedSettings: { httpsKey: 5 } }, 'configurationProtectedSettings.httpsKey'],
    ['protected settings as a list', { configurationProtectedSettings: ['httpsKey'] }, 'configurationProtectedSettings'],
    ['properties that are a list', { properties: [] }, 'properties'],
  ])('%s', (_why, doc, path) => {
    const err = expectUsageError(() => parseConfigurationFile(JSON.stringify(doc), 'c.json'));
    expect(err.flag).toBe(F);
    expect(err.message).toContain(F);
    expect(err.message).toContain(path);
  });

  test.each([
    ['invalid YAML', 'name: [unclosed\n'],
    ['a list', '- a\n- b\n'],
    ['a scalar', 'just text\n'],
  ])('%s', (_why, text) => {
    const err = expectUsageError(() => parseConfigurationFile(text, 'c.yaml'));
    expect(err.message).toContain(F);
    expect(err.message).toContain('c.yaml');
  });
});

describe('-f through buildFluxConfiguration', () => {
  const run = (flags: FluxConfigFlags, doc: unknown) => {
    const input = fakeInput({ files: { 'c.yaml': typeof doc === 'string' ? doc : toYaml(doc), pat: 'file-test-token-4\n' } });
    return buildFluxConfiguration({ file: 'c.yaml', ...flags }, input);
  };

  test('a file alone is a complete configuration', () => {
    const { config, warnings } = run({}, { ...SHOWN, gitRepository: { ...SHOWN.gitRepository, httpsUser: null }, configurationProtectedSettings: {} });
    expect(config.name).toBe('cluster-config');
    expect(config.sourceKind).toBe('GitRepository');
    expect(config.namespace).toBe('cluster-config');
    expect(config.gitRepository).toEqual({ url: URL_, timeoutInSeconds: 600, syncIntervalInSeconds: 300, repositoryRef: { branch: 'main' } });
    expect([...config.kustomizations.keys()]).toEqual(['infra', 'apps']);
    expect(warnings).toEqual([]);
  });

  test('protected settings printed without values produce a warning naming them', () => {
    const { warnings } = run({ httpsKey: '@pat' }, SHOWN);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('c.yaml');
    expect(warnings[0]).toContain('httpsKey');
  });

  test('flags override the file field by field', () => {
    const { config } = run(
      { name: 'other', namespace: 'team-b', suspend: true, url: 'https://example.com/repo', interval: '1m', tag: 'v2' },
      { ...ARM, properties: { ...ARM.properties, configurationProtectedSettings: {} } },
    );
    expect(config).toMatchObject({ name: 'other', namespace: 'team-b', scope: 'namespace', suspend: true, waitForReconciliation: true, reconciliationWaitDuration: 'PT10M' });
    expect(config.gitRepository).toEqual({ url: 'https://example.com/repo', repositoryRef: { tag: 'v2' }, httpsCACert: CA, syncIntervalInSeconds: 60 });
  });

  test("a ref flag replaces the file's ref rather than mixing with it", () => {
    const { config } = run({ branch: 'release' }, { ...ARM, properties: { ...ARM.properties, configurationProtectedSettings: {} } });
    expect(config.gitRepository?.repositoryRef).toEqual({ branch: 'release' });
  });

  test('-k replaces a kustomization of the same name and adds new ones, keeping the order', () => {
    const { config } = run(
      { httpsKey: '@pat', kustomization: [['name=infra', 'path=./infra-v2', 'prune=false'], ['name=monitoring', 'depends_on=infra']] },
      SHOWN,
    );
    expect([...config.kustomizations.keys()]).toEqual(['infra', 'apps', 'monitoring']);
    expect(config.kustomizations.get('infra')).toEqual({ path: './infra-v2', prune: false });
    expect(config.kustomizations.get('apps')).toMatchObject({ path: './apps/staging', dependsOn: ['infra'] });
    expect(config.kustomizations.get('monitoring')).toEqual({ dependsOn: ['infra'] });
  });

  test('--kind other than the file\'s source warns that the file\'s source is ignored', () => {
    const { config, warnings } = run(
      { kind: 'bucket', url: 'https://minio.example.com', bucketName: 'b', localAuthRef: 'auth' },
      { name: 'cfg', gitRepository: { url: URL_, repositoryRef: { branch: 'main' } }, kustomizations: { apps: {} } },
    );
    expect(config.sourceKind).toBe('Bucket');
    expect(config.gitRepository).toBeUndefined();
    expect(warnings.join('\n')).toContain('gitRepository');
  });

  test('the file kind decides which flags are foreign', () => {
    const err = expectUsageError(() => run({ branch: 'main' }, { name: 'cfg', sourceKind: 'OCIRepository', ociRepository: { url: 'oci://ghcr.io/o/r' } }));
    expect(err.flag).toBe('--branch');
    expect(err.message).toContain('--kind oci');
  });

  test('the file is read through the input reader and must exist', () => {
    const err = expectUsageError(() => buildFluxConfiguration({ file: 'missing.yaml' }, fakeInput()));
    expect(err.message).toContain(F);
    expect(err.message).toContain('missing.yaml');
  });

  test.each([
    ['ARM', (body: { properties: Record<string, unknown> }) => ({ name: 'rt', ...body })],
    ['flattened', (body: { properties: Record<string, unknown> }) => ({ name: 'rt', ...body.properties })],
  ])('a request body read back as a file (%s) gives the same configuration', (_shape, shape) => {
    const flags: FluxConfigFlags = {
      name: 'rt',
      url: URL_,
      branch: 'main',
      interval: '5m',
      httpsUser: 'git',
      httpsKey: '@pat',
      kustomization: [['name=infra', 'path=./infra', 'prune=true'], ['name=apps', 'depends_on=infra', 'substitute=A=b', 'substitute_from=Secret/s:optional']],
    };
    const input = fakeInput({ files: { pat: 'round-trip-token-3' } });
    const first = buildFluxConfiguration(flags, input).config;
    const doc = shape(fluxConfigurationPutBody(first));
    const second = buildFluxConfiguration({ file: 'c.json' }, fakeInput({ files: { 'c.json': JSON.stringify(doc) } })).config;
    expect(second).toEqual(first);
  });
});
