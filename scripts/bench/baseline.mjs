// An earlier build of the CLI to time beside this one: the tree of a git revision, built with
// that revision's own build script into a directory of its own, so that "today's" figures stay
// checkable after the code has moved on. The dependencies are this checkout's node_modules
// (linked, not installed): the report says when the revision's lockfile differs from ours.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './harness.mjs';

/**
 * The last commit before the SDKs were bundled and the code cache added: the "today" of the
 * start-up targets (issue 10: an Azure command at most half of today's CPU time).
 */
export const DEFAULT_BASELINE = '9ceb5c3dab06c430c6612af484ac5db004361ec7';

/** Builds `rev` (once; kept in the temporary directory for the next run) and returns its bin script and a note. */
export function buildBaseline(rev, log) {
  const git = (...args) => execFileSync('git', ['-C', ROOT, ...args], { encoding: 'utf8' }).trim();
  const commit = git('rev-parse', '--verify', `${rev}^{commit}`);
  const dir = join(tmpdir(), `k8s-gitops-bench-baseline-${commit.slice(0, 12)}`);
  const bin = join(dir, 'bin', 'k8s-gitops');
  const done = join(dir, '.built');
  if (!existsSync(done)) {
    log(`building the baseline ${commit.slice(0, 12)} in ${dir}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const archive = spawnSync('git', ['-C', ROOT, 'archive', '--format=tar', commit], { maxBuffer: 512 * 1024 * 1024 });
    if (archive.status !== 0) throw new Error(`git archive ${commit}: ${archive.stderr}`);
    execFileSync('tar', ['-x', '-C', dir], { input: archive.stdout });
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const built = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: dir, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`building ${commit}: ${built.stderr}`);
    writeFileSync(done, commit);
  }
  const lockThen = git('show', `${commit}:package-lock.json`);
  const lockNow = readFileSync(join(ROOT, 'package-lock.json'), 'utf8').trim();
  const note = lockThen === lockNow ? '' : ' (its package-lock.json differs from this checkout\'s, whose node_modules it uses)';
  return { bin, commit, label: `${commit.slice(0, 7)}${note}` };
}
