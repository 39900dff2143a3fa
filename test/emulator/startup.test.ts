/**
 * The emulator as a process: its export lines, --help, usage errors, clean shutdown, the
 * managed-identity token endpoint, the bearer check, and the proof that an unmodified
 * DefaultAzureCredential reaches it with nothing but the exported variables.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { AKS, FAST, FLUX_API, httpsRequest, KC, MAIN, parseExports, ROOT, startEmulator, SUB, type RunningEmulator } from './harness.js';

let emu: RunningEmulator;
const scratch = mkdtempSync(join(tmpdir(), 'emulator-test-'));
const envFile = join(scratch, 'env.sh');
const stateDir = join(scratch, 'state');

beforeAll(async () => {
  // Node 20 reads --env-file itself wherever it appears (and exits when the file is missing), so the file exists beforehand.
  writeFileSync(envFile, '');
  emu = await startEmulator([...FAST, '--env-file', envFile, '--state-dir', stateDir]);
});

afterAll(async () => {
  await emu?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('start-up', () => {
  test('prints exactly one export line per variable and nothing else', () => {
    const lines = emu.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.replace(/=.*/, ''))).toEqual([
      'export AZURE_RESOURCE_MANAGER_ENDPOINT',
      'export AZURE_SUBSCRIPTION_ID',
      'export NODE_EXTRA_CA_CERTS',
      'export IDENTITY_ENDPOINT',
      'export IDENTITY_HEADER',
      'export KUBECONFIG',
    ]);
    expect(emu.env.AZURE_RESOURCE_MANAGER_ENDPOINT).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(emu.env.AZURE_SUBSCRIPTION_ID).toBe(SUB);
    expect(emu.env.IDENTITY_ENDPOINT).toBe(`${emu.base}/msi/token`);
    expect(emu.env.IDENTITY_HEADER!.length).toBeGreaterThanOrEqual(24);
    expect(dirname(emu.env.NODE_EXTRA_CA_CERTS!)).toBe(stateDir);
    expect(readFileSync(emu.env.NODE_EXTRA_CA_CERTS!, 'utf8')).toContain('BEGIN CERTIFICATE');
    expect(emu.env.KUBECONFIG).toBe(join(stateDir, 'kubeconfig'));
  });

  test('the kubeconfig has one context per cluster, trusts the certificate and carries a token per cluster', () => {
    const config = parseYaml(readFileSync(emu.env.KUBECONFIG!, 'utf8'));
    const names = ['aks1', 'arc1', 'arc-offline', 'hci1'];
    expect(config['current-context']).toBe('aks1');
    expect(config.contexts.map((c: { name: string }) => c.name)).toEqual(names);
    for (const name of names) {
      const context = config.contexts.find((c: { name: string }) => c.name === name).context;
      expect(context.cluster).toBe(name);
      const cluster = config.clusters.find((c: { name: string }) => c.name === name).cluster;
      expect(cluster).toEqual({ server: `${emu.base}/k8s/${name}`, 'certificate-authority': emu.env.NODE_EXTRA_CA_CERTS });
      const user = config.users.find((u: { name: string }) => u.name === context.user).user;
      expect(user.token).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    }
    expect(new Set(config.users.map((u: { user: { token: string } }) => u.user.token)).size).toBe(names.length);
    expect(statSync(emu.env.KUBECONFIG!).mode & 0o777).toBe(0o600);
  });

  test('--env-file holds the same lines', () => {
    expect(readFileSync(envFile, 'utf8')).toBe(emu.stdout);
    expect(parseExports(readFileSync(envFile, 'utf8'))).toEqual(emu.env);
  });

  test('--export-file (alias) writes a file that does not exist yet', async () => {
    const path = join(scratch, 'fresh.sh');
    const other = await startEmulator([...FAST, '--export-file', path]);
    try {
      expect(readFileSync(path, 'utf8')).toBe(other.stdout);
    } finally {
      await other.stop();
    }
  });

  test('--help documents the world, every option and the control endpoints', () => {
    const help = spawnSync(process.execPath, [MAIN, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    for (const text of [
      'aks1', 'arc1', 'arc-offline', 'hci1', 'resource group rg', SUB,
      '--port', '--state-dir', '--env-file', '--operation-delay', '--reconcile-delay', '--retry-after', '--page-size',
      '--extension CLUSTER=STATE', '--provider-unregistered', '--fail-kustomization', '--throttle', '--server-errors', '--fail-operation', '--arc-offline',
      '--throttle-retry-after', '--hang N', '--hang-kubernetes', '--respond STATUS',
      '--watch-history', 'export KUBECONFIG=', 'https://127.0.0.1:PORT/k8s/<cluster>', 'kubectl get kustomizations -A',
      'GET    /_emulator/requests', 'DELETE /_emulator/requests', 'POST   /_emulator/faults', 'POST   /_emulator/reset', 'GET    /_emulator/state',
    ]) {
      expect(help.stdout).toContain(text);
    }
  });

  test('a usage error exits 2 with a message on stderr and nothing on stdout', () => {
    for (const args of [['--bogus'], ['--extension', 'nope=installed'], ['--extension', 'aks1=broken'], ['--arc-offline', 'aks1'], ['--port', 'x'], ['--watch-history', '0']]) {
      const run = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });
      expect(run.status).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^emulator: /);
    }
  });

  test.each(['SIGTERM', 'SIGINT'] as const)('%s shuts down cleanly (exit 0) and removes its temporary directory', async (signal) => {
    const other = await startEmulator(FAST);
    const dir = dirname(other.env.NODE_EXTRA_CA_CERTS!);
    expect(existsSync(dir)).toBe(true);
    expect(await other.stop(signal)).toBe(0);
    expect(existsSync(dir)).toBe(false);
  });
});

describe('token endpoint (App Service managed identity protocol)', () => {
  const url = (query: string): string => `${emu.env.IDENTITY_ENDPOINT}?${query}`;

  test('issues an opaque bearer token', async () => {
    const res = await httpsRequest('GET', url(`api-version=2019-08-01&resource=${encodeURIComponent(emu.base)}`), emu.ca, { 'X-IDENTITY-HEADER': emu.env.IDENTITY_HEADER! });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      access_token: expect.any(String),
      expires_on: expect.stringMatching(/^\d+$/),
      resource: emu.base,
      token_type: 'Bearer',
      client_id: expect.any(String),
    });
    expect(Number(res.body.expires_on) * 1000).toBeGreaterThan(Date.now() + 3600 * 1000);
  });

  test('rejects a missing or wrong identity header, a wrong api-version and a missing resource', async () => {
    const ok = `api-version=2019-08-01&resource=${encodeURIComponent(emu.base)}`;
    expect((await httpsRequest('GET', url(ok), emu.ca)).status).toBe(401);
    expect((await httpsRequest('GET', url(ok), emu.ca, { 'X-IDENTITY-HEADER': 'wrong' })).status).toBe(401);
    const badVersion = await httpsRequest('GET', url(`api-version=2017-09-01&resource=x`), emu.ca, { 'X-IDENTITY-HEADER': emu.env.IDENTITY_HEADER! });
    expect(badVersion.status).toBe(400);
    const noResource = await httpsRequest('GET', url('api-version=2019-08-01'), emu.ca, { 'X-IDENTITY-HEADER': emu.env.IDENTITY_HEADER! });
    expect(noResource.status).toBe(400);
  });
});

describe('bearer check on ARM requests', () => {
  const list = `${AKS}/${KC}/fluxConfigurations?${FLUX_API}`;

  test('401 AuthenticationFailed without a token or with one the emulator did not issue', async () => {
    for (const token of [false, 'not-a-token'] as const) {
      const res = await emu.request('GET', list, { token });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('AuthenticationFailed');
      expect(res.body.error.message).toEqual(expect.any(String));
      expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
      expect(res.headers['x-ms-request-id']).toBeDefined();
    }
  });

  test('a token for another audience is refused', async () => {
    const res = await httpsRequest('GET', `${emu.env.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=https%3A%2F%2Fvault.azure.net`, emu.ca, {
      'X-IDENTITY-HEADER': emu.env.IDENTITY_HEADER!,
    });
    const denied = await emu.request('GET', list, { token: res.body.access_token });
    expect(denied.status).toBe(401);
    expect(denied.body.error.code).toBe('InvalidAuthenticationTokenAudience');
  });

  test('tokens for management.azure.com are accepted too', async () => {
    const res = await httpsRequest('GET', `${emu.env.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=https%3A%2F%2Fmanagement.azure.com%2F`, emu.ca, {
      'X-IDENTITY-HEADER': emu.env.IDENTITY_HEADER!,
    });
    expect((await emu.request('GET', list, { token: res.body.access_token })).status).toBe(200);
  });
});

describe('an unmodified DefaultAzureCredential with only the exported variables', () => {
  test('gets a token and lists fluxConfigurations over HTTPS', async () => {
    const script = `
      import { DefaultAzureCredential } from '@azure/identity';
      import { request } from 'node:https';
      const base = process.env.AZURE_RESOURCE_MANAGER_ENDPOINT;
      const token = await new DefaultAzureCredential().getToken(base + '/.default');
      const path = '/subscriptions/' + process.env.AZURE_SUBSCRIPTION_ID +
        '/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1/providers/Microsoft.KubernetesConfiguration/fluxConfigurations?api-version=2025-04-01';
      const res = await new Promise((resolve, reject) => {
        request(base + path, { headers: { Authorization: 'Bearer ' + token.token } }, (r) => {
          let text = '';
          r.on('data', (c) => (text += c));
          r.on('end', () => resolve({ status: r.statusCode, text }));
        }).on('error', reject).end();
      });
      console.log(JSON.stringify({ expires: token.expiresOnTimestamp > Date.now(), ...res }));
    `;
    const env = { ...emu.env, PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect({ code, err }).toEqual({ code: 0, err: '' });
    const result = JSON.parse(out.trim());
    expect(result).toEqual({ expires: true, status: 200, text: '{"value":[]}' });
  });
});
