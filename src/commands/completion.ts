/** `completion bash|zsh|fish|powershell`: the script that makes TAB complete k8s-gitops. */
import { Argument, type Command } from 'commander';
import { SHELLS, completionScript, type Shell } from '../completion/scripts.js';
import { currentIo } from '../core/run.js';

const HELP = `
Examples:
  # The bash script (load it with: source <(k8s-gitops completion bash))
  k8s-gitops completion bash

Install it for every new shell:
  bash        echo 'source <(k8s-gitops completion bash)' >> ~/.bashrc
  zsh         k8s-gitops completion zsh > "\${fpath[1]}/_k8s-gitops"     (compinit must be on)
  fish        k8s-gitops completion fish > ~/.config/fish/completions/k8s-gitops.fish
  PowerShell  Add-Content $PROFILE 'k8s-gitops completion powershell | Out-String | Invoke-Expression'

The scripts complete commands, flags, the values of flags that take one of a list (-t, -o,
--kind, --scope, --template …) and file names for file flags. They ask k8s-gitops itself on
each TAB, so they keep up with new versions without being installed again.`;

export function registerCompletion(program: Command): Command {
  return program
    .command('completion')
    .summary('print a shell completion script: bash, zsh, fish or powershell')
    .description('Print the completion script for a shell, for TAB completion of commands, flags and their values.')
    .addArgument(new Argument('<shell>', 'bash, zsh, fish or powershell').choices(SHELLS))
    .helpOption('-h, --help', 'show help')
    .addHelpText('after', HELP)
    .action((shell: Shell) => {
      currentIo().stdout.write(completionScript(shell));
    });
}
