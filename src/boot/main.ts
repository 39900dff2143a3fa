/**
 * dist/main.js, what bin/k8s-gitops starts: loads the CLI bundle (dist/cli.js) and, only when a
 * command imports one, a bundle of the Azure SDKs (dist/azure.js), of the Kubernetes client
 * (dist/kube.js) or of the terminal libraries (dist/terminal.js). Each bundle is one script
 * compiled with V8's code cache (code-cache.ts), so a run deserializes what earlier runs
 * compiled instead of parsing hundreds of files from node_modules.
 *
 * A bundle is a function (exports, require, module, __filename, __dirname, __vendor);
 * `__vendor(specifier)` is what `import(specifier)` of an SDK became at build time
 * (scripts/build.mjs), and resolves to that package's module namespace.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { openCodeCache } from './code-cache.js';

/** Set by scripts/build.mjs: the build's id, and which bundle holds each SDK package. */
declare const __K8S_GITOPS_BUILD__: { id: string; vendors: Record<string, string> };

// Supported: the maintained Node.js LTS lines, 22 and newer (package.json "engines"). An older
// Node still runs what it can (help, dry runs); say so once rather than fail obscurely later.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) process.stderr.write(`WARNING: Node.js ${process.versions.node} is not supported; k8s-gitops needs Node.js 22 or newer (Azure and cluster commands may fail).\n`);

const cache = openCodeCache(__K8S_GITOPS_BUILD__.id, process.argv.slice(2));
if (cache) process.once('exit', () => cache.flush());

type Wrapper = (exports: object, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string, vendor: (specifier: string) => Promise<unknown>) => void;

const loaded = new Map<string, unknown>();

function load(name: string): unknown {
  const done = loaded.get(name);
  if (done !== undefined) return done;
  const file = path.join(__dirname, `${name}.js`);
  // The bundles are ASCII (esbuild escapes the rest), so latin1 reads them without decoding UTF-8.
  const source = fs.readFileSync(file, 'latin1');
  const perProfile = name === 'cli';
  const cachedData = cache?.read(name, perProfile);
  const script = new vm.Script(source, { filename: file, ...(cachedData ? { cachedData } : {}) });
  cache?.track(name, perProfile, script, cachedData !== undefined && !script.cachedDataRejected);
  const module = { exports: {} as unknown };
  (script.runInThisContext() as Wrapper)(module.exports as object, createRequire(file), module, file, __dirname, vendor);
  loaded.set(name, module.exports);
  return module.exports;
}

/** `import(specifier)` of a bundled SDK package. */
function vendor(specifier: string): Promise<unknown> {
  return new Promise((resolve) => {
    const bundle = __K8S_GITOPS_BUILD__.vendors[specifier];
    if (bundle === undefined) throw new Error(`Cannot find package '${specifier}' in this build of k8s-gitops.`);
    resolve((load(bundle) as { modules: Record<string, unknown> }).modules[specifier]);
  });
}

load('cli');
