/**
 * `completion bash|zsh|fish|powershell` through the built CLI: the scripts are checked by the
 * shells themselves where they are installed (bash -n, zsh -n, fish --no-execute), and bash,
 * zsh and fish load them and complete `k8s-gitops flux config cr` to `create`. A test says so
 * when its shell is missing and it skips.
 */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { which } from '../../src/build/kustomize.js';
import { BIN, cleanEnv, makeTempDir, removeDir, runCli } from '../helpers/cli.js';

let dir: string;
let bin: string;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  dir = makeTempDir('k8s-gitops-completion-');
  // `k8s-gitops` on PATH, as an installed one would be: the scripts call it back on each TAB.
  bin = join(dir, 'bin');
  spawnSync('mkdir', ['-p', bin, join(dir, 'home')]);
  writeFileSync(join(bin, 'k8s-gitops'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`);
  chmodSync(join(bin, 'k8s-gitops'), 0o755);
  env = { ...cleanEnv(join(dir, 'home')), PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` };
  writeFileSync(join(dir, 'cluster-config.yaml'), 'name: x\n');
});

afterAll(() => removeDir(dir));

function shell(name: string): string | undefined {
  const found = which(name, process.env);
  if (!found) console.warn(`skipped: ${name} is not installed here, so its completion script is not checked by it`);
  return found;
}

function inShell(program: string, args: string[], script: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(program, [...args, script], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the scripts', () => {
  test.each(['bash', 'zsh', 'fish', 'powershell'])('completion %s prints a script that calls back k8s-gitops __complete', (name) => {
    const r = runCli(['completion', name]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('__complete');
    expect(r.stdout).toMatch(/k8s-gitops/);
  });

  test('an unknown shell is a usage error naming the shells', () => {
    const r = runCli(['completion', 'tcsh']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/bash, zsh, fish, powershell/);
    expect(runCli(['completion']).status).toBe(2);
  });

  test('the help says how to install each script', () => {
    const help = runCli(['completion', '--help']).stdout;
    for (const line of ['source <(k8s-gitops completion bash)', 'k8s-gitops completion zsh >', 'k8s-gitops completion fish >', 'k8s-gitops completion powershell | Out-String | Invoke-Expression']) {
      expect(help).toContain(line);
    }
  });

  test('__complete answers with candidates and a directive', () => {
    const r = runCli(['__complete', 'flux', 'config', 'cr']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('create\tcreate a Flux configuration (installs the Flux extension first if needed)\n:values\n');
  });

  test('the fleet commands: their verbs, their flags and the values those take', () => {
    const words = (args: string[]): string[] => runCli(['__complete', ...args]).stdout.trimEnd().split('\n').map((l) => l.split('\t')[0]!);
    expect(words(['fleet', ''])).toEqual(['status', 'apply', 'delete', ':values']);
    expect(words(['fleet', 'status', '--wa'])).toEqual(['--watch', '--wait-for', ':values']);
    expect(words(['fleet', 'status', '--wait-for', ''])).toEqual(['compliant', ':values']);
    expect(words(['fleet', 'apply', '--wait-for', ''])).toEqual(['provisioned', 'compliant', ':values']);
    expect(words(['fleet', 'apply', '--max-'])).toEqual(['--max-failures', ':values']);
    expect(words(['fleet', 'delete', '--wave'])).toEqual(['--waves', '--wave-size', '--wave-timeout', ':values']);
    // A fleet selects clusters, never a Fleet Manager hub; the extension commands take one.
    expect(words(['fleet', 'apply', '-t', ''])).toEqual(['managedClusters', 'connectedClusters', 'provisionedClusters', ':values']);
    expect(words(['extension', 'create', '-t', 'f'])).toEqual(['fleets', ':values']);
    expect(words(['fleet', 'apply', '--clusters', ''])).toEqual([':files']);
    // fleet apply takes the configuration flags of flux config create.
    expect(words(['fleet', 'apply', '--kin'])).toEqual(['--kind', ':values']);
  });

  test('the words are read as the CLI reads them: az\'s flux create is flux config create, help A is A --help', () => {
    expect(runCli(['__complete', 'flux', 'create', '-t', 'prov']).stdout).toBe('provisionedClusters\n:values\n');
    expect(runCli(['__complete', 'help', 'flux', 'con']).stdout).toMatch(/^config\t/);
  });
});

describe('bash', () => {
  test('bash -n accepts the script', () => {
    const bash = shell('bash');
    if (!bash) return;
    const r = inShell(bash, ['-c'], 'bash -n <(k8s-gitops completion bash)');
    expect(r).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  /** Runs the completion function for a command line typed up to its end, as bash does on TAB. */
  function tab(line: string): string[] {
    const bash = which('bash', process.env)!;
    const script = `
source <(k8s-gitops completion bash)
complete -p k8s-gitops
COMP_LINE=${JSON.stringify(line)}
COMP_POINT=\${#COMP_LINE}
COMP_WORDBREAKS=$' \\t\\n"\\'><=;|&(:'
# bash's own word split: at blanks and at COMP_WORDBREAKS characters.
read -r -a COMP_WORDS <<< "$(sed -E 's/([=:])/ \\1 /g' <<< "$COMP_LINE")"
[[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
_k8s_gitops_complete
printf '%s\\n' "\${COMPREPLY[@]}"
`;
    const r = inShell(bash, ['-c'], script);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const [registration, ...replies] = r.stdout.trimEnd().split('\n');
    expect(registration).toBe('complete -o default -F _k8s_gitops_complete k8s-gitops');
    return replies;
  }

  test('k8s-gitops flux config cr<TAB> completes to create', () => {
    if (!shell('bash')) return;
    expect(tab('k8s-gitops flux config cr')).toEqual(['create']);
  });

  test('commands, flags, choice values and file names', () => {
    if (!shell('bash')) return;
    expect(tab('k8s-gitops flu')).toEqual(['flux']);
    expect(tab('k8s-gitops fle')).toEqual(['fleet']);
    expect(tab('k8s-gitops flux config create --kin')).toEqual(['--kind']);
    expect(tab('k8s-gitops flux config create -t con')).toEqual(['connectedClusters']);
    expect(tab('k8s-gitops flux config show --output=ya')).toEqual(['yaml', 'yamlc']);
    expect(tab('k8s-gitops flux config create -f cluster')).toEqual(['cluster-config.yaml']);
  });
});

describe('zsh', () => {
  test('zsh -n accepts the script, and compinit registers it for k8s-gitops', () => {
    const zsh = shell('zsh');
    if (!zsh) return;
    expect(inShell(zsh, ['-c'], 'zsh -n <(k8s-gitops completion zsh)')).toEqual({ status: 0, stdout: '', stderr: '' });
    const r = inShell(zsh, ['-f', '-c'], 'autoload -U compinit && compinit -u -D && source <(k8s-gitops completion zsh) && print -r -- ${_comps[k8s-gitops]}');
    expect(r.stdout.trim()).toBe('_k8s_gitops');
  });
});

describe('fish', () => {
  test('fish --no-execute accepts the script, and fish completes with it', () => {
    const fish = shell('fish');
    if (!fish) return;
    expect(inShell(fish, ['-c'], 'k8s-gitops completion fish | fish --no-execute')).toMatchObject({ status: 0, stderr: '' });
    const r = inShell(fish, ['-c'], 'k8s-gitops completion fish | source; complete -C "k8s-gitops flux config cr"; complete -C "k8s-gitops flux config create --scope "');
    expect(r.stdout.split('\n').map((l) => l.split('\t')[0])).toEqual(['create', 'cluster', 'namespace', '']);
  });
});

describe('powershell', () => {
  test('pwsh parses the script', () => {
    const pwsh = shell('pwsh');
    if (!pwsh) return;
    const r = inShell(pwsh, ['-NoProfile', '-Command'], '$null = [ScriptBlock]::Create((k8s-gitops completion powershell | Out-String)); "ok"');
    expect(r.stdout.trim()).toBe('ok');
  });
});
