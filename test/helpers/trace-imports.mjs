// Preload for `node --import ./test/helpers/trace-imports.mjs …`: records every module the
// process resolves, one JSON line per resolution, in the file named by K8S_GITOPS_TRACE_FILE.
//
// ES modules (static and dynamic import) are seen by a resolve hook installed with
// module.register (Node >= 20.6; the hook runs on the loader thread, see trace-hooks.mjs).
// CommonJS require() calls do not pass through that hook on Node 20, so they are recorded here
// as well, by wrapping Module._resolveFilename. Without the variable the preload does nothing.
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';
import { pathToFileURL } from 'node:url';

const file = process.env.K8S_GITOPS_TRACE_FILE;

if (file) {
  appendFileSync(file, `${JSON.stringify({ via: 'preload', url: import.meta.url })}\n`);
  register('./trace-hooks.mjs', { parentURL: import.meta.url, data: { file } });

  const original = Module._resolveFilename;
  Module._resolveFilename = function resolveFilename(request, parent, ...rest) {
    const resolved = original.call(this, request, parent, ...rest);
    let url = resolved;
    if (typeof resolved === 'string' && resolved.startsWith('/')) url = pathToFileURL(resolved).href;
    else if (typeof resolved === 'string' && /^[A-Za-z]:[\\/]/.test(resolved)) url = pathToFileURL(resolved).href;
    appendFileSync(file, `${JSON.stringify({ via: 'require', specifier: request, url, parent: parent?.filename ?? null })}\n`);
    return resolved;
  };
}
