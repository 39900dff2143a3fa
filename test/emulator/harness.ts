/**
 * Starts the built emulator (dist-emulator/main.js) as a subprocess and talks to it over HTTPS,
 * trusting its certificate. Shared by the emulator's test files.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tutorialProperties } from '../../emulator/fleet.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MAIN = join(ROOT, 'dist-emulator', 'main.js');
export const SUB = '00000000-0000-0000-0000-000000000000';
export const KC = 'providers/Microsoft.KubernetesConfiguration';
export const AKS = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1`;
export const ARC = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/arc1`;
export const ARC_OFFLINE = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/arc-offline`;
export const HCI = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.HybridContainerService/provisionedClusters/hci1`;
export const FLUX_API = 'api-version=2025-04-01';
export const EXT_API = 'api-version=2025-03-01';

/** Lines the emulator prints on stdout at start-up (one `export` per variable). */
export const EXPORT_LINES = 6;

/** Fast delays for tests. */
export const FAST = ['--operation-delay', '100', '--reconcile-delay', '300', '--retry-after', '0', '--quiet'];

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: any;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** false: send no Authorization header; a string: that token; default: the emulator's token. */
  token?: string | false;
}

export interface RunningEmulator {
  proc: ChildProcess;
  /** The export lines, parsed. */
  env: Record<string, string>;
  stdout: string;
  base: string;
  ca: string;
  stderr(): string;
  request(method: string, pathOrUrl: string, options?: RequestOptions): Promise<HttpResult>;
  /** A token from the identity endpoint for the emulator's own resource. */
  token(): Promise<string>;
  control(method: string, path: string, body?: unknown): Promise<HttpResult>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * One HTTPS request. A kept-alive connection the emulator closed while this process was busy
 * (a test blocked in a synchronous run of the CLI) fails at its next use; as Node's documentation
 * advises, such a request is sent once more on a fresh connection.
 */
export async function httpsRequest(method: string, url: string, ca: string, headers: Record<string, string> = {}, body?: string): Promise<HttpResult> {
  try {
    return await httpsRequestOnce(method, url, ca, headers, body);
  } catch (err) {
    if ((err as { reusedSocket?: boolean }).reusedSocket && (err as NodeJS.ErrnoException).code === 'ECONNRESET') return httpsRequestOnce(method, url, ca, headers, body);
    throw err;
  }
}

function httpsRequestOnce(method: string, url: string, ca: string, headers: Record<string, string>, body?: string): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca, headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = null;
        try {
          parsed = text === '' ? null : JSON.parse(text);
        } catch {
          parsed = text;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed });
      });
    });
    req.on('error', (err) => reject(Object.assign(err, { reusedSocket: req.reusedSocket })));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Parses `export NAME=value` lines (values may be single-quoted). */
export function parseExports(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^export ([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    const raw = m[2]!;
    env[m[1]!] = raw.startsWith("'") ? raw.slice(1, -1).replace(/'\\''/g, "'") : raw;
  }
  return env;
}

export async function startEmulator(args: string[] = FAST): Promise<RunningEmulator> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
  const proc = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
  let stdout = '';
  let stderr = '';
  proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emulator did not start: ${stderr}`)), 10000);
    proc.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
      if ((stdout.match(/\n/g) ?? []).length >= EXPORT_LINES) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited with ${code}: ${stderr}`));
    });
  });
  const env = parseExports(stdout);
  const base = env.AZURE_RESOURCE_MANAGER_ENDPOINT!;
  const ca = readFileSync(env.NODE_EXTRA_CA_CERTS!, 'utf8');
  let cachedToken: string | undefined;
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));

  const token = async (): Promise<string> => {
    if (cachedToken) return cachedToken;
    const url = `${env.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=${encodeURIComponent(base)}`;
    const res = await httpsRequest('GET', url, ca, { 'X-IDENTITY-HEADER': env.IDENTITY_HEADER! });
    if (res.status !== 200) throw new Error(`token endpoint answered ${res.status}: ${res.text}`);
    cachedToken = res.body.access_token as string;
    return cachedToken;
  };

  return {
    proc,
    env,
    stdout,
    base,
    ca,
    stderr: () => stderr,
    token,
    async request(method, pathOrUrl, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token !== false) headers.Authorization = `Bearer ${options.token ?? (await token())}`;
      const url = pathOrUrl.startsWith('https://') ? pathOrUrl : `${base}${pathOrUrl}`;
      return httpsRequest(method, url, ca, headers, options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body));
    },
    control(method, path, body) {
      return httpsRequest(method, `${base}/_emulator/${path}`, ca, {}, body === undefined ? undefined : JSON.stringify(body));
    },
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null) return proc.exitCode;
      proc.kill(signal);
      return exited;
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls an Azure-AsyncOperation URL until the operation is terminal. */
export async function waitForOperation(emu: RunningEmulator, url: string, timeoutMs = 5000): Promise<HttpResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await emu.request('GET', url);
    if (res.status !== 200 || ['Succeeded', 'Failed', 'Canceled'].includes(res.body.status)) return res;
    if (Date.now() > deadline) throw new Error(`operation still ${res.body.status} after ${timeoutMs} ms`);
    await sleep(25);
  }
}

/** Polls a resource until `predicate` holds. */
export async function waitFor(emu: RunningEmulator, path: string, predicate: (body: HttpResult['body']) => boolean, timeoutMs = 5000): Promise<HttpResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await emu.request('GET', path);
    if (res.status === 200 && predicate(res.body)) return res;
    if (Date.now() > deadline) throw new Error(`condition not met after ${timeoutMs} ms; last: ${res.status} ${res.text.slice(0, 500)}`);
    await sleep(25);
  }
}

/** Installs the microsoft.flux extension on a cluster through ARM and waits for it. */
export async function installFlux(emu: RunningEmulator, cluster: string): Promise<void> {
  const put = await emu.request('PUT', `${cluster}/${KC}/extensions/flux?${EXT_API}`, {
    body: { properties: { extensionType: 'microsoft.flux', autoUpgradeMinorVersion: true, releaseTrain: 'Stable', scope: { cluster: { releaseNamespace: 'flux-system' } } } },
  });
  if (put.status !== 201 && put.status !== 200) throw new Error(`extension PUT answered ${put.status}: ${put.text}`);
  const op = await waitForOperation(emu, put.headers['azure-asyncoperation'] as string);
  if (op.body.status !== 'Succeeded') throw new Error(`extension install ended ${op.body.status}`);
}

/** Microsoft's tutorial configuration as a PUT body: what the generated fleet's clusters carry. */
export function tutorialConfig(): Record<string, unknown> {
  return { properties: tutorialProperties() };
}
