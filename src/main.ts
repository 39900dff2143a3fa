// Entry point of the built CLI (bin/k8s-gitops imports the bundle of this file).
import { main } from './cli.js';

process.exitCode = await main(process.argv.slice(2));
