/**
 * `-f` values pass the same parsers and cross-field rules as the flags that set them, errors name
 * the file and the field, parse errors never quote the file, user-chosen keys are plain data,
 * and the source URL carries no credentials. Generated hostile values drive the file fields.
 */
import { describe, test, expect, beforeEach } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { UsageError } from '../../src/core/errors.js';
import { redactor } from '../../src/core/redact.js';
import { fluxConfigurationPutBody } from '../../src/model/arm.js';
import { buildExtension } from '../../src/model/extension.js';
import { parseConfigurationFile } from '../../src/model/file.js';
import type { FluxConfigFlags } from '../../src/model/flags.js';
import { buildFluxConfiguration } from '../../src/model/flux-config.js';
import { resetStdinClaim } from '../../src/model/input.js';
import { ROOT } from '../helpers/cli.js';
import { hostileStrings, label, SEED, UNSAFE_ON_A_TERMINAL } from '../helpers/hostile.js';
import { expectUsageError, fakeInput } from '../helpers/input.js';

const F = '-f/--file';
const URL_ = 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt';
const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const fixture = (...path: string[]): string => readFileSync(join(ROOT, 'test', 'fixtures', ...path), 'utf8');

const GIT = { name: 'cfg', gitRepository: { url: URL_, repositoryRef: { branch: 'main' } }, kustomizations: { apps: { path: './apps' } } };

beforeEach(() => {
  resetStdinClaim();
});

/** Builds from a file `c.yaml` holding `doc` (and flags); returns the configuration. */
function build(doc: unknown, flags: FluxConfigFlags = {}, name = 'c.yaml') {
  const text = typeof doc === 'string' ? doc : name.endsWith('.json') ? JSON.stringify(doc) : toYaml(doc);
  return buildFluxConfiguration({ file: name, ...flags }, fakeInput({ files: { [name]: text } }));
}

/** The error of building from `doc`: an -f error naming the file and `field`, one safe line. */
function fileError(doc: unknown, field: string, flags: FluxConfigFlags = {}): UsageError {
  const err = expectUsageError(() => build(doc, flags));
  expect(err.flag).toBe(F);
  expect(err.message).toContain('c.yaml');
  expect(err.message).toContain(field);
  expect(err.message).not.toMatch(UNSAFE_ON_A_TERMINAL);
  return err;
}

describe('numbers and durations are in range, as for the flags', () => {
  test.each([0, -1, 1.5, 1e300, 365 * 24 * 3600 + 1])('timeoutInSeconds %p is refused', (value) => {
    fileError({ ...GIT, gitRepository: { ...GIT.gitRepository, timeoutInSeconds: value } }, 'gitRepository.timeoutInSeconds');
  });

  test.each([0, 1e300])('a kustomization retryIntervalInSeconds %p is refused', (value) => {
    fileError({ ...GIT, kustomizations: { apps: { retryIntervalInSeconds: value } } }, 'kustomizations.apps.retryIntervalInSeconds');
  });

  test.each(['30m', 'PT', 'P1Y', 'PT1.5H'])('reconciliationWaitDuration %p is refused', (value) => {
    fileError({ ...GIT, waitForReconciliation: true, reconciliationWaitDuration: value }, 'reconciliationWaitDuration');
  });

  test('PT30M with waitForReconciliation is kept', () => {
    expect(build({ ...GIT, waitForReconciliation: true, reconciliationWaitDuration: 'PT30M' }).config.reconciliationWaitDuration).toBe('PT30M');
  });
});

describe('enums, names, certificates and keys', () => {
  test('provider is read case-insensitively into its canonical spelling, anything else refused', () => {
    expect(build({ ...GIT, gitRepository: { ...GIT.gitRepository, provider: 'azure' } }).config.gitRepository?.provider).toBe('Azure');
    fileError({ ...GIT, gitRepository: { ...GIT.gitRepository, provider: 'gitlab' } }, 'gitRepository.provider');
  });

  test.each([
    ['an OCI layer operation', { name: 'o', ociRepository: { url: 'oci://ghcr.io/o/r', layerSelector: { operation: 'unpack' } } }, 'ociRepository.layerSelector.operation'],
    ['a substituteFrom kind', { ...GIT, kustomizations: { apps: { postBuild: { substituteFrom: [{ kind: 'Pod', name: 'x' }] } } } }, 'substituteFrom[0].kind'],
    ['a substituteFrom name', { ...GIT, kustomizations: { apps: { postBuild: { substituteFrom: [{ kind: 'Secret', name: 'Bad_Name' }] } } } }, 'substituteFrom[0].name'],
    ['a dependsOn name', { ...GIT, kustomizations: { apps: { dependsOn: ['../infra'] } } }, 'kustomizations.apps.dependsOn[0]'],
    ['a variable name', { ...GIT, kustomizations: { apps: { postBuild: { substitute: { 'bad-name': 'x' } } } } }, 'postBuild.substitute.bad-name'],
    ['a local auth secret name', { ...GIT, gitRepository: { ...GIT.gitRepository, localAuthRef: 'Auth Secret' } }, 'gitRepository.localAuthRef'],
    ['a certificate that is not one', { ...GIT, gitRepository: { ...GIT.gitRepository, httpsCACert: b64('not a certificate') } }, 'gitRepository.httpsCACert'],
    ['known_hosts that are not', { name: 'g', gitRepository: { url: 'ssh://git@github.com/o/r', repositoryRef: { branch: 'main' }, sshKnownHosts: b64('github.com nonsense') } }, 'gitRepository.sshKnownHosts'],
    ['a protected setting that is not base64', { ...GIT, configurationProtectedSettings: { httpsKey: 'not base64!' } }, 'configurationProtectedSettings.httpsKey'],
    ['a commit that is not a SHA', { ...GIT, gitRepository: { url: URL_, repositoryRef: { commit: 'HEAD' } } }, 'gitRepository.repositoryRef.commit'],
    ['an empty branch', { ...GIT, gitRepository: { url: URL_, repositoryRef: { branch: ' ' } } }, 'gitRepository.repositoryRef.branch'],
  ])('%s is refused', (_why, doc, field) => {
    fileError(doc, field);
  });

  test('a TLS private key that does not parse is refused without being quoted, and is registered', () => {
    const key = 'file-tls-private-key-not-pem-9Jx2';
    const err = fileError({ name: 'o', ociRepository: { url: 'oci://ghcr.io/o/r', tlsConfig: { privateKey: b64(key), clientCertificate: b64(fixture('certs', 'client.crt')) } } }, 'ociRepository.tlsConfig.privateKey');
    expect(err.message).not.toContain(key);
    expect(redactor.redact(`x ${key} ${b64(key)}`)).toBe('x [REDACTED] [REDACTED]');
  });

  test('real certificates and keys are accepted, sent base64-encoded', () => {
    const { config } = build({
      name: 'o',
      ociRepository: { url: 'oci://ghcr.io/o/r', tlsConfig: { clientCertificate: b64(fixture('certs', 'client.crt')), privateKey: fixture('certs', 'client.key'), caCertificate: b64(fixture('certs', 'ca.crt')) } },
    });
    expect(config.ociRepository?.tlsConfig?.privateKey).toBe(b64(fixture('certs', 'client.key')));
  });
});

describe('every secret a file carries is registered with the redactor, as the flag would', () => {
  test.each([
    ['accountKey', { azureBlob: { url: 'https://a.blob.core.windows.net', containerName: 'c', accountKey: 'file-account-key-Tq81==' } }, 'file-account-key-Tq81=='],
    ['sasToken', { azureBlob: { url: 'https://a.blob.core.windows.net', containerName: 'c', sasToken: 'sv=2022&sig=file-sas-Lp40' } }, 'sv=2022&sig=file-sas-Lp40'],
    ['clientSecret', { azureBlob: { url: 'https://a.blob.core.windows.net', containerName: 'c', servicePrincipal: { clientId: 'i', tenantId: 't', clientSecret: 'file-sp-secret-Zx90' } } }, 'file-sp-secret-Zx90'],
    ['clientCertificatePassword', { azureBlob: { url: 'https://a.blob.core.windows.net', containerName: 'c', servicePrincipal: { clientId: 'i', tenantId: 't', clientCertificate: b64('cert'), clientCertificatePassword: 'file-cert-pass-Ww12' } } }, 'file-cert-pass-Ww12'],
    ['a protected setting', { ...GIT, configurationProtectedSettings: { httpsKey: b64('file-https-key-Rr55') } }, 'file-https-key-Rr55'],
  ])('%s', (_field, doc, secret) => {
    parseConfigurationFile(JSON.stringify({ name: 'x', ...doc }), 'c.json');
    expect(redactor.redact(`a ${secret} b ${b64(secret)}`)).toBe('a [REDACTED] b [REDACTED]');
  });
});

describe('exactly one source block', () => {
  test('two blocks are refused', () => {
    fileError({ ...GIT, bucket: { url: 'https://s3', bucketName: 'b' } }, 'gitRepository and bucket');
  });

  test('a sourceKind that contradicts the block is refused', () => {
    fileError({ ...GIT, sourceKind: 'Bucket' }, 'sourceKind');
  });

  test('a block alone says the kind', () => {
    const { config } = build({ name: 'b', bucket: { url: 'https://s3.example.com', bucketName: 'b', localAuthRef: 'auth' } });
    expect(config.sourceKind).toBe('Bucket');
  });
});

describe('rules of the whole configuration name the file and its field when the file gave the value', () => {
  test.each([
    ['a URL with an unknown scheme', { ...GIT, gitRepository: { ...GIT.gitRepository, url: 'ftp://example.com/repo' } }, 'gitRepository.url'],
    ['no reference', { ...GIT, gitRepository: { url: URL_ } }, 'gitRepository.repositoryRef'],
    ['a missing dependency', { ...GIT, kustomizations: { apps: { dependsOn: ['infra'] } } }, 'kustomizations'],
    ['a bucket without credentials', { name: 'b', bucket: { url: 'https://s3.example.com', bucketName: 'b' } }, 'bucket.accessKey'],
  ])('%s', (_why, doc, field) => {
    const err = fileError(doc, field);
    expect(err.message).not.toMatch(/^-f\/--file: c\.yaml: (-u|--branch|-k)/);
  });

  test('the same rule broken by a flag the user typed names the flag', () => {
    const err = expectUsageError(() => build(GIT, { url: 'ftp://example.com/repo' }));
    expect(err.flag).toBe('-u/--url');
  });
});

describe('parse errors say where, never what', () => {
  const SECRET = 'parse-error-secret-Hh71';

  test('JSON: line and column, no text', () => {
    const err = expectUsageError(() => build(`{\n  "name": "c",\n  "token": ${SECRET}\n}`, {}, 'c.json'));
    expect(err.message).toContain('line 3, column 12');
    expect(err.message).not.toContain(SECRET);
  });

  test('YAML: line and column, no text', () => {
    const err = expectUsageError(() => build(`name: c\nconfigurationProtectedSettings:\n  httpsKey: "${SECRET}\n`));
    expect(err.message).toMatch(/line \d+, column \d+/);
    expect(err.message).not.toContain(SECRET);
  });

  test('a key given twice is refused with its line', () => {
    const err = expectUsageError(() => build('name: c\ngitRepository:\n  url: https://a/b\n  url: https://c/d\n'));
    expect(err.message).toContain("'url' appears twice");
    expect(err.message).toContain('line 4');
  });

  test('YAML parsing stays linear: 40,000 kustomizations in well under a minute', () => {
    let text = `name: c\ngitRepository:\n  url: ${URL_}\n  repositoryRef: {branch: main}\nkustomizations:\n`;
    for (let i = 0; i < 40_000; i++) text += `  k${i}:\n    path: ./k${i}\n`;
    const started = Date.now();
    const file = parseConfigurationFile(text, 'big.yaml');
    expect(file.partial.kustomizations?.size).toBe(40_000);
    // Quadratic key checks took minutes on this input; linear parsing takes seconds even on a busy machine.
    expect(Date.now() - started).toBeLessThan(45_000);
  }, 90_000);
});

describe('user-chosen keys never touch the prototype chain', () => {
  const flags = (k: string[]): FluxConfigFlags => ({ name: 'cfg', url: URL_, branch: 'main', kustomization: [k] });

  test.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])('-k %s=x is an unknown key', (key) => {
    const err = expectUsageError(() => buildFluxConfiguration(flags(['name=apps', `${key}=x`]), fakeInput()));
    expect(err.message).toContain(`unknown key '${key}'`);
  });

  test('substitution variables named like Object.prototype members are ordinary variables', () => {
    const { config } = buildFluxConfiguration(flags(['name=apps', 'substitute=__proto__=a', 'substitute=constructor=b', 'substitute=toString=c']), fakeInput());
    const body = JSON.stringify(fluxConfigurationPutBody(config));
    expect(body).toContain('"substitute":{"__proto__":"a","constructor":"b","toString":"c"}');
  });

  test('a variable given twice is refused, a prototype name once is not', () => {
    expect(() => buildFluxConfiguration(flags(['name=apps', 'substitute=valueOf=1']), fakeInput())).not.toThrow();
    expectUsageError(() => buildFluxConfiguration(flags(['name=apps', 'substitute=A=1', 'substitute=A=2']), fakeInput()));
  });

  test('a file with __proto__ keys keeps them as data', () => {
    const text = JSON.stringify({ ...GIT, kustomizations: { apps: { postBuild: { substitute: { ['__proto__']: 'x' } } } } }).replace('"substitute":{}', '"substitute":{"__proto__":"x"}');
    const doc = JSON.parse(text) as Record<string, unknown>;
    const { config } = build(JSON.stringify(doc), {}, 'c.json');
    expect(JSON.stringify(fluxConfigurationPutBody(config))).toContain('"__proto__":"x"');
  });

  test.each(['constructor', '__proto__', 'toString'])('an unknown field %s in a file is refused like any other', (field) => {
    const text = `{"name": "c", "gitRepository": {"url": "${URL_}", "repositoryRef": {"branch": "main"}, "${field}": {}}}`;
    const err = expectUsageError(() => build(text, {}, 'c.json'));
    expect(err.message).toContain(`gitRepository.${field}`);
  });
});

describe('source URLs', () => {
  const create = (url: string, rest: FluxConfigFlags = {}) => buildFluxConfiguration({ name: 'cfg', url, branch: 'main', ...rest }, fakeInput());

  test.each([
    ['https://user:url-token-Qq11@github.com/o/r', 'url-token-Qq11', '--https-user and --https-key'],
    ['https://url-token-Qq12@github.com/o/r', 'url-token-Qq12', '--https-user and --https-key'],
    ['ssh://git:url-token-Qq13@github.com/o/r', 'url-token-Qq13', '--https-user'],
  ])('credentials in %s are refused, not quoted, and redacted', (url, secret, remedy) => {
    const err = expectUsageError(() => create(url));
    expect(err.flag).toBe('-u/--url');
    expect(err.message).not.toContain(secret);
    expect(err.remedy).toContain(remedy);
    expect(redactor.redact(url)).not.toContain(secret);
  });

  test('a user name beside a password is not taken for a secret: the message that follows stays whole', () => {
    const err = expectUsageError(() => create('https://user:pw-Zz91@github.com/o/r'));
    expect(redactor.redact(`${err.message} ${err.remedy}`)).toBe(`${err.message} ${err.remedy}`);
    expect(err.remedy).toContain('--https-user and --https-key');
    expect(redactor.redact('https://user:pw-Zz91@github.com/o/r')).not.toContain('pw-Zz91');
  });

  test('a SAS signature in an Azure Blob URL is refused, naming --sas-token', () => {
    const err = expectUsageError(() => buildFluxConfiguration({ name: 'b', kind: 'azblob', url: 'https://a.blob.core.windows.net/c?sv=2022&sig=url-sig-Ty77', containerName: 'c' }, fakeInput()));
    expect(err.message).not.toContain('url-sig-Ty77');
    expect(err.remedy).toContain('--sas-token');
  });

  test('the SSH user of an ssh:// or git@ URL is not a credential', () => {
    expect(create('ssh://git@github.com/o/r').config.gitRepository?.url).toBe('ssh://git@github.com/o/r');
    expect(create('git@github.com:o/r').config.gitRepository?.url).toBe('git@github.com:o/r');
  });

  test.each([
    ['HTTPS://github.com/o/r', 'https://github.com/o/r'],
    ['Https://github.com/o/r', 'https://github.com/o/r'],
    ['SSH://git@github.com/o/r', 'ssh://git@github.com/o/r'],
  ])('the scheme of %s is sent in lower case', (url, sent) => {
    expect(create(url).config.gitRepository?.url).toBe(sent);
  });

  test('OCI: OCI://… is sent as oci://…', () => {
    expect(buildFluxConfiguration({ name: 'o', kind: 'oci', url: 'OCI://ghcr.io/o/r' }, fakeInput()).config.ociRepository?.url).toBe('oci://ghcr.io/o/r');
  });

  test('a URL with a space or a control character is refused', () => {
    expectUsageError(() => create('https://github.com/o/r\u001b[2J'));
    expectUsageError(() => create('https://github.com/o/r x'));
  });
});

describe(`generated hostile values in file fields (seed ${SEED})`, () => {
  /** Field, the part of it an error names, and the document with the value in it. */
  const FIELDS: [string, string, (v: string) => unknown][] = [
    ['name', 'name', (v) => ({ ...GIT, name: v })],
    ['namespace', 'namespace', (v) => ({ ...GIT, namespace: v })],
    ['gitRepository.url', 'gitRepository.url', (v) => ({ ...GIT, gitRepository: { ...GIT.gitRepository, url: v } })],
    ['gitRepository.localAuthRef', 'gitRepository.localAuthRef', (v) => ({ ...GIT, gitRepository: { ...GIT.gitRepository, localAuthRef: v } })],
    ['a kustomization name', 'kustomizations', (v) => ({ ...GIT, kustomizations: { [v]: {} } })],
    ['dependsOn', 'kustomizations', (v) => ({ ...GIT, kustomizations: { apps: { dependsOn: [v] } } })],
    ['a substitution variable', 'postBuild.substitute', (v) => ({ ...GIT, kustomizations: { apps: { postBuild: { substitute: { [v]: 'x' } } } } })],
  ];
  const cases = FIELDS.flatMap(([field, names, doc]) => hostileStrings({ base: 'apps', count: 12, seed: SEED + field.length }).map((v) => [field, label(v), v, names, doc] as const));

  test.each(cases)('%s = %s: built, or refused naming the file and the field', (_field, _l, value, names, doc) => {
    let result: ReturnType<typeof build> | undefined;
    try {
      result = build(doc(value), {}, 'c.json');
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      const e = err as UsageError;
      expect(e.flag).toBe(F);
      expect(e.message).toContain('c.json');
      expect(e.message).toContain(names);
      expect(e.message).not.toMatch(UNSAFE_ON_A_TERMINAL);
      expect(e.message.length).toBeLessThan(600);
      return;
    }
    // Accepted: the value is an ordinary one for its field, and the body holds it as data.
    expect(JSON.stringify(fluxConfigurationPutBody(result.config))).not.toMatch(UNSAFE_ON_A_TERMINAL);
  });
});

test('-f - reads the configuration from standard input, once', () => {
  const input = fakeInput({ stdin: JSON.stringify(GIT) });
  expect(buildFluxConfiguration({ file: '-' }, input).config.name).toBe('cfg');
  expect(input.stdinReads).toBe(1);
  const err = expectUsageError(() => buildFluxConfiguration({ file: '-', httpsKey: '-', httpsUser: 'u' }, fakeInput({ stdin: JSON.stringify(GIT) })));
  expect(err.message).toContain('standard input');
});

describe('extension settings files go through the same document parser', () => {
  test('JSON as JSON: an error says where, never quotes the (protected) value', () => {
    const input = fakeInput({ files: { 'p.json': '{\n  "token": protected-setting-Vb82\n}' } });
    const err = expectUsageError(() => buildExtension({ configProtectedFile: 'p.json' }, 'managedClusters', input));
    expect(err.flag).toBe('--config-protected-file');
    expect(err.message).toContain('line 2, column 12');
    expect(err.message).not.toContain('protected-setting-Vb82');
  });

  test('a settings key named __proto__ is an ordinary setting', () => {
    const input = fakeInput({ files: { 's.yaml': '__proto__: "1"\nconstructor: "2"\n' } });
    const { extension } = buildExtension({ configFile: 's.yaml' }, 'managedClusters', input);
    expect(JSON.stringify(extension.configurationSettings)).toBe('{"__proto__":"1","constructor":"2"}');
  });

  test('- reads the settings from standard input', () => {
    const { extension } = buildExtension({ configProtectedFile: '-' }, 'managedClusters', fakeInput({ stdin: '{"key": "stdin-protected-Mm23"}' }));
    expect(extension.configurationProtectedSettings).toEqual({ key: 'stdin-protected-Mm23' });
  });
});
