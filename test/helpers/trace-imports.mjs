// Preload for `node --import ./test/helpers/trace-imports.mjs …`: records what the process loads,
// one JSON line per event, in the file named by K8S_GITOPS_TRACE_FILE:
//   import   an ES module resolved (static and dynamic import), by a resolve hook registered
//            with module.register (it runs on the loader thread, see trace-hooks.mjs);
//   require  a CommonJS require() resolved, by wrapping Module._resolveFilename (on Node 20 and
//            22 require() does not pass through the resolve hook);
//   read     a file read with fs.readFileSync: how the CLI's loader (dist/main.js) reads its
//            bundles, which it compiles itself rather than loading them as modules;
//   env      a read of one of the variables an Azure credential looks at when it is built
//            (process.env is replaced by a proxy that notes them).
// Without the variable the preload does nothing.
import fs, { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';
import { pathToFileURL } from 'node:url';

const file = process.env.K8S_GITOPS_TRACE_FILE;

/** What DefaultAzureCredential reads as it is constructed (environment, workload and managed identity). */
const CREDENTIAL_VARIABLES = new Set([
  'AZURE_CLIENT_ID', 'AZURE_TENANT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PATH', 'AZURE_USERNAME',
  'AZURE_FEDERATED_TOKEN_FILE', 'AZURE_AUTHORITY_HOST', 'IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'MSI_ENDPOINT',
  'MSI_SECRET', 'IMDS_ENDPOINT', 'IDENTITY_SERVER_THUMBPRINT',
]);

if (file) {
  const record = (entry) => appendFileSync(file, `${JSON.stringify(entry)}\n`);
  record({ via: 'preload', url: import.meta.url });
  register('./trace-hooks.mjs', { parentURL: import.meta.url, data: { file } });

  const toUrl = (p) => (typeof p === 'string' && (p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p)) ? pathToFileURL(p).href : String(p));

  const original = Module._resolveFilename;
  Module._resolveFilename = function resolveFilename(request, parent, ...rest) {
    const resolved = original.call(this, request, parent, ...rest);
    record({ via: 'require', specifier: request, url: toUrl(resolved), parent: parent?.filename ?? null });
    return resolved;
  };

  const readFileSync = fs.readFileSync;
  fs.readFileSync = function tracedReadFileSync(path, ...rest) {
    if (typeof path === 'string' && /\.js$/.test(path)) record({ via: 'read', url: toUrl(path) });
    return readFileSync.call(this, path, ...rest);
  };

  const env = process.env;
  process.env = new Proxy(env, {
    get(target, key, receiver) {
      if (typeof key === 'string' && CREDENTIAL_VARIABLES.has(key)) record({ via: 'env', specifier: key, url: '' });
      return Reflect.get(target, key, receiver);
    },
  });
}
