/**
 * `flux config create` against the emulator: the tutorial configuration on a cluster without
 * Flux (extension installed first, then the configuration, then the agent reports Compliant),
 * and every refusal and fault on the way: existing configuration, --no-wait, an extension that
 * is installing or failed, an unregistered provider, an offline Arc cluster, a missing cluster,
 * throttling, server errors, a failed operation, --wait-timeout and Ctrl-C.
 */
import { describe, test, expect, beforeEach } from '@jest/globals';
import {
  useE2E, AKS, EXTENSION_API_VERSION, FLUX_API_VERSION, ON_AKS, ON_ARC, ON_ARC_OFFLINE, ON_HCI, SUB, TUTORIAL, TUTORIAL_BODY, TUTORIAL_URL,
  errors, expectValidArmBodies, fluxConfigUrl, shortPath, sleep, summary, writes, type LoggedRequest,
} from './helpers.js';

// One emulator for the file; every PUT and PATCH body it receives is checked against the swagger.
const e2e = useE2E();

beforeEach(async () => {
  await e2e.reset();
});

const CREATE = ['flux', 'config', 'create'];
const SMALL = ['-n', 'small', '-u', 'https://github.com/example/fleet', '--branch', 'main', '-k', 'name=apps', 'path=./apps'];
const FOLLOW_AKS = 'k8s-gitops flux config show -g rg -c aks1 -t managedClusters -n cluster-config';
const STATUS_AKS = 'k8s-gitops status -g rg -c aks1 -t managedClusters -n cluster-config';

const isOperationPoll = (r: LoggedRequest): boolean => r.method === 'GET' && /\/operations\/[^/]+$/.test(r.path);

describe('the tutorial configuration on a cluster without Flux', () => {
  test('installs the extension first, then creates the configuration, which becomes Compliant', async () => {
    const run = e2e.cli([...CREATE, ...ON_AKS, ...TUTORIAL]);
    expect(run.status).toBe(0);
    expect(errors(run.stderr)).toEqual([]);

    // The extension is its own announced phase, before the configuration.
    const announce = run.stderr.indexOf("cluster 'aks1' has no Flux extension: installing microsoft.flux as 'flux' first");
    const installing = run.stderr.indexOf('Installing the microsoft.flux extension: done');
    const creating = run.stderr.indexOf('Creating Flux configuration cluster-config: done');
    expect(announce).toBeGreaterThanOrEqual(0);
    expect(installing).toBeGreaterThan(announce);
    expect(creating).toBeGreaterThan(installing);
    expect(run.stderr).toContain(`Watch it reconcile with: ${STATUS_AKS} --watch`);
    expect(run.stderr).toContain(`Or wait for it in a pipeline: ${STATUS_AKS} --wait-for compliant --timeout 15m`);

    // az's shape of the configuration.
    const config = run.json();
    expect(config).not.toHaveProperty('properties');
    expect(config).toMatchObject({
      name: 'cluster-config',
      type: 'Microsoft.KubernetesConfiguration/fluxConfigurations',
      resourceGroup: 'rg',
      scope: 'cluster',
      namespace: 'cluster-config',
      sourceKind: 'GitRepository',
      provisioningState: 'Succeeded',
      gitRepository: { url: TUTORIAL_URL, repositoryRef: { branch: 'main' } },
      kustomizations: {
        infra: { name: 'infra', path: './infrastructure', prune: true, dependsOn: [] },
        apps: { name: 'apps', path: './apps/staging', prune: true, dependsOn: ['infra'] },
      },
    });
    expect(config.id).toBe(`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/cluster-config`);

    const log = await e2e.requests();
    const w = writes(log);
    expect(summary(w)).toEqual(['PUT extensions/flux', 'PUT fluxConfigurations/cluster-config']);
    expect(w[0]!.query['api-version']).toBe(EXTENSION_API_VERSION);
    expect(w[0]!.body).toEqual({ properties: { extensionType: 'microsoft.flux', scope: { cluster: { releaseNamespace: 'flux-system' } }, configurationSettings: {} } });
    expect(w[1]!.query['api-version']).toBe(FLUX_API_VERSION);
    expect(w[1]!.body).toEqual(TUTORIAL_BODY);
    expect(expectValidArmBodies(log)).toBe(2);
    // The extension's operation ended before the configuration was sent.
    const extensionDone = log.findIndex((r) => isOperationPoll(r) && shortPath(r.path).startsWith('extensions/flux/operations/'));
    expect(extensionDone).toBeGreaterThan(log.indexOf(w[0]!));
    expect(extensionDone).toBeLessThan(log.indexOf(w[1]!));
    // Every request carries an api-version.
    expect(log.every((r) => typeof r.query['api-version'] === 'string')).toBe(true);

    // The agent reconciles: the source, both kustomizations and the tutorial's HelmReleases.
    await e2e.armUntil(fluxConfigUrl(AKS, 'cluster-config'), (body) => body.properties.complianceState === 'Compliant');
    const show = e2e.cli(['flux', 'config', 'show', ...ON_AKS, '-n', 'cluster-config']);
    expect(show.status).toBe(0);
    const shown = show.json();
    expect(shown.complianceState).toBe('Compliant');
    expect(shown.resourceGroup).toBe('rg');
    const objects = (shown.statuses as Array<{ kind: string; name: string; namespace: string; complianceState: string }>).map((s) => `${s.kind} ${s.namespace}/${s.name} ${s.complianceState}`);
    expect(objects).toEqual(expect.arrayContaining([
      'GitRepository cluster-config/cluster-config Compliant',
      'Kustomization cluster-config/cluster-config-infra Compliant',
      'Kustomization cluster-config/cluster-config-apps Compliant',
    ]));
    const releases = (shown.statuses as Array<{ kind: string; helmReleaseProperties: unknown }>).filter((s) => s.kind === 'HelmRelease');
    expect(releases.length).toBeGreaterThan(0);
    for (const release of releases) expect(release.helmReleaseProperties).toMatchObject({ lastRevisionApplied: 1 });
    expect(shown.sourceSyncedCommitId).toMatch(/^main\/[0-9a-f]{40}$/);

    // A second create of the same configuration has nothing to do: it writes nothing and passes.
    await e2e.clearRequests();
    const again = e2e.cli([...CREATE, ...ON_AKS, ...TUTORIAL]);
    expect(again.status).toBe(0);
    expect(errors(again.stderr)).toEqual([]);
    expect(again.stderr).toContain("nothing to change: Flux configuration 'cluster-config' already exists on cluster 'aks1' as asked (Succeeded).");
    expect(again.json()).toMatchObject({ name: 'cluster-config', complianceState: 'Compliant' });
    expect(writes(await e2e.requests())).toEqual([]);

    // One that asks for something else is refused, and says how to change it.
    const other = e2e.cli([...CREATE, ...ON_AKS, ...TUTORIAL, '--branch', 'release']);
    expect(other.status).toBe(1);
    expect(other.stdout).toBe('');
    expect(errors(other.stderr)).toEqual(["ERROR: Flux configuration 'cluster-config' already exists on cluster 'aks1' (Succeeded) and differs from what was asked; create does not replace it."]);
    expect(other.stderr).toContain('k8s-gitops flux config update -g rg -c aks1 -t managedClusters -n cluster-config');
    expect(writes(await e2e.requests())).toEqual([]);
  });
});

describe('flux config create, one case at a time', () => {
  test('--no-wait returns after the PUT and says how to follow it', async () => {
    await e2e.reset({ extension: { aks1: 'installed' } });
    const run = e2e.cli([...CREATE, ...ON_AKS, ...TUTORIAL, '--no-wait']);
    expect(run.status).toBe(0);
    expect(run.json()).toMatchObject({ name: 'cluster-config', resourceGroup: 'rg', provisioningState: 'Creating' });
    expect(run.stderr).toContain(`Accepted; Azure goes on with it. Follow it with: ${FOLLOW_AKS}`);
    const log = await e2e.requests();
    expect(summary(writes(log))).toEqual(['PUT fluxConfigurations/cluster-config']);
    // Nothing after the PUT: no operation poll, no read-back.
    expect(log[log.length - 1]!.method).toBe('PUT');
    expect(log.some(isOperationPoll)).toBe(false);
    expect(expectValidArmBodies(log)).toBe(1);
  });

  test('an extension still installing stops the command with the reason (exit 1, no PUT)', async () => {
    await e2e.reset({ extension: { hci1: 'installing' } });
    const run = e2e.cli([...CREATE, ...ON_HCI, ...TUTORIAL]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(errors(run.stderr)).toEqual(["ERROR: the Flux extension 'flux' on cluster 'hci1' is still being installed (Creating)."]);
    expect(run.stderr).toContain('k8s-gitops extension show -g rg -c hci1 -t provisionedClusters -n flux');
    expect(writes(await e2e.requests())).toEqual([]);
  });

  test('a failed extension stops the command with its error (exit 6, no PUT)', async () => {
    await e2e.reset({ extension: { hci1: 'failed' } });
    const run = e2e.cli([...CREATE, ...ON_HCI, ...TUTORIAL]);
    expect(run.status).toBe(6);
    expect(run.stdout).toBe('');
    const [error] = errors(run.stderr);
    expect(error).toMatch(/^ERROR: the Flux extension 'flux' on cluster 'hci1' is Failed: .*Helm installation failed/);
    expect(run.stderr).toContain('k8s-gitops extension delete -g rg -c hci1 -t provisionedClusters -n flux --yes');
    expect(writes(await e2e.requests())).toEqual([]);
  });

  test('an unregistered provider is a clear error naming az provider register (exit 1, nothing written)', async () => {
    await e2e.reset({ providerUnregistered: true });
    const run = e2e.cli([...CREATE, ...ON_AKS, ...TUTORIAL]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(errors(run.stderr)).toEqual([expect.stringContaining('Microsoft.KubernetesConfiguration is NotRegistered')]);
    expect(run.stderr).toContain('az provider register --namespace Microsoft.KubernetesConfiguration');
    expect(run.stderr).toContain('--register-provider');
    expect(writes(await e2e.requests())).toEqual([]);
  });

  test('--register-provider registers the provider, waits for it, and creates', async () => {
    await e2e.reset({ providerUnregistered: true, extension: { aks1: 'installed' } });
    const run = e2e.cli([...CREATE, ...ON_AKS, ...TUTORIAL, '--register-provider']);
    expect(run.status).toBe(0);
    expect(run.json()).toMatchObject({ name: 'cluster-config', provisioningState: 'Succeeded' });
    expect(run.stderr).toContain('Registered Microsoft.KubernetesConfiguration.');
    const log = await e2e.requests();
    expect(writes(log).map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /subscriptions/${SUB}/providers/Microsoft.KubernetesConfiguration/register`,
      `PUT /subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/cluster-config`,
    ]);
    // Registration was confirmed (a read of the provider) before the configuration was sent.
    const register = log.findIndex((r) => r.method === 'POST');
    const put = log.findIndex((r) => r.method === 'PUT');
    const providerRead = (r: LoggedRequest): boolean => r.method === 'GET' && r.path === `/subscriptions/${SUB}/providers/Microsoft.KubernetesConfiguration`;
    expect(log.slice(register + 1, put).some(providerRead)).toBe(true);
    // The provider is read only once Azure has said it is missing (409 MissingSubscriptionRegistration),
    // and no request runs into that after the registration.
    const first409 = log.findIndex((r) => r.status === 409);
    expect(first409).toBeGreaterThanOrEqual(0);
    expect(log.findIndex(providerRead)).toBeGreaterThan(first409);
    expect(log.slice(register).filter((r) => r.status === 409)).toEqual([]);
    expect(expectValidArmBodies(log)).toBe(1);
  });

  test('an offline Arc cluster is refused, explaining the 48-hour window; --allow-offline sends it', async () => {
    await e2e.reset({ extension: { 'arc-offline': 'installed' } });
    const refused = e2e.cli([...CREATE, ...ON_ARC_OFFLINE, ...TUTORIAL]);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe('');
    expect(errors(refused.stderr)).toEqual([expect.stringMatching(/^ERROR: Arc cluster 'arc-offline' is Offline .*48 hours/)]);
    expect(refused.stderr).toContain('--allow-offline');
    expect(writes(await e2e.requests())).toEqual([]);

    await e2e.clearRequests();
    const sent = e2e.cli([...CREATE, ...ON_ARC_OFFLINE, ...TUTORIAL, '--allow-offline']);
    expect(sent.status).toBe(0);
    expect(sent.stderr).toMatch(/^WARNING: Arc cluster 'arc-offline' is Offline .*Sending anyway \(--allow-offline\)/m);
    // Accepted by Azure; the agent of an offline cluster reports nothing.
    expect(sent.json()).toMatchObject({ name: 'cluster-config', provisioningState: 'Succeeded', complianceState: 'Pending', statuses: [] });
    const log = await e2e.requests();
    expect(summary(writes(log))).toEqual(['PUT fluxConfigurations/cluster-config']);
    expect(writes(log)[0]!.path).toContain('/connectedClusters/arc-offline/');
    expect(writes(log)[0]!.body).toEqual(TUTORIAL_BODY);
    expect(expectValidArmBodies(log)).toBe(1);
  });

  test('a missing cluster exits 3 naming it, and nothing is written', async () => {
    const run = e2e.cli([...CREATE, '-g', 'rg', '-c', 'nope', '-t', 'managedClusters', ...TUTORIAL]);
    expect(run.status).toBe(3);
    expect(run.stdout).toBe('');
    expect(errors(run.stderr)).toEqual([expect.stringMatching(/^ERROR: cluster 'nope' \(Microsoft\.ContainerService\/managedClusters\) does not exist in resource group 'rg'/)]);
    const log = await e2e.requests();
    expect(writes(log)).toEqual([]);
    expect(summary(log)).toContain(`GET /subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/nope`);
  });

  test('throttling (429 with Retry-After) is retried and the create succeeds', async () => {
    await e2e.reset({ extension: { aks1: 'installed' }, throttle: 2 });
    const run = e2e.cli([...CREATE, ...ON_AKS, ...SMALL]);
    expect(run.status).toBe(0);
    expect(errors(run.stderr)).toEqual([]);
    expect(run.json()).toMatchObject({ name: 'small', provisioningState: 'Succeeded' });
    const log = await e2e.requests();
    // The first two requests (the pre-flight reads run in parallel) were answered 429; each was
    // sent again after the Retry-After of 1 second, and then answered.
    const throttled = log.filter((r) => r.fault === 'throttle');
    expect(throttled.map((r) => [r.method, r.status])).toEqual([
      ['GET', 429],
      ['GET', 429],
    ]);
    expect(log.slice(0, 2)).toEqual(throttled);
    for (const t of throttled) {
      const again = log.find((r) => r.seq > t.seq && r.method === t.method && r.path === t.path)!;
      expect([again.status, again.fault]).toEqual([again.path.endsWith('/small') ? 404 : 200, undefined]); // the configuration does not exist yet
      expect(Date.parse(again.time) - Date.parse(t.time)).toBeGreaterThanOrEqual(900);
    }
    expect(summary(writes(log))).toEqual(['PUT fluxConfigurations/small']);
    expect(expectValidArmBodies(log)).toBe(1);
  });

  test('a server error is retried and the create succeeds', async () => {
    await e2e.reset({ extension: { aks1: 'installed' }, serverErrors: 1 });
    const run = e2e.cli([...CREATE, ...ON_AKS, ...SMALL]);
    expect(run.status).toBe(0);
    expect(errors(run.stderr)).toEqual([]);
    const log = await e2e.requests();
    // The first request was answered 500, then sent again and answered.
    expect([log[0]!.status, log[0]!.fault]).toEqual([500, 'serverError']);
    const again = log.find((r) => r.seq > log[0]!.seq && r.method === log[0]!.method && r.path === log[0]!.path)!;
    expect(again.status).toBeLessThan(500);
    expect(summary(writes(log))).toEqual(['PUT fluxConfigurations/small']);
    expect(log.filter((r) => r.method === 'PUT').map((r) => r.status)).toEqual([201]);
    expect(expectValidArmBodies(log)).toBe(1);
  });

  test('a failed operation exits 6 with the innermost cause first, unwrapped from its JSON', async () => {
    const cause = 'kustomization "apps": path "./apps/staging" not found in revision main@sha1:0123456';
    await e2e.reset({ extension: { aks1: 'installed' }, failOperation: cause });
    const run = e2e.cli([...CREATE, ...ON_AKS, ...SMALL]);
    expect(run.status).toBe(6);
    expect(run.stdout).toBe('');
    const [error] = errors(run.stderr);
    expect(error).toBe(`ERROR: Creating Flux configuration small ended Failed: ${cause}`);
    // The wrapping error follows the cause, and no JSON escaping is left.
    const outer = run.stderr.indexOf("terminal provisioning state 'Failed'");
    expect(outer).toBeGreaterThan(run.stderr.indexOf(cause));
    expect(run.stderr).not.toContain('\\"');
    expect(run.stderr).not.toContain('{"status"');
    const log = await e2e.requests();
    expect(summary(writes(log))).toEqual(['PUT fluxConfigurations/small']);
    expect(log.filter(isOperationPoll).length).toBeGreaterThan(0);
    expect(expectValidArmBodies(log)).toBe(1);
  });
});

describe('waiting', () => {
  // On an offline cluster the agent never reports, so an operation that waits for the
  // reconciliation stays in progress: a long operation without slowing the emulator down.
  const LONG = [...CREATE, ...ON_ARC_OFFLINE, ...TUTORIAL, '--allow-offline', '--wait-for-reconciliation', '--reconciliation-wait-duration', '10m'];

  beforeEach(async () => {
    await e2e.reset({ extension: { 'arc-offline': 'installed' } });
  });

  test('--wait-timeout 1s gives up with exit 5 and prints the last state', async () => {
    const started = Date.now();
    const run = e2e.cli([...LONG, '--wait-timeout', '1s']);
    expect(run.status).toBe(5);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(run.stdout).toBe('');
    expect(errors(run.stderr)).toEqual(['ERROR: timed out after 1s waiting: Creating Flux configuration cluster-config; last state: Creating.']);
    expect(run.stderr).toContain('The operation goes on in Azure. Follow it with: k8s-gitops flux config show -g rg -c arc-offline -t connectedClusters -n cluster-config');
    const log = await e2e.requests();
    expect(summary(writes(log))).toEqual(['PUT fluxConfigurations/cluster-config']);
    expect(writes(log)[0]!.body.properties).toMatchObject({ waitForReconciliation: true, reconciliationWaitDuration: 'PT10M' });
    expect(expectValidArmBodies(log)).toBe(1);
    expect(log.filter(isOperationPoll).length).toBeGreaterThan(0);
  });

  test('--wait-timeout also bounds the install of a missing Flux extension', async () => {
    await e2e.reset(); // arc-offline without Flux: the install can never finish there
    const started = Date.now();
    const run = e2e.cli([...LONG, '--wait-timeout', '1s']);
    expect(run.status).toBe(5);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(errors(run.stderr)).toEqual([expect.stringMatching(/^ERROR: timed out after 1s waiting: Installing the microsoft\.flux extension; last state: /)]);
    expect(summary(writes(await e2e.requests()))).toEqual(['PUT extensions/flux']);
  });

  test.each([
    ['Ctrl-C', 130, 'SIGINT'],
    ['SIGTERM', 143, 'SIGTERM'],
  ] as const)('%s while waiting exits %i and says the operation goes on in Azure', async (_name, code, signal) => {
    const cli = e2e.start(LONG);
    const deadline = Date.now() + 10_000;
    while (!cli.stderr().includes('Creating Flux configuration cluster-config') && cli.child.exitCode === null && Date.now() < deadline) await sleep(20);
    // The PUT has been accepted and the CLI is polling.
    while (!(await e2e.requests()).some(isOperationPoll) && Date.now() < deadline) await sleep(20);
    await sleep(200);
    cli.child.kill(signal);
    const run = await cli.result;
    expect(run.status).toBe(code);
    expect(run.stdout).toBe('');
    expect(errors(run.stderr)).toEqual(['ERROR: interrupted while waiting: Creating Flux configuration cluster-config (last state: Creating).']);
    expect(run.stderr).toContain('The operation goes on in Azure. Follow it with: k8s-gitops flux config show -g rg -c arc-offline -t connectedClusters -n cluster-config');
    expect(summary(writes(await e2e.requests()))).toEqual(['PUT fluxConfigurations/cluster-config']);
  });
});

describe('the extension phase on Arc', () => {
  test('on arc1 the extension is installed with a system-assigned identity before the configuration', async () => {
    const run = e2e.cli([...CREATE, ...ON_ARC, ...SMALL, '-o', 'none']);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    const log = await e2e.requests();
    const w = writes(log);
    expect(summary(w)).toEqual(['PUT extensions/flux', 'PUT fluxConfigurations/small']);
    expect(w[0]!.body.identity).toEqual({ type: 'SystemAssigned' });
    expect(expectValidArmBodies(log)).toBe(2);
  });
});
