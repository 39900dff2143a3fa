import { describe, test, expect, beforeEach } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { REDACTED, redactor } from '../../src/core/redact.js';
import { fluxConfigurationPutBody } from '../../src/model/arm.js';
import type { FluxConfigFlags } from '../../src/model/flags.js';
import { buildFluxConfiguration, toIsoDuration, type BuildResult } from '../../src/model/flux-config.js';
import { resetStdinClaim } from '../../src/model/input.js';
import { expectUsageError, fakeInput, type FakeInput } from '../helpers/input.js';

const FIXTURES = new URL('../fixtures/', import.meta.url);
const fixture = (path: string): string => readFileSync(new URL(path, FIXTURES), 'utf8');
const ssh = (name: string): string => fixture(`ssh/${name}`);
const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const wrap = (text: string): string => text.replace(/(.{76})/g, '$1\n');

const CA_CERT = fixture('certs/ca.crt');
const CLIENT_CERT = fixture('certs/client.crt');
const CLIENT_KEY = fixture('certs/client.key');
const KNOWN_HOSTS = ssh('known_hosts');

const HTTPS_URL = 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt';
const SSH_URL = 'ssh://git@github.com/Azure/gitops-flux2-kustomize-helm-mt';
const SCP_URL = 'git@github.com:Azure/gitops-flux2-kustomize-helm-mt.git';
const BUCKET_URL = 'https://minio.example.com';
const BLOB_URL = 'https://account.blob.core.windows.net';
const OCI_URL = 'oci://ghcr.io/stefanprodan/manifests/podinfo';
const SHA = '0123456789abcdef0123456789abcdef01234567';
const DIGEST = `sha256:${'ab'.repeat(32)}`;

/** Minimal valid flags per kind; tests add to them. */
const GIT: FluxConfigFlags = { name: 'cfg', url: HTTPS_URL, branch: 'main', kustomization: [['name=apps']] };
const BUCKET: FluxConfigFlags = { name: 'cfg', kind: 'bucket', url: BUCKET_URL, bucketName: 'manifests', localAuthRef: 'bucket-auth', kustomization: [['name=apps']] };
const AZBLOB: FluxConfigFlags = { name: 'cfg', kind: 'azblob', url: BLOB_URL, containerName: 'manifests', kustomization: [['name=apps']] };
const OCI: FluxConfigFlags = { name: 'cfg', kind: 'oci', url: OCI_URL, kustomization: [['name=apps']] };

const build = (flags: FluxConfigFlags, input: FakeInput = fakeInput()): BuildResult => buildFluxConfiguration(flags, input);

/** A fresh key no other test has registered with the redactor. */
const freshSshKey = (): string => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
let secrets = 0;
const freshSecret = (label: string): string => `${label}-${(secrets += 1)}-only-in-this-test`;

beforeEach(() => {
  resetStdinClaim();
});

describe('configuration-wide fields', () => {
  test('defaults: cluster scope, namespace default, not suspended', () => {
    const { config } = build(GIT);
    expect(config).toMatchObject({ name: 'cfg', scope: 'cluster', namespace: 'default', sourceKind: 'GitRepository', suspend: false });
  });

  test('scope, namespace and suspend are taken from the flags', () => {
    const { config } = build({ ...GIT, scope: 'namespace', namespace: 'team-a', suspend: 'true' });
    expect(config).toMatchObject({ scope: 'namespace', namespace: 'team-a', suspend: true });
    expect(build({ ...GIT, suspend: true }).config.suspend).toBe(true);
    expect(build({ ...GIT, suspend: 'false' }).config.suspend).toBe(false);
  });

  test('interval and timeout land on the source in seconds', () => {
    const { config } = build({ ...GIT, interval: '1h2m3s', timeout: '90s' });
    expect(config.gitRepository).toMatchObject({ syncIntervalInSeconds: 3723, timeoutInSeconds: 90 });
  });

  test('without -k one kustomization named kustomization-1 is made, with a warning', () => {
    const { config, warnings } = build({ ...GIT, kustomization: undefined });
    expect([...config.kustomizations.entries()]).toEqual([['kustomization-1', {}]]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('kustomization-1');
  });

  test('a file that says kustomizations: {} is a source only: no implicit kustomization', () => {
    const text = `name: cfg\nproperties:\n  gitRepository:\n    url: ${HTTPS_URL}\n    repositoryRef: {branch: main}\n  kustomizations: {}\n`;
    const { config, warnings } = build({ file: 'source.yaml' }, fakeInput({ files: { 'source.yaml': text } }));
    expect(config.kustomizations.size).toBe(0);
    expect(warnings).toEqual([]);
    expect(fluxConfigurationPutBody(config).properties.kustomizations).toEqual({});
    // The flattened shape says so the same way; -k still adds to it.
    const flat = build({ file: 'flat.yaml', kustomization: [['name=apps']] }, fakeInput({ files: { 'flat.yaml': `name: cfg\ngitRepository:\n  url: ${HTTPS_URL}\n  repositoryRef: {branch: main}\nkustomizations: {}\n` } }));
    expect([...flat.config.kustomizations.keys()]).toEqual(['apps']);
  });

  test('a file that names no kustomizations at all gets kustomization-1, as flags that name none', () => {
    const text = `name: cfg\nproperties:\n  gitRepository:\n    url: ${HTTPS_URL}\n    repositoryRef: {branch: main}\n`;
    const { config, warnings } = build({ file: 'no-key.yaml' }, fakeInput({ files: { 'no-key.yaml': text } }));
    expect([...config.kustomizations.keys()]).toEqual(['kustomization-1']);
    expect(warnings.join()).toContain('kustomization-1');
  });

  test('with -k there is no default kustomization and no warning', () => {
    const { config, warnings } = build({ ...GIT, kustomization: [['name=infra', 'path=./infra', 'prune=false'], ['name=apps', 'depends_on=infra', 'prune=true']] });
    expect([...config.kustomizations.keys()]).toEqual(['infra', 'apps']);
    expect(config.kustomizations.get('infra')).toEqual({ path: './infra', prune: false });
    expect(config.kustomizations.get('apps')).toEqual({ dependsOn: ['infra'], prune: true });
    expect(warnings).toEqual([]);
  });

  test.each([
    ['30m', 'PT30M'],
    ['1h30m', 'PT1H30M'],
    ['90s', 'PT1M30S'],
    ['1h0m5s', 'PT1H5S'],
  ])('--reconciliation-wait-duration %s → %s', (text, iso) => {
    const { config } = build({ ...GIT, waitForReconciliation: true, reconciliationWaitDuration: text });
    expect(config.waitForReconciliation).toBe(true);
    expect(config.reconciliationWaitDuration).toBe(iso);
  });

  test.each([
    [3_723_000, 'PT1H2M3S'],
    [3_600_000, 'PT1H'],
    [60_000, 'PT1M'],
    [1_000, 'PT1S'],
  ])('toIsoDuration(%i) → %s', (ms, iso) => {
    expect(toIsoDuration(ms)).toBe(iso);
  });

  test.each([
    ['no name', { ...GIT, name: undefined }, '-n/--name', undefined],
    ['an invalid name', { ...GIT, name: 'My_Config' }, '-n/--name', 'My_Config'],
    ['a name of 64 characters', { ...GIT, name: 'c'.repeat(64) }, '-n/--name', 'c'.repeat(64)],
    ['an invalid namespace', { ...GIT, namespace: 'Team.A' }, '--namespace', 'Team.A'],
    ['an unknown scope', { ...GIT, scope: 'global' }, '--scope', 'global'],
    ['an unknown kind', { ...GIT, kind: 'svn' }, '--kind', 'svn'],
    ['a non-boolean suspend', { ...GIT, suspend: 'maybe' }, '--suspend', 'maybe'],
    ['a bad interval', { ...GIT, interval: '10' }, '--interval', '10'],
    ['a timeout with trailing garbage', { ...GIT, timeout: '5m30' }, '--timeout', '5m30'],
    ['a sub-second interval', { ...GIT, interval: '500ms' }, '--interval', '500ms'],
    ['a zero timeout', { ...GIT, timeout: '0s' }, '--timeout', '0s'],
    ['a wait duration without waiting', { ...GIT, reconciliationWaitDuration: '30m' }, '--reconciliation-wait-duration', undefined],
    ['a wait duration with waiting off', { ...GIT, waitForReconciliation: 'false', reconciliationWaitDuration: '30m' }, '--reconciliation-wait-duration', undefined],
    ['a bad wait duration', { ...GIT, waitForReconciliation: true, reconciliationWaitDuration: 'PT30M' }, '--reconciliation-wait-duration', 'PT30M'],
    ['a bad -k', { ...GIT, kustomization: [['name=apps', 'prune=maybe']] }, '-k/--kustomization', 'maybe'],
    ['a -k without name', { ...GIT, kustomization: [['name=a'], ['path=./b']] }, '-k/--kustomization', 'path=./b'],
    ['a -k dependency that does not exist', { ...GIT, kustomization: [['name=apps', 'depends_on=infra']] }, '-k/--kustomization', 'infra'],
    ['a -k cycle', { ...GIT, kustomization: [['name=a', 'depends_on=b'], ['name=b', 'depends_on=a']] }, '-k/--kustomization', 'cycle'],
    ['a -k name too long with the config name', { ...GIT, name: 'c'.repeat(40), kustomization: [[`name=${'k'.repeat(23)}`]] }, '-k/--kustomization', `${'c'.repeat(40)}-${'k'.repeat(23)}`],
  ])('%s is rejected', (_why, flags, flag, value) => {
    const err = expectUsageError(() => build(flags));
    expect(err.message).toContain(flag);
    if (value !== undefined) expect(err.message).toContain(value);
  });

  test('<config>-<kustomization> of exactly 63 characters is accepted', () => {
    const { config } = build({ ...GIT, name: 'c'.repeat(40), kustomization: [[`name=${'k'.repeat(22)}`]] });
    expect([...config.kustomizations.keys()]).toEqual(['k'.repeat(22)]);
  });

  test('the default kustomization counts against the 63 characters too', () => {
    // 'kustomization-1' has 15 characters: 47 + 1 + 15 = 63 fits, 48 does not.
    expect(() => build({ ...GIT, name: 'c'.repeat(47), kustomization: undefined })).not.toThrow();
    const err = expectUsageError(() => build({ ...GIT, name: 'c'.repeat(48), kustomization: undefined }));
    expect(err.message).toContain('kustomization-1');
  });
});

describe('git', () => {
  test.each([
    ['--branch', { branch: 'main' }, { branch: 'main' }],
    ['--tag', { branch: undefined, tag: 'v1.2.3' }, { tag: 'v1.2.3' }],
    ['--semver', { branch: undefined, semver: '>=1.0.0 <2.0.0' }, { semver: '>=1.0.0 <2.0.0' }],
    ['--commit', { branch: undefined, commit: SHA }, { commit: SHA }],
    ['--commit with --branch', { branch: 'main', commit: SHA }, { branch: 'main', commit: SHA }],
    ['a short commit', { branch: undefined, commit: 'abc1234' }, { commit: 'abc1234' }],
  ])('%s', (_why, flags, ref) => {
    const { config } = build({ ...GIT, ...flags });
    expect(config.sourceKind).toBe('GitRepository');
    expect(config.gitRepository).toEqual({ url: HTTPS_URL, repositoryRef: ref });
    expect(config.configurationProtectedSettings).toEqual({});
  });

  test.each([[HTTPS_URL], ['http://git.example.com/repo'], [SSH_URL], [SCP_URL], ['ssh://git@example.com:2222/org/repo.git']])('URL %s is accepted', (url) => {
    expect(build({ ...GIT, url }).config.gitRepository?.url).toBe(url);
  });

  test.each([
    ['git://github.com/org/repo'],
    ['file:///srv/repo'],
    ['github.com/org/repo'],
    ['oci://ghcr.io/org/repo'],
    ['s3://bucket/path'],
  ])('URL %s is rejected', (url) => {
    const err = expectUsageError(() => build({ ...GIT, url }));
    expect(err.flag).toBe('-u/--url');
    expect(err.message).toContain(url);
  });

  test('the URL is required', () => {
    const err = expectUsageError(() => build({ ...GIT, url: undefined }));
    expect(err.message).toContain('-u/--url');
  });

  test('a repository reference is required', () => {
    const err = expectUsageError(() => build({ ...GIT, branch: undefined }));
    expect(err.message).toContain('--branch');
    expect(err.remedy).toContain('--tag');
  });

  test.each([
    [{ branch: 'main', tag: 'v1' }, '--tag', '--branch'],
    [{ branch: undefined, tag: 'v1', semver: '1.x' }, '--semver', '--tag'],
    [{ branch: undefined, tag: 'v1', commit: SHA }, '--tag'],
    [{ branch: 'main', semver: '1.x' }, '--semver'],
  ])('%j: refs that cannot be combined are rejected', (flags, named, other = undefined) => {
    const err = expectUsageError(() => build({ ...GIT, ...flags }));
    expect(err.message).toContain(named);
    if (other) expect(err.message).toContain(other);
  });

  test.each([['xyz1234'], ['abc123'], [`${SHA}0`.repeat(2)]])('commit %s is not a SHA', (commit) => {
    const err = expectUsageError(() => build({ ...GIT, branch: undefined, commit }));
    expect(err.message).toContain('--commit');
    expect(err.message).toContain(commit);
  });

  test('an empty branch is rejected', () => {
    const err = expectUsageError(() => build({ ...GIT, branch: ' ' }));
    expect(err.message).toContain('--branch');
  });

  describe('HTTPS credentials', () => {
    test('a literal --https-key is sent base64-encoded as a protected setting, with a warning', () => {
      const input = fakeInput();
      const { config } = build({ ...GIT, httpsUser: 'git', httpsKey: 'literal-pat-1234' }, input);
      expect(config.gitRepository?.httpsUser).toBe('git');
      expect(config.configurationProtectedSettings).toEqual({ httpsKey: b64('literal-pat-1234') });
      expect(input.warnings).toHaveLength(1);
      expect(input.warnings[0]).toContain('--https-key');
    });

    test.each([
      ['@/run/pat', { files: { '/run/pat': 'file-pat-5678\n' } }, 'file-pat-5678'],
      ['-', { stdin: 'stdin-pat-9012\n' }, 'stdin-pat-9012'],
    ])('--https-key %s is read without a warning and without its trailing newline', (raw, options, secret) => {
      const input = fakeInput(options);
      const { config } = build({ ...GIT, httpsUser: 'git', httpsKey: raw }, input);
      expect(config.configurationProtectedSettings.httpsKey).toBe(b64(secret));
      expect(input.warnings).toEqual([]);
    });

    test.each([
      ['--https-user without --https-key', { httpsUser: 'git' }, '--https-key', '--https-user'],
      ['--https-key without --https-user', { httpsKey: '@/pat' }, '--https-user', '--https-key'],
    ])('%s is rejected', (_why, flags, named, other) => {
      const err = expectUsageError(() => build({ ...GIT, ...flags }, fakeInput({ files: { '/pat': 'pat-value-1' } })));
      expect(err.flag).toBe(named);
      expect(err.message).toContain(other);
    });
  });

  describe('SSH private keys', () => {
    const KEYS = ['id_ed25519', 'id_rsa', 'id_rsa_pem', 'id_rsa_pkcs8', 'id_ecdsa_256', 'id_ecdsa_256_pem', 'id_ecdsa_384_pkcs8', 'id_ed25519_pkcs8', 'id_dsa', 'id_dsa_pem'];

    test.each(KEYS)('%s as the file content (with a warning)', (name) => {
      const key = ssh(name);
      const input = fakeInput();
      const { config } = build({ ...GIT, url: SSH_URL, sshPrivateKey: key }, input);
      expect(config.configurationProtectedSettings).toEqual({ sshPrivateKey: b64(key) });
      expect(input.warnings.join('\n')).toContain('--ssh-private-key');
    });

    test.each(KEYS)('%s as base64, plain and wrapped', (name) => {
      const key = ssh(name);
      for (const value of [b64(key), wrap(b64(key))]) {
        const { config } = build({ ...GIT, url: SCP_URL, sshPrivateKey: value });
        expect(config.configurationProtectedSettings.sshPrivateKey).toBe(b64(key));
      }
    });

    test.each(KEYS)('%s through --ssh-private-key-file and @FILE, without a warning', (name) => {
      const key = ssh(name);
      for (const flags of [{ sshPrivateKeyFile: `/keys/${name}` }, { sshPrivateKey: `@/keys/${name}` }]) {
        const input = fakeInput({ files: { [`/keys/${name}`]: key } });
        const { config } = build({ ...GIT, url: SSH_URL, ...flags }, input);
        expect(config.configurationProtectedSettings.sshPrivateKey).toBe(b64(key));
        expect(input.warnings).toEqual([]);
      }
    });

    test('a key from standard input', () => {
      const key = ssh('id_ecdsa_256');
      const { config } = build({ ...GIT, url: SSH_URL, sshPrivateKey: '-' }, fakeInput({ stdin: key }));
      expect(config.configurationProtectedSettings.sshPrivateKey).toBe(b64(key));
    });

    test('a key without a final newline gets one (Flux needs it)', () => {
      const key = ssh('id_ed25519').trimEnd();
      const { config } = build({ ...GIT, url: SSH_URL, sshPrivateKeyFile: '/k' }, fakeInput({ files: { '/k': key } }));
      expect(config.configurationProtectedSettings.sshPrivateKey).toBe(b64(`${key}\n`));
    });

    test.each([
      ['id_ed25519_encrypted', { sshPrivateKey: '@/k' }, '--ssh-private-key'],
      ['id_rsa_pem_encrypted', { sshPrivateKeyFile: '/k' }, '--ssh-private-key-file'],
      ['id_ed25519_pkcs8_encrypted', { sshPrivateKey: '@/k' }, '--ssh-private-key'],
      ['id_ed25519.pub', { sshPrivateKeyFile: '/k' }, '--ssh-private-key-file'],
    ])('%s is rejected', (name, flags, flag) => {
      const err = expectUsageError(() => build({ ...GIT, url: SSH_URL, ...flags }, fakeInput({ files: { '/k': ssh(name) } })));
      expect(err.flag).toBe(flag);
    });

    test.each([
      ['base64 of text that is not a key', b64('this is not a valid private key')],
      ['text that is neither a key nor base64', 'not a key!'],
      ['a certificate', CA_CERT],
    ])('%s is rejected', (_why, value) => {
      const err = expectUsageError(() => build({ ...GIT, url: SSH_URL, sshPrivateKey: value }));
      expect(err.flag).toBe('--ssh-private-key');
    });

    test('the value and the file cannot both be given', () => {
      const err = expectUsageError(() =>
        build({ ...GIT, url: SSH_URL, sshPrivateKey: b64(ssh('id_ed25519')), sshPrivateKeyFile: '/k' }, fakeInput({ files: { '/k': ssh('id_ed25519') } })),
      );
      expect(err.message).toContain('--ssh-private-key');
      expect(err.message).toContain('--ssh-private-key-file');
    });

    test('a missing key file is rejected naming the flag and the path', () => {
      const err = expectUsageError(() => build({ ...GIT, url: SSH_URL, sshPrivateKeyFile: '/nope/id_rsa' }));
      expect(err.message).toContain('--ssh-private-key-file');
      expect(err.message).toContain('/nope/id_rsa');
    });
  });

  describe('known hosts', () => {
    test.each([
      ['raw', { knownHosts: KNOWN_HOSTS }, {}],
      ['base64', { knownHosts: b64(KNOWN_HOSTS) }, {}],
      ['@FILE', { knownHosts: '@/kh' }, { files: { '/kh': KNOWN_HOSTS } }],
      ['--known-hosts-file', { knownHostsFile: '/kh' }, { files: { '/kh': KNOWN_HOSTS } }],
      ['standard input', { knownHosts: '-' }, { stdin: KNOWN_HOSTS }],
    ])('%s', (_why, flags, options) => {
      const input = fakeInput(options);
      const { config } = build({ ...GIT, url: SSH_URL, ...flags }, input);
      expect(config.gitRepository?.sshKnownHosts).toBe(b64(KNOWN_HOSTS));
      expect(input.warnings).toEqual([]);
    });

    test.each([
      ['a line without a key', 'git.example.com ssh-ed25519\n'],
      ['an unknown key type', 'git.example.com ssh-foo AAAAC3NzaC1lZDI1NTE5AAAAIO5bzGDqK00bagRL45xnbWRMvNaVRMVQ6tQD2N1xCFZm\n'],
    ])('%s is rejected', (_why, text) => {
      for (const value of [text, b64(text)]) {
        const err = expectUsageError(() => build({ ...GIT, url: SSH_URL, knownHosts: value }));
        expect(err.flag).toBe('--known-hosts');
        expect(err.message).toContain('line 1');
      }
    });

    test('garbage that is neither known_hosts nor base64 is rejected', () => {
      const err = expectUsageError(() => build({ ...GIT, url: SSH_URL, knownHosts: '%%%' }));
      expect(err.flag).toBe('--known-hosts');
    });

    test('the value and the file cannot both be given', () => {
      const err = expectUsageError(() => build({ ...GIT, url: SSH_URL, knownHosts: b64(KNOWN_HOSTS), knownHostsFile: '/kh' }, fakeInput({ files: { '/kh': KNOWN_HOSTS } })));
      expect(err.message).toContain('--known-hosts');
      expect(err.message).toContain('--known-hosts-file');
    });
  });

  describe('HTTPS CA certificate', () => {
    test.each([
      ['PEM text', { httpsCaCert: CA_CERT }, {}],
      ['base64', { httpsCaCert: b64(CA_CERT) }, {}],
      ['wrapped base64', { httpsCaCert: wrap(b64(CA_CERT)) }, {}],
      ['@FILE', { httpsCaCert: '@/ca.crt' }, { files: { '/ca.crt': CA_CERT } }],
      ['--https-ca-cert-file', { httpsCaCertFile: '/ca.crt' }, { files: { '/ca.crt': CA_CERT } }],
    ])('%s', (_why, flags, options) => {
      const input = fakeInput(options);
      const { config } = build({ ...GIT, ...flags }, input);
      expect(config.gitRepository?.httpsCACert).toBe(b64(CA_CERT));
      expect(input.warnings).toEqual([]);
    });

    test('a bundle of two certificates is accepted', () => {
      const bundle = `${CA_CERT}${CLIENT_CERT}`;
      expect(build({ ...GIT, httpsCaCert: bundle }).config.gitRepository?.httpsCACert).toBe(b64(bundle));
    });

    test.each([
      ['garbage', 'this is not a certificate'],
      ['base64 of garbage', b64('this is not a certificate')],
      ['a private key', CLIENT_KEY],
      ['a damaged certificate', CA_CERT.replace(/\n[A-Za-z0-9+/]{16}/, '\n')],
    ])('%s is rejected', (_why, value) => {
      const err = expectUsageError(() => build({ ...GIT, httpsCaCert: value }));
      expect(err.flag).toBe('--https-ca-cert');
    });

    test('a CA certificate may be used with an SSH URL', () => {
      expect(() => build({ ...GIT, url: SSH_URL, httpsCaCert: CA_CERT })).not.toThrow();
    });
  });

  describe('auth flags against the URL', () => {
    const files = { files: { '/key': ssh('id_ed25519'), '/kh': KNOWN_HOSTS, '/pat': 'pat-value-2' } };
    test.each([
      ['an SSH key with an https URL', { url: HTTPS_URL, sshPrivateKey: '@/key' }, '--ssh-private-key'],
      ['an SSH key with an http URL', { url: 'http://git.example.com/r', sshPrivateKey: '@/key' }, '--ssh-private-key'],
      ['known hosts with an https URL', { url: HTTPS_URL, knownHosts: '@/kh' }, '--known-hosts'],
      ['an HTTPS user and key with an ssh:// URL', { url: SSH_URL, httpsUser: 'git', httpsKey: '@/pat' }, '--https-user'],
      ['an HTTPS key with a git@ URL', { url: SCP_URL, httpsKey: '@/pat' }, '--https-key'],
      ['an HTTPS user with a git@ URL', { url: SCP_URL, httpsUser: 'git' }, '--https-user'],
      ['--local-auth-ref with an SSH key', { url: SSH_URL, sshPrivateKey: '@/key', localAuthRef: 'git-auth' }, '--local-auth-ref'],
      ['--local-auth-ref with an HTTPS key', { httpsUser: 'git', httpsKey: '@/pat', localAuthRef: 'git-auth' }, '--local-auth-ref'],
      ['--provider azure with an ssh:// URL', { url: SSH_URL, provider: 'azure' }, '--provider'],
      ['--provider azure with a git@ URL', { url: SCP_URL, provider: 'azure' }, '--provider'],
      ['--provider azure with credentials', { httpsUser: 'git', httpsKey: '@/pat', provider: 'azure' }, '--provider'],
      ['--provider azure with --local-auth-ref', { localAuthRef: 'git-auth', provider: 'azure' }, '--provider'],
      ['an unknown provider', { provider: 'gitlab' }, '--provider'],
    ])('%s is rejected', (_why, flags, flag) => {
      const err = expectUsageError(() => build({ ...GIT, ...flags }, fakeInput(files)));
      expect(err.flag).toBe(flag);
      expect(err.message).toContain(flag);
    });

    test.each([
      ['azure', 'Azure'],
      ['Azure', 'Azure'],
      ['github', 'GitHub'],
      ['generic', 'Generic'],
    ])('--provider %s → %s', (provider, value) => {
      expect(build({ ...GIT, provider }).config.gitRepository?.provider).toBe(value);
    });

    test('--local-auth-ref alone', () => {
      expect(build({ ...GIT, localAuthRef: 'git-auth' }).config.gitRepository?.localAuthRef).toBe('git-auth');
    });

    test('an invalid --local-auth-ref is rejected', () => {
      const err = expectUsageError(() => build({ ...GIT, localAuthRef: 'Git_Auth' }));
      expect(err.message).toContain('--local-auth-ref');
      expect(err.message).toContain('Git_Auth');
    });

    test('an SSH key and known hosts with an SSH URL', () => {
      const { config } = build({ ...GIT, url: SSH_URL, sshPrivateKey: '@/key', knownHosts: '@/kh' }, fakeInput(files));
      expect(config.configurationProtectedSettings).toEqual({ sshPrivateKey: b64(ssh('id_ed25519')) });
      expect(config.gitRepository?.sshKnownHosts).toBe(b64(KNOWN_HOSTS));
    });
  });
});

describe('bucket', () => {
  test('with access keys', () => {
    const input = fakeInput({ files: { '/secret': 'bucket-secret-1\n' } });
    const { config } = build({ ...BUCKET, localAuthRef: undefined, bucketAccessKey: 'AKIAEXAMPLE', bucketSecretKey: '@/secret' }, input);
    expect(config.sourceKind).toBe('Bucket');
    expect(config.bucket).toEqual({ url: BUCKET_URL, bucketName: 'manifests', accessKey: 'AKIAEXAMPLE', insecure: false });
    expect(config.configurationProtectedSettings).toEqual({ bucketSecretKey: b64('bucket-secret-1') });
    expect(input.warnings).toEqual([]);
  });

  test('with --local-auth-ref', () => {
    const { config } = build(BUCKET);
    expect(config.bucket).toEqual({ url: BUCKET_URL, bucketName: 'manifests', localAuthRef: 'bucket-auth', insecure: false });
    expect(config.configurationProtectedSettings).toEqual({});
  });

  test.each([
    ['http://minio.local:9000', undefined, true],
    ['https://minio.example.com', undefined, false],
    ['http://minio.local:9000', 'false', false],
    ['https://minio.example.com', 'true', true],
  ])('%s with --bucket-insecure %s → insecure %s', (url, insecure, value) => {
    expect(build({ ...BUCKET, url, bucketInsecure: insecure }).config.bucket?.insecure).toBe(value);
  });

  test.each([
    ['no URL', { url: undefined }, '-u/--url'],
    ['an ssh:// URL', { url: 'ssh://minio.example.com' }, '-u/--url'],
    ['a git@ URL', { url: 'git@minio.example.com:b' }, '-u/--url'],
    ['an s3:// URL', { url: 's3://manifests' }, '-u/--url'],
    ['no bucket name', { bucketName: undefined }, '--bucket-name'],
    ['an invalid bucket name', { bucketName: 'My_Bucket' }, '--bucket-name'],
    ['no credentials', { localAuthRef: undefined }, '--bucket-access-key'],
    ['an access key without a secret key', { localAuthRef: undefined, bucketAccessKey: 'AKIA' }, '--bucket-secret-key'],
    ['a secret key without an access key', { localAuthRef: undefined, bucketSecretKey: '@/secret' }, '--bucket-access-key'],
    ['keys and --local-auth-ref', { bucketAccessKey: 'AKIA', bucketSecretKey: '@/secret' }, '--local-auth-ref'],
    ['a non-boolean --bucket-insecure', { bucketInsecure: 'maybe' }, '--bucket-insecure'],
  ])('%s is rejected', (_why, flags, flag) => {
    const err = expectUsageError(() => build({ ...BUCKET, ...flags }, fakeInput({ files: { '/secret': 'bucket-secret-2' } })));
    expect(err.flag).toBe(flag);
    expect(err.message).toContain(flag);
  });
});

describe('azblob', () => {
  test('without credentials (a public container)', () => {
    const { config } = build(AZBLOB);
    expect(config.sourceKind).toBe('AzureBlob');
    expect(config.azureBlob).toEqual({ url: BLOB_URL, containerName: 'manifests' });
  });

  const files = { files: { '/key': 'account-key-1==\n', '/sas': 'sv=2022&sig=abc\n', '/sp': 'sp-secret-1\n', '/pw': 'cert-pw-1\n', '/cert.pem': CLIENT_CERT } };

  test.each([
    ['an account key', { accountKey: '@/key' }, { accountKey: 'account-key-1==' }],
    ['a SAS token', { sasToken: '@/sas' }, { sasToken: 'sv=2022&sig=abc' }],
    ['a managed identity', { miClientId: '00000000-0000-0000-0000-000000000001' }, { managedIdentity: { clientId: '00000000-0000-0000-0000-000000000001' } }],
    ['--local-auth-ref', { localAuthRef: 'blob-auth' }, { localAuthRef: 'blob-auth' }],
    [
      'a service principal with a secret',
      { spClientId: 'client-1', spTenantId: 'tenant-1', spClientSecret: '@/sp' },
      { servicePrincipal: { clientId: 'client-1', tenantId: 'tenant-1', clientSecret: 'sp-secret-1' } },
    ],
    [
      'a service principal with a PEM certificate',
      { spClientId: 'client-1', spTenantId: 'tenant-1', spClientCert: '@/cert.pem', spCertPassword: '@/pw', spCertSendChain: true },
      { servicePrincipal: { clientId: 'client-1', tenantId: 'tenant-1', clientCertificate: b64(CLIENT_CERT), clientCertificatePassword: 'cert-pw-1', clientCertificateSendChain: true } },
    ],
  ])('with %s', (_why, flags, block) => {
    const input = fakeInput(files);
    const { config } = build({ ...AZBLOB, ...flags }, input);
    expect(config.azureBlob).toEqual({ url: BLOB_URL, containerName: 'manifests', ...block });
    expect(config.configurationProtectedSettings).toEqual({});
    expect(input.warnings).toEqual([]);
  });

  test('a base64 certificate is sent as given', () => {
    const { config } = build({ ...AZBLOB, spClientId: 'c', spTenantId: 't', spClientCert: '@/cert.b64' }, fakeInput({ files: { '/cert.b64': `${wrap(b64(CLIENT_CERT))}\n` } }));
    expect(config.azureBlob?.servicePrincipal?.clientCertificate).toBe(b64(CLIENT_CERT));
  });

  test.each([
    ['no URL', { url: undefined }, '-u/--url'],
    ['an ssh:// URL', { url: 'ssh://account.blob.core.windows.net' }, '-u/--url'],
    ['a git@ URL', { url: 'git@account.blob.core.windows.net:c' }, '-u/--url'],
    ['no container name', { containerName: undefined }, '--container-name'],
    ['a service principal without a tenant', { spClientId: 'c', spClientSecret: '@/sp' }, '--sp-client-id'],
    ['a service principal without a client id', { spTenantId: 't', spClientSecret: '@/sp' }, '--sp-client-id'],
    ['a service principal without a secret or certificate', { spClientId: 'c', spTenantId: 't' }, '--sp-client-id'],
    ['--sp-cert-send-chain alone', { spCertSendChain: true }, '--sp-client-id'],
    ['a service principal with a secret and a certificate', { spClientId: 'c', spTenantId: 't', spClientSecret: '@/sp', spClientCert: '@/cert.pem' }, '--sp-client-secret'],
    ['a certificate password without a certificate', { spClientId: 'c', spTenantId: 't', spClientSecret: '@/sp', spCertPassword: '@/pw' }, '--sp-cert-password'],
    ['--sp-cert-send-chain without a certificate', { spClientId: 'c', spTenantId: 't', spClientSecret: '@/sp', spCertSendChain: 'true' }, '--sp-cert-send-chain'],
  ])('%s is rejected', (_why, flags, flag) => {
    const err = expectUsageError(() => build({ ...AZBLOB, ...flags }, fakeInput(files)));
    expect(err.flag).toBe(flag);
    expect(err.message).toContain(flag);
  });

  test.each([
    ['an account key and a SAS token', { accountKey: '@/key', sasToken: '@/sas' }, ['--account-key', '--sas-token']],
    ['an account key and --local-auth-ref', { accountKey: '@/key', localAuthRef: 'blob-auth' }, ['--account-key', '--local-auth-ref']],
    ['a service principal and an account key', { spClientId: 'c', spTenantId: 't', spClientSecret: '@/sp', accountKey: '@/key' }, ['--sp-', '--account-key']],
    ['a SAS token and a managed identity', { sasToken: '@/sas', miClientId: 'mi' }, ['--sas-token', '--mi-client-id']],
    ['a managed identity and a service principal', { miClientId: 'mi', spClientId: 'c', spTenantId: 't', spClientSecret: '@/sp' }, ['--sp-', '--mi-client-id']],
  ])('%s: only one way to authenticate, and the message names the ones given', (_why, flags, named) => {
    const err = expectUsageError(() => build({ ...AZBLOB, ...flags }, fakeInput(files)));
    for (const flag of named) expect(err.message).toContain(flag);
  });
});

describe('oci', () => {
  test('URL only', () => {
    const { config } = build(OCI);
    expect(config.sourceKind).toBe('OCIRepository');
    expect(config.ociRepository).toEqual({ url: OCI_URL });
  });

  test.each([
    ['--tag', { tag: 'latest' }, { tag: 'latest' }],
    ['--semver', { semver: '6.x' }, { semver: '6.x' }],
    ['--digest', { digest: DIGEST }, { digest: DIGEST }],
  ])('%s', (_why, flags, ref) => {
    expect(build({ ...OCI, ...flags }).config.ociRepository).toEqual({ url: OCI_URL, repositoryRef: ref });
  });

  test.each([
    ['extract', 'extract'],
    ['copy', 'copy'],
    ['COPY', 'copy'],
  ])('layer selector with --oci-operation %s', (operation, value) => {
    const { config } = build({ ...OCI, ociMediaType: 'application/vnd.cncf.flux.content.v1.tar+gzip', ociOperation: operation });
    expect(config.ociRepository?.layerSelector).toEqual({ mediaType: 'application/vnd.cncf.flux.content.v1.tar+gzip', operation: value });
  });

  test('TLS from files, workload identity, a service account and insecure', () => {
    const input = fakeInput({ files: { '/ca.crt': CA_CERT, '/client.crt': CLIENT_CERT, '/client.key': CLIENT_KEY } });
    const { config } = build(
      {
        ...OCI,
        tlsCaCertificate: '@/ca.crt',
        tlsClientCertificate: '@/client.crt',
        tlsPrivateKey: '@/client.key',
        useWorkloadIdentity: true,
        serviceAccountName: 'flux-oci',
        ociInsecure: 'false',
      },
      input,
    );
    expect(config.ociRepository).toEqual({
      url: OCI_URL,
      tlsConfig: { caCertificate: b64(CA_CERT), clientCertificate: b64(CLIENT_CERT), privateKey: b64(CLIENT_KEY) },
      useWorkloadIdentity: true,
      serviceAccountName: 'flux-oci',
      insecure: false,
    });
    expect(input.warnings).toEqual([]);
  });

  test('TLS certificates given inline as PEM or base64', () => {
    const { config } = build({ ...OCI, tlsCaCertificate: b64(CA_CERT), tlsClientCertificate: CLIENT_CERT, tlsPrivateKey: b64(CLIENT_KEY) });
    expect(config.ociRepository?.tlsConfig).toEqual({ caCertificate: b64(CA_CERT), clientCertificate: b64(CLIENT_CERT), privateKey: b64(CLIENT_KEY) });
  });

  test('a CA certificate alone', () => {
    expect(build({ ...OCI, tlsCaCertificate: CA_CERT }).config.ociRepository?.tlsConfig).toEqual({ caCertificate: b64(CA_CERT) });
  });

  test('verification with a key and OIDC identities', () => {
    const publicKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const { config } = build(
      {
        ...OCI,
        verificationProvider: 'cosign',
        verificationConfig: [['cosign.pub=@/cosign.pub']],
        matchOidcIdentity: [['issuer=^https://token.actions.githubusercontent.com$,subject=^https://github.com/org/.*$', '{"issuer": "^https://accounts.google.com$", "subject": "^ci@example.com$"}']],
      },
      fakeInput({ files: { '/cosign.pub': publicKey } }),
    );
    expect(config.ociRepository?.verify).toEqual({
      provider: 'cosign',
      verificationConfig: { 'cosign.pub': b64(publicKey) },
      matchOidcIdentity: [
        { issuer: '^https://token.actions.githubusercontent.com$', subject: '^https://github.com/org/.*$' },
        { issuer: '^https://accounts.google.com$', subject: '^ci@example.com$' },
      ],
    });
  });

  test.each([
    ['no URL', { url: undefined }, '-u/--url'],
    ['an https URL', { url: 'https://ghcr.io/org/repo' }, '-u/--url'],
    ['a git URL', { url: SSH_URL }, '-u/--url'],
    ['--tag with --semver', { tag: 'v1', semver: '1.x' }, '--semver'],
    ['--tag with --digest', { tag: 'v1', digest: DIGEST }, '--digest'],
    ['--semver with --digest', { semver: '1.x', digest: DIGEST }, '--digest'],
    ['a digest without an algorithm', { digest: 'ab'.repeat(32) }, '--digest'],
    ['a short digest', { digest: 'sha256:abc' }, '--digest'],
    ['an upper-case digest', { digest: `sha256:${'AB'.repeat(32)}` }, '--digest'],
    ['a sha512 digest', { digest: `sha512:${'ab'.repeat(64)}` }, '--digest'],
    ['an unknown layer operation', { ociOperation: 'move' }, '--oci-operation'],
    ['a client certificate without a key', { tlsClientCertificate: CLIENT_CERT }, '--tls-private-key'],
    ['a key without a client certificate', { tlsPrivateKey: CLIENT_KEY }, '--tls-client-certificate'],
    ['a private key that is not one', { tlsClientCertificate: CLIENT_CERT, tlsPrivateKey: b64('not a key') }, '--tls-private-key'],
    ['a certificate as the private key', { tlsClientCertificate: CLIENT_CERT, tlsPrivateKey: CLIENT_CERT }, '--tls-private-key'],
    ['a garbage CA certificate', { tlsCaCertificate: 'garbage' }, '--tls-ca-certificate'],
    ['a garbage client certificate', { tlsClientCertificate: b64('garbage'), tlsPrivateKey: CLIENT_KEY }, '--tls-client-certificate'],
    ['workload identity and --local-auth-ref', { useWorkloadIdentity: 'true', localAuthRef: 'oci-auth' }, '--use-workload-identity'],
    ['a non-boolean --oci-insecure', { ociInsecure: 'maybe' }, '--oci-insecure'],
    ['an invalid service account', { serviceAccountName: 'Flux_OCI' }, '--service-account-name'],
    ['verification settings without a provider', { verificationConfig: [['k=abc']] }, '--verification-provider'],
    ['an OIDC identity without a subject', { verificationProvider: 'cosign', matchOidcIdentity: [['issuer=x']] }, '--match-oidc-identity'],
    ['an OIDC identity with an unknown key', { verificationProvider: 'cosign', matchOidcIdentity: [['issuer=x,subject=y,audience=z']] }, '--match-oidc-identity'],
    ['an OIDC identity that is broken JSON', { verificationProvider: 'cosign', matchOidcIdentity: [['{"issuer": "x",']] }, '--match-oidc-identity'],
    ['a verification config without a name', { verificationProvider: 'cosign', verificationConfig: [['abc']] }, '--verification-config'],
  ])('%s is rejected', (_why, flags, flag) => {
    const err = expectUsageError(() => build({ ...OCI, ...flags }));
    expect(err.flag).toBe(flag);
    expect(err.message).toContain(flag);
  });

  test('the digest is named in its error', () => {
    const err = expectUsageError(() => build({ ...OCI, digest: 'sha256:abc' }));
    expect(err.message).toContain('sha256:abc');
  });
});

describe('--interval, --timeout and --local-auth-ref apply to every kind', () => {
  test.each([
    ['git', GIT, 'gitRepository'],
    ['bucket', BUCKET, 'bucket'],
    ['azblob', AZBLOB, 'azureBlob'],
    ['oci', OCI, 'ociRepository'],
  ] as const)('%s', (_kind, flags, property) => {
    const { config } = build({ ...flags, interval: '2m', timeout: '1h', localAuthRef: 'source-auth' });
    expect(config[property]).toMatchObject({ syncIntervalInSeconds: 120, timeoutInSeconds: 3600, localAuthRef: 'source-auth' });
    for (const other of ['gitRepository', 'bucket', 'azureBlob', 'ociRepository'] as const) {
      if (other !== property) expect(config[other]).toBeUndefined();
    }
  });
});

describe('flags of another kind are refused', () => {
  test.each([
    ['--bucket-name with git (the default)', { ...GIT, bucketName: 'b' }, '--bucket-name', 'bucket', true],
    ['--container-name with git', { ...GIT, kind: 'git', containerName: 'c' }, '--container-name', 'azblob', false],
    ['--digest with git', { ...GIT, digest: DIGEST }, '--digest', 'oci', true],
    ['--tls-ca-certificate with git', { ...GIT, tlsCaCertificate: CA_CERT }, '--tls-ca-certificate', 'oci', true],
    ['--branch with oci', { ...OCI, branch: 'main' }, '--branch', 'git', false],
    ['--commit with oci', { ...OCI, commit: SHA }, '--commit', 'git', false],
    ['--https-user with oci', { ...OCI, httpsUser: 'u' }, '--https-user', 'git', false],
    ['--container-name with bucket', { ...BUCKET, containerName: 'c' }, '--container-name', 'azblob', false],
    ['--ssh-private-key with bucket', { ...BUCKET, sshPrivateKey: 'x' }, '--ssh-private-key', 'git', false],
    ['--tag with bucket', { ...BUCKET, tag: 'v1' }, '--tag', 'git or oci', false],
    ['--bucket-insecure false with azblob', { ...AZBLOB, bucketInsecure: 'false' }, '--bucket-insecure', 'bucket', false],
    ['--account-key with oci', { ...OCI, accountKey: 'k' }, '--account-key', 'azblob', false],
    ['--provider with azblob', { ...AZBLOB, provider: 'azure' }, '--provider', 'git', false],
  ])('%s', (_why, flags, flag, owner, defaulted) => {
    const input = fakeInput();
    const err = expectUsageError(() => build(flags, input));
    expect(err.flag).toBe(flag);
    expect(err.message).toContain(flag);
    expect(err.message).toContain(`--kind ${flags.kind ?? 'git'}`);
    if (defaulted) expect(err.message).toContain('default');
    expect(err.remedy).toContain(`--kind ${owner}`);
    // Refused before any value is read.
    expect(input.warnings).toEqual([]);
  });

  test('several foreign flags are all named', () => {
    const err = expectUsageError(() => build({ ...GIT, bucketName: 'b', containerName: 'c' }));
    expect(err.message).toContain('--bucket-name');
    expect(err.message).toContain('--container-name');
  });

  test('--tag and --semver belong to git and oci alike', () => {
    expect(build({ ...GIT, branch: undefined, tag: 'v1' }).config.gitRepository?.repositoryRef).toEqual({ tag: 'v1' });
    expect(build({ ...OCI, semver: '1.x' }).config.ociRepository?.repositoryRef).toEqual({ semver: '1.x' });
  });

  test.each([
    ['git', 'GitRepository'],
    ['GIT', 'GitRepository'],
    ['Bucket', 'Bucket'],
    ['AZBLOB', 'AzureBlob'],
    ['Oci', 'OCIRepository'],
  ])('--kind %s is case-insensitive', (kind, sourceKind) => {
    const flags = { git: GIT, bucket: BUCKET, azblob: AZBLOB, oci: OCI }[kind.toLowerCase() as 'git']!;
    expect(build({ ...flags, kind }).config.sourceKind).toBe(sourceKind);
  });
});

describe('standard input is read by one flag only', () => {
  test('a second secret flag reading - is rejected, naming the first', () => {
    const input = fakeInput({ stdin: ssh('id_ed25519') });
    const err = expectUsageError(() => build({ ...GIT, url: SSH_URL, sshPrivateKey: '-', knownHosts: '-' }, input));
    expect(err.flag).toBe('--known-hosts');
    expect(err.message).toContain('--ssh-private-key');
    expect(input.stdinReads).toBe(1);
  });

  test('azblob: --sas-token - and --sp-client-secret -', () => {
    const err = expectUsageError(() => build({ ...AZBLOB, sasToken: '-', spClientId: 'c', spTenantId: 't', spClientSecret: '-' }, fakeInput({ stdin: 'token-from-stdin' })));
    expect(err.flag).toBe('--sp-client-secret');
    expect(err.message).toContain('--sas-token');
  });

  test('oci: a certificate and a key from standard input', () => {
    const err = expectUsageError(() => build({ ...OCI, tlsClientCertificate: '-', tlsPrivateKey: '-' }, fakeInput({ stdin: CLIENT_CERT })));
    expect(err.flag).toBe('--tls-private-key');
    expect(err.message).toContain('--tls-client-certificate');
  });
});

describe('every secret read is registered with the redactor', () => {
  type Case = [string, (secret: string) => { flags: FluxConfigFlags; input: FakeInput }];
  const cases: Case[] = [
    ['--https-key literal', (s) => ({ flags: { ...GIT, httpsUser: 'git', httpsKey: s }, input: fakeInput() })],
    ['--https-key @FILE', (s) => ({ flags: { ...GIT, httpsUser: 'git', httpsKey: '@/f' }, input: fakeInput({ files: { '/f': `${s}\n` } }) })],
    ['--https-key -', (s) => ({ flags: { ...GIT, httpsUser: 'git', httpsKey: '-' }, input: fakeInput({ stdin: s }) })],
    ['--bucket-secret-key', (s) => ({ flags: { ...BUCKET, localAuthRef: undefined, bucketAccessKey: 'AKIA', bucketSecretKey: '@/f' }, input: fakeInput({ files: { '/f': s } }) })],
    ['--account-key', (s) => ({ flags: { ...AZBLOB, accountKey: '-' }, input: fakeInput({ stdin: s }) })],
    ['--sas-token', (s) => ({ flags: { ...AZBLOB, sasToken: s }, input: fakeInput() })],
    ['--sp-client-secret', (s) => ({ flags: { ...AZBLOB, spClientId: 'c', spTenantId: 't', spClientSecret: '@/f' }, input: fakeInput({ files: { '/f': s } }) })],
    [
      '--sp-cert-password',
      (s) => ({ flags: { ...AZBLOB, spClientId: 'c', spTenantId: 't', spClientCert: '@/c', spCertPassword: '@/f' }, input: fakeInput({ files: { '/f': s, '/c': CLIENT_CERT } }) }),
    ],
  ];

  test.each(cases)('%s', (_why, make) => {
    const secret = freshSecret('s3cr3t');
    const { flags, input } = make(secret);
    const { config } = build(flags, input);
    const body = JSON.stringify(fluxConfigurationPutBody(config));
    expect(body.includes(secret) || body.includes(b64(secret))).toBe(true);
    const redacted = redactor.redact(`${body} ${secret} ${b64(secret)}`);
    expect(redacted).not.toContain(secret);
    expect(redacted).not.toContain(b64(secret));
    expect(redacted).toContain(REDACTED);
  });

  test.each([
    ['as text', (k: string) => ({ flags: { sshPrivateKey: k }, input: fakeInput() })],
    ['as base64', (k: string) => ({ flags: { sshPrivateKey: b64(k) }, input: fakeInput() })],
    ['through --ssh-private-key-file', (k: string) => ({ flags: { sshPrivateKeyFile: '/k' }, input: fakeInput({ files: { '/k': k } }) })],
    ['from standard input', (k: string) => ({ flags: { sshPrivateKey: '-' }, input: fakeInput({ stdin: k }) })],
  ])('an SSH private key %s', (_why, make) => {
    const key = freshSshKey();
    const { flags, input } = make(key);
    const { config } = build({ ...GIT, url: SSH_URL, ...flags }, input);
    const body = JSON.stringify(fluxConfigurationPutBody(config));
    const redacted = redactor.redact(`${body}\n${key}\n${JSON.stringify(key)}`);
    expect(redacted).not.toContain(b64(key));
    const keyBody = key.split('\n').filter((l) => l && !l.startsWith('-----'));
    for (const line of keyBody) expect(redacted).not.toContain(line);
  });

  test('a TLS private key', () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const { config } = build({ ...OCI, tlsClientCertificate: CLIENT_CERT, tlsPrivateKey: '@/k' }, fakeInput({ files: { '/k': key } }));
    const redacted = redactor.redact(`${JSON.stringify(fluxConfigurationPutBody(config))}\n${key}`);
    expect(redacted).not.toContain(b64(key));
    for (const line of key.split('\n').filter((l) => l && !l.startsWith('-----'))) expect(redacted).not.toContain(line);
  });
});
