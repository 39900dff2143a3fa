/**
 * Output goes straight to the descriptors (src/core/stdio.ts): every byte of a large output
 * reaches a slow reader in order, a reader that goes away ends the command quietly, and help
 * and dry runs never create the process streams (whose creation loads Node's network stack).
 */
import { describe, test, expect } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BIN, ROOT, cleanEnv, makeTempDir, removeDir, runCli } from '../helpers/cli.js';
import { prng, SEED } from '../helpers/hostile.js';

/** A dry run whose output is far larger than a pipe's buffer: `count` kustomizations. */
function bigDryRun(count: number): string[] {
  const ks = Array.from({ length: count }, (_, i) => ['-k', `name=k${i}`, `path=./apps/${'p'.repeat(40)}/${i}`, 'prune=true']).flat();
  return ['flux', 'config', 'create', '-g', 'rg', '-c', 'aks1', '-t', 'managedClusters', '-n', 'big', '-u', 'https://github.com/org/repo', '--branch', 'main', ...ks, '--dry-run', '-o', 'json'];
}

interface Outcome {
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs the CLI with a reader that pauses at generated moments, or stops reading after `limit` bytes. */
function run(args: string[], reader: { pauses?: () => number; limit?: number }): Promise<Outcome> {
  const home = makeTempDir();
  mkdirSync(join(home, '.azure'));
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cleanEnv(home), stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  let received = 0;
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    chunks.push(d);
    received += d.length;
    if (reader.limit !== undefined && received >= reader.limit) child.stdout.destroy();
    const wait = reader.pauses?.() ?? 0;
    if (wait > 0) {
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), wait);
    }
  });
  return new Promise((resolve) =>
    child.on('close', (status) => {
      removeDir(home);
      resolve({ status, stdout: Buffer.concat(chunks), stderr });
    }),
  );
}

describe('standard output', () => {
  const args = bigDryRun(400);
  const expected = runCli(args);

  test('the reference run prints a document far larger than a pipe holds', () => {
    expect(expected.status).toBe(0);
    expect(Buffer.byteLength(expected.stdout)).toBeGreaterThan(256 * 1024);
    expect(JSON.parse(expected.stdout).items.length).toBeGreaterThan(400);
  });

  test('a reader that pauses at generated moments gets every byte, in order', async () => {
    const random = prng(SEED);
    const slow = await run(args, { pauses: () => (random() < 0.3 ? Math.floor(random() * 40) : 0) });
    expect({ status: slow.status, stderr: slow.stderr }).toEqual({ status: 0, stderr: '' });
    expect(slow.stdout.toString('utf8')).toBe(expected.stdout);
  });

  test('a reader that goes away ends the command quietly, with its exit code', async () => {
    const cut = await run(args, { limit: 1000 });
    expect({ status: cut.status, stderr: cut.stderr }).toEqual({ status: 0, stderr: '' });
  });

  test('YAML output through a pipe is a stream that parses whole', () => {
    const yaml = runCli(bigDryRun(50).filter((a) => a !== '-o' && a !== 'json'));
    expect(yaml.status).toBe(0);
    expect(yaml.stdout.split(/^---$/m).filter((d) => d.trim() && parse(d) !== null).length).toBeGreaterThan(50);
  });
});

describe('help, version and dry runs do not create the process streams', () => {
  // Loaded before the CLI: records every access to process.stdout/stderr, reports on fd 3.
  const PROBE = `
const touched = new Set();
for (const name of ['stdout', 'stderr']) {
  const d = Object.getOwnPropertyDescriptor(process, name);
  Object.defineProperty(process, name, { configurable: true, enumerable: d.enumerable, get() { touched.add(name); return d.get.call(this); } });
}
process.on('exit', () => require('node:fs').writeSync(3, JSON.stringify([...touched])));
`;

  test.each([[['--help']], [['--version']], [['flux', 'config', '--help']], [bigDryRun(2)], [['-o', 'xml']]])('%j', (args) => {
    const home = makeTempDir();
    mkdirSync(join(home, '.azure'));
    try {
      const probe = join(home, 'probe.cjs');
      writeFileSync(probe, PROBE);
      const r = spawnSync(process.execPath, ['--require', probe, BIN, ...args], { cwd: ROOT, env: cleanEnv(home), stdio: ['ignore', 'pipe', 'pipe', 'pipe'], encoding: 'utf8' });
      expect(r.stdout.length + r.stderr.length).toBeGreaterThan(0);
      expect(JSON.parse(String(r.output[3]))).toEqual([]);
    } finally {
      removeDir(home);
    }
  });
});
