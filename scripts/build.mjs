// Builds dist/ with esbuild: a few large scripts instead of hundreds of files from node_modules,
// each loaded with V8's code cache by dist/main.js (src/boot/main.ts).
//
//   dist/cli.js       src/main.ts and every module of ours, with the small libraries (commander,
//                     chalk, yaml, JMESPath); what help, usage errors and dry runs load
//   dist/azure.js     the Azure SDK packages the code imports   } each loaded only when a
//   dist/kube.js      the Kubernetes client                      } command imports one of
//   dist/terminal.js  ora and inquirer                           } their packages
//   dist/main.js      the loader; dist/bundles.json, what each bundle holds
//
// Our code imports those packages with import() inside the code paths that need them; here
// each such import() becomes a call of the loader's __vendor(), which loads the package's
// bundle. A static import of one of them would load it on every path: the build refuses it.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const dist = fileURLToPath(new URL('dist/', root));

/** Which bundle holds each package imported lazily (matched on the import specifier). */
const VENDORS = [
  { bundle: 'azure', test: (s) => s.startsWith('@azure/') },
  { bundle: 'kube', test: (s) => s.startsWith('@kubernetes/') },
  { bundle: 'terminal', test: (s) => s === 'ora' || s === 'inquirer' || s.startsWith('@inquirer/') },
];
const vendorOf = (specifier) => VENDORS.find((v) => v.test(specifier))?.bundle;

// Every bundle is one function the loader calls; esbuild writes CommonJS, wrapped. Code that
// finds files beside itself with import.meta (templates/, say) gets the bundle's own location.
const WRAP = {
  banner: { js: '(function (exports, require, module, __filename, __dirname, __vendor) { var __k8sGitopsImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  footer: { js: '})' },
  define: { 'import.meta.url': '__k8sGitopsImportMetaUrl', 'import.meta.filename': '__filename', 'import.meta.dirname': '__dirname' },
};
const COMMON = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node22',
  sourcemap: false,
  minify: true,
  keepNames: true,
  legalComments: 'none',
  charset: 'ascii',
  metafile: true,
  write: false,
  logLevel: 'warning',
};

// yaml's own ES module build (published for browsers, plain ESM without Node specifics) lets
// esbuild hoist and tree-shake it; its CommonJS build costs a few milliseconds more per start.
const yamlEsm = {
  name: 'yaml-esm',
  setup(b) {
    b.onResolve({ filter: /^yaml$/ }, () => ({ path: fileURLToPath(new URL('node_modules/yaml/browser/index.js', root)) }));
  },
};

// Modules imported at the top of a module but needed only on some of its paths, and costly
// enough to set up that the others should not pay for them: commander's node:child_process (for
// subcommands that are executables of their own, which k8s-gitops has none of), node:crypto in
// the model (certificate and SSH key checks), node:tty in the output layer (asked only about a
// character device), and YAML and JMESPath in the output layer (only
// for -o yaml and --query). Where `importer` imports `module`, it gets an object of getters that
// loads the module on first use: same names, same values, set up only when touched.
const LAZY_IMPORTS = [
  { module: 'node:child_process', importer: /[\\/]node_modules[\\/]commander[\\/]/ },
  { module: 'node:crypto', importer: /[\\/]src[\\/]model[\\/]/ },
  { module: 'node:tty', importer: /[\\/]src[\\/]core[\\/]stdio\.ts$/ },
  { module: 'yaml', importer: /[\\/]src[\\/]core[\\/]output\.ts$/ },
  { module: '@jmespath-community/jmespath', importer: /[\\/]src[\\/]core[\\/]output\.ts$/ },
];
const lazyImports = {
  name: 'lazy-imports',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.namespace === 'lazy') return undefined;
      const lazy = LAZY_IMPORTS.find((l) => l.module === args.path && l.importer.test(args.importer));
      return lazy ? { path: args.path, namespace: 'lazy' } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, async (args) => {
      const names = Object.keys(await import(args.path)).filter((k) => k !== 'default');
      const body = names.map((k) => `  get ${JSON.stringify(k)}() { return load()[${JSON.stringify(k)}]; },`).join('\n');
      return {
        contents: `let loaded;\nconst load = () => (loaded ??= require(${JSON.stringify(args.path)}));\nmodule.exports = {\n${body}\n};\n`,
        loader: 'js',
        resolveDir: fileURLToPath(root),
      };
    });
  },
};

// chalk detects colour support on load (reading the terminals through node:tty), for its default
// instance; k8s-gitops never uses that instance: every Chalk it makes is given its level
// (src/core/context.ts decides from the streams, NO_COLOR, FORCE_COLOR and --no-color).
const chalkWithoutDetection = {
  name: 'chalk-without-detection',
  setup(b) {
    b.onResolve({ filter: /^#supports-color$/ }, (args) => (/[\\/]node_modules[\\/]chalk[\\/]/.test(args.importer) ? { path: 'supports-color', namespace: 'no-detection' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'no-detection' }, () => ({ contents: 'export default { stdout: false, stderr: false };', loader: 'js' }));
  },
};

/** Packages a bundle was built from, by name, from esbuild's metafile. */
function packagesOf(metafile) {
  const names = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) names.add(m[1]);
    else if (input.startsWith('src/')) names.add('(k8s-gitops)');
  }
  return [...names].sort();
}

/** The import() calls esbuild left in a bundle (of packages it did not bundle). */
function dynamicImports(metafile) {
  return Object.values(metafile.outputs).flatMap((o) => o.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path));
}

function textOf(result) {
  if (result.outputFiles.length !== 1) throw new Error(`expected one output file, got ${result.outputFiles.length}`);
  return result.outputFiles[0].text;
}

rmSync(dist, { recursive: true, force: true });
const outputs = new Map();
const manifest = {};

// 1. The CLI: everything of ours; the SDKs and the terminal libraries left out.
const cli = await build({
  ...COMMON,
  ...WRAP,
  plugins: [lazyImports, yamlEsm, chalkWithoutDetection],
  entryPoints: ['src/main.ts'],
  outfile: `${dist}cli.js`,
  external: ['@azure/*', '@kubernetes/*', 'ora', 'inquirer', '@inquirer/*'],
  define: { ...WRAP.define, __K8S_GITOPS_VERSION__: JSON.stringify(pkg.version) },
});
const specifiers = new Set();
for (const output of Object.values(cli.metafile.outputs)) {
  for (const imported of output.imports) {
    if (!imported.external || imported.path.startsWith('node:') || !vendorOf(imported.path)) continue;
    if (imported.kind !== 'dynamic-import') {
      throw new Error(`${imported.path} is imported statically (${imported.kind}): import it with import() in the code path that needs it, so that help and dry runs do not load it.`);
    }
    specifiers.add(imported.path);
  }
}
// A vm.Script has no module loader: every import() left must be one the loader serves.
const unserved = dynamicImports(cli.metafile).filter((s) => !specifiers.has(s));
if (unserved.length > 0) throw new Error(`dist/cli.js would import() ${unserved.join(', ')}, which no bundle holds.`);
let cliText = textOf(cli);
for (const specifier of specifiers) {
  const parts = cliText.split(`import(${JSON.stringify(specifier)})`);
  if (parts.length === 1) throw new Error(`dist/cli.js: the import() of ${specifier} was not found as written, so it cannot be served.`);
  cliText = parts.join(`__vendor(${JSON.stringify(specifier)})`);
}
outputs.set('cli.js', cliText);
manifest['cli.js'] = packagesOf(cli.metafile);

// 2. One bundle per group of packages: `modules[specifier]` is the package's namespace.
const vendors = {};
for (const { bundle } of VENDORS) {
  const mine = [...specifiers].filter((s) => vendorOf(s) === bundle).sort();
  if (mine.length === 0) continue;
  const entry = [
    ...mine.map((s, i) => `import * as m${i} from ${JSON.stringify(s)};`),
    `export const modules = { ${mine.map((s, i) => `${JSON.stringify(s)}: m${i}`).join(', ')} };`,
  ].join('\n');
  const result = await build({
    ...COMMON,
    ...WRAP,
    stdin: { contents: entry, resolveDir: fileURLToPath(root), sourcefile: `${bundle}-packages.mjs`, loader: 'js' },
    outfile: `${dist}${bundle}.js`,
  });
  if (dynamicImports(result.metafile).length > 0) throw new Error(`dist/${bundle}.js would import() ${dynamicImports(result.metafile).join(', ')}: a vm.Script cannot.`);
  outputs.set(`${bundle}.js`, textOf(result));
  manifest[`${bundle}.js`] = packagesOf(result.metafile);
  for (const s of mine) vendors[s] = bundle;
}

// 3. The loader, told the build's id (the code cache is kept per build) and where each package is.
const hash = createHash('sha256');
for (const [name, text] of [...outputs].sort(([a], [b]) => a.localeCompare(b))) hash.update(name).update('\0').update(text).update('\0');
const id = hash.digest('hex').slice(0, 16);
const loader = await build({
  ...COMMON,
  entryPoints: ['src/boot/main.ts'],
  outfile: `${dist}main.js`,
  define: { __K8S_GITOPS_BUILD__: JSON.stringify({ id, vendors }) },
});
outputs.set('main.js', textOf(loader));

mkdirSync(dist, { recursive: true });
for (const [name, text] of outputs) writeFileSync(`${dist}${name}`, text);
writeFileSync(`${dist}bundles.json`, `${JSON.stringify({ id, bundles: manifest, vendors }, null, 2)}\n`);
// The bundles are scripts, not ES modules, whatever package.json's "type" says for src/.
writeFileSync(`${dist}package.json`, '{ "type": "commonjs" }\n');

// The emulator (a test double of Azure, see emulator/README.md) is built on its own: the
// product bundle never contains it. Its dependencies stay in node_modules.
if (existsSync(new URL('emulator/main.ts', root))) {
  rmSync(new URL('dist-emulator/', root), { recursive: true, force: true });
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
