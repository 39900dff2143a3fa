/**
 * Every request to a cluster has a time limit of its own, so that a cluster that accepts the
 * connection and never answers cannot hold a command that has no deadline (a one-shot status,
 * tree, diff --cluster, events): the request ends, and the error says so with exit 5.
 */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createContext } from '../../src/core/context.js';
import { ExitCode } from '../../src/core/errors.js';
import { KubeAccess } from '../../src/kube/access.js';
import { getFluxObject, requestReconcile } from '../../src/kube/objects.js';
import { listEvents } from '../../src/kube/events.js';
import { makeTempDir, removeDir } from '../helpers/cli.js';

const LIMIT_MS = 300;
let server: Server;
let dir: string;
let kubeconfig: string;
let received = 0;

beforeAll(async () => {
  // Reads every request and never answers it: a hung API server (or a dead tunnel).
  server = createServer(() => void received++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  dir = makeTempDir('k8s-gitops-hung-');
  kubeconfig = join(dir, 'config');
  const server_ = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'hung', cluster: { server: server_, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'nobody', user: {} }],
      contexts: [{ name: 'hung', context: { cluster: 'hung', user: 'nobody' } }],
      'current-context': 'hung',
    }),
  );
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  removeDir(dir);
});

function context() {
  const sink = { write: () => undefined, isTTY: false };
  return createContext({ stdout: sink, stderr: sink, env: {}, readStdin: () => '', readFile: (p) => readFileSync(p, 'utf8') }, {});
}

const object = { kind: 'Kustomization', metadata: { name: 'apps', namespace: 'flux-system' } };
const requests: [string, (kube: KubeAccess) => Promise<unknown>][] = [
  ['a list of Flux objects', (kube) => kube.list({})],
  ['a Flux object', (kube) => getFluxObject(kube, 'Kustomization', 'flux-system', 'apps')],
  ['a reconcile request (patch)', (kube) => requestReconcile(kube, object, 'token')],
  ['the events of a namespace', (kube) => listEvents(kube, { namespace: 'flux-system' })],
];

describe('a cluster that never answers', () => {
  test.each(requests)('%s ends at the request time limit with exit 5', async (_what, request) => {
    const kube = await KubeAccess.connect(context(), { kubeconfig, requestLimitMs: LIMIT_MS });
    const before = received;
    const started = Date.now();
    const error = await request(kube).then(
      () => undefined,
      (err: unknown) => err as { exitCode?: number; message?: string },
    );
    expect(received).toBeGreaterThan(before);
    expect(Date.now() - started).toBeLessThan(LIMIT_MS + 5000);
    expect(error?.exitCode).toBe(ExitCode.timeout);
    expect(error?.message).toContain('did not answer within');
  });

  test("the caller's own signal still ends a request first, as its own kind of end", async () => {
    const kube = await KubeAccess.connect(context(), { kubeconfig, requestLimitMs: 60_000 });
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 100);
    const error = await kube.list({}, stop.signal).then(
      () => undefined,
      (err: unknown) => err as { exitCode?: number },
    );
    expect(error).toBeDefined();
    expect(error?.exitCode).not.toBe(ExitCode.timeout);
  });
});
