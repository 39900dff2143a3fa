#!/usr/bin/env node
// The benchmark: times whole processes of the built CLI, each case interleaved with bare
// `node -e ''` in the same loop, in a clean environment, and prints median wall-clock time, its
// spread, CPU time, the paired ratios to bare node and, for Azure commands, the requests each
// run cost against the emulator at 0 and 50 ms of network latency.
//
//   npm run bench                          # every section, 15 rounds
//   npm run bench -- --runs 30             # more rounds
//   npm run bench -- --section startup     # one section (repeatable): startup, azure, fleet
//   npm run bench -- --offline             # the same as --section startup
//   npm run bench -- --latency 0,20,100    # other latencies for the Azure cases
//   npm run bench -- --baseline REV        # time `flux config show` of REV beside this build
//   npm run bench -- --no-baseline         # skip it
//   npm run bench -- --check               # exit 1 when a target is missed
//   npm run bench -- --markdown            # the report as Markdown
//   npm run bench -- --readme              # and write it into README.md's benchmark section
//
// A section is an object { name, run(bench, options) } in scripts/bench/: it describes its
// cases and hands them to bench.measure(), which times them and records the table.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import azure from './bench/azure.mjs';
import { buildBaseline, DEFAULT_BASELINE } from './bench/baseline.mjs';
import { emulatorBuilt } from './bench/emulator.mjs';
import fleet from './bench/fleet.mjs';
import { Bench, ROOT } from './bench/harness.mjs';
import startup from './bench/startup.mjs';

const SECTIONS = [startup, azure, fleet];

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    section: { type: 'string', multiple: true },
    offline: { type: 'boolean', default: false },
    latency: { type: 'string', default: '0,50' },
    baseline: { type: 'string', default: DEFAULT_BASELINE },
    'no-baseline': { type: 'boolean', default: false },
    check: { type: 'boolean', default: false },
    markdown: { type: 'boolean', default: false },
    readme: { type: 'boolean', default: false },
  },
});

function fail(message) {
  console.error(`bench: ${message}`);
  process.exit(2);
}

const runs = Number(flags.runs);
if (!Number.isInteger(runs) || runs < 1) fail(`--runs: '${flags.runs}' is not a whole number of rounds.`);
const latencies = flags.latency.split(',').map((s) => Number(s.trim()));
if (latencies.some((n) => !Number.isInteger(n) || n < 0 || n > 60_000)) fail(`--latency: '${flags.latency}' is not a list of milliseconds such as 0,50.`);
const wanted = flags.offline ? ['startup'] : (flags.section ?? SECTIONS.map((s) => s.name));
for (const name of wanted) if (!SECTIONS.some((s) => s.name === name)) fail(`--section: no section '${name}' (sections: ${SECTIONS.map((s) => s.name).join(', ')}).`);
if (!existsSync(join(ROOT, 'dist', 'main.js'))) fail('dist/main.js is missing: run npm run build first.');
if ((wanted.includes('azure') || wanted.includes('fleet')) && !emulatorBuilt()) fail('dist-emulator/main.js is missing: run npm run build first.');

const bench = new Bench({ runs });
const options = { latencies, baseline: undefined };
if (wanted.includes('azure') && !flags['no-baseline']) options.baseline = buildBaseline(flags.baseline, bench.log);

try {
  for (const section of SECTIONS) if (wanted.includes(section.name)) await section.run(bench, options);
} finally {
  rmSync(bench.home, { recursive: true, force: true });
}

const markdown = bench.markdown();
console.log(flags.markdown || flags.readme ? markdown : bench.text());
if (flags.readme) {
  const readme = join(ROOT, 'README.md');
  const text = readFileSync(readme, 'utf8');
  const begin = '<!-- bench:begin -->';
  const end = '<!-- bench:end -->';
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) fail(`README.md has no ${begin} … ${end} block to write into.`);
  writeFileSync(readme, `${text.slice(0, from + begin.length)}\n${markdown}\n${text.slice(to)}`);
  console.error('README.md: benchmark figures written.');
}
if (flags.check && bench.verdicts().some((v) => !v.ok)) process.exit(1);
