/**
 * Writing a scaffolded repository: into an empty directory (or one with only `.git`), or with
 * --force over what is there: a file with the same content is left alone, one that differs is
 * overwritten, and nothing is written through a symbolic link (it could point anywhere).
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import type { ScaffoldFile } from './templates.js';

export interface WrittenFile {
  file: string;
  action: 'created' | 'overwritten' | 'unchanged';
}

function refuseLink(dir: string, path: string): void {
  const parts = path.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const at = join(dir, ...parts.slice(0, i));
    let link = false;
    try {
      link = lstatSync(at).isSymbolicLink();
    } catch {
      return; // does not exist yet: nothing below it does either
    }
    if (link) throw new UsageError('--force', `${parts.slice(0, i).join('/')} in '${dir}' is a symbolic link; init does not write through links.`, 'Remove the link, or choose another directory.');
  }
}

export function writeRepository(dir: string, files: readonly ScaffoldFile[], force: boolean): WrittenFile[] {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new UsageError(undefined, `'${dir}' exists and is not a directory.`, 'Give init a directory to write into.');
    const present = readdirSync(dir).filter((e) => e !== '.git');
    if (present.length > 0 && !force) {
      throw new UsageError(undefined, `'${dir}' is not empty (${present.length} entr${present.length === 1 ? 'y' : 'ies'}); init writes into an empty directory.`, 'Choose an empty or new directory, or add --force to write the template anyway: files that differ are overwritten and listed.');
    }
  }
  // Decide every file first, so that a refusal leaves the directory as it was.
  const plan = files.map((f) => {
    refuseLink(dir, f.path);
    const target = join(dir, ...f.path.split('/'));
    if (!existsSync(target)) return { f, target, action: 'created' as const };
    if (!statSync(target).isFile()) throw new UsageError(undefined, `${f.path} in '${dir}' exists and is not a file.`, 'Move it away, then run init again.');
    return { f, target, action: readFileSync(target, 'utf8') === f.content ? ('unchanged' as const) : ('overwritten' as const) };
  });
  for (const { f, target, action } of plan) {
    if (action === 'unchanged') continue;
    mkdirSync(join(target, '..'), { recursive: true });
    writeFileSync(target, f.content);
  }
  return plan.map(({ f, action }) => ({ file: f.path, action }));
}
