/**
 * Entry point of the k8s-gitops emulator (a test double of Azure; see emulator/README.md).
 *
 * Parses the options, makes the TLS certificate, starts the server (which writes the clusters'
 * kubeconfig beside the certificate), then prints one `export NAME=value` line per variable on
 * stdout (nothing else ever goes to stdout) and serves until SIGTERM or SIGINT.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeCertificate } from './cert.js';
import { HELP, OptionError, parseOptions } from './options.js';
import { Emulator } from './server.js';

/** Quotes a value for a POSIX shell only when it needs it. */
export function shellValue(value: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseOptions(argv);
  } catch (err) {
    if (err instanceof OptionError) {
      process.stderr.write(`emulator: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (parsed.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const options = parsed.options;
  const ownDir = options.stateDir === undefined;
  const dir = ownDir ? mkdtempSync(join(tmpdir(), 'k8s-gitops-emulator-')) : resolve(options.stateDir!);

  const certificate = await makeCertificate(dir);
  const emulator = new Emulator(options, certificate);
  try {
    await emulator.start();
  } catch (err) {
    process.stderr.write(`emulator: cannot listen on 127.0.0.1:${options.port}: ${(err as Error).message}\n`);
    if (ownDir) rmSync(dir, { recursive: true, force: true });
    return 1;
  }

  // Signal handlers go in before the export lines: whoever reads them may signal at once.
  const finished = new Promise<number>((done) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`emulator: ${signal}, shutting down\n`);
      emulator.stop().then(
        () => {
          if (ownDir) rmSync(dir, { recursive: true, force: true });
          done(0);
        },
        (err: unknown) => {
          process.stderr.write(`emulator: shutdown failed: ${String(err)}\n`);
          done(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });

  const lines = emulator.exports().map(([name, value]) => `export ${name}=${shellValue(value)}\n`).join('');
  if (options.envFile) writeFileSync(resolve(options.envFile), lines, { mode: 0o600 });
  process.stdout.write(lines);
  process.stderr.write(
    `emulator: serving Azure Resource Manager on ${emulator.baseUrl} and the clusters' Kubernetes APIs under ${emulator.baseUrl}/k8s/<cluster> (kubeconfig ${emulator.kubeconfigPath}; state in ${dir}); stop with SIGTERM or Ctrl-C\n`,
  );
  return finished;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`emulator: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
