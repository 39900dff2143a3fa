import { describe, test, expect, beforeEach } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { FLUX_API_VERSION, fluxConfigurationPutBody, kustomizationsBody, prune } from '../../src/model/arm.js';
import type { FluxConfigFlags } from '../../src/model/flags.js';
import { buildFluxConfiguration } from '../../src/model/flux-config.js';
import { resetStdinClaim } from '../../src/model/input.js';
import type { FluxConfiguration } from '../../src/model/types.js';
import { fakeInput } from '../helpers/input.js';
import { validateArmRequest } from '../helpers/schema.js';

const FIXTURES = new URL('../fixtures/', import.meta.url);
const fixture = (path: string): string => readFileSync(new URL(path, FIXTURES), 'utf8');
const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

const FILES = {
  '/id_ed25519': fixture('ssh/id_ed25519'),
  '/known_hosts': fixture('ssh/known_hosts'),
  '/ca.crt': fixture('certs/ca.crt'),
  '/client.crt': fixture('certs/client.crt'),
  '/client.key': fixture('certs/client.key'),
  '/secret': 'arm-test-secret-1\n',
  '/cosign.pub': generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString(),
};

const K: string[][] = [
  ['name=infra', 'path=./infrastructure', 'prune=true', 'interval=10m', 'retry_interval=1m', 'timeout=5m', 'force=false'],
  ['name=apps', 'path=./apps/staging', 'depends_on=[infra]', 'wait=false', 'substitute=CLUSTER=staging', 'substitute_from=ConfigMap/cluster-vars', 'substitute_from=Secret/cluster-secrets:optional'],
];

/** Representative configurations: every kind, most of their options. */
const CONFIGS: [string, FluxConfigFlags][] = [
  ['git over https with a user, key and CA', { name: 'git-https', url: 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt', branch: 'main', httpsUser: 'git', httpsKey: '@/secret', httpsCaCertFile: '/ca.crt', interval: '5m', timeout: '2m', kustomization: K }],
  ['git over ssh with a key and known hosts', { name: 'git-ssh', url: 'ssh://git@github.com/org/repo', tag: 'v1.0.0', sshPrivateKeyFile: '/id_ed25519', knownHostsFile: '/known_hosts', scope: 'namespace', namespace: 'team-a', suspend: true }],
  ['git with a commit and a branch', { name: 'git-commit', url: 'git@github.com:org/repo.git', branch: 'main', commit: '0123456789abcdef0123456789abcdef01234567', localAuthRef: 'git-auth', kustomization: K }],
  ['git with workload identity', { name: 'git-azure', url: 'https://dev.azure.com/org/project/_git/repo', semver: '>=1.0.0', provider: 'azure', waitForReconciliation: true, reconciliationWaitDuration: '30m', kustomization: K }],
  ['bucket with keys', { name: 'bucket', kind: 'bucket', url: 'http://minio.local:9000', bucketName: 'manifests', bucketAccessKey: 'AKIA', bucketSecretKey: '@/secret', kustomization: K }],
  ['bucket with a local auth ref', { name: 'bucket-ref', kind: 'bucket', url: 'https://minio.example.com', bucketName: 'manifests', localAuthRef: 'bucket-auth', bucketInsecure: 'false' }],
  ['azblob without credentials', { name: 'blob', kind: 'azblob', url: 'https://account.blob.core.windows.net', containerName: 'manifests' }],
  ['azblob with a service principal certificate', { name: 'blob-sp', kind: 'azblob', url: 'https://account.blob.core.windows.net', containerName: 'manifests', spClientId: 'c', spTenantId: 't', spClientCert: '@/client.crt', spCertPassword: '@/secret', spCertSendChain: true, kustomization: K }],
  ['azblob with a service principal secret', { name: 'blob-sps', kind: 'azblob', url: 'https://account.blob.core.windows.net', containerName: 'manifests', spClientId: 'c', spTenantId: 't', spClientSecret: '@/secret' }],
  ['azblob with an account key', { name: 'blob-key', kind: 'azblob', url: 'https://account.blob.core.windows.net', containerName: 'manifests', accountKey: '@/secret' }],
  ['azblob with a SAS token', { name: 'blob-sas', kind: 'azblob', url: 'https://account.blob.core.windows.net', containerName: 'manifests', sasToken: '@/secret' }],
  ['azblob with a managed identity', { name: 'blob-mi', kind: 'azblob', url: 'https://account.blob.core.windows.net', containerName: 'manifests', miClientId: '00000000-0000-0000-0000-000000000001' }],
  ['oci with a tag and a layer selector', { name: 'oci', kind: 'oci', url: 'oci://ghcr.io/stefanprodan/manifests/podinfo', tag: 'latest', ociMediaType: 'application/vnd.cncf.flux.content.v1.tar+gzip', ociOperation: 'extract', kustomization: K }],
  ['oci with a digest and TLS', { name: 'oci-tls', kind: 'oci', url: 'oci://registry.example.com/manifests', digest: `sha256:${'0f'.repeat(32)}`, tlsCaCertificate: '@/ca.crt', tlsClientCertificate: '@/client.crt', tlsPrivateKey: '@/client.key', ociInsecure: false }],
  [
    'oci with a semver, workload identity and verification',
    {
      name: 'oci-verify',
      kind: 'oci',
      url: 'oci://ghcr.io/org/manifests',
      semver: '1.x',
      useWorkloadIdentity: true,
      serviceAccountName: 'flux-oci',
      verificationProvider: 'cosign',
      verificationConfig: [['cosign.pub=@/cosign.pub']],
      matchOidcIdentity: [['issuer=^https://token.actions.githubusercontent.com$,subject=^https://github.com/org/.*$']],
      kustomization: K,
    },
  ],
];

const configOf = (flags: FluxConfigFlags): FluxConfiguration => buildFluxConfiguration(flags, fakeInput({ files: FILES })).config;

/** Paths of members whose value is undefined, anywhere in the value. */
function undefinedMembers(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => (v === undefined ? [`${path}[${i}]`] : undefinedMembers(v, `${path}[${i}]`)));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => (v === undefined ? [`${path}.${k}`] : undefinedMembers(v, `${path}.${k}`)));
  }
  return [];
}

beforeEach(() => {
  resetStdinClaim();
});

test('the API version is the one the schema copies are for', () => {
  expect(FLUX_API_VERSION).toBe('2025-04-01');
});

describe('fluxConfigurationPutBody', () => {
  test.each(CONFIGS)('%s: the body is valid against the 2025-04-01 swagger', (_why, flags) => {
    const body = fluxConfigurationPutBody(configOf(flags));
    expect(validateArmRequest('2025-04-01', 'FluxConfiguration', body)).toEqual([]);
  });

  test.each(CONFIGS)('%s: the body has no undefined members', (_why, flags) => {
    expect(undefinedMembers(fluxConfigurationPutBody(configOf(flags)))).toEqual([]);
  });

  test.each(CONFIGS)('%s: only the source block of the kind is sent', (_why, flags) => {
    const config = configOf(flags);
    const props = fluxConfigurationPutBody(config).properties;
    const blocks = ['gitRepository', 'bucket', 'azureBlob', 'ociRepository'].filter((k) => k in props);
    expect(blocks).toHaveLength(1);
    expect(props.sourceKind).toBe(config.sourceKind);
  });

  test('the body carries the configuration as given', () => {
    const config = configOf(CONFIGS[0]![1]);
    expect(fluxConfigurationPutBody(config)).toEqual({
      properties: {
        scope: 'cluster',
        namespace: 'default',
        sourceKind: 'GitRepository',
        suspend: false,
        gitRepository: {
          url: 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt',
          syncIntervalInSeconds: 300,
          timeoutInSeconds: 120,
          repositoryRef: { branch: 'main' },
          httpsCACert: b64(FILES['/ca.crt']),
          httpsUser: 'git',
        },
        kustomizations: {
          infra: { path: './infrastructure', prune: true, syncIntervalInSeconds: 600, retryIntervalInSeconds: 60, timeoutInSeconds: 300, force: false },
          apps: {
            path: './apps/staging',
            dependsOn: ['infra'],
            wait: false,
            postBuild: {
              substitute: { CLUSTER: 'staging' },
              substituteFrom: [
                { kind: 'ConfigMap', name: 'cluster-vars' },
                { kind: 'Secret', name: 'cluster-secrets', optional: true },
              ],
            },
          },
        },
        configurationProtectedSettings: { httpsKey: b64('arm-test-secret-1') },
      },
    });
  });

  test('the wait settings are sent when given', () => {
    const props = fluxConfigurationPutBody(configOf(CONFIGS[3]![1])).properties;
    expect(props.waitForReconciliation).toBe(true);
    expect(props.reconciliationWaitDuration).toBe('PT30M');
  });

  test('no configurationProtectedSettings member without protected settings', () => {
    const props = fluxConfigurationPutBody(configOf(CONFIGS[6]![1])).properties;
    expect('configurationProtectedSettings' in props).toBe(false);
  });

  test('the default kustomization is sent as an empty object', () => {
    const props = fluxConfigurationPutBody(configOf(CONFIGS[6]![1])).properties;
    expect(props.kustomizations).toEqual({ 'kustomization-1': {} });
  });

  test('kustomizations keep their order', () => {
    const names = ['zeta', 'alpha', 'mid', 'beta-1', 'a.b'];
    const config = configOf({ name: 'order', url: 'https://example.com/r', branch: 'main', kustomization: names.map((n) => [`name=${n}`]) });
    const body = fluxConfigurationPutBody(config);
    expect(Object.keys(body.properties.kustomizations as object)).toEqual(names);
    expect(Object.keys(JSON.parse(JSON.stringify(body)).properties.kustomizations)).toEqual(names);
  });

  test('the body does not share objects with the configuration', () => {
    const config = configOf(CONFIGS[0]![1]);
    const body = fluxConfigurationPutBody(config);
    (body.properties.configurationProtectedSettings as Record<string, string>).extra = 'x';
    expect(config.configurationProtectedSettings.extra).toBeUndefined();
  });
});

describe('prune and kustomizationsBody', () => {
  test('prune drops undefined members at every depth and keeps the rest in order', () => {
    const pruned = prune({ b: 1, a: undefined, c: { y: undefined, x: null, z: [{ p: undefined, q: false }] }, d: '' });
    expect(pruned).toEqual({ b: 1, c: { x: null, z: [{ q: false }] }, d: '' });
    expect(Object.keys(pruned)).toEqual(['b', 'c', 'd']);
    expect(undefinedMembers(pruned)).toEqual([]);
  });

  test('kustomizationsBody drops undefined fields of each kustomization', () => {
    const map = new Map([
      ['b', { path: './b', prune: undefined }],
      ['a', { dependsOn: ['b'], wait: undefined }],
    ]);
    const body = kustomizationsBody(map);
    expect(body).toEqual({ b: { path: './b' }, a: { dependsOn: ['b'] } });
    expect(Object.keys(body)).toEqual(['b', 'a']);
    expect(undefinedMembers(body)).toEqual([]);
  });
});
