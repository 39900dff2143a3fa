// Section "fleet": the fleet commands against a generated fleet of 1,000 clusters in 4
// subscriptions, at 50 ms of network latency with ARM's request limits on, beside the
// per-cluster loops they replace. fleet status and one cluster's status are timed over every
// round; a rollout takes minutes, so fleet apply and its converged re-run are timed once each.
// A loop over 1,000 clusters would take most of an hour: its rows are one cluster's median
// times 1,000, and say so ("scaled").
import { spawnSync } from 'node:child_process';
import { startEmulator } from './emulator.mjs';
import { BIN } from './harness.mjs';

const FLEET = { clusters: 1000, subscriptions: 4, seed: 7 };
const LATENCY_MS = 50;
const SUBSCRIPTIONS = Array.from({ length: FLEET.subscriptions }, (_, i) => `00000000-0000-0000-0000-${(i + 1).toString(16).padStart(12, '0')}`);
const CONFIG = (apps) => [
  '-n', 'cluster-config', '--namespace', 'cluster-config', '--scope', 'cluster',
  '-u', 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt', '--branch', 'main',
  '-k', 'name=infra', 'path=./infrastructure', 'prune=true', '-k', 'name=apps', `path=${apps}`, 'prune=true', 'depends_on=infra',
];

export default {
  name: 'fleet',
  async run(bench) {
    const emulator = await startEmulator(bench, {
      latencyMs: LATENCY_MS,
      args: ['--clusters', String(FLEET.clusters), '--subscriptions', String(FLEET.subscriptions), '--seed', String(FLEET.seed), '--arm-throttling', '--graph-lag', '1000'],
    });
    try {
      const env = emulator.cliEnv();
      // The loops run on one compliant cluster of the fleet, found as a user would.
      const found = spawnSync(process.execPath, [BIN, 'fleet', 'status', '--subscriptions', ...SUBSCRIPTIONS, '--query', "clusters[?state=='compliant'] | [0].id", '-o', 'tsv'], { env, encoding: 'utf8' });
      const ONE = found.stdout.trim();
      if (found.status !== 0 || !ONE.startsWith('/subscriptions/')) throw new Error(`fleet status found no compliant cluster: ${found.stderr}`);
      const counted = (c) => ({ ...c, env, before: () => emulator.clearCounts(), after: () => emulator.counts() });
      const title = `Fleet of ${FLEET.clusters} clusters in ${FLEET.subscriptions} subscriptions, emulator at ${LATENCY_MS} ms latency, ARM throttling on`;
      let updates = 0;
      const [fleetStatus, oneStatus, oneUpdate] = await bench.measure('fleet', title, [
        counted({ name: `fleet status, ${FLEET.clusters} clusters`, argv: [BIN, 'fleet', 'status', '--subscriptions', ...SUBSCRIPTIONS, '-o', 'none'] }),
        counted({ name: 'status of one cluster', argv: [BIN, 'status', '--cluster-id', ONE, '-n', 'cluster-config', '-o', 'none'] }),
        counted({ name: 'flux config update of one cluster', argv: () => [BIN, 'flux', 'config', 'update', '--cluster-id', ONE, '-n', 'cluster-config', '-k', 'name=apps', `path=./apps/${updates++ % 2 === 0 ? 'production' : 'staging'}`, '-o', 'none'] }),
      ]);
      const once = async (name, argv, status = 0) => {
        await emulator.clearCounts();
        const bare = bench.run(['-e', '']);
        const r = bench.run(argv, env);
        if (r.status !== status) throw new Error(`${name}: exited ${r.status ?? r.signal} (expected ${status}):\n${r.stderr.slice(0, 2000)}`);
        const counts = await emulator.counts();
        return { name, wall: r.wall, p25: r.wall, p75: r.wall, cpu: r.cpu, ratio: r.wall / bare.wall, cpuRatio: r.cpu / bare.cpu, arm: String(counts.arm), conns: String(counts.conns), kube: String(counts.kube) };
      };
      const scaled = (row, name) => ({ ...row, name, wall: row.wall * FLEET.clusters, p25: row.p25 * FLEET.clusters, p75: row.p75 * FLEET.clusters, cpu: row.cpu * FLEET.clusters, arm: row.arm === '' ? '' : `${Number(String(row.arm).split('–')[0]) * FLEET.clusters}` });
      const apply = [BIN, 'fleet', 'apply', '--subscriptions', ...SUBSCRIPTIONS, ...CONFIG('./apps/production'), '--waves', '1,10%,100%', '--max-failures', '2%', '--yes', '-o', 'none'];
      const rows = [
        fleetStatus,
        scaled(oneStatus, `status, one cluster at a time × ${FLEET.clusters} (scaled)`),
        await once('fleet apply, waves 1,10%,100% (once)', apply),
        await once('fleet apply again, converged: no write (once)', apply),
        scaled(oneUpdate, `flux config update, one cluster at a time × ${FLEET.clusters} (scaled)`),
      ];
      bench.tables.push({ section: 'fleet', title: `${title}: the fleet commands beside the loops they replace`, rows });
    } finally {
      await emulator.stop();
    }
  },
};
