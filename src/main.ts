// Entry point of the CLI bundle (dist/cli.js, which dist/main.js loads: see src/boot/main.ts).
import { main } from './cli.js';
import { isTerminal } from './core/stdio.js';

// Output goes straight to the descriptors (src/core/stdio.ts), which also treats a reader that
// goes away (`k8s-gitops … | head`) as the end, not an error. The streams, where a terminal
// library creates them, get the same rule.
for (const fd of [1, 2] as const) {
  if (!isTerminal(fd)) continue;
  (fd === 1 ? process.stdout : process.stderr).on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
