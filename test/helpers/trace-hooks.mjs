// Module customization hooks registered by trace-imports.mjs. `resolve` sees every ES module
// specifier the process resolves (the entry point, static imports, dynamic import()) and
// appends the specifier and the URL it resolved to, as one JSON line, to the trace file.
import { appendFileSync } from 'node:fs';

let file;

export async function initialize(data) {
  file = data?.file;
}

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  if (file) {
    appendFileSync(file, `${JSON.stringify({ via: 'import', specifier, url: result.url, parent: context.parentURL ?? null })}\n`);
  }
  return result;
}
