// Section "startup": the paths that touch no network and no credential, against the targets of
// start-up close to Node's floor (help and version ≤ 1.5× bare node, a dry run ≤ 2×), with a
// warm code cache (every run after the first) and with an empty one (the first run after an
// install or an upgrade).
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, CLUSTERS, tutorial } from './harness.mjs';

const TUTORIAL = ['flux', 'config', 'create', ...CLUSTERS.aks1, ...tutorial()];

export default {
  name: 'startup',
  async run(bench) {
    const coldEnv = () => bench.env({ XDG_CACHE_HOME: mkdtempSync(join(bench.home, 'cold-cache-')) });
    await bench.measure('startup', 'Start-up, offline', [
      { name: 'k8s-gitops --help', argv: [BIN, '--help'], target: { ratio: 1.5 } },
      { name: 'k8s-gitops --version', argv: [BIN, '--version'], target: { ratio: 1.5 } },
      { name: 'a usage error (-o xml)', argv: [BIN, ...TUTORIAL, '--dry-run', '-o', 'xml'], status: 2 },
      { name: 'flux config create … --dry-run', argv: [BIN, ...TUTORIAL, '--dry-run'], target: { ratio: 2 } },
      { name: 'flux config create … --dry-run=arm', argv: [BIN, ...TUTORIAL, '--dry-run=arm', '--subscription', '00000000-0000-0000-0000-000000000000'], target: { ratio: 2 } },
      { name: '--help, empty code cache', argv: [BIN, '--help'], env: coldEnv },
      { name: '--dry-run, empty code cache', argv: [BIN, ...TUTORIAL, '--dry-run'], env: coldEnv },
    ]);
  },
};
