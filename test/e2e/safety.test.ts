/**
 * Safe to run unattended, through the built CLI against the emulator: every refusal exits 2 (or 1
 * where it is Azure's state that stops it) with one safe ERROR line naming the flag or the file
 * and field, and the emulator received nothing — no ARM request, no token request. Hostile
 * values come from the seeded generator in test/helpers/hostile.ts (HOSTILE_SEED replays
 * another sequence).
 */
import { describe, test, expect, beforeAll, afterAll, beforeEach } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { delimiter, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { makeTempDir, removeDir } from '../helpers/cli.js';
import { hostileStrings, label, SEED, UNSAFE_ON_A_TERMINAL } from '../helpers/hostile.js';
import { useE2E, AKS, ON_AKS, errors, fluxConfigUrl, inParallel, shortPath, summary, writes, type Run } from './helpers.js';

const e2e = useE2E();
let dir: string;

beforeAll(() => {
  dir = makeTempDir('k8s-gitops-safety-');
});

afterAll(() => {
  if (dir) removeDir(dir);
});

const SUB = '00000000-0000-0000-0000-000000000000';
const AKS_ID = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1`;
const URL_ = 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt';
const CONFIG = [...ON_AKS, '-n', 'cluster-config'];
const CREATE = ['flux', 'config', 'create', ...ON_AKS, '-n', 'safe', '-u', URL_, '--branch', 'main', '-k', 'name=apps', 'path=./apps'];

/** A world where aks1 has Flux and the tutorial configuration; nothing logged or counted yet. */
async function freshWorld(): Promise<void> {
  await e2e.reset({ extension: { aks1: 'installed' } });
  await e2e.putTutorial();
  await e2e.clearRequests();
  await e2e.emu.control('DELETE', 'connections');
}

/** The emulator received nothing: no ARM request, and no connection asked for a token or the cluster. */
async function expectNothingSent(): Promise<void> {
  expect(summary(await e2e.requests())).toEqual([]);
  const connections = (await e2e.emu.control('GET', 'connections')).body as { arm: number; token: number; kubernetes: number };
  expect({ arm: connections.arm, token: connections.token, kubernetes: connections.kubernetes }).toEqual({ arm: 0, token: 0, kubernetes: 0 });
}

/** A refusal: exit `code`, nothing on stdout, one ERROR line (mentioning each of `mentions`), every line visible and bounded. */
function expectRefused(run: Run, mentions: string[], code = 2): void {
  const context = { stderr: run.stderr, status: run.status };
  expect({ ...context, status: run.status }).toEqual({ ...context, status: code });
  expect(run.stdout).toBe('');
  const lines = errors(run.stderr);
  expect(lines).toHaveLength(1);
  for (const word of mentions) expect({ word, line: lines[0] }).toEqual({ word, line: expect.stringContaining(word) });
  expect(run.stderr).not.toMatch(UNSAFE_ON_A_TERMINAL);
  expect(run.stderr.length).toBeLessThan(4000);
  expect(run.stderr).not.toMatch(/^\s+at /m);
}

/** Values a process can take as an argument (no NUL), that the rule in `valid` refuses. */
const hostile = (base: string, count: number, valid: (v: string) => boolean, seed = SEED): string[] =>
  hostileStrings({ base, count: count * 3, seed })
    .filter((v) => !v.includes('\u0000') && !valid(v))
    .slice(0, count);

describe(`§1 identifiers: generated hostile names are refused before anything is sent (seed ${SEED})`, () => {
  beforeEach(freshWorld);

  const aksName = (v: string): boolean => /^[a-zA-Z0-9]([-_a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$/.test(v);
  const group = (v: string): boolean => /^[\p{L}\p{Mn}\p{Nd}_\-.()]{1,90}$/u.test(v) && !v.endsWith('.');
  const dns = (v: string): boolean => v.length <= 63 && v.split('.').every((l) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(l));
  const extension = (v: string): boolean => /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/i.test(v);

  interface Case {
    flag: string;
    value: string;
    args: string[];
  }
  const CASES: Case[] = [
    ...hostile('rg', 5, group).map((v) => ({ flag: '-g/--resource-group', value: v, args: ['flux', 'config', 'delete', '-g', v, '-c', 'aks1', '-t', 'managedClusters', '-n', 'cluster-config', '--yes'] })),
    ...hostile('aks1', 5, aksName).map((v) => ({ flag: '-c/--cluster-name', value: v, args: ['flux', 'config', 'delete', '-g', 'rg', '-c', v, '-t', 'managedClusters', '-n', 'cluster-config', '--yes'] })),
    ...hostile(AKS_ID, 5, () => false).map((v) => ({ flag: '--cluster-id', value: v, args: ['extension', 'delete', '--cluster-id', v, '--yes'] })),
    ...hostile('cluster-config', 5, dns).map((v) => ({ flag: '-n/--name', value: v, args: ['flux', 'config', 'delete', ...ON_AKS, '-n', v, '--yes'] })),
    ...hostile('flux', 4, extension).map((v) => ({ flag: '-n/--name', value: v, args: ['extension', 'delete', ...ON_AKS, '-n', v, '--yes'] })),
    ...hostile(SUB, 4, () => false).map((v) => ({ flag: '--subscription', value: v, args: ['flux', 'config', 'show', ...CONFIG, '--subscription', v] })),
  ].filter((c) => !c.value.startsWith('-') || c.value.includes(' ')); // a leading dash is the next section's subject

  test('every case exits 2 naming its flag, and nothing reaches the emulator', async () => {
    expect(CASES.length).toBeGreaterThanOrEqual(20);
    const runs = await inParallel(CASES, 3, (c) => e2e.cliAsync(c.args));
    runs.forEach((run, i) => {
      const c = CASES[i]!;
      expect({ case: `${c.flag} ${label(c.value)}`, status: run.status }).toEqual({ case: `${c.flag} ${label(c.value)}`, status: 2 });
      expectRefused(run, [c.flag]);
    });
    await expectNothingSent();
  }, 180_000);

  test("the issue's example: extension delete --cluster-id '<AKS id>#' --yes deletes nothing", async () => {
    const run = e2e.cli(['extension', 'delete', '--cluster-id', `${AKS_ID}#`, '--yes']);
    expectRefused(run, ['--cluster-id', "'aks1#'"]);
    await expectNothingSent();
    expect(await e2e.armStatus(`${AKS}/providers/Microsoft.KubernetesConfiguration/extensions/flux?api-version=2023-05-01`)).toBe(200);
  });

  test('a valid resource group with parentheses is sent as one encoded segment (and is not found: exit 3)', async () => {
    const run = e2e.cli(['flux', 'config', 'show', '-g', 'rg(prod)', '-c', 'aks1', '-t', 'managedClusters', '-n', 'cluster-config']);
    expect(run.status).toBe(3);
    const [first] = await e2e.requests();
    expect(first!.path.split('/')).toEqual(['', 'subscriptions', SUB, 'resourceGroups', 'rg(prod)', 'providers', 'Microsoft.ContainerService', 'managedClusters', 'aks1', 'providers', 'Microsoft.KubernetesConfiguration', 'fluxConfigurations', 'cluster-config']);
  });
});

describe(`§2 a flag with a missing value never takes the next flag (seed ${SEED})`, () => {
  beforeEach(freshWorld);

  const VALUE_FLAGS = ['--branch', '-u', '--url', '-n', '--namespace', '--https-user', '--https-key', '--interval', '--kind', '-g', '--subscription', '--local-auth-ref'];
  const NEXT = ['--dry-run=arm', '--dry-run', '--yes', '-o', '--no-wait', '--debug', '--anything-else'];

  test('generated pairs on flux config create exit 2 with "expected one argument", nothing sent', async () => {
    const random = (await import('../helpers/hostile.js')).prng(SEED);
    const pairs = Array.from({ length: 10 }, () => [VALUE_FLAGS[Math.floor(random() * VALUE_FLAGS.length)]!, NEXT[Math.floor(random() * NEXT.length)]!] as const);
    pairs.push(['--branch', '--dry-run=arm']); // the example: it made a real create
    const runs = await inParallel(pairs, 3, ([flag, next]) => {
      const args = CREATE.filter((_, i, all) => all[i] !== flag && all[i - 1] !== flag);
      return e2e.cliAsync([...args, flag, next, 'json']);
    });
    runs.forEach((run, i) => {
      const [flag] = pairs[i]!;
      expectRefused(run, [flag, 'expected one argument']);
    });
    await expectNothingSent();
  }, 120_000);

  test('- stays standard input, and --flag=VALUE takes a value that starts with dashes', async () => {
    const run = e2e.cli([...CREATE, '--https-user', 'bot', '--https-key', '-', '--dry-run=arm'], { input: '--token-from-stdin-77\n' });
    expect(run.status).toBe(0);
    expect(run.json().body.properties.configurationProtectedSettings.httpsKey).toBe('[REDACTED]');
    const inline = e2e.cli([...CREATE, '--https-user', 'bot', '--https-key=--token-inline-78', '--dry-run=arm']);
    expect(inline.status).toBe(0);
    expect(inline.stdout + inline.stderr).not.toContain('token-inline-78');
    await expectNothingSent();
  });
});

describe('§3 files and streams are read within bounds', () => {
  beforeEach(freshWorld);

  test('devices, a FIFO, a directory, a 50 MB file and 6 MB on standard input are refused at once', async () => {
    const fifo = join(dir, 'config.fifo');
    execFileSync('mkfifo', [fifo]);
    const big = join(dir, 'big.yaml');
    writeFileSync(big, '');
    truncateSync(big, 50 * 1024 * 1024);
    const cases: [string[], string[], string?][] = [
      [['flux', 'config', 'create', ...ON_AKS, '-f', '/dev/zero'], ['-f/--file', 'not a regular file']],
      [['flux', 'config', 'create', ...ON_AKS, '-f', fifo], ['-f/--file', 'not a regular file']],
      [['flux', 'config', 'create', ...ON_AKS, '-f', dir], ['-f/--file', 'directory']],
      [['flux', 'config', 'create', ...ON_AKS, '-f', big], ['-f/--file', '4 MiB']],
      [['flux', 'config', 'create', ...ON_AKS, '-f', '-'], ['-f/--file', '4 MiB'], 'x'.repeat(6 * 1024 * 1024)],
      [[...CREATE, '--https-user', 'u', '--https-key', '@/dev/urandom'], ['--https-key', 'not a regular file']],
      [[...CREATE.slice(0, 11), '-u', 'ssh://git@github.com/o/r', '--ssh-private-key-file', fifo], ['--ssh-private-key-file', 'not a regular file']],
      [['extension', 'create', ...ON_AKS, '-n', 'other', '--extension-type', 'microsoft.other', '--config-file', '/dev/zero'], ['--config-file', 'not a regular file']],
    ];
    const started = Date.now();
    const runs = await inParallel(cases, 3, ([args, , input]) => e2e.cliAsync(args, { ...(input !== undefined ? { input } : {}), timeout: 30_000 }));
    runs.forEach((run, i) => expectRefused(run, cases[i]![1]));
    expect(Date.now() - started).toBeLessThan(60_000); // nothing waited for a writer or read until memory ran out
    await expectNothingSent();
  }, 90_000);

  test('-f - reads the configuration from standard input', async () => {
    const doc = { name: 'from-stdin', gitRepository: { url: URL_, repositoryRef: { branch: 'main' } }, kustomizations: { apps: { path: './apps' } } };
    const run = e2e.cli(['flux', 'config', 'create', ...ON_AKS, '-f', '-', '--no-wait'], { input: JSON.stringify(doc) });
    expect(run.status).toBe(0);
    expect(summary(writes(await e2e.requests()))).toEqual(['PUT fluxConfigurations/from-stdin']);
  });

  test(`generated hostile values in file fields are refused naming the file and the field (seed ${SEED})`, async () => {
    const base = { name: 'from-file', gitRepository: { url: URL_, repositoryRef: { branch: 'main' }, timeoutInSeconds: 60 }, kustomizations: { apps: { path: './apps' } } as Record<string, { path: string }> };
    type Doc = typeof base & Record<string, unknown>;
    const FIELDS: [string, (v: string) => Doc][] = [
      ['name', (v) => ({ ...base, name: v })],
      ['namespace', (v) => ({ ...base, namespace: v })],
      ['gitRepository.url', (v) => ({ ...base, gitRepository: { ...base.gitRepository, url: v } })],
      ['kustomizations', (v) => ({ ...base, kustomizations: { [v]: { path: './x' } } })],
    ];
    const cases = FIELDS.flatMap(([field, doc]) => hostile('apps', 3, (v) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v), SEED + field.length).map((v) => ({ field, doc: doc(v) })));
    cases.push({ field: 'gitRepository.timeoutInSeconds', doc: { ...base, gitRepository: { ...base.gitRepository, timeoutInSeconds: 0 } } });
    cases.push({ field: 'gitRepository.timeoutInSeconds', doc: { ...base, gitRepository: { ...base.gitRepository, timeoutInSeconds: 1e300 } } });
    const runs = await inParallel(cases, 3, (c, ) => {
      const file = join(dir, `fuzz-${cases.indexOf(c)}.json`);
      writeFileSync(file, JSON.stringify(c.doc));
      return e2e.cliAsync(['flux', 'config', 'create', ...ON_AKS, '-f', file]);
    });
    runs.forEach((run, i) => expectRefused(run, ['-f/--file', `fuzz-${i}.json`, cases[i]!.field.split('.')[0]!]));
    await expectNothingSent();
  }, 120_000);

  test('-k keys and substitution variables never touch the prototype chain', async () => {
    const unknown = e2e.cli([...CREATE, '-k', 'name=web', 'constructor=x']);
    expectRefused(unknown, ['-k/--kustomization', "unknown key 'constructor'"]);
    await expectNothingSent();
    const run = e2e.cli([...CREATE.slice(0, -3), '-k', 'name=apps', 'path=./apps', 'substitute=__proto__=a', 'substitute=toString=b', 'substitute=constructor=c', '--no-wait']);
    expect(run.status).toBe(0);
    const [put] = writes(await e2e.requests());
    expect(JSON.stringify(put!.body.properties.kustomizations.apps.postBuild.substitute)).toBe('{"__proto__":"a","toString":"b","constructor":"c"}');
  });

  test('credentials in a source URL are refused naming the proper flags, and never printed', async () => {
    const run = e2e.cli([...CREATE.filter((a) => a !== URL_).filter((a, i, all) => !(a === '-u' && all[i + 1] === '--branch')), '-u', 'https://bot:url-token-Kk42@github.com/o/r']);
    expectRefused(run, ['-u/--url', 'credentials']);
    expect(run.stderr).toContain('--https-user and --https-key');
    expect(run.stderr).not.toContain('url-token-Kk42');
    await expectNothingSent();
  });

  test('HTTPS:// is sent as https://', async () => {
    const run = e2e.cli(['flux', 'config', 'create', ...ON_AKS, '-n', 'upper', '-u', 'HTTPS://github.com/o/r', '--branch', 'main', '--no-wait']);
    expect(run.status).toBe(0);
    expect(writes(await e2e.requests())[0]!.body.properties.gitRepository.url).toBe('https://github.com/o/r');
  });
});

describe('§4 update and every other command check their flags before any request', () => {
  beforeEach(freshWorld);

  test.each([
    ['flux config update --interval bogus', ['flux', 'config', 'update', ...CONFIG, '--interval', 'bogus'], '--interval'],
    ['flux config update -k name=apps prune=maybe', ['flux', 'config', 'update', ...CONFIG, '-k', 'name=apps', 'prune=maybe'], '-k/--kustomization'],
    ['flux config update --https-key @/dev/zero', ['flux', 'config', 'update', ...CONFIG, '--https-key', '@/dev/zero'], '--https-key'],
    ['flux config update --bucket-insecure maybe (a flag of another kind: its value is checked too)', ['flux', 'config', 'update', ...CONFIG, '--bucket-insecure', 'maybe'], '--bucket-insecure'],
    ['flux kustomization update --timeout 0s', ['flux', 'kustomization', 'update', ...CONFIG, '-k', 'apps', '--timeout', '0s'], '--timeout'],
    ['flux config delete --yes --wait-timeout bogus', ['flux', 'config', 'delete', ...CONFIG, '--yes', '--wait-timeout', 'bogus'], '--wait-timeout'],
    ['extension delete --yes --timeout 0s', ['extension', 'delete', ...ON_AKS, '--yes', '--timeout', '0s'], '--timeout'],
    ['flux config create --dry-run --wait-timeout 10', [...CREATE, '--dry-run', '--wait-timeout', '10'], '--wait-timeout'],
    ['extension show -n "flux/../x"', ['extension', 'show', ...ON_AKS, '-n', 'flux/../x'], '-n/--name'],
  ])('%s: exit 2, no credential, nothing sent', async (_name, args, flag) => {
    expectRefused(e2e.cli(args), [flag]);
    await expectNothingSent();
  });

  test('after the merge with Azure, create\'s rules hold: --kind bucket without credentials is refused, not PATCHed', async () => {
    const run = e2e.cli(['flux', 'config', 'update', ...CONFIG, '--kind', 'bucket', '-u', 'https://s3.example.com', '--bucket-name', 'b', '--yes']);
    expectRefused(run, ['--bucket-access-key']);
    expect(summary(await e2e.requests()).filter((r) => !r.startsWith('GET'))).toEqual([]);
  });
});

describe('§5 no secret in any output', () => {
  beforeEach(freshWorld);

  test('secrets from -f are redacted like the flags, --debug bodies included, and reach Azure', async () => {
    const key = 'file-account-key-Mx93Lp==';
    const doc = { name: 'blob', azureBlob: { url: 'https://acct.blob.core.windows.net', containerName: 'manifests', accountKey: key }, kustomizations: { apps: { path: './apps' } } };
    const file = join(dir, 'blob.yaml');
    writeFileSync(file, stringify(doc));
    const run = e2e.cli(['flux', 'config', 'create', ...ON_AKS, '-f', file, '--debug', '-o', 'json']);
    expect(run.status).toBe(0);
    for (const form of [key, Buffer.from(key).toString('base64')]) expect(run.stdout + run.stderr).not.toContain(form);
    const [put] = writes(await e2e.requests());
    expect(put!.body.properties.azureBlob.accountKey).toBe(key);
  });

  test.each(['main', 'true'])('a secret equal to an ordinary value (%s) keeps JSON valid and hides no other field', (secret) => {
    const run = e2e.cli([...CREATE, '-k', 'name=web', 'prune=true', '--https-user', 'bot', '--https-key', secret, '--dry-run=arm', '-o', 'json']);
    expect(run.status).toBe(0);
    const body = run.json().body.properties;
    expect(body.gitRepository.repositoryRef.branch).toBe('main');
    expect(body.kustomizations.web.prune).toBe(true);
    expect(body.configurationProtectedSettings.httpsKey).toBe('[REDACTED]');
  });

  test('a YAML error on a line that carries a secret is reported by position only', async () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, `name: broken\nconfigurationProtectedSettings:\n  httpsKey: "cGFyc2Utc2VjcmV0LVFyNjY=\n`);
    const run = e2e.cli(['flux', 'config', 'create', ...ON_AKS, '-f', file]);
    expectRefused(run, ['-f/--file', 'line']);
    expect(run.stderr).not.toContain('cGFyc2Utc2VjcmV0LVFyNjY=');
    await expectNothingSent();
  });
});

describe('§7 update -f never silently reverts a change made meanwhile', () => {
  beforeEach(freshWorld);

  test('refused (exit 1) naming the fields, nothing PATCHed; --overwrite sends it', async () => {
    const file = join(dir, 'shown.yaml');
    const show = e2e.cli(['flux', 'config', 'show', ...CONFIG, '-o', 'yaml']);
    expect(show.status).toBe(0);
    const shown = parse(show.stdout) as Record<string, any>;
    // Someone else moves the configuration to another branch, straight through ARM.
    const patch = await e2e.emu.request('PATCH', fluxConfigUrl(AKS, 'cluster-config'), { body: { properties: { gitRepository: { repositoryRef: { branch: 'hotfix' } } } } });
    expect(patch.status).toBe(202);
    // The file is edited (another interval) and sent back.
    shown.gitRepository.syncIntervalInSeconds = 300;
    writeFileSync(file, stringify(shown));
    await e2e.clearRequests();
    const run = e2e.cli(['flux', 'config', 'update', ...CONFIG, '-f', file]);
    expectRefused(run, ['changed in Azure', 'gitRepository.repositoryRef.branch'], 1);
    expect(run.stderr).toContain('--overwrite');
    expect(writes(await e2e.requests())).toEqual([]);

    const forced = e2e.cli(['flux', 'config', 'update', ...CONFIG, '-f', file, '--overwrite']);
    expect(forced.status).toBe(0);
    const [sent] = writes(await e2e.requests());
    expect(shortPath(sent!.path)).toBe('fluxConfigurations/cluster-config');
    expect(sent!.body.properties.gitRepository).toMatchObject({ repositoryRef: { branch: 'main' }, syncIntervalInSeconds: 300 });
  });

  test('a file shown after the last change goes through', async () => {
    const file = join(dir, 'fresh.yaml');
    const shown = parse(e2e.cli(['flux', 'config', 'show', ...CONFIG, '-o', 'yaml']).stdout) as Record<string, any>;
    shown.gitRepository.syncIntervalInSeconds = 120;
    writeFileSync(file, stringify(shown));
    const run = e2e.cli(['flux', 'config', 'update', ...CONFIG, '-f', file]);
    expect(run.status).toBe(0);
    expect(writes(await e2e.requests()).map((r) => r.body)).toEqual([{ properties: { gitRepository: { syncIntervalInSeconds: 120 } } }]);
  });
});

describe('§8 cluster access is as careful as Azure access', () => {
  beforeEach(freshWorld);

  /** The emulator's kubeconfig with the aks1 cluster and user changed by `edit`. */
  function kubeconfig(name: string, edit: (cluster: Record<string, unknown>, user: Record<string, unknown>) => void): string {
    const config = parse(readFileSync(e2e.vars.KUBECONFIG!, 'utf8')) as { clusters: { name: string; cluster: Record<string, unknown> }[]; users: { name: string; user: Record<string, unknown> }[] };
    edit(config.clusters.find((c) => c.name === 'aks1')!.cluster, config.users.find((u) => u.name === 'clusterUser_rg_aks1')!.user);
    const path = join(dir, name);
    writeFileSync(path, stringify(config));
    return path;
  }

  test('insecure-skip-tls-verify works, with a warning on stderr', () => {
    const path = kubeconfig('insecure.yaml', (cluster) => {
      delete cluster['certificate-authority'];
      cluster['insecure-skip-tls-verify'] = true;
    });
    const run = e2e.cli(['status', '--kubeconfig', path, '--context', 'aks1', '-o', 'json']);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/^WARNING: context 'aks1' skips TLS verification \(insecure-skip-tls-verify\)/m);
  });

  test('a KUBECONFIG naming a device, a FIFO or a huge file is refused at once, like --kubeconfig', () => {
    const fifo = join(dir, 'kubeconfig.fifo');
    if (!existsSync(fifo)) execFileSync('mkfifo', [fifo]);
    const huge = join(dir, 'huge-kubeconfig');
    writeFileSync(huge, `# ${'x'.repeat(5 * 1024 * 1024)}\n`);
    for (const [value, why] of [
      ['/dev/zero', 'not a regular file'],
      [fifo, 'not a regular file'],
      [huge, 'limit'],
      [`${e2e.vars.KUBECONFIG}${delimiter}/dev/zero`, 'not a regular file'],
    ]) {
      const run = e2e.cli(['status', '--context', 'aks1'], { env: { KUBECONFIG: value }, timeout: 20_000 });
      expectRefused(run, ['KUBECONFIG', why]);
    }
    // Files are merged as kubectl merges them: a file that does not exist is skipped, the first
    // to set a value wins (so a second file naming the same cluster is no error).
    const other = kubeconfig('other.yaml', (cluster) => void (cluster.server = 'https://127.0.0.1:9'));
    const run = e2e.cli(['status', '--context', 'aks1', '-o', 'json'], { env: { KUBECONFIG: [join(dir, 'absent'), e2e.vars.KUBECONFIG, other].join(delimiter) } });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    const second = e2e.cli(['status', '--context', 'aks1', '-o', 'json', '--timeout', '5s'], { env: { KUBECONFIG: [other, e2e.vars.KUBECONFIG].join(delimiter) } });
    expect(second.status).not.toBe(0);
    expect(second.stderr).toContain('127.0.0.1:9');
  });

  describe('credentials are never sent to an http:// server', () => {
    let server: Server;
    let received = 0;
    let port = 0;
    beforeAll(async () => {
      server = createServer((_req, res) => {
        received++;
        res.end('{}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    test.each([
      ['a bearer token', (_c: Record<string, unknown>, u: Record<string, unknown>) => void u],
      ['a client key', (_c: Record<string, unknown>, u: Record<string, unknown>) => Object.assign(u, { token: undefined, 'client-key-data': Buffer.from('key').toString('base64'), 'client-certificate-data': Buffer.from('cert').toString('base64') })],
    ])('%s: refused, the server receives nothing', (what, edit) => {
      const path = kubeconfig(`http-${what.length}.yaml`, (cluster, user) => {
        cluster.server = `http://127.0.0.1:${port}`;
        delete cluster['certificate-authority'];
        cluster['insecure-skip-tls-verify'] = true;
        edit(cluster, user);
      });
      const run = e2e.cli(['status', '--kubeconfig', path, '--context', 'aks1']);
      expectRefused(run, ['--kubeconfig', 'plain HTTP', what]);
      expect(received).toBe(0);
    });
  });
});
