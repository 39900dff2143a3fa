// Entry point of the built CLI (bin/k8s-gitops imports the bundle of this file).
import { main } from './cli.js';

// Supported: the maintained Node.js LTS lines, 22 and newer (package.json "engines"). An older
// Node still runs what it can (help, dry runs); say so once rather than fail obscurely later.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) process.stderr.write(`WARNING: Node.js ${process.versions.node} is not supported; k8s-gitops needs Node.js 22 or newer (Azure and cluster commands may fail).\n`);

// `k8s-gitops … | head`: a reader that goes away is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = await main(process.argv.slice(2));
