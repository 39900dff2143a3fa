// Section "azure": the commands that talk to Azure, against the emulator, at each network
// latency asked for (every ARM, token and Kubernetes response held that long, as a round trip
// would). Beside the times, the ARM requests and ARM connections each run cost, from the
// emulator's request log and connection counts. `flux config show` is also timed with the
// baseline build, for the CPU target (at most half of the baseline's).
import { startEmulator } from './emulator.mjs';
import { BIN, CLUSTERS } from './harness.mjs';

const REPO = ['-u', 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt', '--branch', 'main', '-k', 'name=infra', 'path=./infrastructure'];

export default {
  name: 'azure',
  async run(bench, options) {
    for (const latencyMs of options.latencies) await atLatency(bench, options, latencyMs);
  },
};

async function atLatency(bench, options, latencyMs) {
  const emulator = await startEmulator(bench, { latencyMs, args: ['--extension', 'aks1=installed', '--extension', 'hci1=installed'] });
  try {
    const env = emulator.cliEnv();
    // Counted: every timed run starts with an empty request log and fresh connection counts.
    const counted = (c) => ({
      ...c,
      env,
      before: async (i) => {
        await c.before?.(i);
        await emulator.clearCounts();
      },
      after: () => emulator.counts(),
    });
    await emulator.putConfiguration('aks1', 'cluster-config');
    const show = ['flux', 'config', 'show', ...CLUSTERS.aks1, '-n', 'cluster-config'];
    let created = 0;
    let updated = 0;
    const at = `${latencyMs} ms latency`;
    const cases = [
      counted({ name: 'flux config show', argv: [BIN, ...show], ...(latencyMs === 0 && options.baseline ? { target: { cpuOf: `flux config show, ${options.baseline.label}`, max: 0.5 } } : {}) }),
      ...(options.baseline ? [counted({ name: `flux config show, ${options.baseline.label}`, argv: [options.baseline.bin, ...show] })] : []),
      counted({ name: 'flux config create (waits)', argv: () => [BIN, 'flux', 'config', 'create', ...CLUSTERS.hci1, '-n', `bench-${created++}`, ...REPO, '-o', 'none'] }),
      counted({ name: 'flux config update (waits)', argv: () => [BIN, 'flux', 'config', 'update', ...CLUSTERS.aks1, '-n', 'cluster-config', '--branch', updated++ % 2 === 0 ? 'release' : 'main', '-o', 'none'] }),
      counted({
        name: 'extension create (flux, waits)',
        argv: [BIN, 'extension', 'create', ...CLUSTERS.arc1, '-o', 'none'],
        before: () => emulator.control('POST', 'faults', { extension: { arc1: 'absent' } }),
      }),
      counted({ name: 'status, 1 configuration', argv: [BIN, 'status', ...CLUSTERS.aks1] }),
      counted({ name: 'status --context, 1 configuration', argv: [BIN, 'status', ...CLUSTERS.aks1, '--context', 'aks1'] }),
    ];
    await bench.measure('azure', `Azure, emulator at ${at}`, cases);

    // 49 more configurations on the same cluster, straight through ARM (not timed).
    const more = Array.from({ length: 49 }, (_, k) => `bench-status-${k + 2}`);
    for (let k = 0; k < more.length; k += 10) await Promise.all(more.slice(k, k + 10).map((name) => emulator.putConfiguration('aks1', name)));
    await bench.measure('azure', `Azure, emulator at ${at}, 50 configurations on the cluster`, [
      counted({ name: 'status, 50 configurations', argv: [BIN, 'status', ...CLUSTERS.aks1] }),
      counted({ name: 'status --context, 50 configurations', argv: [BIN, 'status', ...CLUSTERS.aks1, '--context', 'aks1'] }),
    ]);
  } finally {
    await emulator.stop();
  }
}
