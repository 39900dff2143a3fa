// Bundles src/cli.ts into dist/ with esbuild. Small dependencies are bundled so that start-up
// does not pay for module resolution; the SDKs and the interactive libraries stay external and
// are only imported inside the code paths that need them (see the import test in test/).
import { build } from 'esbuild';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

rmSync(new URL('../dist/', import.meta.url), { recursive: true, force: true });
// yaml's own ES module build (published for browsers, plain ESM without Node specifics) lets
// esbuild hoist and tree-shake it; its CommonJS build costs a few milliseconds more per start.
const yamlEsm = {
  name: 'yaml-esm',
  setup(b) {
    b.onResolve({ filter: /^yaml$/ }, () => ({ path: fileURLToPath(new URL('../node_modules/yaml/browser/index.js', import.meta.url)) }));
  },
};

await build({
  plugins: [yamlEsm],
  entryPoints: ['src/main.ts'],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  sourcemap: false,
  minify: true,
  keepNames: true,
  legalComments: 'none',
  external: ['@azure/*', '@kubernetes/*', 'ora', 'inquirer'],
  banner: { js: "import { createRequire as __k8sGitopsRequire } from 'node:module'; const require = __k8sGitopsRequire(import.meta.url);" },
  logLevel: 'warning',
  define: { __K8S_GITOPS_VERSION__: JSON.stringify(pkg.version) },
});

// The emulator (a test double of Azure, see emulator/README.md) is built on its own: the
// product bundle never contains it. Its dependencies stay in node_modules.
if (existsSync(new URL('../emulator/main.ts', import.meta.url))) {
  rmSync(new URL('../dist-emulator/', import.meta.url), { recursive: true, force: true });
  await build({
    entryPoints: ['emulator/main.ts'],
    outdir: 'dist-emulator',
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    packages: 'external',
    logLevel: 'warning',
  });
}
