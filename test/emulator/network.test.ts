/**
 * The emulator as a network: --latency delays every ARM, token and Kubernetes response (never
 * the control endpoints), and /_emulator/connections counts the TLS connections a client opened
 * and what each carried, so that keep-alive can be told from one connection per request.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Agent, request } from 'node:https';
import { AKS, FAST, startEmulator, type RunningEmulator } from './harness.js';

const LATENCY_MS = 150;

function get(emu: RunningEmulator, path: string, token: string, agent: Agent | false): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(`${emu.base}${path}`, { method: 'GET', ca: emu.ca, agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('emulator --latency and connection counts', () => {
  let emu: RunningEmulator;
  let token: string;
  beforeAll(async () => {
    emu = await startEmulator([...FAST, '--latency', String(LATENCY_MS)]);
    token = await emu.token();
  });
  afterAll(async () => {
    await emu?.stop();
  });

  test('an ARM response arrives no sooner than the latency; a control response is not delayed', async () => {
    const arm = await get(emu, `${AKS}?api-version=2024-05-01`, token, false);
    expect(arm.status).toBe(200);
    expect(arm.ms).toBeGreaterThanOrEqual(LATENCY_MS - 5);
    const state = await emu.control('GET', 'faults');
    expect(state.status).toBe(200);
  });

  test('one connection per request without keep-alive; one in all with it', async () => {
    expect((await emu.control('DELETE', 'connections')).status).toBe(204);
    const path = `${AKS}?api-version=2024-05-01`;
    for (let i = 0; i < 3; i++) expect((await get(emu, path, token, false)).status).toBe(200);
    expect((await emu.control('GET', 'connections')).body).toMatchObject({ arm: 3, token: 0, kubernetes: 0 });

    expect((await emu.control('DELETE', 'connections')).status).toBe(204);
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: emu.ca });
    try {
      for (let i = 0; i < 3; i++) expect((await get(emu, path, token, agent)).status).toBe(200);
    } finally {
      agent.destroy();
    }
    const counts = (await emu.control('GET', 'connections')).body;
    expect(counts).toMatchObject({ arm: 1, opened: 1 });
  });

  test('a reset counts afresh', async () => {
    await get(emu, `${AKS}?api-version=2024-05-01`, token, false);
    await emu.control('POST', 'reset');
    expect((await emu.control('GET', 'connections')).body).toMatchObject({ arm: 0, token: 0, kubernetes: 0 });
  });
});
