/**
 * Every wait ends at its deadline, whatever Azure or the cluster does: the built CLI against an
 * emulator that stops answering (hang) or asks to come back in an hour (429 with a long
 * Retry-After), for each wait there is — the operation of every write command, the automatic
 * Flux extension install, the provider registration, `status --wait-for`/`--watch` from Azure
 * and from the cluster. Each must end within a few seconds of its deadline with exit 5, the last
 * state it knew, and (after a write) that the write was accepted and how to follow it. SIGTERM
 * ends a wait as Ctrl-C does (here for status; flux-config-create.test.ts for an operation).
 *
 * The time bounds are loose on purpose (the machine may be busy): without the deadline holding,
 * a hung request would last until the test's own timeout, and a Retry-After an hour.
 */
import { describe, test, expect, beforeEach } from '@jest/globals';
import { waitForOperation } from '../emulator/harness.js';
import {
  useE2E, ARC_OFFLINE, AKS, E2E, SUB, E2E_ARGS, KC, ON_AKS, ON_ARC, ON_ARC_OFFLINE, ON_HCI, TUTORIAL, errors, inParallel, summary, writes,
  type Faults, type LoggedRequest, type Run,
} from './helpers.js';
import { until } from './status-helpers.js';

const e2e = useE2E();

/** The deadline every run below is given, and how late after it a run may end (start-up included). */
const DEADLINE_S = 4;
const LATE_MS = 10_000;
const WAIT = ['--wait-timeout', `${DEADLINE_S}s`];
const URL = 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt';

/** Every poll of an operation: the write itself goes through, what follows it does not. */
const POLLS = '^GET .*/operations/';
const HANG: Faults = { hang: { count: 10_000, match: POLLS } };
const LONG_RETRY_AFTER: Faults = { throttle: { count: 10_000, retryAfter: 3600, match: POLLS } };

const isPoll = (r: LoggedRequest): boolean => r.method === 'GET' && /\/operations\/[^/]+$/.test(r.path);

interface Timed extends Run {
  ms: number;
}

async function timed(args: readonly string[]): Promise<Timed> {
  const started = Date.now();
  const run = await e2e.cliAsync(args, { timeout: 60_000 });
  return { ...run, ms: Date.now() - started };
}

/** Ended at its deadline (exit 5, unless a plain watch, whose end it is): not before it, and not much after. */
function expectAtDeadline(run: Timed, what: string, deadlineS = DEADLINE_S, status = 5): void {
  expect({ what, status: run.status, early: run.ms < deadlineS * 1000, late: run.ms > deadlineS * 1000 + LATE_MS }).toEqual({ what, status, early: false, late: false });
}

/** Puts a configuration straight through ARM and waits for its operation. */
async function putConfiguration(cluster: string, name: string): Promise<void> {
  const body = {
    properties: {
      scope: 'cluster',
      namespace: name,
      sourceKind: 'GitRepository',
      gitRepository: { url: URL, repositoryRef: { branch: 'main' } },
      kustomizations: { infra: { path: './infrastructure', prune: true }, apps: { path: './apps/staging', prune: true, dependsOn: ['infra'] } },
    },
  };
  const put = await e2e.emu.request('PUT', `${cluster}/${KC}/fluxConfigurations/${name}?api-version=2025-04-01`, { body });
  expect([201, 200]).toContain(put.status);
  expect((await waitForOperation(e2e.emu, put.headers['azure-asyncoperation'] as string)).body.status).toBe('Succeeded');
}

/** Each wait: the command, the write it sends, and the phase its timeout names. */
const WAITS: { name: string; args: string[]; write: string; phase: string; follow: string }[] = [
  {
    name: 'flux config create',
    args: ['flux', 'config', 'create', ...ON_AKS, '-n', 'fresh', '-u', URL, '--branch', 'main', '-k', 'name=apps', 'path=./apps'],
    write: 'PUT fluxConfigurations/fresh',
    phase: 'Creating Flux configuration fresh',
    follow: 'k8s-gitops flux config show -g rg -c aks1 -t managedClusters -n fresh',
  },
  {
    name: 'flux config create, installing the Flux extension first',
    args: ['flux', 'config', 'create', ...ON_ARC_OFFLINE, '-n', 'fresh', '-u', URL, '--branch', 'main', '-k', 'name=apps', 'path=./apps', '--allow-offline'],
    write: 'PUT extensions/flux',
    phase: 'Installing the microsoft.flux extension',
    follow: 'k8s-gitops extension show -g rg -c arc-offline -t connectedClusters -n flux',
  },
  {
    name: 'flux config update',
    args: ['flux', 'config', 'update', ...ON_AKS, '-n', 'cluster-config', '--branch', 'release'],
    write: 'PATCH fluxConfigurations/cluster-config',
    phase: 'Updating Flux configuration cluster-config',
    follow: 'k8s-gitops flux config show -g rg -c aks1 -t managedClusters -n cluster-config',
  },
  {
    name: 'flux config delete',
    args: ['flux', 'config', 'delete', ...ON_AKS, '-n', 'doomed', '--yes'],
    write: 'DELETE fluxConfigurations/doomed',
    phase: 'Deleting Flux configuration doomed',
    follow: 'k8s-gitops flux config show -g rg -c aks1 -t managedClusters -n doomed',
  },
  {
    name: 'flux kustomization create',
    args: ['flux', 'kustomization', 'create', ...ON_AKS, '-n', 'k-add', '-k', 'extra', '--path', './extra'],
    write: 'PATCH fluxConfigurations/k-add',
    phase: 'Adding kustomization extra to k-add',
    follow: 'k8s-gitops flux kustomization show -g rg -c aks1 -t managedClusters -n k-add -k extra',
  },
  {
    name: 'flux kustomization update',
    args: ['flux', 'kustomization', 'update', ...ON_AKS, '-n', 'k-change', '-k', 'apps', '--path', './apps/production'],
    write: 'PATCH fluxConfigurations/k-change',
    phase: 'Updating kustomization apps of k-change',
    follow: 'k8s-gitops flux kustomization show -g rg -c aks1 -t managedClusters -n k-change -k apps',
  },
  {
    name: 'flux kustomization delete',
    args: ['flux', 'kustomization', 'delete', ...ON_AKS, '-n', 'k-drop', '-k', 'apps', '--yes'],
    write: 'PATCH fluxConfigurations/k-drop',
    phase: 'Deleting kustomization apps of k-drop',
    follow: 'k8s-gitops flux kustomization list -g rg -c aks1 -t managedClusters -n k-drop',
  },
  {
    name: 'extension create',
    args: ['extension', 'create', ...ON_HCI],
    write: 'PUT extensions/flux',
    phase: 'Installing extension flux (microsoft.flux)',
    follow: 'k8s-gitops extension show -g rg -c hci1 -t provisionedClusters -n flux',
  },
  {
    name: 'extension update',
    args: ['extension', 'update', ...ON_AKS, '--config', 'helm-controller.detectDrift=true', '--yes'],
    write: 'PATCH extensions/flux',
    phase: 'Updating extension flux',
    follow: 'k8s-gitops extension show -g rg -c aks1 -t managedClusters -n flux',
  },
  {
    name: 'extension delete',
    args: ['extension', 'delete', ...ON_ARC, '--yes'],
    write: 'DELETE extensions/flux',
    phase: 'Uninstalling extension flux',
    follow: 'k8s-gitops extension show -g rg -c arc1 -t connectedClusters -n flux',
  },
];

describe.each([
  ['Azure stops answering after accepting the write', HANG, /Azure accepted the request; the last poll went unanswered \(none came before the deadline\), so its state since is unknown\./],
  ['Azure throttles with Retry-After: 3600 after accepting the write', LONG_RETRY_AFTER, /Azure accepted the request; the last poll went unanswered \(Azure asked to wait 3600s \(Retry-After\)\), so its state since is unknown\./],
])('every write waits no longer than --wait-timeout when %s', (_title, fault, why) => {
  beforeEach(async () => {
    await e2e.reset({ extension: { aks1: 'installed', arc1: 'installed' } });
    for (const name of ['cluster-config', 'doomed', 'k-add', 'k-change', 'k-drop']) await putConfiguration(AKS, name);
    await e2e.clearRequests();
    await e2e.faults(fault);
  });

  test('exit 5 at the deadline, the last state, and how to follow the accepted write', async () => {
    const runs = await inParallel(WAITS, 4, (w) => timed([...w.args, ...WAIT]));
    const log = await e2e.requests();
    WAITS.forEach((w, i) => {
      const run = runs[i]!;
      expectAtDeadline(run, w.name);
      expect({ what: w.name, stdout: run.stdout, errors: errors(run.stderr) }).toEqual({
        what: w.name,
        stdout: '',
        errors: [`ERROR: timed out after ${DEADLINE_S}s waiting: ${w.phase}; last state: Accepted.`],
      });
      expect(run.stderr).toMatch(why);
      expect(run.stderr).toContain('The operation goes on in Azure. Follow it with: ');
      expect(run.stderr).toContain(w.follow);
      // The write was sent once and accepted; what followed was polls.
      expect({ what: w.name, sent: summary(writes(log)).filter((s) => s === w.write).length > 0 }).toEqual({ what: w.name, sent: true });
    });
    expect(writes(log).every((r) => r.status === 201 || r.status === 202 || r.status === 200)).toBe(true);
    expect(log.filter(isPoll).length).toBeGreaterThanOrEqual(WAITS.length);
  }, 120_000);
});

describe('the provider registration waits no longer than --wait-timeout', () => {
  test.each([
    ['Azure never answers the registration', { hang: { count: 100, match: '/register$' } } as Faults, 'none came before the deadline'],
    ['Azure throttles it with Retry-After: 3600', { throttle: { count: 100, retryAfter: 3600, match: '/register$' } } as Faults, 'Azure asked to wait 3600s (Retry-After)'],
  ])('%s: exit 5 with the last registration state, nothing else written', async (_title, fault, why) => {
    await e2e.reset({ providerUnregistered: true, extension: { aks1: 'installed' }, ...fault });
    const run = await timed(['flux', 'config', 'create', ...ON_AKS, ...TUTORIAL, '--register-provider', ...WAIT]);
    expectAtDeadline(run, 'registration');
    expect(run.stdout).toBe('');
    expect(errors(run.stderr)).toEqual([`ERROR: timed out waiting for the registration of Microsoft.KubernetesConfiguration; last state: NotRegistered (no answer to the registration: ${why}).`]);
    expect(run.stderr).toContain('Registering the resource provider Microsoft.KubernetesConfiguration');
    expect(writes(await e2e.requests()).map((r) => `${r.method} ${r.path}`)).toEqual([`POST /subscriptions/${SUB}/providers/Microsoft.KubernetesConfiguration/register`]);
  });
});

describe('a command given --wait-timeout ends by then even before it has written anything', () => {
  test('a hung pre-flight read: exit 5, nothing changed', async () => {
    await e2e.reset({ extension: { aks1: 'installed' }, hang: 10_000 });
    const run = await timed(['flux', 'config', 'create', ...ON_AKS, ...TUTORIAL, ...WAIT]);
    expectAtDeadline(run, 'pre-flight');
    expect(errors(run.stderr)).toEqual([expect.stringMatching(new RegExp(`^ERROR: timed out \\(--wait-timeout ${DEADLINE_S}s\\): no answer from Azure to GET /subscriptions/\\S+: none came before the deadline\\.$`))]);
    expect(run.stderr).toContain('HINT: Nothing was changed.');
    expect(writes(await e2e.requests())).toEqual([]);
  });
});

describe('the last state is the last one Azure reported', () => {
  // On an offline Arc cluster a create that waits for the reconciliation stays Creating.
  const LONG = ['flux', 'config', 'create', ...ON_ARC_OFFLINE, ...TUTORIAL, '--allow-offline', '--wait-for-reconciliation', '--reconciliation-wait-duration', '10m'];

  test('Azure stops answering after a poll said Creating: exit 5 at the deadline, last state Creating', async () => {
    await e2e.reset({ extension: { 'arc-offline': 'installed' } });
    const started = Date.now();
    const cli = e2e.start([...LONG, '--wait-timeout', '8s'], { timeout: 60_000 });
    await until('a poll answered Creating', async () => (await e2e.requests()).some((r) => isPoll(r) && r.status === 200));
    await e2e.faults({ hang: 10_000 });
    const run = { ...(await cli.result), ms: Date.now() - started } as Timed;
    expectAtDeadline(run, 'create', 8);
    expect(errors(run.stderr)).toEqual(['ERROR: timed out after 8s waiting: Creating Flux configuration cluster-config; last state: Creating.']);
    expect(run.stderr).toContain('The operation goes on in Azure. Follow it with: k8s-gitops flux config show -g rg -c arc-offline -t connectedClusters -n cluster-config');
    expect(summary(writes(await e2e.requests()))).toEqual(['PUT fluxConfigurations/cluster-config']);
  });
});

describe('status waits no longer than --timeout', () => {
  const ON_OFFLINE_CONFIG = ['status', ...ON_ARC_OFFLINE, '-n', 'cluster-config', '--interval', '1s', '--timeout', `${DEADLINE_S + 2}s`];

  beforeEach(async () => {
    // A configuration that stays Pending (its cluster is offline): the gate is never reached.
    await e2e.reset({ extension: { 'arc-offline': 'installed' } });
    await e2e.putTutorial(ARC_OFFLINE);
    await e2e.clearRequests();
  });

  test.each([
    ['--wait-for, Azure stops answering', ['--wait-for', 'compliant'], { hang: 10_000 } as Faults],
    ['--wait-for, Azure throttles with Retry-After: 3600', ['--wait-for', 'compliant'], { throttle: { count: 10_000, retryAfter: 3600 } } as Faults],
    ['--watch --wait-for -o json, Azure stops answering', ['--watch', '--wait-for', 'compliant', '-o', 'json'], { hang: 10_000 } as Faults],
    ['--watch --wait-for -o json, Azure throttles with Retry-After: 3600', ['--watch', '--wait-for', 'compliant', '-o', 'json'], { throttle: { count: 10_000, retryAfter: 3600 } } as Faults],
  ])('from Azure, %s after the first read: exit 5 at the deadline with the last state', async (_title, extra, fault) => {
    const started = Date.now();
    const cli = e2e.start([...ON_OFFLINE_CONFIG, ...extra], { timeout: 60_000 });
    await until('the first read', async () => (await e2e.requests()).some((r) => r.path.endsWith('/fluxConfigurations/cluster-config') && r.status === 200));
    await e2e.faults(fault);
    const run = { ...(await cli.result), ms: Date.now() - started } as Timed;
    expectAtDeadline(run, 'status', DEADLINE_S + 2);
    // The last state read is the output: the configuration, still Pending.
    expect(run.stdout).toContain('cluster-config');
    expect(run.stdout).toContain('Pending');
    expect(errors(run.stderr)).toEqual([expect.stringMatching(/^ERROR: (compliant|ready): not reached within \d+s; the last state is above\.$/)]);
  });

  test('from Azure, a plain --watch (which waits for nothing) still ends at --timeout when Azure stops answering', async () => {
    const started = Date.now();
    const cli = e2e.start([...ON_OFFLINE_CONFIG, '--watch', '-o', 'json'], { timeout: 60_000 });
    await until('the first document', () => cli.stdout().includes('cluster-config'));
    await e2e.faults({ hang: 10_000 });
    const run = { ...(await cli.result), ms: Date.now() - started } as Timed;
    expectAtDeadline(run, 'status --watch', DEADLINE_S + 2, 0);
    expect(run.stderr).toContain(`Stopped watching after ${DEADLINE_S + 2}s (--timeout).`);
  });

  test('from Azure, no answer at all: exit 5 at the deadline, saying that nothing was read', async () => {
    await e2e.faults({ hang: 10_000 });
    const run = await timed(['status', ...ON_AKS, '--wait-for', 'ready', '--timeout', `${DEADLINE_S}s`]);
    expectAtDeadline(run, 'status');
    expect(run.stdout).toBe('');
    expect(errors(run.stderr)).toEqual([`ERROR: ready: not reached within ${DEADLINE_S}s, and no status was read: Azure did not answer in time.`]);
  });

  test.each([
    ['--wait-for ready', ['--wait-for', 'ready']],
    ['--watch --wait-for ready', ['--watch', '--wait-for', 'ready']],
  ])('from the cluster, %s, its API not answering: exit 5 at the deadline', async (_title, extra) => {
    await e2e.faults({ hangKubernetes: 10_000 });
    const run = await timed(['status', '--context', 'aks1', ...extra, '--timeout', `${DEADLINE_S}s`]);
    expectAtDeadline(run, 'status --context');
    expect(errors(run.stderr)).toEqual([`ERROR: ready: not reached within ${DEADLINE_S}s, and no status was read: the cluster did not answer in time.`]);
  });

  test('SIGTERM ends a --watch: exit 143', async () => {
    const cli = e2e.start(['status', ...ON_ARC_OFFLINE, '-n', 'cluster-config', '--watch', '--interval', '1s', '-o', 'json'], { timeout: 60_000 });
    await until('the first document', () => cli.stdout().includes('cluster-config'));
    cli.child.kill('SIGTERM');
    const run = await cli.result;
    expect(run.status).toBe(143);
    expect(errors(run.stderr)).toEqual(['ERROR: interrupted; nothing was changed.']);
  });
});

describe('Azure gone after it accepted the write', () => {
  test('connection refused while polling: exit 5 at the deadline, saying the write may still complete', async () => {
    // An emulator of its own, stopped while the CLI waits.
    const own = await E2E.start(E2E_ARGS);
    try {
      await own.reset({ extension: { 'arc-offline': 'installed' } });
      const started = Date.now();
      const cli = own.start(['flux', 'config', 'create', ...ON_ARC_OFFLINE, ...TUTORIAL, '--allow-offline', '--wait-for-reconciliation', '--reconciliation-wait-duration', '10m', '--wait-timeout', '8s'], { timeout: 60_000 });
      await until('a poll', async () => (await own.requests()).some(isPoll));
      await own.stop();
      const run = { ...(await cli.result), ms: Date.now() - started } as Timed;
      expectAtDeadline(run, 'create', 8);
      expect(errors(run.stderr)).toEqual(['ERROR: timed out after 8s waiting: Creating Flux configuration cluster-config; last state: Creating.']);
      expect(run.stderr).toMatch(/Azure accepted the request; the last poll went unanswered \(the last attempt ended with ECONNREFUSED\), so its state since is unknown\. The operation goes on in Azure\. Follow it with: k8s-gitops flux config show -g rg -c arc-offline -t connectedClusters -n cluster-config/);
    } finally {
      await own.stop();
    }
  });
});
