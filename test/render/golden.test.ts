/**
 * Golden renders: for each source kind, the exact YAML stream the dry run prints and the ARM
 * body it would send. Every Flux object is validated against the official CRD schema and every
 * body against the official swagger. UPDATE_GOLDEN=1 rewrites the golden files.
 */
import { describe, expect, test } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fluxConfigurationPutBody } from '../../src/model/arm.js';
import type { FluxConfigFlags } from '../../src/model/flags.js';
import { buildFluxConfiguration } from '../../src/model/flux-config.js';
import { resetStdinClaim, type InputReader } from '../../src/model/input.js';
import { renderClusterObjects } from '../../src/render/flux.js';
import { toYamlStream } from '../../src/render/kube.js';
import { REDACTED } from '../../src/core/redact.js';
import { maskSecrets } from '../../src/commands/dry-run.js';
import { validateArmRequest, validateKubeObject } from '../helpers/schema.js';

const here = dirname(fileURLToPath(import.meta.url));
const goldenDir = join(here, 'golden');
const fixtures = join(here, 'fixtures');
const sshFixtures = join(here, '..', 'fixtures', 'ssh');
const update = process.env.UPDATE_GOLDEN === '1';

const input: InputReader = {
  readFile: (path) => readFileSync(path, 'utf8'),
  readStdin: () => {
    throw new Error('no stdin in golden tests');
  },
  warn: () => undefined,
};

const k = (...tokens: string[]): string[] => tokens;

const CASES: Record<string, FluxConfigFlags> = {
  // Microsoft's tutorial: https://github.com/Azure/gitops-flux2-kustomize-helm-mt
  'git-tutorial': {
    name: 'cluster-config',
    namespace: 'cluster-config',
    scope: 'cluster',
    url: 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt',
    branch: 'main',
    kustomization: [k('name=infra', 'path=./infrastructure', 'prune=true'), k('name=apps', 'path=./apps/staging', 'prune=true', 'dependsOn=["infra"]')],
  },
  'git-ssh': {
    name: 'fleet-infra',
    namespace: 'flux-config',
    scope: 'namespace',
    url: 'git@github.com:example/fleet-infra.git',
    tag: 'v1.2.0',
    interval: '1m',
    timeout: '2h',
    sshPrivateKeyFile: join(sshFixtures, 'id_ed25519'),
    knownHostsFile: join(sshFixtures, 'known_hosts'),
    kustomization: [
      k('name=crds', 'path=./crds', 'wait=true', 'timeout=3m'),
      k('name=infra', 'path=./infrastructure', 'depends_on=crds', 'retry_interval=30s', 'force=true'),
      k('name=apps', 'path=./apps', 'depends_on=[crds,infra]', 'disable_health_check=true', 'substitute=cluster_env=prod', 'substitute=region=westeurope', 'substitute_from=ConfigMap/cluster-vars', 'substitute_from=Secret/cluster-secrets:optional'),
    ],
  },
  'git-https-suspended': {
    name: 'private-repo',
    url: 'https://dev.azure.com/org/project/_git/repo',
    branch: 'main',
    commit: '0123456789abcdef0123456789abcdef01234567',
    httpsUser: 'git',
    httpsKey: 'golden-https-token-value',
    httpsCaCertFile: join(fixtures, 'ca.crt'),
    suspend: true,
    kustomization: [k('name=app', 'path=./deploy', 'sync_interval=5m', 'prune=false')],
  },
  bucket: {
    name: 'minio-config',
    kind: 'bucket',
    namespace: 'minio-config',
    url: 'http://minio.minio.svc.cluster.local:9000',
    bucketName: 'flux-manifests',
    bucketAccessKey: 'minio-access',
    bucketSecretKey: 'golden-bucket-secret-value',
    kustomization: [k('name=base', 'path=./base', 'prune=true'), k('name=overlay', 'path=./overlays/dev', 'depends_on=base')],
  },
  azblob: {
    name: 'blob-config',
    kind: 'azblob',
    url: 'https://fluxstorage.blob.core.windows.net',
    containerName: 'manifests',
    spClientId: '11111111-1111-1111-1111-111111111111',
    spTenantId: '22222222-2222-2222-2222-222222222222',
    spClientSecret: 'golden-sp-secret-value',
    kustomization: [k('name=infra', 'path=./infrastructure'), k('name=apps', 'path=./apps', 'depends_on=infra', 'prune=true')],
  },
  oci: {
    name: 'podinfo',
    kind: 'oci',
    namespace: 'podinfo',
    url: 'oci://ghcr.io/stefanprodan/manifests/podinfo',
    semver: '>=6.0.0',
    ociMediaType: 'application/vnd.cncf.flux.content.v1.tar+gzip',
    ociOperation: 'extract',
    tlsClientCertificate: `@${join(fixtures, 'client.crt')}`,
    tlsPrivateKey: `@${join(fixtures, 'client.key')}`,
    tlsCaCertificate: `@${join(fixtures, 'ca.crt')}`,
    verificationProvider: 'cosign',
    matchOidcIdentity: [['issuer=^https://token.actions.githubusercontent.com$,subject=^https://github.com/stefanprodan/podinfo.*$']],
    kustomization: [k('name=app', 'path=./', 'prune=true', 'substitute=replicas=2'), k('name=tests', 'path=./tests', 'depends_on=app', 'wait=false')],
  },
};

function golden(name: string, actual: string): void {
  const file = join(goldenDir, name);
  if (update || !existsSync(file)) {
    if (!update) throw new Error(`golden file ${name} is missing; run: npm run test:update-golden`);
    mkdirSync(goldenDir, { recursive: true });
    writeFileSync(file, actual);
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

describe.each(Object.entries(CASES))('%s', (name, flags) => {
  const build = () => {
    resetStdinClaim();
    return buildFluxConfiguration(flags, input).config;
  };

  test('cluster objects match the golden YAML stream', () => {
    golden(`${name}.yaml`, toYamlStream(renderClusterObjects(build())));
  });

  test('every Flux object and Secret validates against its official schema', () => {
    for (const { object } of renderClusterObjects(build())) {
      if (object.kind === 'FluxConfig') continue; // no published CRD (see src/render/flux.ts)
      expect({ kind: object.kind, name: object.metadata.name, problems: validateKubeObject(object) }).toEqual({ kind: object.kind, name: object.metadata.name, problems: [] });
    }
  });

  test('no secret value is rendered', () => {
    const text = toYamlStream(renderClusterObjects(build()));
    for (const secret of ['golden-https-token-value', 'golden-bucket-secret-value', 'golden-sp-secret-value', 'PRIVATE KEY']) {
      expect(text).not.toContain(secret);
    }
    for (const { object } of renderClusterObjects(build())) {
      if (object.kind === 'Secret') {
        expect(Object.values(object.stringData as Record<string, string>).every((v) => v === REDACTED)).toBe(true);
      }
    }
  });

  test('the ARM body matches the golden JSON and the 2025-04-01 swagger', () => {
    const body = fluxConfigurationPutBody(build());
    expect(validateArmRequest('2025-04-01', 'FluxConfiguration', body)).toEqual([]);
    // The golden file holds what --dry-run=arm prints: secret values masked.
    const printed = maskSecrets(body);
    expect(validateArmRequest('2025-04-01', 'FluxConfiguration', printed)).toEqual([]);
    const text = `${JSON.stringify(printed, null, 2)}\n`;
    for (const secret of ['golden-https-token-value', 'golden-bucket-secret-value', 'golden-sp-secret-value']) expect(text).not.toContain(secret);
    golden(`${name}.arm.json`, text);
  });

  test('rendering is deterministic', () => {
    expect(toYamlStream(renderClusterObjects(build()))).toBe(toYamlStream(renderClusterObjects(build())));
  });
});

describe('rendering rules', () => {
  const objects = (name: string) => renderClusterObjects(buildFluxConfiguration(CASES[name]!, input).config).map((r) => r.object);

  test('names follow Azure: source = configuration, Kustomization = <config>-<kustomization>, one namespace', () => {
    const objs = objects('git-tutorial');
    expect(objs.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'FluxConfig/cluster-config/cluster-config',
      'GitRepository/cluster-config/cluster-config',
      'Kustomization/cluster-config/cluster-config-infra',
      'Kustomization/cluster-config/cluster-config-apps',
    ]);
    const apps = objs[3]!.spec as Record<string, unknown>;
    expect(apps.dependsOn).toEqual([{ name: 'cluster-config-infra' }]);
    expect(apps.sourceRef).toEqual({ kind: 'GitRepository', name: 'cluster-config', namespace: 'cluster-config' });
  });

  test("Azure's defaults: 10m0s intervals and timeouts, wait true, prune false", () => {
    const ks = objects('azblob').find((o) => o.metadata.name === 'blob-config-infra')!.spec as Record<string, unknown>;
    expect(ks).toMatchObject({ interval: '10m0s', timeout: '10m0s', wait: true, prune: false });
    expect(ks.force).toBeUndefined();
  });

  test('a source timeout of an hour or more is written in minutes (the source CRD has no h unit)', () => {
    const git = objects('git-ssh').find((o) => o.kind === 'GitRepository')!.spec as Record<string, unknown>;
    expect(git.timeout).toBe('120m0s');
    expect(git.interval).toBe('1m0s');
  });

  test('scp-style git URLs become ssh:// URLs that Flux accepts', () => {
    const git = objects('git-ssh').find((o) => o.kind === 'GitRepository')!.spec as Record<string, unknown>;
    expect(git.url).toBe('ssh://git@github.com/example/fleet-infra.git');
  });

  test('suspend is written on every Flux object', () => {
    for (const o of objects('git-https-suspended')) {
      if (o.kind === 'GitRepository' || o.kind === 'Kustomization') expect((o.spec as Record<string, unknown>).suspend).toBe(true);
    }
  });

  test('Azure Blob renders as a Bucket with provider azure; S3 buckets use provider generic without scheme', () => {
    const blob = objects('azblob').find((o) => o.kind === 'Bucket')!.spec as Record<string, unknown>;
    expect(blob).toMatchObject({ provider: 'azure', endpoint: 'https://fluxstorage.blob.core.windows.net', bucketName: 'manifests' });
    const s3 = objects('bucket').find((o) => o.kind === 'Bucket')!.spec as Record<string, unknown>;
    expect(s3).toMatchObject({ provider: 'generic', endpoint: 'minio.minio.svc.cluster.local:9000', insecure: true });
  });
});
