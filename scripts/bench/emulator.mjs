// The emulator (dist-emulator/, see emulator/README.md) for the benchmark's Azure cases: started
// with a network latency, talked to directly over HTTPS to prepare a world (untimed), and asked
// after every timed run how many ARM requests and connections the run cost.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { BIN, CLUSTERS, ROOT, tutorial } from './harness.mjs';

const MAIN = join(ROOT, 'dist-emulator', 'main.js');
const SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';

export const emulatorBuilt = () => existsSync(MAIN);

/**
 * Starts an emulator whose operations finish at once (so a wait costs its polls, not a
 * simulated duration) and whose every ARM, token and Kubernetes response is held `latencyMs`.
 */
export async function startEmulator(bench, { latencyMs = 0, args = [] } = {}) {
  if (!emulatorBuilt()) throw new Error('dist-emulator/main.js is missing: run npm run build first.');
  const dir = mkdtempSync(join(bench.home, 'emulator-'));
  const exportFile = join(dir, 'emulator.env');
  const child = spawn(
    process.execPath,
    [MAIN, '--quiet', '--operation-delay', '0', '--reconcile-delay', '0', '--retry-after', '0', '--latency', String(latencyMs), '--export-file', exportFile, ...args],
    { env: bench.env(), stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  let vars;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the emulator exited ${child.exitCode}: ${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`the emulator did not start within 20 s: ${stderr}`);
    }
    if (existsSync(exportFile)) {
      vars = parseExports(readFileSync(exportFile, 'utf8'));
      if (vars.KUBECONFIG) break; // the last line: the file is complete
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const endpoint = vars.AZURE_RESOURCE_MANAGER_ENDPOINT;
  const ca = readFileSync(vars.NODE_EXTRA_CA_CERTS, 'utf8');
  const send = (method, url, headers = {}, body) =>
    new Promise((resolve, reject) => {
      const text = body === undefined ? undefined : JSON.stringify(body);
      // A connection of its own each time: a timed run blocks this process for as long as it takes,
      // and a kept-alive connection the emulator closed meanwhile would fail the next request.
      const req = request(url, { method, ca, agent: false, headers: text === undefined ? headers : { 'content-type': 'application/json', ...headers } }, (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (data += c));
        res.on('end', () => {
          let parsed = null;
          try {
            parsed = data === '' ? null : JSON.parse(data);
          } catch {
            parsed = data;
          }
          resolve({ status: res.statusCode, headers: res.headers, body: parsed });
        });
      });
      req.on('error', reject);
      if (text !== undefined) req.write(text);
      req.end();
    });
  let token;
  const emulator = {
    latencyMs,
    /** The CLI's environment: the emulator's variables, its certificate the only extra one. */
    cliEnv: () => bench.env(vars),
    async control(method, name, body) {
      const res = await send(method, `${endpoint}/_emulator/${name}`, {}, body);
      if (res.status >= 300) throw new Error(`${method} /_emulator/${name} answered ${res.status}`);
      return res.body;
    },
    /** A request straight to ARM (not through the CLI), with a token from the identity endpoint. */
    async arm(method, pathOrUrl, body) {
      if (!token) {
        const res = await send('GET', `${vars.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=${encodeURIComponent(endpoint)}`, { 'x-identity-header': vars.IDENTITY_HEADER });
        token = res.body.access_token;
      }
      return send(method, pathOrUrl.startsWith('https://') ? pathOrUrl : `${endpoint}${pathOrUrl}`, { authorization: `Bearer ${token}` }, body);
    },
    /**
     * Puts the tutorial configuration `name` on `cluster` straight through ARM and waits for its
     * operation; the request is the one the CLI's --dry-run=arm prints.
     */
    async putConfiguration(cluster, name) {
      const dry = spawnSync(process.execPath, [BIN, 'flux', 'config', 'create', ...CLUSTERS[cluster], ...tutorial(name), '--dry-run=arm', '--subscription', SUBSCRIPTION], { env: bench.env(), encoding: 'utf8' });
      if (dry.status !== 0) throw new Error(`the dry run of ${name} exited ${dry.status}: ${dry.stderr}`);
      const request = JSON.parse(dry.stdout);
      const put = await emulator.arm(request.method, `${request.path}?api-version=${request.apiVersion}`, request.body);
      if (put.status !== 200 && put.status !== 201) throw new Error(`PUT ${name} answered ${put.status}: ${JSON.stringify(put.body)}`);
      const operation = put.headers['azure-asyncoperation'];
      for (let i = 0; operation && i < 200; i++) {
        const op = await emulator.arm('GET', operation);
        if (op.body?.status === 'Succeeded') return;
        if (op.body?.status === 'Failed' || op.body?.status === 'Canceled') throw new Error(`PUT ${name} ended ${op.body.status}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      if (operation) throw new Error(`PUT ${name} did not finish`);
    },
    /** Forgets the request log and the connection counts (before a timed run). */
    async clearCounts() {
      await emulator.control('DELETE', 'requests');
      await emulator.control('DELETE', 'connections');
    },
    /** ARM requests, and connections that carried ARM or Kubernetes requests, since clearCounts(). */
    async counts() {
      const requests = await emulator.control('GET', 'requests');
      const connections = await emulator.control('GET', 'connections');
      return { arm: requests.length, conns: connections.arm, kube: connections.kubernetes };
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
  return emulator;
}

function parseExports(text) {
  const vars = {};
  for (const line of text.split('\n')) {
    const m = /^export ([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) vars[m[1]] = m[2].startsWith("'") ? m[2].slice(1, -1).replace(/'\\''/g, "'") : m[2];
  }
  return vars;
}
