/**
 * Secrets, for real: distinctive values in every secret flag of `flux config create` and in
 * `extension create --config-protected`, sent to the emulator with --debug (which logs every
 * request body). The emulator must have received each value; nothing the CLI printed, on stdout
 * or stderr, may contain any of them, raw or base64.
 */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, makeTempDir, removeDir } from '../helpers/cli.js';
import { useE2E, ON_AKS, ON_ARC, errors, expectValidArmBodies, inParallel, shortPath, writes, type Run } from './helpers.js';

// One emulator for the file; every PUT and PATCH body it receives is checked against the swagger.
const e2e = useE2E();
let dir: string;

beforeAll(() => {
  dir = makeTempDir('k8s-gitops-e2e-');
});

afterAll(() => {
  if (dir) removeDir(dir);
});

const SSH_KEY_FILE = join(ROOT, 'test', 'fixtures', 'ssh', 'id_ed25519');
const TLS_KEY_FILE = join(ROOT, 'test', 'fixtures', 'certs', 'client.key');
const TLS_CERT_FILE = join(ROOT, 'test', 'fixtures', 'certs', 'client.crt');

const SECRET = {
  httpsKey: 'e2e-https-key-7Qm2vX',
  httpsKeyStdin: 'e2e-https-key-from-stdin-P4kL9w',
  bucketSecretKey: 'e2e-bucket-secret-Hd83Ks',
  accountKey: 'e2e-account-key-Vn27Qa==',
  sasToken: 'sv=2022-11-02&ss=b&sig=e2e-sas-signature-Lr5Tz0',
  spClientSecret: 'e2e-sp-client-secret-Wc61Jy',
  spCertPassword: 'e2e-sp-cert-password-Yb40Nf',
  protected: 'e2e-protected-setting-Ku19Dm',
} as const;

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** The forms a secret could leak in: raw, base64 (with and without padding), and each long line of a PEM. */
function forms(value: string): string[] {
  const out = [value, b64(value), b64(value).replace(/=+$/, '')];
  for (const line of value.split('\n')) if (line.length >= 20 && !line.startsWith('-----')) out.push(line);
  return out;
}

const GIT = ['-u', 'https://github.com/example/fleet', '--branch', 'main', '-k', 'name=apps', 'path=./apps'];
const BLOB = ['--kind', 'azblob', '-u', 'https://fleetstore.blob.core.windows.net', '--container-name', 'manifests', '-k', 'name=apps', 'path=./apps'];
const SP = ['--sp-client-id', '11111111-2222-3333-4444-555555555555', '--sp-tenant-id', '66666666-7777-8888-9999-000000000000'];

interface Case {
  name: string;
  args: string[];
  input?: string;
  /** The secret values this command carries. */
  secrets: string[];
}

function cases(): Case[] {
  const spSecretFile = join(dir, 'sp-secret.txt');
  writeFileSync(spSecretFile, `${SECRET.spClientSecret}\n`);
  const sshKey = readFileSync(SSH_KEY_FILE, 'utf8');
  const tlsKey = readFileSync(TLS_KEY_FILE, 'utf8');
  const config = (name: string, ...rest: string[]): string[] => ['flux', 'config', 'create', ...ON_AKS, '-n', name, ...rest, '--debug'];
  return [
    { name: '--https-key VALUE', args: config('git-https', ...GIT, '--https-user', 'fleet-bot', '--https-key', SECRET.httpsKey), secrets: [SECRET.httpsKey] },
    { name: '--https-key - (stdin)', args: config('git-https-stdin', ...GIT, '--https-user', 'fleet-bot', '--https-key', '-'), input: `${SECRET.httpsKeyStdin}\n`, secrets: [SECRET.httpsKeyStdin] },
    {
      name: '--ssh-private-key-file',
      args: config('git-ssh', '-u', 'ssh://git@github.com/example/fleet', '--branch', 'main', '-k', 'name=apps', 'path=./apps', '--ssh-private-key-file', SSH_KEY_FILE),
      secrets: [sshKey],
    },
    {
      name: '--bucket-secret-key',
      args: config('bucket', '--kind', 'bucket', '-u', 'https://s3.example.com', '--bucket-name', 'fleet', '--bucket-access-key', 'AKIDEXAMPLE', '--bucket-secret-key', SECRET.bucketSecretKey, '-k', 'name=apps', 'path=./apps'),
      secrets: [SECRET.bucketSecretKey],
    },
    { name: '--account-key', args: config('blob-key', ...BLOB, '--account-key', SECRET.accountKey), secrets: [SECRET.accountKey] },
    { name: '--sas-token', args: config('blob-sas', ...BLOB, '--sas-token', SECRET.sasToken), secrets: [SECRET.sasToken] },
    { name: '--sp-client-secret @FILE', args: config('blob-sp', ...BLOB, ...SP, '--sp-client-secret', `@${spSecretFile}`), secrets: [SECRET.spClientSecret] },
    {
      name: '--sp-cert-password',
      args: config('blob-cert', ...BLOB, ...SP, '--sp-client-cert', `@${TLS_CERT_FILE}`, '--sp-cert-password', SECRET.spCertPassword),
      secrets: [SECRET.spCertPassword],
    },
    {
      name: '--tls-private-key @FILE',
      args: config('oci-mtls', '--kind', 'oci', '-u', 'oci://registry.example.com/fleet/manifests', '--tag', 'v1', '--tls-client-certificate', `@${TLS_CERT_FILE}`, '--tls-private-key', `@${TLS_KEY_FILE}`,
        '-k', 'name=apps', 'path=./'),
      secrets: [tlsKey],
    },
    {
      name: 'extension create --config-protected',
      args: ['extension', 'create', ...ON_ARC, '--config-protected', `webhook.token=${SECRET.protected}`, '--debug'],
      secrets: [SECRET.protected],
    },
  ];
}

describe('secrets are sent but never printed', () => {
  test('every secret flag, with --debug: the emulator received each value, no output shows any', async () => {
    await e2e.reset({ extension: { aks1: 'installed' } });
    const all = cases();
    const runs: Run[] = await inParallel(all, 3, (c) => e2e.cliAsync(c.args, c.input === undefined ? {} : { input: c.input }));
    const log = await e2e.requests();
    const bodies = writes(log).map((r) => JSON.stringify(r.body));
    expect(expectValidArmBodies(log)).toBe(all.length);

    all.forEach((c, i) => {
      const run = runs[i]!;
      expect({ case: c.name, status: run.status, errors: errors(run.stderr) }).toEqual({ case: c.name, status: 0, errors: [] });
      // --debug did log the exchange, body included, with the secret redacted.
      expect({ case: c.name, debug: /^DEBUG: +body: .*\[REDACTED\]/m.test(run.stderr) }).toEqual({ case: c.name, debug: true });
      // The command printed the resource it made.
      expect(run.json()).toMatchObject({ provisioningState: 'Succeeded' });

      const printed = `${run.stdout}\n${run.stderr}`;
      for (const secret of c.secrets) {
        // Sent: the raw value or its base64 is in what the emulator received.
        expect({ case: c.name, received: bodies.some((b) => b.includes(secret.replace(/\n/g, '\\n')) || b.includes(b64(secret))) }).toEqual({ case: c.name, received: true });
        // Never printed, in any form, by any of the runs.
        for (const form of forms(secret)) {
          for (const other of runs) {
            expect({ case: c.name, leaked: `${other.stdout}\n${other.stderr}`.includes(form) }).toEqual({ case: c.name, leaked: false });
          }
        }
      }
      // A secret given literally is warned about (shell history); from a file or stdin it is not.
      const literal = !/@FILE|stdin|-file|--config-protected/.test(c.name);
      if (literal) expect(printed).toMatch(/^WARNING: .*stays in your shell history/m);
    });

    // Each secret went where the API wants it.
    const byName = new Map(writes(log).map((r) => [shortPath(r.path), r.body]));
    expect(byName.get('fluxConfigurations/git-https').properties.configurationProtectedSettings).toEqual({ httpsKey: b64(SECRET.httpsKey) });
    expect(byName.get('fluxConfigurations/git-https-stdin').properties.configurationProtectedSettings).toEqual({ httpsKey: b64(SECRET.httpsKeyStdin) });
    expect(byName.get('fluxConfigurations/git-ssh').properties.configurationProtectedSettings).toEqual({ sshPrivateKey: b64(readFileSync(SSH_KEY_FILE, 'utf8')) });
    expect(byName.get('fluxConfigurations/bucket').properties.configurationProtectedSettings).toEqual({ bucketSecretKey: b64(SECRET.bucketSecretKey) });
    expect(byName.get('fluxConfigurations/blob-key').properties.azureBlob.accountKey).toBe(SECRET.accountKey);
    expect(byName.get('fluxConfigurations/blob-sas').properties.azureBlob.sasToken).toBe(SECRET.sasToken);
    expect(byName.get('fluxConfigurations/blob-sp').properties.azureBlob.servicePrincipal.clientSecret).toBe(SECRET.spClientSecret);
    expect(byName.get('fluxConfigurations/blob-cert').properties.azureBlob.servicePrincipal.clientCertificatePassword).toBe(SECRET.spCertPassword);
    expect(byName.get('fluxConfigurations/oci-mtls').properties.ociRepository.tlsConfig.privateKey).toBe(b64(readFileSync(TLS_KEY_FILE, 'utf8')));
    expect(byName.get('extensions/flux').properties.configurationProtectedSettings).toEqual({ 'webhook.token': SECRET.protected });
  });
});
