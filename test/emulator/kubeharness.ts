/**
 * Helpers for the tests of the emulated clusters' Kubernetes APIs: one emulator per test file,
 * the emulator's kubeconfig, plain HTTPS requests with a cluster's token, a line-by-line watch
 * reader, and the ARM steps that give a cluster Flux objects.
 */
import { afterAll, beforeAll, beforeEach } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request, type RequestOptions as HttpsOptions } from 'node:https';
import type { ClientRequest } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { AKS, FAST, FLUX_API, httpsRequest, KC, sleep, startEmulator, tutorialConfig, waitFor, waitForOperation, type HttpResult, type RunningEmulator } from './harness.js';

/**
 * One emulator for a test file: started before its tests and stopped after them, its world
 * reset before each test with the Flux extension installed on aks1; `scratch` is a directory of
 * the file's own (kubectl's HOME), made when first asked for and removed at the end.
 */
export function useClusterEmulator(): { readonly emu: RunningEmulator; readonly scratch: string } {
  let emu: RunningEmulator | undefined;
  let scratch: string | undefined;
  beforeAll(async () => {
    emu = await startEmulator(FAST);
  });
  afterAll(async () => {
    await emu?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await emu!.control('POST', 'reset');
    await emu!.control('POST', 'faults', { extension: { aks1: 'installed' } });
  });
  return {
    get emu(): RunningEmulator {
      if (!emu) throw new Error('the emulator is not started yet: use it inside tests and hooks');
      return emu;
    },
    get scratch(): string {
      return (scratch ??= mkdtempSync(join(tmpdir(), 'k8s-gitops-kube-')));
    },
  };
}

export interface Kubeconfig {
  'current-context': string;
  clusters: { name: string; cluster: { server: string; 'certificate-authority': string } }[];
  contexts: { name: string; context: { cluster: string; user: string } }[];
  users: { name: string; user: { token: string } }[];
}

export function readKubeconfig(emu: RunningEmulator): Kubeconfig {
  return parseYaml(readFileSync(emu.env.KUBECONFIG!, 'utf8')) as Kubeconfig;
}

/** Server URL and token of a context of the emulator's kubeconfig. */
export function clusterAccess(emu: RunningEmulator, context: string): { server: string; token: string } {
  const config = readKubeconfig(emu);
  const ctx = config.contexts.find((c) => c.name === context)!.context;
  return {
    server: config.clusters.find((c) => c.name === ctx.cluster)!.cluster.server,
    token: config.users.find((u) => u.name === ctx.user)!.user.token,
  };
}

export interface KubeRequestOptions {
  /** false: no Authorization header; a string: that token; default: the cluster's token. */
  token?: string | false;
  headers?: Record<string, string>;
  method?: string;
  /** A request body (a PATCH's), sent as is. */
  body?: string;
}

/** A request to a cluster's API: `path` is relative to the cluster's server URL (`/apis/...`). */
export function kube(emu: RunningEmulator, cluster: string, path: string, options: KubeRequestOptions = {}): Promise<HttpResult> {
  const access = clusterAccess(emu, cluster);
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? access.token : options.token;
  if (token !== false) headers.Authorization = `Bearer ${token}`;
  return httpsRequest(options.method ?? 'GET', `${access.server}${path}`, emu.ca, headers, options.body);
}

export interface WatchEvent {
  type: string;
  object: any;
}

/** A watch stream read line by line. */
export class WatchStream {
  readonly events: WatchEvent[] = [];
  status = 0;
  ended = false;
  body = '';
  private buffer = '';
  private waiters: (() => void)[] = [];
  private req?: ClientRequest;
  readonly ready: Promise<void>;

  constructor(url: string, ca: string, headers: Record<string, string>) {
    this.ready = new Promise((resolve, reject) => {
      const options: HttpsOptions = { ca, headers };
      this.req = request(url, options, (res) => {
        this.status = res.statusCode ?? 0;
        resolve();
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          this.body += chunk;
          this.buffer += chunk;
          let nl: number;
          while ((nl = this.buffer.indexOf('\n')) >= 0) {
            const line = this.buffer.slice(0, nl);
            this.buffer = this.buffer.slice(nl + 1);
            if (line.trim() !== '') this.events.push(JSON.parse(line) as WatchEvent);
          }
          this.wake();
        });
        res.on('end', () => {
          this.ended = true;
          this.wake();
        });
        res.on('error', () => {
          this.ended = true;
          this.wake();
        });
      });
      this.req.on('error', (err) => {
        this.ended = true;
        this.wake();
        reject(err);
      });
      this.req.end();
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Waits until `predicate` holds over the events received so far (or the stream ends). */
  async until(predicate: (events: WatchEvent[]) => boolean, timeoutMs = 5000): Promise<WatchEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.events)) {
      if (this.ended) throw new Error(`watch ended before the condition held; events: ${JSON.stringify(this.summary())}`);
      if (Date.now() > deadline) throw new Error(`watch condition not met after ${timeoutMs} ms; events: ${JSON.stringify(this.summary())}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return this.events;
  }

  /** Waits until the server ends the stream. */
  async end(timeoutMs = 5000): Promise<WatchEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error(`watch still open after ${timeoutMs} ms`);
      await sleep(20);
    }
    return this.events;
  }

  summary(): string[] {
    return this.events.map((e) => `${e.type} ${e.object?.metadata?.name ?? e.object?.reason ?? ''} ${readyOf(e.object) ?? ''}`.trim());
  }

  close(): void {
    this.req?.destroy();
  }
}

export function watchStream(emu: RunningEmulator, cluster: string, path: string, options: KubeRequestOptions = {}): WatchStream {
  const access = clusterAccess(emu, cluster);
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? access.token : options.token;
  if (token !== false) headers.Authorization = `Bearer ${token}`;
  return new WatchStream(`${access.server}${path}`, emu.ca, headers);
}

/** `status/reason` of the Ready condition, e.g. `True/ReconciliationSucceeded`. */
export function readyOf(obj: any): string | undefined {
  const ready = obj?.status?.conditions?.find((c: { type: string }) => c.type === 'Ready');
  return ready ? `${ready.status}/${ready.reason}` : undefined;
}

export const cfgPath = (cluster: string, name: string): string => `${cluster}/${KC}/fluxConfigurations/${name}?${FLUX_API}`;

/** PUTs a configuration through ARM and waits for its operation. */
export async function putConfig(emu: RunningEmulator, name: string, body: Record<string, unknown> = tutorialConfig(), cluster = AKS): Promise<void> {
  const put = await emu.request('PUT', cfgPath(cluster, name), { body });
  if (put.status !== 201 && put.status !== 200) throw new Error(`PUT answered ${put.status}: ${put.text}`);
  await waitForOperation(emu, put.headers['azure-asyncoperation'] as string);
}

export async function waitCompliance(emu: RunningEmulator, name: string, state = 'Compliant', cluster = AKS): Promise<HttpResult> {
  return waitFor(emu, cfgPath(cluster, name), (b) => b.properties.complianceState === state && b.properties.statuses.length > 0);
}

/** The kinds the product reads from a cluster: the emulator must serve each of them. */
export { FLUX_KINDS } from '../../src/kube/kinds.js';
import { FLUX_KINDS } from '../../src/kube/kinds.js';

export const KS = '/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations';

export function kindPath(kind: string, namespace?: string): string {
  const k = FLUX_KINDS.find((f) => f.kind === kind)!;
  return `/apis/${k.group}/${k.version}${namespace ? `/namespaces/${namespace}` : ''}/${k.plural}`;
}

/** `kubectl` when it is on this machine's PATH (it is not a dependency of the project), else undefined. */
export const KUBECTL: string | undefined = spawnSync('kubectl', ['version', '--client', '--output=json'], { encoding: 'utf8' }).status === 0 ? 'kubectl' : undefined;

/**
 * Runs kubectl against the emulator in an isolated environment: only the emulator's kubeconfig,
 * `home` as HOME and its cache directory. Call only when KUBECTL is set.
 */
export function runKubectl(emu: RunningEmulator, home: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env = { PATH: process.env.PATH ?? '', HOME: home };
  const r = spawnSync(KUBECTL!, ['--kubeconfig', emu.env.KUBECONFIG!, '--cache-dir', join(home, 'cache'), ...args], { encoding: 'utf8', env, timeout: 15000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
