// Entry point of the CLI bundle (dist/cli.js, which dist/main.js loads: see src/boot/main.ts).
import { main } from './cli.js';

// `k8s-gitops … | head`: a reader that goes away is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
