/**
 * How k8s-gitops talks to Azure Resource Manager, through the built CLI against the emulator:
 * answers ARM never gives for success are errors (never an empty success, never a crash, and a
 * redirect is never followed); a credential chain that fails does so in a second or so and says
 * why; a missing resource group, a missing cluster and a cluster of another type are told
 * apart; and the fewest round trips — reads in parallel, no provider read unless Azure asks,
 * no cluster read that the configuration already proves, one cluster read per status run, at
 * most eight connections however many configurations, a count in --debug.
 */
import { describe, test, expect, beforeAll, afterAll, beforeEach } from '@jest/globals';
import { waitForOperation } from '../emulator/harness.js';
import { runCliWithEnv } from '../helpers/cli.js';
import {
  useE2E, AKS, ARC, E2E, E2E_ARGS, KC, ON_AKS, ON_ARC, SUB, TUTORIAL, errors, inParallel, shortPath, summary, writes, type LoggedRequest,
} from './helpers.js';

const e2e = useE2E();

const URL = 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt';

function configBody(namespace: string): unknown {
  return {
    properties: {
      scope: 'cluster',
      namespace,
      sourceKind: 'GitRepository',
      gitRepository: { url: URL, repositoryRef: { branch: 'main' } },
      kustomizations: { infra: { path: './infrastructure', prune: true }, apps: { path: './apps/staging', prune: true, dependsOn: ['infra'] } },
    },
  };
}

async function putConfiguration(target: E2E, cluster: string, name: string): Promise<void> {
  const put = await target.emu.request('PUT', `${cluster}/${KC}/fluxConfigurations/${name}?api-version=2025-04-01`, { body: configBody(name) });
  expect([200, 201]).toContain(put.status);
  expect((await waitForOperation(target.emu, put.headers['azure-asyncoperation'] as string)).body.status).toBe('Succeeded');
}

const isCluster = (cluster: string) => (r: LoggedRequest): boolean => r.method === 'GET' && r.path === cluster;
const isProvider = (r: LoggedRequest): boolean => r.path === `/subscriptions/${SUB}/providers/Microsoft.KubernetesConfiguration`;

describe('an answer ARM never gives for success is an error', () => {
  beforeEach(async () => {
    await e2e.reset({ extension: { aks1: 'installed' } });
    await putConfiguration(e2e, AKS, 'cluster-config');
    await e2e.clearRequests();
  });

  // Every status that is not ARM's success for a GET: redirects (which the SDK would have
  // followed, bearer token and all), other 2xx (an empty "success"), 1xx-less oddities.
  const STATUSES = [201, 202, 203, 204, 205, 206, 300, 301, 302, 303, 304, 305, 307, 308];

  test.each(STATUSES)('GET answered %i: exit 1 naming the status, nothing followed, no crash', async (status) => {
    await e2e.faults({ respond: { status, count: 1 } });
    const run = await e2e.cliAsync(['flux', 'config', 'show', ...ON_AKS, '-n', 'cluster-config']);
    expect({ status, exit: run.status, stdout: run.stdout }).toEqual({ status, exit: 1, stdout: '' });
    expect(errors(run.stderr)).toEqual([expect.stringMatching(new RegExp(`^ERROR: Azure answered GET /subscriptions/\\S+ with HTTP ${status}, which Azure Resource Manager does not use for success`))]);
    expect(run.stderr).not.toMatch(/unexpected error|TypeError|at .*\.js:\d+/);
    if (status >= 300 && status !== 304) expect(run.stderr).toContain('k8s-gitops does not follow it');
    const log = await e2e.requests();
    expect(log.filter((r) => r.path.startsWith('/redirected/'))).toEqual([]);
    expect(log.filter((r) => r.fault === 'respond')).toHaveLength(1);
  });

  test('a PUT answered 307: exit 1, the redirect not followed, and the user told to look before sending again', async () => {
    await e2e.faults({ respond: { status: 307, count: 1, match: '^PUT ' } });
    const run = await e2e.cliAsync(['flux', 'config', 'create', ...ON_AKS, '-n', 'second', '-u', URL, '--branch', 'main', '-k', 'name=apps', 'path=./apps']);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(errors(run.stderr)).toEqual([expect.stringMatching(/^ERROR: Azure answered PUT \S+\/fluxConfigurations\/second with HTTP 307/)]);
    expect(run.stderr).toContain('The request may or may not have been carried out: look at the resource before sending it again.');
    const log = await e2e.requests();
    expect(summary(writes(log))).toEqual(['PUT fluxConfigurations/second']);
    expect(log.filter((r) => r.path.startsWith('/redirected/'))).toEqual([]);
  });

  test('a GET answered 200 with no body: exit 1, not an empty result', async () => {
    await e2e.faults({ respond: { status: 200, count: 1, match: 'fluxConfigurations/cluster-config$' } });
    const run = await e2e.cliAsync(['flux', 'config', 'show', ...ON_AKS, '-n', 'cluster-config']);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(errors(run.stderr)).toEqual([expect.stringMatching(/^ERROR: Azure answered GET \S+\/fluxConfigurations\/cluster-config with an empty body\.$/)]);
  });
});

describe('no credential works', () => {
  // Nothing listens on port 1: both the token endpoint and ARM refuse the connection, as when
  // the emulator has been stopped but its variables are still set.
  const DEAD = 'https://127.0.0.1:1';

  function deadEnv(): Record<string, string> {
    return { ...e2e.vars, AZURE_RESOURCE_MANAGER_ENDPOINT: DEAD, IDENTITY_ENDPOINT: `${DEAD}/msi/token`, PATH: '/nonexistent' };
  }

  test('fails within a few seconds (not 19), says what to do, and with --debug why each credential failed', () => {
    const started = Date.now();
    const run = runCliWithEnv(['flux', 'config', 'list', ...ON_AKS, '--debug'], deadEnv());
    const ms = Date.now() - started;
    expect(run.status).toBe(4);
    expect(ms).toBeLessThan(8000);
    expect(run.stdout).toBe('');
    expect(errors(run.stderr)).toEqual([expect.stringMatching(/^ERROR: no Azure credential worked \(tried: environment variables, managed identity, .*Azure CLI.*\)\.$/)]);
    const hint = run.stderr.split('\n').find((l) => l.startsWith('HINT:'))!;
    expect(hint).toContain('az login');
    expect(hint).toContain('AZURE_CLIENT_SECRET');
    expect(hint).toContain(`IDENTITY_ENDPOINT (${DEAD}/msi/token) refuses connections`);
    expect(hint).toContain('unset its variables');
    const credentials = run.stderr.split('\n').filter((l) => l.startsWith('DEBUG: credential '));
    expect(credentials).toEqual(expect.arrayContaining([
      expect.stringMatching(/^DEBUG: credential environment variables \(EnvironmentCredential\): /),
      expect.stringMatching(new RegExp(`^DEBUG: credential managed identity \\(ManagedIdentityCredential\\): ${DEAD.replace(/\./g, '\\.')}/msi/token refused the connection`)),
      expect.stringMatching(/^DEBUG: credential Azure CLI \(AzureCliCredential\): .*(not be found|az login)/),
    ]));
  });

  test('without --debug the reasons are not listed, and the error says how to see them', () => {
    const run = runCliWithEnv(['flux', 'config', 'list', ...ON_AKS], deadEnv());
    expect(run.status).toBe(4);
    expect(run.stderr).not.toContain('DEBUG:');
    expect(run.stderr).toContain('Run with --debug to see why each credential failed.');
  });
});

describe('what is missing is named: the resource group, the cluster, or the cluster type', () => {
  beforeAll(async () => {
    await e2e.reset({ extension: { aks1: 'installed', arc1: 'installed' } });
    await putConfiguration(e2e, AKS, 'cluster-config');
  });

  // Reads and writes, with and without a cluster read of their own.
  const COMMANDS: [string, string[]][] = [
    ['flux config show', ['flux', 'config', 'show', '-n', 'cluster-config']],
    ['flux config list', ['flux', 'config', 'list']],
    ['flux config create', ['flux', 'config', 'create', ...TUTORIAL.map((a) => (a === 'cluster-config' ? 'other-config' : a))]],
    ['flux config update', ['flux', 'config', 'update', '-n', 'cluster-config', '--branch', 'release']],
    ['flux kustomization update', ['flux', 'kustomization', 'update', '-n', 'cluster-config', '-k', 'apps', '--path', './apps']],
    ['extension show', ['extension', 'show']],
    ['extension update', ['extension', 'update', '--config', 'a=b']],
    ['status', ['status']],
  ];

  test.each(COMMANDS)('%s: a missing resource group is exit 3 naming the resource group', async (_name, args) => {
    const run = await e2e.cliAsync([...args, '-g', 'no-such-group', '-c', 'aks1', '-t', 'managedClusters']);
    expect(run.status).toBe(3);
    expect(errors(run.stderr)).toEqual([`ERROR: resource group 'no-such-group' does not exist in subscription ${SUB}.`]);
    expect(run.stderr).not.toContain("cluster 'aks1'");
  });

  test.each(COMMANDS)('%s: a cluster of another type is exit 3 saying which type it is', async (_name, args) => {
    const run = await e2e.cliAsync([...args, '-g', 'rg', '-c', 'aks1', '-t', 'connectedClusters']);
    expect(run.status).toBe(3);
    expect(errors(run.stderr)).toEqual(["ERROR: cluster 'aks1' in resource group 'rg' is an AKS cluster (managedClusters), not connectedClusters."]);
    expect(run.stderr).toContain('HINT: Use -t managedClusters');
  });

  test('a cluster that exists under no type is exit 3 as before', async () => {
    const run = await e2e.cliAsync(['flux', 'config', 'update', '-n', 'cluster-config', '--branch', 'x', '-g', 'rg', '-c', 'nope', '-t', 'managedClusters']);
    expect(run.status).toBe(3);
    expect(errors(run.stderr)).toEqual([expect.stringMatching(/^ERROR: cluster 'nope' \(Microsoft\.ContainerService\/managedClusters\) does not exist in resource group 'rg'/)]);
  });
});

describe('the fewest round trips', () => {
  test('the pre-flight reads of a create run in parallel: a cluster read that never ends does not hold the others back', async () => {
    await e2e.reset({ extension: { aks1: 'installed' }, hang: { count: 10, match: 'managedClusters/aks1$' } });
    const run = await e2e.cliAsync(['flux', 'config', 'create', ...ON_AKS, ...TUTORIAL, '--wait-timeout', '3s']);
    expect(run.status).toBe(5);
    const log = await e2e.requests();
    expect(log.map((r) => `${r.method} ${shortPath(r.path)}`).sort()).toEqual([
      `GET ${AKS}`,
      'GET extensions',
      'GET fluxConfigurations/cluster-config',
    ].sort());
    expect(writes(log)).toEqual([]);
  });

  test('the provider is not read unless Azure says it is not registered', async () => {
    await e2e.reset({ extension: { aks1: 'installed' } });
    const run = await e2e.cliAsync(['flux', 'config', 'create', ...ON_AKS, ...TUTORIAL, '-o', 'none']);
    expect(run.status).toBe(0);
    expect((await e2e.requests()).filter(isProvider)).toEqual([]);
  });

  test('update reads no cluster on AKS (the configuration proves it), and reads it on Arc (connectivity)', async () => {
    await e2e.reset({ extension: { aks1: 'installed', arc1: 'installed' } });
    await putConfiguration(e2e, AKS, 'cluster-config');
    await putConfiguration(e2e, ARC, 'cluster-config');
    await e2e.clearRequests();
    expect((await e2e.cliAsync(['flux', 'config', 'update', ...ON_AKS, '-n', 'cluster-config', '--branch', 'release', '-o', 'none'])).status).toBe(0);
    expect((await e2e.cliAsync(['flux', 'kustomization', 'update', ...ON_AKS, '-n', 'cluster-config', '-k', 'apps', '--path', './apps/production', '-o', 'none'])).status).toBe(0);
    expect((await e2e.requests()).filter(isCluster(AKS))).toEqual([]);
    await e2e.clearRequests();
    expect((await e2e.cliAsync(['flux', 'config', 'update', ...ON_ARC, '-n', 'cluster-config', '--branch', 'release', '-o', 'none'])).status).toBe(0);
    expect((await e2e.requests()).filter(isCluster(ARC))).toHaveLength(1);
  });
});

describe('round trips over a network with 50 ms of latency', () => {
  let slow: E2E;

  beforeAll(async () => {
    slow = await E2E.start([...E2E_ARGS, '--latency', '50']);
  });

  afterAll(async () => {
    await slow?.stop();
  });

  test('flux config update costs at most 4 ARM requests over one kept-alive connection, and --debug counts them', async () => {
    await slow.reset({ extension: { aks1: 'installed' } });
    await putConfiguration(slow, AKS, 'cluster-config');
    await slow.clearRequests();
    expect((await slow.emu.control('DELETE', 'connections')).status).toBe(204);
    const run = await slow.cliAsync(['flux', 'config', 'update', ...ON_AKS, '-n', 'cluster-config', '--branch', 'release', '--debug']);
    expect(run.status).toBe(0);
    const log = await slow.requests();
    expect(log.length).toBeLessThanOrEqual(4);
    expect(summary(log)).toEqual([
      'GET fluxConfigurations/cluster-config',
      'PATCH fluxConfigurations/cluster-config',
      expect.stringMatching(/^GET fluxConfigurations\/cluster-config\/operations\/\S+$/),
      'GET fluxConfigurations/cluster-config',
    ]);
    const count = /^DEBUG: (\d+) ARM requests? \((\d+) sent, retries included\); (\d+) ms waiting on the network\.$/m.exec(run.stderr);
    expect(count).not.toBeNull();
    expect([Number(count![1]), Number(count![2])]).toEqual([log.length, log.length]);
    // Four round trips of at least 50 ms each, counted once even where requests overlap.
    expect(Number(count![3])).toBeGreaterThanOrEqual(4 * 50);
    // One after the other, over one connection (the token endpoint has its own).
    expect((await slow.emu.control('GET', 'connections')).body).toMatchObject({ arm: 1, token: 1 });
  });

  test('status with 50 configurations: one cluster read, at most 8 connections to ARM', async () => {
    await slow.reset({ extension: { aks1: 'installed' } });
    const names = Array.from({ length: 50 }, (_, i) => `config-${String(i).padStart(2, '0')}`);
    await inParallel(names, 8, (name) => putConfiguration(slow, AKS, name));
    await slow.clearRequests();
    expect((await slow.emu.control('DELETE', 'connections')).status).toBe(204);
    const run = await slow.cliAsync(['status', ...ON_AKS, '-o', 'json']);
    expect(run.status).toBe(0);
    expect(run.json().configurations).toHaveLength(50);
    const log = await slow.requests();
    expect(log.filter(isCluster(AKS))).toHaveLength(1);
    expect(log.filter((r) => /\/fluxConfigurations\/config-\d\d$/.test(r.path))).toHaveLength(50);
    const connections = (await slow.emu.control('GET', 'connections')).body;
    expect(connections.arm).toBeGreaterThanOrEqual(1);
    expect(connections.arm).toBeLessThanOrEqual(8);
  });

  test('status --watch reads an AKS cluster once per run, however many polls', async () => {
    await slow.reset({ extension: { aks1: 'installed' }, failKustomization: ['apps'] });
    await putConfiguration(slow, AKS, 'cluster-config');
    await slow.clearRequests();
    const run = await slow.cliAsync(['status', ...ON_AKS, '-n', 'cluster-config', '--watch', '--interval', '1s', '--timeout', '4s', '-o', 'json']);
    expect(run.status).toBe(0); // a plain --watch ends at --timeout
    const log = await slow.requests();
    expect(log.filter((r) => r.path.endsWith('/fluxConfigurations/cluster-config')).length).toBeGreaterThanOrEqual(3);
    expect(log.filter(isCluster(AKS))).toHaveLength(1);
  });
});
