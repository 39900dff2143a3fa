// What every section of the benchmark shares: a clean environment, one timed process, the
// interleaved measuring loop with bare node as the pair of every case, the statistics, and the
// report (a terminal table, or Markdown for the README).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'k8s-gitops');

/** The clusters of the emulator's default world (the dry runs name aks1 too). */
export const CLUSTERS = {
  aks1: ['-g', 'rg', '-c', 'aks1', '-t', 'managedClusters'],
  arc1: ['-g', 'rg', '-c', 'arc1', '-t', 'connectedClusters'],
  hci1: ['-g', 'rg', '-c', 'hci1', '-t', 'provisionedClusters'],
};

/** Microsoft's tutorial repository as a configuration named `name`: the flags of flux config create. */
export function tutorial(name = 'cluster-config') {
  return [
    '-n', name, '--namespace', 'cluster-config', '--scope', 'cluster',
    '-u', 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt', '--branch', 'main',
    '-k', 'name=infra', 'path=./infrastructure', 'prune=true',
    '-k', 'name=apps', 'path=./apps/staging', 'prune=true', 'depends_on=infra',
  ];
}
const PROBE = fileURLToPath(new URL('./cpu-probe.cjs', import.meta.url));

/**
 * Variables no timed process inherits: NODE_OPTIONS and NODE_EXTRA_CA_CERTS change what every
 * Node process costs (an extra certificate file is read and parsed at start), the compile-cache
 * switches would bypass the CLI's own cache, and the Azure, Kubernetes and colour settings would
 * change what the CLI does. A case that needs one of them (the emulator's certificate) sets it.
 */
const DROPPED = [
  /^NODE_OPTIONS$/i, /^NODE_EXTRA_CA_CERTS$/i, /^NODE_COMPILE_CACHE$/i, /^NODE_DISABLE_COMPILE_CACHE$/i, /^XDG_CACHE_HOME$/i,
  /^AZURE_/i, /^ARM_/i, /^MSI_/i, /^IDENTITY_/i, /^IMDS_/i, /^KUBECONFIG$/i, /^K8S_GITOPS_/i, /^FORCE_COLOR$/i, /^NO_COLOR$/i,
];

export const median = (xs) => quantile(xs, 0.5);

/** Linear interpolation between the closest ranks. */
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export class Bench {
  /**
   * @param {{ runs: number, log?: (line: string) => void }} options
   */
  constructor(options) {
    this.runs = options.runs;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    /** A fresh HOME for every timed process: an empty Azure profile, the CLI's code cache inside it. */
    this.home = mkdtempSync(join(tmpdir(), 'k8s-gitops-bench-'));
    mkdirSync(join(this.home, 'azure'));
    /** @type {Array<{ section: string, title: string, rows: object[] }>} */
    this.tables = [];
    this.load = [loadavg()[0]];
  }

  /** The parent's environment without the variables above, plus `extra`. */
  env(extra = {}) {
    const env = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (value !== undefined && !DROPPED.some((re) => re.test(key))) env[key] = value;
    }
    Object.assign(env, {
      HOME: this.home,
      USERPROFILE: this.home,
      XDG_CACHE_HOME: join(this.home, 'cache'),
      AZURE_CONFIG_DIR: join(this.home, 'azure'),
      NO_COLOR: '1',
      TERM: 'dumb',
    });
    for (const [key, value] of Object.entries(extra)) {
      if (value === undefined) delete env[key];
      else env[key] = value;
    }
    return env;
  }

  /**
   * Runs `node ...argv` once; wall-clock time around the process, CPU time from the probe.
   * stdout and stderr are pipes, as when another program reads the output.
   */
  run(argv, env = this.env()) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ['--require', PROBE, ...argv], { env, cwd: this.home, stdio: ['ignore', 'pipe', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
    const wall = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.error) throw r.error;
    let cpu = NaN;
    try {
      const usage = JSON.parse(String(r.output[3]));
      cpu = (usage.user + usage.system) / 1000;
    } catch {
      // the probe wrote nothing (killed by a signal): reported as a failed run below
    }
    return { wall, cpu, status: r.status, signal: r.signal, stderr: String(r.stderr) };
  }

  /**
   * Times every case `runs` times. Each round runs, for every case in turn, bare `node -e ''`
   * and the case back to back (which of the two goes first alternates), so drift in the load of
   * the machine touches a case and its pair alike; the paired ratio is the median of the
   * per-round ratios. One untimed run of each case first fills the page and code caches.
   *
   * A case: { name, argv: string[] | (i) => string[], env?: object | (i) => object, status?: number,
   *   before?: async (i) => void, after?: async (i) => object, target?: { ratio } | { cpuOf, max } }
   * `before` and `after` are untimed (after returns counts, such as the requests it caused).
   */
  async measure(section, title, cases) {
    const bare = ['-e', ''];
    const state = cases.map(() => ({ wall: [], cpu: [], bareWall: [], bareCpu: [], counts: [] }));
    const once = async (c, i, timed, s) => {
      if (c.before) await c.before(i);
      const argv = typeof c.argv === 'function' ? c.argv(i) : c.argv;
      const env = typeof c.env === 'function' ? c.env(i) : (c.env ?? this.env());
      const caseFirst = i % 2 === 1;
      const b1 = caseFirst ? undefined : this.run(bare);
      const r = this.run(argv, env);
      const b2 = caseFirst ? this.run(bare) : undefined;
      const b = b1 ?? b2;
      const expected = c.status ?? 0;
      if (r.status !== expected || Number.isNaN(r.cpu)) {
        throw new Error(`${c.name}: exited ${r.status ?? r.signal} (expected ${expected}):\n${r.stderr.slice(0, 2000)}`);
      }
      const counts = c.after ? await c.after(i) : undefined;
      if (!timed) return;
      s.wall.push(r.wall);
      s.cpu.push(r.cpu);
      s.bareWall.push(b.wall);
      s.bareCpu.push(b.cpu);
      if (counts) s.counts.push(counts);
    };
    this.log(`${title}: ${cases.length} cases × ${this.runs} rounds`);
    for (const [j, c] of cases.entries()) await once(c, -1 - j, false, state[j]);
    for (let i = 0; i < this.runs; i++) {
      for (const [j, c] of cases.entries()) await once(c, i, true, state[j]);
    }
    const rows = cases.map((c, j) => summarize(c, state[j]));
    this.tables.push({ section, title, rows });
    this.load.push(loadavg()[0]);
    return rows;
  }

  /** Every row with a target, with whether it is met. */
  verdicts() {
    const all = this.tables.flatMap((t) => t.rows.map((r) => ({ ...r, section: t.section, table: t })));
    return all
      .filter((r) => r.target)
      .map((r) => {
        if (r.target.ratio !== undefined) {
          return { row: r, value: r.ratio, limit: r.target.ratio, what: `${r.ratio.toFixed(2)}× bare node (wall, paired; CPU ${r.cpuRatio.toFixed(2)}×), target ≤ ${r.target.ratio}×` };
        }
        const of = r.table.rows.find((o) => o.name === r.target.cpuOf);
        const value = of ? r.cpu / of.cpu : NaN;
        return { row: r, value, limit: r.target.max, what: `CPU ${value.toFixed(2)}× of "${r.target.cpuOf}", target ≤ ${r.target.max}×` };
      })
      .map((v) => ({ ...v, ok: v.value <= v.limit }));
  }

  header() {
    const cpu = cpus();
    return `Node ${process.versions.node} on ${process.platform}/${process.arch}, ${cpu.length} × ${cpu[0]?.model?.trim() ?? 'CPU'}; ${this.runs} interleaved rounds; load average ${this.load.map((l) => l.toFixed(1)).join(' → ')}`;
  }

  /** The tables for a terminal. */
  text() {
    const out = [this.header(), ''];
    for (const t of this.tables) {
      out.push(t.title);
      const head = ['case', 'wall', 'p25–p75', 'CPU', '×node', 'CPU×node', 'ARM req', 'ARM conns', 'k8s conns'];
      const body = t.rows.map((r) => cells(r));
      const widths = head.map((h, k) => Math.max(h.length, ...body.map((b) => b[k].length)));
      const line = (cols) => cols.map((c, k) => (k === 0 ? c.padEnd(widths[k]) : c.padStart(widths[k]))).join('  ');
      out.push(line(head), ...body.map(line), '');
    }
    const verdicts = this.verdicts();
    if (verdicts.length > 0) {
      out.push('Targets');
      for (const v of verdicts) out.push(`  ${v.ok ? 'ok    ' : 'MISSED'}  ${v.row.section}: ${v.row.name}: ${v.what}`);
    }
    return out.join('\n');
  }

  /** The same tables as Markdown (the README's figures). */
  markdown() {
    const out = [`_${this.header()}._`, ''];
    for (const t of this.tables) {
      out.push(`**${t.title}**`, '', '| case | wall (median) | p25–p75 | CPU | × node | CPU × node | ARM requests | ARM connections | Kubernetes connections |', '|---|--:|--:|--:|--:|--:|--:|--:|--:|');
      for (const r of t.rows) out.push(`| ${cells(r).join(' | ')} |`);
      out.push('');
    }
    const verdicts = this.verdicts();
    if (verdicts.length > 0) {
      out.push('Targets:', '');
      for (const v of verdicts) out.push(`* ${v.ok ? 'met' : '**missed**'}: ${v.row.name}: ${v.what}`);
    }
    return out.join('\n');
  }
}

function summarize(c, s) {
  const ratios = s.wall.map((w, i) => w / s.bareWall[i]);
  const cpuRatios = s.cpu.map((w, i) => w / s.bareCpu[i]);
  const count = (key) => {
    const xs = s.counts.map((k) => k[key]).filter((x) => x !== undefined);
    if (xs.length === 0) return '';
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    return lo === hi ? String(lo) : `${lo}–${hi}`;
  };
  return {
    name: c.name,
    target: c.target,
    wall: median(s.wall),
    p25: quantile(s.wall, 0.25),
    p75: quantile(s.wall, 0.75),
    cpu: median(s.cpu),
    ratio: median(ratios),
    cpuRatio: median(cpuRatios),
    bareWall: median(s.bareWall),
    arm: count('arm'),
    conns: count('conns'),
    kube: count('kube'),
  };
}

function cells(r) {
  const ms = (x) => `${x.toFixed(1)} ms`;
  return [r.name, ms(r.wall), `${r.p25.toFixed(0)}–${r.p75.toFixed(0)}`, ms(r.cpu), `${r.ratio.toFixed(2)}×`, `${r.cpuRatio.toFixed(2)}×`, r.arm, r.conns, r.kube];
}
