/**
 * Secrets never leave the process: a distinctive
 * value is planted in every secret flag, given literally, as @FILE and on standard input, and
 * the CLI is run with every kind of output (cluster YAML stream, JSON List, ARM request as JSON
 * and YAML) and with --verbose and --debug. Neither the value nor its base64 encoding may appear
 * on stdout or stderr, and the redaction marker must stand where the value would be. A literal
 * secret on the command line draws a warning (silenced by --only-show-errors); @FILE and - do not.
 */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { FAKE_SUBSCRIPTION, ROOT, makeTempDir, removeDir, runCli, type CliResult } from '../helpers/cli.js';

type Json = Record<string, any>;
type Form = 'literal' | 'file' | 'stdin';

const REDACTED = '[REDACTED]';
const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const SSH_KEY = readFileSync(join(ROOT, 'test', 'fixtures', 'ssh', 'id_ed25519'), 'utf8');
const FAKE_CERT = [
  '-----BEGIN CERTIFICATE-----',
  'MIIBszCCAVmgAwIBAgIUSpClientCertificateBodyLineOne0123456789abcdefgh',
  'SpClientCertificateBodyLineTwoIJKLMNOPQRSTUVWXYZ0123456789zyxwvutsrq',
  '-----END CERTIFICATE-----',
  '',
].join('\n');

const FLUX = ['flux', 'config', 'create', '-g', 'rg', '-c', 'aks1', '-t', 'managedClusters', '-n', 'cfg', '--subscription', FAKE_SUBSCRIPTION, '-k', 'name=apps', 'path=./apps'];
const GIT_HTTPS = [...FLUX, '-u', 'https://github.com/contoso/private-repo', '--branch', 'main', '--https-user', 'git-user'];
const GIT_SSH = [...FLUX, '-u', 'ssh://git@github.com/contoso/private-repo', '--branch', 'main'];
const BUCKET = [...FLUX, '--kind', 'bucket', '-u', 'https://minio.example.com', '--bucket-name', 'manifests', '--bucket-access-key', 'access-key-id'];
const BLOB = [...FLUX, '--kind', 'azblob', '-u', 'https://contosostorage.blob.core.windows.net', '--container-name', 'manifests'];
const SP = ['--sp-client-id', '33333333-3333-3333-3333-333333333333', '--sp-tenant-id', '44444444-4444-4444-4444-444444444444'];
const EXTENSION = ['extension', 'create', '-g', 'rg', '-c', 'arc1', '-t', 'connectedClusters', '--subscription', FAKE_SUBSCRIPTION];

interface SecretCase {
  name: string;
  /** The flag that takes the secret, as its warning names it. */
  flag: string;
  secret: string;
  /** What is typed for the literal form (az takes SSH keys base64-encoded). */
  literal?: string;
  /** The command line, given how the secret is passed (the value, @PATH or -). */
  args: (value: string) => string[];
  /** How the file form is passed (default: `@PATH` through `args`). */
  fileArgs?: (path: string) => string[];
  forms: Form[];
  /** Where the marker stands in the ARM request body. */
  armPath: string[];
  /** Secrets rendered for the cluster: [Secret name, key]; none for an extension. */
  clusterSecrets?: Array<[string, string]>;
}

const CASES: SecretCase[] = [
  {
    name: 'git --https-key',
    flag: '--https-key',
    secret: 'HttpsKey-pl4nted-7Qz9vXw2',
    args: (v) => [...GIT_HTTPS, '--https-key', v],
    forms: ['literal', 'file', 'stdin'],
    armPath: ['properties', 'configurationProtectedSettings', 'httpsKey'],
    clusterSecrets: [['cfg-auth', 'password'], ['cfg-protected-parameters', 'httpsKey']],
  },
  {
    name: 'bucket --bucket-secret-key',
    flag: '--bucket-secret-key',
    secret: 'BucketSecret-pl4nted-K3m8Rt5y',
    args: (v) => [...BUCKET, '--bucket-secret-key', v],
    forms: ['literal', 'file', 'stdin'],
    armPath: ['properties', 'configurationProtectedSettings', 'bucketSecretKey'],
    clusterSecrets: [['cfg-auth', 'secretkey'], ['cfg-protected-parameters', 'bucketSecretKey']],
  },
  {
    name: 'azblob --account-key',
    flag: '--account-key',
    secret: 'AccountKey-pl4nted-Zx7Lw3Qp9Vn2Hb6Jd4Tf8Ys1Ru5Ec0Ga',
    args: (v) => [...BLOB, '--account-key', v],
    forms: ['literal', 'file', 'stdin'],
    armPath: ['properties', 'azureBlob', 'accountKey'],
    clusterSecrets: [['cfg-auth', 'accountKey']],
  },
  {
    name: 'azblob --sas-token',
    flag: '--sas-token',
    secret: 'sv=2022-11-02&ss=b&srt=co&sp=rl&se=2030-01-01T00:00:00Z&sig=SasSig-pl4nted-N6b2Vc8Xz4',
    args: (v) => [...BLOB, '--sas-token', v],
    forms: ['literal', 'file', 'stdin'],
    armPath: ['properties', 'azureBlob', 'sasToken'],
    clusterSecrets: [['cfg-auth', 'sasKey']],
  },
  {
    name: 'azblob --sp-client-secret',
    flag: '--sp-client-secret',
    secret: 'SpClientSecret-pl4nted-W9e3R7t1Y5',
    args: (v) => [...BLOB, ...SP, '--sp-client-secret', v],
    forms: ['literal', 'file', 'stdin'],
    armPath: ['properties', 'azureBlob', 'servicePrincipal', 'clientSecret'],
    clusterSecrets: [['cfg-auth', 'clientSecret']],
  },
  {
    name: 'azblob --sp-client-cert',
    flag: '--sp-client-cert',
    secret: FAKE_CERT,
    args: (v) => [...BLOB, ...SP, '--sp-client-cert', v],
    forms: ['literal', 'file', 'stdin'],
    armPath: ['properties', 'azureBlob', 'servicePrincipal', 'clientCertificate'],
    clusterSecrets: [['cfg-auth', 'clientCertificate']],
  },
  {
    name: 'azblob --sp-cert-password',
    flag: '--sp-cert-password',
    secret: 'SpCertPassword-pl4nted-U2i6O0p4A8',
    args: (v) => [...BLOB, ...SP, '--sp-client-cert', `@${certFile}`, '--sp-cert-password', v],
    forms: ['literal', 'file', 'stdin'],
    armPath: ['properties', 'azureBlob', 'servicePrincipal', 'clientCertificatePassword'],
    clusterSecrets: [['cfg-auth', 'clientCertificatePassword']],
  },
  {
    name: 'git --ssh-private-key (base64 as az takes it, @FILE, -)',
    flag: '--ssh-private-key',
    secret: SSH_KEY,
    literal: b64(SSH_KEY),
    args: (v) => [...GIT_SSH, '--ssh-private-key', v],
    forms: ['literal', 'file', 'stdin'],
    armPath: ['properties', 'configurationProtectedSettings', 'sshPrivateKey'],
    clusterSecrets: [['cfg-auth', 'identity'], ['cfg-protected-parameters', 'sshPrivateKey']],
  },
  {
    name: 'git --ssh-private-key-file',
    flag: '--ssh-private-key-file',
    secret: SSH_KEY,
    args: (v) => [...GIT_SSH, v],
    fileArgs: (path) => [...GIT_SSH, '--ssh-private-key-file', path],
    forms: ['file'],
    armPath: ['properties', 'configurationProtectedSettings', 'sshPrivateKey'],
    clusterSecrets: [['cfg-auth', 'identity'], ['cfg-protected-parameters', 'sshPrivateKey']],
  },
  {
    name: 'extension --config-protected',
    flag: '--config-protected',
    secret: 'ExtProtected-pl4nted-H5j9K3l7M1',
    args: (v) => [...EXTENSION, '--config', 'multiTenancy.enforce=true', '--config-protected', `workloadIdentity.azureClientSecret=${v}`],
    forms: ['literal', 'file', 'stdin'],
    armPath: ['properties', 'configurationProtectedSettings', 'workloadIdentity.azureClientSecret'],
  },
];

interface Mode {
  args: string[];
  target: 'cluster' | 'arm';
  format: 'json' | 'yaml';
}

const mode = (target: Mode['target'], format: Mode['format'], ...args: string[]): Mode => ({ args, target, format });

/**
 * The outputs each form is checked with: together they cover the cluster YAML stream, the JSON
 * List, the ARM request as JSON and YAML, --verbose and --debug (a literal secret with --debug
 * has a test of its own below).
 */
const FLUX_MODES: Record<Form, Mode[]> = {
  literal: [
    mode('cluster', 'yaml', '--dry-run'),
    mode('cluster', 'json', '--dry-run', '-o', 'json', '--verbose'),
    mode('arm', 'json', '--dry-run=arm'),
    mode('arm', 'yaml', '--dry-run=arm', '-o', 'yaml', '--verbose'),
  ],
  file: [mode('cluster', 'yaml', '--dry-run', '-o', 'yaml', '--debug'), mode('arm', 'json', '--dry-run=arm', '-o', 'jsonc', '--debug')],
  stdin: [mode('cluster', 'json', '--dry-run', '-o', 'json', '--debug', '--verbose'), mode('arm', 'yaml', '--dry-run=arm', '-o', 'yaml', '--debug')],
};
const EXTENSION_MODES: Record<Form, Mode[]> = {
  literal: [mode('arm', 'json', '--dry-run=arm', '--verbose'), mode('arm', 'yaml', '--dry-run=arm', '-o', 'yaml')],
  file: [mode('arm', 'json', '--dry-run=arm', '--debug')],
  stdin: [mode('arm', 'yaml', '--dry-run=arm', '-o', 'yaml', '--debug', '--verbose')],
};

/** Every form in which a secret could leak: as given, trimmed, base64 (padded or not), JSON-escaped, and each line of a multi-line secret. */
function leakForms(secret: string): string[] {
  const forms = new Set<string>();
  const add = (s: string): void => {
    if (s.length >= 12) forms.add(s);
  };
  for (const v of new Set([secret, secret.trim(), `${secret.trim()}\n`])) {
    add(v);
    add(b64(v));
    add(b64(v).replace(/=+$/, ''));
    add(JSON.stringify(v).slice(1, -1));
  }
  for (const line of secret.split('\n')) {
    if (!line.startsWith('-----')) add(line.trim());
  }
  return [...forms];
}

function expectNoLeak(result: CliResult, secret: string, label: string): void {
  for (const form of leakForms(secret)) {
    expect({ label, leakedOnStdout: result.stdout.includes(form) }).toEqual({ label, leakedOnStdout: false });
    expect({ label, leakedOnStderr: result.stderr.includes(form) }).toEqual({ label, leakedOnStderr: false });
  }
}

function at(value: unknown, path: string[]): unknown {
  return path.reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Json)[key] : undefined), value);
}

/** Parses the output and checks that the marker stands where the secret would be. */
function expectMarker(result: CliResult, c: SecretCase, m: Mode, label: string): void {
  expect(result.stdout).toContain(REDACTED);
  if (m.target === 'arm') {
    const request = (m.format === 'json' ? JSON.parse(result.stdout) : parseYaml(result.stdout)) as Json;
    expect({ label, value: at(request.body, c.armPath) }).toEqual({ label, value: REDACTED });
    return;
  }
  const items = (m.format === 'json' ? (JSON.parse(result.stdout) as Json).items : parseAllDocuments(result.stdout).map((d) => d.toJS())) as Json[];
  for (const [name, key] of c.clusterSecrets ?? []) {
    const secret = items.find((i) => i.kind === 'Secret' && i.metadata.name === name);
    expect({ label, secret: name, value: secret?.stringData?.[key] }).toEqual({ label, secret: name, value: REDACTED });
  }
}

let dir: string;
let certFile: string;

beforeAll(() => {
  dir = makeTempDir();
  certFile = join(dir, 'sp-cert.pem');
  writeFileSync(certFile, FAKE_CERT);
});

afterAll(() => {
  removeDir(dir);
});

/** Writes the secret to a file as a user would keep it (with a trailing newline) and returns its path. */
function secretFile(c: SecretCase): string {
  const path = join(dir, `${c.flag.replace(/^-+/, '')}.secret`);
  writeFileSync(path, c.secret.endsWith('\n') ? c.secret : `${c.secret}\n`);
  return path;
}

function run(c: SecretCase, form: Form, extra: string[]): CliResult {
  if (form === 'literal') return runCli([...c.args(c.literal ?? c.secret), ...extra]);
  if (form === 'stdin') return runCli([...c.args('-'), ...extra], { input: c.secret });
  const path = secretFile(c);
  return runCli([...(c.fileArgs ? c.fileArgs(path) : c.args(`@${path}`)), ...extra]);
}

const historyWarning = (flag: string): RegExp => new RegExp(`^WARNING: .*${flag.replace(/-/g, '\\-')}.*shell history`, 'm');

describe.each(CASES.map((c): [string, SecretCase] => [c.name, c]))('%s', (_name, c) => {
  const modes = c.flag === '--config-protected' ? EXTENSION_MODES : FLUX_MODES;
  const runs: Array<[string, Form, Mode]> = [];
  for (const form of c.forms) {
    for (const m of modes[form]) runs.push([`${form} ${m.args.join(' ')}`, form, m]);
  }

  test.each(runs)('%s: no trace of the secret, the marker in its place', (label, form, m) => {
    const result = run(c, form, m.args);
    expect({ label, status: result.status, stderr: result.stderr }).toEqual({ label, status: 0, stderr: expect.not.stringMatching(/^ERROR:/m) });
    expectNoLeak(result, c.secret, label);
    expectMarker(result, c, m, label);
    if (form === 'literal') expect(result.stderr).toMatch(historyWarning(c.flag));
    else expect(result.stderr).not.toMatch(/shell history/);
  });
});

describe('warnings about literal secrets', () => {
  const literalCases = CASES.filter((c) => ['--https-key', '--ssh-private-key', '--config-protected'].includes(c.flag));

  test.each(literalCases.map((c): [string, SecretCase] => [c.name, c]))('%s: --only-show-errors silences the warning', (_name, c) => {
    const result = run(c, 'literal', ['--dry-run=arm', '--only-show-errors']);
    expect(result.status).toBe(0);
    expect(result.stderr).not.toMatch(/WARNING/);
    expectNoLeak(result, c.secret, 'only-show-errors');
    expect(at((JSON.parse(result.stdout) as Json).body, c.armPath)).toBe(REDACTED);
  });
});

describe('secrets in failing commands', () => {
  test('a literal secret is not echoed by a usage error', () => {
    // HTTPS credentials with an SSH URL: refused after the secret has been read.
    const secret = 'HttpsKey-in-error-pl4nted-Q1w2E3r4';
    const result = runCli([...GIT_SSH, '--https-user', 'git-user', '--https-key', secret, '--dry-run=arm']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^ERROR:/m);
    expectNoLeak(result, secret, 'usage error');
  });

  test('a protected setting is not echoed when the output format is refused', () => {
    const secret = 'ExtProtected-in-error-pl4nted-T5y6U7';
    const result = runCli([...EXTENSION, '--config-protected', `token=${secret}`, '--dry-run=arm', '-o', 'xml']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expectNoLeak(result, secret, 'bad -o');
  });

  // A literal secret is on the command line before any flag is parsed: --debug must not echo it.
  test('--debug does not print a literal secret from the command line', () => {
    const c = CASES[0]!;
    const result = run(c, 'literal', ['--dry-run=arm', '--debug']);
    expect(result.status).toBe(0);
    expectNoLeak(result, c.secret, 'debug literal');
  });
});
