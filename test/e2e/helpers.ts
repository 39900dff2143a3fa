/**
 * End-to-end helpers: one emulator per test file (started through test/emulator/harness.ts),
 * the built CLI run as a subprocess whose environment is exactly the emulator's exported
 * variables plus PATH, HOME and the code cache directory, and readers of what the emulator
 * received.
 */
import type { LoggedRequest as EmulatorLoggedRequest } from '../../emulator/requestlog.js';
import { afterAll, afterEach, beforeAll, expect } from '@jest/globals';
import { AKS, ARC, ARC_OFFLINE, FLUX_API, HCI, KC, SUB, startEmulator, tutorialConfig, waitFor, waitForOperation, type RunningEmulator } from '../emulator/harness.js';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, exactEnv, makeTempDir, removeDir, runCliWithEnv, startCliWithEnv, type CliResult, type StartedCli } from '../helpers/cli.js';
import { validateArmRequest, type ArmDefinition } from '../helpers/schema.js';

export { AKS, ARC, ARC_OFFLINE, HCI, KC, SUB };

/**
 * Operations finish at once, so the CLI's first status poll (sent straight away, Retry-After
 * being 0) already sees them terminal; the simulated agent reconciles in 400 ms. With any
 * operation delay the first poll finds the operation running, and since the emulator's
 * operation-status answers carry no Retry-After the CLI then waits its default interval (2 s for
 * a configuration, 5 s for the extension install) per wait. Long operations are made instead
 * with an offline Arc cluster, where the agent never reports.
 */
export const E2E_ARGS = ['--operation-delay', '0', '--reconcile-delay', '400', '--retry-after', '0', '--quiet'];

export const FLUX_API_VERSION = '2025-04-01';
export const EXTENSION_API_VERSION = '2023-05-01';

/** Cluster arguments of the emulator's default world. */
export const ON_AKS = ['-g', 'rg', '-c', 'aks1', '-t', 'managedClusters'];
export const ON_ARC = ['-g', 'rg', '-c', 'arc1', '-t', 'connectedClusters'];
export const ON_ARC_OFFLINE = ['-g', 'rg', '-c', 'arc-offline', '-t', 'connectedClusters'];
export const ON_HCI = ['-g', 'rg', '-c', 'hci1', '-t', 'provisionedClusters'];

export const TUTORIAL_URL = 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt';

/** Microsoft's tutorial configuration, as flags of `flux config create`. */
export const TUTORIAL = [
  '-n', 'cluster-config', '--namespace', 'cluster-config', '--scope', 'cluster',
  '-u', TUTORIAL_URL, '--branch', 'main',
  '-k', 'name=infra', 'path=./infrastructure', 'prune=true',
  '-k', 'name=apps', 'path=./apps/staging', 'prune=true', 'depends_on=infra',
];

/** The PUT body the tutorial configuration must produce. */
export const TUTORIAL_BODY = {
  properties: {
    scope: 'cluster',
    namespace: 'cluster-config',
    sourceKind: 'GitRepository',
    suspend: false,
    gitRepository: { url: TUTORIAL_URL, repositoryRef: { branch: 'main' } },
    kustomizations: {
      infra: { path: './infrastructure', prune: true },
      apps: { path: './apps/staging', prune: true, dependsOn: ['infra'] },
    },
  },
};

/** The emulator's request log entry, with the body loosely typed for assertions. */
export type LoggedRequest = Omit<EmulatorLoggedRequest, 'body' | 'status'> & { body: any; status: number };

/** Limits a fault to the requests whose "METHOD /path" matches `match` (a regular expression). */
export interface Counted {
  count: number;
  match?: string;
}

export interface Faults {
  throttle?: number | (Counted & { retryAfter?: number });
  serverErrors?: number;
  hang?: number | Counted;
  hangKubernetes?: number | Counted;
  respond?: (Counted & { status: number }) | null;
  failOperation?: boolean | string;
  cancelOperation?: boolean | string;
  failKustomization?: Record<string, string | null | false> | string[] | null;
  extension?: Record<string, 'absent' | 'installing' | 'failed' | 'installed'>;
  arcOffline?: string[];
  arcOnline?: string[];
  providerUnregistered?: boolean;
}

export interface Run extends CliResult {
  /** stdout parsed as JSON (fails the test with the output when it is not JSON). */
  json(): any;
}

function withJson(result: CliResult, args: readonly string[]): Run {
  return {
    ...result,
    json() {
      try {
        return JSON.parse(result.stdout);
      } catch {
        throw new Error(`stdout of k8s-gitops ${args.join(' ')} is not JSON (exit ${result.status}):\n${result.stdout}\n--- stderr:\n${result.stderr}`);
      }
    },
  };
}

export class E2E {
  private constructor(readonly emu: RunningEmulator) {}

  static async start(args: string[] = E2E_ARGS): Promise<E2E> {
    return new E2E(await startEmulator(args));
  }

  /** Exactly what the emulator exported; the CLI gets these plus PATH, HOME and XDG_CACHE_HOME. */
  get vars(): Record<string, string> {
    return this.emu.env;
  }

  /** Runs the built CLI to completion; `env` adds variables to the emulator's. */
  cli(args: readonly string[], options: { input?: string; cwd?: string; timeout?: number; env?: Record<string, string> } = {}): Run {
    const { env, ...rest } = options;
    return withJson(runCliWithEnv(args, { ...this.vars, ...env }, rest), args);
  }

  /**
   * Runs the built CLI with stdout and stderr on one file, as a terminal shows them: what is
   * printed, in the order it was printed.
   */
  cliMerged(args: readonly string[]): { status: number | null; output: string } {
    const dir = makeTempDir();
    try {
      const file = join(dir, 'output');
      const fd = openSync(file, 'w');
      let status: number | null;
      try {
        status = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env: exactEnv(dir, this.vars), stdio: ['ignore', fd, fd], timeout: 20_000 }).status;
      } finally {
        closeSync(fd);
      }
      return { status, output: readFileSync(file, 'utf8') };
    } finally {
      removeDir(dir);
    }
  }

  /** Runs the built CLI without blocking (several at once, or to signal it). */
  start(args: readonly string[], options: { input?: string; cwd?: string; timeout?: number } = {}): StartedCli {
    return startCliWithEnv(args, this.vars, options);
  }

  async cliAsync(args: readonly string[], options: { input?: string; cwd?: string; timeout?: number } = {}): Promise<Run> {
    return withJson(await this.start(args, options).result, args);
  }

  /** Fails with what the emulator said if it is no longer running (rather than with a connection error). */
  private checkAlive(): void {
    const { proc } = this.emu;
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`the emulator is gone (exit ${proc.exitCode}, signal ${proc.signalCode}); its stderr:\n${this.emu.stderr().slice(-2000)}`);
    }
  }

  /** A fresh default world, an empty request log, then `faults` if given. */
  async reset(faults?: Faults): Promise<void> {
    this.checkAlive();
    const reset = await this.emu.control('POST', 'reset');
    if (reset.status !== 200) throw new Error(`reset answered ${reset.status}: ${reset.text}`);
    await this.clearRequests();
    if (faults) await this.faults(faults);
  }

  async faults(faults: Faults): Promise<any> {
    const res = await this.emu.control('POST', 'faults', faults);
    if (res.status !== 200) throw new Error(`faults answered ${res.status}: ${res.text}`);
    return res.body;
  }

  async clearRequests(): Promise<void> {
    const res = await this.emu.control('DELETE', 'requests');
    if (res.status !== 204) throw new Error(`DELETE requests answered ${res.status}: ${res.text}`);
  }

  /** Every ARM request received since the last reset or clear, oldest first. */
  async requests(): Promise<LoggedRequest[]> {
    this.checkAlive();
    const res = await this.emu.control('GET', 'requests');
    if (res.status !== 200) throw new Error(`GET requests answered ${res.status}: ${res.text}`);
    return res.body as LoggedRequest[];
  }

  /** Every request to the clusters' Kubernetes APIs since the last reset or clear, oldest first. */
  async kubeRequests(): Promise<LoggedRequest[]> {
    this.checkAlive();
    const res = await this.emu.control('GET', 'kube-requests');
    if (res.status !== 200) throw new Error(`GET kube-requests answered ${res.status}: ${res.text}`);
    return res.body as LoggedRequest[];
  }

  /**
   * Puts Microsoft's tutorial configuration straight through ARM (not through the CLI: this only
   * prepares a test) on a cluster that has the Flux extension, and waits for its operation and,
   * with `compliant`, for the agent to report Compliant.
   */
  async putTutorial(cluster: string = AKS, options: { compliant?: boolean } = {}): Promise<void> {
    const path = `${cluster}/${KC}/fluxConfigurations/cluster-config?${FLUX_API}`;
    const put = await this.emu.request('PUT', path, { body: tutorialConfig() });
    if (put.status !== 201 && put.status !== 200) throw new Error(`configuration PUT answered ${put.status}: ${put.text}`);
    const op = await waitForOperation(this.emu, put.headers['azure-asyncoperation'] as string);
    if (op.body.status !== 'Succeeded') throw new Error(`configuration PUT ended ${op.body.status}`);
    if (options.compliant) await waitFor(this.emu, path, (body) => body.properties.complianceState === 'Compliant');
  }

  /**
   * Waits until the resource at `url` (see fluxConfigUrl) satisfies `predicate`, reading ARM
   * directly: the test waits for the emulator's agent without spending CLI runs on it.
   */
  async armUntil(url: string, predicate: (body: any) => boolean, timeoutMs = 8000): Promise<void> {
    await waitFor(this.emu, url, predicate, timeoutMs);
  }

  /** The HTTP status of a GET of `url` straight from ARM. */
  async armStatus(url: string): Promise<number> {
    return (await this.emu.request('GET', url)).status;
  }

  async state(): Promise<any> {
    return (await this.emu.control('GET', 'state')).body;
  }

  async stop(): Promise<void> {
    await this.emu.stop();
  }
}

/** The part of a path after `providers/Microsoft.KubernetesConfiguration/`, or the path itself. */
export function shortPath(path: string): string {
  const i = path.indexOf(`/${KC}/`);
  return i < 0 ? path : path.slice(i + KC.length + 2);
}

/** `METHOD shortPath` of each request, e.g. "PUT extensions/flux". */
export function summary(log: readonly LoggedRequest[]): string[] {
  return log.map((r) => `${r.method} ${shortPath(r.path)}`);
}

/** Requests that change something (everything but GET). */
export function writes(log: readonly LoggedRequest[]): LoggedRequest[] {
  return log.filter((r) => r.method !== 'GET');
}

function definitionOf(r: LoggedRequest): ArmDefinition | undefined {
  const tail = shortPath(r.path);
  if (/^extensions\/[^/]+$/.test(tail)) return r.method === 'PUT' ? 'Extension' : r.method === 'PATCH' ? 'patchExtension' : undefined;
  if (/^fluxConfigurations\/[^/]+$/.test(tail)) return r.method === 'PUT' ? 'FluxConfiguration' : r.method === 'PATCH' ? 'FluxConfigurationPatch' : undefined;
  return undefined;
}

/**
 * Checks every PUT and PATCH of an extension or a Flux configuration in the log against the
 * official swagger (the emulator checks them too; the test says so itself) and returns how many
 * bodies were checked.
 */
export function expectValidArmBodies(log: readonly LoggedRequest[]): number {
  let checked = 0;
  for (const r of log) {
    if (r.method !== 'PUT' && r.method !== 'PATCH') continue;
    const definition = definitionOf(r);
    if (!definition) continue;
    const problems = validateArmRequest(r.query['api-version']!, definition, r.body);
    expect({ request: `${r.method} ${shortPath(r.path)}`, problems }).toEqual({ request: `${r.method} ${shortPath(r.path)}`, problems: [] });
    checked++;
  }
  return checked;
}

/** Lines of stderr starting with `ERROR:`. */
export function errors(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('ERROR:'));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** ARM path (with api-version) of a Flux configuration of a cluster (AKS, ARC, … of the harness). */
export function fluxConfigUrl(cluster: string, name: string): string {
  return `${cluster}/${KC}/fluxConfigurations/${name}?api-version=${FLUX_API_VERSION}`;
}

/** ARM path (with api-version) of an extension of a cluster. */
export function extensionUrl(cluster: string, name: string): string {
  return `${cluster}/${KC}/extensions/${name}?api-version=${EXTENSION_API_VERSION}`;
}

/** The rows of a table printed with -o table: header cells, then one array of cells per row. */
export function tableRows(stdout: string): { header: string[]; rows: string[][] } {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  expect(lines.length).toBeGreaterThanOrEqual(2);
  const dashes = lines[1]!;
  expect(dashes).toMatch(/^-+( +-+)*$/);
  // Column boundaries come from the dash line, so cells with spaces stay whole.
  const spans: Array<[number, number]> = [];
  const re = /-+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(dashes))) spans.push([m.index, m.index + m[0].length]);
  const cells = (line: string): string[] => spans.map(([from, to], i) => (i === spans.length - 1 ? line.slice(from) : line.slice(from, to)).trim());
  return { header: cells(lines[0]!), rows: lines.slice(2).map(cells) };
}

/** Maps `items` through `fn` with at most `limit` calls in flight; results in the order of `items`. */
export async function inParallel<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * One emulator for the test file: started before its tests, stopped after them, and after each
 * test every PUT and PATCH body the emulator received is checked against the swagger. Returns
 * the running E2E (usable inside tests and hooks, not at the top level of the file).
 */
export function useE2E(args: string[] = E2E_ARGS): E2E {
  let current: E2E | undefined;
  beforeAll(async () => {
    current = await E2E.start(args);
  });
  afterAll(async () => {
    await current?.stop();
  });
  afterEach(async () => {
    if (current) expectValidArmBodies(await current.requests());
  });
  return new Proxy({} as E2E, {
    get(_target, property) {
      if (!current) throw new Error('the emulator is not started yet: use it inside tests and hooks');
      const value = Reflect.get(current, property, current) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(current) : value;
    },
  });
}
